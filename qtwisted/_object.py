# -*- test-case-name: tests.test_object -*-
"""
The little of C{QObject} that the server classes need: a parent, the
children it owns, and C{deleteLater()}.

Qt uses object trees for memory management: deleting a server deletes the
sockets it still owns.  Python has a garbage collector, so we keep only what
is observable: C{parent()}, C{setParent()}, C{children()}, and
C{deleteLater()}, which destroys an object and its children on the next
reactor turn.  A child that has already shut itself down (a disconnected
socket) leaves its parent's list, so a long-running server does not keep every
socket it ever accepted alive: the Qt idiom of connecting C{disconnected} to
C{deleteLater} is what we do for the user.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.interfaces import IReactorTime

from ._signal import BoundSignal

__all__ = ["QObjectBase", "resolveReactor"]


def resolveReactor(reactor: Any | None) -> Any:
    """
    The reactor to use: the one given, else the global one.

    The global reactor is imported here, at call time, never at import time,
    so that importing qtwisted never installs a reactor.
    """
    if reactor is not None:
        return reactor
    from twisted.internet import reactor as globalReactor

    return globalReactor


class QObjectBase:
    """
    Parent/child ownership in the manner of C{QObject}.
    """

    _reactor: Any

    def __init__(self, parent: QObjectBase | None = None, reactor: Any = None) -> None:
        self._reactor = resolveReactor(reactor)
        self._parent: QObjectBase | None = None
        self._children: dict[QObjectBase, None] | None = None
        self._deleted = False
        if parent is not None:
            self.setParent(parent)

    def parent(self) -> QObjectBase | None:
        """
        The object that owns this one, or C{None}; mirrors C{QObject::parent}.
        """
        return self._parent

    def setParent(self, parent: QObjectBase | None) -> None:
        """
        Make C{parent} own this object; mirrors C{QObject::setParent}.

        @raise TypeError: if C{parent} is not a qtwisted object.
        """
        if parent is not None and not isinstance(parent, QObjectBase):
            raise TypeError(f"parent must be a qtwisted object or None, not {parent!r}")
        old = self._parent
        if parent is old:
            # Qt's setParent_helper returns at once: the child keeps its place
            # in children().
            return
        if old is not None and old._children is not None:
            old._children.pop(self, None)
        self._parent = parent
        if parent is not None:
            if parent._children is None:
                parent._children = {}
            parent._children[self] = None

    def children(self) -> list[QObjectBase]:
        """
        The objects this one owns, oldest first; mirrors C{QObject::children}.
        """
        return list(self._children) if self._children else []

    def _releaseFromParent(self) -> None:
        # Leave the parent's list but keep parent() answering, so a socket
        # handed out by a server still reports it (B13) after it is gone.
        parent = self._parent
        if parent is not None and parent._children is not None:
            parent._children.pop(self, None)

    def deleteLater(self) -> None:
        """
        Destroy this object and its children on the next reactor turn.

        Mirrors C{QObject::deleteLater}: sockets are aborted, servers closed,
        and, as in Qt, every slot connected to the object's signals is
        disconnected.  The Python object itself lives on while referenced,
        but is unusable.
        """
        self._reactor.callLater(0, self._destroy)

    def _destroy(self) -> None:
        if self._deleted:
            return
        self._deleted = True
        for child in self.children():
            child._destroy()
        self._destroyed()
        self._releaseFromParent()
        # Qt: a destroyed object's connections are removed.  This also
        # breaks the cycle that a slot using the object makes (socket ->
        # signal -> slot -> socket), so its memory goes at once instead of
        # waiting for Python's cycle collector.
        for value in list(vars(self).values()):
            if isinstance(value, BoundSignal):
                value.disconnect()

    def _destroyed(self) -> None:
        """
        Release this object's resources; subclasses extend it.
        """

    def _clock(self) -> IReactorTime:
        return self._reactor  # type: ignore[no-any-return]

# -*- test-case-name: tests.test_signal -*-
"""
Qt-style signals for Twisted code.

Theory of operation
===================

A L{Signal} is declared once, on a class::

    class QTcpServer:
        newConnection: Signal[()] = Signal()
        acceptError: Signal[SocketError] = Signal()

Reading the attribute from an instance gives that instance's L{BoundSignal},
which holds the connected slots.  L{Signal} is a I{non-data} descriptor: the
first read creates the L{BoundSignal} and stores it in the instance's
C{__dict__} under the same name, so every later read is a plain instance
attribute lookup with no descriptor call at all.  An object whose signals are
never read never allocates them, which matters for servers that hold
thousands of sockets.

Emission follows Qt's direct connection: slots run synchronously, in the
thread that emits (the reactor thread), in the order they were connected.
Unlike Qt, a slot that raises does not unwind into the emitter: the error is
logged through C{twisted.logger} and the remaining slots still run, so one
faulty slot can never leave a server half-way through its own bookkeeping.

Connecting and disconnecting during an emission behave as in Qt's
C{QMetaObject::activate}: a slot connected while the signal is being emitted
is first called by the next emission (Qt stops at the highest connection id
it saw when the emission began), and a slot disconnected while the signal is
being emitted is not called again, not even later in the same emission (Qt
clears the connection's receiver, and the emission loop skips it).  To get
both cheaply, the list of connections is copy-on-write: an emission iterates
the list it started with, never a copy, and a disconnected L{_Connection} is
marked dead so that an emission still holding it skips it.

For C{await}/C{yield} code, L{BoundSignal.nextEmission} gives a C{Deferred}
that fires with the arguments of the next emission.

We do not use a third-party signal library: psygnal, for instance, re-raises
slot errors into the emitter, which is exactly what a server must not do.
"""

from __future__ import annotations

import weakref
from typing import (
    Any,
    Callable,
    Generic,
    TypeVarTuple,
    Unpack,
    overload,
)

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__, and the API reference must document qtwisted.Signal, not a hidden
# qtwisted._signal.Signal.

Ts = TypeVarTuple("Ts")

_log = Logger(namespace="qtwisted.signal")


class _Connection:
    """
    One connection of a slot to a signal.

    A slot connected twice has two connections, and is called twice.
    C{alive} turns C{False} when the connection is disconnected, so that an
    emission already under way skips it.
    """

    __slots__ = ("slot", "alive")

    def __init__(self, slot: Callable[..., object]) -> None:
        self.slot = slot
        self.alive = True


class BoundSignal(Generic[Unpack[Ts]]):
    """
    A signal of one object: the slots connected to it, and a way to emit.

    Instances are made by L{Signal} on first access; do not create them
    directly.
    """

    __slots__ = ("_connections", "_name", "_owner", "__weakref__")

    def __init__(self, name: str, owner: object | None = None) -> None:
        # Copy-on-write (see the module docstring): never mutated in place.
        self._connections: list[_Connection] = []
        self._name = name
        self._owner: weakref.ref[Any] | None = None
        if owner is not None:
            try:
                self._owner = weakref.ref(owner)
            except TypeError:
                # An owner class with __slots__ and no __weakref__: only the
                # default clock of nextEmission() needs the owner.
                self._owner = None

    def __repr__(self) -> str:
        return f"<BoundSignal {self._name} with {len(self._connections)} slot(s)>"

    def connect(self, slot: Callable[[Unpack[Ts]], object]) -> None:
        """
        Call C{slot} with the signal's arguments on every emission.

        Mirrors C{QObject::connect} with a direct connection.  A slot
        connected twice is called twice per emission, as in Qt.  A slot
        connected while the signal is being emitted is first called by the
        next emission.

        @param slot: any callable; a bound method, a function or a lambda.
        @raise TypeError: if C{slot} is not callable.
        """
        if not callable(slot):
            raise TypeError(
                f"{self._name}.connect() needs a callable slot, not {slot!r}"
            )
        self._connections = self._connections + [_Connection(slot)]

    def disconnect(self, slot: Callable[[Unpack[Ts]], object] | None = None) -> bool:
        """
        Disconnect one slot, or every slot.

        Mirrors C{QObject::disconnect}, returning C{True} if anything was
        disconnected and C{False} otherwise (PySide raises there).  With a
        slot, its most recent connection is removed (a slot connected twice
        needs two calls; Qt's C++ API removes both at once); with no
        argument, all connections are.  A slot disconnected while the signal
        is being emitted is not called by the rest of that emission, as in
        Qt.

        @param slot: the slot to disconnect, or C{None} for all of them.
            Slots are compared with C{==}, so C{obj.method} disconnects an
            earlier C{obj.method}.
        @return: whether a connection was removed.
        """
        connections = self._connections
        if slot is None:
            if not connections:
                return False
            self._connections = []
            for c in connections:
                c.alive = False
            return True
        for i in range(len(connections) - 1, -1, -1):
            c = connections[i]
            if c.slot == slot:
                c.alive = False
                self._connections = connections[:i] + connections[i + 1 :]
                return True
        return False

    def isConnected(self) -> bool:
        """
        Tell whether any slot is connected.

        Mirrors C{QObject::isSignalConnected}.
        """
        return bool(self._connections)

    def receivers(self) -> int:
        """
        The number of connections; mirrors C{QObject::receivers}.
        """
        return len(self._connections)

    def emit(self, *args: Unpack[Ts]) -> None:
        """
        Call every connected slot with C{args}, in connection order.

        A slot connected during the emission is first called by the next
        emission; a slot disconnected during the emission is not called by
        the rest of it, as in Qt.  A slot that raises is logged through
        C{twisted.logger} and does not stop the others.
        """
        connections = self._connections
        if not connections:
            return
        if len(connections) == 1:
            # The common case, kept flat: one slot, nothing to skip.
            slot = connections[0].slot
            try:
                slot(*args)
            except BaseException:
                self._slotRaised(slot)
            return
        # `connections` is never mutated (copy-on-write), so no copy is
        # needed; `alive` tells which ones a slot disconnected meanwhile.
        for c in connections:
            if not c.alive:
                continue
            try:
                c.slot(*args)
            except BaseException:
                self._slotRaised(c.slot)

    def _slotRaised(self, slot: Callable[..., object]) -> None:
        # Called from an except block: logs the slot's exception.
        _log.failure(
            "Slot {slot!r} connected to {signal} raised", slot=slot, signal=self._name
        )

    def _emitCollecting(self, *args: Unpack[Ts]) -> list[object]:
        """
        L{emit}, and return what the slots returned, other than C{None},
        in connection order.

        Not in Qt: the WebSocket server uses it so that a slot of
        C{originAuthenticationRequired} may answer later with a C{Deferred}
        or a coroutine.  A slot that raises is logged, as with L{emit}, and
        contributes nothing.
        """
        results: list[object] = []
        for c in self._connections:
            if not c.alive:
                continue
            try:
                result = c.slot(*args)
            except BaseException:
                self._slotRaised(c.slot)
                continue
            if result is not None:
                results.append(result)
        return results

    def nextEmission(
        self, timeout: float | None = None, clock: IReactorTime | None = None
    ) -> Deferred[tuple[Unpack[Ts]]]:
        """
        A C{Deferred} that fires with the arguments of the next emission.

        Qt has no equivalent (C{QSignalSpy::wait} comes closest); this is
        how C{async def} and C{inlineCallbacks} code waits for a signal.
        Cancelling the Deferred disconnects it.

        @param timeout: seconds to wait at most; on expiry the Deferred fails
            with C{twisted.internet.defer.TimeoutError} and is disconnected.
            C{None}: no limit.
        @param clock: the clock for the timeout; by default the reactor of
            the object that owns the signal, else the global reactor.
        @return: a Deferred firing with the emission's arguments as a tuple
            (C{()} for a signal without arguments).
        """

        def cancel(d: Deferred[tuple[Unpack[Ts]]]) -> None:
            self.disconnect(fire)

        d: Deferred[tuple[Unpack[Ts]]] = Deferred(cancel)

        def fire(*args: Unpack[Ts]) -> None:
            self.disconnect(fire)
            if not d.called:
                d.callback(args)

        self.connect(fire)
        if timeout is not None:
            d.addTimeout(timeout, clock if clock is not None else self._clock())
        return d

    def _clock(self) -> IReactorTime:
        owner = self._owner() if self._owner is not None else None
        clock: IReactorTime | None = getattr(owner, "_reactor", None)
        if clock is None:
            from twisted.internet import reactor

            clock = reactor
        assert clock is not None
        return clock


class Signal(Generic[Unpack[Ts]]):
    """
    A signal declaration, the equivalent of Qt's C{signals:} section.

    Declare it as a class attribute; each instance gets its own
    L{BoundSignal}.  The type parameters are the argument types of the
    signal, so C{Signal[int, str]} is emitted as C{emit(1, "a")} and calls
    slots as C{slot(1, "a")}.
    """

    __slots__ = ("_name", "_attr")

    def __init__(self) -> None:
        self._name = "<signal>"
        self._attr = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = f"{owner.__name__}.{name}"
        self._attr = name

    @overload
    def __get__(self, instance: None, owner: type) -> Signal[Unpack[Ts]]: ...

    @overload
    def __get__(self, instance: object, owner: type) -> BoundSignal[Unpack[Ts]]: ...

    def __get__(
        self, instance: object | None, owner: type
    ) -> Signal[Unpack[Ts]] | BoundSignal[Unpack[Ts]]:
        if instance is None:
            return self
        return self._bind(instance)

    def _bind(self, instance: object) -> BoundSignal[Unpack[Ts]]:
        """
        Create C{instance}'s L{BoundSignal} and store it on the instance.
        """
        bound: BoundSignal[Unpack[Ts]] = BoundSignal(self._name, instance)
        # Non-data descriptor: the instance attribute now shadows us, so the
        # next lookup never reaches __get__ (see the module docstring).
        # Stored with object.__setattr__, not through instance.__dict__:
        # reading __dict__ makes CPython 3.11 build a dict object, after
        # which the interpreter no longer specializes the instance's other
        # attribute reads (self._rbuf on every read and write of a socket).
        object.__setattr__(instance, self._attr, bound)
        return bound

    def __repr__(self) -> str:
        return f"<Signal {self._name}>"


class WatchedSignal(Signal[Unpack[Ts]]):
    """
    A L{Signal} that tells its owner when an instance's signal is first
    read, by calling C{owner._signalBound(name)}.

    Not public.  Owners use it to switch on work that only matters when
    somebody may listen, as Qt uses C{QObject::connectNotify}: a socket
    counts the bytes each send wrote only once its C{bytesWritten} signal
    has been looked at.
    """

    __slots__ = ()

    def _bind(self, instance: object) -> BoundSignal[Unpack[Ts]]:
        bound = super()._bind(instance)
        instance._signalBound(self._attr)  # type: ignore[attr-defined]
        return bound

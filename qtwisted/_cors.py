# -*- test-case-name: tests.test_cors -*-
"""
C{QWebSocketCorsAuthenticator}, and how the WebSocket server asks the
application about an origin.

Theory of operation
===================

For each valid upgrade request, Qt's C{QWebSocketServer} builds a
C{QWebSocketCorsAuthenticator} with the request's C{Origin} and
C{allowed() == True}, emits C{originAuthenticationRequired} with it, and
reads C{allowed()} as soon as the emission returns (QT_BEHAVIORS.md section
1.3.2 step 5; B65).  With no slot connected every origin is accepted (B66).

That rule is Qt's and it is dangerous: a browser sends cookies with a
WebSocket upgrade from any page, so a server that relies on cookies and
accepts every origin is open to cross-site WebSocket hijacking (CSWSH).
The WebSocket chapter of the documentation shows how to check origins.

Qt's decision is synchronous.  L{authenticateOrigin} keeps that for slots
that return nothing, and adds one thing: a slot may return a C{Deferred},
or be an C{async def} (its coroutine is run with
C{Deferred.fromCoroutine}), and the handshake then waits until every such
answer has arrived.  A Deferred may fire with C{True} or C{False} (that
becomes the decision, as C{setAllowed} would) or with C{None} (the slot
called C{setAllowed} itself); a failure refuses the origin and is logged.
The server bounds the wait with its handshake timeout and cancels the
Deferreds when it gives up.
"""

from __future__ import annotations

import inspect
from typing import Any, Coroutine

from twisted.internet.defer import CancelledError, Deferred, DeferredList
from twisted.logger import Logger
from twisted.python.failure import Failure

from ._signal import BoundSignal

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_log = Logger(namespace="qtwisted.websocket")


class QWebSocketCorsAuthenticator:
    """
    The origin of a WebSocket upgrade request, and whether the server
    accepts it; mirrors C{QWebSocketCorsAuthenticator}.

    L{QWebSocketServer<qtwisted.QWebSocketServer>} passes one to the slots
    of its C{originAuthenticationRequired} signal; a slot refuses the origin
    with C{setAllowed(False)}.  Beyond Qt, a slot may also return a
    C{Deferred} (or be an C{async def}) and decide later, within the
    server's handshake timeout.

    Copying (C{copy.copy}, or C{QWebSocketCorsAuthenticator(other)}) copies
    both fields, as Qt's copy constructor does.
    """

    __slots__ = ("_origin", "_allowed")

    def __init__(self, origin: str | QWebSocketCorsAuthenticator) -> None:
        """
        @param origin: the origin (C{"https://example.com"}, or C{""} when
            the request had no C{Origin} header), or another authenticator
            to copy.
        @raise TypeError: for anything else.
        """
        if isinstance(origin, QWebSocketCorsAuthenticator):
            self._origin: str = origin._origin
            self._allowed: bool = origin._allowed
            return
        if not isinstance(origin, str):
            raise TypeError(f"origin must be a str, not {type(origin).__name__} {origin!r}")
        self._origin = origin
        self._allowed = True

    def origin(self) -> str:
        """
        The origin of the request; mirrors C{QWebSocketCorsAuthenticator::origin}.
        """
        return self._origin

    def allowed(self) -> bool:
        """
        Whether the origin is accepted (C{True} until a slot says
        otherwise); mirrors C{QWebSocketCorsAuthenticator::allowed}.
        """
        return self._allowed

    def setAllowed(self, allowed: bool) -> None:
        """
        Accept or refuse the origin; mirrors
        C{QWebSocketCorsAuthenticator::setAllowed}.

        @raise TypeError: if C{allowed} is not a bool.
        """
        if not isinstance(allowed, bool):
            raise TypeError(f"allowed must be a bool, not {type(allowed).__name__} {allowed!r}")
        self._allowed = allowed

    def swap(self, other: QWebSocketCorsAuthenticator) -> None:
        """
        Exchange the contents with C{other}; mirrors
        C{QWebSocketCorsAuthenticator::swap}.
        """
        self._origin, other._origin = other._origin, self._origin
        self._allowed, other._allowed = other._allowed, self._allowed

    def __copy__(self) -> QWebSocketCorsAuthenticator:
        return QWebSocketCorsAuthenticator(self)

    def __repr__(self) -> str:
        return f"<QWebSocketCorsAuthenticator origin={self._origin!r} allowed={self._allowed}>"


def authenticateOrigin(
    signal: BoundSignal[QWebSocketCorsAuthenticator], origin: str
) -> bool | Deferred[bool]:
    """
    Emit C{originAuthenticationRequired} for C{origin} and return the
    decision: a bool at once when every slot answered synchronously (Qt's
    case, and the case with no slot at all: B66), otherwise a C{Deferred}
    firing with the decision once every deferred answer is in.

    Cancelling the returned Deferred cancels the slots' Deferreds.
    """
    authenticator = QWebSocketCorsAuthenticator(origin)
    pending: list[Deferred[Any]] = []
    for result in signal._emitCollecting(authenticator):
        if isinstance(result, Deferred):
            pending.append(result)
        elif inspect.iscoroutine(result):
            coroutine: Coroutine[Any, Any, Any] = result
            pending.append(Deferred.fromCoroutine(coroutine))
        elif isinstance(result, bool):
            # A synchronous slot that returns its verdict: as setAllowed().
            authenticator.setAllowed(result and authenticator.allowed())
    if not pending:
        return authenticator.allowed()

    def answered(results: list[tuple[bool, Any]]) -> bool:
        for success, value in results:
            if not success:
                failure: Failure = value
                if failure.check(CancelledError):
                    continue
                _log.failure(
                    "An originAuthenticationRequired slot failed; origin {origin!r} refused",
                    failure,
                    origin=origin,
                )
                authenticator.setAllowed(False)
            elif value is False:
                authenticator.setAllowed(False)
        return authenticator.allowed()

    cancelled: list[bool] = []

    def cancel(d: Deferred[bool]) -> None:
        cancelled.append(True)
        for p in pending:
            p.cancel()

    outer: Deferred[bool] = Deferred(cancel)
    gathered: Deferred[list[tuple[bool, Any]]] = DeferredList(
        pending, consumeErrors=True
    )

    def deliver(results: list[tuple[bool, Any]]) -> None:
        if not cancelled and not outer.called:
            outer.callback(answered(results))

    gathered.addCallback(deliver)
    return outer


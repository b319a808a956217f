# -*- test-case-name: tests.test_waiting -*-
"""
Qt's blocking C{waitFor...()} calls, as Deferreds.

Theory of operation
===================

Qt's C{waitForConnected()}, C{waitForReadyRead()} and friends block the
thread until a signal is emitted, the object gives up, or a timeout passes,
and return C{bool}.  A reactor must not block, so each returns a
C{Deferred[bool]} here, built by L{Waiters.waitFor}: it fires C{True} on
the next emission of the awaited signal; C{False} on an emission of one of
the failure signals; C{False} when the object I{ends}; and C{False} after
the timeout, once the caller's C{onTimeout} has done what Qt does on a
timeout (usually setting C{SocketTimeoutError} and emitting
C{errorOccurred}).  Cancelling the Deferred abandons the wait.

"Ends" is the owner's call: a socket ends when it becomes unconnected or a
connection attempt fails, and it calls L{Waiters.end} after the I{last}
signal of that sequence.  A Deferred therefore never fires half-way
through a sequence of signals, just as Qt's blocking call returns only
after them; with C{atEnd}, even the awaited signal only marks success and
the Deferred fires at the end (C{waitForDisconnected()} returns after
C{disconnected} and everything Qt emits around it).

Each owner (a socket, and so an SSL socket's C{waitForEncrypted()}; a
WebSocket; a server, for C{waitForNewConnection()}, which ends at
C{close()}) holds one L{Waiters}; the waits themselves are closures.
Timers run on the owner's injected reactor.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, Unpack

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from ._signal import BoundSignal

__all__ = ["Waiters", "AnySignal", "checkMsecs"]

# A bound signal of any signature.
AnySignal = BoundSignal[Unpack[tuple[Any, ...]]]


def checkMsecs(msecs: object) -> int:
    """
    Validate a C{waitFor...()} timeout in milliseconds (-1: no limit).

    @raise TypeError: for a non-integer (C{bool} included).
    """
    if isinstance(msecs, bool) or not isinstance(msecs, int):
        raise TypeError(f"msecs must be an int, not {type(msecs).__name__} {msecs!r}")
    return msecs


class Waiters:
    """
    The C{waitFor...()} calls in progress on one object.
    """

    __slots__ = ("_clock", "_enders")

    def __init__(self, clock: IReactorTime) -> None:
        """
        @param clock: the reactor that runs the timeouts.
        """
        self._clock = clock
        self._enders: list[Callable[[], None]] = []

    def waitFor(
        self,
        msecs: int,
        success: AnySignal,
        onTimeout: Callable[[], None],
        atEnd: bool = False,
        failures: Sequence[AnySignal] = (),
    ) -> Deferred[bool]:
        """
        A Deferred for one C{waitFor...()} call.

        It fires C{True} on the next emission of C{success}; C{False} on
        an emission of any of C{failures}; C{False} when L{end} is called
        without C{success} having been emitted; C{False} after C{msecs}
        (negative: never), once C{onTimeout} has run.  With C{atEnd}, an
        emission of C{success} only marks success, and the Deferred fires
        at L{end}.  Cancelling the Deferred stops the wait.
        """
        timer: IDelayedCall | None = None
        seen = False

        def stop() -> None:
            success.disconnect(ok)
            for signal in failures:
                signal.disconnect(failed)
            try:
                self._enders.remove(ended)
            except ValueError:
                pass
            if timer is not None and timer.active():
                timer.cancel()

        d: Deferred[bool] = Deferred(lambda _: stop())

        def ok(*args: object) -> None:
            nonlocal seen
            if atEnd:
                seen = True
                return
            stop()
            d.callback(True)

        def failed(*args: object) -> None:
            stop()
            d.callback(False)

        def ended() -> None:
            stop()
            d.callback(seen)

        def expired() -> None:
            nonlocal timer
            timer = None
            stop()
            onTimeout()
            d.callback(False)

        success.connect(ok)
        for signal in failures:
            signal.connect(failed)
        self._enders.append(ended)
        if msecs >= 0:
            timer = self._clock.callLater(msecs / 1000.0, expired)
        return d

    def end(self) -> None:
        """
        The owner has ended (see the module docstring): every wait in
        progress fires, C{True} if its signal was seen (C{atEnd}), else
        C{False}.  A wait that their callbacks start is left for the next
        end.
        """
        enders = self._enders
        if enders:
            self._enders = []
            for ender in enders:
                ender()

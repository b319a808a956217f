# -*- test-case-name: tests.test_testing -*-
"""
Helpers for testing code that uses qtwisted, under C{trial}.

  - L{SignalSpy} records a signal's emissions, like Qt's C{QSignalSpy}, and
    can wait for the next one.
  - L{nextEmission} is a L{Deferred} for the next emission of a signal.
  - L{connectLoopback} opens a plain Twisted TCP client (not a qtwisted
    socket, so it is an independent peer) to a server on the loopback
    interface and records what it receives.
  - L{ClockedReactor} combines a real reactor's I/O with a
    L{twisted.internet.task.Clock}, so timeouts of real-socket tests run
    without sleeping.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVarTuple, Unpack

from twisted.internet import protocol
from twisted.internet.defer import Deferred, succeed
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP6ClientEndpoint
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.task import Clock
from twisted.python.failure import Failure

from ._object import resolveReactor
from ._signal import BoundSignal

__all__ = [
    "SignalSpy",
    "nextEmission",
    "LoopbackClient",
    "connectLoopback",
    "ClockedReactor",
]

Ts = TypeVarTuple("Ts")


def nextEmission(
    signal: BoundSignal[Unpack[Ts]], timeout: float | None = None, clock: Any = None
) -> Deferred[tuple[Unpack[Ts]]]:
    """
    A L{Deferred} firing with the arguments of C{signal}'s next emission.

    @param timeout: seconds to wait at most (fails with
        L{twisted.internet.defer.TimeoutError}); L{None} waits forever.
    @param clock: the clock for the timeout; by default the signal owner's
        reactor.
    """
    return signal.nextEmission(timeout, clock)


class SignalSpy(Generic[Unpack[Ts]]):
    """
    Records every emission of a signal; mirrors Qt's C{QSignalSpy}.

    The recorded argument tuples are in L{emissions}; C{len(spy)} counts
    them, C{spy[i]} reads one.
    """

    def __init__(self, signal: BoundSignal[Unpack[Ts]]) -> None:
        """
        @param signal: a bound signal, e.g. C{server.newConnection}.
        @raise TypeError: if C{signal} is not a bound signal.
        """
        if not isinstance(signal, BoundSignal):
            raise TypeError(f"SignalSpy needs a bound signal, not {signal!r}")
        self.signal = signal
        self.emissions: list[tuple[Unpack[Ts]]] = []
        self._waiters: list[Deferred[bool]] = []
        signal.connect(self._record)

    def _record(self, *args: Unpack[Ts]) -> None:
        self.emissions.append(args)
        waiters, self._waiters = self._waiters, []
        for d in waiters:
            if not d.called:
                d.callback(True)

    def __len__(self) -> int:
        return len(self.emissions)

    def __getitem__(self, index: int) -> tuple[Unpack[Ts]]:
        return self.emissions[index]

    def count(self) -> int:
        """
        The number of emissions recorded; C{QSignalSpy::count}.
        """
        return len(self.emissions)

    def takeFirst(self) -> tuple[Unpack[Ts]]:
        """
        Remove and return the oldest recorded emission.

        @raise IndexError: if nothing was recorded.
        """
        return self.emissions.pop(0)

    def clear(self) -> None:
        """
        Forget the recorded emissions.
        """
        self.emissions.clear()

    def wait(self, timeout: float = 5.0, clock: Any = None) -> Deferred[bool]:
        """
        Wait for one more emission; mirrors C{QSignalSpy::wait}.

        @param timeout: seconds to wait at most.
        @param clock: the clock for the timeout (default: the global reactor).
        @return: a Deferred firing C{True} on the next emission, or C{False}
            after C{timeout}.
        """
        d: Deferred[bool] = Deferred()
        self._waiters.append(d)
        clock = resolveReactor(clock)
        call: IDelayedCall = clock.callLater(timeout, self._expire, d)

        def cancelTimer(result: bool) -> bool:
            if call.active():
                call.cancel()
            return result

        d.addBoth(cancelTimer)
        return d

    def _expire(self, d: Deferred[bool]) -> None:
        if d in self._waiters:
            self._waiters.remove(d)
        if not d.called:
            d.callback(False)

    def disconnect(self) -> None:
        """
        Stop recording.
        """
        self.signal.disconnect(self._record)


class LoopbackClient(protocol.Protocol):
    """
    A plain Twisted TCP client that records what it receives.

    @ivar received: every byte received so far.
    @ivar lost: fires with the reason when the connection ends.
    """

    def __init__(self) -> None:
        self.received = bytearray()
        self.lost: Deferred[Failure] = Deferred()
        self._waiting: list[tuple[int, Deferred[bytes]]] = []

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        self._check()

    def _check(self) -> None:
        still = []
        for n, d in self._waiting:
            if len(self.received) >= n:
                d.callback(bytes(self.received))
            else:
                still.append((n, d))
        self._waiting = still

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        waiting, self._waiting = self._waiting, []
        for n, d in waiting:
            d.callback(bytes(self.received))
        self.lost.callback(reason)

    def write(self, data: bytes) -> None:
        """
        Send C{data} to the server.
        """
        assert self.transport is not None
        self.transport.write(data)

    def receiveAtLeast(self, count: int) -> Deferred[bytes]:
        """
        A Deferred firing with everything received once at least C{count}
        bytes have arrived (or the connection ended).
        """
        if len(self.received) >= count or self.transport is None:
            return succeed(bytes(self.received))
        d: Deferred[bytes] = Deferred()
        self._waiting.append((count, d))
        return d

    def close(self) -> Deferred[Failure]:
        """
        Close the connection; returns L{lost}.
        """
        if self.transport is not None:
            self.transport.loseConnection()
        return self.lost

    def abort(self) -> Deferred[Failure]:
        """
        Reset the connection; returns L{lost}.
        """
        if self.transport is not None:
            self.transport.abortConnection()  # type: ignore[attr-defined]
        return self.lost


def connectLoopback(port: int, host: str = "127.0.0.1", reactor: Any = None) -> Deferred[LoopbackClient]:
    """
    Connect a L{LoopbackClient} to C{host}:C{port} (a loopback address).

    @raise ValueError: for a host that is not a loopback address.
    """
    from ._hostaddress import QHostAddress

    if not QHostAddress(host).isLoopback():
        raise ValueError(f"connectLoopback() connects to loopback only, not {host!r}")
    reactor = resolveReactor(reactor)
    endpoint = (
        TCP6ClientEndpoint(reactor, host, port)
        if ":" in host
        else TCP4ClientEndpoint(reactor, host, port)
    )
    return endpoint.connect(protocol.Factory.forProtocol(LoopbackClient))  # type: ignore[return-value]


class ClockedReactor:
    """
    A reactor whose I/O is real and whose time is a L{Clock}.

    Give it to a qtwisted object as C{reactor=} to test timeouts over real
    sockets without sleeping: advance C{clock} to fire the timers.
    """

    def __init__(self, clock: Clock | None = None, reactor: Any = None) -> None:
        self.clock = clock if clock is not None else Clock()
        self._real = resolveReactor(reactor)

    def callLater(self, delay: float, f: Any, *args: Any, **kw: Any) -> IDelayedCall:
        """
        Schedule on the fake clock; zero-delay calls, which Twisted's
        transports use for their own bookkeeping (closing an aborted
        connection), run on the real reactor.
        """
        if delay <= 0:
            return self._real.callLater(delay, f, *args, **kw)  # type: ignore[no-any-return]
        return self.clock.callLater(delay, f, *args, **kw)

    def seconds(self) -> float:
        """
        The fake clock's time.
        """
        return self.clock.seconds()

    def getDelayedCalls(self) -> list[IDelayedCall]:
        """
        The fake clock's pending calls.
        """
        return self.clock.getDelayedCalls()  # type: ignore[return-value]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

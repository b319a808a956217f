# -*- test-case-name: tests.test_testing -*-
"""
Helpers for testing code that uses qtwisted, under C{trial}.

  - L{SignalSpy} records a signal's emissions, like Qt's C{QSignalSpy}, and
    can wait for the next one.
  - L{nextEmission} is a C{Deferred} for the next emission of a signal.
  - L{connectLoopback} opens a plain Twisted TCP client (not a qtwisted
    socket, so it is an independent peer) to a server on the loopback
    interface and records what it receives.
  - L{ClockedReactor} combines a real reactor's I/O with a
    C{twisted.internet.task.Clock}, so timeouts of real-socket tests run
    without sleeping.

A test of your own slot might read::

    from twisted.trial.unittest import TestCase
    from qtwisted import QHostAddress, QTcpServer
    from qtwisted.testing import connectLoopback

    class GreeterTests(TestCase):
        async def test_greets(self) -> None:
            server = QTcpServer()
            self.addCleanup(server.close)
            installGreeter(server)            # the code under test
            server.listen(QHostAddress.LocalHost, 0)
            client = await connectLoopback(server.serverPort())
            self.addCleanup(client.abort)
            self.assertEqual(await client.receiveAtLeast(6), b"hello\\n")
"""

from __future__ import annotations

from typing import Any, Generic, Iterator, TypeVarTuple, Unpack

from twisted.internet import error, protocol
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
    A C{Deferred} firing with the arguments of C{signal}'s next emission;
    the same as C{signal.nextEmission(timeout, clock)}.

    @param signal: a bound signal, e.g. C{server.newConnection}.
    @param timeout: seconds to wait at most (then the Deferred fails with
        C{twisted.internet.defer.TimeoutError}); C{None} waits forever.
    @param clock: the clock for the timeout; by default the reactor of the
        object that owns the signal.
    @return: a Deferred firing with the emission's arguments as a tuple.
    """
    return signal.nextEmission(timeout, clock)


class SignalSpy(Generic[Unpack[Ts]]):
    """
    Records every emission of a signal; mirrors Qt's C{QSignalSpy}.

    The spy is a list of the recorded argument tuples, oldest first, as a
    C{QSignalSpy} is a C{QList<QList<QVariant>>}: C{len(spy)} and
    L{count} count them, C{spy[i]} reads one, L{takeFirst} removes one.

    @ivar signal: the signal spied on.
    @ivar emissions: the recorded argument tuples, oldest first.
    """

    def __init__(self, signal: BoundSignal[Unpack[Ts]]) -> None:
        """
        Start recording C{signal}.

        @param signal: a bound signal, e.g. C{server.newConnection}.
        @raise TypeError: if C{signal} is not a bound signal (for instance
            the class attribute C{QTcpServer.newConnection}).
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

    def __iter__(self) -> Iterator[tuple[Unpack[Ts]]]:
        return iter(self.emissions)

    def __repr__(self) -> str:
        return f"<SignalSpy on {self.signal._name}: {len(self.emissions)} emission(s)>"

    def isValid(self) -> bool:
        """
        Always C{True}: a spy is made from a bound signal or not at all;
        mirrors C{QSignalSpy::isValid}.
        """
        return True

    def count(self) -> int:
        """
        The number of emissions recorded; mirrors C{QSignalSpy::count}.
        """
        return len(self.emissions)

    def takeFirst(self) -> tuple[Unpack[Ts]]:
        """
        Remove and return the oldest recorded emission's arguments.

        @raise IndexError: if nothing was recorded.
        """
        return self.emissions.pop(0)

    def takeLast(self) -> tuple[Unpack[Ts]]:
        """
        Remove and return the newest recorded emission's arguments.

        @raise IndexError: if nothing was recorded.
        """
        return self.emissions.pop()

    def clear(self) -> None:
        """
        Forget the recorded emissions.
        """
        self.emissions.clear()

    def wait(self, timeout: int = 5000, clock: Any = None) -> Deferred[bool]:
        """
        Wait for one more emission; mirrors C{QSignalSpy::wait}, which
        blocks in a local event loop where this returns a C{Deferred}.

        @param timeout: milliseconds to wait at most, as in Qt (default
            5000).
        @param clock: the clock for the timeout; by default the reactor of
            the object that owns the signal.
        @return: a Deferred firing C{True} on the next emission (recorded
            by then), or C{False} after C{timeout}.  Cancelling it stops the
            wait.
        """
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be milliseconds as an int, not {timeout!r}")
        clock = self.signal._clock() if clock is None else clock
        call: list[IDelayedCall] = []

        def cancel(d: Deferred[bool]) -> None:
            self._forget(d)

        d: Deferred[bool] = Deferred(cancel)
        self._waiters.append(d)

        def expire() -> None:
            call.clear()
            self._forget(d)
            if not d.called:
                d.callback(False)

        def stopTimer(result: object) -> object:
            if call and call[0].active():
                call[0].cancel()
            return result

        call.append(clock.callLater(max(timeout, 0) / 1000.0, expire))
        d.addBoth(stopTimer)
        return d

    def _forget(self, d: Deferred[bool]) -> None:
        if d in self._waiters:
            self._waiters.remove(d)

    def disconnect(self) -> None:
        """
        Stop recording.
        """
        self.signal.disconnect(self._record)


class LoopbackClient(protocol.Protocol):
    """
    A plain Twisted TCP client that records what it receives.

    @ivar received: every byte received so far.
    @ivar lost: fires, when the connection has ended, with the exception
        that tells how (C{ConnectionDone} for a clean close,
        C{ConnectionLost} for a reset) as its result, not as a failure.
    """

    def __init__(self) -> None:
        self.received = bytearray()
        self.lost: Deferred[BaseException] = Deferred()
        self._ended = False
        self._waiting: list[tuple[int, Deferred[bytes]]] = []

    def dataReceived(self, data: bytes) -> None:
        """
        Record C{data}.
        """
        self.received += data
        self._check()

    def _check(self) -> None:
        still = []
        ready = []
        for n, d in self._waiting:
            if len(self.received) >= n:
                ready.append(d)
            else:
                still.append((n, d))
        self._waiting = still
        for d in ready:
            d.callback(bytes(self.received))

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        """
        Fire the pending waits with what was received, then L{lost}.
        """
        self._ended = True
        waiting, self._waiting = self._waiting, []
        for n, d in waiting:
            d.callback(bytes(self.received))
        why = reason.value
        self.lost.callback(why if why is not None else error.ConnectionDone())

    def write(self, data: bytes) -> None:
        """
        Send C{data} to the server.
        """
        assert self.transport is not None
        self.transport.write(data)

    def receiveAtLeast(self, count: int) -> Deferred[bytes]:
        """
        A Deferred firing with everything received so far once at least
        C{count} bytes have arrived in total, or the connection has ended.
        """
        if len(self.received) >= count or self._ended:
            return succeed(bytes(self.received))
        d: Deferred[bytes] = Deferred()
        self._waiting.append((count, d))
        return d

    def close(self) -> Deferred[BaseException]:
        """
        Close the connection once written data is sent; returns L{lost}.
        """
        if self.transport is not None and not self._ended:
            self.transport.loseConnection()
        return self.lost

    def abort(self) -> Deferred[BaseException]:
        """
        Reset the connection at once; returns L{lost}.
        """
        if self.transport is not None and not self._ended:
            self.transport.abortConnection()  # type: ignore[attr-defined]
        return self.lost


def connectLoopback(
    port: int, host: str = "127.0.0.1", reactor: Any = None
) -> Deferred[LoopbackClient]:
    """
    Connect a L{LoopbackClient} to C{host}:C{port}.

    @param port: the server's port, e.g. C{server.serverPort()}.
    @param host: a loopback address (C{"127.0.0.1"}, C{"::1"}, ...); host
        names are refused, so a test never reaches beyond the machine.
    @param reactor: the reactor to connect with; the global one by default.
    @return: a Deferred firing with the connected client, or failing with
        Twisted's connection error (C{ConnectionRefusedError}, ...).
    @raise ValueError: for a host that is not a loopback address.
    """
    from ._hostaddress import QHostAddress

    if not isinstance(host, str) or not QHostAddress(host).isLoopback():
        raise ValueError(f"connectLoopback() connects to loopback addresses only, not {host!r}")
    reactor = resolveReactor(reactor)
    endpoint = (
        TCP6ClientEndpoint(reactor, host, port)
        if ":" in host
        else TCP4ClientEndpoint(reactor, host, port)
    )
    return endpoint.connect(protocol.Factory.forProtocol(LoopbackClient))  # type: ignore[return-value]


class ClockedReactor:
    """
    A reactor whose I/O is real and whose time is a C{Clock}.

    Give it to a qtwisted object as C{reactor=} to test timeouts over real
    sockets without sleeping: advance L{clock} to fire the timers.  Every
    attribute other than the time methods is the real reactor's.

    @ivar clock: the fake time; C{clock.advance(seconds)} fires what is due.
    """

    def __init__(self, clock: Clock | None = None, reactor: Any = None) -> None:
        """
        @param clock: the fake clock to use; a new one by default.
        @param reactor: the real reactor; the global one by default.
        """
        self.clock = clock if clock is not None else Clock()
        self._real = resolveReactor(reactor)

    def callLater(self, delay: float, f: Any, *args: Any, **kw: Any) -> IDelayedCall:
        """
        Schedule on the fake clock.  Zero-delay calls, which Twisted's
        transports use for their own bookkeeping (closing an aborted
        connection), and C{deleteLater()} run on the real reactor's next
        turn instead.
        """
        if delay <= 0:
            return self._real.callLater(0, f, *args, **kw)  # type: ignore[no-any-return]
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

"""
Tests for L{qtwisted.testing}, the helpers users test their own slots with.
"""

from __future__ import annotations

from typing import Any

from twisted.internet import error, reactor
from twisted.internet.defer import CancelledError, Deferred, TimeoutError
from twisted.internet.task import Clock, deferLater
from twisted.trial.unittest import SynchronousTestCase, TestCase

from qtwisted import QHostAddress, QTcpServer, QTcpSocket, Signal
from qtwisted.testing import (
    ClockedReactor,
    LoopbackClient,
    SignalSpy,
    connectLoopback,
    nextEmission,
)


class Emitter:
    """
    Something with signals, and a reactor for their timeouts.
    """

    ping: Signal[int, str] = Signal()
    done: Signal[()] = Signal()

    def __init__(self, reactor: Any = None) -> None:
        self._reactor = reactor


def echoServer(testCase: TestCase, reactor: Any = None) -> QTcpServer:
    """
    A QTcpServer on 127.0.0.1 that echoes every connection, closed after
    the test.
    """
    server = QTcpServer(reactor=reactor)
    testCase.addCleanup(server.close)

    def onNewConnection() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            wire(sock)

    def wire(sock: QTcpSocket) -> None:
        sock.readyRead.connect(lambda: sock.write(sock.readAll()))

    server.newConnection.connect(onNewConnection)
    testCase.assertTrue(server.listen(QHostAddress.LocalHost, 0))
    return server


class NextEmissionTests(SynchronousTestCase):
    """
    L{nextEmission} is the signal's own C{nextEmission}.
    """

    def test_fires(self) -> None:
        """
        It fires with the next emission's arguments.
        """
        e = Emitter()
        d = nextEmission(e.ping)
        e.ping.emit(1, "one")
        self.assertEqual(self.successResultOf(d), (1, "one"))

    def test_timeout(self) -> None:
        """
        With a timeout and a clock, it fails with C{TimeoutError}.
        """
        e, clock = Emitter(), Clock()
        d = nextEmission(e.done, timeout=3, clock=clock)
        clock.advance(3)
        self.failureResultOf(d, TimeoutError)
        self.assertFalse(e.done.isConnected())


class SignalSpyTests(SynchronousTestCase):
    """
    L{SignalSpy} behaves like Qt's C{QSignalSpy}.
    """

    def test_records(self) -> None:
        """
        Each emission's arguments are recorded, oldest first, readable
        by index and by iteration.
        """
        e = Emitter()
        spy = SignalSpy(e.ping)
        self.assertEqual(spy.count(), 0)
        e.ping.emit(1, "a")
        e.ping.emit(2, "b")
        self.assertEqual(spy.count(), 2)
        self.assertEqual(len(spy), 2)
        self.assertEqual(spy[0], (1, "a"))
        self.assertEqual(spy[-1], (2, "b"))
        self.assertEqual(list(spy), [(1, "a"), (2, "b")])
        self.assertTrue(spy.isValid())
        self.assertEqual(repr(spy), "<SignalSpy on Emitter.ping: 2 emission(s)>")

    def test_takeFirstAndLast(self) -> None:
        """
        C{takeFirst()} and C{takeLast()} remove and return an emission;
        on an empty spy they raise C{IndexError}.
        """
        e = Emitter()
        spy = SignalSpy(e.ping)
        for n in range(3):
            e.ping.emit(n, str(n))
        self.assertEqual(spy.takeFirst(), (0, "0"))
        self.assertEqual(spy.takeLast(), (2, "2"))
        self.assertEqual(spy.count(), 1)
        spy.clear()
        self.assertRaises(IndexError, spy.takeFirst)
        self.assertRaises(IndexError, spy.takeLast)

    def test_noArguments(self) -> None:
        """
        A signal without arguments records empty tuples.
        """
        e = Emitter()
        spy = SignalSpy(e.done)
        e.done.emit()
        self.assertEqual(spy.emissions, [()])

    def test_disconnect(self) -> None:
        """
        After C{disconnect()} nothing more is recorded.
        """
        e = Emitter()
        spy = SignalSpy(e.done)
        spy.disconnect()
        e.done.emit()
        self.assertEqual(spy.count(), 0)
        self.assertFalse(e.done.isConnected())

    def test_needsBoundSignal(self) -> None:
        """
        A class-level declaration is not a signal one can spy on:
        C{TypeError} naming it.
        """
        exc = self.assertRaises(TypeError, SignalSpy, Emitter.done)
        self.assertIn("Emitter.done", str(exc))

    def test_waitTrue(self) -> None:
        """
        C{wait()} fires C{True} on the next emission, which is recorded by
        then, and stops its timer.
        """
        e, clock = Emitter(), Clock()
        spy = SignalSpy(e.ping)
        d = spy.wait(1000, clock=clock)
        self.assertNoResult(d)
        e.ping.emit(5, "five")
        self.assertIs(self.successResultOf(d), True)
        self.assertEqual(spy.count(), 1)
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_waitFalse(self) -> None:
        """
        C{wait(ms)} fires C{False} after C{ms} milliseconds without an
        emission, like Qt's.
        """
        e, clock = Emitter(), Clock()
        spy = SignalSpy(e.ping)
        d = spy.wait(250, clock=clock)
        clock.advance(0.249)
        self.assertNoResult(d)
        clock.advance(0.001)
        self.assertIs(self.successResultOf(d), False)
        e.ping.emit(1, "late")
        self.assertEqual(spy.count(), 1)

    def test_waitDefault(self) -> None:
        """
        The default timeout is Qt's 5000 ms, on the signal owner's reactor.
        """
        clock = Clock()
        e = Emitter(reactor=clock)
        d = SignalSpy(e.done).wait()
        clock.advance(4.999)
        self.assertNoResult(d)
        clock.advance(0.001)
        self.assertIs(self.successResultOf(d), False)

    def test_waitOnlyNewEmissions(self) -> None:
        """
        Emissions recorded before C{wait()} do not count.
        """
        e, clock = Emitter(), Clock()
        spy = SignalSpy(e.done)
        e.done.emit()
        d = spy.wait(10, clock=clock)
        self.assertNoResult(d)
        clock.advance(0.01)
        self.assertIs(self.successResultOf(d), False)

    def test_waitCancel(self) -> None:
        """
        Cancelling a wait stops its timer; a later emission is recorded as
        usual.
        """
        e, clock = Emitter(), Clock()
        spy = SignalSpy(e.done)
        d = spy.wait(1000, clock=clock)
        d.cancel()
        self.failureResultOf(d, CancelledError)
        self.assertEqual(clock.getDelayedCalls(), [])
        e.done.emit()
        self.assertEqual(spy.count(), 1)

    def test_waitType(self) -> None:
        """
        A timeout that is not a number raises C{TypeError}.
        """
        spy = SignalSpy(Emitter().done)
        self.assertRaises(TypeError, spy.wait, "5000")


class ConnectLoopbackRefusalTests(SynchronousTestCase):
    """
    L{connectLoopback} refuses to leave the machine.
    """

    def test_nonLoopbackAddress(self) -> None:
        """
        A non-loopback address raises C{ValueError} naming it.
        """
        for host in ("10.0.0.1", "192.0.2.1", "::2", "0.0.0.0"):
            exc = self.assertRaises(ValueError, connectLoopback, 80, host)
            self.assertIn(repr(host), str(exc))

    def test_hostName(self) -> None:
        """
        A host name, even C{localhost}, raises C{ValueError}: only
        addresses are certain to stay local.
        """
        for host in ("localhost", "example.com", ""):
            self.assertRaises(ValueError, connectLoopback, 80, host)


class ConnectLoopbackTests(TestCase):
    """
    L{connectLoopback} over real sockets.
    """

    async def test_echo(self) -> None:
        """
        The client connects to a real QTcpServer on 127.0.0.1 and receives
        the server's echo.
        """
        server = echoServer(self)
        client = await connectLoopback(server.serverPort())
        self.addCleanup(client.abort)
        self.assertIsInstance(client, LoopbackClient)
        client.write(b"ping\n")
        self.assertEqual(await client.receiveAtLeast(5), b"ping\n")
        client.write(b"pong\n")
        self.assertEqual(await client.receiveAtLeast(10), b"ping\npong\n")

    async def test_otherLoopbackAddress(self) -> None:
        """
        The whole 127.0.0.0/8 block is loopback.
        """
        server = QTcpServer()
        self.addCleanup(server.close)
        self.assertTrue(server.listen(QHostAddress.AnyIPv4, 0))
        client = await connectLoopback(server.serverPort(), "127.0.0.2")
        self.addCleanup(client.abort)

    async def test_lostOnServerClose(self) -> None:
        """
        When the server side disconnects, L{LoopbackClient.lost} fires with
        C{ConnectionDone} as a result, and waits for more data fire with
        what arrived.
        """
        server = QTcpServer()
        self.addCleanup(server.close)
        self.assertTrue(server.listen(QHostAddress.LocalHost, 0))
        arrived = server.newConnection.nextEmission(timeout=5)
        client = await connectLoopback(server.serverPort())
        await arrived
        sock = server.nextPendingConnection()
        assert sock is not None
        waiting = client.receiveAtLeast(100)
        sock.write(b"bye")
        sock.disconnectFromHost()
        self.assertEqual(await waiting, b"bye")
        reason = await client.lost
        self.assertIsInstance(reason, error.ConnectionDone)
        self.assertEqual(await client.receiveAtLeast(100), b"bye")

    async def test_closeReturnsLost(self) -> None:
        """
        C{close()} returns L{LoopbackClient.lost}; the server's socket sees
        the disconnection.
        """
        server = QTcpServer()
        self.addCleanup(server.close)
        self.assertTrue(server.listen(QHostAddress.LocalHost, 0))
        arrived = server.newConnection.nextEmission(timeout=5)
        client = await connectLoopback(server.serverPort())
        await arrived
        sock = server.nextPendingConnection()
        assert sock is not None
        gone = sock.disconnected.nextEmission(timeout=5)
        self.assertIs(client.close(), client.lost)
        await client.lost
        await gone

    async def test_refused(self) -> None:
        """
        Connecting to a port nobody listens on fails with Twisted's
        C{ConnectionRefusedError}.
        """
        server = QTcpServer()
        self.assertTrue(server.listen(QHostAddress.LocalHost, 0))
        port = server.serverPort()
        server.close()
        with self.assertRaises(error.ConnectionRefusedError):
            await connectLoopback(port)


class ClockedReactorTests(TestCase):
    """
    L{ClockedReactor}: real I/O, fake time.
    """

    def test_timeIsFake(self) -> None:
        """
        C{seconds()}, C{callLater()} with a delay and C{getDelayedCalls()}
        are the clock's.
        """
        clock = Clock()
        clocked = ClockedReactor(clock)
        self.assertIs(clocked.clock, clock)
        calls: list[int] = []
        clocked.callLater(10, calls.append, 1)
        self.assertEqual(len(clocked.getDelayedCalls()), 1)
        clock.advance(10)
        self.assertEqual(calls, [1])
        self.assertEqual(clocked.seconds(), 10)

    async def test_zeroDelayOnRealReactor(self) -> None:
        """
        A zero-delay call goes to the real reactor and runs on its next
        turn, without advancing the clock.
        """
        clocked = ClockedReactor()
        ran: Deferred[str] = Deferred()
        clocked.callLater(0, ran.callback, "real")
        self.assertEqual(clocked.getDelayedCalls(), [])
        self.assertEqual(await ran, "real")

    def test_otherAttributesAreReal(self) -> None:
        """
        Everything else is the real reactor's.
        """
        clocked = ClockedReactor()
        self.assertEqual(clocked.listenTCP, reactor.listenTCP)  # type: ignore[attr-defined]

    async def test_realIoFakeTimeout(self) -> None:
        """
        A server on a clocked reactor accepts real connections, while its
        timeouts wait for the clock: C{waitForNewConnection(1000)} times out
        only when the clock is advanced.
        """
        clocked = ClockedReactor()
        server = echoServer(self, reactor=clocked)
        waiting = server.waitForNewConnection(1000)
        await deferLater(reactor, 0.05, lambda: None)
        self.assertNoResult(waiting)
        clocked.clock.advance(1)
        self.assertEqual(self.successResultOf(waiting), (False, True))

        accepted = server.waitForNewConnection(1000)
        client = await connectLoopback(server.serverPort())
        self.addCleanup(client.abort)
        self.assertEqual(await accepted, (True, False))
        client.write(b"echo")
        self.assertEqual(await client.receiveAtLeast(4), b"echo")

"""
Tests for L{qtwisted.QTcpSocket} (L{qtwisted._abstractsocket},
L{qtwisted._transport}, L{qtwisted._tcpsocket}) over real loopback sockets.

Server-side sockets come from a L{QTcpServer} on 127.0.0.1 (or the
dual-stack Any address) with a plain Twisted client as the peer
(L{qtwisted.testing.connectLoopback}); client sockets use C{connectToHost}.
The timeouts under test run on L{qtwisted.testing.ClockedReactor}, so no
test waits one out.  "Facts" below are the sections of the observed Qt 6.12 semantics
(QT_FACTS: section 3 initial state, 4 peer close, 5 local close, 6 write and
read on closed sockets, 7 QIODevice reading, 8 setReadBufferSize, 9
connectToHost, 10 waitFor, 11 addresses); B numbers are QT_BEHAVIORS.md.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import socket
import struct
import threading
import time
from typing import Any, Callable

from twisted.internet import abstract, reactor, tcp
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.error import ConnectionDone
from twisted.internet.protocol import Protocol
from twisted.internet.task import deferLater
from twisted.internet.testing import MemoryReactor
from twisted.logger import LogLevel, formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase, TestCase

from qtwisted import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
from qtwisted import _transport
from qtwisted.testing import ClockedReactor, LoopbackClient, connectLoopback

State = QAbstractSocket.SocketState
Error = QAbstractSocket.SocketError
Special = QHostAddress.SpecialAddress

_SIGNALS = (
    "readyRead",
    "bytesWritten",
    "readChannelFinished",
    "aboutToClose",
    "hostFound",
    "connected",
    "disconnected",
    "stateChanged",
    "errorOccurred",
)

# Event tuples as the recorder writes them.
READY_READ = ("readyRead",)
ABOUT_TO_CLOSE = ("aboutToClose",)
READ_FINISHED = ("readChannelFinished",)
DISCONNECTED = ("disconnected",)
CONNECTED = ("connected",)
HOST_FOUND = ("hostFound",)
LOOKUP = ("stateChanged", State.HostLookupState)
CONNECTING = ("stateChanged", State.ConnectingState)
CONNECTED_STATE = ("stateChanged", State.ConnectedState)
CLOSING = ("stateChanged", State.ClosingState)
UNCONNECTED = ("stateChanged", State.UnconnectedState)


def _error(code: Error) -> tuple[str, Error]:
    return ("errorOccurred", code)


class _Recorder:
    """
    Records the emissions of a socket's signals in one list, in order.
    """

    def __init__(self, qsocket: QAbstractSocket, exclude: tuple[str, ...] = ()) -> None:
        self.events: list[tuple[Any, ...]] = []
        for name in _SIGNALS:
            if name not in exclude:
                getattr(qsocket, name).connect(functools.partial(self._record, name))

    def _record(self, name: str, *args: Any) -> None:
        self.events.append((name, *args))

    def without(self, *names: str) -> list[tuple[Any, ...]]:
        """
        The events, leaving out the named signals.
        """
        return [e for e in self.events if e[0] not in names]

    def count(self, name: str) -> int:
        return sum(1 for e in self.events if e[0] == name)


def _captureWarnings(case: SynchronousTestCase) -> list[str]:
    """
    Collect the text of every warning qtwisted logs during the test.
    """
    messages: list[str] = []

    def observer(event: dict[str, Any]) -> None:
        if event.get("log_level") == LogLevel.warn and str(
            event.get("log_namespace", "")
        ).startswith("qtwisted"):
            messages.append(formatEvent(event))

    globalLogPublisher.addObserver(observer)
    case.addCleanup(globalLogPublisher.removeObserver, observer)
    return messages


def _turn(result: Any = None, seconds: float = 0) -> Deferred[Any]:
    """
    Let the reactor run (one turn, or C{seconds}), then fire with C{result}.
    """
    return deferLater(reactor, seconds, lambda: result)


def _next(signal: Any, timeout: float = 5.0) -> Deferred[Any]:
    """
    The next emission of C{signal}, delivered on the following reactor turn
    so the test resumes after the emitter has finished its work.
    """
    d = signal.nextEmission(timeout, reactor)
    d.addCallback(lambda args: _turn(args))
    return d


def _until(check: Callable[[], bool], timeout: float = 5.0) -> Deferred[None]:
    """
    Poll C{check} on the real reactor until it is true (fails after
    C{timeout} seconds).
    """
    deadline = time.monotonic() + timeout

    @inlineCallbacks
    def poll() -> Any:
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not reached in {timeout} s")
            yield _turn(seconds=0.005)

    return poll()


def _freePort() -> int:
    """
    A loopback port with nothing listening on it.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _available(family: int, host: str) -> bool:
    try:
        with socket.socket(family) as s:
            s.bind((host, 0))
    except OSError:
        return False
    return True


_HAS_IPV6 = _available(socket.AF_INET6, "::1")


def _realOption(qsocket: QAbstractSocket, level: int, name: int) -> int:
    """
    Read a socket option straight from the descriptor.
    """
    dup = socket.socket(fileno=os.dup(qsocket.socketDescriptor()))
    try:
        return dup.getsockopt(level, name)
    finally:
        dup.close()


class _LoopbackCase(TestCase):
    """
    Real loopback connections, cleaned up after each test.
    """

    timeout = 15

    def listen(
        self, address: Special = Special.LocalHost, clock: Any = None
    ) -> QTcpServer:
        server = QTcpServer(reactor=clock)
        self.assertTrue(server.listen(QHostAddress(address), 0), server.errorString())
        self.addCleanup(server.close)
        return server

    def track(self, qsocket: QAbstractSocket) -> QAbstractSocket:
        """
        Abort C{qsocket} after the test and let Twisted close its descriptor.
        """

        def cleanup() -> Deferred[Any]:
            qsocket.abort()
            return _turn()

        self.addCleanup(cleanup)
        return qsocket

    @inlineCallbacks
    def serverSocket(
        self, address: Special = Special.LocalHost, clock: Any = None
    ) -> Any:
        """
        A connected server-side socket and its peer, a plain Twisted client.

        @return: a Deferred firing with C{(qsocket, client, server)}.
        """
        server = self.listen(address, clock)
        arrived = _next(server.newConnection)
        client = yield connectLoopback(server.serverPort())
        self.addCleanup(self._closeClient, client)
        yield arrived
        qsocket = server.nextPendingConnection()
        self.assertIsNotNone(qsocket)
        self.track(qsocket)
        return qsocket, client, server

    @staticmethod
    def _closeClient(client: LoopbackClient) -> Deferred[Any]:
        if client.transport is not None and not client.lost.called:
            client.transport.abortConnection()  # type: ignore[attr-defined]
        return client.lost

    def clientSocket(self, clock: Any = None) -> QTcpSocket:
        return self.track(QTcpSocket(reactor=clock))  # type: ignore[return-value]

    @inlineCallbacks
    def clientPair(self, address: Special = Special.LocalHost) -> Any:
        """
        A connected client L{QTcpSocket}, its server-side socket, the server.
        """
        server = self.listen(address)
        arrived = _next(server.newConnection)
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", server.serverPort())
        yield _next(client.connected)
        yield arrived
        peer = server.nextPendingConnection()
        self.track(peer)
        return client, peer, server

    def receive(self, qsocket: QAbstractSocket, count: int) -> Deferred[None]:
        """
        Fires once C{qsocket} has at least C{count} bytes buffered.
        """
        return _until(lambda: qsocket.bytesAvailable() >= count)


class InitialStateTests(SynchronousTestCase):
    """
    A new socket has Qt's initial state (facts section 3) and answers calls
    on a never-opened device as Qt does (section 6).
    """

    def setUp(self) -> None:
        self.qsocket = QTcpSocket(reactor=MemoryReactor())
        self.warnings = _captureWarnings(self)

    def test_initialState(self) -> None:
        """
        Unconnected, no error ("Unknown error"), unlimited buffer, no
        addresses, descriptor -1, not open, not valid, at end (section 3).
        """
        s = self.qsocket
        self.assertEqual(s.state(), State.UnconnectedState)
        self.assertEqual(s.error(), Error.UnknownSocketError)
        self.assertEqual(s.errorString(), "Unknown error")
        self.assertEqual(s.readBufferSize(), 0)
        self.assertEqual(s.peerPort(), 0)
        self.assertTrue(s.peerAddress().isNull())
        self.assertEqual(s.peerAddress().toString(), "")
        self.assertEqual(s.localPort(), 0)
        self.assertTrue(s.localAddress().isNull())
        self.assertEqual(s.socketDescriptor(), -1)
        self.assertFalse(s.isOpen())
        self.assertFalse(s.isValid())
        self.assertEqual(s.openMode(), QAbstractSocket.NotOpen)
        self.assertEqual(s.peerName(), "")
        self.assertEqual(s.bytesAvailable(), 0)
        self.assertEqual(s.bytesToWrite(), 0)
        self.assertTrue(s.atEnd())
        self.assertTrue(s.isSequential())
        self.assertFalse(s.canReadLine())
        self.assertEqual(s.socketType(), QAbstractSocket.TcpSocket)
        self.assertEqual(self.warnings, [])

    def test_readNotOpen(self) -> None:
        """
        read/readAll/readLine/peek on a never-opened socket return b"" with
        Qt 6.12's warnings; skip returns -1 (section 6).
        """
        s = self.qsocket
        self.assertEqual(s.read(10), b"")
        self.assertEqual(s.readAll(), b"")
        self.assertEqual(s.readLine(), b"")
        self.assertEqual(s.peek(10), b"")
        self.assertEqual(s.skip(10), -1)
        self.assertEqual(
            self.warnings,
            [
                "QIODevice::read (QTcpSocket): device not open",
                "QIODevice::read (QTcpSocket): device not open",
                "QIODevice::readLineInto (QTcpSocket): device not open",
                "QIODevice::peek (QTcpSocket): device not open",
                "QIODevice::skip (QTcpSocket): device not open",
            ],
        )

    def test_writeNotOpen(self) -> None:
        """
        write() on a never-opened socket returns -1 and warns "device not
        open"; errorString is not changed (section 6).
        """
        self.assertEqual(self.qsocket.write(b"data"), -1)
        self.assertEqual(self.warnings, ["QIODevice::write (QTcpSocket): device not open"])
        self.assertEqual(self.qsocket.error(), Error.UnknownSocketError)
        self.assertEqual(self.qsocket.errorString(), "Unknown error")

    def test_writeStrRaises(self) -> None:
        """
        write(str) raises TypeError naming the type (SPEC: bad input).
        """
        exc = self.assertRaises(TypeError, self.qsocket.write, "text")
        self.assertIn("str", str(exc))
        exc = self.assertRaises(TypeError, self.qsocket.write, 42)
        self.assertIn("int", str(exc))

    def test_negativeSizesRaise(self) -> None:
        """
        read(-1), peek(-1), readLine(-1), skip(-1) and a negative read
        buffer size raise ValueError (a deliberate deviation: Qt warns).
        """
        s = self.qsocket
        for call in (s.read, s.peek, s.readLine, s.skip, s.setReadBufferSize):
            self.assertRaises(ValueError, call, -1)
        self.assertEqual(s.readBufferSize(), 0)

    def test_closingNeverConnectedIsNoop(self) -> None:
        """
        disconnectFromHost(), abort() and close() on a never-connected
        socket emit nothing (section 5).
        """
        recorder = _Recorder(self.qsocket)
        self.qsocket.disconnectFromHost()
        self.qsocket.abort()
        self.qsocket.close()
        self.assertEqual(recorder.events, [])
        self.assertEqual(self.qsocket.state(), State.UnconnectedState)

    def test_waitForUnconnected(self) -> None:
        """
        On an unconnected socket every waitFor fires False at once;
        waitForBytesWritten and waitForDisconnected warn, the others do not,
        and no error is set (section 10).
        """
        s = self.qsocket
        self.assertIs(self.successResultOf(s.waitForConnected(100)), False)
        self.assertIs(self.successResultOf(s.waitForReadyRead(100)), False)
        self.assertEqual(self.warnings, [])
        self.assertIs(self.successResultOf(s.waitForBytesWritten(100)), False)
        self.assertIs(self.successResultOf(s.waitForDisconnected(100)), False)
        self.assertEqual(
            self.warnings,
            [
                "QAbstractSocket::waitForBytesWritten() is not allowed in UnconnectedState",
                "QAbstractSocket::waitForDisconnected() is not allowed in UnconnectedState",
            ],
        )
        self.assertEqual(s.error(), Error.UnknownSocketError)
        self.assertEqual(s.errorString(), "Unknown error")

    def test_waitForMsecsMustBeInt(self) -> None:
        """
        A waitFor timeout that is not an int raises TypeError.
        """
        self.assertRaises(TypeError, self.qsocket.waitForReadyRead, 1.5)
        self.assertRaises(TypeError, self.qsocket.waitForConnected, "100")


class ServerSideSocketTests(_LoopbackCase):
    """
    Sockets handed out by L{QTcpServer} (B12, B13, B20).
    """

    @inlineCallbacks
    def test_acceptedSocketState(self) -> Any:
        """
        An accepted socket is Connected, open ReadWrite, valid, has a
        descriptor, peerName "" and the server as parent (B13, facts 12).
        """
        qsocket, client, server = yield self.serverSocket()
        self.assertEqual(qsocket.state(), State.ConnectedState)
        self.assertEqual(qsocket.openMode(), QAbstractSocket.ReadWrite)
        self.assertTrue(qsocket.isOpen())
        self.assertTrue(qsocket.isValid())
        self.assertGreaterEqual(qsocket.socketDescriptor(), 0)
        self.assertEqual(qsocket.peerName(), "")
        self.assertIs(qsocket.parent(), server)
        self.assertEqual(qsocket.error(), Error.UnknownSocketError)

    @inlineCallbacks
    def test_oneSignalOfEachPerConnection(self) -> Any:
        """
        One client gives exactly one pendingConnectionAvailable, then one
        newConnection, with a connection pending in both slots (B12).
        """
        server = self.listen()
        seen: list[tuple[str, bool]] = []
        server.pendingConnectionAvailable.connect(
            lambda: seen.append(("pending", server.hasPendingConnections()))
        )
        server.newConnection.connect(
            lambda: seen.append(("new", server.hasPendingConnections()))
        )
        arrived = _next(server.newConnection)
        client = yield connectLoopback(server.serverPort())
        self.addCleanup(self._closeClient, client)
        yield arrived
        yield _turn(seconds=0.02)
        self.assertEqual(seen, [("pending", True), ("new", True)])
        self.track(server.nextPendingConnection())

    @inlineCallbacks
    def test_closeDropsQueuedKeepsTaken(self) -> Any:
        """
        Closing the server closes connections still queued (their peer sees
        the connection end) and leaves taken ones connected (B20).
        """
        qsocket, taken, server = yield self.serverSocket()
        arrived = _next(server.newConnection)
        queued = yield connectLoopback(server.serverPort())
        self.addCleanup(self._closeClient, queued)
        yield arrived
        self.assertTrue(server.hasPendingConnections())
        server.close()
        yield queued.lost
        self.assertEqual(qsocket.state(), State.ConnectedState)
        taken.write(b"still here")
        yield self.receive(qsocket, 10)
        self.assertEqual(qsocket.readAll(), b"still here")


class ReadTests(_LoopbackCase):
    """
    Reading from a server-side socket (facts section 7).
    """

    @inlineCallbacks
    def setUp(self) -> Any:
        self.qsocket, self.client, self.server = yield self.serverSocket()
        self.warnings = _captureWarnings(self)

    @inlineCallbacks
    def fill(self, data: bytes) -> Any:
        self.client.write(data)
        yield self.receive(self.qsocket, len(data))

    @inlineCallbacks
    def test_readyReadAndBytesAvailable(self) -> Any:
        """
        readyRead is emitted for each new chunk and bytesAvailable
        accumulates what is not read (section 5).
        """
        recorder = _Recorder(self.qsocket)
        yield self.fill(b"abc")
        self.assertEqual(recorder.events, [READY_READ])
        yield self.fill(b"defg")
        self.assertEqual(self.qsocket.bytesAvailable(), 7)
        self.assertEqual(recorder.events, [READY_READ, READY_READ])

    @inlineCallbacks
    def test_read(self) -> Any:
        """
        read(n) returns at most n bytes and removes them; read(0) returns
        b"" (section 7).
        """
        yield self.fill(b"hello world")
        self.assertEqual(self.qsocket.read(0), b"")
        self.assertEqual(self.qsocket.read(5), b"hello")
        self.assertEqual(self.qsocket.bytesAvailable(), 6)
        self.assertEqual(self.qsocket.read(100), b" world")
        self.assertEqual(self.qsocket.read(10), b"")
        self.assertEqual(self.warnings, [])

    @inlineCallbacks
    def test_readAll(self) -> Any:
        """
        readAll() returns everything buffered and empties the buffer.
        """
        yield self.fill(b"x" * 1000)
        self.assertEqual(self.qsocket.readAll(), b"x" * 1000)
        self.assertEqual(self.qsocket.bytesAvailable(), 0)
        self.assertEqual(self.qsocket.readAll(), b"")

    @inlineCallbacks
    def test_readLine(self) -> Any:
        """
        readLine() keeps the newline and a "\\r\\n" as is, a lone "\\r" is
        not a line end, an empty line is b"\\n", and without a newline the
        partial data is returned (section 7).
        """
        yield self.fill(b"one\ntwo\r\nthree\rfour\n\nlast")
        s = self.qsocket
        self.assertEqual(s.readLine(), b"one\n")
        self.assertEqual(s.readLine(), b"two\r\n")
        self.assertEqual(s.readLine(), b"three\rfour\n")
        self.assertEqual(s.readLine(), b"\n")
        self.assertFalse(s.canReadLine())
        self.assertEqual(s.readLine(), b"last")
        self.assertEqual(s.readLine(), b"")

    @inlineCallbacks
    def test_readLineMaxSize(self) -> Any:
        """
        readLine(maxSize) returns at most maxSize - 1 bytes: readLine(3) on
        "world\\n" gives b"wo", readLine(2) one byte (section 7).
        """
        yield self.fill(b"world\nab\n")
        self.assertEqual(self.qsocket.readLine(3), b"wo")
        self.assertEqual(self.qsocket.readLine(2), b"r")
        self.assertEqual(self.qsocket.readLine(100), b"ld\n")
        self.assertEqual(self.qsocket.readLine(4), b"ab\n")

    @inlineCallbacks
    def test_readLineOne(self) -> Any:
        """
        readLine(1) reads nothing and warns "Called with maxSize < 2"
        (section 7).
        """
        yield self.fill(b"abc\n")
        self.assertEqual(self.qsocket.readLine(1), b"")
        self.assertEqual(self.qsocket.bytesAvailable(), 4)
        self.assertEqual(
            self.warnings, ["QIODevice::readLineInto (QTcpSocket): Called with maxSize < 2"]
        )

    @inlineCallbacks
    def test_canReadLine(self) -> Any:
        """
        canReadLine() is True exactly when a newline is buffered.
        """
        self.assertFalse(self.qsocket.canReadLine())
        yield self.fill(b"partial")
        self.assertFalse(self.qsocket.canReadLine())
        yield self.fill(b" line\nrest")
        self.assertTrue(self.qsocket.canReadLine())
        self.qsocket.readLine()
        self.assertFalse(self.qsocket.canReadLine())

    @inlineCallbacks
    def test_peek(self) -> Any:
        """
        peek(n) returns up to n buffered bytes without removing them;
        peek(0) is b"" (section 7).
        """
        yield self.fill(b"peekaboo")
        self.assertEqual(self.qsocket.peek(4), b"peek")
        self.assertEqual(self.qsocket.peek(0), b"")
        self.assertEqual(self.qsocket.peek(100), b"peekaboo")
        self.assertEqual(self.qsocket.bytesAvailable(), 8)
        self.assertEqual(self.qsocket.readAll(), b"peekaboo")

    @inlineCallbacks
    def test_skip(self) -> Any:
        """
        skip(n) discards up to n buffered bytes and returns how many.
        """
        yield self.fill(b"0123456789")
        self.assertEqual(self.qsocket.skip(4), 4)
        self.assertEqual(self.qsocket.read(2), b"45")
        self.assertEqual(self.qsocket.skip(100), 4)
        self.assertEqual(self.qsocket.skip(1), 0)
        self.assertEqual(self.qsocket.bytesAvailable(), 0)

    @inlineCallbacks
    def test_atEnd(self) -> Any:
        """
        atEnd() is True with nothing buffered and False while data waits.
        """
        self.assertTrue(self.qsocket.atEnd())
        yield self.fill(b"z")
        self.assertFalse(self.qsocket.atEnd())
        self.qsocket.read(1)
        self.assertTrue(self.qsocket.atEnd())


class WriteTests(_LoopbackCase):
    """
    Writing on a server-side socket (facts sections 5 and 6).
    """

    @inlineCallbacks
    def setUp(self) -> Any:
        self.qsocket, self.client, self.server = yield self.serverSocket()
        self.warnings = _captureWarnings(self)

    @inlineCallbacks
    def test_writeReturnsCount(self) -> Any:
        """
        write() returns the number of bytes queued, for bytes, bytearray
        and memoryview; the peer receives them in order.
        """
        self.assertEqual(self.qsocket.write(b"abc"), 3)
        self.assertEqual(self.qsocket.write(bytearray(b"de")), 2)
        self.assertEqual(self.qsocket.write(memoryview(b"xfgx")[1:3]), 2)
        received = yield self.client.receiveAtLeast(7)
        self.assertEqual(received, b"abcdefg")

    def test_writeEmpty(self) -> None:
        """
        write(b"") on a connected socket returns 0 (section 6).
        """
        self.assertEqual(self.qsocket.write(b""), 0)
        self.assertEqual(self.qsocket.bytesToWrite(), 0)

    def test_writeStrRaises(self) -> None:
        """
        write(str) raises TypeError naming the type, and queues nothing.
        """
        exc = self.assertRaises(TypeError, self.qsocket.write, "text")
        self.assertIn("str", str(exc))
        self.assertEqual(self.qsocket.bytesToWrite(), 0)

    @inlineCallbacks
    def test_bytesWrittenCoalesced(self) -> Any:
        """
        Several writes in one event-loop iteration give one
        bytesWritten(total), and bytesToWrite drops from the total to 0
        (section 5).
        """
        written: list[int] = []
        self.qsocket.bytesWritten.connect(written.append)
        for _ in range(3):
            self.qsocket.write(b"x" * 100)
        self.assertEqual(self.qsocket.bytesToWrite(), 300)
        yield _next(self.qsocket.bytesWritten)
        self.assertEqual(written, [300])
        self.assertEqual(self.qsocket.bytesToWrite(), 0)
        yield self.client.receiveAtLeast(300)

    @inlineCallbacks
    def test_flush(self) -> Any:
        """
        flush() sends buffered data at once, emitting bytesWritten before it
        returns True; with nothing buffered it returns False.
        """
        written: list[int] = []
        self.qsocket.bytesWritten.connect(written.append)
        self.qsocket.write(b"y" * 1000)
        self.assertTrue(self.qsocket.flush())
        self.assertEqual(written, [1000])
        self.assertEqual(self.qsocket.bytesToWrite(), 0)
        self.assertFalse(self.qsocket.flush())
        received = yield self.client.receiveAtLeast(1000)
        self.assertEqual(received, b"y" * 1000)

    @inlineCallbacks
    def test_flushWhileClosing(self) -> Any:
        """
        flush() in ClosingState sends the rest and completes the close:
        Unconnected and disconnected before it returns, the peer gets all.
        """
        recorder = _Recorder(self.qsocket)
        self.qsocket.write(b"z" * 1000)
        self.qsocket.disconnectFromHost()
        self.assertEqual(self.qsocket.state(), State.ClosingState)
        self.assertTrue(self.qsocket.flush())
        self.assertEqual(self.qsocket.state(), State.UnconnectedState)
        self.assertEqual(
            recorder.events,
            [CLOSING, ("bytesWritten", 1000), UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )
        yield self.client.lost
        self.assertEqual(bytes(self.client.received), b"z" * 1000)

    @inlineCallbacks
    def test_writeAfterPeerClose(self) -> Any:
        """
        write() on a socket whose peer closed (disconnected, still open)
        returns -1 and sets UnknownSocketError "Socket is not connected",
        replacing RemoteHostClosedError, with no signal or warning
        (section 6).
        """
        disconnected = _next(self.qsocket.disconnected)
        self.client.close()
        yield disconnected
        self.assertEqual(self.qsocket.error(), Error.RemoteHostClosedError)
        recorder = _Recorder(self.qsocket)
        self.assertEqual(self.qsocket.write(b"late"), -1)
        self.assertEqual(self.qsocket.error(), Error.UnknownSocketError)
        self.assertEqual(self.qsocket.errorString(), "Socket is not connected")
        self.assertEqual(recorder.events, [])
        self.assertEqual(self.warnings, [])

    def test_writeAfterDisconnectFromHost(self) -> None:
        """
        write() after disconnectFromHost() (still open) returns -1 with
        "Socket is not connected" (section 6).
        """
        self.qsocket.disconnectFromHost()
        self.assertTrue(self.qsocket.isOpen())
        self.assertEqual(self.qsocket.write(b"late"), -1)
        self.assertEqual(self.qsocket.errorString(), "Socket is not connected")
        self.assertEqual(self.warnings, [])

    def test_writeAfterAbort(self) -> None:
        """
        write() after abort() returns -1 with Qt's "device not open"
        warning and leaves errorString alone (section 6).
        """
        self.qsocket.abort()
        self.assertEqual(self.qsocket.write(b"late"), -1)
        self.assertEqual(self.warnings, ["QIODevice::write (QTcpSocket): device not open"])
        self.assertEqual(self.qsocket.errorString(), "Unknown error")

    @inlineCallbacks
    def test_writeWhileClosing(self) -> Any:
        """
        write() in ClosingState is accepted and flushed before the close
        (section 5).
        """
        self.qsocket.write(b"a" * 70000)
        self.qsocket.disconnectFromHost()
        self.assertEqual(self.qsocket.state(), State.ClosingState)
        self.assertEqual(self.qsocket.write(b"tail"), 4)
        yield self.client.lost
        self.assertEqual(bytes(self.client.received), b"a" * 70000 + b"tail")


class PeerCloseTests(_LoopbackCase):
    """
    The peer closes a server-side socket (facts section 4).
    """

    @inlineCallbacks
    def setUp(self) -> Any:
        self.qsocket, self.client, self.server = yield self.serverSocket()
        self.recorder = _Recorder(self.qsocket, exclude=("bytesWritten",))
        self.states: list[State] = []
        self.qsocket.errorOccurred.connect(lambda e: self.states.append(self.qsocket.state()))

    @inlineCallbacks
    def test_orderWithData(self) -> Any:
        """
        Data then close: readyRead, errorOccurred(RemoteHostClosedError)
        while still Connected, Closing, Unconnected, readChannelFinished,
        disconnected.
        """
        disconnected = _next(self.qsocket.disconnected)
        self.client.write(b"last words\n")
        self.client.close()
        yield disconnected
        self.assertEqual(
            self.recorder.events,
            [
                READY_READ,
                _error(Error.RemoteHostClosedError),
                CLOSING,
                UNCONNECTED,
                READ_FINISHED,
                DISCONNECTED,
            ],
        )
        self.assertEqual(self.states, [State.ConnectedState])
        self.assertEqual(self.qsocket.errorString(), "The remote host closed the connection")

    @inlineCallbacks
    def test_stateAfterPeerClose(self) -> Any:
        """
        Afterwards: Unconnected but open (ReadWrite) and valid, descriptor
        -1, addresses and ports cleared, the error kept.
        """
        disconnected = _next(self.qsocket.disconnected)
        self.client.close()
        yield disconnected
        s = self.qsocket
        self.assertEqual(s.state(), State.UnconnectedState)
        self.assertTrue(s.isOpen())
        self.assertTrue(s.isValid())
        self.assertEqual(s.openMode(), QAbstractSocket.ReadWrite)
        self.assertEqual(s.error(), Error.RemoteHostClosedError)
        self.assertEqual(s.socketDescriptor(), -1)
        self.assertEqual(s.peerPort(), 0)
        self.assertEqual(s.peerAddress().toString(), "")
        self.assertEqual(s.localPort(), 0)
        self.assertTrue(s.localAddress().isNull())

    @inlineCallbacks
    def test_bufferedDataReadableAfterClose(self) -> Any:
        """
        Data buffered before the close stays readable: bytesAvailable, peek,
        canReadLine, readLine, readAll; atEnd turns True once drained, and
        reading the empty socket returns b"" without a warning.
        """
        warnings = _captureWarnings(self)
        disconnected = _next(self.qsocket.disconnected)
        self.client.write(b"line\nrest")
        self.client.close()
        yield disconnected
        s = self.qsocket
        self.assertEqual(s.bytesAvailable(), 9)
        self.assertFalse(s.atEnd())
        self.assertEqual(s.peek(4), b"line")
        self.assertTrue(s.canReadLine())
        self.assertEqual(s.readLine(), b"line\n")
        self.assertEqual(s.readAll(), b"rest")
        self.assertTrue(s.atEnd())
        self.assertEqual(s.read(10), b"")
        self.assertEqual(warnings, [])

    @inlineCallbacks
    def test_closeWithoutData(self) -> Any:
        """
        A close without data gives the same sequence without readyRead.
        """
        disconnected = _next(self.qsocket.disconnected)
        self.client.close()
        yield disconnected
        self.assertEqual(
            self.recorder.events,
            [_error(Error.RemoteHostClosedError), CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )

    @inlineCallbacks
    def test_reset(self) -> Any:
        """
        A peer reset (SO_LINGER 0) is RemoteHostClosedError too.
        """
        disconnected = _next(self.qsocket.disconnected)
        handle = self.client.transport.getHandle()  # type: ignore[union-attr]
        handle.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.client.abort()
        yield disconnected
        self.assertEqual(
            self.recorder.events,
            [_error(Error.RemoteHostClosedError), CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )
        self.assertEqual(self.qsocket.errorString(), "The remote host closed the connection")

    @inlineCallbacks
    def test_halfClose(self) -> Any:
        """
        A peer shutdown(SHUT_WR) is treated as a full close: there is no
        half-open state.
        """
        disconnected = _next(self.qsocket.disconnected)
        self.client.transport.loseWriteConnection()  # type: ignore[union-attr]
        yield disconnected
        self.assertEqual(self.qsocket.state(), State.UnconnectedState)
        self.assertEqual(self.recorder.count("disconnected"), 1)
        self.assertEqual(self.qsocket.error(), Error.RemoteHostClosedError)

    @inlineCallbacks
    def test_writeErrorKeepsInput(self) -> Any:
        """
        A write failing after a peer reset (read side paused) reports
        RemoteHostClosedError and disconnects, but the received data stays
        readable (deliberate deviation: Qt aborts and discards it).
        """
        self.qsocket.setReadBufferSize(10)
        self.client.write(b"k" * 30)
        yield self.receive(self.qsocket, 10)
        handle = self.client.transport.getHandle()  # type: ignore[union-attr]
        handle.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        yield self.client.abort()
        disconnected = _next(self.qsocket.disconnected)
        self.assertEqual(self.qsocket.write(b"into the void"), 13)
        yield disconnected
        self.assertEqual(
            self.recorder.events,
            [
                READY_READ,
                _error(Error.RemoteHostClosedError),
                CLOSING,
                UNCONNECTED,
                READ_FINISHED,
                DISCONNECTED,
            ],
        )
        self.assertTrue(self.qsocket.isOpen())
        self.assertEqual(self.qsocket.readAll(), b"k" * 10)

    @inlineCallbacks
    def test_slotDisconnectsDuringError(self) -> Any:
        """
        A slot that calls disconnectFromHost() from errorOccurred does not
        make the socket report the close twice.
        """
        self.qsocket.errorOccurred.connect(lambda e: self.qsocket.disconnectFromHost())
        disconnected = _next(self.qsocket.disconnected)
        self.client.close()
        yield disconnected
        yield _turn(seconds=0.02)
        self.assertEqual(
            self.recorder.events,
            [_error(Error.RemoteHostClosedError), CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )


class LocalCloseTests(_LoopbackCase):
    """
    disconnectFromHost(), abort() and close() (facts section 5).
    """

    @inlineCallbacks
    def setUp(self) -> Any:
        self.qsocket, self.client, self.server = yield self.serverSocket()
        self.recorder = _Recorder(self.qsocket)

    @inlineCallbacks
    def test_disconnectFromHostNothingPending(self) -> Any:
        """
        With nothing to send: Closing, Unconnected, readChannelFinished,
        disconnected, all before the call returns; the device stays open,
        the error unset, and the peer sees the close.
        """
        self.qsocket.disconnectFromHost()
        self.assertEqual(self.recorder.events, [CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED])
        self.assertTrue(self.qsocket.isOpen())
        self.assertEqual(self.qsocket.openMode(), QAbstractSocket.ReadWrite)
        self.assertEqual(self.qsocket.error(), Error.UnknownSocketError)
        yield self.client.lost

    @inlineCallbacks
    def test_disconnectFromHostPending(self) -> Any:
        """
        With 4 MiB pending: Closing at once (fd still open, bytesToWrite >
        0), later bytesWritten until all is sent, then Unconnected,
        readChannelFinished, disconnected; the peer receives everything.
        """
        payload = os.urandom(1024) * 4096
        self.qsocket.write(payload)
        disconnected = _next(self.qsocket.disconnected)
        self.qsocket.disconnectFromHost()
        self.assertEqual(self.recorder.events, [CLOSING])
        self.assertEqual(self.qsocket.state(), State.ClosingState)
        self.assertGreater(self.qsocket.bytesToWrite(), 0)
        self.assertGreaterEqual(self.qsocket.socketDescriptor(), 0)
        yield disconnected
        written = [e[1] for e in self.recorder.events if e[0] == "bytesWritten"]
        self.assertEqual(sum(written), len(payload))
        self.assertEqual(
            self.recorder.without("bytesWritten"),
            [CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )
        self.assertEqual(self.recorder.events[-4][0], "bytesWritten")
        yield self.client.lost
        self.assertEqual(bytes(self.client.received), payload)

    @inlineCallbacks
    def test_disconnectFromHostKeepsInput(self) -> Any:
        """
        Unread input stays readable after disconnectFromHost().
        """
        self.client.write(b"unread")
        yield self.receive(self.qsocket, 6)
        self.qsocket.disconnectFromHost()
        self.assertEqual(self.qsocket.bytesAvailable(), 6)
        self.assertEqual(self.qsocket.readAll(), b"unread")

    @inlineCallbacks
    def test_abort(self) -> Any:
        """
        abort(): aboutToClose, Unconnected, readChannelFinished,
        disconnected (no Closing); input and pending output are discarded
        (the peer gets nothing, then EOF); not open, not valid.
        """
        self.client.write(b"unread")
        yield self.receive(self.qsocket, 6)
        self.recorder.events.clear()
        self.qsocket.write(b"never sent" * 1000)
        self.qsocket.abort()
        self.assertEqual(
            self.recorder.events, [ABOUT_TO_CLOSE, UNCONNECTED, READ_FINISHED, DISCONNECTED]
        )
        self.assertEqual(self.qsocket.bytesAvailable(), 0)
        self.assertFalse(self.qsocket.isOpen())
        self.assertFalse(self.qsocket.isValid())
        self.assertEqual(self.qsocket.openMode(), QAbstractSocket.NotOpen)
        self.assertEqual(self.qsocket.socketDescriptor(), -1)
        reason = yield self.client.lost
        self.assertEqual(bytes(self.client.received), b"")
        # Qt closes the descriptor: the peer reads EOF, not a reset.
        reason = getattr(reason, "value", reason)
        self.assertIsInstance(reason, ConnectionDone)

    @inlineCallbacks
    def test_abortFromReadyRead(self) -> Any:
        """
        abort() from a readyRead slot, inside Twisted's read callback, runs
        its sequence once and the peer reads EOF.
        """
        self.qsocket.readyRead.connect(self.qsocket.abort)
        self.client.write(b"bye")
        reason = yield self.client.lost
        self.assertEqual(
            self.recorder.events,
            [READY_READ, ABOUT_TO_CLOSE, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )
        self.assertIsInstance(getattr(reason, "value", reason), ConnectionDone)

    @inlineCallbacks
    def test_abortFromBytesWritten(self) -> Any:
        """
        abort() from a bytesWritten slot, inside Twisted's write callback,
        drops the rest of the data and closes once.
        """
        self.qsocket.bytesWritten.connect(lambda n: self.qsocket.abort())
        self.qsocket.write(b"w" * (4 * 1024 * 1024))
        yield self.client.lost
        self.assertEqual(self.recorder.count("bytesWritten"), 1)
        self.assertEqual(self.recorder.count("disconnected"), 1)
        self.assertLess(len(self.client.received), 4 * 1024 * 1024)
        self.assertEqual(self.qsocket.state(), State.UnconnectedState)

    @inlineCallbacks
    def test_close(self) -> Any:
        """
        close() with nothing pending: aboutToClose, Closing, Unconnected,
        readChannelFinished, disconnected; the read buffer is discarded and
        reading warns "device not open".
        """
        warnings = _captureWarnings(self)
        self.client.write(b"unread")
        yield self.receive(self.qsocket, 6)
        self.recorder.events.clear()
        self.qsocket.close()
        self.assertEqual(
            self.recorder.events,
            [ABOUT_TO_CLOSE, CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )
        self.assertFalse(self.qsocket.isOpen())
        self.assertEqual(self.qsocket.bytesAvailable(), 0)
        self.assertEqual(self.qsocket.readAll(), b"")
        self.assertEqual(warnings, ["QIODevice::read (QTcpSocket): device not open"])
        yield self.client.lost

    @inlineCallbacks
    def test_closePending(self) -> Any:
        """
        close() with pending data returns not open but Closing, then
        flushes: bytesWritten, Unconnected, readChannelFinished,
        disconnected; the peer receives everything.
        """
        payload = b"q" * 300000
        self.qsocket.write(payload)
        disconnected = _next(self.qsocket.disconnected)
        self.qsocket.close()
        self.assertEqual(self.recorder.events, [ABOUT_TO_CLOSE, CLOSING])
        self.assertFalse(self.qsocket.isOpen())
        self.assertEqual(self.qsocket.state(), State.ClosingState)
        self.assertTrue(self.qsocket.isValid())
        yield disconnected
        self.assertEqual(
            self.recorder.without("bytesWritten"),
            [ABOUT_TO_CLOSE, CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )
        self.assertGreater(self.recorder.count("bytesWritten"), 0)
        yield self.client.lost
        self.assertEqual(bytes(self.client.received), payload)

    @inlineCallbacks
    def test_errorSurvivesClose(self) -> Any:
        """
        error()/errorString() persist across close() (section 5).
        """
        disconnected = _next(self.qsocket.disconnected)
        self.client.close()
        yield disconnected
        self.qsocket.close()
        self.assertEqual(self.qsocket.error(), Error.RemoteHostClosedError)
        self.assertEqual(self.qsocket.errorString(), "The remote host closed the connection")


class AddressTests(_LoopbackCase):
    """
    Peer and local addresses (facts section 11, B32).
    """

    @inlineCallbacks
    def test_dualStackServerSide(self) -> Any:
        """
        On a dual-stack (Any) server an IPv4 client is ::ffff:127.0.0.1
        (IPv6Protocol) on the server side, peer and local, with the client's
        and server's ports (B32).
        """
        qsocket, client, server = yield self.serverSocket(Special.Any)
        self.assertEqual(qsocket.peerAddress().toString(), "::ffff:127.0.0.1")
        self.assertEqual(qsocket.peerAddress().protocol(), QAbstractSocket.IPv6Protocol)
        self.assertEqual(qsocket.localAddress().toString(), "::ffff:127.0.0.1")
        self.assertEqual(qsocket.peerPort(), client.transport.getHost().port)  # type: ignore[union-attr]
        self.assertEqual(qsocket.localPort(), server.serverPort())

    @inlineCallbacks
    def test_ipv4ServerSide(self) -> Any:
        """
        On an IPv4 server both addresses are 127.0.0.1 (IPv4Protocol).
        """
        qsocket, client, server = yield self.serverSocket(Special.LocalHost)
        self.assertEqual(qsocket.peerAddress().toString(), "127.0.0.1")
        self.assertEqual(qsocket.peerAddress().protocol(), QAbstractSocket.IPv4Protocol)
        self.assertEqual(qsocket.localAddress().toString(), "127.0.0.1")
        self.assertEqual(qsocket.localPort(), server.serverPort())

    @inlineCallbacks
    def test_clientSideOfDualStack(self) -> Any:
        """
        The client side of a connection to a dual-stack server sees
        127.0.0.1 (IPv4Protocol) and keeps its peerName.
        """
        server = self.listen(Special.Any)
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", server.serverPort())
        yield _next(client.connected)
        self.assertEqual(client.peerAddress().toString(), "127.0.0.1")
        self.assertEqual(client.peerAddress().protocol(), QAbstractSocket.IPv4Protocol)
        self.assertEqual(client.peerPort(), server.serverPort())
        self.assertEqual(client.localAddress().toString(), "127.0.0.1")
        self.assertNotEqual(client.localPort(), 0)
        self.assertEqual(client.peerName(), "127.0.0.1")

    @inlineCallbacks
    def test_ipv6Client(self) -> Any:
        """
        An IPv6 client of a dual-stack server is ::1 on both sides.
        """
        if not _HAS_IPV6:
            raise self.skipTest("no IPv6 loopback")
        server = self.listen(Special.Any)
        arrived = _next(server.newConnection)
        client = self.clientSocket()
        client.connectToHost("::1", server.serverPort())
        yield _next(client.connected)
        yield arrived
        peer = self.track(server.nextPendingConnection())
        self.assertEqual(peer.peerAddress().toString(), "::1")
        self.assertEqual(client.peerAddress().toString(), "::1")
        self.assertEqual(client.peerAddress().protocol(), QAbstractSocket.IPv6Protocol)

    @inlineCallbacks
    def test_clearedAfterDisconnect(self) -> Any:
        """
        After a disconnect the ports are 0 and the addresses Null; a client
        keeps answering peerName() with the host it was given (section 9).
        """
        client, peer, server = yield self.clientPair()
        peerGone = _next(peer.disconnected)
        client.disconnectFromHost()
        yield peerGone
        for s in (client, peer):
            self.assertEqual(s.peerPort(), 0)
            self.assertEqual(s.localPort(), 0)
            self.assertTrue(s.peerAddress().isNull())
            self.assertTrue(s.localAddress().isNull())
        self.assertEqual(client.peerName(), "127.0.0.1")

    @inlineCallbacks
    def test_addressesKnownInDisconnectedSlot(self) -> Any:
        """
        As in Qt, the addresses are cleared only after disconnected, so a
        slot can still log who left.
        """
        qsocket, client, server = yield self.serverSocket()
        seen: list[str] = []
        qsocket.disconnected.connect(lambda: seen.append(qsocket.peerAddress().toString()))
        qsocket.disconnectFromHost()
        self.assertEqual(seen, ["127.0.0.1"])
        self.assertTrue(qsocket.peerAddress().isNull())


class ConnectToHostTests(_LoopbackCase):
    """
    Client sockets (facts section 9).
    """

    @inlineCallbacks
    def test_successOrder(self) -> Any:
        """
        HostLookup, Connecting and hostFound inside the call (which returns
        Connecting, device open), then Connected and connected.
        """
        server = self.listen()
        client = self.clientSocket()
        recorder = _Recorder(client)
        client.connectToHost("127.0.0.1", server.serverPort())
        self.assertEqual(recorder.events, [LOOKUP, CONNECTING, HOST_FOUND])
        self.assertEqual(client.state(), State.ConnectingState)
        self.assertTrue(client.isOpen())
        yield _next(client.connected)
        self.assertEqual(
            recorder.events, [LOOKUP, CONNECTING, HOST_FOUND, CONNECTED_STATE, CONNECTED]
        )
        self.assertEqual(client.state(), State.ConnectedState)
        self.assertGreaterEqual(client.socketDescriptor(), 0)

    @inlineCallbacks
    def test_qhostaddressAndLocalhost(self) -> Any:
        """
        connectToHost accepts a QHostAddress and a name ("localhost").
        """
        server = self.listen(Special.Any)
        for host in (QHostAddress("127.0.0.1"), "localhost"):
            client = self.clientSocket()
            client.connectToHost(host, server.serverPort())
            yield _next(client.connected)
            self.assertEqual(client.state(), State.ConnectedState)

    @inlineCallbacks
    def test_refused(self) -> Any:
        """
        A closed port: Unconnected before errorOccurred(ConnectionRefused-
        Error) "Connection refused"; still open, descriptor -1.
        """
        client = self.clientSocket()
        recorder = _Recorder(client)
        client.connectToHost("127.0.0.1", _freePort())
        yield _next(client.errorOccurred)
        self.assertEqual(
            recorder.events,
            [LOOKUP, CONNECTING, HOST_FOUND, UNCONNECTED, _error(Error.ConnectionRefusedError)],
        )
        self.assertEqual(client.errorString(), "Connection refused")
        self.assertTrue(client.isOpen())
        self.assertEqual(client.openMode(), QAbstractSocket.ReadWrite)
        self.assertEqual(client.socketDescriptor(), -1)

    @inlineCallbacks
    def test_hostNotFound(self) -> Any:
        """
        "nonexistent.invalid": the call returns in HostLookup, later
        Unconnected then errorOccurred(HostNotFoundError) "Host not found";
        the device stays open.
        """
        client = self.clientSocket()
        recorder = _Recorder(client)
        client.connectToHost("nonexistent.invalid", 80)
        self.assertEqual(client.state(), State.HostLookupState)
        yield _next(client.errorOccurred)
        self.assertEqual(recorder.events, [LOOKUP, UNCONNECTED, _error(Error.HostNotFoundError)])
        self.assertEqual(client.errorString(), "Host not found")
        self.assertTrue(client.isOpen())

    def test_emptyHost(self) -> None:
        """
        "" fails at once: HostLookup, Unconnected, errorOccurred(HostNot-
        FoundError, "Host not found").
        """
        client = self.clientSocket()
        recorder = _Recorder(client)
        client.connectToHost("", 80)
        self.assertEqual(recorder.events, [LOOKUP, UNCONNECTED, _error(Error.HostNotFoundError)])
        self.assertEqual(client.errorString(), "Host not found")

    def test_badArguments(self) -> None:
        """
        A host of the wrong type or a port outside 0..65535 raises.
        """
        client = self.clientSocket()
        self.assertRaises(TypeError, client.connectToHost, 127, 80)
        self.assertRaises(TypeError, client.connectToHost, "127.0.0.1", "80")
        self.assertRaises(ValueError, client.connectToHost, "127.0.0.1", 65536)
        self.assertEqual(client.state(), State.UnconnectedState)

    @inlineCallbacks
    def test_connectWhileConnected(self) -> Any:
        """
        connectToHost() while connecting or connected emits
        errorOccurred(OperationError, "Trying to connect while connection
        is in progress") with a warning, and changes nothing else.
        """
        warnings = _captureWarnings(self)
        client, peer, server = yield self.clientPair()
        recorder = _Recorder(client)
        client.connectToHost("127.0.0.1", server.serverPort())
        self.assertEqual(recorder.events, [_error(Error.OperationError)])
        self.assertEqual(
            client.errorString(), "Trying to connect while connection is in progress"
        )
        self.assertEqual(client.state(), State.ConnectedState)
        self.assertEqual(len(warnings), 1)
        self.assertIn("connectToHost() called when already looking up", warnings[0])

    @inlineCallbacks
    def test_writesBeforeConnected(self) -> Any:
        """
        Data written while connecting is counted by bytesToWrite and sent
        once connected.
        """
        server = self.listen()
        arrived = _next(server.newConnection)
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", server.serverPort())
        self.assertEqual(client.write(b"early "), 6)
        self.assertEqual(client.write(b"bird"), 4)
        self.assertEqual(client.bytesToWrite(), 10)
        yield arrived
        peer = self.track(server.nextPendingConnection())
        yield self.receive(peer, 10)
        self.assertEqual(peer.readAll(), b"early bird")

    @inlineCallbacks
    def test_disconnectWhileConnecting(self) -> Any:
        """
        disconnectFromHost() while connecting: connected, Closing,
        bytesWritten, Unconnected, readChannelFinished, disconnected; the
        peer receives what was written (section 5).
        """
        server = self.listen()
        arrived = _next(server.newConnection)
        client = self.clientSocket()
        recorder = _Recorder(client)
        client.connectToHost("127.0.0.1", server.serverPort())
        client.write(b"goodbye")
        client.disconnectFromHost()
        self.assertEqual(client.state(), State.ConnectingState)
        yield _next(client.disconnected)
        self.assertEqual(
            recorder.events,
            [
                LOOKUP,
                CONNECTING,
                HOST_FOUND,
                CONNECTED_STATE,
                CONNECTED,
                CLOSING,
                ("bytesWritten", 7),
                UNCONNECTED,
                READ_FINISHED,
                DISCONNECTED,
            ],
        )
        yield arrived
        peer = self.track(server.nextPendingConnection())
        yield _until(lambda: peer.state() == State.UnconnectedState)
        self.assertEqual(peer.readAll(), b"goodbye")

    @inlineCallbacks
    def test_abortWhileLookingUp(self) -> Any:
        """
        abort() during the host lookup: aboutToClose, Unconnected,
        readChannelFinished, no disconnected; the lookup's answer is
        ignored.
        """
        client = self.clientSocket()
        client.connectToHost("nonexistent.invalid", 80)
        recorder = _Recorder(client)
        client.abort()
        self.assertEqual(recorder.events, [ABOUT_TO_CLOSE, UNCONNECTED, READ_FINISHED])
        yield _turn(seconds=0.2)
        self.assertEqual(len(recorder.events), 3)
        self.assertEqual(client.error(), Error.UnknownSocketError)

    @inlineCallbacks
    def test_abortWhileConnecting(self) -> Any:
        """
        abort() while connecting: aboutToClose, Unconnected,
        readChannelFinished, and nothing later.
        """
        server = self.listen()
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", server.serverPort())
        recorder = _Recorder(client)
        client.abort()
        self.assertEqual(recorder.events, [ABOUT_TO_CLOSE, UNCONNECTED, READ_FINISHED])
        yield _turn(seconds=0.05)
        self.assertEqual(len(recorder.events), 3)
        self.assertEqual(client.state(), State.UnconnectedState)
        pending = server.nextPendingConnection()
        if pending is not None:
            self.track(pending)

    @inlineCallbacks
    def test_disconnectWhileLookupFails(self) -> Any:
        """
        disconnectFromHost() during a failing lookup: Unconnected, then
        errorOccurred(HostNotFoundError); no disconnected.
        """
        client = self.clientSocket()
        client.connectToHost("nonexistent.invalid", 80)
        recorder = _Recorder(client)
        client.disconnectFromHost()
        yield _next(client.errorOccurred)
        self.assertEqual(recorder.events, [UNCONNECTED, _error(Error.HostNotFoundError)])

    @inlineCallbacks
    def test_connectResetsError(self) -> Any:
        """
        connectToHost() forgets the previous error (QIODevice::open).
        """
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", _freePort())
        yield _next(client.errorOccurred)
        server = self.listen()
        client.connectToHost("127.0.0.1", server.serverPort())
        self.assertEqual(client.error(), Error.UnknownSocketError)
        self.assertEqual(client.errorString(), "Unknown error")
        yield _next(client.connected)

    @inlineCallbacks
    def test_reconnectFromDisconnectedSlot(self) -> Any:
        """
        A slot connected to disconnected may connect again at once.
        """
        client, peer, server = yield self.clientPair()
        again: list[bool] = []

        def reconnect() -> None:
            if not again:
                again.append(True)
                client.connectToHost("127.0.0.1", server.serverPort())

        client.disconnected.connect(reconnect)
        client.disconnectFromHost()
        self.assertEqual(client.state(), State.ConnectingState)
        yield _next(client.connected)
        self.assertEqual(client.state(), State.ConnectedState)

    @inlineCallbacks
    def test_connectTimesOut(self) -> Any:
        """
        An address that does not answer within 30 s (QT_CONNECT_TIMEOUT):
        Unconnected, then errorOccurred(SocketTimeoutError "Connection
        timed out").
        """
        server = self.listen()
        clock = ClockedReactor()
        client = self.clientSocket(clock)
        recorder = _Recorder(client)
        client.connectToHost("127.0.0.1", server.serverPort())
        clock.clock.advance(29.9)
        self.assertEqual(client.state(), State.ConnectingState)
        clock.clock.advance(0.1)
        self.assertEqual(
            recorder.events,
            [LOOKUP, CONNECTING, HOST_FOUND, UNCONNECTED, _error(Error.SocketTimeoutError)],
        )
        self.assertEqual(client.errorString(), "Connection timed out")
        yield _turn(seconds=0.05)
        self.assertEqual(client.state(), State.UnconnectedState)
        self.assertEqual(len(recorder.events), 5)


class WaitForTests(_LoopbackCase):
    """
    The waitFor calls return Deferreds with Qt's results (facts section 10).
    Timeouts run on a fake clock.
    """

    @inlineCallbacks
    def assertWaitTimesOut(self, wait: Callable[[QTcpSocket], Deferred[bool]]) -> Any:
        """
        C{wait} (one waitFor call with a 100 ms timeout) on a connected,
        idle socket: False once the clock reaches 100 ms,
        errorOccurred(SocketTimeoutError) "Network operation timed out",
        still Connected.
        """
        clock = ClockedReactor()
        qsocket, client, server = yield self.serverSocket(clock=clock)
        recorder = _Recorder(qsocket)
        d = wait(qsocket)
        clock.clock.advance(0.1)
        self.assertIs(self.successResultOf(d), False)
        self.assertEqual(recorder.events, [_error(Error.SocketTimeoutError)])
        self.assertEqual(qsocket.errorString(), "Network operation timed out")
        self.assertEqual(qsocket.state(), State.ConnectedState)

    @inlineCallbacks
    def test_waitForConnected(self) -> Any:
        """
        waitForConnected fires True on connection, and at once when already
        connected.
        """
        server = self.listen()
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", server.serverPort())
        self.assertIs((yield client.waitForConnected(5000)), True)
        self.assertEqual(client.state(), State.ConnectedState)
        self.assertIs(self.successResultOf(client.waitForConnected(0)), True)
        yield _turn(seconds=0.02)

    @inlineCallbacks
    def test_waitForConnectedRefused(self) -> Any:
        """
        To a closed port: False, ConnectionRefusedError, Unconnected.
        """
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", _freePort())
        self.assertIs((yield client.waitForConnected(5000)), False)
        self.assertEqual(client.error(), Error.ConnectionRefusedError)
        self.assertEqual(client.errorString(), "Connection refused")
        self.assertEqual(client.state(), State.UnconnectedState)

    @inlineCallbacks
    def test_waitForConnectedHostNotFound(self) -> Any:
        """
        To nonexistent.invalid: False after Unconnected and
        errorOccurred(HostNotFoundError).
        """
        client = self.clientSocket()
        recorder = _Recorder(client)
        client.connectToHost("nonexistent.invalid", 80)
        self.assertIs((yield client.waitForConnected(5000)), False)
        self.assertEqual(recorder.events, [LOOKUP, UNCONNECTED, _error(Error.HostNotFoundError)])
        self.assertEqual(client.errorString(), "Host not found")

    def test_waitForConnectedTimeout(self) -> None:
        """
        On timeout: False, SocketTimeoutError "Socket operation timed out",
        stateChanged(Unconnected) but no errorOccurred; the attempt is
        abandoned.
        """
        server = self.listen()
        clock = ClockedReactor()
        client = self.clientSocket(clock)
        client.connectToHost("127.0.0.1", server.serverPort())
        recorder = _Recorder(client)
        d = client.waitForConnected(300)
        clock.clock.advance(0.299)
        self.assertNoResult(d)
        clock.clock.advance(0.001)
        self.assertIs(self.successResultOf(d), False)
        self.assertEqual(recorder.events, [UNCONNECTED])
        self.assertEqual(client.error(), Error.SocketTimeoutError)
        self.assertEqual(client.errorString(), "Socket operation timed out")

    @inlineCallbacks
    def test_waitForReadyRead(self) -> Any:
        """
        With data arriving: True, readyRead emitted.
        """
        qsocket, client, server = yield self.serverSocket()
        recorder = _Recorder(qsocket)
        d = qsocket.waitForReadyRead(5000)
        client.write(b"data")
        self.assertIs((yield d), True)
        self.assertEqual(recorder.events, [READY_READ])
        self.assertEqual(qsocket.readAll(), b"data")

    @inlineCallbacks
    def test_waitForReadyReadTimeout(self) -> Any:
        """
        No data: False after msecs, errorOccurred(SocketTimeoutError)
        "Network operation timed out", still Connected.
        """
        yield self.assertWaitTimesOut(lambda qsocket: qsocket.waitForReadyRead(100))

    @inlineCallbacks
    def test_waitForReadyReadPeerCloses(self) -> Any:
        """
        The peer closes: False after the whole close sequence; earlier data
        stays readable.
        """
        qsocket, client, server = yield self.serverSocket()
        client.write(b"kept")
        yield self.receive(qsocket, 4)
        recorder = _Recorder(qsocket)
        d = qsocket.waitForReadyRead(5000)
        client.close()
        self.assertIs((yield d), False)
        self.assertEqual(
            recorder.events,
            [_error(Error.RemoteHostClosedError), CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED],
        )
        self.assertEqual(qsocket.readAll(), b"kept")

    @inlineCallbacks
    def test_waitForReadyReadFullBuffer(self) -> Any:
        """
        With the read buffer full, waitForReadyRead waits the whole timeout
        and returns False with no error set (section 8).
        """
        clock = ClockedReactor()
        qsocket, client, server = yield self.serverSocket(clock=clock)
        qsocket.setReadBufferSize(10)
        client.write(b"x" * 30)
        yield self.receive(qsocket, 10)
        recorder = _Recorder(qsocket)
        d = qsocket.waitForReadyRead(100)
        clock.clock.advance(0.1)
        self.assertIs(self.successResultOf(d), False)
        self.assertEqual(recorder.events, [])
        self.assertEqual(qsocket.error(), Error.UnknownSocketError)

    @inlineCallbacks
    def test_waitForReadyReadConnectFails(self) -> Any:
        """
        waitForReadyRead while connecting fires False when the connection
        is refused, not at its timeout.
        """
        client = self.clientSocket()
        client.connectToHost("127.0.0.1", _freePort())
        self.assertIs((yield client.waitForReadyRead(-1)), False)
        self.assertEqual(client.error(), Error.ConnectionRefusedError)

    @inlineCallbacks
    def test_waitForBytesWrittenNothingPending(self) -> Any:
        """
        Nothing buffered: False at once, no signal, no error change.
        """
        qsocket, client, server = yield self.serverSocket()
        recorder = _Recorder(qsocket)
        self.assertIs(self.successResultOf(qsocket.waitForBytesWritten(1000)), False)
        self.assertEqual(recorder.events, [])
        self.assertEqual(qsocket.error(), Error.UnknownSocketError)

    @inlineCallbacks
    def test_waitForBytesWritten(self) -> Any:
        """
        With pending data: True, bytesToWrite 0.
        """
        qsocket, client, server = yield self.serverSocket()
        qsocket.write(b"w" * 5000)
        self.assertIs((yield qsocket.waitForBytesWritten(1000)), True)
        self.assertEqual(qsocket.bytesToWrite(), 0)

    @inlineCallbacks
    def test_waitForDisconnectedTimeout(self) -> Any:
        """
        Connected and idle: False, errorOccurred(SocketTimeoutError
        "Network operation timed out"), still Connected.
        """
        yield self.assertWaitTimesOut(lambda qsocket: qsocket.waitForDisconnected(100))

    @inlineCallbacks
    def test_waitForDisconnected(self) -> Any:
        """
        After disconnectFromHost() with pending data: True once the whole
        sequence ran, Unconnected.
        """
        qsocket, client, server = yield self.serverSocket()
        recorder = _Recorder(qsocket, exclude=("bytesWritten",))
        qsocket.write(b"d" * 1000000)
        qsocket.disconnectFromHost()
        self.assertIs((yield qsocket.waitForDisconnected(5000)), True)
        self.assertEqual(qsocket.state(), State.UnconnectedState)
        # Fired after the whole sequence, addresses cleared (as Qt returns).
        self.assertTrue(qsocket.peerAddress().isNull())
        self.assertEqual(recorder.events, [CLOSING, UNCONNECTED, READ_FINISHED, DISCONNECTED])
        yield client.lost
        self.assertEqual(len(client.received), 1000000)

    @inlineCallbacks
    def test_cancelWait(self) -> Any:
        """
        Cancelling a waitFor Deferred stops the wait: no timeout error
        later.
        """
        clock = ClockedReactor()
        qsocket, client, server = yield self.serverSocket(clock=clock)
        d = qsocket.waitForReadyRead(100)
        d.cancel()
        self.failureResultOf(d).trap(Exception)
        clock.clock.advance(1)
        self.assertEqual(qsocket.error(), Error.UnknownSocketError)
        self.assertEqual(qsocket.readyRead.receivers(), 0)


class ReadBufferSizeTests(_LoopbackCase):
    """
    setReadBufferSize and backpressure (facts section 8).
    """

    def test_storedAndValidated(self) -> None:
        """
        The default is 0 (unlimited); a size is stored; a negative size
        raises ValueError and a non-int TypeError (deviation: Qt stores it).
        """
        s = QTcpSocket(reactor=MemoryReactor())
        self.assertEqual(s.readBufferSize(), 0)
        s.setReadBufferSize(4096)
        self.assertEqual(s.readBufferSize(), 4096)
        self.assertRaises(ValueError, s.setReadBufferSize, -5)
        self.assertRaises(TypeError, s.setReadBufferSize, 1.5)
        self.assertEqual(s.readBufferSize(), 4096)

    @inlineCallbacks
    def test_limitsDelivery(self) -> Any:
        """
        With a limit of 10 and 30 bytes sent: one readyRead with 10
        available; the rest stays in the kernel until read.
        """
        qsocket, client, server = yield self.serverSocket()
        qsocket.setReadBufferSize(10)
        recorder = _Recorder(qsocket)
        client.write(bytes(range(30)))
        yield self.receive(qsocket, 10)
        yield _turn(seconds=0.05)
        self.assertEqual(qsocket.bytesAvailable(), 10)
        self.assertEqual(recorder.events, [READY_READ])
        received = qsocket.readAll()
        yield self.receive(qsocket, 10)
        self.assertEqual(qsocket.bytesAvailable(), 10)
        received += qsocket.readAll()
        yield self.receive(qsocket, 10)
        received += qsocket.readAll()
        self.assertEqual(received, bytes(range(30)))

    @inlineCallbacks
    def test_partialReadRefillsToLimit(self) -> Any:
        """
        Reading part of a full buffer lets more in, never past the limit
        (deviation: Qt waits until the buffer is drained).
        """
        qsocket, client, server = yield self.serverSocket()
        qsocket.setReadBufferSize(10)
        sizes: list[int] = []
        qsocket.readyRead.connect(lambda: sizes.append(qsocket.bytesAvailable()))
        client.write(bytes(range(30)))
        yield self.receive(qsocket, 10)
        self.assertEqual(qsocket.read(4), bytes(range(4)))
        yield self.receive(qsocket, 10)
        self.assertEqual(qsocket.read(10), bytes(range(4, 14)))
        self.assertLessEqual(max(sizes), 10)

    @inlineCallbacks
    def test_unlimitResumes(self) -> Any:
        """
        setReadBufferSize(0) on a full socket reads the rest at once.
        """
        qsocket, client, server = yield self.serverSocket()
        qsocket.setReadBufferSize(10)
        client.write(b"r" * 30)
        yield self.receive(qsocket, 10)
        qsocket.setReadBufferSize(0)
        yield self.receive(qsocket, 30)
        self.assertEqual(qsocket.readAll(), b"r" * 30)

    @inlineCallbacks
    def test_lowerLimitBelowBuffered(self) -> Any:
        """
        Lowering the limit below what is buffered keeps reading paused
        until the buffer is under the new limit.
        """
        qsocket, client, server = yield self.serverSocket()
        qsocket.setReadBufferSize(10)
        client.write(bytes(range(30)))
        yield self.receive(qsocket, 10)
        qsocket.setReadBufferSize(5)
        self.assertEqual(qsocket.read(3), bytes(range(3)))
        yield _turn(seconds=0.05)
        self.assertEqual(qsocket.bytesAvailable(), 7)
        self.assertEqual(qsocket.readAll(), bytes(range(3, 10)))
        yield self.receive(qsocket, 5)
        yield _turn(seconds=0.05)
        self.assertEqual(qsocket.readAll(), bytes(range(10, 15)))

    @inlineCallbacks
    def test_peerCloseSeenAfterDrain(self) -> Any:
        """
        With a full buffer the peer's close is noticed only once the
        application has read its way to it.
        """
        qsocket, client, server = yield self.serverSocket()
        qsocket.setReadBufferSize(10)
        client.write(b"c" * 30)
        client.close()
        yield self.receive(qsocket, 10)
        yield _turn(seconds=0.05)
        self.assertEqual(qsocket.state(), State.ConnectedState)
        received = b""
        while qsocket.state() == State.ConnectedState:
            received += qsocket.readAll()
            yield _turn(seconds=0.005)
        received += qsocket.readAll()
        self.assertEqual(received, b"c" * 30)
        self.assertEqual(qsocket.error(), Error.RemoteHostClosedError)

    @inlineCallbacks
    def test_backpressureFiftyMiB(self) -> Any:
        """
        A peer sending 50 MiB to a socket limited to 64 KiB that nobody
        reads is blocked (the buffer never passes 64 KiB); reading then
        drains it all, intact.
        """
        limit = 64 * 1024
        payload = random.Random(1234).randbytes(50 * 1024 * 1024)
        expected = hashlib.sha256(payload).hexdigest()
        server = self.listen()
        arrived = _next(server.newConnection)
        sender = socket.create_connection(("127.0.0.1", server.serverPort()))
        sender.settimeout(15)
        progress = {"sent": 0, "done": False, "error": None}

        def send() -> None:
            view = memoryview(payload)
            try:
                while view:
                    n = sender.send(view[: 1024 * 1024])
                    progress["sent"] += n  # type: ignore[operator]
                    view = view[n:]
                sender.shutdown(socket.SHUT_WR)
            except OSError as e:
                progress["error"] = e
            progress["done"] = True

        thread = threading.Thread(target=send, name="backpressure-sender", daemon=True)

        def stopSender() -> None:
            try:
                sender.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            thread.join(5)
            sender.close()

        self.addCleanup(stopSender)
        yield arrived
        qsocket = self.track(server.nextPendingConnection())
        qsocket.setReadBufferSize(limit)
        peak = [0]

        def watch() -> None:
            peak[0] = max(peak[0], qsocket.bytesAvailable())

        qsocket.readyRead.connect(watch)
        thread.start()

        # Nobody reads: the sender must get stuck.
        yield _turn(seconds=0.7)
        sentEarly = progress["sent"]
        yield _turn(seconds=0.5)
        self.assertFalse(progress["done"], "the sender was never blocked")
        self.assertLess(progress["sent"], len(payload))
        self.assertEqual(progress["sent"], sentEarly, "the sender kept sending")
        self.assertEqual(qsocket.bytesAvailable(), limit)
        self.assertLessEqual(peak[0], limit)

        # Now read: everything arrives, in order.
        hasher = hashlib.sha256()
        total = [0]
        done: Deferred[None] = Deferred()

        def drain() -> None:
            data = qsocket.readAll()
            hasher.update(data)
            total[0] += len(data)
            if total[0] >= len(payload) and not done.called:
                done.callback(None)

        qsocket.readyRead.connect(drain)
        drain()
        done.addTimeout(12, reactor)
        yield done
        self.assertEqual(total[0], len(payload))
        self.assertEqual(hasher.hexdigest(), expected)
        self.assertLessEqual(peak[0], limit)
        yield deferLater(reactor, 0, thread.join, 5)
        self.assertIsNone(progress["error"])
        self.assertTrue(progress["done"])


class SocketOptionTests(_LoopbackCase):
    """
    setSocketOption / socketOption act on the real socket.
    """

    @inlineCallbacks
    def test_lowDelay(self) -> Any:
        """
        LowDelayOption sets TCP_NODELAY on the descriptor and reads back.
        """
        qsocket, client, server = yield self.serverSocket()
        qsocket.setSocketOption(QAbstractSocket.LowDelayOption, 1)
        self.assertEqual(qsocket.socketOption(QAbstractSocket.LowDelayOption), 1)
        self.assertEqual(_realOption(qsocket, socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)
        qsocket.setSocketOption(QAbstractSocket.LowDelayOption, 0)
        self.assertEqual(_realOption(qsocket, socket.IPPROTO_TCP, socket.TCP_NODELAY), 0)
        self.assertEqual(qsocket.socketOption(QAbstractSocket.LowDelayOption), 0)

    @inlineCallbacks
    def test_keepAlive(self) -> Any:
        """
        KeepAliveOption sets SO_KEEPALIVE on the descriptor and reads back.
        """
        qsocket, client, server = yield self.serverSocket()
        self.assertEqual(_realOption(qsocket, socket.SOL_SOCKET, socket.SO_KEEPALIVE), 0)
        qsocket.setSocketOption(QAbstractSocket.KeepAliveOption, 1)
        self.assertEqual(_realOption(qsocket, socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1)
        self.assertEqual(qsocket.socketOption(QAbstractSocket.KeepAliveOption), 1)

    @inlineCallbacks
    def test_keepAliveTuning(self) -> Any:
        """
        Qt 6.11's KeepAliveIdleOption sets TCP_KEEPIDLE (seconds).
        """
        if not hasattr(socket, "TCP_KEEPIDLE"):
            raise self.skipTest("no TCP_KEEPIDLE here")
        qsocket, client, server = yield self.serverSocket()
        qsocket.setSocketOption(QAbstractSocket.KeepAliveIdleOption, 42)
        self.assertEqual(_realOption(qsocket, socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 42)
        self.assertEqual(qsocket.socketOption(QAbstractSocket.KeepAliveIdleOption), 42)

    @inlineCallbacks
    def test_setBeforeConnecting(self) -> Any:
        """
        Options set before connectToHost are applied to the new connection
        (qtwisted remembers them; Qt drops them without a socket engine).
        """
        server = self.listen()
        client = self.clientSocket()
        client.setSocketOption(QAbstractSocket.LowDelayOption, 1)
        client.setSocketOption(QAbstractSocket.KeepAliveOption, 1)
        client.connectToHost("127.0.0.1", server.serverPort())
        yield _next(client.connected)
        self.assertEqual(_realOption(client, socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)
        self.assertEqual(_realOption(client, socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1)
        yield _turn(seconds=0.02)


class SetSocketDescriptorTests(_LoopbackCase):
    """
    Adopting a native descriptor.
    """

    @inlineCallbacks
    def test_socketPair(self) -> Any:
        """
        An end of socket.socketpair() is adopted: True, Connected (one
        stateChanged), open ReadWrite, its descriptor; Null peer address;
        data flows both ways.
        """
        mine, theirs = socket.socketpair()
        self.addCleanup(theirs.close)
        theirs.settimeout(5)
        qsocket = self.track(QTcpSocket())
        recorder = _Recorder(qsocket)
        fd = mine.detach()
        self.assertTrue(qsocket.setSocketDescriptor(fd))
        self.assertEqual(recorder.events, [CONNECTED_STATE])
        self.assertEqual(qsocket.state(), State.ConnectedState)
        self.assertEqual(qsocket.openMode(), QAbstractSocket.ReadWrite)
        self.assertEqual(qsocket.socketDescriptor(), fd)
        self.assertTrue(qsocket.peerAddress().isNull())
        self.assertEqual(qsocket.peerPort(), 0)
        self.assertEqual(qsocket.localPort(), 0)
        theirs.sendall(b"ping")
        yield self.receive(qsocket, 4)
        self.assertEqual(qsocket.readAll(), b"ping")
        qsocket.write(b"pong")
        yield _next(qsocket.bytesWritten)
        self.assertEqual(theirs.recv(10), b"pong")
        disconnected = _next(qsocket.disconnected)
        theirs.close()
        yield disconnected
        self.assertEqual(qsocket.error(), Error.RemoteHostClosedError)

    @inlineCallbacks
    def test_replacesConnectionAttempt(self) -> Any:
        """
        setSocketDescriptor() during a host lookup drops the attempt without
        signals (Qt's resetSocketLayer) and emits only
        stateChanged(Connected); the lookup's answer is ignored.
        """
        mine, theirs = socket.socketpair()
        self.addCleanup(theirs.close)
        qsocket = self.track(QTcpSocket())
        qsocket.connectToHost("nonexistent.invalid", 80)
        recorder = _Recorder(qsocket)
        self.assertTrue(qsocket.setSocketDescriptor(mine.detach()))
        self.assertEqual(recorder.events, [CONNECTED_STATE])
        yield _turn(seconds=0.2)
        self.assertEqual(recorder.events, [CONNECTED_STATE])
        self.assertEqual(qsocket.state(), State.ConnectedState)

    def test_invalidDescriptor(self) -> None:
        """
        A bad descriptor (-2, a closed one, a pipe) gives False,
        UnsupportedSocketOperationError, "Invalid socket descriptor"; a
        pipe is left open for its owner.
        """
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        fd = os.open(os.devnull, os.O_RDONLY)
        os.close(fd)
        for bad in (-2, fd, r):
            qsocket = QTcpSocket(reactor=MemoryReactor())
            self.assertFalse(qsocket.setSocketDescriptor(bad), bad)
            self.assertEqual(qsocket.error(), Error.UnsupportedSocketOperationError)
            self.assertEqual(qsocket.errorString(), "Invalid socket descriptor")
            self.assertEqual(qsocket.state(), State.UnconnectedState)
            self.assertEqual(qsocket.socketDescriptor(), -1)
        os.fstat(r)
        self.assertRaises(TypeError, QTcpSocket(reactor=MemoryReactor()).setSocketDescriptor, "3")


class _Collect(Protocol):
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def dataReceived(self, data: bytes) -> None:
        self.chunks.append(data)


class TransportInternalsTests(SynchronousTestCase):
    """
    L{qtwisted._transport} reads private attributes of Twisted's
    FileDescriptor (dataBuffer, offset, _tempDataLen) and sets
    tcp.Connection's bufferSize: these tests fail loudly if a Twisted
    release renames or stops using them.
    """

    def setUp(self) -> None:
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)
        self.peer = socket.create_connection(listener.getsockname())
        self.addCleanup(self.peer.close)
        self.peer.settimeout(5)
        skt, addr = listener.accept()
        self.protocol = _Collect()
        self.transport = _transport.ServerTransport.adopt(
            skt, addr, self.protocol, skt.getsockname()[1], 1, MemoryReactor()
        )
        self.protocol.makeConnection(self.transport)
        self.addCleanup(self.transport.connectionLost, Failure(ConnectionDone()))

    def test_attributesExist(self) -> None:
        """
        FileDescriptor still has dataBuffer, offset and _tempDataLen, and
        tcp.Connection a bufferSize.
        """
        fd = abstract.FileDescriptor(reactor=MemoryReactor())
        for name in ("dataBuffer", "offset", "_tempDataLen", "_tempDataBuffer"):
            self.assertTrue(hasattr(fd, name), f"FileDescriptor.{name} is gone")
        self.assertIsInstance(tcp.Connection.bufferSize, int)
        self.assertIn("bufferSize", tcp.Connection.doRead.__code__.co_names)

    def test_bufferedBytesFollowsWrites(self) -> None:
        """
        bufferedBytes counts written bytes until doWrite() sends them, and
        doWrite() reports the amount sent through onWritten.
        """
        sent: list[int] = []
        self.transport.onWritten = sent.append
        self.assertEqual(_transport.bufferedBytes(self.transport), 0)
        self.transport.write(b"abc")
        self.transport.writeSequence([b"de", b"f"])
        self.assertEqual(_transport.bufferedBytes(self.transport), 6)
        self.assertIsNone(self.transport.doWrite())
        self.assertEqual(_transport.bufferedBytes(self.transport), 0)
        self.assertEqual(sent, [6])
        self.assertEqual(self.peer.recv(10), b"abcdef")

    def test_bufferedBytesCountsPartialSends(self) -> None:
        """
        When the kernel takes only part of the data, bufferedBytes is the
        rest (dataBuffer minus offset, plus the not yet joined writes).
        """
        sent: list[int] = []
        self.transport.onWritten = sent.append
        self.transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        payload = b"p" * (4 * 1024 * 1024)
        self.transport.write(payload)
        for _ in range(20):
            self.transport.doWrite()
        left = _transport.bufferedBytes(self.transport)
        # The kernel filled up: nothing is reported for a doWrite() that
        # sent nothing, and what was reported is what left the buffer.
        self.assertNotIn(0, sent)
        self.assertEqual(sum(sent), len(payload) - left)
        self.assertGreater(left, 0)
        self.assertLess(left, len(payload))
        self.transport.write(b"more")
        self.assertEqual(_transport.bufferedBytes(self.transport), left + 4)

    def test_bufferSizeLimitsRecv(self) -> None:
        """
        tcp.Connection.doRead() reads at most bufferSize bytes per call.
        """
        self.peer.sendall(b"b" * 30)
        deadline = time.monotonic() + 5
        self.transport.bufferSize = 10
        while sum(map(len, self.protocol.chunks)) < 30 and time.monotonic() < deadline:
            self.transport.doRead()
        self.assertEqual(b"".join(self.protocol.chunks), b"b" * 30)
        self.assertEqual(max(map(len, self.protocol.chunks)), 10)

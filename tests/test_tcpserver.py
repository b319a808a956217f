"""
Tests for L{qtwisted.QTcpServer} (L{qtwisted._tcpserver}) and its accept loop
(L{qtwisted._listener}).

Every test names the Qt behaviour it checks (C{B<n>} in QT_BEHAVIORS.md
section 2) or the C{tst_qtcpserver.cpp} test it ports.  Sockets are real and
bound to the loopback interface only; timeouts that would otherwise sleep run
on a fake clock (L{ClockedReactor}, L{MemoryReactor}).  The descriptor
exhaustion test (B30 with a real C{EMFILE}) lives in
L{tests.test_tcpserver_emfile}.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from typing import Any, Callable, TypeVar

from twisted.internet import reactor
from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.endpoints import UNIXClientEndpoint
from twisted.internet.error import ConnectionDone, ConnectionLost, ConnectionRefusedError
from twisted.internet.protocol import Factory
from twisted.internet.task import Clock, deferLater
from twisted.internet.testing import MemoryReactor
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SkipTest, SynchronousTestCase, TestCase

import qtwisted
from qtwisted import QAbstractSocket, QHostAddress, QNetworkProxy, QTcpServer, QTcpSocket
from qtwisted._listener import _MAX_ACCEPTS_PER_READ, Listener
from qtwisted.testing import ClockedReactor, LoopbackClient, SignalSpy, connectLoopback

SocketError = QAbstractSocket.SocketError
SocketState = QAbstractSocket.SocketState
Special = QHostAddress.SpecialAddress

_T = TypeVar("_T")

# How long a real-time wait may take before the test fails, in seconds.
WAIT = 5.0
# The short real interval used to show that something does NOT happen.
QUIET = 0.2


def _probeIPv6() -> str | None:
    """
    Why IPv6 tests cannot run here, or None when C{::1} can be bound.
    """
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError as e:
        return f"cannot bind ::1 on this host ({e}): no IPv6 loopback"
    return None


NO_IPV6 = _probeIPv6()


def freePort(host: str = "127.0.0.1") -> int:
    """
    A port that nothing listens on right now.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def canBind(port: int, host: str = "127.0.0.1") -> bool:
    """
    Whether a plain socket without C{SO_REUSEADDR} can bind C{host}:C{port},
    i.e. no socket at all is bound there.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def openDescriptors() -> int:
    """
    The number of descriptors this process has open.
    """
    return len(os.listdir("/proc/self/fd"))


def isOpen(fd: int) -> bool:
    """
    Whether C{fd} is an open descriptor.
    """
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def unusedDescriptor() -> int:
    """
    A descriptor number that is not open (until something opens it).
    """
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    return r


async def sleep(seconds: float) -> None:
    """
    Let the real reactor run for C{seconds}.
    """
    await deferLater(reactor, seconds, lambda: None)


def withTimeout(d: Deferred[_T], seconds: float = WAIT) -> Deferred[_T]:
    """
    C{d}, failing with L{twisted.internet.defer.TimeoutError} after
    C{seconds} of real time.
    """
    return d.addTimeout(seconds, reactor)


async def waitUntil(
    predicate: Callable[[], bool], what: str, timeout: float = WAIT
) -> None:
    """
    Poll C{predicate} on the real reactor until it is true.

    @raise AssertionError: naming C{what} after C{timeout} seconds.
    """
    waited = 0.0
    while not predicate():
        if waited >= timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await sleep(0.005)
        waited += 0.005


async def waitForCount(spy: SignalSpy[Any], count: int, timeout: float = WAIT) -> None:
    """
    Wait until C{spy} has recorded C{count} emissions.
    """
    while len(spy) < count:
        # SignalSpy.wait() takes milliseconds, as QSignalSpy::wait does, and
        # here always real time, even for a server on a ClockedReactor.
        if not await spy.wait(int(timeout * 1000), reactor):
            raise AssertionError(
                f"{spy.signal!r}: {len(spy)} of {count} emissions after {timeout}s"
            )


def lostReason(client: LoopbackClient) -> Deferred[BaseException]:
    """
    A new Deferred firing with the exception that ended C{client}'s
    connection (L{LoopbackClient.lost} itself is kept for the cleanup).
    """
    d: Deferred[BaseException] = Deferred()

    def got(result: BaseException) -> BaseException:
        d.callback(result)
        return result

    client.lost.addCallback(got)
    return d


class ServerTestCase(TestCase):
    """
    Helpers that create servers and peers and clean them up.
    """

    timeout = 15

    def makeServer(
        self,
        cls: Callable[..., QTcpServer] = QTcpServer,
        reactor: Any = None,
        parent: Any = None,
    ) -> Any:
        """
        A server that is closed, with every socket it still owns, after the
        test.
        """
        server = cls(parent=parent, reactor=reactor)

        def cleanup() -> None:
            server.close()
            for child in server.children():
                child.abort()  # type: ignore[attr-defined]

        self.addCleanup(cleanup)
        return server

    async def connectClient(self, port: int, host: str = "127.0.0.1") -> LoopbackClient:
        """
        A plain Twisted client connected to C{host}:C{port}, reset after the
        test.
        """
        client = await withTimeout(connectLoopback(port, host))
        self.addCleanup(client.abort)
        return client

    def blockingClient(self, port: int, host: str = "127.0.0.1") -> socket.socket:
        """
        A plain socket connected synchronously, without a reactor turn: the
        connection waits in the kernel's backlog until the server accepts.
        """
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        client = socket.socket(family, socket.SOCK_STREAM)
        self.addCleanup(client.close)
        client.settimeout(WAIT)
        client.connect((host, port))
        return client

    def take(self, server: QTcpServer) -> QTcpSocket:
        """
        C{server.nextPendingConnection()}, asserted non-None, aborted after
        the test.
        """
        qsocket = server.nextPendingConnection()
        self.assertIsNotNone(qsocket)
        assert qsocket is not None
        self.addCleanup(qsocket.abort)
        return qsocket

    def capturedLog(self) -> list[str]:
        """
        The text of every qtwisted log event from now until the test ends.
        """
        messages: list[str] = []

        def observer(event: dict[str, Any]) -> None:
            if str(event.get("log_namespace", "")).startswith("qtwisted"):
                messages.append(formatEvent(event))

        globalLogPublisher.addObserver(observer)
        self.addCleanup(globalLogPublisher.removeObserver, observer)
        return messages

    def assertNotListening(self, server: QTcpServer) -> None:
        """
        The state of a server that is not listening (B1, B21).
        """
        self.assertEqual(
            (
                server.isListening(),
                server.serverPort(),
                server.serverAddress(),
                server.socketDescriptor(),
            ),
            (False, 0, QHostAddress(), -1),
        )
        self.assertTrue(server.serverAddress().isNull())


class ConstructionTests(SynchronousTestCase):
    """
    A server that never listened.
    """

    def test_constructing(self) -> None:
        """
        B1 (constructing): a new server is not listening, port 0, Null
        address, descriptor -1, 30 pending max, backlog 50,
        UnknownSocketError with an empty errorString, nothing pending.
        """
        server = QTcpServer()
        self.assertFalse(server.isListening())
        self.assertEqual(server.serverPort(), 0)
        self.assertEqual(server.serverAddress(), QHostAddress())
        self.assertTrue(server.serverAddress().isNull())
        self.assertEqual(server.socketDescriptor(), -1)
        self.assertEqual(server.maxPendingConnections(), 30)
        self.assertEqual(server.listenBacklogSize(), 50)
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)
        self.assertEqual(server.errorString(), "")
        self.assertFalse(server.hasPendingConnections())
        self.assertIsNone(server.nextPendingConnection())
        self.assertEqual(server.proxy().type(), QNetworkProxy.ProxyType.DefaultProxy)
        self.assertIsNone(server.parent())

    def test_getSetCheck(self) -> None:
        """
        B15 (getSetCheck): setMaxPendingConnections() stores 0, INT_MIN,
        INT_MAX and a negative value unchanged.
        """
        server = QTcpServer()
        for value in (0, -(2**31), 2**31 - 1, -7):
            server.setMaxPendingConnections(value)
            self.assertEqual(server.maxPendingConnections(), value)

    def test_listenBacklogSize(self) -> None:
        """
        B33: the backlog defaults to 50 and setListenBacklogSize(5) is read
        back as 5.
        """
        server = QTcpServer()
        self.assertEqual(server.listenBacklogSize(), 50)
        server.setListenBacklogSize(5)
        self.assertEqual(server.listenBacklogSize(), 5)

    def test_pauseResumeWhenNotListening(self) -> None:
        """
        B18: pauseAccepting() and resumeAccepting() on a server that is not
        listening are no-ops (qtwisted's documented choice; Qt crashes).
        """
        server = QTcpServer()
        server.pauseAccepting()
        server.resumeAccepting()
        server.pauseAccepting()
        self.assertFalse(server.isListening())
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)
        self.assertEqual(server.errorString(), "")
        # The pause before listen() is forgotten: a new listen accepts.
        self.assertTrue(server.listen(Special.LocalHost))
        self.addCleanup(server.close)
        self.assertTrue(server._listener is not None and server._listener.isReading())

    def test_crashTests(self) -> None:
        """
        B22 (crashTests): close() on a never-listening server is harmless,
        also twice, and a later listen() succeeds.
        """
        server = QTcpServer()
        server.close()
        server.close()
        self.assertTrue(server.listen(Special.LocalHost))
        self.addCleanup(server.close)
        self.assertTrue(server.isListening())

    def test_waitForNewConnectionWhenNotListening(self) -> None:
        """
        B27: waitForNewConnection() on a server that is not listening fires
        at once with (False, False) (qtwisted reports timedOut False) and sets
        no error.
        """
        server = QTcpServer(reactor=MemoryReactor())
        for msec in (0, 100, -1):
            self.assertEqual(self.successResultOf(server.waitForNewConnection(msec)), (False, False))
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)
        self.assertEqual(server.errorString(), "")

    def test_publicName(self) -> None:
        """
        qtwisted.QTcpServer is the class of qtwisted._tcpserver.
        """
        from qtwisted import _tcpserver

        self.assertIs(qtwisted.QTcpServer, _tcpserver.QTcpServer)


class ListenTests(ServerTestCase):
    """
    listen() on IPv4 loopback: success, failure, and the error state.
    """

    def test_listenDefault(self) -> None:
        """
        B2: listen() with no arguments returns True, listens on every
        interface (serverAddress() == QHostAddress(Any), AnyIPv4 without
        IPv6) on a port > 0, with a listening descriptor.
        """
        server = self.makeServer()
        self.assertTrue(server.listen())
        self.assertTrue(server.isListening())
        self.assertGreater(server.serverPort(), 0)
        expected = Special.AnyIPv4 if NO_IPV6 else Special.Any
        self.assertEqual(server.serverAddress(), QHostAddress(expected))
        fd = server.socketDescriptor()
        self.assertGreaterEqual(fd, 0)
        probe = socket.socket(fileno=os.dup(fd))
        with probe:
            self.assertEqual(probe.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), 1)
            self.assertEqual(probe.getsockname()[1], server.serverPort())

    def test_listenWhileListening(self) -> None:
        """
        B3 (listenWhileListening): a second listen() returns False, logs
        "QTcpServer::listen() called when already listening", and the server
        keeps its port and its error state.
        """
        log = self.capturedLog()
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        port = server.serverPort()
        self.assertFalse(server.listen())
        self.assertFalse(server.listen(Special.LocalHost, freePort()))
        self.assertEqual(
            log, ["QTcpServer::listen() called when already listening"] * 2
        )
        self.assertTrue(server.isListening())
        self.assertEqual(server.serverPort(), port)
        self.assertEqual(server.serverAddress(), QHostAddress(Special.LocalHost))
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)
        self.assertEqual(server.errorString(), "")

    def test_listenError(self) -> None:
        """
        B4 (listenError): listen(QHostAddress("1.2.3.4"), 0) returns False
        with SocketAddressNotAvailableError, "The address is not available".
        """
        server = self.makeServer()
        self.assertFalse(server.listen(QHostAddress("1.2.3.4"), 0))
        self.assertIs(server.serverError(), SocketError.SocketAddressNotAvailableError)
        self.assertEqual(server.errorString(), "The address is not available")
        self.assertNotListening(server)

    def test_addressInUse(self) -> None:
        """
        B5: listening on a port another socket listens on fails with
        AddressInUseError, "The bound address is already in use", for
        LocalHost, AnyIPv4 and Any.
        """
        blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(blocker.close)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        for address in (Special.LocalHost, Special.AnyIPv4, Special.Any):
            server = self.makeServer()
            self.assertFalse(server.listen(address, port), address)
            self.assertIs(server.serverError(), SocketError.AddressInUseError, address)
            self.assertEqual(server.errorString(), "The bound address is already in use")
            self.assertNotListening(server)

    def test_failedListenEmitsNothing(self) -> None:
        """
        B7: a failed listen() emits none of the server's signals.
        """
        server = self.makeServer()
        spies = [
            SignalSpy(server.newConnection),
            SignalSpy(server.pendingConnectionAvailable),
            SignalSpy(server.acceptError),
        ]
        self.assertFalse(server.listen(QHostAddress("1.2.3.4")))
        self.assertFalse(server.listen(QHostAddress()))
        self.assertEqual([len(spy) for spy in spies], [0, 0, 0])

    def test_successfulListenKeepsError(self) -> None:
        """
        B8: a successful listen() leaves the previous error and errorString
        in place.
        """
        server = self.makeServer()
        self.assertFalse(server.listen(QHostAddress("1.2.3.4")))
        self.assertTrue(server.listen(Special.LocalHost))
        self.assertIs(server.serverError(), SocketError.SocketAddressNotAvailableError)
        self.assertEqual(server.errorString(), "The address is not available")

    def test_serverAddress(self) -> None:
        """
        B9 (serverAddress): after listening on AnyIPv4, LocalHost or the
        interface address 127.0.0.1, serverAddress() equals that address.
        """
        rows = [
            (QHostAddress(Special.AnyIPv4), QHostAddress(Special.AnyIPv4), "0.0.0.0"),
            (QHostAddress(Special.LocalHost), QHostAddress(Special.LocalHost), "127.0.0.1"),
            (QHostAddress("127.0.0.1"), QHostAddress("127.0.0.1"), "127.0.0.1"),
        ]
        for listenAddress, expected, text in rows:
            server = self.makeServer()
            self.assertTrue(server.listen(listenAddress), text)
            self.assertEqual(server.serverAddress(), expected)
            self.assertEqual(server.serverAddress().toString(), text)
            self.assertEqual(
                server.serverAddress().protocol(), QAbstractSocket.IPv4Protocol
            )

    def test_qtbug6305(self) -> None:
        """
        B34 (qtbug6305): a second server cannot listen on the address and
        port of a listening one (LocalHost and AnyIPv4 rows).
        """
        for address in (QHostAddress(Special.LocalHost), QHostAddress(Special.AnyIPv4)):
            server = self.makeServer()
            self.assertTrue(server.listen(address), server.errorString())
            server2 = self.makeServer()
            self.assertFalse(server2.listen(address, server.serverPort()))
            self.assertIs(server2.serverError(), SocketError.AddressInUseError)
            self.assertTrue(server.isListening())

    async def test_portReusableAfterClose(self) -> None:
        """
        B35: a port freed by close() can be listened on again at once, even
        while a connection the server closed first sits in TIME_WAIT on it.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        port = server.serverPort()
        client = await self.connectClient(port)
        self.assertEqual(await withTimeout(server.waitForNewConnection(int(WAIT * 1000))), (True, False))
        accepted = self.take(server)
        accepted.disconnectFromHost()  # the server closes first: TIME_WAIT is ours
        await withTimeout(lostReason(client))
        server.close()
        self.assertFalse(canBind(port), "expected a TIME_WAIT entry on the port")
        self.assertTrue(server.listen(Special.LocalHost, port), server.errorString())
        self.assertEqual(server.serverPort(), port)

    def test_unsupportedAddresses(self) -> None:
        """
        listen() on a v4-mapped address (::ffff:127.0.0.1) or a Null address
        fails with UnsupportedSocketOperationError, "Unsupported socket
        operation", as observed in Qt 6.12.
        """
        for address in (QHostAddress("::ffff:127.0.0.1"), QHostAddress()):
            server = self.makeServer()
            self.assertFalse(server.listen(address), address)
            self.assertIs(server.serverError(), SocketError.UnsupportedSocketOperationError)
            self.assertEqual(server.errorString(), "Unsupported socket operation")
            self.assertNotListening(server)

    def test_proxy(self) -> None:
        """
        A proxy that cannot listen makes listen() fail with
        UnsupportedSocketOperationError, "Operation on socket is not
        supported"; a loopback address bypasses the proxy, as in Qt's
        resolveProxy().
        """
        server = self.makeServer()
        proxy = QNetworkProxy(QNetworkProxy.ProxyType.HttpProxy, "proxy.invalid", 3128)
        server.setProxy(proxy)
        self.assertEqual(server.proxy(), proxy)
        self.assertFalse(server.listen(Special.AnyIPv4))
        self.assertIs(server.serverError(), SocketError.UnsupportedSocketOperationError)
        self.assertEqual(server.errorString(), "Operation on socket is not supported")
        self.assertNotListening(server)
        self.assertTrue(server.listen(Special.LocalHost))

    def test_failedListenLeavesNothing(self) -> None:
        """
        After a failed listen() nothing is listening or open: not listening,
        port 0, descriptor -1, no descriptor leaked, and someone else can
        bind the port.
        """
        port = freePort()
        before = openDescriptors()
        server = self.makeServer()
        self.assertFalse(server.listen(QHostAddress("1.2.3.4"), port))
        self.assertNotListening(server)
        self.assertEqual(openDescriptors(), before)
        self.assertTrue(canBind(port))

        blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        before = openDescriptors()
        self.assertFalse(server.listen(Special.LocalHost, port))
        self.assertNotListening(server)
        self.assertEqual(openDescriptors(), before)
        blocker.close()
        self.assertTrue(canBind(port))


class PrivilegedPortTests(TestCase):
    """
    listen() on a port below 1024 without the privilege to bind it.
    """

    CHILD = r"""
import json, os, sys
from twisted.internet import reactor  # imported before dropping privileges
from qtwisted import QHostAddress, QTcpServer

port = int(sys.argv[1])
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
with open("/proc/self/status") as status:
    capEff = next(int(l.split()[1], 16) for l in status if l.startswith("CapEff:"))
if capEff & (1 << 10):
    print(json.dumps({"skip": "the test process has CAP_NET_BIND_SERVICE"}))
    sys.exit(0)
result = {}
for name in ("LocalHost", "AnyIPv4"):
    server = QTcpServer()
    ok = server.listen(getattr(QHostAddress.SpecialAddress, name), port)
    result[name] = [ok, int(server.serverError()), server.errorString(),
                    server.isListening(), server.socketDescriptor()]
    server.close()
print(json.dumps(result))
"""

    def test_privilegedPort(self) -> None:
        """
        B6: listen() on port 80 as an unprivileged user fails with
        SocketAccessError, "The address is protected" (run in a child
        process that drops root).
        """
        try:
            with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
                start = int(f.read())
        except OSError:
            start = 1024
        if start <= 80:
            raise SkipTest(f"ports from {start} are unprivileged on this host")
        root = os.path.dirname(os.path.dirname(os.path.abspath(qtwisted.__file__)))
        env = dict(os.environ, PYTHONPATH=root)
        done = subprocess.run(
            [sys.executable, "-c", self.CHILD, "80"],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            cwd="/",
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if "skip" in result:
            raise SkipTest(result["skip"])
        expected = [False, int(SocketError.SocketAccessError), "The address is protected", False, -1]
        self.assertEqual(result, {"LocalHost": expected, "AnyIPv4": expected})


class AcceptTests(ServerTestCase):
    """
    Accepting connections: signals, the queue, limits and pausing.
    """

    async def test_clientServerLoop(self) -> None:
        """
        clientServerLoop: one client gives one newConnection; the accepted
        socket and the client exchange data both ways.
        """
        server = self.makeServer()
        spy = SignalSpy(server.newConnection)
        self.assertFalse(server.isListening())
        self.assertFalse(server.hasPendingConnections())
        self.assertTrue(server.listen(Special.AnyIPv4, 0))
        self.assertTrue(server.isListening())
        client = await self.connectClient(server.serverPort())
        self.assertEqual(
            await withTimeout(server.waitForNewConnection(5000)), (True, False)
        )
        self.assertTrue(server.hasPendingConnections())
        self.assertEqual(len(spy), 1)
        serverSocket = self.take(server)
        self.assertEqual(serverSocket.write(b"Greetings, client!\n"), 19)
        serverSocket.flush()
        self.assertEqual(
            await withTimeout(client.receiveAtLeast(19)), b"Greetings, client!\n"
        )
        client.write(b"Well, hello to you!\n")
        await waitUntil(lambda: serverSocket.bytesAvailable() >= 20, "20 bytes")
        self.assertEqual(serverSocket.readAll(), b"Well, hello to you!\n")

    async def test_signalOrder(self) -> None:
        """
        B12: one client gives exactly one pendingConnectionAvailable, then
        exactly one newConnection, and hasPendingConnections() is True in
        both slots.
        """
        server = self.makeServer()
        events: list[tuple[str, bool]] = []
        server.pendingConnectionAvailable.connect(
            lambda: events.append(("pendingConnectionAvailable", server.hasPendingConnections()))
        )
        server.newConnection.connect(
            lambda: events.append(("newConnection", server.hasPendingConnections()))
        )
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        await sleep(QUIET)
        self.assertEqual(
            events, [("pendingConnectionAvailable", True), ("newConnection", True)]
        )

    async def test_nextPendingConnectionOrder(self) -> None:
        """
        B13: nextPendingConnection() returns connections in accept order,
        each a QTcpSocket in ConnectedState, open ReadWrite, with an empty
        peerName and the server as parent(); then None.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        clientPorts = []
        for i in range(3):
            client = await self.connectClient(server.serverPort())
            clientPorts.append(client.transport.getHost().port)  # type: ignore[union-attr]
            await waitForCount(spy, i + 1)
        taken = [self.take(server) for _ in range(3)]
        self.assertEqual([s.peerPort() for s in taken], clientPorts)
        for qsocket in taken:
            self.assertIsInstance(qsocket, QTcpSocket)
            self.assertIs(qsocket.state(), SocketState.ConnectedState)
            self.assertEqual(qsocket.openMode(), QAbstractSocket.OpenModeFlag.ReadWrite)
            self.assertEqual(qsocket.peerName(), "")
            self.assertIs(qsocket.parent(), server)
            self.assertEqual(qsocket.localPort(), server.serverPort())
        self.assertIsNone(server.nextPendingConnection())
        self.assertFalse(server.hasPendingConnections())

    async def test_deleteLaterDestroysChildren(self) -> None:
        """
        B13 and QObject ownership: deleteLater() on the server closes it and,
        on the next reactor turn, the taken sockets it still owns; a socket
        given another parent (here none) survives.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        owned = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        kept = await self.connectClient(server.serverPort())
        await waitForCount(spy, 2)
        ownedSocket = self.take(server)
        keptSocket = self.take(server)
        keptSocket.setParent(None)
        self.assertIs(ownedSocket.parent(), server)
        self.assertIn(ownedSocket, server.children())
        server.deleteLater()
        self.assertTrue(server.isListening())  # not before the next turn
        await withTimeout(lostReason(owned))
        self.assertFalse(server.isListening())
        self.assertIs(ownedSocket.state(), SocketState.UnconnectedState)
        self.assertIs(keptSocket.state(), SocketState.ConnectedState)
        keptSocket.write(b"still here")
        self.assertEqual(await withTimeout(kept.receiveAtLeast(10)), b"still here")

    async def test_deletedChildPeerReadsEOF(self) -> None:
        """
        B20, B13: a taken socket destroyed with its server is closed as Qt's
        abort() closes it, so its peer reads EOF rather than a reset.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        self.take(server)
        server.deleteLater()
        self.assertIsInstance(await withTimeout(lostReason(client)), ConnectionDone)

    async def test_maxPendingConnections(self) -> None:
        """
        B14 (maxPendingConnections): with a limit of 2 and three clients,
        exactly two newConnection signals arrive; once both are taken, the
        third is accepted.
        """
        server = self.makeServer()
        server.setMaxPendingConnections(2)
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        for _ in range(3):
            self.blockingClient(server.serverPort())
        self.assertEqual(self.successResultOf(server.waitForNewConnection(5000)), (True, False))
        self.assertEqual(len(spy), 2)
        await sleep(QUIET)
        self.assertEqual(len(spy), 2)
        self.assertTrue(server.hasPendingConnections())
        self.take(server)
        self.assertTrue(server.hasPendingConnections())
        self.take(server)
        self.assertFalse(server.hasPendingConnections())
        self.assertIsNone(server.nextPendingConnection())
        self.assertEqual(
            await withTimeout(server.waitForNewConnection(5000)), (True, False)
        )
        self.assertEqual(len(spy), 3)
        self.assertTrue(server.hasPendingConnections())
        self.take(server)

    async def test_zeroLimitNeverAccepts(self) -> None:
        """
        B16: with a limit of 0 a client is never accepted (no newConnection);
        raising the limit while listening starts accepting.
        """
        server = self.makeServer()
        server.setMaxPendingConnections(0)
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await sleep(QUIET)
        self.assertEqual(len(spy), 0)
        self.assertFalse(server.hasPendingConnections())
        server.setMaxPendingConnections(-1)
        await sleep(0.02)
        self.assertEqual(len(spy), 0)
        server.setMaxPendingConnections(1)
        await waitForCount(spy, 1)
        self.assertTrue(server.hasPendingConnections())

    async def test_pauseAccepting(self) -> None:
        """
        B17 (pauseAccepting): after pauseAccepting() new clients give no
        newConnection; after resumeAccepting() all are accepted (6 sockets,
        6 signals).
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        server.pauseAccepting()
        for _ in range(5):
            await self.connectClient(server.serverPort())
        await sleep(QUIET)
        self.assertEqual(len(spy), 1)
        server.resumeAccepting()
        await waitForCount(spy, 6)
        await sleep(0.02)
        self.assertEqual(len(spy), 6)

    async def test_nextPendingConnectionResumes(self) -> None:
        """
        B19: nextPendingConnection() on a paused server re-enables accepting.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        server.pauseAccepting()
        await self.connectClient(server.serverPort())
        await sleep(QUIET)
        self.assertEqual(len(spy), 1)
        self.take(server)
        await waitForCount(spy, 2)
        self.assertTrue(server.hasPendingConnections())

    async def test_closeDeletesQueuedConnections(self) -> None:
        """
        B20: close() deletes the connections still queued (their peers read
        EOF), emits nothing, and leaves taken connections connected.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        takenClient = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        queuedClient = await self.connectClient(server.serverPort())
        await waitForCount(spy, 2)
        taken = self.take(server)
        queued = server._pending._queue[0]
        spies = [
            SignalSpy(server.newConnection),
            SignalSpy(server.pendingConnectionAvailable),
            SignalSpy(server.acceptError),
        ]
        server.close()
        self.assertEqual([len(s) for s in spies], [0, 0, 0])
        self.assertFalse(server.hasPendingConnections())
        self.assertIs(queued.state(), SocketState.UnconnectedState)
        self.assertNotIn(queued, server.children())
        reason = await withTimeout(lostReason(queuedClient))
        self.assertIsInstance(reason, ConnectionDone)
        self.assertIs(taken.state(), SocketState.ConnectedState)
        taken.write(b"ok")
        self.assertEqual(await withTimeout(takenClient.receiveAtLeast(2)), b"ok")

    async def test_stateAfterClose(self) -> None:
        """
        B21: after close() the server is not listening, port 0, Null
        address, descriptor -1, nothing pending, the error unchanged, and
        listen() works again.
        """
        server = self.makeServer()
        self.assertFalse(server.listen(QHostAddress("1.2.3.4")))
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        server.close()
        self.assertNotListening(server)
        self.assertFalse(server.hasPendingConnections())
        self.assertIsNone(server.nextPendingConnection())
        self.assertIs(server.serverError(), SocketError.SocketAddressNotAvailableError)
        self.assertEqual(server.errorString(), "The address is not available")
        self.assertTrue(server.listen(Special.LocalHost))
        await self.connectClient(server.serverPort())
        await waitForCount(spy, 2)

    async def test_pendingConnectionAvailable(self) -> None:
        """
        pendingConnectionAvailable (QTcpServer row): a client gives one
        newConnection and one pendingConnectionAvailable.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        newSpy = SignalSpy(server.newConnection)
        pendingSpy = SignalSpy(server.pendingConnectionAvailable)
        await self.connectClient(server.serverPort())
        await waitForCount(newSpy, 1)
        self.assertEqual(len(pendingSpy), 1)

    async def test_pendingConnectionAvailableDerived(self) -> None:
        """
        B28, pendingConnectionAvailable (DerivedServer row): an
        incomingConnection() override that defers queuing still gives one
        newConnection per client but no pendingConnectionAvailable until it
        calls addPendingConnection().
        """
        server = self.makeServer(_DeferringServer)
        self.addCleanup(server.closeDescriptors)
        self.assertTrue(server.listen(Special.LocalHost))
        newSpy = SignalSpy(server.newConnection)
        pendingSpy = SignalSpy(server.pendingConnectionAvailable)
        clients = [await self.connectClient(server.serverPort()) for _ in range(2)]
        await waitForCount(newSpy, 2)
        self.assertEqual(len(pendingSpy), 0)
        self.assertFalse(server.hasPendingConnections())
        self.assertEqual(len(server.descriptors), 2)
        server.emitNextSocket()
        self.assertEqual(len(pendingSpy), 1)
        qsocket = self.take(server)
        self.assertIs(qsocket.state(), SocketState.ConnectedState)
        qsocket.write(b"hi")
        await waitUntil(
            lambda: any(bytes(c.received) == b"hi" for c in clients), "the greeting"
        )
        self.assertEqual(len(newSpy), 2)

    async def test_incomingConnectionRaises(self) -> None:
        """
        B28: an incomingConnection() override that raises is logged, its
        connection closed, and newConnection is still emitted; the server
        goes on accepting.
        """

        class Faulty(QTcpServer):
            def incomingConnection(self, socketDescriptor: int) -> None:
                raise RuntimeError("faulty override")

        server = self.makeServer(Faulty)
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        await withTimeout(lostReason(client))
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)
        self.assertFalse(server.hasPendingConnections())
        await self.connectClient(server.serverPort())
        await waitForCount(spy, 2)
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)

    def test_canAccessPendingConnectionsWhileNotListening(self) -> None:
        """
        B29 (canAccessPendingConnectionsWhileNotListening):
        addPendingConnection() works without listening, and
        nextPendingConnection() returns that socket with the warning
        "QTcpServer::nextPendingConnection() called while not listening".
        """
        log = self.capturedLog()
        server = self.makeServer()
        pendingSpy = SignalSpy(server.pendingConnectionAvailable)
        qsocket = QTcpSocket()
        server.addPendingConnection(qsocket)
        self.assertEqual(len(pendingSpy), 1)
        self.assertTrue(server.hasPendingConnections())
        self.assertIs(server.nextPendingConnection(), qsocket)
        self.assertEqual(log, ["QTcpServer::nextPendingConnection() called while not listening"])
        self.assertFalse(server.isListening())
        self.assertIsNone(server.nextPendingConnection())

    async def test_eagainBlockingAccept(self) -> None:
        """
        B31 (eagainBlockingAccept): accept() running dry (EAGAIN) neither
        emits acceptError nor pauses accepting: two sequential connections
        are both accepted, and a poll with nothing pending changes nothing.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost, 0))
        spy = SignalSpy(server.newConnection)
        errors = SignalSpy(server.acceptError)
        client = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1, timeout=0.5)
        await client.close()
        self.take(server)
        self.assertEqual(self.successResultOf(server.waitForNewConnection(0)), (False, True))
        client = await self.connectClient(server.serverPort())
        await waitForCount(spy, 2, timeout=0.5)
        await client.close()
        self.assertEqual(len(errors), 0)
        assert server._listener is not None
        self.assertTrue(server._listener.isReading())

    async def test_qtbug14268_peek(self) -> None:
        """
        qtbug14268_peek: peek() on an accepted socket sees all data received
        so far, accumulating across readyRead signals.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        peeked: list[str] = []

        def newConnection() -> None:
            qsocket = server.nextPendingConnection()
            assert qsocket is not None
            self.addCleanup(qsocket.abort)
            qsocket.readyRead.connect(lambda: peeked.append(qsocket.peek(128 * 1024).hex()))

        server.newConnection.connect(newConnection)
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        for data, expected in [
            (b"abc\n", "6162630a"),
            (b"def\n", "6162630a6465660a"),
            (b"ghi\n", "6162630a6465660a6768690a"),
        ]:
            client.write(data)
            await waitUntil(lambda: bool(peeked) and peeked[-1] == expected, expected)
            self.assertEqual(peeked[-1], expected)

    async def test_localHostPeerAddress(self) -> None:
        """
        B32 (IPv4 counterpart): on a LocalHost server the peer of an IPv4
        client is 127.0.0.1 (IPv4Protocol), with the client's port.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        qsocket = self.take(server)
        self.assertEqual(qsocket.peerAddress(), QHostAddress("127.0.0.1"))
        self.assertEqual(qsocket.peerAddress().protocol(), QAbstractSocket.IPv4Protocol)
        self.assertEqual(qsocket.peerPort(), client.transport.getHost().port)  # type: ignore[union-attr]
        self.assertEqual(qsocket.localAddress(), QHostAddress("127.0.0.1"))

    async def test_listenBacklogUsed(self) -> None:
        """
        B33: the backlog set before listen() is used: with a backlog of 1
        and accepting paused, the kernel completes only a few handshakes.
        """
        server = self.makeServer()
        server.setListenBacklogSize(1)
        self.assertTrue(server.listen(Special.LocalHost))
        server.pauseAccepting()
        completed = 0
        for _ in range(8):
            client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.addCleanup(client.close)
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", server.serverPort()))
        await sleep(0.1)
        # Linux answers SYNs beyond the backlog by dropping them; count the
        # established connections the listening socket holds.
        assert server._listener is not None and server._listener.socket is not None
        listening = server._listener.socket
        listening.setblocking(False)
        while True:
            try:
                conn, _ = listening.accept()
            except BlockingIOError:
                break
            conn.close()
            completed += 1
        self.assertLessEqual(completed, 2)
        self.assertGreaterEqual(completed, 1)


class _DeferringServer(QTcpServer):
    """
    The DerivedServer of tst_qtcpserver's pendingConnectionAvailable: its
    incomingConnection() keeps the descriptor and queues it only on request.
    """

    def __init__(self, parent: Any = None, reactor: Any = None) -> None:
        super().__init__(parent, reactor)
        self.descriptors: list[int] = []

    def incomingConnection(self, socketDescriptor: int) -> None:
        self.descriptors.append(socketDescriptor)

    def emitNextSocket(self) -> None:
        if not self.descriptors:
            return
        qsocket = QTcpSocket(self)
        qsocket.setSocketDescriptor(self.descriptors.pop())
        self.addPendingConnection(qsocket)

    def closeDescriptors(self) -> None:
        for fd in self.descriptors:
            os.close(fd)
        self.descriptors.clear()


class WaitForNewConnectionTests(ServerTestCase):
    """
    waitForNewConnection() returns a Deferred; timeouts run on a fake clock.
    """

    async def test_waitForConnectionTest(self) -> None:
        """
        B26, waitForConnectionTest: without clients waitForNewConnection(1000)
        gives (False, True) after 1 s with SocketTimeoutError, "Network
        operation timed out"; a later wait fires (True, False) when a client
        connects, and its timer is cancelled.
        """
        clock = Clock()
        server = self.makeServer(reactor=ClockedReactor(clock))
        self.assertTrue(server.listen(Special.LocalHost))
        d = server.waitForNewConnection(1000)
        self.assertNoResult(d)
        clock.advance(0.5)
        self.assertNoResult(d)
        clock.advance(0.5)
        self.assertEqual(self.successResultOf(d), (False, True))
        self.assertIs(server.serverError(), SocketError.SocketTimeoutError)
        self.assertEqual(server.errorString(), "Network operation timed out")
        self.assertTrue(server.isListening())

        d = server.waitForNewConnection(3000)
        self.assertEqual(len(clock.getDelayedCalls()), 1)
        await self.connectClient(server.serverPort())
        self.assertEqual(await withTimeout(d), (True, False))
        self.assertTrue(server.hasPendingConnections())
        self.assertEqual(clock.getDelayedCalls(), [])
        self.assertEqual(server.newConnection.receivers(), 0)

    def test_zeroPollsAtOnce(self) -> None:
        """
        B26: waitForNewConnection(0) with nothing pending fires at once with
        (False, True) and SocketTimeoutError, as Qt's does.
        """
        clock = Clock()
        server = self.makeServer(reactor=ClockedReactor(clock))
        self.assertTrue(server.listen(Special.LocalHost))
        self.assertEqual(self.successResultOf(server.waitForNewConnection()), (False, True))
        self.assertIs(server.serverError(), SocketError.SocketTimeoutError)
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_backlogAcceptedAtOnce(self) -> None:
        """
        A connection already waiting in the backlog is accepted inside
        waitForNewConnection(): (True, False) at once, newConnection emitted.
        """
        server = self.makeServer(reactor=ClockedReactor())
        self.assertTrue(server.listen(Special.LocalHost))
        spy = SignalSpy(server.newConnection)
        self.blockingClient(server.serverPort())
        self.assertEqual(self.successResultOf(server.waitForNewConnection(0)), (True, False))
        self.assertEqual(len(spy), 1)
        self.assertTrue(server.hasPendingConnections())
        self.take(server)

    def test_closeEndsWait(self) -> None:
        """
        close() during a wait fires it with (False, False) and cancels its
        timer.
        """
        clock = Clock()
        server = self.makeServer(reactor=ClockedReactor(clock))
        self.assertTrue(server.listen(Special.LocalHost))
        forever = server.waitForNewConnection(-1)
        timed = server.waitForNewConnection(5000)
        server.close()
        self.assertEqual(self.successResultOf(forever), (False, False))
        self.assertEqual(self.successResultOf(timed), (False, False))
        self.assertEqual(clock.getDelayedCalls(), [])
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)

    def test_cancel(self) -> None:
        """
        Cancelling a wait stops it: its timer and its slot are removed.
        """
        clock = Clock()
        server = self.makeServer(reactor=ClockedReactor(clock))
        self.assertTrue(server.listen(Special.LocalHost))
        d = server.waitForNewConnection(5000)
        d.cancel()
        self.failureResultOf(d, CancelledError)
        self.assertEqual(clock.getDelayedCalls(), [])
        self.assertEqual(server.newConnection.receivers(), 0)
        server.close()


class SocketDescriptorTests(ServerTestCase):
    """
    setSocketDescriptor(): adopting a listening native socket.
    """

    async def test_setSocketDescriptor(self) -> None:
        """
        B24, setSocketDescriptor: a bound and listening native socket is
        adopted (True), the server accepts on it, reports its port and
        address, and close() closes the descriptor.
        """
        native = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        native.bind(("127.0.0.1", 0))
        native.listen(10)
        port = native.getsockname()[1]
        fd = native.detach()
        server = self.makeServer()
        spy = SignalSpy(server.newConnection)
        self.assertTrue(server.setSocketDescriptor(fd))
        self.assertTrue(server.isListening())
        self.assertEqual(server.socketDescriptor(), fd)
        self.assertEqual(server.serverPort(), port)
        self.assertEqual(server.serverAddress(), QHostAddress("127.0.0.1"))
        client = await self.connectClient(port)
        await waitForCount(spy, 1)
        qsocket = self.take(server)
        self.assertEqual(qsocket.peerPort(), client.transport.getHost().port)  # type: ignore[union-attr]
        server.close()
        self.assertEqual(server.socketDescriptor(), -1)
        self.assertFalse(isOpen(fd))

    def test_invalidDescriptor(self) -> None:
        """
        B23, setSocketDescriptor: an invalid descriptor (-2, one that is not
        open, Qt's 42 when unused) gives False, UnsupportedSocketOperationError,
        "Invalid socket descriptor", and socketDescriptor() stays -1.
        """
        candidates = [-2, unusedDescriptor()]
        if not isOpen(42):
            candidates.append(42)
        for fd in candidates:
            server = self.makeServer()
            self.assertFalse(server.setSocketDescriptor(fd), fd)
            self.assertIs(server.serverError(), SocketError.UnsupportedSocketOperationError)
            self.assertEqual(server.errorString(), "Invalid socket descriptor")
            self.assertNotListening(server)

    def test_whileListening(self) -> None:
        """
        B25: setSocketDescriptor() while listening returns False, logs
        "QTcpServer::setSocketDescriptor() called when already listening",
        and neither the server nor the other descriptor changes.
        """
        log = self.capturedLog()
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        port = server.serverPort()
        other = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(other.close)
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        self.assertFalse(server.setSocketDescriptor(other.fileno()))
        self.assertEqual(log, ["QTcpServer::setSocketDescriptor() called when already listening"])
        self.assertEqual(server.serverPort(), port)
        self.assertNotEqual(server.socketDescriptor(), other.fileno())
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)
        self.assertTrue(isOpen(other.fileno()))

    def test_refusesNonListeningDescriptors(self) -> None:
        """
        B23 (qtwisted's deliberate deviation): a pipe, a bound but not
        listening TCP socket, and a listening UNIX socket are refused with
        "Invalid socket descriptor" (Qt accepts them), and stay open: the
        caller still owns them.
        """
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(bound.close)
        bound.bind(("127.0.0.1", 0))
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(unix.close)
        unix.bind(os.path.join(directory, "s"))
        unix.listen(1)
        for fd in (r, bound.fileno(), unix.fileno()):
            server = self.makeServer()
            self.assertFalse(server.setSocketDescriptor(fd), fd)
            self.assertIs(server.serverError(), SocketError.UnsupportedSocketOperationError)
            self.assertEqual(server.errorString(), "Invalid socket descriptor")
            self.assertNotListening(server)
            self.assertTrue(isOpen(fd))


class _ScriptedSocket:
    """
    Wraps a real listening socket; accept() raises the scripted errors
    first, then accepts for real.
    """

    def __init__(self, real: socket.socket, errors: list[OSError]) -> None:
        self._real = real
        self.errors = errors
        self.acceptCalls = 0

    def accept(self) -> tuple[socket.socket, Any]:
        self.acceptCalls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self._real.accept()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _emfile() -> OSError:
    return OSError(errno.EMFILE, os.strerror(errno.EMFILE))


class AcceptErrorTests(ServerTestCase):
    """
    accept() failures on a real listening socket whose accept() is scripted;
    the back-off runs on a fake clock.  (A real EMFILE is provoked in
    tests.test_tcpserver_emfile.)
    """

    def listening(self, errors: list[OSError]) -> tuple[QTcpServer, Clock, _ScriptedSocket]:
        clock = Clock()
        server = self.makeServer(reactor=ClockedReactor(clock))
        self.assertTrue(server.listen(Special.LocalHost))
        listener = server._listener
        assert listener is not None and listener.socket is not None
        scripted = _ScriptedSocket(listener.socket, errors)
        listener.socket = scripted  # type: ignore[assignment]
        return server, clock, scripted

    async def test_acceptErrorOncePerEpisode(self) -> None:
        """
        B30 (qtwisted's rule): a failing accept() (EMFILE) emits acceptError
        (SocketResourceError, "Out of resources") once, stops polling, retries
        after 50 ms then 100 ms without a second signal, and accepts the
        client by itself once accept() works; the server stays listening.
        """
        server, clock, scripted = self.listening([_emfile(), _emfile()])
        errors = SignalSpy(server.acceptError)
        connections = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(errors, 1)
        self.assertEqual(errors.emissions, [(SocketError.SocketResourceError,)])
        self.assertIs(server.serverError(), SocketError.SocketResourceError)
        self.assertEqual(server.errorString(), "Out of resources")
        self.assertTrue(server.isListening())
        assert server._listener is not None
        self.assertFalse(server._listener.isReading())
        self.assertEqual(scripted.acceptCalls, 1)
        await sleep(0.05)  # real time passes, the fake clock does not
        self.assertEqual(scripted.acceptCalls, 1)
        [retry] = clock.getDelayedCalls()
        self.assertAlmostEqual(retry.getTime() - clock.seconds(), 0.05)

        clock.advance(0.05)
        self.assertEqual(scripted.acceptCalls, 2)
        self.assertEqual(len(errors), 1)
        [retry] = clock.getDelayedCalls()
        self.assertAlmostEqual(retry.getTime() - clock.seconds(), 0.1)

        clock.advance(0.1)
        self.assertEqual(len(connections), 1)
        self.assertEqual(len(errors), 1)
        self.assertTrue(server._listener.isReading())
        self.assertEqual(clock.getDelayedCalls(), [])
        self.assertTrue(server.isListening())
        self.take(server)

    async def test_newEpisodeReported(self) -> None:
        """
        B30: after a recovery, the next failure is a new episode: acceptError
        again, and the back-off starts again at 50 ms.
        """
        server, clock, scripted = self.listening([_emfile()])
        errors = SignalSpy(server.acceptError)
        await self.connectClient(server.serverPort())
        await waitForCount(errors, 1)
        clock.advance(0.05)
        self.assertTrue(server.hasPendingConnections())
        scripted.errors.append(_emfile())
        await self.connectClient(server.serverPort())
        await waitForCount(errors, 2)
        [retry] = clock.getDelayedCalls()
        self.assertAlmostEqual(retry.getTime() - clock.seconds(), 0.05)

    async def test_resumeAcceptingRetriesAtOnce(self) -> None:
        """
        B30: resumeAccepting() during the back-off retries at once.
        """
        server, clock, scripted = self.listening([_emfile()])
        errors = SignalSpy(server.acceptError)
        connections = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(errors, 1)
        server.resumeAccepting()
        self.assertEqual(clock.getDelayedCalls(), [])
        await waitForCount(connections, 1)
        self.assertEqual(len(errors), 1)

    async def test_nextPendingConnectionRetriesAtOnce(self) -> None:
        """
        B30, B19: nextPendingConnection() during the back-off retries at once.
        """
        server, clock, scripted = self.listening([])
        errors = SignalSpy(server.acceptError)
        connections = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(connections, 1)
        scripted.errors.append(_emfile())
        await self.connectClient(server.serverPort())
        await waitForCount(errors, 1)
        self.take(server)
        self.assertEqual(clock.getDelayedCalls(), [])
        await waitForCount(connections, 2)

    async def test_closeCancelsBackoff(self) -> None:
        """
        B30: close() during the back-off cancels the retry.
        """
        server, clock, scripted = self.listening([_emfile()])
        errors = SignalSpy(server.acceptError)
        await self.connectClient(server.serverPort())
        await waitForCount(errors, 1)
        server.close()
        self.assertEqual(clock.getDelayedCalls(), [])
        self.assertFalse(server.isListening())

    async def test_temporaryErrorsIgnored(self) -> None:
        """
        B31 (and qtwisted's deviation for ECONNABORTED): temporary accept()
        failures neither emit acceptError nor pause; the next accept() goes
        on at once.
        """
        server, clock, scripted = self.listening(
            [OSError(errno.ECONNABORTED, "aborted"), OSError(errno.EINTR, "interrupted")]
        )
        errors = SignalSpy(server.acceptError)
        connections = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(connections, 1)
        self.assertEqual(len(errors), 0)
        self.assertEqual(clock.getDelayedCalls(), [])
        assert server._listener is not None
        self.assertTrue(server._listener.isReading())
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)


class _FakeListeningSocket:
    """
    Stands in for a listening socket: accept() plays a script of results
    and errors, then raises EAGAIN.
    """

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.blocking = True
        self.closed = False

    def setblocking(self, flag: bool) -> None:
        self.blocking = flag

    def fileno(self) -> int:
        return -1 if self.closed else 99

    def accept(self) -> Any:
        if not self.script:
            raise BlockingIOError(errno.EAGAIN, "again")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self.closed = True


class ListenerTests(SynchronousTestCase):
    """
    L{Listener}, Qt's accept loop, on a fake socket and a memory reactor.
    """

    def make(
        self, script: list[Any], mayAccept: Callable[[], bool] = lambda: True
    ) -> tuple[Listener, _FakeListeningSocket, MemoryReactor, list[Any], list[OSError]]:
        fake = _FakeListeningSocket(script)
        memory = MemoryReactor()
        accepted: list[Any] = []
        failed: list[OSError] = []
        listener = Listener(
            fake,  # type: ignore[arg-type]
            memory,
            lambda conn, addr: accepted.append(conn),
            failed.append,
            mayAccept,
        )
        return listener, fake, memory, accepted, failed

    def test_setup(self) -> None:
        """
        The listening socket is made non-blocking; reading starts only when
        asked, and the reactor sees it.
        """
        listener, fake, memory, _, _ = self.make([])
        self.assertFalse(fake.blocking)
        self.assertEqual(listener.fileno(), 99)
        self.assertFalse(listener.isReading())
        listener.startReading()
        listener.startReading()
        self.assertTrue(listener.isReading())
        self.assertEqual(memory.getReaders(), [listener])
        listener.stopReading()
        self.assertEqual(memory.getReaders(), [])

    def test_acceptsUntilDry(self) -> None:
        """
        B31: doRead() accepts every waiting connection and stops quietly at
        EAGAIN, still reading.
        """
        listener, fake, _, accepted, failed = self.make([("c1", 1), ("c2", 2), ("c3", 3)])
        listener.startReading()
        listener.doRead()
        self.assertEqual((accepted, failed), (["c1", "c2", "c3"], []))
        self.assertTrue(listener.isReading())

    def test_limitCheckedBeforeEachAccept(self) -> None:
        """
        B14: the limit is asked before each accept(); when it says no, the
        loop stops and reading stops, leaving the rest in the backlog.
        """
        room = [2]

        def mayAccept() -> bool:
            return len(accepted) < room[0]

        listener, fake, memory, accepted, _ = self.make([("c1", 1), ("c2", 2), ("c3", 3)], mayAccept)
        listener.startReading()
        listener.doRead()
        self.assertEqual(accepted, ["c1", "c2"])
        self.assertEqual(len(fake.script), 1)
        self.assertFalse(listener.isReading())
        self.assertEqual(memory.getReaders(), [])

    def test_boundedBatch(self) -> None:
        """
        One doRead() accepts at most _MAX_ACCEPTS_PER_READ connections, so a
        flood cannot starve the reactor.
        """
        listener, fake, _, accepted, _ = self.make([(i, i) for i in range(300)])
        listener.doRead()
        self.assertEqual(len(accepted), _MAX_ACCEPTS_PER_READ)
        listener.doRead()
        self.assertEqual(len(accepted), 2 * _MAX_ACCEPTS_PER_READ)

    def test_temporaryErrorsSkipped(self) -> None:
        """
        B31: temporary accept() errors (ECONNABORTED, EINTR, EPROTO) are
        skipped without reporting.
        """
        script = [
            OSError(errno.ECONNABORTED, "x"),
            OSError(errno.EINTR, "x"),
            OSError(errno.EPROTO, "x"),
            ("c1", 1),
        ]
        listener, _, _, accepted, failed = self.make(script)
        listener.doRead()
        self.assertEqual((accepted, failed), (["c1"], []))

    def test_nonTemporaryErrorReported(self) -> None:
        """
        B30: a non-temporary error (EMFILE) is reported once and ends the
        loop; the waiting connection stays in the backlog.
        """
        error = _emfile()
        listener, fake, _, accepted, failed = self.make([error, ("c1", 1)])
        listener.doRead()
        self.assertEqual((accepted, failed), ([], [error]))
        self.assertEqual(fake.script, [("c1", 1)])

    def test_closedBySlot(self) -> None:
        """
        A slot that closes the server while the loop runs stops the loop.
        """
        fake = _FakeListeningSocket([("c1", 1), ("c2", 2)])
        accepted: list[Any] = []

        def onAccepted(conn: Any, addr: Any) -> None:
            accepted.append(conn)
            listener.close()

        listener = Listener(fake, MemoryReactor(), onAccepted, lambda e: None, lambda: True)  # type: ignore[arg-type]
        listener.doRead()
        self.assertEqual(accepted, ["c1"])

    def test_close(self) -> None:
        """
        close() stops reading and closes the socket; a second close() and a
        late doRead() are harmless.
        """
        listener, fake, memory, accepted, _ = self.make([("c1", 1)])
        listener.startReading()
        listener.close()
        self.assertTrue(fake.closed)
        self.assertEqual((listener.fileno(), listener.isReading(), listener.socket), (-1, False, None))
        self.assertEqual(memory.getReaders(), [])
        listener.close()
        listener.doRead()
        self.assertEqual(accepted, [])
        listener.startReading()
        self.assertEqual(memory.getReaders(), [])


class ListenerLostTests(ServerTestCase):
    """
    The reactor dropping the listening socket (it stops, or the descriptor
    broke).
    """

    def test_reactorShutdownQuiet(self) -> None:
        """
        connectionLost(ConnectionLost), what a stopping reactor sends, closes
        the socket, tells the owner once, and logs nothing.
        """
        log = self.capturedLog()
        fake = _FakeListeningSocket([])
        calls: list[bool] = []
        listener = Listener(
            fake, MemoryReactor(), lambda c, a: None, lambda e: None, lambda: True,  # type: ignore[arg-type]
            lambda: calls.append(True),
        )
        listener.connectionLost(Failure(ConnectionLost()))
        listener.connectionLost(Failure(ConnectionLost()))
        self.assertEqual((fake.closed, listener.fileno(), calls, log), (True, -1, [True], []))

    def test_brokenDescriptorLogged(self) -> None:
        """
        connectionLost() for any other reason is logged as an error.
        """
        fake = _FakeListeningSocket([])
        listener = Listener(fake, MemoryReactor(), lambda c, a: None, lambda e: None, lambda: True)  # type: ignore[arg-type]
        listener.connectionLost(Failure(OSError(errno.EBADF, "bad")))
        self.assertTrue(fake.closed)
        self.assertEqual(len(self.flushLoggedErrors(OSError)), 1)

    def test_serverStopsListening(self) -> None:
        """
        When the reactor drops its listening socket the server is no longer
        listening (port 0, descriptor -1) and can listen again.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        listener = server._listener
        assert listener is not None
        reactor.removeReader(listener)  # what the reactor does first
        listener.connectionLost(Failure(ConnectionLost()))
        self.assertNotListening(server)
        self.assertTrue(server.listen(Special.LocalHost))


class BadInputTests(ServerTestCase):
    """
    Programmer errors raise TypeError or ValueError naming the bad value and
    leave the server as it was.
    """

    def assertRaisesNaming(
        self, exception: type[Exception], value: object, f: Callable[..., object], *args: object
    ) -> None:
        error = self.assertRaises(exception, f, *args)
        self.assertIn(repr(value), str(error))

    def test_listenAddress(self) -> None:
        """
        listen() with an address that is not a QHostAddress, SpecialAddress
        or str raises TypeError, an unparsable string ValueError, both naming
        the value.
        """
        server = self.makeServer()
        before = openDescriptors()
        for value in (42, b"127.0.0.1", None, 1.5):
            self.assertRaisesNaming(TypeError, value, server.listen, value)
        for text in ("localhost", "999.1.1.1", "[::1]"):
            self.assertRaisesNaming(ValueError, text, server.listen, text)
        self.assertNotListening(server)
        self.assertEqual(openDescriptors(), before)

    def test_listenPort(self) -> None:
        """
        listen() with a port that is not an int raises TypeError, one
        outside 0..65535 ValueError, both naming the value; nothing listens.
        """
        server = self.makeServer()
        before = openDescriptors()
        for value in ("80", 8.0, True, None):
            self.assertRaisesNaming(TypeError, value, server.listen, Special.LocalHost, value)
        for number in (-1, 65536, 2**40):
            self.assertRaisesNaming(ValueError, number, server.listen, Special.LocalHost, number)
        self.assertNotListening(server)
        self.assertEqual(openDescriptors(), before)
        self.assertIs(server.serverError(), SocketError.UnknownSocketError)

    def test_setMaxPendingConnections(self) -> None:
        """
        setMaxPendingConnections() with a non-int raises TypeError, with a
        value beyond Qt's int ValueError, both naming it; the limit stays.
        """
        server = self.makeServer()
        for value in ("3", 2.5, None, False):
            self.assertRaisesNaming(TypeError, value, server.setMaxPendingConnections, value)
        for number in (2**31, -(2**31) - 1):
            self.assertRaisesNaming(ValueError, number, server.setMaxPendingConnections, number)
        self.assertEqual(server.maxPendingConnections(), 30)

    def test_setListenBacklogSize(self) -> None:
        """
        setListenBacklogSize() with a non-int raises TypeError, beyond Qt's
        int ValueError, both naming the value; the size stays 50.
        """
        server = self.makeServer()
        for value in ("5", 5.0):
            self.assertRaisesNaming(TypeError, value, server.setListenBacklogSize, value)
        self.assertRaisesNaming(ValueError, 2**31, server.setListenBacklogSize, 2**31)
        self.assertEqual(server.listenBacklogSize(), 50)

    def test_setSocketDescriptor(self) -> None:
        """
        setSocketDescriptor() with a non-int raises TypeError, beyond
        qintptr ValueError, both naming the value; a number that fits but is
        no descriptor gets Qt's answer.
        """
        server = self.makeServer()
        for value in ("3", 3.0, None):
            self.assertRaisesNaming(TypeError, value, server.setSocketDescriptor, value)
        self.assertRaisesNaming(ValueError, 2**63, server.setSocketDescriptor, 2**63)
        self.assertNotListening(server)
        self.assertFalse(server.setSocketDescriptor(2**62))
        self.assertIs(server.serverError(), SocketError.UnsupportedSocketOperationError)
        self.assertEqual(server.errorString(), "Invalid socket descriptor")

    def test_waitForNewConnection(self) -> None:
        """
        waitForNewConnection() with a non-int raises TypeError, beyond Qt's
        int ValueError, both naming the value.
        """
        server = self.makeServer(reactor=ClockedReactor())
        self.assertTrue(server.listen(Special.LocalHost))
        for value in ("100", 1.5, None):
            self.assertRaisesNaming(TypeError, value, server.waitForNewConnection, value)
        self.assertRaisesNaming(ValueError, 2**31, server.waitForNewConnection, 2**31)
        self.assertEqual(server.newConnection.receivers(), 0)

    def test_setProxy(self) -> None:
        """
        setProxy() with something that is not a QNetworkProxy raises
        TypeError naming it.
        """
        server = self.makeServer()
        self.assertRaisesNaming(TypeError, "none", server.setProxy, "none")
        self.assertEqual(server.proxy().type(), QNetworkProxy.ProxyType.DefaultProxy)

    def test_listenEndpoint(self) -> None:
        """
        listenEndpoint() with neither a string nor an endpoint raises
        TypeError naming it; an invalid description raises ValueError naming
        it; nothing listens afterwards.
        """
        server = self.makeServer()
        self.assertRaisesNaming(TypeError, 42, server.listenEndpoint, 42)
        for description in ("bogus:1", "tcp:notaport", "tcp:70000x"):
            self.assertRaisesNaming(ValueError, description, server.listenEndpoint, description)
        self.assertNotListening(server)


class ListenEndpointTests(ServerTestCase):
    """
    listenEndpoint(): listening on a Twisted endpoint (not in Qt).
    """

    def socketPath(self) -> str:
        """
        A UNIX socket path in a new temporary directory (short enough for
        sun_path), removed after the servers have stopped listening.
        """
        directory = tempfile.mkdtemp()
        # Registered first, so it runs last: Twisted removes the socket file
        # one reactor turn after stopListening().
        self.addCleanup(deferLater, reactor, 0, shutil.rmtree, directory, True)
        return os.path.join(directory, "server.sock")

    async def test_tcp(self) -> None:
        """
        "tcp:0:interface=127.0.0.1" listens on loopback; a client arrives via
        pendingConnectionAvailable and newConnection, and
        nextPendingConnection() gives a connected socket owned by the server.
        """
        server = self.makeServer()
        self.assertTrue(await withTimeout(server.listenEndpoint("tcp:0:interface=127.0.0.1")))
        self.assertTrue(server.isListening())
        self.assertGreater(server.serverPort(), 0)
        self.assertEqual(server.serverAddress(), QHostAddress("127.0.0.1"))
        self.assertGreaterEqual(server.socketDescriptor(), 0)
        events: list[str] = []
        server.pendingConnectionAvailable.connect(lambda: events.append("pending"))
        server.newConnection.connect(lambda: events.append("new"))
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        self.assertEqual(events, ["pending", "new"])
        qsocket = self.take(server)
        self.assertIs(qsocket.parent(), server)
        self.assertIs(qsocket.state(), SocketState.ConnectedState)
        self.assertEqual(qsocket.peerPort(), client.transport.getHost().port)  # type: ignore[union-attr]
        client.write(b"ping")
        await waitUntil(lambda: qsocket.bytesAvailable() >= 4, "4 bytes")
        self.assertEqual(qsocket.readAll(), b"ping")
        qsocket.write(b"pong")
        self.assertEqual(await withTimeout(client.receiveAtLeast(4)), b"pong")
        self.assertIsNone(server.nextPendingConnection())
        server.close()
        self.assertNotListening(server)

    async def test_unix(self) -> None:
        """
        A unix: endpoint in a temporary directory: a client arrives via
        newConnection and nextPendingConnection() gives a working socket.
        """
        path = self.socketPath()
        server = self.makeServer()
        self.assertTrue(await withTimeout(server.listenEndpoint(f"unix:{path}")))
        self.assertTrue(server.isListening())
        self.assertEqual(server.serverPort(), 0)
        pendingSpy = SignalSpy(server.pendingConnectionAvailable)
        spy = SignalSpy(server.newConnection)
        client = await withTimeout(
            UNIXClientEndpoint(reactor, path).connect(Factory.forProtocol(LoopbackClient))
        )
        self.addCleanup(client.abort)
        await waitForCount(spy, 1)
        self.assertEqual(len(pendingSpy), 1)
        qsocket = self.take(server)
        self.assertIs(qsocket.parent(), server)
        client.write(b"over unix")
        await waitUntil(lambda: qsocket.bytesAvailable() >= 9, "9 bytes")
        self.assertEqual(qsocket.readAll(), b"over unix")
        qsocket.write(b"back")
        self.assertEqual(await withTimeout(client.receiveAtLeast(4)), b"back")

    async def test_unixAddressInUse(self) -> None:
        """
        A unix: path another server listens on gives False with
        AddressInUseError, "The bound address is already in use".
        """
        path = self.socketPath()
        first = self.makeServer()
        self.assertTrue(await withTimeout(first.listenEndpoint(f"unix:{path}")))
        second = self.makeServer()
        self.assertFalse(await withTimeout(second.listenEndpoint(f"unix:{path}")))
        self.assertIs(second.serverError(), SocketError.AddressInUseError)
        self.assertEqual(second.errorString(), "The bound address is already in use")
        self.assertNotListening(second)
        self.assertTrue(first.isListening())

    async def test_tcpAddressInUse(self) -> None:
        """
        A tcp: port that is taken gives False with AddressInUseError, "The
        bound address is already in use", and nothing listening.
        """
        blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(blocker.close)
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        server = self.makeServer()
        spy = SignalSpy(server.acceptError)
        self.assertFalse(
            await withTimeout(server.listenEndpoint(f"tcp:{port}:interface=127.0.0.1"))
        )
        self.assertIs(server.serverError(), SocketError.AddressInUseError)
        self.assertEqual(server.errorString(), "The bound address is already in use")
        self.assertNotListening(server)
        self.assertEqual(len(spy), 0)

    async def test_whileListening(self) -> None:
        """
        B3 for endpoints: listenEndpoint() on a listening server fires False
        with the "already listening" warning; the server keeps its port.
        """
        log = self.capturedLog()
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        port = server.serverPort()
        self.assertFalse(await withTimeout(server.listenEndpoint("tcp:0:interface=127.0.0.1")))
        self.assertEqual(log, ["QTcpServer::listen() called when already listening"])
        self.assertEqual(server.serverPort(), port)

    async def test_limitAndPause(self) -> None:
        """
        B14, B17 for endpoints: a full queue and pauseAccepting() stop
        accepting, nextPendingConnection() and resumeAccepting() restart it.
        """
        server = self.makeServer()
        server.setMaxPendingConnections(1)
        self.assertTrue(await withTimeout(server.listenEndpoint("tcp:0:interface=127.0.0.1")))
        spy = SignalSpy(server.newConnection)
        await self.connectClient(server.serverPort())
        await waitForCount(spy, 1)
        await self.connectClient(server.serverPort())
        await sleep(QUIET)
        self.assertEqual(len(spy), 1)
        self.take(server)
        await waitForCount(spy, 2)
        self.take(server)
        server.pauseAccepting()
        await self.connectClient(server.serverPort())
        await sleep(QUIET)
        self.assertEqual(len(spy), 2)
        server.resumeAccepting()
        await waitForCount(spy, 3)

    async def test_closeBeforeListening(self) -> None:
        """
        close() before the endpoint has answered leaves nothing listening
        once it does.
        """
        server = self.makeServer()
        d: Deferred[Any] = Deferred()

        class SlowEndpoint:
            def listen(self, factory: Any) -> Deferred[Any]:
                return d

        from zope.interface import directlyProvides
        from twisted.internet.interfaces import IStreamServerEndpoint

        endpoint = SlowEndpoint()
        directlyProvides(endpoint, IStreamServerEndpoint)
        result = server.listenEndpoint(endpoint)  # type: ignore[arg-type]
        self.assertTrue(server.isListening())
        server.close()
        self.assertFalse(server.isListening())
        stopped: list[bool] = []

        class Port:
            def stopListening(self) -> None:
                stopped.append(True)

        d.callback(Port())
        self.assertFalse(self.successResultOf(result))
        self.assertEqual(stopped, [True])
        self.assertFalse(server.isListening())


class IPv6Tests(ServerTestCase):
    """
    IPv6 and dual-stack listening on ::1.
    """

    skip = NO_IPV6

    async def test_ipv6Server(self) -> None:
        """
        ipv6Server, B9: a server on LocalHostIPv6 reports ::1 and accepts a
        client connecting to ::1.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHostIPv6, 0))
        self.assertEqual(server.serverAddress(), QHostAddress(Special.LocalHostIPv6))
        self.assertEqual(server.serverAddress().protocol(), QAbstractSocket.IPv6Protocol)
        await self.connectClient(server.serverPort(), "::1")
        self.assertEqual(await withTimeout(server.waitForNewConnection(5000)), (True, False))
        self.assertTrue(server.hasPendingConnections())
        qsocket = self.take(server)
        self.assertEqual(qsocket.peerAddress(), QHostAddress("::1"))
        qsocket.close()

    async def test_dualStack(self) -> None:
        """
        B10, dualStack: Any accepts IPv4 and IPv6 clients, AnyIPv4 only IPv4,
        AnyIPv6 only IPv6.
        """
        for address, v4ok, v6ok in [
            (Special.Any, True, True),
            (Special.AnyIPv4, True, False),
            (Special.AnyIPv6, False, True),
        ]:
            server = self.makeServer()
            self.assertTrue(server.listen(QHostAddress(address)))
            for host, ok in (("127.0.0.1", v4ok), ("::1", v6ok)):
                d = connectLoopback(server.serverPort(), host)
                if ok:
                    client = await withTimeout(d)
                    self.addCleanup(client.abort)
                else:
                    await self.assertFailure(withTimeout(d), ConnectionRefusedError)
            server.close()

    async def test_ipv6ServerMapped(self) -> None:
        """
        B11, ipv6ServerMapped: a LocalHost server accepts clients connecting
        to 127.0.0.1, ::ffff:127.0.0.1 and ::ffff:7F00:0001, but not to ::1.
        """
        server = self.makeServer()
        self.assertTrue(server.listen(Special.LocalHost))
        for host in ("127.0.0.1", "::ffff:127.0.0.1", "::ffff:7F00:0001"):
            await self.connectClient(server.serverPort(), host)
            self.assertEqual(
                await withTimeout(server.waitForNewConnection(5000)), (True, False), host
            )
            qsocket = self.take(server)
            self.assertEqual(qsocket.peerAddress(), QHostAddress("127.0.0.1"))
            qsocket.abort()
        await self.assertFailure(
            withTimeout(connectLoopback(server.serverPort(), "::1")), ConnectionRefusedError
        )
        self.assertEqual(self.successResultOf(server.waitForNewConnection(0)), (False, True))

    async def test_mappedPeerAddress(self) -> None:
        """
        B32: on a dual-stack (Any) server the peer of an IPv4 client is
        ::ffff:127.0.0.1 (IPv6Protocol), and that of an IPv6 client is ::1.
        """
        server = self.makeServer()
        self.assertTrue(server.listen())
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server.serverPort(), "127.0.0.1")
        await waitForCount(spy, 1)
        qsocket = self.take(server)
        self.assertEqual(qsocket.peerAddress(), QHostAddress("::ffff:127.0.0.1"))
        self.assertEqual(qsocket.peerAddress().toString(), "::ffff:127.0.0.1")
        self.assertEqual(qsocket.peerAddress().protocol(), QAbstractSocket.IPv6Protocol)
        self.assertEqual(qsocket.localAddress(), QHostAddress("::ffff:127.0.0.1"))
        self.assertEqual(qsocket.peerPort(), client.transport.getHost().port)  # type: ignore[union-attr]
        await self.connectClient(server.serverPort(), "::1")
        await waitForCount(spy, 2)
        self.assertEqual(self.take(server).peerAddress(), QHostAddress("::1"))

    def test_serverAddress(self) -> None:
        """
        B9, B2 (serverAddress): Any reports QHostAddress(Any) (AnyIPProtocol,
        "0.0.0.0"), AnyIPv6 "::", LocalHostIPv6 and the address ::1 "::1".
        """
        rows = [
            (QHostAddress(Special.Any), QHostAddress(Special.Any), "0.0.0.0",
             QAbstractSocket.AnyIPProtocol),
            (QHostAddress(Special.AnyIPv6), QHostAddress(Special.AnyIPv6), "::",
             QAbstractSocket.IPv6Protocol),
            (QHostAddress(Special.LocalHostIPv6), QHostAddress(Special.LocalHostIPv6), "::1",
             QAbstractSocket.IPv6Protocol),
            (QHostAddress("::1"), QHostAddress("::1"), "::1", QAbstractSocket.IPv6Protocol),
        ]
        for listenAddress, expected, text, protocol in rows:
            server = self.makeServer()
            self.assertTrue(server.listen(listenAddress), text)
            self.assertEqual(server.serverAddress(), expected)
            self.assertEqual(server.serverAddress().toString(), text)
            self.assertEqual(server.serverAddress().protocol(), protocol)

    def test_qtbug6305(self) -> None:
        """
        B34 (qtbug6305): a second server cannot listen on the address and
        port of a listening one (Any, AnyIPv6, LocalHostIPv6 rows), nor on
        127.0.0.1 while an Any server holds the port.
        """
        for address in (Special.Any, Special.AnyIPv6, Special.LocalHostIPv6):
            server = self.makeServer()
            self.assertTrue(server.listen(QHostAddress(address)), server.errorString())
            server2 = self.makeServer()
            self.assertFalse(server2.listen(QHostAddress(address), server.serverPort()))
            self.assertIs(server2.serverError(), SocketError.AddressInUseError)
        server = self.makeServer()
        self.assertTrue(server.listen(Special.Any))
        server2 = self.makeServer()
        self.assertFalse(server2.listen(Special.LocalHost, server.serverPort()))
        self.assertIs(server2.serverError(), SocketError.AddressInUseError)

    def test_linkLocalNotAvailable(self) -> None:
        """
        listen(QHostAddress("fe80::1%lo")) fails with
        SocketAddressNotAvailableError, "The address is not available", as
        observed in Qt 6.12.
        """
        server = self.makeServer()
        self.assertFalse(server.listen(QHostAddress("fe80::1%lo")))
        self.assertIs(server.serverError(), SocketError.SocketAddressNotAvailableError)
        self.assertEqual(server.errorString(), "The address is not available")
        self.assertNotListening(server)

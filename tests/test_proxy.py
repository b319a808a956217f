"""
Tests for L{qtwisted._proxy}: L{QNetworkProxy}, and how servers and sockets
treat a proxy they cannot use.
"""

from __future__ import annotations

from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

from qtwisted import QAbstractSocket, QHostAddress, QNetworkProxy, QTcpServer, QTcpSocket

ProxyType = QNetworkProxy.ProxyType


class QNetworkProxyTests(SynchronousTestCase):
    """
    L{QNetworkProxy} as a value.
    """

    def test_proxyTypeValues(self) -> None:
        """
        C{QNetworkProxy::ProxyType} has Qt's members and numbers.
        """
        self.assertEqual(
            {name: int(m) for name, m in ProxyType.__members__.items()},
            {
                "DefaultProxy": 0,
                "Socks5Proxy": 1,
                "NoProxy": 2,
                "HttpProxy": 3,
                "HttpCachingProxy": 4,
                "FtpCachingProxy": 5,
            },
        )

    def test_unscopedAliases(self) -> None:
        """
        Every C{ProxyType} member is also an attribute of the class.
        """
        for name, member in ProxyType.__members__.items():
            self.assertIs(getattr(QNetworkProxy, name), member)

    def test_defaults(self) -> None:
        """
        C{QNetworkProxy()} is a C{DefaultProxy} with no host and port 0.
        """
        proxy = QNetworkProxy()
        self.assertIs(proxy.type(), ProxyType.DefaultProxy)
        self.assertEqual(proxy.hostName(), "")
        self.assertEqual(proxy.port(), 0)

    def test_getters(self) -> None:
        """
        The constructor's arguments come back from the getters.
        """
        proxy = QNetworkProxy(QNetworkProxy.HttpProxy, "proxy.example", 3128)
        self.assertIs(proxy.type(), ProxyType.HttpProxy)
        self.assertEqual(proxy.hostName(), "proxy.example")
        self.assertEqual(proxy.port(), 3128)

    def test_intType(self) -> None:
        """
        An C{int} with a C{ProxyType} value is converted to the member.
        """
        self.assertIs(QNetworkProxy(2).type(), ProxyType.NoProxy)  # type: ignore[arg-type]

    def test_unknownType(self) -> None:
        """
        An C{int} that is no C{ProxyType} raises C{ValueError} naming it.
        """
        exc = self.assertRaises(ValueError, QNetworkProxy, 42)
        self.assertIn("42", str(exc))

    def test_wrongTypes(self) -> None:
        """
        A type, host or port of the wrong Python type raises C{TypeError}
        naming the value.
        """
        exc = self.assertRaises(TypeError, QNetworkProxy, "NoProxy")
        self.assertIn("'NoProxy'", str(exc))
        self.assertRaises(TypeError, QNetworkProxy, True)
        exc = self.assertRaises(TypeError, QNetworkProxy, ProxyType.HttpProxy, b"host")
        self.assertIn("b'host'", str(exc))
        exc = self.assertRaises(TypeError, QNetworkProxy, ProxyType.HttpProxy, "h", "80")
        self.assertIn("'80'", str(exc))

    def test_portRange(self) -> None:
        """
        A port outside 0..65535 raises C{ValueError} naming it.
        """
        exc = self.assertRaises(ValueError, QNetworkProxy, ProxyType.HttpProxy, "h", 65536)
        self.assertIn("65536", str(exc))
        self.assertRaises(ValueError, QNetworkProxy, ProxyType.HttpProxy, "h", -1)

    def test_isUsable(self) -> None:
        """
        Only C{NoProxy} and C{DefaultProxy} are usable by qtwisted.
        """
        usable = {t for t in ProxyType if QNetworkProxy(t).isUsable()}
        self.assertEqual(usable, {ProxyType.NoProxy, ProxyType.DefaultProxy})

    def test_equality(self) -> None:
        """
        Proxies are equal when type, host and port are, and hash alike.
        """
        a = QNetworkProxy(ProxyType.HttpProxy, "h", 1)
        b = QNetworkProxy(ProxyType.HttpProxy, "h", 1)
        self.assertEqual(a, b)
        self.assertEqual(hash(a), hash(b))
        self.assertNotEqual(a, QNetworkProxy(ProxyType.HttpProxy, "h", 2))
        self.assertNotEqual(a, QNetworkProxy(ProxyType.Socks5Proxy, "h", 1))
        self.assertNotEqual(a, "HttpProxy")

    def test_repr(self) -> None:
        """
        The repr names the type.
        """
        self.assertEqual(repr(QNetworkProxy(ProxyType.NoProxy)), "QNetworkProxy(NoProxy)")


class ServerProxyTests(SynchronousTestCase):
    """
    C{QTcpServer.proxy()} / C{setProxy()} and their effect on C{listen()}.
    """

    def server(self) -> QTcpServer:
        """
        A server on a memory reactor, closed after the test.
        """
        server = QTcpServer(reactor=MemoryReactorClock())
        self.addCleanup(server.close)
        return server

    def test_defaultProxy(self) -> None:
        """
        A new server's proxy is C{DefaultProxy} (QT_BEHAVIORS 1.1).
        """
        self.assertIs(self.server().proxy().type(), ProxyType.DefaultProxy)

    def test_setProxyStored(self) -> None:
        """
        C{setProxy()} stores the proxy for the next C{listen()}.
        """
        server = self.server()
        proxy = QNetworkProxy(ProxyType.NoProxy)
        server.setProxy(proxy)
        self.assertEqual(server.proxy(), proxy)

    def test_setProxyType(self) -> None:
        """
        C{setProxy()} with something that is not a proxy raises
        C{TypeError}.
        """
        self.assertRaises(TypeError, self.server().setProxy, "NoProxy")

    def test_listenWithUnusableProxy(self) -> None:
        """
        With a proxy that cannot listen, C{listen()} on a non-loopback
        address fails with Qt's C{UnsupportedSocketOperationError} and
        "Operation on socket is not supported", and emits nothing.
        """
        server = self.server()
        emitted: list[object] = []
        server.acceptError.connect(emitted.append)
        server.newConnection.connect(lambda: emitted.append("new"))
        server.setProxy(QNetworkProxy(ProxyType.HttpProxy, "proxy.example", 3128))
        self.assertFalse(server.listen(QHostAddress.AnyIPv4, 0))
        self.assertFalse(server.isListening())
        self.assertEqual(server.serverError(), QAbstractSocket.UnsupportedSocketOperationError)
        self.assertEqual(server.errorString(), "Operation on socket is not supported")
        self.assertEqual(emitted, [])

    def test_listenWithNoProxy(self) -> None:
        """
        With C{NoProxy} the server listens directly.
        """
        server = self.server()
        server.setProxy(QNetworkProxy(ProxyType.NoProxy))
        self.assertTrue(server.listen(QHostAddress.LocalHost, 0))
        self.assertGreater(server.serverPort(), 0)

    def test_loopbackIgnoresProxy(self) -> None:
        """
        Qt never uses a proxy for a loopback address
        (C{QTcpServerPrivate::resolveProxy}; QT_BEHAVIORS 1.1 step 2), so a
        server with an HTTP proxy still listens on C{LocalHost}.
        """
        server = self.server()
        server.setProxy(QNetworkProxy(ProxyType.HttpProxy, "proxy.example", 3128))
        self.assertTrue(server.listen(QHostAddress.LocalHost, 0))


class SocketProxyTests(SynchronousTestCase):
    """
    C{QTcpSocket.proxy()} / C{setProxy()}.
    """

    def test_defaultProxy(self) -> None:
        """
        A new socket's proxy is C{DefaultProxy}.
        """
        sock = QTcpSocket(reactor=MemoryReactorClock())
        self.assertIs(sock.proxy().type(), ProxyType.DefaultProxy)

    def test_setProxyType(self) -> None:
        """
        C{setProxy()} with something that is not a proxy raises
        C{TypeError}.
        """
        sock = QTcpSocket(reactor=MemoryReactorClock())
        self.assertRaises(TypeError, sock.setProxy, None)

    def test_connectWithUnusableProxy(self) -> None:
        """
        Connecting through a proxy qtwisted cannot use fails at once with
        C{UnsupportedSocketOperationError}, reported through
        C{errorOccurred}; no connection is attempted.
        """
        reactor = MemoryReactorClock()
        sock = QTcpSocket(reactor=reactor)
        sock.setProxy(QNetworkProxy(ProxyType.Socks5Proxy, "proxy.example", 1080))
        errors: list[object] = []
        sock.errorOccurred.connect(errors.append)
        sock.connectToHost("127.0.0.1", 1)
        self.assertEqual(errors, [QAbstractSocket.UnsupportedSocketOperationError])
        self.assertEqual(sock.error(), QAbstractSocket.UnsupportedSocketOperationError)
        self.assertIs(sock.state(), QAbstractSocket.UnconnectedState)
        self.assertEqual(reactor.tcpClients, [])

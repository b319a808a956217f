"""
Tests for L{qtwisted.QWebSocketServer}: behaviours B56-B106 of
QT_BEHAVIORS.md and the applicable tests of Qt's tst_qwebsocketserver,
over real loopback sockets with raw clients (exact response bytes).
"""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.trial.unittest import SynchronousTestCase

from qtwisted import (
    QHostAddress,
    QNetworkProxy,
    QSslConfiguration,
    QTcpServer,
    QTcpSocket,
    QWebSocket,
    QWebSocketCorsAuthenticator,
    QWebSocketProtocol,
    QWebSocketServer,
)
from qtwisted._wshandshake import BAD_REQUEST, FORBIDDEN
from qtwisted.testing import ClockedReactor, SignalSpy

from ._wshelpers import (
    ACCEPT,
    KEY,
    WebSocketTestCase,
    closeFrame,
    closePayload,
    frame,
    sleep,
    text,
    upgradeRequest,
    waitForCount,
    waitUntil,
)

_CC = QWebSocketProtocol.CloseCode
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LOCAL = QHostAddress.SpecialAddress.LocalHost

_RESPONSE_AT_EPOCH = (
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    f"Sec-WebSocket-Accept: {ACCEPT}\r\n"
    "Server: Echo Server\r\n"
    "Access-Control-Allow-Credentials: false\r\n"
    "Access-Control-Allow-Methods: GET\r\n"
    "Access-Control-Allow-Headers: content-type\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
    "\r\n"
).encode()


def _hasIPv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class DefaultsTests(SynchronousTestCase):
    """
    A new server, and its setters (tst_initialisation, tst_settersAndGetters).
    """

    def assertDefaults(self, server: QWebSocketServer) -> None:
        self.assertEqual(server.serverName(), "Echo Server")
        self.assertEqual(server.secureMode(), QWebSocketServer.NonSecureMode)
        self.assertFalse(server.isListening())
        self.assertEqual(server.maxPendingConnections(), 30)
        self.assertEqual(server.handshakeTimeoutMS(), 10000)
        self.assertEqual(server.handshakeTimeout(), timedelta(milliseconds=10000))
        self.assertEqual(server.serverPort(), 0)
        self.assertTrue(server.serverAddress().isNull())
        self.assertEqual(server.socketDescriptor(), -1)
        self.assertFalse(server.hasPendingConnections())
        self.assertIsNone(server.nextPendingConnection())
        self.assertEqual(server.error(), _CC.CloseCodeNormal)
        self.assertEqual(server.errorString(), "")
        self.assertEqual(server.supportedVersions(), [QWebSocketProtocol.Version13])
        self.assertEqual(server.supportedSubprotocols(), [])
        self.assertEqual(server.serverUrl(), "")
        self.assertEqual(server.proxy().type(), QNetworkProxy.ProxyType.DefaultProxy)
        self.assertEqual(server.sslConfiguration(), QSslConfiguration.defaultConfiguration())

    def test_initialisation(self) -> None:
        """
        B56: a new server reports Qt's defaults (tst_initialisation).
        """
        self.assertDefaults(QWebSocketServer("Echo Server", QWebSocketServer.NonSecureMode))

    def test_closeKeepsDefaults(self) -> None:
        """
        B57: close() on a server that never listened changes nothing.
        """
        server = QWebSocketServer("Echo Server", QWebSocketServer.NonSecureMode)
        server.close()
        self.assertDefaults(server)

    def test_enums(self) -> None:
        """
        SslMode has Qt's values, nested and unscoped.
        """
        self.assertEqual(int(QWebSocketServer.SslMode.SecureMode), 0)
        self.assertEqual(int(QWebSocketServer.SslMode.NonSecureMode), 1)
        self.assertIs(QWebSocketServer.SecureMode, QWebSocketServer.SslMode.SecureMode)

    def test_settersAndGetters(self) -> None:
        """
        B95: the setters store what they are given, INT_MIN and INT_MAX
        included (tst_settersAndGetters).
        """
        server = QWebSocketServer("Echo Server", QWebSocketServer.NonSecureMode)
        for value in (23, _INT_MIN, _INT_MAX, 0):
            server.setMaxPendingConnections(value)
            self.assertEqual(server.maxPendingConnections(), value)
        server.setServerName("Qt WebSocketServer")
        self.assertEqual(server.serverName(), "Qt WebSocketServer")
        server.setHandshakeTimeout(64)
        self.assertEqual(server.handshakeTimeoutMS(), 64)
        server.setHandshakeTimeout(timedelta(milliseconds=242))
        self.assertEqual(server.handshakeTimeoutMS(), 242)
        self.assertEqual(server.handshakeTimeout(), timedelta(milliseconds=242))
        server.setSupportedSubprotocols(["chat", "superchat"])
        self.assertEqual(server.supportedSubprotocols(), ["chat", "superchat"])
        proxy = QNetworkProxy(QNetworkProxy.ProxyType.NoProxy)
        server.setProxy(proxy)
        self.assertEqual(server.proxy().type(), QNetworkProxy.ProxyType.NoProxy)

    def test_maxPendingRaisesInnerLimit(self) -> None:
        """
        As in Qt, the inner server's limit becomes n + 1 when it is not
        above n already, and is never lowered; at INT_MAX it stays INT_MAX
        (Qt overflows to INT_MIN and accepts nothing: a deviation).
        """
        server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
        server.setMaxPendingConnections(40)
        self.assertEqual(server._inner.maxPendingConnections(), 41)
        server.setMaxPendingConnections(2)
        self.assertEqual(server._inner.maxPendingConnections(), 41)
        server.setMaxPendingConnections(_INT_MAX)
        self.assertEqual(server._inner.maxPendingConnections(), _INT_MAX)

    def test_badArguments(self) -> None:
        """
        Wrong types raise TypeError naming the value.
        """
        with self.assertRaises(TypeError):
            QWebSocketServer(b"name", QWebSocketServer.NonSecureMode)  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            QWebSocketServer("", 7)  # type: ignore[arg-type]
        server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
        self.assertRaises(TypeError, server.setMaxPendingConnections, 1.5)
        self.assertRaises(ValueError, server.setMaxPendingConnections, 2**31)
        self.assertRaises(TypeError, server.setHandshakeTimeout, "10")
        self.assertRaises(TypeError, server.setSupportedSubprotocols, "chat")
        self.assertRaises(TypeError, server.setSupportedSubprotocols, [b"chat"])
        self.assertRaises(TypeError, server.handleConnection, object())
        self.assertRaises(TypeError, server.setServerName, None)

    def test_sslConfigurationIgnoredWhenNotSecure(self) -> None:
        """
        B94: setSslConfiguration() on a NonSecureMode server is ignored.
        """
        server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
        configuration = QSslConfiguration()
        configuration.setPeerVerifyDepth(3)
        server.setSslConfiguration(configuration)
        self.assertEqual(server.sslConfiguration(), QSslConfiguration.defaultConfiguration())

    def test_setSocketDescriptorInvalid(self) -> None:
        """
        B96: setSocketDescriptor(-2) fails, the descriptor stays -1,
        error() is untouched and errorString() shows the inner server's
        text (tst_settersAndGetters).
        """
        server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
        errors = SignalSpy(server.serverError)
        self.assertFalse(server.setSocketDescriptor(-2))
        self.assertEqual(server.socketDescriptor(), -1)
        self.assertEqual(server.error(), _CC.CloseCodeNormal)
        self.assertEqual(server.errorString(), "Invalid socket descriptor")
        self.assertEqual(len(errors), 0)

    def test_acceptErrorForwarded(self) -> None:
        """
        B105: the inner server's acceptError is re-emitted.
        """
        server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
        spy = SignalSpy(server.acceptError)
        server._inner.acceptError.emit(QTcpSocket.SocketResourceError)
        self.assertEqual(spy.emissions, [(QTcpSocket.SocketResourceError,)])

    def test_pauseResumeWhenNotListening(self) -> None:
        """
        pauseAccepting()/resumeAccepting() on a server that is not listening
        do nothing (Qt crashes; a deviation).
        """
        server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
        server.pauseAccepting()
        server.resumeAccepting()
        self.assertFalse(server.isListening())


class SecureModeTests(SynchronousTestCase):
    """
    C{SecureMode} without listening (the rest is in
    test_websocketserver_tls).
    """

    def test_secureModeReported(self) -> None:
        """
        secureMode() reports SecureMode (tst_initialisation).
        """
        server = QWebSocketServer("", QWebSocketServer.SecureMode)
        self.assertEqual(server.secureMode(), QWebSocketServer.SecureMode)

    def test_innerTimeout(self) -> None:
        """
        B86: the inner TLS timeout defaults to 10000; a negative WebSocket
        timeout gives it INT_MAX, a positive one the same value.
        """
        server = QWebSocketServer("", QWebSocketServer.SecureMode)
        assert server._sslServer is not None
        self.assertEqual(server._sslServer.handshakeTimeout(), 10000)
        server.setHandshakeTimeout(-1)
        self.assertEqual(server._sslServer.handshakeTimeout(), _INT_MAX)
        server.setHandshakeTimeout(2000)
        self.assertEqual(server._sslServer.handshakeTimeout(), 2000)


class ListenTests(WebSocketTestCase):
    """
    listen(), close(), closed() and serverUrl() (tst_listening,
    tst_connectivity).
    """

    async def test_closedIsQueued(self) -> None:
        """
        B57, B58: closed() comes on the next reactor turn, once per call,
        listening or not (tst_listening).
        """
        server = self.makeServer()
        spy = SignalSpy(server.closed)
        server.close()
        self.assertEqual(len(spy), 0)
        server.close()
        await sleep(0.05)
        self.assertEqual(len(spy), 2)
        self.assertFalse(server.isListening())

    def test_listenError(self) -> None:
        """
        B59: a failed listen() returns False with 1006 and the OS text,
        emits serverError(1006) once and nothing else (tst_listening).
        """
        server = self.makeServer(listen=False)
        spies = {
            name: SignalSpy(getattr(server, name))
            for name in ("serverError", "newConnection", "closed", "acceptError")
        }
        self.assertFalse(server.listen(QHostAddress("1.2.3.4"), 0))
        self.assertEqual(server.error(), _CC.CloseCodeAbnormalDisconnection)
        self.assertEqual(server.errorString(), "The address is not available")
        self.assertFalse(server.listen(QHostAddress("1.2.3.4"), 0))
        self.assertEqual(spies["serverError"].emissions, [(1006,)])
        for name in ("newConnection", "closed", "acceptError"):
            self.assertEqual(len(spies[name]), 0, name)

    def test_listenWhileListening(self) -> None:
        """
        listen() while listening returns False and keeps listening; the
        error becomes 1006 with the inner server's current text ("").
        """
        server = self.makeServer()
        port = server.serverPort()
        spy = SignalSpy(server.serverError)
        self.assertFalse(server.listen(_LOCAL, 0))
        self.assertEqual(server.serverPort(), port)
        self.assertEqual(server.error(), _CC.CloseCodeAbnormalDisconnection)
        self.assertEqual(spy.emissions, [(1006,)])

    def test_serverUrl(self) -> None:
        """
        B60: ws://127.0.0.1:P on Any and LocalHost, ws://0.0.0.0:P on
        AnyIPv4, ws://[::1]:P on LocalHostIPv6, "" when not listening.
        """
        cases = [
            (QHostAddress.SpecialAddress.Any, "127.0.0.1"),
            (QHostAddress.SpecialAddress.LocalHost, "127.0.0.1"),
            (QHostAddress.SpecialAddress.AnyIPv4, "0.0.0.0"),
        ]
        if _hasIPv6():
            cases.append((QHostAddress.SpecialAddress.LocalHostIPv6, "[::1]"))
        for address, host in cases:
            server = self.makeServer(listen=False)
            self.assertEqual(server.serverUrl(), "")
            self.assertTrue(server.listen(address, 0))
            self.assertEqual(server.serverUrl(), f"ws://{host}:{server.serverPort()}")
            server.close()
            self.assertEqual(server.serverUrl(), "")

    def test_serverAddressAny(self) -> None:
        """
        After listen() on Any, serverAddress() is Any (tst_connectivity).
        """
        server = self.makeServer(listen=False)
        self.assertTrue(server.listen())
        self.assertEqual(server.serverAddress(), QHostAddress(QHostAddress.SpecialAddress.Any))
        self.assertEqual(server.serverUrl(), f"ws://127.0.0.1:{server.serverPort()}")

    async def test_errorNeverReset(self) -> None:
        """
        B104: error() keeps the last error after a successful listen and a
        successful handshake.
        """
        server = self.makeServer(listen=False)
        self.assertFalse(server.listen(QHostAddress("1.2.3.4"), 0))
        self.assertTrue(server.listen(_LOCAL, 0))
        await self.upgrade(server)
        self.assertEqual(server.error(), _CC.CloseCodeAbnormalDisconnection)
        self.assertEqual(server.errorString(), "The address is not available")

    async def test_pauseAccepting(self) -> None:
        """
        pauseAccepting() stops accepting; resumeAccepting() accepts the
        waiting clients.
        """
        server = self.makeServer()
        spy = SignalSpy(server.newConnection)
        server.pauseAccepting()
        client = await self.connectClient(server)
        client.write(upgradeRequest())
        await sleep(0.1)
        self.assertEqual(len(spy), 0)
        server.resumeAccepting()
        await waitForCount(spy, 1)

    async def test_setSocketDescriptor(self) -> None:
        """
        A listening descriptor handed over is served.
        """
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        server = self.makeServer(listen=False)
        self.assertTrue(server.setSocketDescriptor(listener.detach()))
        self.assertTrue(server.isListening())
        self.assertEqual(server.serverPort(), port)
        await self.upgrade(server)


class HandshakeTests(WebSocketTestCase):
    """
    The exact bytes of Qt's answers (B61-B76).
    """

    async def exchange(self, server: QWebSocketServer, request: bytes) -> bytes:
        client = await self.connectClient(server)
        client.write(request)
        return await self.responseHead(client)

    async def test_exactResponse(self) -> None:
        """
        B61, B62, B63: a valid request gets Qt's 101 response, line for
        line, with the right Sec-WebSocket-Accept (at the epoch of a fake
        clock, for a fixed Date).
        """
        clocked = ClockedReactor()
        server = self.makeServer(reactor=clocked)
        head = await self.exchange(server, upgradeRequest())
        self.assertEqual(head, _RESPONSE_AT_EPOCH)

    async def test_serverNameOnlyWhenSet(self) -> None:
        """
        B62: no Server: header with an empty name; the name when set.
        """
        server = self.makeServer(name="")
        head = await self.exchange(server, upgradeRequest())
        self.assertNotIn(b"\r\nServer:", head)
        server.setServerName("Probe")
        head = await self.exchange(server, upgradeRequest())
        self.assertIn(b"\r\nServer: Probe\r\n", head)

    async def test_allowOriginEchoed(self) -> None:
        """
        B63: Access-Control-Allow-Origin echoes the Origin.
        """
        server = self.makeServer()
        head = await self.exchange(server, upgradeRequest(origin="http://example.com"))
        self.assertIn(b"\r\nAccess-Control-Allow-Origin: http://example.com\r\n", head)

    async def test_dateHeader(self) -> None:
        """
        B64: the Date header reads like "Fri, 20 Nov 2026 23:01:21 GMT".
        """
        server = self.makeServer()
        head = await self.exchange(server, upgradeRequest())
        self.assertRegex(
            head.decode(),
            r"\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d "
            r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
            r"\d\d:\d\d:\d\d GMT\r\n",
        )

    async def test_unsupportedVersion(self) -> None:
        """
        B68: only version 8 (or 12) gets exactly Qt's 400 with
        Sec-WebSocket-Version: 13, the connection is closed, and the error
        is 1002 "Unsupported version requested.".
        """
        server = self.makeServer()
        spy = SignalSpy(server.serverError)
        for version in ("8", "12"):
            client = await self.connectClient(server)
            client.write(upgradeRequest(version=version))
            await self.ended(client)
            self.assertEqual(bytes(client.received), BAD_REQUEST)
        self.assertEqual(server.error(), _CC.CloseCodeProtocolError)
        self.assertEqual(server.errorString(), "Unsupported version requested.")
        # Qt 6.12 emits every handshake error, even a repeated one.
        self.assertEqual(spy.emissions, [(1002,), (1002,)])

    async def test_versionList(self) -> None:
        """
        B69: Sec-WebSocket-Version: 8, 13 is accepted.
        """
        server = self.makeServer()
        await self.upgrade(server, upgradeRequest(version="8, 13"))

    async def test_invalidRequests(self) -> None:
        """
        B70, B72, B81: invalid requests get 400 Bad Request (Qt sends no
        bytes: a deviation, RFC 6455 section 4.2.1), are closed, and emit
        serverError(1002) with "Invalid handshake request.".
        """
        server = self.makeServer()
        spy = SignalSpy(server.serverError)
        requests = [
            upgradeRequest(version=None),
            upgradeRequest(key=None),
            upgradeRequest(host=None),
            upgradeRequest(upgrade=None),
            upgradeRequest(connection="keep-alive"),
            upgradeRequest(method="POST"),
            upgradeRequest(method="get"),
            upgradeRequest(httpVersion="HTTP/1.0"),
            upgradeRequest(version="abc"),
            upgradeRequest(target="ws://user@127.0.0.1/"),
            upgradeRequest(key="abc"),  # B72: Qt accepts; RFC 6455 does not
            upgradeRequest(extra=["X-Long: " + "a" * 9000]),  # B81
            upgradeRequest(extra=[f"X-{i}: v" for i in range(101)]),  # B81
        ]
        for request in requests:
            client = await self.connectClient(server)
            client.write(request)
            await self.ended(client)
            self.assertEqual(bytes(client.received), BAD_REQUEST, request[:60])
        self.assertEqual(len(spy), len(requests))
        self.assertEqual(server.error(), _CC.CloseCodeProtocolError)
        self.assertEqual(server.errorString(), "Invalid handshake request.")

    async def test_lenientHeaders(self) -> None:
        """
        B71: Upgrade: WebSocket and Connection: keep-alive, Upgrade pass.
        """
        server = self.makeServer()
        await self.upgrade(
            server, upgradeRequest(upgrade="WebSocket", connection="keep-alive, Upgrade")
        )

    async def test_extensionsIgnored(self) -> None:
        """
        B73: a requested extension is not accepted, the connection is.
        """
        server = self.makeServer()
        head = await self.exchange(
            server,
            upgradeRequest(extra=["Sec-WebSocket-Extensions: permessage-deflate"]),
        )
        self.assertTrue(head.startswith(b"HTTP/1.1 101 "))
        self.assertNotIn(b"Sec-WebSocket-Extensions", head)

    async def test_subprotocolChoice(self) -> None:
        """
        B74: the first client-offered protocol the server supports
        (tst_protocols).
        """
        server = self.makeServer()
        server.setSupportedSubprotocols(["chat", "superchat"])
        for offered, chosen in (
            (["superchat, chat"], b"superchat"),
            (["foo, chat"], b"chat"),
            (["foo"], None),
            ([], None),
        ):
            head = await self.exchange(server, upgradeRequest(protocols=offered))
            self.assertTrue(head.startswith(b"HTTP/1.1 101 "))
            if chosen is None:
                self.assertNotIn(b"Sec-WebSocket-Protocol", head)
            else:
                self.assertIn(b"\r\nSec-WebSocket-Protocol: " + chosen + b"\r\n", head)

    async def test_subprotocolCaseAndLines(self) -> None:
        """
        B75: matching is case-sensitive; several header lines combine in
        order.
        """
        server = self.makeServer()
        server.setSupportedSubprotocols(["chat", "superchat"])
        head = await self.exchange(server, upgradeRequest(protocols=["Chat, SUPERCHAT"]))
        self.assertNotIn(b"Sec-WebSocket-Protocol", head)
        head = await self.exchange(server, upgradeRequest(protocols=["foo", "superchat", "chat"]))
        self.assertIn(b"\r\nSec-WebSocket-Protocol: superchat\r\n", head)

    async def test_serverSideSubprotocol(self) -> None:
        """
        B76: the server-side socket reports the chosen protocol and every
        protocol offered, in order (tst_protocols).
        """
        server = self.makeServer()
        server.setSupportedSubprotocols(["protocol1", "protocol2"])
        client, ws = await self.upgrade(server, upgradeRequest(protocols=["foo, protocol2"]))
        self.assertEqual(ws.subprotocol(), "protocol2")
        self.assertEqual(ws.handshakeOptions().subprotocols(), ["foo", "protocol2"])

    async def test_headerTooLarge(self) -> None:
        """
        B80: more than 819,204 bytes without an end of header close the
        connection with 1009 "Header is too large." (and a 400: deviation).
        """
        server = self.makeServer()
        client = await self.connectClient(server)
        client.write(b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 819_300)
        await self.ended(client)
        self.assertEqual(bytes(client.received), BAD_REQUEST)
        self.assertEqual(server.error(), _CC.CloseCodeTooMuchData)
        self.assertEqual(server.errorString(), "Header is too large.")

    async def test_manySegments(self) -> None:
        """
        B82: a request sent in many small segments is accepted.
        """
        server = self.makeServer()
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server)
        request = upgradeRequest()
        for i in range(0, len(request), 7):
            client.write(request[i : i + 7])
            await sleep(0.001)
        await waitForCount(spy, 1)

    async def test_serverNameWithNewline(self) -> None:
        """
        A server name with CRLF refuses the handshake with a clean 400 and
        1006 (Qt sends a malformed response: a deviation).
        """
        server = self.makeServer(name="evil\r\nX-Injected: 1")
        client = await self.connectClient(server)
        client.write(upgradeRequest())
        await self.ended(client)
        self.assertEqual(bytes(client.received), BAD_REQUEST)
        self.assertEqual(server.error(), _CC.CloseCodeAbnormalDisconnection)

    async def test_noExceptionText(self) -> None:
        """
        A slot that raises is logged; the client sees no exception text
        (the handshake goes on as if the slot had not run).
        """
        server = self.makeServer()

        def broken(authenticator: QWebSocketCorsAuthenticator) -> None:
            raise RuntimeError("secret internals")

        server.originAuthenticationRequired.connect(broken)
        head = await self.exchange(server, upgradeRequest(origin="http://x"))
        self.assertNotIn(b"secret", head)
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)


class OriginTests(WebSocketTestCase):
    """
    originAuthenticationRequired (B65-B67).
    """

    async def test_emittedBeforeNewConnection(self) -> None:
        """
        B65: once per valid request, before newConnection, with the Origin
        and allowed() True; not for an invalid request.
        """
        server = self.makeServer()
        events: list[Any] = []

        def origin(authenticator: QWebSocketCorsAuthenticator) -> None:
            events.append(("origin", authenticator.origin(), authenticator.allowed()))

        server.originAuthenticationRequired.connect(origin)
        server.newConnection.connect(lambda: events.append("new"))
        await self.upgrade(server, upgradeRequest(origin="http://example.com"))
        self.assertEqual(events, [("origin", "http://example.com", True), "new"])
        client = await self.connectClient(server)
        client.write(upgradeRequest(key=None, origin="http://x"))
        await self.ended(client)
        self.assertEqual(len(events), 2)

    async def test_noSlotAcceptsAll(self) -> None:
        """
        B66: with no slot connected, any origin is accepted.
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server, upgradeRequest(origin="http://evil.example"))
        self.assertEqual(ws.origin(), "http://evil.example")

    async def test_refused(self) -> None:
        """
        B67: a refused origin gets exactly Qt's 403, the connection is
        closed, error 1008 "Access forbidden.", serverError(1008), and no
        newConnection.
        """
        server = self.makeServer()
        server.originAuthenticationRequired.connect(
            lambda a: a.setAllowed(a.origin() == "http://good")
        )
        errors = SignalSpy(server.serverError)
        news = SignalSpy(server.newConnection)
        client = await self.connectClient(server)
        client.write(upgradeRequest(origin="http://evil"))
        await self.ended(client)
        self.assertEqual(bytes(client.received), FORBIDDEN)
        self.assertEqual(server.error(), _CC.CloseCodePolicyViolated)
        self.assertEqual(server.errorString(), "Access forbidden.")
        self.assertEqual(errors.emissions, [(1008,)])
        self.assertEqual(len(news), 0)
        await self.upgrade(server, upgradeRequest(origin="http://good"))

    async def test_refusedBeforeVersion(self) -> None:
        """
        The origin is judged before the version: a refused origin asking
        for version 8 gets 403.
        """
        server = self.makeServer()
        server.originAuthenticationRequired.connect(lambda a: a.setAllowed(False))
        client = await self.connectClient(server)
        client.write(upgradeRequest(version="8", origin="http://x"))
        await self.ended(client)
        self.assertEqual(bytes(client.received), FORBIDDEN)

    async def test_deferredDecision(self) -> None:
        """
        Beyond Qt: a slot returning a Deferred delays the answer until it
        fires; True accepts.
        """
        server = self.makeServer()
        pending: list[Deferred[bool]] = []

        def later(authenticator: QWebSocketCorsAuthenticator) -> Deferred[bool]:
            d: Deferred[bool] = Deferred()
            pending.append(d)
            return d

        server.originAuthenticationRequired.connect(later)
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server)
        client.write(upgradeRequest(origin="http://later") + text("early"))
        await waitUntil(lambda: bool(pending), "the origin slot")
        await sleep(0.05)
        self.assertEqual(bytes(client.received), b"")
        pending[0].callback(True)
        await waitForCount(spy, 1)
        ws = server.nextPendingConnection()
        assert ws is not None
        received = SignalSpy(ws.textMessageReceived)
        await waitForCount(received, 1)
        self.assertEqual(received.emissions, [("early",)])

    async def test_deferredRefusal(self) -> None:
        """
        A Deferred firing False refuses with 403.
        """
        server = self.makeServer()
        server.originAuthenticationRequired.connect(lambda a: _fireLater(False))
        client = await self.connectClient(server)
        client.write(upgradeRequest(origin="http://x"))
        await self.ended(client)
        self.assertEqual(bytes(client.received), FORBIDDEN)

    async def test_asyncSlot(self) -> None:
        """
        An async def slot is awaited; setAllowed(False) inside it refuses.
        """
        server = self.makeServer()

        async def check(authenticator: QWebSocketCorsAuthenticator) -> None:
            await sleep(0.01)
            authenticator.setAllowed(authenticator.origin().endswith(".trusted"))

        server.originAuthenticationRequired.connect(check)
        client = await self.connectClient(server)
        client.write(upgradeRequest(origin="http://a.untrusted"))
        await self.ended(client)
        self.assertEqual(bytes(client.received), FORBIDDEN)
        client, ws = await self.upgrade(server, upgradeRequest(origin="http://a.trusted"))
        self.assertEqual(ws.origin(), "http://a.trusted")

    async def test_decisionWithinTimeout(self) -> None:
        """
        A decision that does not come within the handshake timeout ends
        the connection without a byte, and its Deferred is cancelled.
        """
        clocked = ClockedReactor()
        server = self.makeServer(reactor=clocked)
        server.setHandshakeTimeout(500)
        pending: list[Deferred[bool]] = []

        def never(authenticator: QWebSocketCorsAuthenticator) -> Deferred[bool]:
            d: Deferred[bool] = Deferred()
            pending.append(d)
            return d

        server.originAuthenticationRequired.connect(never)
        client = await self.connectClient(server)
        client.write(upgradeRequest())
        await waitUntil(lambda: bool(pending), "the origin slot")
        clocked.clock.advance(0.5)
        await self.ended(client)
        self.assertEqual(bytes(client.received), b"")
        self.assertTrue(pending[0].called)
        self.assertEqual(len(self.flushLoggedErrors()), 0)


def _fireLater(value: bool) -> Deferred[bool]:
    d: Deferred[bool] = Deferred()
    reactor.callLater(0.01, d.callback, value)  # type: ignore[attr-defined]
    return d


class PendingTests(WebSocketTestCase):
    """
    The queue of upgraded websockets (B77-B79, B88; tst_maxPendingConnections).
    """

    async def test_newConnectionOrder(self) -> None:
        """
        B88: one newConnection per upgrade, hasPendingConnections() True
        inside the slot, FIFO order.
        """
        server = self.makeServer()
        inside: list[bool] = []
        server.newConnection.connect(lambda: inside.append(server.hasPendingConnections()))
        spy = SignalSpy(server.newConnection)
        clients = []
        for i in range(3):
            client = await self.connectClient(server)
            client.write(upgradeRequest(target=f"/{i}"))
            await waitForCount(spy, i + 1)
            clients.append(client)
        self.assertEqual(inside, [True, True, True])
        targets = []
        while (ws := server.nextPendingConnection()) is not None:
            self.addCleanup(ws.abort)
            targets.append(ws.requestUrl().rsplit("/", 1)[1])
        self.assertEqual(targets, ["0", "1", "2"])

    async def test_maxPendingConnections(self) -> None:
        """
        B77, B78: with a limit of 2 a third client gets no bytes, is closed,
        and the server reports 1006 "Too many pending connections." with no
        origin signal and no newConnection; after taking, clients are
        accepted again (tst_maxPendingConnections).
        """
        server = self.makeServer()
        server.setMaxPendingConnections(2)
        news = SignalSpy(server.newConnection)
        origins = SignalSpy(server.originAuthenticationRequired)
        errors = SignalSpy(server.serverError)
        accepts = SignalSpy(server.acceptError)
        for _ in range(2):
            client = await self.connectClient(server)
            client.write(upgradeRequest())
        await waitForCount(news, 2)
        third = await self.connectClient(server)
        third.write(upgradeRequest())
        await self.ended(third)
        self.assertEqual(bytes(third.received), b"")
        self.assertEqual(errors.emissions, [(1006,)])
        self.assertEqual(server.errorString(), "Too many pending connections.")
        self.assertEqual((len(news), len(origins), len(accepts)), (2, 2, 0))
        for _ in range(2):
            ws = server.nextPendingConnection()
            assert ws is not None
            self.addCleanup(ws.abort)
        await self.upgrade(server)

    async def test_maxPendingZero(self) -> None:
        """
        B79: with a limit of 0 every handshake is refused without bytes.
        """
        server = self.makeServer()
        server.setMaxPendingConnections(0)
        client = await self.connectClient(server)
        client.write(upgradeRequest())
        await self.ended(client)
        self.assertEqual(bytes(client.received), b"")
        self.assertEqual(server.error(), _CC.CloseCodeAbnormalDisconnection)

    async def test_closeClosesQueued(self) -> None:
        """
        B92: close() sends each queued websocket a Close frame 1001 "Server
        closed." (88 10 03 E9 ...) and empties the queue; taken ones stay.
        """
        server = self.makeServer()
        taken, takenWs = await self.upgrade(server)
        spy = SignalSpy(server.newConnection)
        queued = await self.connectClient(server)
        queued.write(upgradeRequest())
        await waitForCount(spy, 1)
        await self.responseHead(queued)
        head = bytes(queued.received)
        server.close()
        self.assertFalse(server.hasPendingConnections())
        await self.ended(queued)
        self.assertEqual(bytes(queued.received)[len(head) :], b"\x88\x10\x03\xe9Server closed.")
        self.assertFalse(taken._ended)
        self.assertEqual(takenWs.state(), QTcpSocket.ConnectedState)
        self.assertEqual(takenWs.sendTextMessage("still here"), 10)
        frames = await self.frames(taken, 1)
        self.assertEqual(frames[0][4], b"still here")

    async def test_midHandshakeAfterClose(self) -> None:
        """
        B106: a connection in the middle of its handshake when close() is
        called can still be upgraded and queued (Qt's quirk, kept).
        """
        server = self.makeServer()
        client = await self.connectClient(server)
        request = upgradeRequest()
        client.write(request[:20])
        await sleep(0.05)
        server.close()
        spy = SignalSpy(server.newConnection)
        client.write(request[20:])
        await waitForCount(spy, 1)
        self.assertTrue(server.hasPendingConnections())

    async def test_destroyDisconnectsHandedOut(self) -> None:
        """
        B93: destroying the server disconnects the websockets it handed
        out: disconnected fires and the peer reads EOF
        (tst_serverDestroyedWhileSocketConnected).
        """
        server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
        self.assertTrue(server.listen(_LOCAL, 0))
        client, ws = await self.upgrade(server)
        spy = SignalSpy(ws.disconnected)
        server.deleteLater()
        await waitForCount(spy, 1)
        await self.ended(client)
        self.assertEqual(ws.state(), QTcpSocket.UnconnectedState)


class TimeoutTests(WebSocketTestCase):
    """
    The handshake timeout (B83-B87; tst_handshakeTimeout).
    """

    async def test_silentAndPartialClients(self) -> None:
        """
        B83: with 300 ms, a client that sends nothing or part of a request
        is closed when the time is up, without bytes or signals.
        """
        clocked = ClockedReactor()
        server = self.makeServer(reactor=clocked)
        server.setHandshakeTimeout(300)
        spies = [
            SignalSpy(getattr(server, n))
            for n in ("serverError", "newConnection", "originAuthenticationRequired")
        ]
        silent = await self.connectClient(server)
        partial = await self.connectClient(server)
        partial.write(upgradeRequest()[:30])
        await sleep(0.05)
        clocked.clock.advance(0.299)
        await sleep(0.05)
        self.assertFalse(silent._ended or partial._ended)
        clocked.clock.advance(0.001)
        await self.ended(silent)
        await self.ended(partial)
        self.assertEqual(bytes(silent.received) + bytes(partial.received), b"")
        self.assertEqual([len(s) for s in spies], [0, 0, 0])

    async def test_upgradedNotAffected(self) -> None:
        """
        B84: a completed handshake is not cut by the timer.
        """
        clocked = ClockedReactor()
        server = self.makeServer(reactor=clocked)
        server.setHandshakeTimeout(250)
        client, ws = await self.upgrade(server)
        clocked.clock.advance(10)
        await sleep(0.05)
        self.assertFalse(client._ended)
        self.assertTrue(ws.isValid())

    async def test_disabled(self) -> None:
        """
        B85: -1 disables the timeout.
        """
        clocked = ClockedReactor()
        server = self.makeServer(reactor=clocked)
        server.setHandshakeTimeout(-1)
        self.assertEqual(server.handshakeTimeoutMS(), -1)
        client = await self.connectClient(server)
        clocked.clock.advance(3600)
        await sleep(0.05)
        self.assertFalse(client._ended)

    async def test_idleClientsDoNotBlock(self) -> None:
        """
        B87: with 500 ms and 50 idle TCP connections, a websocket client
        still connects, and every idle connection is closed in the end
        (tst_handshakeTimeout).
        """
        clocked = ClockedReactor()
        server = self.makeServer(reactor=clocked)
        server.setHandshakeTimeout(500)
        idle = [await self.connectClient(server) for _ in range(50)]
        await sleep(0.05)
        client, ws = await self.upgrade(server)
        clocked.clock.advance(0.5)
        for c in idle:
            await self.ended(c)
        self.assertFalse(client._ended)
        self.assertEqual(ws.sendTextMessage("alive"), 5)

    async def test_slowloris(self) -> None:
        """
        A client dripping its request a byte at a time is cut at the
        handshake timeout, while a fresh client still connects.
        """
        clocked = ClockedReactor()
        server = self.makeServer(reactor=clocked)
        server.setHandshakeTimeout(1000)
        slow = await self.connectClient(server)
        request = upgradeRequest()
        sent = 0
        while not slow._ended and sent < len(request) - 1:
            slow.write(request[sent : sent + 1])
            sent += 1
            await sleep(0.001)
            clocked.clock.advance(0.05)
        await self.ended(slow)
        self.assertLess(sent, len(request) - 1)
        self.assertEqual(bytes(slow.received), b"")
        client, ws = await self.upgrade(server)
        self.assertTrue(ws.isValid())

    async def test_zeroClosesAtOnce(self) -> None:
        """
        A timeout of 0 ms closes a connection at once.
        """
        server = self.makeServer()
        server.setHandshakeTimeout(0)
        client = await self.connectClient(server)
        await self.ended(client)


class ServerSocketTests(WebSocketTestCase):
    """
    The server-side QWebSocket (B89-B91, B97, B101-B103).
    """

    async def test_properties(self) -> None:
        """
        B89, B90: no parent, connected, version 13, requestUrl from the
        Host header and target, origin, resourceName the whole URL
        (tst_scheme).
        """
        server = self.makeServer()
        client, ws = await self.upgrade(
            server,
            upgradeRequest(target="/chat?x=1", host="example.com:1234", origin="http://o"),
        )
        self.assertIsNone(ws.parent())
        self.assertEqual(ws.state(), QTcpSocket.ConnectedState)
        self.assertTrue(ws.isValid())
        self.assertEqual(ws.version(), QWebSocketProtocol.Version13)
        self.assertEqual(ws.requestUrl(), "ws://example.com:1234/chat?x=1")
        self.assertEqual(ws.resourceName(), "ws://example.com:1234/chat?x=1")
        self.assertEqual(ws.origin(), "http://o")
        self.assertEqual(ws.subprotocol(), "")
        self.assertEqual(ws.closeCode(), _CC.CloseCodeNormal)
        self.assertEqual(ws.closeReason(), "")
        self.assertEqual(ws.error(), QTcpSocket.UnknownSocketError)
        self.assertEqual(ws.errorString(), "Unknown error")
        self.assertEqual(ws.peerAddress(), QHostAddress("127.0.0.1"))
        self.assertEqual(ws.localPort(), server.serverPort())
        self.assertNotEqual(ws.peerPort(), 0)
        self.assertEqual(ws.maxAllowedIncomingFrameSize(), 2_147_483_646)
        self.assertEqual(ws.maxAllowedIncomingMessageSize(), 2_147_483_646)
        self.assertEqual(ws.outgoingFrameSize(), 524_288)

    async def test_request(self) -> None:
        """
        B91: request() exposes every header (custom ones too, names
        lower-cased) and the query (tst_openRequest, server side).
        """
        server = self.makeServer()
        client, ws = await self.upgrade(
            server, upgradeRequest(target="/p?a=b&c=d", extra=["X-Custom-Header: hello"])
        )
        request = ws.request()
        self.assertEqual(request.url(), "ws://127.0.0.1/p?a=b&c=d")
        self.assertEqual(request.rawHeader("X-Custom-Header"), b"hello")
        self.assertIn(b"x-custom-header", request.rawHeaderList())
        self.assertEqual(request.rawHeader(b"sec-websocket-key"), KEY.encode())
        self.assertFalse(request.hasRawHeader("Sec-WebSocket-Protocol"))

    async def test_echo(self) -> None:
        """
        Messages flow both ways; server frames are unmasked (B103).
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server)
        ws.textMessageReceived.connect(lambda m: ws.sendTextMessage(m.upper()))
        ws.binaryMessageReceived.connect(lambda m: ws.sendBinaryMessage(m[::-1]))
        client.write(text("hello") + frame(2, b"\x01\x02\x03"))
        frames = await self.frames(client, 2)
        self.assertEqual(
            frames,
            [(True, 0, 1, False, b"HELLO"), (True, 0, 2, False, b"\x03\x02\x01")],
        )

    async def test_peerClose(self) -> None:
        """
        B101: a peer Close 4000 "bye" is echoed, the TCP connection closes,
        disconnected fires, and closeCode()/closeReason() report it.
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server)
        spy = SignalSpy(ws.disconnected)
        client.write(closeFrame(4000, "bye"))
        await self.ended(client)
        await waitForCount(spy, 1)
        frames = await self.frames(client, 1)
        self.assertEqual(frames[0][2], 8)
        self.assertEqual(closePayload(frames[0][4]), (4000, "bye"))
        self.assertEqual((ws.closeCode(), ws.closeReason()), (4000, "bye"))

    async def test_messageTooLong(self) -> None:
        """
        B102: with a message limit of 1024, 1025 bytes close with 1009
        (incomingMessageTooLong), also across frames.
        """
        for fragmented in (False, True):
            server = self.makeServer()
            client, ws = await self.upgrade(server)
            ws.setMaxAllowedIncomingMessageSize(1024)
            received = SignalSpy(ws.binaryMessageReceived)
            if fragmented:
                client.write(frame(2, b"a" * 1000, fin=False) + frame(0, b"b" * 25))
            else:
                client.write(frame(2, b"a" * 1025))
            await self.ended(client)
            frames = await self.frames(client, 1)
            self.assertEqual(
                closePayload(frames[0][4]), (1009, "Received message is too big.")
            )
            self.assertEqual(len(received), 0)
            self.assertEqual(ws.closeCode(), _CC.CloseCodeTooMuchData)

    async def test_frameTooLong(self) -> None:
        """
        B102: with a frame limit of 1024, a 1025-byte frame closes with 1009
        (incomingFrameTooLong).
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server)
        ws.setMaxAllowedIncomingFrameSize(1024)
        client.write(frame(2, b"a" * 1024) + frame(2, b"a" * 1025))
        await self.ended(client)
        frames = await self.frames(client, 1)
        self.assertEqual(closePayload(frames[0][4]), (1009, "Maximum framesize exceeded."))

    async def test_handleConnection(self) -> None:
        """
        B97: handleConnection() on a socket from another QTcpServer runs the
        handshake (the WebSocket server does not listen), queues the
        websocket, and messages flow both ways (tst_handleConnection).
        """
        tcp = QTcpServer()
        self.addCleanup(tcp.close)
        self.assertTrue(tcp.listen(_LOCAL, 0))
        server = self.makeServer(listen=False)
        tcp.newConnection.connect(lambda: server.handleConnection(tcp.nextPendingConnection()))
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(tcp.serverPort())
        client.write(upgradeRequest() + text("hello"))
        await waitForCount(spy, 1)
        ws = server.nextPendingConnection()
        assert ws is not None
        self.addCleanup(ws.abort)
        messages = SignalSpy(ws.textMessageReceived)
        await waitForCount(messages, 1)
        self.assertEqual(messages.emissions, [("hello",)])
        ws.sendTextMessage("world")
        await waitUntil(lambda: b"world" in client.received, "the answer")
        await waitUntil(lambda: ws.bytesToWrite() == 0, "bytesToWrite to drain")

    async def test_handleConnectionTimer(self) -> None:
        """
        handleConnection() sockets get the handshake timer (Qt 6.12).
        """
        clocked = ClockedReactor()
        tcp = QTcpServer(reactor=clocked)
        self.addCleanup(tcp.close)
        self.assertTrue(tcp.listen(_LOCAL, 0))
        server = self.makeServer(listen=False, reactor=clocked)
        server.setHandshakeTimeout(100)
        tcp.newConnection.connect(lambda: server.handleConnection(tcp.nextPendingConnection()))
        client = await self.connectClient(tcp.serverPort())
        await sleep(0.05)
        clocked.clock.advance(0.1)
        await self.ended(client)


class ClientTests(WebSocketTestCase):
    """
    A qtwisted QWebSocket client against the server (tst_connectivity,
    tst_sendTextMessage, tst_sendBinaryMessage, tst_protocolAccessor,
    tst_errorString).
    """

    async def openClient(
        self, server: QWebSocketServer, ws: QWebSocket | None = None, **kw: Any
    ) -> QWebSocket:
        client = ws or QWebSocket()
        self.addCleanup(client.abort)
        connected = SignalSpy(client.connected)
        client.open(server.serverUrl(), **kw)
        await waitForCount(connected, 1)
        return client

    async def test_connectivity(self) -> None:
        """
        A client connects; newConnection 1, originAuthenticationRequired 1,
        and closed 1 after close() (tst_connectivity).
        """
        server = self.makeServer()
        news = SignalSpy(server.newConnection)
        origins = SignalSpy(server.originAuthenticationRequired)
        closed = SignalSpy(server.closed)
        client = await self.openClient(server)
        self.assertEqual(client.state(), QTcpSocket.ConnectedState)
        await waitForCount(news, 1)
        self.assertEqual(len(origins), 1)
        server.close()
        await waitForCount(closed, 1)

    async def test_echoText(self) -> None:
        """
        Text echoed through the server, a long one too; close with
        GoingAway and a reason (tst_sendTextMessage).
        """
        server = self.makeServer()

        def echo() -> None:
            ws = server.nextPendingConnection()
            assert ws is not None
            self.addCleanup(ws.abort)
            ws.textMessageReceived.connect(ws.sendTextMessage)

        server.newConnection.connect(echo)
        client = await self.openClient(server)
        received = SignalSpy(client.textMessageReceived)
        frames = SignalSpy(client.textFrameReceived)
        long = "é" * 400_000
        self.assertEqual(client.sendTextMessage("Hello world!"), 12)
        self.assertEqual(client.sendTextMessage(long), 800_000)
        await waitForCount(received, 2)
        self.assertEqual(received.emissions, [("Hello world!",), (long,)])
        # 800,000 bytes leave the server in two frames of <= 524,288.
        self.assertEqual([f[1] for f in frames.emissions], [True, False, True])
        self.assertEqual("".join(f[0] for f in frames.emissions[1:]), long)
        disconnected = SignalSpy(client.disconnected)
        client.close(QWebSocketProtocol.CloseCodeGoingAway, "going away")
        await waitForCount(disconnected, 1)
        self.assertEqual(client.closeCode(), _CC.CloseCodeGoingAway)
        self.assertEqual(client.closeReason(), "going away")

    async def test_echoBinary(self) -> None:
        """
        Binary echoed through the server (tst_sendBinaryMessage).
        """
        server = self.makeServer()

        def echo() -> None:
            ws = server.nextPendingConnection()
            assert ws is not None
            self.addCleanup(ws.abort)
            ws.binaryMessageReceived.connect(ws.sendBinaryMessage)

        server.newConnection.connect(echo)
        client = await self.openClient(server)
        received = SignalSpy(client.binaryMessageReceived)
        self.assertEqual(client.sendBinaryMessage(b"\x00\x01" * 1000), 2000)
        await waitForCount(received, 1)
        self.assertEqual(received.emissions, [(b"\x00\x01" * 1000,)])

    async def test_protocolAccessor(self) -> None:
        """
        A client offering foo, protocol2 gets protocol2
        (tst_protocolAccessor).
        """
        from qtwisted import QWebSocketHandshakeOptions

        server = self.makeServer()
        server.setSupportedSubprotocols(["protocol1", "protocol2"])
        options = QWebSocketHandshakeOptions()
        options.setSubprotocols(["foo", "protocol2"])
        client = await self.openClient(server, options=options)
        self.assertEqual(client.subprotocol(), "protocol2")

    async def test_refusedOrigin(self) -> None:
        """
        A client refused by its origin reports Qt's text for the 403
        (tst_errorString).
        """
        server = self.makeServer()
        server.originAuthenticationRequired.connect(lambda a: a.setAllowed(False))
        client = QWebSocket("http://evil")
        self.addCleanup(client.abort)
        errors = SignalSpy(client.errorOccurred)
        disconnected = SignalSpy(client.disconnected)
        client.open(server.serverUrl())
        await waitForCount(disconnected, 1)
        self.assertEqual(errors.emissions, [(QTcpSocket.ConnectionRefusedError,)])
        self.assertEqual(
            client.errorString(),
            "QWebSocketPrivate::processHandshake: Unhandled http status code: 403"
            " (Access Forbidden).",
        )

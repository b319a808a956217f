"""
Tests for L{qtwisted.QWebSocketServer} in C{SecureMode} (wss) on
qtwisted's QSslServer: B60, B86-B87, B98-B100 and tst_scheme,
tst_preSharedKey and the wss rows of tst_handshakeTimeout, with qtwisted's
QWebSocket and QSslSocket as clients (the websockets library's wss client
is in test_websocket_interop).
"""

from __future__ import annotations

from typing import Any

from qtwisted import (
    QHostAddress,
    QSsl,
    QSslPreSharedKeyAuthenticator,
    QSslSocket,
    QTcpSocket,
    QWebSocket,
    QWebSocketProtocol,
    QWebSocketServer,
)
from qtwisted.testing import ClockedReactor, SignalSpy

from . import _certs
from ._tlshelpers import PSK, clientConfiguration, configuration, serverConfiguration
from ._wshelpers import WebSocketTestCase, sleep, upgradeRequest, waitForCount, waitUntil

_LOCAL = QHostAddress.SpecialAddress.LocalHost
VerifyPeer = QSslSocket.PeerVerifyMode.VerifyPeer
VerifyNone = QSslSocket.PeerVerifyMode.VerifyNone
_SSL_SIGNALS = (
    "peerVerifyError",
    "sslErrors",
    "preSharedKeyAuthenticationRequired",
    "alertSent",
    "alertReceived",
    "handshakeInterruptedOnError",
)


class SecureServerTests(WebSocketTestCase):
    """
    wss with a certificate issued by the test CA.
    """

    def secureServer(self, sslConfiguration: Any = None, reactor: Any = None) -> QWebSocketServer:
        server = QWebSocketServer("Secure", QWebSocketServer.SecureMode, reactor=reactor)
        self.addCleanup(server._destroy)
        server.setSslConfiguration(
            sslConfiguration if sslConfiguration is not None else serverConfiguration()
        )
        self.assertTrue(server.listen(_LOCAL, 0))
        return server

    def wssClient(self, server: QWebSocketServer, sslConfiguration: Any = None) -> QWebSocket:
        client = QWebSocket()
        self.addCleanup(client.abort)
        client.setSslConfiguration(
            sslConfiguration if sslConfiguration is not None else clientConfiguration()
        )
        client.open(server.serverUrl())
        return client

    def test_serverUrl(self) -> None:
        """
        B60: a SecureMode server's URL is wss://127.0.0.1:<port>.
        """
        server = self.secureServer()
        self.assertEqual(server.serverUrl(), f"wss://127.0.0.1:{server.serverPort()}")

    def test_sslConfigurationStored(self) -> None:
        """
        B94: in SecureMode the configuration is stored and returned.
        """
        server = self.secureServer()
        self.assertEqual(
            server.sslConfiguration().localCertificate(),
            serverConfiguration().localCertificate(),
        )

    async def test_scheme(self) -> None:
        """
        B98, B89: a TLS client that upgrades gives originAuthenticationRequired
        then newConnection; its socket's requestUrl is wss, its
        configuration carries the session's cipher (tst_scheme); messages
        flow both ways.
        """
        server = self.secureServer()
        events: list[str] = []
        server.originAuthenticationRequired.connect(lambda a: events.append("origin"))
        server.newConnection.connect(lambda: events.append("new"))
        serverErrors = SignalSpy(server.serverError)
        client = self.wssClient(server)
        connected = SignalSpy(client.connected)
        await waitForCount(connected, 1)
        await waitUntil(lambda: "new" in events, "newConnection")
        self.assertEqual(events, ["origin", "new"])
        ws = server.nextPendingConnection()
        assert ws is not None
        self.addCleanup(ws.abort)
        self.assertTrue(ws.requestUrl().startswith("wss://127.0.0.1:"))
        self.assertFalse(ws.sslConfiguration().sessionCipher().isNull())
        self.assertFalse(client.sslConfiguration().sessionCipher().isNull())
        ws.textMessageReceived.connect(lambda m: ws.sendTextMessage(m[::-1]))
        replies = SignalSpy(client.textMessageReceived)
        client.sendTextMessage("secure")
        await waitForCount(replies, 1)
        self.assertEqual(replies.emissions, [("eruces",)])
        self.assertEqual(len(serverErrors), 0)
        disconnected = SignalSpy(ws.disconnected)
        client.close(QWebSocketProtocol.CloseCodeGoingAway, "bye")
        await waitForCount(disconnected, 1)
        self.assertEqual((ws.closeCode(), ws.closeReason()), (1001, "bye"))

    async def test_plaintextClient(self) -> None:
        """
        B98: a plaintext HTTP client gets no bytes and causes no signal.
        """
        server = self.secureServer()
        spies = [
            SignalSpy(getattr(server, n))
            for n in ("serverError", "newConnection", "originAuthenticationRequired")
        ]
        client = await self.connectClient(server)
        client.write(upgradeRequest())
        await self.ended(client)
        self.assertEqual(bytes(client.received), b"")
        self.assertEqual([len(s) for s in spies], [0, 0, 0])

    async def test_tlsFailureNoServerError(self) -> None:
        """
        B99: a client without a certificate at a VerifyPeer server: the TLS
        signals are forwarded without the socket, and there is no
        serverError or newConnection.
        """
        server = self.secureServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        spies = {name: SignalSpy(getattr(server, name)) for name in _SSL_SIGNALS}
        errors = SignalSpy(server.serverError)
        news = SignalSpy(server.newConnection)
        client = self.wssClient(server)
        disconnected = SignalSpy(client.disconnected)
        await waitForCount(disconnected, 1)
        await sleep(0.1)
        self.assertGreaterEqual(len(spies["sslErrors"]), 1)
        self.assertGreaterEqual(len(spies["peerVerifyError"]), 1)
        self.assertIsInstance(spies["sslErrors"][0][0], list)
        self.assertEqual((len(errors), len(news)), (0, 0))

    async def test_tlsTimeouts(self) -> None:
        """
        B86, B87: the TLS timeout follows the WebSocket one; idle TCP
        clients are closed after it (2000 ms), while a wss client still
        connects (tst_handshakeTimeout, wss rows); no serverError.
        """
        clocked = ClockedReactor()
        server = self.secureServer(reactor=clocked)
        server.setHandshakeTimeout(2000)
        self.assertEqual(server._sslServer.handshakeTimeout(), 2000)
        errors = SignalSpy(server.serverError)
        idle = [await self.connectClient(server) for _ in range(10)]
        client = self.wssClient(server)
        connected = SignalSpy(client.connected)
        await waitForCount(connected, 1)
        clocked.clock.advance(2.0)
        for c in idle:
            await self.ended(c)
        await sleep(0.05)
        self.assertEqual(client.state(), QTcpSocket.ConnectedState)
        self.assertEqual(len(errors), 0)

    async def test_upgradeTimeoutAfterTls(self) -> None:
        """
        After encryption the WebSocket timer runs again: a TLS client that
        never sends its request is closed then, without a response.
        """
        clocked = ClockedReactor()
        server = self.secureServer(reactor=clocked)
        server.setHandshakeTimeout(500)
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(clientConfiguration())
        client.connectToHostEncrypted("127.0.0.1", server.serverPort(), peerVerifyName="localhost")
        encrypted = SignalSpy(client.encrypted)
        await waitForCount(encrypted, 1)
        await sleep(0.05)
        disconnected = SignalSpy(client.disconnected)
        clocked.clock.advance(0.5)
        await waitForCount(disconnected, 1)
        self.assertEqual(client.bytesAvailable(), 0)

    async def test_preSharedKey(self) -> None:
        """
        B100: a PSK handshake fires the forwarded
        preSharedKeyAuthenticationRequired once, with the configured hint
        and maximum identity length 0; the websocket then works
        (tst_preSharedKey).
        """
        server = self.secureServer(configuration(None, preSharedKeyIdentityHint=b"Server Y"))
        seen: list[QSslPreSharedKeyAuthenticator] = []

        def serverKey(authenticator: QSslPreSharedKeyAuthenticator) -> None:
            seen.append(QSslPreSharedKeyAuthenticator(authenticator))
            authenticator.setPreSharedKey(PSK)

        server.preSharedKeyAuthenticationRequired.connect(serverKey)
        client = QWebSocket()
        self.addCleanup(client.abort)
        client.setSslConfiguration(
            configuration(None, peerVerifyMode=VerifyNone, protocol=QSsl.TlsV1_2)
        )

        def clientKey(authenticator: QSslPreSharedKeyAuthenticator) -> None:
            authenticator.setIdentity(b"Client X")
            authenticator.setPreSharedKey(PSK)

        client.preSharedKeyAuthenticationRequired.connect(clientKey)
        connected = SignalSpy(client.connected)
        client.open(server.serverUrl())
        await waitForCount(connected, 1)
        [authenticator] = seen
        self.assertEqual(authenticator.identity(), b"Client X")
        self.assertEqual(authenticator.identityHint(), b"Server Y")
        self.assertEqual(authenticator.maximumIdentityLength(), 0)
        self.assertGreater(authenticator.maximumPreSharedKeyLength(), 0)
        self.assertIn("PSK", client.sslConfiguration().sessionCipher().name())

    async def test_clientRejectsCertificate(self) -> None:
        """
        A wss client that does not trust the server reports sslErrors and
        SslHandshakeFailedError, then disconnected; ignoreSslErrors() in
        the slot lets it connect.
        """
        server = self.secureServer(configuration(_certs.selfSigned()))
        client = self.wssClient(server)
        errors = SignalSpy(client.errorOccurred)
        sslErrors = SignalSpy(client.sslErrors)
        disconnected = SignalSpy(client.disconnected)
        await waitForCount(disconnected, 1)
        self.assertGreaterEqual(len(sslErrors), 1)
        self.assertIn((QTcpSocket.SslHandshakeFailedError,), errors.emissions)
        trusting = QWebSocket()
        self.addCleanup(trusting.abort)
        trusting.setSslConfiguration(clientConfiguration())
        trusting.sslErrors.connect(lambda errors: trusting.ignoreSslErrors())
        connected = SignalSpy(trusting.connected)
        trusting.open(server.serverUrl())
        await waitForCount(connected, 1)

"""
Tests for L{qtwisted.QSslServer} (L{qtwisted._ssl._server}).

Every test names the Qt behaviour it checks (C{B<n>} in QT_BEHAVIORS.md
section 2) or the C{tst_qsslserver.cpp} test it ports.  Sockets are real
and bound to the loopback interface; handshake timeouts run on a fake
clock (L{ClockedReactor}) so that no test sleeps through them.  Interop
with the C{openssl s_client} command-line tool is in
L{tests.test_ssl_interop}.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from OpenSSL import SSL
from twisted.internet import reactor
from twisted.trial.unittest import SynchronousTestCase, TestCase

from qtwisted import (
    QAbstractSocket,
    QHostAddress,
    QSsl,
    QSslCipher,
    QSslConfiguration,
    QSslError,
    QSslPreSharedKeyAuthenticator,
    QSslServer,
    QSslSocket,
    QTcpSocket,
)
from qtwisted.testing import ClockedReactor, LoopbackClient, SignalSpy, connectLoopback

from . import _certs
from ._tlshelpers import (
    PSK,
    QUIET,
    Settle,
    SpyServer,
    clientConfiguration,
    clientHello,
    configuration,
    connectClient,
    serverConfiguration,
    sleep,
    waitUntil,
)

SocketError = QAbstractSocket.SocketError
SocketState = QAbstractSocket.SocketState
SslError = QSslError.SslError
VerifyPeer = QSslSocket.PeerVerifyMode.VerifyPeer
VerifyNone = QSslSocket.PeerVerifyMode.VerifyNone


class QSslServerSetupTests(SynchronousTestCase):
    """
    A new server's state and its setters (no network).
    """

    def test_defaults(self) -> None:
        """
        B36: a new QSslServer has handshakeTimeout() 5000 and the default configuration.
        """
        server = QSslServer()
        self.assertEqual(server.handshakeTimeout(), 5000)
        self.assertEqual(server.sslConfiguration(), QSslConfiguration.defaultConfiguration())
        self.assertIsInstance(server, QSslServer)
        self.assertEqual(server.maxPendingConnections(), 30)
        self.assertFalse(server.isListening())

    def test_handshakeTimeoutStoredAsGiven(self) -> None:
        """
        setHandshakeTimeout() stores any int, as Qt does (no validation).
        """
        server = QSslServer()
        for value in (0, -1, 750, 2**31 - 1):
            server.setHandshakeTimeout(value)
            self.assertEqual(server.handshakeTimeout(), value)
        self.assertRaises(TypeError, server.setHandshakeTimeout, 1.5)
        self.assertRaises(ValueError, server.setHandshakeTimeout, 2**31)

    def test_sslConfigurationIsCopied(self) -> None:
        """
        The server keeps its own copy: changing the caller's object later changes nothing.
        """
        server = QSslServer()
        mine = serverConfiguration()
        server.setSslConfiguration(mine)
        mine.setPeerVerifyMode(VerifyPeer)
        self.assertNotEqual(server.sslConfiguration().peerVerifyMode(), VerifyPeer)
        self.assertEqual(server.sslConfiguration(), serverConfiguration())

    def test_mismatchedKeyRaises(self) -> None:
        """
        A certificate that does not match its key fails at configuration time, naming it.
        """
        server = QSslServer()
        bad = configuration(_certs.server())
        bad.setPrivateKey(configuration(_certs.client()).privateKey())
        error = self.assertRaises(ValueError, server.setSslConfiguration, bad)
        self.assertIn("does not match", str(error))
        self.assertEqual(server.sslConfiguration(), QSslConfiguration.defaultConfiguration())

    def test_wrongTypeRaises(self) -> None:
        """
        setSslConfiguration() takes a QSslConfiguration only.
        """
        self.assertRaises(TypeError, QSslServer().setSslConfiguration, "cert.pem")


class TlsServerTestCase(TestCase):
    """
    Helpers for tests over real loopback connections.
    """

    timeout = 30

    def setUp(self) -> None:
        Settle(self)

    def spyServer(
        self, sslConfiguration: QSslConfiguration | None = None, reactor: Any = None
    ) -> SpyServer:
        if sslConfiguration is None:
            sslConfiguration = serverConfiguration()
        return SpyServer(self, sslConfiguration, reactor)

    async def rawClient(self, port: int) -> LoopbackClient:
        client = await connectLoopback(port)
        self.addCleanup(lambda: client.abort() if not client._ended else None)
        return client


class HandshakeTests(TlsServerTestCase):
    """
    The connection pipeline: accept, first byte, handshake, queue (QT_BEHAVIORS.md 1.2).
    """

    async def test_newConnectionBeforeHandshake(self) -> None:
        """
        B37: newConnection comes at TCP accept, before the handshake, with hasPendingConnections() False.
        """
        spy = self.spyServer()
        port = spy.listen()
        seen: list[tuple[bool, int]] = []
        spy.server.newConnection.connect(
            lambda: seen.append(
                (spy.server.hasPendingConnections(), spy.count("startedEncryptionHandshake"))
            )
        )
        await self.rawClient(port)
        await waitUntil(lambda: seen, what="newConnection")
        self.assertEqual(seen, [(False, 0)])
        self.assertEqual(spy.order, ["newConnection"])

    async def test_successfulHandshake(self) -> None:
        """
        B38: startedEncryptionHandshake once, then pendingConnectionAvailable once; the socket is encrypted, SslServerMode, owned by the server.
        """
        spy = self.spyServer()
        port = spy.listen()
        client = connectClient(self, port)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        self.assertEqual(
            spy.order, ["newConnection", "startedEncryptionHandshake", "pendingConnectionAvailable"]
        )
        [(started,)] = spy.spies["startedEncryptionHandshake"]
        self.assertTrue(spy.server.hasPendingConnections())
        socket = spy.server.nextPendingConnection()
        self.assertIs(socket, started)
        assert isinstance(socket, QSslSocket)
        self.assertEqual(socket.mode(), QSslSocket.SslServerMode)
        self.assertTrue(socket.isEncrypted())
        self.assertIs(socket.parent(), spy.server)
        self.assertEqual(socket.state(), SocketState.ConnectedState)
        self.assertIn(
            socket.sessionProtocol(), (QSsl.SslProtocol.TlsV1_2, QSsl.SslProtocol.TlsV1_3)
        )
        await waitUntil(client.isEncrypted, what="client encrypted")

    async def test_dataRightAfterHandshake(self) -> None:
        """
        B39: data the client sends right after the handshake is readable on the returned socket.
        """
        spy = self.spyServer()
        port = spy.listen()
        client = connectClient(self, port)
        # Written before the client is even connected: sent, encrypted, with
        # (or right after) the client's last handshake message.
        client.write(b"first words")
        got: list[bytes] = []

        def take() -> None:
            socket = spy.server.nextPendingConnection()
            assert socket is not None
            if socket.bytesAvailable():
                got.append(socket.readAll())
            socket.readyRead.connect(lambda: got.append(socket.readAll()))

        spy.server.pendingConnectionAvailable.connect(take)
        await waitUntil(lambda: b"".join(got) == b"first words", what="the data")

    async def test_plaintextClientDropped(self) -> None:
        """
        B40: a first byte other than 0x16 drops the client promptly, with no signal but newConnection.
        """
        spy = self.spyServer()
        port = spy.listen()
        client = await self.rawClient(port)
        client.write(b"GET / HTTP/1.1\r\n\r\n")
        await client.lost
        self.assertEqual(client.received, b"")
        await sleep(QUIET)
        self.assertEqual(spy.order, ["newConnection"])
        self.assertFalse(spy.server.hasPendingConnections())
        await waitUntil(lambda: not spy.server.children(), what="the socket deleted")

    async def test_earlyCloseIsRemoteHostClosed(self) -> None:
        """
        B42: a client that connects and closes before sending gives errorOccurred(socket, RemoteHostClosedError).
        """
        spy = self.spyServer()
        port = spy.listen()
        client = await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection"), what="accept")
        await client.close()
        await waitUntil(lambda: spy.count("errorOccurred"), what="errorOccurred")
        [(socket, error)] = spy.spies["errorOccurred"]
        self.assertEqual(error, SocketError.RemoteHostClosedError)
        self.assertIsInstance(socket, QSslSocket)
        self.assertEqual(spy.order, ["newConnection", "errorOccurred"])


class TimeoutTests(TlsServerTestCase):
    """
    The handshake timer, on a fake clock (B41, B48, B50).
    """

    def clockedServer(self, **kwargs: Any) -> tuple[SpyServer, ClockedReactor]:
        clocked = ClockedReactor()
        spy = self.spyServer(reactor=clocked, **kwargs)
        return spy, clocked

    async def test_silentClientTimesOut(self) -> None:
        """
        B41: a silent client is dropped after handshakeTimeout() with errorOccurred(socket, SocketTimeoutError); peerPort() in the slot is the client's port.
        """
        spy, clocked = self.clockedServer()
        port = spy.listen()
        ports: list[int] = []
        spy.server.errorOccurred.connect(lambda socket, error: ports.append(socket.peerPort()))
        client = await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection"), what="accept")
        clocked.clock.advance(4.999)
        self.assertEqual(spy.count("errorOccurred"), 0)
        clocked.clock.advance(0.002)
        [(socket, error)] = spy.spies["errorOccurred"]
        self.assertEqual(error, SocketError.SocketTimeoutError)
        self.assertEqual(ports, [client.transport.getHost().port])  # type: ignore[union-attr]
        await client.lost
        self.assertEqual(spy.order, ["newConnection", "errorOccurred"])

    async def test_timedOutSocketDeleted(self) -> None:
        """
        B48: a socket whose handshake timed out is no longer a child of the server shortly after.
        """
        spy, clocked = self.clockedServer()
        port = spy.listen()
        await self.rawClient(port)
        await waitUntil(lambda: spy.server.children(), what="accept")
        [socket] = spy.server.children()
        clocked.clock.advance(5.001)
        await waitUntil(lambda: not spy.server.children(), what="deletion")
        assert isinstance(socket, QSslSocket)
        self.assertEqual(socket.state(), SocketState.UnconnectedState)

    async def test_timerRestartedOnceAtFirstByte(self) -> None:
        """
        B41: the timer restarts at the first byte (a ClientHello), and only then.
        """
        spy, clocked = self.clockedServer()
        port = spy.listen()
        client = await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection"), what="accept")
        clocked.clock.advance(4.0)
        hello = clientHello()
        client.write(hello[:10])
        await waitUntil(lambda: spy.count("startedEncryptionHandshake"), what="started")
        clocked.clock.advance(4.0)  # 8 s in all, 4 s since the first byte
        client.write(hello[10:])
        await waitUntil(lambda: client.received, what="the ServerHello")
        clocked.clock.advance(0.999)
        self.assertEqual(spy.count("errorOccurred"), 0)
        clocked.clock.advance(0.002)
        self.assertEqual(
            [args[1] for args in spy.spies["errorOccurred"]], [SocketError.SocketTimeoutError]
        )

    async def test_timeoutAppliesToLaterConnections(self) -> None:
        """
        B50: setHandshakeTimeout() affects only connections accepted afterwards.
        """
        spy, clocked = self.clockedServer()
        port = spy.listen()
        first = await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection") == 1, what="first accept")
        spy.server.setHandshakeTimeout(1000)
        second = await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection") == 2, what="second accept")
        clocked.clock.advance(1.001)
        await second.lost
        self.assertEqual(len(spy.spies["errorOccurred"]), 1)
        self.assertFalse(first._ended)
        clocked.clock.advance(4.0)
        await first.lost
        self.assertEqual(len(spy.spies["errorOccurred"]), 2)


class VerificationTests(TlsServerTestCase):
    """
    Client certificates and Qt's SSL error signals (B43-B47).
    """

    async def test_selfSignedClientRejected(self) -> None:
        """
        B43: VerifyPeer and a self-signed client certificate: peerVerifyError, sslErrors, errorOccurred(SslHandshakeFailedError), close_notify; no pending connection.
        """
        spy = self.spyServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        port = spy.listen()
        client = connectClient(
            self, port, configuration(_certs.selfSigned(), peerVerifyMode=VerifyNone)
        )
        await waitUntil(
            lambda: client.state() == SocketState.UnconnectedState and spy.count("alertSent"),
            what="the client disconnected",
        )
        self.assertEqual(
            spy.order,
            [
                "newConnection",
                "startedEncryptionHandshake",
                "peerVerifyError",
                "sslErrors",
                "errorOccurred",
                "alertSent",
            ],
        )
        [(socket, error)] = spy.spies["peerVerifyError"]
        self.assertEqual(error.error(), SslError.SelfSignedCertificate)
        self.assertEqual(error.certificate().subjectInfo(b"CN"), ["self-signed"])
        [(_, errors)] = spy.spies["sslErrors"]
        self.assertEqual(errors, [error])
        [(_, code)] = spy.spies["errorOccurred"]
        self.assertEqual(code, SocketError.SslHandshakeFailedError)
        assert isinstance(socket, QSslSocket)
        self.assertEqual(socket.errorString(), "The certificate is self-signed, and untrusted")
        [(_, level, kind, text)] = spy.spies["alertSent"]
        self.assertEqual(
            (level, kind, text), (QSsl.AlertLevel.Warning, QSsl.AlertType.CloseNotify, "close notify")
        )
        self.assertFalse(spy.server.hasPendingConnections())
        self.assertFalse(client.isEncrypted())

    async def test_ignoreSslErrorsInSlot(self) -> None:
        """
        B44: socket.ignoreSslErrors() inside the sslErrors slot lets the handshake finish.
        """
        spy = self.spyServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        spy.server.sslErrors.connect(lambda socket, errors: socket.ignoreSslErrors())
        port = spy.listen()
        connectClient(self, port, clientConfiguration(_certs.selfSigned()))
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        self.assertEqual(
            spy.order,
            [
                "newConnection",
                "startedEncryptionHandshake",
                "peerVerifyError",
                "sslErrors",
                "pendingConnectionAvailable",
            ],
        )
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        self.assertEqual(socket.peerCertificate().subjectInfo(b"CN"), ["self-signed"])
        self.assertEqual(
            [e.error() for e in socket.sslHandshakeErrors()], [SslError.SelfSignedCertificate]
        )

    async def test_ignoreListedSslErrors(self) -> None:
        """
        B44: ignoreSslErrors(list) lets the handshake finish when every error is listed.
        """
        spy = self.spyServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        spy.server.sslErrors.connect(lambda socket, errors: socket.ignoreSslErrors(errors))
        port = spy.listen()
        connectClient(self, port, clientConfiguration(_certs.selfSigned()))
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")

    async def test_ignoreOtherSslErrorsFails(self) -> None:
        """
        B44: ignoreSslErrors(list) with other errors than those found does not help.
        """
        spy = self.spyServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        unrelated = [QSslError(SslError.CertificateExpired)]
        spy.server.sslErrors.connect(lambda socket, errors: socket.ignoreSslErrors(unrelated))
        port = spy.listen()
        connectClient(self, port, clientConfiguration(_certs.selfSigned()))
        await waitUntil(lambda: spy.count("errorOccurred"), what="errorOccurred")
        self.assertEqual(spy.count("pendingConnectionAvailable"), 0)

    async def test_trustedClientCertificate(self) -> None:
        """
        VerifyPeer and a client certificate from a trusted CA: no error; the server socket sees the client's chain.
        """
        spy = self.spyServer(
            serverConfiguration(
                peerVerifyMode=VerifyPeer, caCertificates=[configuration(_certs.ca()).localCertificate()]
            )
        )
        port = spy.listen()
        connectClient(self, port, clientConfiguration(_certs.client()))
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        self.assertEqual(
            spy.order, ["newConnection", "startedEncryptionHandshake", "pendingConnectionAvailable"]
        )
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        self.assertEqual(socket.peerCertificate().subjectInfo(b"CN"), ["client"])
        self.assertEqual(socket.peerCertificateChain()[0], socket.peerCertificate())
        self.assertEqual(socket.sslConfiguration().peerCertificate(), socket.peerCertificate())

    async def test_queryPeerReportsButAccepts(self) -> None:
        """
        QueryPeer (the server default): a self-signed client certificate is reported in sslErrors, and the connection is still queued.
        """
        spy = self.spyServer()
        port = spy.listen()
        connectClient(self, port, clientConfiguration(_certs.selfSigned()))
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        self.assertEqual(
            spy.order,
            [
                "newConnection",
                "startedEncryptionHandshake",
                "peerVerifyError",
                "sslErrors",
                "pendingConnectionAvailable",
            ],
        )

    async def test_noClientCertificate(self) -> None:
        """
        B45: VerifyPeer without a client certificate: NoPeerCertificate, "The peer did not present any certificate".
        """
        spy = self.spyServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        port = spy.listen()
        client = connectClient(self, port)
        await waitUntil(
            lambda: client.state() == SocketState.UnconnectedState and spy.count("errorOccurred"),
            what="the failure",
        )
        [(socket, error)] = spy.spies["peerVerifyError"]
        self.assertEqual(error.error(), SslError.NoPeerCertificate)
        self.assertEqual(error.errorString(), "The peer did not present any certificate")
        [(_, errors)] = spy.spies["sslErrors"]
        self.assertEqual(errors, [QSslError(SslError.NoPeerCertificate)])
        self.assertEqual(spy.spies["errorOccurred"][0][1], SocketError.SslHandshakeFailedError)
        self.assertEqual(socket.errorString(), "The peer did not present any certificate")

    async def test_handshakeInterruptedOnError(self) -> None:
        """
        B46: handshakeMustInterruptOnError: handshakeInterruptedOnError and errorOccurred, no sslErrors, no peerVerifyError.
        """
        spy = self.spyServer(
            serverConfiguration(peerVerifyMode=VerifyPeer, handshakeMustInterruptOnError=True)
        )
        port = spy.listen()
        client = connectClient(self, port, clientConfiguration(_certs.selfSigned()))
        await waitUntil(
            lambda: client.state() == SocketState.UnconnectedState and spy.count("errorOccurred"),
            what="the failure",
        )
        counts = spy.counts()
        self.assertEqual(
            counts,
            {
                "newConnection": 1,
                "startedEncryptionHandshake": 1,
                "handshakeInterruptedOnError": 1,
                "alertSent": 1,
                "errorOccurred": 1,
            },
        )
        [(_, error)] = spy.spies["handshakeInterruptedOnError"]
        self.assertEqual(error.error(), SslError.SelfSignedCertificate)
        [(_, level, kind, text)] = spy.spies["alertSent"]
        self.assertEqual(level, QSsl.AlertLevel.Fatal)
        [(socket, code)] = spy.spies["errorOccurred"]
        self.assertEqual(code, SocketError.SslHandshakeFailedError)
        self.assertTrue(socket.errorString().startswith("Error during SSL handshake: "))

    async def test_continueInterruptedHandshake(self) -> None:
        """
        B46: continueInterruptedHandshake() in the slot lets the handshake finish.
        """
        spy = self.spyServer(
            serverConfiguration(peerVerifyMode=VerifyPeer, handshakeMustInterruptOnError=True)
        )
        spy.server.handshakeInterruptedOnError.connect(
            lambda socket, error: socket.continueInterruptedHandshake()
        )
        spy.server.sslErrors.connect(lambda socket, errors: socket.ignoreSslErrors())
        port = spy.listen()
        connectClient(self, port, clientConfiguration(_certs.selfSigned()))
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        self.assertEqual(spy.count("peerVerifyError"), 0)

    async def test_serverWithoutCertificate(self) -> None:
        """
        B47: a server without certificate fails every handshake with errorOccurred(SslHandshakeFailedError), before startedEncryptionHandshake.
        """
        spy = self.spyServer(QSslConfiguration.defaultConfiguration())
        port = spy.listen()
        client = connectClient(self, port)
        await waitUntil(
            lambda: client.state() == SocketState.UnconnectedState and spy.count("errorOccurred"),
            what="the failure",
        )
        self.assertEqual(
            spy.order, ["newConnection", "alertSent", "errorOccurred", "startedEncryptionHandshake"]
        )
        [(_, level, kind, text)] = spy.spies["alertSent"]
        self.assertEqual(level, QSsl.AlertLevel.Fatal)
        self.assertEqual(spy.spies["errorOccurred"][0][1], SocketError.SslHandshakeFailedError)
        self.assertEqual(client.error(), SocketError.SslHandshakeFailedError)

    async def test_failedSocketDeleted(self) -> None:
        """
        B48: a socket whose handshake failed is no longer a child of the server shortly after.
        """
        spy = self.spyServer(QSslConfiguration.defaultConfiguration())
        port = spy.listen()
        connectClient(self, port)
        await waitUntil(lambda: spy.count("errorOccurred"), what="the failure")
        [(socket, _)] = spy.spies["errorOccurred"]
        await waitUntil(lambda: not spy.server.children(), what="deletion")
        self.assertEqual(socket.state(), SocketState.UnconnectedState)

    async def test_clientRejectsServer(self) -> None:
        """
        A client that interrupts on a bad server certificate: the server reports alertReceived and errorOccurred(SslHandshakeFailedError) (tst_qsslserver testSelfSignedCertificateRejectedByClient).
        """
        spy = self.spyServer(configuration(_certs.selfSigned()))
        port = spy.listen()
        client = connectClient(
            self, port, clientConfiguration(handshakeMustInterruptOnError=True)
        )
        await waitUntil(
            lambda: client.state() == SocketState.UnconnectedState
            and (spy.count("errorOccurred") or spy.count("pendingConnectionAvailable")),
            what="the rejection",
        )
        self.assertEqual(spy.count("alertReceived"), 1)
        self.assertEqual(spy.spies["alertReceived"][0][1], QSsl.AlertLevel.Fatal)
        self.assertEqual(
            [args[1] for args in spy.spies["errorOccurred"]], [SocketError.SslHandshakeFailedError]
        )
        self.assertFalse(client.isEncrypted())
        self.assertEqual(client.error(), SocketError.SslHandshakeFailedError)


class QueueTests(TlsServerTestCase):
    """
    Pending limits, configuration changes, close() and relaying (B49-B53, B55).
    """

    async def test_maxPendingCountsHandshakes(self) -> None:
        """
        B49: with limit 5, one good client and ten silent ones, only 5 sockets exist; after the silent ones time out, clients are accepted again.
        """
        clocked = ClockedReactor()
        spy = self.spyServer(reactor=clocked)
        spy.server.setMaxPendingConnections(5)
        port = spy.listen()
        good = connectClient(self, port, ignoreErrors=True)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="the good client")
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
        for s in silent:
            self.addCleanup(s.close)
        await sleep(QUIET)
        self.assertEqual(len(spy.server.children()), 5)
        self.assertEqual(spy.count("newConnection"), 5)
        clocked.clock.advance(5.001)
        # The four timed out; four more are accepted, and so on.
        await waitUntil(lambda: spy.count("newConnection") == 9, what="the next four")
        clocked.clock.advance(5.001)
        await waitUntil(lambda: spy.count("newConnection") == 11, what="the last two")
        late = connectClient(self, port, ignoreErrors=True)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable") == 2, what="a late client")
        self.assertTrue(good.isEncrypted() and late.isEncrypted())

    async def test_configurationAppliesToLaterConnections(self) -> None:
        """
        B51: setSslConfiguration() affects only connections accepted afterwards.
        """
        spy = self.spyServer()
        port = spy.listen()
        first = await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection"), what="accept")
        spy.server.setSslConfiguration(serverConfiguration(peerVerifyMode=VerifyPeer))
        # The first connection still has the old configuration (QueryPeer).
        [accepted] = spy.server.children()
        assert isinstance(accepted, QSslSocket)
        self.assertNotEqual(accepted.peerVerifyMode(), VerifyPeer)
        first.write(b"\x15")  # not a handshake: dropped
        later = connectClient(self, port)
        await waitUntil(lambda: spy.count("errorOccurred"), what="the later connection fails")
        self.assertEqual(spy.spies["peerVerifyError"][0][1].error(), SslError.NoPeerCertificate)
        await waitUntil(lambda: later.state() == SocketState.UnconnectedState, what="disconnect")

    async def test_errorsAfterEncryptionNotRelayed(self) -> None:
        """
        B52: after encryption, a taken socket's errors are not relayed by the server's errorOccurred.
        """
        spy = self.spyServer()
        port = spy.listen()
        client = connectClient(self, port, ignoreErrors=True)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        errors = SignalSpy(socket.errorOccurred)
        client.abort()
        await waitUntil(lambda: len(errors), what="the socket's error")
        self.assertEqual(errors[0], (SocketError.RemoteHostClosedError,))
        self.assertEqual(spy.count("errorOccurred"), 0)
        self.assertEqual(spy.count("alertReceived"), 0)

    async def test_closeDeletesQueuedSockets(self) -> None:
        """
        B53: close() deletes queued encrypted sockets.
        """
        spy = self.spyServer()
        port = spy.listen()
        client = connectClient(self, port, ignoreErrors=True)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        spy.server.close()
        self.assertFalse(spy.server.hasPendingConnections())
        await waitUntil(lambda: client.state() == SocketState.UnconnectedState, what="disconnect")

    async def test_closeKeepsHandshakesInProgress(self) -> None:
        """
        B53: a handshake in progress at close() can still complete: pendingConnectionAvailable after close.
        """
        spy = self.spyServer()
        port = spy.listen()
        client = await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection"), what="accept")
        spy.server.close()
        self.assertFalse(spy.server.isListening())
        # Now the client really starts TLS, over the raw connection.
        connection = SSL.Connection(SSL.Context(SSL.TLS_CLIENT_METHOD), None)
        connection.set_connect_state()

        def pump() -> None:
            try:
                connection.do_handshake()
            except SSL.WantReadError:
                pass
            data = b""
            try:
                data = connection.bio_read(65536)
            except SSL.WantReadError:
                pass
            if data:
                client.write(data)

        pump()
        fed = 0
        while not spy.count("pendingConnectionAvailable"):
            await waitUntil(
                lambda: len(client.received) > fed or spy.count("pendingConnectionAvailable"),
                what="the server's next flight",
            )
            if len(client.received) > fed:
                connection.bio_write(client.received[fed:])
                fed = len(client.received)
                pump()
        self.assertFalse(spy.server.isListening())
        self.assertTrue(spy.server.hasPendingConnections())

    async def test_socketDeletedDuringHandshake(self) -> None:
        """
        A socket deleted during its handshake is forgotten: no timeout signal, the pending count drops.
        """
        clocked = ClockedReactor()
        spy = self.spyServer(reactor=clocked)
        spy.server.setMaxPendingConnections(1)
        port = spy.listen()
        await self.rawClient(port)
        await waitUntil(lambda: spy.server.children(), what="accept")
        [socket] = spy.server.children()
        socket._destroy()
        await self.rawClient(port)
        await waitUntil(lambda: spy.count("newConnection") == 2, what="the next client accepted")
        clocked.clock.advance(5.001)
        self.assertEqual(len(spy.spies["errorOccurred"]), 1)

    async def test_signalsCarrySocket(self) -> None:
        """
        B55: every per-socket server signal carries the QSslSocket first.
        """
        spy = self.spyServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        port = spy.listen()
        connectClient(self, port, clientConfiguration(_certs.selfSigned()))
        await waitUntil(lambda: spy.count("alertSent"), what="the rejection")
        [(started,)] = spy.spies["startedEncryptionHandshake"]
        self.assertIsInstance(started, QSslSocket)
        for name in ("peerVerifyError", "sslErrors", "errorOccurred", "alertSent"):
            for args in spy.spies[name]:
                self.assertIs(args[0], started, name)

    async def test_listenEndpoint(self) -> None:
        """
        Connections accepted through listenEndpoint() go through the same handshake.
        """
        spy = self.spyServer()
        self.assertTrue(await spy.server.listenEndpoint("tcp:0:interface=127.0.0.1"))
        connectClient(self, spy.server.serverPort(), ignoreErrors=True)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        self.assertEqual(
            spy.order, ["newConnection", "startedEncryptionHandshake", "pendingConnectionAvailable"]
        )
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        self.assertTrue(socket.isEncrypted())


class PreSharedKeyTests(TlsServerTestCase):
    """
    TLS-PSK through the server's signal (B54).
    """

    def pskServer(self, **changes: Any) -> SpyServer:
        changes.setdefault("preSharedKeyIdentityHint", b"qtwisted hint")
        return self.spyServer(configuration(None, **changes))

    def pskClient(
        self, port: int, key: bytes = PSK, identity: bytes = b"alice", **changes: Any
    ) -> tuple[QSslSocket, list[QSslPreSharedKeyAuthenticator]]:
        changes.setdefault("peerVerifyMode", VerifyNone)
        changes.setdefault("protocol", QSsl.TlsV1_2)
        seen: list[QSslPreSharedKeyAuthenticator] = []
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(configuration(None, **changes))

        def answer(authenticator: QSslPreSharedKeyAuthenticator) -> None:
            seen.append(QSslPreSharedKeyAuthenticator(authenticator))
            authenticator.setIdentity(identity)
            authenticator.setPreSharedKey(key)

        client.preSharedKeyAuthenticationRequired.connect(answer)
        client.connectToHostEncrypted("127.0.0.1", port)
        return client, seen

    async def test_serverSeesIdentity(self) -> None:
        """
        B54: the slot sees the client's identity, the hint, maximumIdentityLength 0 and a positive key maximum; the key lets the handshake succeed.
        """
        spy = self.pskServer()
        seen: list[QSslPreSharedKeyAuthenticator] = []

        def answer(socket: QSslSocket, authenticator: QSslPreSharedKeyAuthenticator) -> None:
            seen.append(QSslPreSharedKeyAuthenticator(authenticator))
            authenticator.setPreSharedKey(PSK)

        spy.server.preSharedKeyAuthenticationRequired.connect(answer)
        port = spy.listen()
        client, clientSeen = self.pskClient(port)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        [authenticator] = seen
        self.assertEqual(authenticator.identity(), b"alice")
        self.assertEqual(authenticator.identityHint(), b"qtwisted hint")
        self.assertEqual(authenticator.maximumIdentityLength(), 0)
        self.assertGreater(authenticator.maximumPreSharedKeyLength(), 0)
        [fromServer] = clientSeen
        self.assertEqual(fromServer.identityHint(), b"qtwisted hint")
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        self.assertIn("PSK", socket.sessionCipher().name())
        self.assertTrue(socket.peerCertificate().isNull())
        await waitUntil(client.isEncrypted, what="client encrypted")

    async def test_emptyKeyFails(self) -> None:
        """
        B54: a slot that leaves the key empty fails the handshake.
        """
        spy = self.pskServer()
        spy.server.preSharedKeyAuthenticationRequired.connect(lambda socket, auth: None)
        port = spy.listen()
        client, _ = self.pskClient(port)
        await waitUntil(
            lambda: spy.count("errorOccurred") and client.state() == SocketState.UnconnectedState,
            what="the failure",
        )
        self.assertEqual(spy.count("preSharedKeyAuthenticationRequired"), 1)
        self.assertEqual(spy.spies["errorOccurred"][0][1], SocketError.SslHandshakeFailedError)
        self.assertEqual(spy.count("pendingConnectionAvailable"), 0)
        self.assertEqual(client.error(), SocketError.SslHandshakeFailedError)

    async def test_wrongKeyFails(self) -> None:
        """
        B54: a client with another key fails the handshake on both sides.
        """
        spy = self.pskServer()
        spy.server.preSharedKeyAuthenticationRequired.connect(
            lambda socket, auth: auth.setPreSharedKey(PSK)
        )
        port = spy.listen()
        client, _ = self.pskClient(port, key=b"another key")
        await waitUntil(
            lambda: spy.count("errorOccurred") and client.state() == SocketState.UnconnectedState,
            what="the failure",
        )
        self.assertEqual(spy.count("pendingConnectionAvailable"), 0)

    async def test_tls13(self) -> None:
        """
        B54: TLS 1.3 PSK under the default verify mode (Qt 6.12 fails it; see the deviations).
        """
        # Qt's client offers a PSK in TLS 1.3 only with this variable set.
        self.patch(os, "environ", {**os.environ, "QT_USE_TLS_1_3_PSK": "1"})
        spy = self.pskServer()
        spy.server.preSharedKeyAuthenticationRequired.connect(
            lambda socket, auth: auth.setPreSharedKey(PSK)
        )
        port = spy.listen()
        client, _ = self.pskClient(port, protocol=QSsl.TlsV1_3)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        self.assertEqual(socket.sessionProtocol(), QSsl.SslProtocol.TlsV1_3)
        self.assertTrue(socket.peerCertificate().isNull())
        await waitUntil(client.isEncrypted, what="client encrypted")
        self.assertTrue(client.peerCertificate().isNull())


class TstQSslServerTests(TlsServerTestCase):
    """
    Ports of Qt's C{tests/auto/network/ssl/qsslserver/tst_qsslserver.cpp}.
    The server certificate is self-signed, as in Qt's test data.
    """

    def selfSignedServer(self, **changes: Any) -> SpyServer:
        return self.spyServer(configuration(_certs.selfSigned(), **changes))

    async def refusedClient(self, spy: SpyServer) -> QSslSocket:
        """
        Connect a client that trusts anything to C{spy}, whose server
        verifies its peer, and wait until the server has disconnected it.
        """
        port = spy.listen()
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(configuration(_certs.selfSigned(), peerVerifyMode=VerifyNone))
        disconnected = SignalSpy(client.disconnected)
        client.connectToHostEncrypted("127.0.0.1", port)
        self.assertTrue(await disconnected.wait(5000))
        return client

    async def test_testOneSuccessfulConnection(self) -> None:
        """
        tst_qsslserver testOneSuccessfulConnection: the client ignores SelfSigned + HostNameMismatch; the server has one pending connection, one started handshake, no error signal.
        """
        spy = self.selfSignedServer()
        port = spy.listen()
        self.assertEqual(spy.counts(), {})
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(QSslConfiguration.defaultConfiguration())
        seen: list[list[QSslError]] = []

        def errors(found: list[QSslError]) -> None:
            seen.append(found)
            client.ignoreSslErrors()

        client.sslErrors.connect(errors)
        client.connectToHostEncrypted(QHostAddress(QHostAddress.LocalHost).toString(), port)
        await waitUntil(
            lambda: client.isEncrypted() and spy.count("pendingConnectionAvailable"),
            what="both sides",
        )
        [found] = seen
        self.assertEqual(
            sorted(e.error() for e in found),
            sorted([SslError.SelfSignedCertificate, SslError.HostNameMismatch]),
        )
        self.assertEqual(
            spy.counts(),
            {"newConnection": 1, "startedEncryptionHandshake": 1, "pendingConnectionAvailable": 1},
        )
        self.assertEqual(client.state(), SocketState.ConnectedState)

    async def test_testSelfSignedCertificateRejectedByServer(self) -> None:
        """
        tst_qsslserver testSelfSignedCertificateRejectedByServer: sslErrors 1, peerVerifyError 1, errorOccurred 1, alertSent 1, started 1, pending 0; the client ends unconnected and unencrypted.
        """
        spy = self.selfSignedServer(peerVerifyMode=VerifyPeer)
        client = await self.refusedClient(spy)
        await waitUntil(lambda: spy.count("alertSent"), what="the close_notify")
        self.assertEqual(
            spy.counts(),
            {
                "newConnection": 1,
                "sslErrors": 1,
                "peerVerifyError": 1,
                "errorOccurred": 1,
                "alertSent": 1,
                "startedEncryptionHandshake": 1,
            },
        )
        [(_, errors)] = spy.spies["sslErrors"]
        self.assertEqual([e.error() for e in errors], [SslError.SelfSignedCertificate])
        self.assertEqual(spy.spies["peerVerifyError"][0][1].error(), SslError.SelfSignedCertificate)
        self.assertFalse(client.isEncrypted())
        self.assertEqual(client.state(), SocketState.UnconnectedState)

    async def test_testHandshakeInterruptedOnError(self) -> None:
        """
        tst_qsslserver testHandshakeInterruptedOnError: errorOccurred 1, alertSent 1, handshakeInterruptedOnError 1, started 1; no sslErrors, no peerVerifyError.
        """
        spy = self.selfSignedServer(handshakeMustInterruptOnError=True, peerVerifyMode=VerifyPeer)
        await self.refusedClient(spy)
        await waitUntil(lambda: spy.count("errorOccurred"), what="the server's error")
        self.assertEqual(
            spy.counts(),
            {
                "newConnection": 1,
                "errorOccurred": 1,
                "alertSent": 1,
                "handshakeInterruptedOnError": 1,
                "startedEncryptionHandshake": 1,
            },
        )

    async def test_testPreSharedKeyAuthenticationRequired(self) -> None:
        """
        tst_qsslserver testPreSharedKeyAuthenticationRequired: TLS 1.2 PSK-AES256-CBC-SHA, identity "Client X", hint "Server Y", the server ignores NoPeerCertificate; one pending connection.
        """
        cipher = QSslCipher("PSK-AES256-CBC-SHA")
        self.assertFalse(cipher.isNull())
        serverConfig = QSslConfiguration.defaultConfiguration()
        serverConfig.setPeerVerifyMode(VerifyPeer)
        serverConfig.setProtocol(QSsl.TlsV1_2)
        serverConfig.setCiphers([cipher])
        serverConfig.setPreSharedKeyIdentityHint(b"Server Y")
        spy = self.spyServer(serverConfig)
        identities: list[bytes] = []

        def serverKey(socket: QSslSocket, authenticator: QSslPreSharedKeyAuthenticator) -> None:
            identities.append(authenticator.identity())
            authenticator.setPreSharedKey(b"123456")

        spy.server.preSharedKeyAuthenticationRequired.connect(serverKey)
        port = spy.listen()
        client = QSslSocket()
        self.addCleanup(client._destroy)
        clientConfig = QSslConfiguration.defaultConfiguration()
        clientConfig.setPeerVerifyMode(VerifyNone)
        clientConfig.setProtocol(QSsl.TlsV1_2)
        clientConfig.setCiphers([cipher])
        client.setSslConfiguration(clientConfig)
        hints: list[bytes] = []

        def clientKey(authenticator: QSslPreSharedKeyAuthenticator) -> None:
            hints.append(authenticator.identityHint())
            authenticator.setPreSharedKey(b"123456")
            authenticator.setIdentity(b"Client X")

        client.preSharedKeyAuthenticationRequired.connect(clientKey)
        client.connectToHostEncrypted("127.0.0.1", port)

        def ignore(socket: QSslSocket, errors: list[QSslError]) -> None:
            for error in errors:
                self.assertEqual(error.error(), SslError.NoPeerCertificate)
            socket.ignoreSslErrors()

        spy.server.sslErrors.connect(ignore)
        encrypted = SignalSpy(client.encrypted)
        self.assertTrue(await encrypted.wait(5000))
        await waitUntil(lambda: spy.count("pendingConnectionAvailable"), what="pending")
        self.assertEqual(identities, [b"Client X"])
        self.assertEqual(hints, [b"Server Y"])
        self.assertEqual(
            spy.counts(),
            {
                "newConnection": 1,
                "sslErrors": 1,
                "peerVerifyError": 1,
                "pendingConnectionAvailable": 1,
                "preSharedKeyAuthenticationRequired": 1,
                "startedEncryptionHandshake": 1,
            },
        )
        self.assertEqual(client.sessionCipher().name(), "PSK-AES256-CBC-SHA")
        self.assertTrue(client.isEncrypted())
        self.assertEqual(client.state(), SocketState.ConnectedState)

    async def test_plaintextClient(self) -> None:
        """
        tst_qsslserver plaintextClient: an idle TCP client is not dropped within 100 ms; after a plaintext write it is dropped quickly.
        """
        spy = self.selfSignedServer()
        port = spy.listen()
        socket = QTcpSocket()
        self.addCleanup(socket._destroy)
        disconnected = SignalSpy(socket.disconnected)
        socket.connectToHost(QHostAddress(QHostAddress.LocalHost), port)
        self.assertTrue(await socket.waitForConnected())
        await sleep(0.1)
        self.assertEqual(socket.state(), SocketState.ConnectedState)
        socket.write(b"Hello World!")
        await socket.waitForBytesWritten()
        await waitUntil(lambda: len(disconnected), timeout=5, what="the disconnect")
        self.assertEqual(socket.state(), SocketState.UnconnectedState)

    async def test_quietClient(self) -> None:
        """
        tst_qsslserver quietClient: handshake timeout 1000: a silent client is dropped, errorOccurred is emitted, and the socket's peerPort() is the client's local port.
        """
        clocked = ClockedReactor()
        spy = self.spyServer(configuration(_certs.selfSigned()), reactor=clocked)
        spy.server.setHandshakeTimeout(1000)
        port = spy.listen()
        peerPorts: list[int] = []
        spy.server.errorOccurred.connect(lambda socket, error: peerPorts.append(socket.peerPort()))
        socket = QTcpSocket()
        self.addCleanup(socket._destroy)
        disconnected = SignalSpy(socket.disconnected)
        socket.connectToHost(QHostAddress(QHostAddress.LocalHost), port)
        self.assertTrue(await socket.waitForConnected())
        clientLocalPort = socket.localPort()
        await waitUntil(lambda: spy.count("newConnection"), what="accept")
        clocked.clock.advance(1.001)
        self.assertTrue(await disconnected.wait(5000))
        self.assertEqual(socket.state(), SocketState.UnconnectedState)
        self.assertGreater(spy.count("errorOccurred"), 0)
        self.assertEqual(peerPorts, [clientLocalPort])

    async def test_twoGoodAndManyBadClients(self) -> None:
        """
        tst_qsslserver twoGoodAndManyBadClients: timeout 750, max 5: with one good and ten silent clients 5 sockets exist and 1 is pending; another good client is still served.
        """
        clocked = ClockedReactor()
        spy = self.spyServer(configuration(_certs.selfSigned()), reactor=clocked)
        spy.server.setHandshakeTimeout(750)
        spy.server.setMaxPendingConnections(5)
        port = spy.listen()
        tlsSocket = connectClient(self, port, QSslConfiguration.defaultConfiguration(), ignoreErrors=True)
        sockets = []
        for _ in range(10):
            s = QTcpSocket()
            self.addCleanup(s._destroy)
            s.connectToHost(QHostAddress(QHostAddress.LocalHost), port)
            sockets.append(s)
        await sleep(0.5)
        self.assertEqual(
            len([c for c in spy.server.children() if isinstance(c, QSslSocket)]), 5
        )
        self.assertEqual(spy.count("pendingConnectionAvailable"), 1)
        goodClient = connectClient(
            self, port, QSslConfiguration.defaultConfiguration(), ignoreErrors=True
        )
        # Qt's test lets real time pass; here the silent ones time out on
        # the fake clock, twice (four, then the rest, make room in turn).
        for _ in range(4):
            clocked.clock.advance(0.751)
            await sleep(0.05)
        await waitUntil(lambda: spy.count("pendingConnectionAvailable") == 2, what="the good client")
        self.assertTrue(tlsSocket.isEncrypted() and goodClient.isEncrypted())


class BadInputTests(TlsServerTestCase):
    """
    Clients that misbehave: each gets Qt's answer, and the server keeps
    serving a good client meanwhile.
    """

    async def assertServesGoodClient(self, spy: SpyServer, port: int) -> None:
        before = spy.count("pendingConnectionAvailable")
        client = connectClient(self, port, ignoreErrors=True)
        await waitUntil(
            lambda: spy.count("pendingConnectionAvailable") > before and client.isEncrypted(),
            what="a good client served",
        )
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        socket.readyRead.connect(lambda: socket.write(socket.readAll()))
        echoed: list[bytes] = []
        client.readyRead.connect(lambda: echoed.append(client.readAll()))
        client.write(b"still here")
        await waitUntil(lambda: b"".join(echoed) == b"still here", what="the echo")

    def rawSocket(self, port: int) -> socket.socket:
        raw = socket.create_connection(("127.0.0.1", port))
        self.addCleanup(raw.close)
        return raw

    async def test_garbageBytes(self) -> None:
        """
        Garbage that is not a handshake record is dropped silently (B40); garbage in a handshake record fails with SslHandshakeFailedError.
        """
        spy = self.spyServer()
        port = spy.listen()
        for garbage in (b"\x00" * 64, b"\xff\xfe\xfd", bytes(range(1, 200))):
            client = await self.rawClient(port)
            client.write(garbage)
            await client.lost
        self.assertEqual(spy.counts(), {"newConnection": 3})
        bad = await self.rawClient(port)
        bad.write(b"\x16\x03\x01\x00\x10" + b"0123456789abcdef")
        await bad.lost
        await waitUntil(lambda: spy.count("errorOccurred"), what="the failure")
        self.assertEqual(spy.spies["errorOccurred"][0][1], SocketError.SslHandshakeFailedError)
        self.assertEqual(spy.count("startedEncryptionHandshake"), 1)
        self.assertEqual(spy.spies["alertSent"][0][1], QSsl.AlertLevel.Fatal)
        await self.assertServesGoodClient(spy, port)

    async def test_clientHelloThenSilence(self) -> None:
        """
        A ClientHello and then nothing: startedEncryptionHandshake, then errorOccurred(SocketTimeoutError) after the timeout (B41).
        """
        clocked = ClockedReactor()
        spy = self.spyServer(reactor=clocked)
        port = spy.listen()
        client = await self.rawClient(port)
        client.write(clientHello())
        await waitUntil(lambda: client.received, what="the ServerHello")
        self.assertEqual(spy.order, ["newConnection", "startedEncryptionHandshake"])
        await self.assertServesGoodClient(spy, port)
        clocked.clock.advance(5.001)
        await client.lost
        self.assertEqual(
            [args[1] for args in spy.spies["errorOccurred"]], [SocketError.SocketTimeoutError]
        )

    async def test_vanishMidHandshake(self) -> None:
        """
        A client that closes, or resets, after its ClientHello: errorOccurred(RemoteHostClosedError).
        """
        spy = self.spyServer()
        port = spy.listen()
        for end in ("close", "abort"):
            client = await self.rawClient(port)
            client.write(clientHello())
            await waitUntil(lambda: client.received, what="the ServerHello")
            await getattr(client, end)()
        await waitUntil(lambda: spy.count("errorOccurred") == 2, what="both errors")
        self.assertEqual(
            [args[1] for args in spy.spies["errorOccurred"]],
            [SocketError.RemoteHostClosedError, SocketError.RemoteHostClosedError],
        )
        self.assertEqual(spy.count("pendingConnectionAvailable"), 0)
        await waitUntil(lambda: not spy.server.children(), what="deletion")
        await self.assertServesGoodClient(spy, port)

    async def test_manyHalfOpenHandshakes(self) -> None:
        """
        200 clients send a ClientHello at once and then nothing: a good client is served meanwhile, and each of the 200 gets errorOccurred(SocketTimeoutError).
        """
        clocked = ClockedReactor()
        spy = self.spyServer(reactor=clocked)
        spy.server.setMaxPendingConnections(250)
        spy.server.setListenBacklogSize(250)
        port = spy.listen()
        hello = clientHello()
        clients = [self.rawSocket(port) for _ in range(200)]
        for raw in clients:
            raw.sendall(hello)
        await waitUntil(
            lambda: spy.count("startedEncryptionHandshake") == 200, what="200 handshakes started"
        )
        await self.assertServesGoodClient(spy, port)
        clocked.clock.advance(5.001)
        self.assertEqual(
            [args[1] for args in spy.spies["errorOccurred"]],
            [SocketError.SocketTimeoutError] * 200,
        )
        self.assertEqual(len(set(args[0] for args in spy.spies["errorOccurred"])), 200)
        await waitUntil(
            lambda: len([c for c in spy.server.children() if not c.isEncrypted()]) == 0,  # type: ignore[attr-defined]
            what="the 200 deleted",
        )
        ended: set[socket.socket] = set()

        def allEnded() -> bool:
            for raw in clients:
                if raw in ended:
                    continue
                raw.setblocking(False)
                try:
                    while raw.recv(65536):
                        pass  # the server's first flight
                except BlockingIOError:
                    continue
                ended.add(raw)  # EOF
            return len(ended) == len(clients)

        await waitUntil(allEnded, what="200 connections closed by the server")

"""
Tests for L{qtwisted.QSslSocket} (L{qtwisted._ssl._socket}), its TLS layer
(L{qtwisted._ssl._tls}) and alert decoding (L{qtwisted._ssl._alerts}).

The peer of most tests is a L{QSslServer} on the loopback interface; the
server's own behaviours (B36-B55) are in L{tests.test_sslserver}.
"""

from __future__ import annotations

import socket
from typing import Any

from OpenSSL import SSL
from twisted.internet.interfaces import IOpenSSLServerConnectionCreator
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.protocols.tls import TLSMemoryBIOFactory
from zope.interface import implementer
from twisted.trial.unittest import SynchronousTestCase, TestCase

from qtwisted import (
    QAbstractSocket,
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslError,
    QSslPreSharedKeyAuthenticator,
    QSslSocket,
    QTcpSocket,
)
from qtwisted._ssl import _alerts, _tls
from qtwisted._ssl._session import hostNameMatches, openSslErrors
from qtwisted.testing import SignalSpy

from . import _certs
from ._tlshelpers import (
    PSK,
    QUIET,
    Settle,
    SpyServer,
    certificate,
    clientConfiguration,
    configuration,
    connectClient,
    serverConfiguration,
    sleep,
    waitUntil,
)

SocketError = QAbstractSocket.SocketError
SocketState = QAbstractSocket.SocketState
SslError = QSslError.SslError
SslMode = QSslSocket.SslMode
VerifyNone = QSslSocket.PeerVerifyMode.VerifyNone
AlertLevel = QSsl.AlertLevel
AlertType = QSsl.AlertType


class QSslSocketStateTests(SynchronousTestCase):
    """
    A new socket, its enumerations and configuration accessors (no network).
    """

    def test_defaults(self) -> None:
        """
        A new socket is unencrypted, in UnencryptedMode, with the default configuration.
        """
        sock = QSslSocket()
        self.assertIsInstance(sock, QTcpSocket)
        self.assertEqual(sock.mode(), SslMode.UnencryptedMode)
        self.assertFalse(sock.isEncrypted())
        self.assertEqual(sock.sslConfiguration(), QSslConfiguration.defaultConfiguration())
        self.assertEqual(sock.peerVerifyMode(), QSslSocket.AutoVerifyPeer)
        self.assertEqual(sock.peerVerifyName(), "")
        self.assertTrue(sock.peerCertificate().isNull())
        self.assertEqual(sock.peerCertificateChain(), [])
        self.assertTrue(sock.sessionCipher().isNull())
        self.assertEqual(sock.sessionProtocol(), QSsl.SslProtocol.UnknownProtocol)
        self.assertEqual(sock.sslHandshakeErrors(), [])
        self.assertEqual(sock.encryptedBytesAvailable(), 0)
        self.assertEqual(sock.encryptedBytesToWrite(), 0)
        self.assertTrue(QSslSocket.supportsSsl())
        self.assertIn("OpenSSL", QSslSocket.sslLibraryVersionString())
        self.assertGreater(QSslSocket.sslLibraryVersionNumber(), 0x30000000)

    def test_enums(self) -> None:
        """
        SslMode and PeerVerifyMode have Qt's values and unscoped aliases.
        """
        self.assertEqual(
            [int(m) for m in (QSslSocket.UnencryptedMode, QSslSocket.SslClientMode, QSslSocket.SslServerMode)],
            [0, 1, 2],
        )
        self.assertIs(QSslSocket.SslServerMode, QSslSocket.SslMode.SslServerMode)
        self.assertEqual(
            [int(m) for m in (QSslSocket.VerifyNone, QSslSocket.QueryPeer, QSslSocket.VerifyPeer, QSslSocket.AutoVerifyPeer)],
            [0, 1, 2, 3],
        )
        self.assertIs(QSslSocket.SslHandshakeFailedError, SocketError.SslHandshakeFailedError)

    def test_configurationAccessors(self) -> None:
        """
        The certificate, key, verify and protocol accessors read and write the socket's configuration.
        """
        sock = QSslSocket()
        cert = certificate(_certs.server())
        sock.setLocalCertificate(cert)
        sock.setPrivateKey(serverConfiguration().privateKey())
        sock.setPeerVerifyMode(QSslSocket.VerifyPeer)
        sock.setPeerVerifyDepth(3)
        sock.setProtocol(QSsl.TlsV1_3)
        sock.setPeerVerifyName("example.org")
        self.assertEqual(sock.localCertificate(), cert)
        self.assertEqual(sock.localCertificateChain(), [cert])
        self.assertEqual(sock.privateKey(), serverConfiguration().privateKey())
        self.assertEqual(sock.peerVerifyMode(), QSslSocket.VerifyPeer)
        self.assertEqual(sock.peerVerifyDepth(), 3)
        self.assertEqual(sock.protocol(), QSsl.TlsV1_3)
        self.assertEqual(sock.peerVerifyName(), "example.org")
        configuration = sock.sslConfiguration()
        self.assertEqual(configuration.localCertificate(), cert)
        self.assertEqual(configuration.protocol(), QSsl.TlsV1_3)

    def test_setSslConfigurationCopies(self) -> None:
        """
        setSslConfiguration() keeps a copy; sslConfiguration() hands out copies.
        """
        sock = QSslSocket()
        mine = clientConfiguration()
        sock.setSslConfiguration(mine)
        mine.setProtocol(QSsl.TlsV1_3)
        self.assertEqual(sock.protocol(), QSsl.SecureProtocols)
        sock.sslConfiguration().setProtocol(QSsl.TlsV1_3)
        self.assertEqual(sock.protocol(), QSsl.SecureProtocols)
        self.assertRaises(TypeError, sock.setSslConfiguration, "nope")

    def test_startEncryptionNeedsConnection(self) -> None:
        """
        startServerEncryption() / startClientEncryption() on an unconnected socket warn and do nothing.
        """
        sock = QSslSocket()
        modes = SignalSpy(sock.modeChanged)
        sock.startServerEncryption()
        sock.startClientEncryption()
        self.assertEqual(len(modes), 0)
        self.assertEqual(sock.mode(), SslMode.UnencryptedMode)
        self.flushLoggedErrors()

    def test_waitForEncryptedNotStarted(self) -> None:
        """
        waitForEncrypted() on a socket that is not connecting with TLS fires False at once.
        """
        sock = QSslSocket()
        self.assertFalse(self.successResultOf(sock.waitForEncrypted(100)))
        self.assertRaises(TypeError, sock.waitForEncrypted, 1.5)

    def test_ignoreSslErrorsChecksTypes(self) -> None:
        """
        ignoreSslErrors(list) takes QSslError values only.
        """
        self.assertRaises(TypeError, QSslSocket().ignoreSslErrors, ["SelfSignedCertificate"])


class AlertTests(SynchronousTestCase):
    """
    OpenSSL's alert values decoded as Qt's alertSent / alertReceived arguments.
    """

    def test_decode(self) -> None:
        """
        Level from the high byte, type and OpenSSL's long description from the low byte.
        """
        self.assertEqual(
            _alerts.decode(0x0100), (AlertLevel.Warning, AlertType.CloseNotify, "close notify")
        )
        self.assertEqual(_alerts.decode(0x0230), (AlertLevel.Fatal, AlertType.UnknownCa, "unknown CA"))
        self.assertEqual(
            _alerts.decode(0x0273),
            (AlertLevel.Fatal, AlertType.UnknownPskIdentity, "unknown PSK identity"),
        )
        self.assertEqual(
            _alerts.decode(0x0228),
            (AlertLevel.Fatal, AlertType.HandshakeFailure, "handshake failure"),
        )

    def test_alertCallbackNeedsFreshContext(self) -> None:
        """
        The alert callback is installed on contexts no connection has used (pyOpenSSL's rule).
        """
        from qtwisted._ssl import _psk

        context = SSL.Context(SSL.TLS_METHOD)
        SSL.Connection(context)
        self.assertRaises(ValueError, _psk.installAlertCallback, context, lambda *a: None)

    def test_unknownValues(self) -> None:
        """
        An unknown level is Unknown; an unknown description stays a number, described "unknown".
        """
        self.assertEqual(_alerts.decode(0x03FA), (AlertLevel.Unknown, 250, "unknown"))


class InternalsTests(SynchronousTestCase):
    """
    What qtwisted relies on outside public APIs is still there.
    """

    def test_twistedTlsInternals(self) -> None:
        """
        TLSMemoryBIOProtocol still has the private attributes the TLS layer reads and overrides.
        """

        @implementer(IOpenSSLServerConnectionCreator)
        class Creator:
            def serverConnectionForTLS(self, protocol: Any) -> SSL.Connection:
                return SSL.Connection(SSL.Context(SSL.TLS_SERVER_METHOD), None)

        factory = TLSMemoryBIOFactory(Creator(), False, Factory.forProtocol(Protocol), Clock())
        protocol = factory.buildProtocol(None)
        assert protocol is not None
        protocol.makeConnection(StringTransport())
        for name in _tls.TWISTED_INTERNALS:
            self.assertTrue(
                hasattr(protocol, name),
                f"Twisted's TLSMemoryBIOProtocol has no {name} any more: update qtwisted._ssl._tls",
            )
        self.assertIsInstance(protocol._tlsConnection, SSL.Connection)
        self.assertEqual(protocol._appSendBuffer, [])
        self.assertIsNone(protocol._reason)
        self.assertFalse(protocol._handshakeDone or protocol._lostTLSConnection or protocol._aborted)

    def test_infoCallbackConstants(self) -> None:
        """
        The info callback bits the alert hook tests are OpenSSL's, and the binding's setter takes its C type.
        """
        from qtwisted._ssl import _psk

        self.assertEqual((SSL.SSL_CB_ALERT, SSL.SSL_CB_WRITE), (_psk._CB_ALERT, _psk._CB_WRITE))
        lib, ffi = _psk._lib(), _psk._ffi()
        self.assertEqual(
            ffi.typeof(lib.SSL_CTX_set_info_callback).args[1], ffi.typeof(_psk._INFO_CB)
        )

    def test_openSslErrors(self) -> None:
        """
        OpenSSL's error queue is joined as Qt's getErrorsFromOpenSsl() joins it.
        """
        error = SSL.Error([("SSL routines", "", "no shared cipher"), ("SSL routines", "", "x")])
        self.assertEqual(
            openSslErrors(error), "error:SSL routines::no shared cipher, error:SSL routines::x"
        )
        self.assertEqual(openSslErrors(SSL.SysCallError(-1, "Unexpected EOF")), "Unexpected EOF")


class HostNameTests(SynchronousTestCase):
    """
    Qt's isMatchingHostname through service_identity.
    """

    def test_names(self) -> None:
        """
        DNS and IP subjectAltNames match; other names, and the empty name, do not.
        """
        server = certificate(_certs.server())
        for name in ("localhost", "LOCALHOST", "127.0.0.1", "::1", "[::1]"):
            self.assertTrue(hostNameMatches(server, name), name)
        for name in ("example.org", "127.0.0.2", "", "local host"):
            self.assertFalse(hostNameMatches(server, name), name)

    def test_noSubjectAltName(self) -> None:
        """
        A certificate without subjectAltName matches nothing (RFC 6125: the common name is not used).
        """
        self.assertFalse(hostNameMatches(certificate(_certs.selfSigned()), "self-signed"))
        self.assertFalse(hostNameMatches(QSslCertificate(), "localhost"))


class TlsSocketTestCase(TestCase):
    """
    A QSslServer to connect to.
    """

    timeout = 30

    def setUp(self) -> None:
        Settle(self)

    def server(self, sslConfiguration: QSslConfiguration | None = None) -> tuple[SpyServer, int]:
        spy = SpyServer(self, sslConfiguration or serverConfiguration())
        return spy, spy.listen()

    async def accepted(self, spy: SpyServer) -> QSslSocket:
        await waitUntil(spy.server.hasPendingConnections, what="a queued connection")
        socket = spy.server.nextPendingConnection()
        assert isinstance(socket, QSslSocket)
        return socket


class ClientTests(TlsSocketTestCase):
    """
    connectToHostEncrypted() and the client's view of the handshake.
    """

    async def test_goodName(self) -> None:
        """
        A server certificate valid for the name: no sslErrors, encrypted, in SslClientMode.
        """
        spy, port = self.server()
        for host, name in (("127.0.0.1", "localhost"), ("127.0.0.1", "127.0.0.1"), ("localhost", "")):
            client = QSslSocket()
            self.addCleanup(client._destroy)
            client.setSslConfiguration(clientConfiguration())
            errors = SignalSpy(client.sslErrors)
            order: list[str] = []
            for signal in ("connected", "encrypted", "modeChanged"):
                getattr(client, signal).connect(lambda *a, signal=signal: order.append(signal))
            client.connectToHostEncrypted(host, port, peerVerifyName=name)
            self.assertTrue(await client.waitForEncrypted(5000), (host, name))
            self.assertEqual(len(errors), 0)
            self.assertEqual(order, ["connected", "modeChanged", "encrypted"])
            self.assertEqual(client.mode(), SslMode.SslClientMode)
            self.assertEqual(client.peerCertificate().subjectInfo(b"CN"), ["localhost"])
            self.assertEqual(client.peerCertificateChain()[0], client.peerCertificate())

    async def test_wrongName(self) -> None:
        """
        A name the certificate does not cover: HostNameMismatch in peerVerifyError and sslErrors, then SslHandshakeFailedError with Qt's text.
        """
        spy, port = self.server()
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(clientConfiguration())
        verify = SignalSpy(client.peerVerifyError)
        errors = SignalSpy(client.sslErrors)
        failures = SignalSpy(client.errorOccurred)
        client.connectToHostEncrypted("127.0.0.1", port, peerVerifyName="example.org")
        self.assertFalse(await client.waitForEncrypted(5000))
        [(error,)] = verify
        self.assertEqual(error.error(), SslError.HostNameMismatch)
        self.assertEqual(error.certificate(), certificate(_certs.server()))
        self.assertEqual(errors[0], ([error],))
        self.assertEqual(failures[0], (SocketError.SslHandshakeFailedError,))
        self.assertEqual(
            client.errorString(),
            "The host name did not match any of the valid hosts for this certificate",
        )
        self.assertEqual(client.state(), SocketState.UnconnectedState)
        self.assertEqual(client.sslHandshakeErrors(), [error])
        self.assertFalse(client.isEncrypted())

    async def test_wrongNameIgnored(self) -> None:
        """
        ignoreSslErrors() in the sslErrors slot accepts a mismatching name.
        """
        spy, port = self.server()
        client = connectClient(self, port, peerVerifyName="example.org", ignoreErrors=True)
        self.assertTrue(await client.waitForEncrypted(5000))

    async def test_qtOverloadWithPeerName(self) -> None:
        """
        Qt's overload connectToHostEncrypted(host, port, sslPeerName) checks that name.
        """
        spy, port = self.server()
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(clientConfiguration())
        client.connectToHostEncrypted("127.0.0.1", port, "localhost")
        self.assertTrue(await client.waitForEncrypted(5000))
        self.assertEqual(client.peerVerifyName(), "localhost")

    async def test_untrustedServer(self) -> None:
        """
        A certificate from an unknown CA: UnableToGetLocalIssuerCertificate (and friends) in sslErrors.
        """
        spy, port = self.server()
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(QSslConfiguration.defaultConfiguration())
        errors = SignalSpy(client.sslErrors)
        client.connectToHostEncrypted("127.0.0.1", port, peerVerifyName="localhost")
        self.assertFalse(await client.waitForEncrypted(5000))
        [(found,)] = errors
        self.assertIn(SslError.UnableToGetLocalIssuerCertificate, [e.error() for e in found])
        self.assertEqual(client.error(), SocketError.SslHandshakeFailedError)

    async def test_writeBeforeEncryptedIsEncrypted(self) -> None:
        """
        Data written before the handshake goes out encrypted, after it (never in clear).
        """
        spy, port = self.server()
        client = connectClient(self, port)
        client.write(b"secret-1 ")
        client.connected.connect(lambda: client.write(b"secret-2"))
        socket = await self.accepted(spy)
        await waitUntil(lambda: socket.bytesAvailable() >= 17, what="the data")
        self.assertEqual(socket.readAll(), b"secret-1 secret-2")

    async def test_echoAndSignals(self) -> None:
        """
        Bytes go both ways; bytesWritten reports plaintext, encryptedBytesWritten the bytes on the wire.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)
        socket.readyRead.connect(lambda: socket.write(socket.readAll().upper()))
        written = SignalSpy(client.bytesWritten)
        encrypted = SignalSpy(client.encryptedBytesWritten)
        client.write(b"hello world")
        self.assertEqual(client.bytesToWrite(), 11)
        self.assertTrue(await client.waitForBytesWritten(5000))
        self.assertEqual(client.bytesToWrite(), 0)
        self.assertTrue(await client.waitForReadyRead(5000))
        await waitUntil(lambda: client.bytesAvailable() >= 11, what="the echo")
        self.assertEqual(client.readAll(), b"HELLO WORLD")
        # Qt's order: bytesWritten (plaintext), then encryptedBytesWritten.
        self.assertEqual(sum(n for (n,) in written), 11)
        self.assertGreater(sum(n for (n,) in encrypted), 11)

    async def test_sessionState(self) -> None:
        """
        sessionProtocol, sessionCipher, ALPN and the peer chain describe the negotiated session, also in sslConfiguration().
        """
        spy, port = self.server(serverConfiguration(allowedNextProtocols=[b"h2", b"http/1.1"]))
        client = connectClient(self, port, clientConfiguration(allowedNextProtocols=[b"http/1.1"]))
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)
        for side in (client, socket):
            configuration = side.sslConfiguration()
            self.assertEqual(configuration.sessionProtocol(), side.sessionProtocol())
            self.assertEqual(configuration.sessionCipher(), side.sessionCipher())
            self.assertFalse(side.sessionCipher().isNull())
            self.assertEqual(configuration.nextNegotiatedProtocol(), b"http/1.1")
            self.assertEqual(
                configuration.nextProtocolNegotiationStatus(),
                QSslConfiguration.NextProtocolNegotiationNegotiated,
            )
        self.assertEqual(client.sessionProtocol(), socket.sessionProtocol())
        self.assertEqual(client.sessionCipher().name(), socket.sessionCipher().name())

    async def test_protocolVersions(self) -> None:
        """
        TLS 1.2 and TLS 1.3 both work and are reported by sessionProtocol().
        """
        spy, port = self.server()
        for protocol, expected in ((QSsl.TlsV1_2, QSsl.SslProtocol.TlsV1_2), (QSsl.TlsV1_3, QSsl.SslProtocol.TlsV1_3)):
            client = connectClient(self, port, clientConfiguration(protocol=protocol))
            self.assertTrue(await client.waitForEncrypted(5000))
            self.assertEqual(client.sessionProtocol(), expected)

    async def test_clientCertificate(self) -> None:
        """
        A client with a certificate presents it: the server's socket sees it as its peer.
        """
        spy, port = self.server()
        client = connectClient(self, port, clientConfiguration(_certs.client()))
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)
        self.assertEqual(socket.peerCertificate(), certificate(_certs.client()))
        self.assertEqual(client.localCertificate(), certificate(_certs.client()))

    async def test_disconnectSendsCloseNotify(self) -> None:
        """
        disconnectFromHost() sends close_notify: the peer reports alertReceived and "The TLS/SSL connection has been closed".
        """
        spy, port = self.server()
        client = connectClient(self, port)
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)
        received = SignalSpy(socket.alertReceived)
        errors = SignalSpy(socket.errorOccurred)
        sent = SignalSpy(client.alertSent)
        client.disconnectFromHost()
        self.assertEqual(client.state(), SocketState.UnconnectedState)
        self.assertFalse(client.isEncrypted())
        await waitUntil(lambda: len(errors), what="the server side's error")
        self.assertEqual(errors[0], (SocketError.RemoteHostClosedError,))
        self.assertEqual(socket.errorString(), "The TLS/SSL connection has been closed")
        self.assertEqual(received[0], (AlertLevel.Warning, AlertType.CloseNotify, "close notify"))
        await waitUntil(lambda: len(sent), what="alertSent")
        self.assertEqual(sent[0], (AlertLevel.Warning, AlertType.CloseNotify, "close notify"))
        self.assertEqual(socket.state(), SocketState.UnconnectedState)

    async def test_peerVanishes(self) -> None:
        """
        A peer that drops TCP without close_notify: RemoteHostClosedError, "The remote host closed the connection", and no alert.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)
        errors = SignalSpy(client.errorOccurred)
        sent = SignalSpy(client.alertSent)
        socket.abort()
        await waitUntil(lambda: len(errors), what="the error")
        self.assertEqual(errors[0], (SocketError.RemoteHostClosedError,))
        self.assertEqual(client.errorString(), "The remote host closed the connection")
        # OpenSSL answers the end of the stream with an alert that cannot be
        # sent any more; Qt does not report one, nor does qtwisted.
        await sleep(QUIET)
        self.assertEqual(len(sent), 0)

    async def test_abortInsideReadyRead(self) -> None:
        """
        abort() from a readyRead slot, inside Twisted's TLS loop, is safe and takes effect at once.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)
        states: list[SocketState] = []

        def onData() -> None:
            socket.abort()
            states.append(socket.state())

        socket.readyRead.connect(onData)
        disconnected = SignalSpy(client.disconnected)
        client.write(b"a" * 50000)
        await waitUntil(lambda: states, what="readyRead")
        self.assertEqual(states, [SocketState.UnconnectedState])
        await waitUntil(lambda: len(disconnected), what="the client's disconnect")

    async def test_disconnectInsideReadyRead(self) -> None:
        """
        disconnectFromHost() from a readyRead slot closes after close_notify; the reply written first still arrives.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)

        def onData() -> None:
            socket.write(b"bye: " + socket.readAll())
            socket.disconnectFromHost()

        socket.readyRead.connect(onData)
        got: list[bytes] = []
        client.readyRead.connect(lambda: got.append(client.readAll()))
        disconnected = SignalSpy(client.disconnected)
        client.write(b"x")
        self.assertTrue(await disconnected.wait(5000))
        self.assertEqual(b"".join(got), b"bye: x")

    async def test_socketOptionsAndAddresses(self) -> None:
        """
        Socket options and local/peer addresses still reach the TCP socket under TLS.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        self.assertTrue(await client.waitForEncrypted(5000))
        client.setSocketOption(QAbstractSocket.SocketOption.LowDelayOption, 1)
        self.assertEqual(client.socketOption(QAbstractSocket.SocketOption.LowDelayOption), 1)
        self.assertEqual(client.peerPort(), port)
        self.assertGreater(client.localPort(), 0)
        self.assertEqual(client.peerAddress(), QHostAddress("127.0.0.1"))
        self.assertGreater(client.socketDescriptor(), 0)
        socket = await self.accepted(spy)
        self.assertEqual(socket.peerPort(), client.localPort())
        self.assertEqual(socket.localPort(), port)
        self.assertTrue(client.flush() in (True, False))

    async def test_waitForEncryptedOutcomes(self) -> None:
        """
        waitForEncrypted(): True on success, False once encrypted (as Qt), False on failure.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        waiting = client.waitForEncrypted(5000)
        self.assertTrue(await waiting)
        self.assertFalse(await client.waitForEncrypted(5000))
        failing = connectClient(self, port, peerVerifyName="wrong.example")
        self.assertFalse(await failing.waitForEncrypted(5000))

    async def test_waitForEncryptedTimeout(self) -> None:
        """
        waitForEncrypted() times out with SocketTimeoutError when the server never answers.
        """
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        self.addCleanup(silent.close)
        client = connectClient(self, silent.getsockname()[1])
        errors = SignalSpy(client.errorOccurred)
        self.assertFalse(await client.waitForEncrypted(200))
        self.assertEqual(errors[0], (SocketError.SocketTimeoutError,))
        self.assertEqual(client.state(), SocketState.ConnectedState)

    async def test_badConfiguration(self) -> None:
        """
        A configuration that cannot make a context: SslInvalidUserDataError naming the problem.
        """
        spy, port = self.server()
        bad = clientConfiguration(_certs.client())
        bad.setPrivateKey(serverConfiguration().privateKey())
        client = connectClient(self, port, bad)
        errors = SignalSpy(client.errorOccurred)
        await waitUntil(lambda: len(errors), what="the error")
        self.assertEqual(errors[0], (SocketError.SslInvalidUserDataError,))
        self.assertIn("does not match", client.errorString())

    async def test_handshakeInterruptedOnClient(self) -> None:
        """
        A client with handshakeMustInterruptOnError gets handshakeInterruptedOnError for an untrusted server, inside the handshake.
        """
        spy, port = self.server()
        client = connectClient(
            self, port, configuration(None, handshakeMustInterruptOnError=True)
        )
        interrupted = SignalSpy(client.handshakeInterruptedOnError)
        errors = SignalSpy(client.sslErrors)
        self.assertFalse(await client.waitForEncrypted(5000))
        self.assertEqual(len(interrupted), 1)
        self.assertEqual(len(errors), 0)
        self.assertEqual(client.error(), SocketError.SslHandshakeFailedError)

    async def test_pskClient(self) -> None:
        """
        Client PSK (TLS 1.2): the slot sees the server's hint and OpenSSL's maxima, and its identity and key are used.
        """
        spy, port = self.server(configuration(None, preSharedKeyIdentityHint=b"hint"))
        keys: list[bytes] = []

        def serverKey(socket: QSslSocket, authenticator: QSslPreSharedKeyAuthenticator) -> None:
            keys.append(authenticator.identity())
            authenticator.setPreSharedKey(PSK)

        spy.server.preSharedKeyAuthenticationRequired.connect(serverKey)
        client = QSslSocket()
        self.addCleanup(client._destroy)
        client.setSslConfiguration(configuration(None, peerVerifyMode=VerifyNone, protocol=QSsl.TlsV1_2))
        seen: list[QSslPreSharedKeyAuthenticator] = []

        def clientKey(authenticator: QSslPreSharedKeyAuthenticator) -> None:
            seen.append(QSslPreSharedKeyAuthenticator(authenticator))
            authenticator.setIdentity(b"bob")
            authenticator.setPreSharedKey(PSK)

        client.preSharedKeyAuthenticationRequired.connect(clientKey)
        client.connectToHostEncrypted("127.0.0.1", port)
        self.assertTrue(await client.waitForEncrypted(5000))
        [authenticator] = seen
        self.assertEqual(authenticator.identityHint(), b"hint")
        self.assertEqual(authenticator.maximumIdentityLength(), 256)
        self.assertEqual(authenticator.maximumPreSharedKeyLength(), 512)
        self.assertEqual(keys, [b"bob"])

    async def test_startServerEncryptionByHand(self) -> None:
        """
        startServerEncryption() on an adopted plain socket (Qt's pre-6.4 server idiom) takes unread bytes as the handshake.
        """
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        self.addCleanup(listener.close)
        client = connectClient(self, listener.getsockname()[1])
        await waitUntil(lambda: client.state() == SocketState.ConnectedState, what="connect")
        accepted, _ = listener.accept()
        server = QSslSocket()
        self.addCleanup(server._destroy)
        server.setSslConfiguration(serverConfiguration())
        self.assertTrue(server.setSocketDescriptor(accepted.detach()))
        await waitUntil(server.bytesAvailable, what="the ClientHello")
        modes = SignalSpy(server.modeChanged)
        server.startServerEncryption()
        self.assertEqual(modes[0], (SslMode.SslServerMode,))
        self.assertTrue(await server.waitForEncrypted(5000))
        await waitUntil(client.isEncrypted, what="the client encrypted")
        server.startServerEncryption()  # already encrypted: a warning, nothing else
        self.assertEqual(len(modes), 1)
        self.flushLoggedErrors()

    async def test_closeRequestedWhileConnecting(self) -> None:
        """
        disconnectFromHost() right after connectToHostEncrypted(): the socket is encrypted, sends what was written, then closes.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        client.write(b"last words")
        client.disconnectFromHost()
        order = SignalSpy(client.stateChanged)
        encrypted = SignalSpy(client.encrypted)
        socket = await self.accepted(spy)
        got: list[bytes] = []
        socket.readyRead.connect(lambda: got.append(socket.readAll()))
        if socket.bytesAvailable():
            got.append(socket.readAll())
        await waitUntil(lambda: socket.state() == SocketState.UnconnectedState, what="the close")
        self.assertEqual(b"".join(got), b"last words")
        self.assertEqual(len(encrypted), 1)
        self.assertEqual(order[-1], (SocketState.UnconnectedState,))

    async def test_closeDuringHandshakeWithPendingData(self) -> None:
        """
        disconnectFromHost() with data waiting for the handshake: ClosingState, then the data is sent encrypted and the socket closes (Qt's pendingClose).
        """
        spy, port = self.server()
        client = connectClient(self, port)
        states: list[SocketState] = []

        def onConnected() -> None:
            client.write(b"during the handshake")
            client.disconnectFromHost()
            states.append(client.state())

        client.connected.connect(onConnected)
        encrypted = SignalSpy(client.encrypted)
        socket = await self.accepted(spy)
        got: list[bytes] = []
        if socket.bytesAvailable():
            got.append(socket.readAll())
        socket.readyRead.connect(lambda: got.append(socket.readAll()))
        await waitUntil(lambda: client.state() == SocketState.UnconnectedState, what="the close")
        await waitUntil(lambda: b"".join(got) == b"during the handshake", what="the data")
        self.assertEqual(states, [SocketState.ClosingState])
        self.assertEqual(len(encrypted), 1)

    async def test_readBufferLimit(self) -> None:
        """
        setReadBufferSize() on an encrypted socket: reading pauses and resumes, and every byte arrives.
        """
        spy, port = self.server()
        client = connectClient(self, port)
        self.assertTrue(await client.waitForEncrypted(5000))
        socket = await self.accepted(spy)
        socket.setReadBufferSize(4096)
        payload = bytes(range(256)) * 1024
        client.write(payload)
        received = bytearray()
        while len(received) < len(payload):
            await waitUntil(socket.bytesAvailable, what="more data")
            self.assertLessEqual(socket.bytesAvailable(), 4096 + 65536)
            received += socket.read(1000)
        self.assertEqual(bytes(received), payload)

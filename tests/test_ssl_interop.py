"""
Interop of L{qtwisted.QSslServer} with a TLS client nobody here wrote: the
C{openssl s_client} command-line tool.

Each test starts a QSslServer echo server on 127.0.0.1 (certificates
generated for the run by L{tests._certs} and written to the test's
temporary directory), runs one bounded C{s_client} that sends a line and
closes once the echo is back, and checks both what the client printed and
the server's Qt signals.  The tests are skipped, with a reason, when the
C{openssl} tool is not installed.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.error import ProcessDone, ProcessTerminated
from twisted.internet.protocol import ProcessProtocol
from twisted.python.failure import Failure
from twisted.trial.unittest import SkipTest, TestCase

from qtwisted import QAbstractSocket, QSsl, QSslError, QSslPreSharedKeyAuthenticator, QSslSocket

from qtwisted.testing import SignalSpy

from . import _certs
from ._tlshelpers import (
    OTHER_PSK,
    PSK,
    Settle,
    SpyServer,
    certificate,
    configuration,
    serverConfiguration,
    waitUntil,
)

OPENSSL = shutil.which("openssl")
# Seconds one s_client run may take before it is killed.
S_CLIENT_TIMEOUT = 15.0
LINE = b"hello from s_client\n"

SocketError = QAbstractSocket.SocketError
VerifyPeer = QSslSocket.PeerVerifyMode.VerifyPeer


class SClient(ProcessProtocol):
    """
    Drives one C{openssl s_client}: sends L{LINE}, closes its input once
    the echo is back (it then sends close_notify and exits), and kills it
    after L{S_CLIENT_TIMEOUT}.
    """

    def __init__(self) -> None:
        self.out = b""
        self.err = b""
        self.code: int | None = None
        self.ended: Deferred[SClient] = Deferred()
        self.timer = reactor.callLater(S_CLIENT_TIMEOUT, self.kill)  # type: ignore[attr-defined]

    def kill(self) -> None:
        self.transport.signalProcess("KILL")  # type: ignore[union-attr]

    def connectionMade(self) -> None:
        self.transport.write(LINE)  # type: ignore[union-attr]

    def outReceived(self, data: bytes) -> None:
        self.out += data
        if LINE in self.out:
            self.transport.closeStdin()  # type: ignore[union-attr]

    def errReceived(self, data: bytes) -> None:
        self.err += data

    def processEnded(self, reason: Failure) -> None:
        if self.timer.active():
            self.timer.cancel()
        if reason.check(ProcessDone, ProcessTerminated):
            self.code = reason.value.exitCode
        self.ended.callback(self)


class OpenSSLClientTests(TestCase):
    """
    C{openssl s_client} against a QSslServer echo server.
    """

    timeout = 60

    def setUp(self) -> None:
        if OPENSSL is None:
            raise SkipTest("the openssl command-line tool is not installed")
        Settle(self)
        self.directory = os.path.abspath(self.mktemp())
        os.makedirs(self.directory)
        self.received: list[bytes] = []
        self.encryptedSockets: list[QSslSocket] = []
        self.alertsReceived: list[SignalSpy[Any]] = []

    def pem(self, name: str, credentials: _certs.Credentials, withKey: bool = True) -> list[str]:
        certPath, keyPath = credentials.write(self.directory, name)
        return [certPath, keyPath] if withKey else [certPath]

    def echoServer(self, sslConfiguration: Any) -> tuple[SpyServer, int]:
        spy = SpyServer(self, sslConfiguration)

        def take() -> None:
            while True:
                socket = spy.server.nextPendingConnection()
                if socket is None:
                    return
                assert isinstance(socket, QSslSocket)
                self.encryptedSockets.append(socket)
                self.alertsReceived.append(SignalSpy(socket.alertReceived))

                def echo(socket: QSslSocket = socket) -> None:
                    data = socket.readAll()
                    self.received.append(data)
                    socket.write(data)

                socket.readyRead.connect(echo)

        spy.server.pendingConnectionAvailable.connect(take)
        return spy, spy.listen()

    async def sClient(self, port: int, *options: str) -> SClient:
        assert OPENSSL is not None
        client = SClient()
        args = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-brief", *options]
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LD_LIBRARY_PATH")}
        reactor.spawnProcess(client, OPENSSL, args, env=env)  # type: ignore[attr-defined]
        return await client.ended

    def assertEchoed(self, client: SClient, protocol: str) -> None:
        self.assertEqual(client.code, 0, client.err)
        self.assertIn(LINE, client.out)
        self.assertIn(f"Protocol version: {protocol}".encode(), client.err)
        self.assertEqual(b"".join(self.received), LINE)

    def assertRefused(self, client: SClient, alert: bytes) -> None:
        self.assertNotEqual(client.code, 0)
        self.assertNotIn(LINE, client.out)
        self.assertIn(alert, client.err)
        self.assertEqual(self.received, [])

    async def certificateHandshake(self, version: str, protocol: str) -> None:
        spy, port = self.echoServer(serverConfiguration())
        [caPath] = self.pem("ca", _certs.ca(), withKey=False)
        client = await self.sClient(
            port, version, "-CAfile", caPath, "-verify_return_error", "-servername", "localhost"
        )
        self.assertEchoed(client, protocol)
        self.assertIn(b"Verification: OK", client.err)
        self.assertIn(b"Peer certificate: ", client.err)
        [socket] = self.encryptedSockets
        self.assertEqual(
            socket.sessionProtocol(),
            QSsl.SslProtocol.TlsV1_2 if protocol == "TLSv1.2" else QSsl.SslProtocol.TlsV1_3,
        )
        await waitUntil(
            lambda: socket.state() == QAbstractSocket.SocketState.UnconnectedState,
            what="the server side closed",
        )
        # s_client ends with close_notify; the socket (no longer the server:
        # B52) reports it.
        [alerts] = self.alertsReceived
        self.assertEqual(
            alerts[0], (QSsl.AlertLevel.Warning, QSsl.AlertType.CloseNotify, "close notify")
        )
        self.assertEqual(socket.errorString(), "The TLS/SSL connection has been closed")
        self.assertEqual(
            spy.order, ["newConnection", "startedEncryptionHandshake", "pendingConnectionAvailable"]
        )

    async def test_certificateTls12(self) -> None:
        """
        s_client -tls1_2 verifies the server's certificate chain and gets its line echoed.
        """
        await self.certificateHandshake("-tls1_2", "TLSv1.2")

    async def test_certificateTls13(self) -> None:
        """
        s_client -tls1_3 verifies the server's certificate chain and gets its line echoed.
        """
        await self.certificateHandshake("-tls1_3", "TLSv1.3")

    async def test_clientCertificate(self) -> None:
        """
        VerifyPeer with the test CA: s_client's client certificate is accepted and seen by the server.
        """
        spy, port = self.echoServer(
            serverConfiguration(peerVerifyMode=VerifyPeer, caCertificates=[certificate(_certs.ca())])
        )
        certPath, keyPath = self.pem("client", _certs.client())
        client = await self.sClient(port, "-cert", certPath, "-key", keyPath)
        self.assertEchoed(client, "TLSv1.3")
        [socket] = self.encryptedSockets
        self.assertEqual(socket.peerCertificate().subjectInfo(b"CN"), ["client"])
        self.assertEqual(spy.count("sslErrors"), 0)

    async def test_clientCertificateRejected(self) -> None:
        """
        VerifyPeer: a self-signed client certificate from s_client is rejected (SelfSignedCertificate, SslHandshakeFailedError).
        """
        spy, port = self.echoServer(serverConfiguration(peerVerifyMode=VerifyPeer))
        certPath, keyPath = self.pem("self", _certs.selfSigned())
        client = await self.sClient(port, "-tls1_2", "-cert", certPath, "-key", keyPath)
        self.assertNotIn(LINE, client.out)
        self.assertEqual(self.received, [])
        await waitUntil(lambda: spy.count("errorOccurred"), what="the rejection")
        self.assertEqual(
            [e.error() for e in spy.spies["sslErrors"][0][1]],
            [QSslError.SslError.SelfSignedCertificate],
        )
        self.assertEqual(spy.spies["errorOccurred"][0][1], SocketError.SslHandshakeFailedError)

    def pskServer(self, key: bytes) -> tuple[SpyServer, int, list[QSslPreSharedKeyAuthenticator]]:
        seen: list[QSslPreSharedKeyAuthenticator] = []
        spy, port = self.echoServer(configuration(None, preSharedKeyIdentityHint=b"qtwisted"))

        def answer(socket: QSslSocket, authenticator: QSslPreSharedKeyAuthenticator) -> None:
            seen.append(QSslPreSharedKeyAuthenticator(authenticator))
            authenticator.setPreSharedKey(key)

        spy.server.preSharedKeyAuthenticationRequired.connect(answer)
        return spy, port, seen

    def pskOptions(self, version: str, key: bytes = PSK, identity: str = "alice") -> list[str]:
        return ["-psk", key.hex(), "-psk_identity", identity, version]

    async def pskHandshake(self, version: str, protocol: str) -> None:
        spy, port, seen = self.pskServer(PSK)
        client = await self.sClient(port, *self.pskOptions(version))
        self.assertEchoed(client, protocol)
        self.assertIn(b"No peer certificate", client.err)
        [authenticator] = seen
        self.assertEqual(authenticator.identity(), b"alice")
        self.assertEqual(authenticator.identityHint(), b"qtwisted")
        self.assertEqual(authenticator.maximumIdentityLength(), 0)
        self.assertGreater(authenticator.maximumPreSharedKeyLength(), 0)
        [socket] = self.encryptedSockets
        self.assertTrue(socket.peerCertificate().isNull())

    async def test_pskTls12(self) -> None:
        """
        s_client -psk -tls1_2: the server's slot sees identity and hint; a PSK suite is used.
        """
        await self.pskHandshake("-tls1_2", "TLSv1.2")
        self.assertIn("PSK", self.encryptedSockets[0].sessionCipher().name())

    async def test_pskTls13(self) -> None:
        """
        s_client -psk -tls1_3: a TLS 1.3 PSK handshake under the default verify mode.
        """
        await self.pskHandshake("-tls1_3", "TLSv1.3")

    async def test_wrongPskKey(self) -> None:
        """
        A wrong key fails the handshake: bad_record_mac (TLS 1.2) or decrypt_error (TLS 1.3); SslHandshakeFailedError on the server.
        """
        for version, alert in (("-tls1_2", b"bad record mac"), ("-tls1_3", b"decrypt error")):
            spy, port, seen = self.pskServer(PSK)
            client = await self.sClient(port, *self.pskOptions(version, key=OTHER_PSK))
            self.assertRefused(client, alert)
            await waitUntil(lambda: spy.count("errorOccurred"), what="the server's error")
            self.assertEqual(spy.spies["errorOccurred"][0][1], SocketError.SslHandshakeFailedError)
            self.assertEqual(spy.count("pendingConnectionAvailable"), 0)
            spy.close()

    async def test_unknownIdentity(self) -> None:
        """
        A slot that knows no key for the identity: unknown_psk_identity (TLS 1.2), handshake_failure (TLS 1.3, no certificate to fall back on).
        """
        for version, alert in (("-tls1_2", b"unknown psk identity"), ("-tls1_3", b"handshake failure")):
            spy, port, seen = self.pskServer(b"")
            client = await self.sClient(port, *self.pskOptions(version, identity="mallory"))
            self.assertRefused(client, alert)
            await waitUntil(lambda: spy.count("errorOccurred"), what="the server's error")
            self.assertEqual(spy.spies["errorOccurred"][0][1], SocketError.SslHandshakeFailedError)
            self.assertEqual([a.identity() for a in seen], [b"mallory"])
            [(_, level, kind, text)] = spy.spies["alertSent"]
            self.assertEqual(level, QSsl.AlertLevel.Fatal)
            spy.close()

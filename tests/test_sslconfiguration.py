"""
Tests for L{qtwisted._ssl._configuration} (L{QSslConfiguration} and its
snapshot), L{qtwisted._ssl._context} (the context cache and the verify
recorder, with real handshakes between in-memory pyOpenSSL connections),
L{qtwisted._ssl._cipher} and L{qtwisted._ssl._presharedkey}.
"""

from __future__ import annotations

import copy
import os

from OpenSSL import SSL
from twisted.trial.unittest import SynchronousTestCase

from qtwisted._ssl import _snapshot
from qtwisted._ssl._certificate import QSslCertificate
from qtwisted._ssl._cipher import QSslCipher, defaultCiphers, supportedCiphers
from qtwisted._ssl._configuration import QSslConfiguration
from qtwisted._ssl._context import (
    VerifyRecorder,
    _contextHooks,
    addContextHook,
    clearContextCache,
    contextFor,
    recorderFor,
    serverContextFor,
    verifiesPeer,
)
from qtwisted._ssl._error import QSslError
from qtwisted._ssl._key import QSslKey
from qtwisted._ssl._presharedkey import QSslPreSharedKeyAuthenticator, makeAuthenticator
from qtwisted._ssl._qssl import PeerVerifyMode, QSsl, SslMode
from qtwisted._ssl._snapshot import Snapshot

from . import _certs

E = QSslError.SslError
Status = QSslConfiguration.NextProtocolNegotiationStatus


def _cert(credentials: _certs.Credentials) -> QSslCertificate:
    return QSslCertificate(credentials.certificatePem())


def _key(credentials: _certs.Credentials) -> QSslKey:
    return QSslKey(credentials.keyPem())


def serverConfiguration(**changes: object) -> QSslConfiguration:
    """
    The default configuration with the test server's certificate and key,
    and the test CA as the only CA.
    """
    configuration = QSslConfiguration.defaultConfiguration()
    configuration.setLocalCertificate(_cert(_certs.server()))
    configuration.setPrivateKey(_key(_certs.server()))
    configuration.setCaCertificates([_cert(_certs.ca())])
    for name, value in changes.items():
        getattr(configuration, "set" + name[0].upper() + name[1:])(value)
    return configuration


def rawClientContext(
    credentials: _certs.Credentials | None = None,
    minimum: int = 0,
    maximum: int = 0,
    ciphers: bytes | None = None,
    alpn: list[bytes] | None = None,
) -> SSL.Context:
    """
    A plain pyOpenSSL client context that trusts everything.
    """
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    if minimum:
        context.set_min_proto_version(minimum)
    if maximum:
        context.set_max_proto_version(maximum)
    if ciphers is not None:
        context.set_cipher_list(ciphers)
    if credentials is not None:
        context.use_certificate(credentials.certificate)
        context.use_privatekey(credentials.key)
    if alpn:
        context.set_alpn_protos(alpn)
    return context


class Handshake:
    """
    A TLS handshake between two in-memory (memory BIO) connections.
    """

    def __init__(
        self,
        serverContext: SSL.Context,
        clientContext: SSL.Context,
        serverApp: object = None,
        clientApp: object = None,
    ) -> None:
        self.server = SSL.Connection(serverContext)
        self.server.set_accept_state()
        self.client = SSL.Connection(clientContext)
        self.client.set_connect_state()
        if serverApp is not None:
            self.server.set_app_data(serverApp)
        if clientApp is not None:
            self.client.set_app_data(clientApp)
        self.done: set[str] = set()
        self.failed: dict[str, SSL.Error] = {}
        self._run()

    def _run(self) -> None:
        sides = (("client", self.client, self.server), ("server", self.server, self.client))
        for _ in range(100):
            moved = False
            for name, connection, peer in sides:
                if name not in self.done and name not in self.failed:
                    try:
                        connection.do_handshake()
                        self.done.add(name)
                    except SSL.WantReadError:
                        pass
                    except SSL.Error as e:
                        self.failed[name] = e
                try:
                    data = connection.bio_read(1 << 16)
                except SSL.Error:
                    data = b""
                if data:
                    peer.bio_write(data)
                    moved = True
            if not moved:
                return

    def succeeded(self) -> bool:
        return self.done == {"client", "server"} and not self.failed


class QSslConfigurationDefaultsTests(SynchronousTestCase):
    """
    Default and null configurations match §1.7.
    """

    def test_defaultValues(self) -> None:
        """
        defaultConfiguration() has Qt's defaults (§1.7).
        """
        configuration = QSslConfiguration.defaultConfiguration()
        self.assertEqual(configuration.peerVerifyMode(), PeerVerifyMode.AutoVerifyPeer)
        self.assertEqual(configuration.peerVerifyDepth(), 0)
        self.assertEqual(configuration.protocol(), QSsl.SecureProtocols)
        self.assertFalse(configuration.handshakeMustInterruptOnError())
        self.assertFalse(configuration.missingCertificateIsFatal())
        self.assertTrue(configuration.localCertificate().isNull())
        self.assertEqual(configuration.localCertificateChain(), [])
        self.assertTrue(configuration.privateKey().isNull())
        self.assertEqual(configuration.preSharedKeyIdentityHint(), b"")
        self.assertEqual(configuration.allowedNextProtocols(), [])
        self.assertEqual(configuration.ciphers(), defaultCiphers())
        self.assertEqual(configuration.caCertificates(), QSslConfiguration.systemCaCertificates())
        self.assertTrue(configuration.testSslOption(QSsl.SslOptionDisableCompression))
        self.assertFalse(configuration.testSslOption(QSsl.SslOptionDisableSessionTickets))
        self.assertTrue(configuration.peerCertificate().isNull())
        self.assertTrue(configuration.sessionCipher().isNull())
        self.assertEqual(configuration.nextNegotiatedProtocol(), b"")
        self.assertEqual(
            configuration.nextProtocolNegotiationStatus(), Status.NextProtocolNegotiationNone
        )

    def test_defaultEqualsDefault(self) -> None:
        """
        Two defaultConfiguration() copies compare equal (B36).
        """
        self.assertEqual(
            QSslConfiguration.defaultConfiguration(), QSslConfiguration.defaultConfiguration()
        )

    def test_nullIsNotDefault(self) -> None:
        """
        QSslConfiguration() is null and differs from defaultConfiguration() (§1.7, B36).
        """
        null = QSslConfiguration()
        default = QSslConfiguration.defaultConfiguration()
        self.assertTrue(null.isNull())
        self.assertFalse(default.isNull())
        self.assertNotEqual(null, default)
        self.assertEqual(null.ciphers(), [])
        self.assertEqual(null.caCertificates(), [])

    def test_setterMakesNotNull(self) -> None:
        """
        Any setter makes a null configuration non-null.
        """
        for change in (
            lambda c: c.setProtocol(QSsl.TlsV1_3),
            lambda c: c.setPeerVerifyMode(PeerVerifyMode.VerifyPeer),
            lambda c: c.setPeerVerifyDepth(2),
            lambda c: c.setPreSharedKeyIdentityHint(b""),
            lambda c: c.setAllowedNextProtocols([b"h2"]),
            lambda c: c.setSslOption(QSsl.SslOptionDisableSessionTickets, True),
            lambda c: c.setHandshakeMustInterruptOnError(True),
            lambda c: c.setMissingCertificateIsFatal(True),
            lambda c: c.addCaCertificate(_cert(_certs.ca())),
            lambda c: c.setLocalCertificate(_cert(_certs.server())),
        ):
            configuration = QSslConfiguration()
            change(configuration)
            self.assertFalse(configuration.isNull())

    def test_setDefaultConfiguration(self) -> None:
        """
        setDefaultConfiguration() changes later defaults only, by copy.
        """
        before = QSslConfiguration.defaultConfiguration()
        self.addCleanup(QSslConfiguration.setDefaultConfiguration, before)
        custom = serverConfiguration()
        QSslConfiguration.setDefaultConfiguration(custom)
        custom.setPeerVerifyDepth(7)
        self.assertEqual(QSslConfiguration.defaultConfiguration().peerVerifyDepth(), 0)
        self.assertEqual(
            QSslConfiguration.defaultConfiguration().localCertificate(), _cert(_certs.server())
        )
        self.assertTrue(before.localCertificate().isNull())

    def test_systemCaCertificates(self) -> None:
        """
        The system store is a list of CA certificates, loaded once.
        """
        store = QSslConfiguration.systemCaCertificates()
        self.assertIsInstance(store, list)
        self.assertTrue(all(isinstance(c, QSslCertificate) for c in store))
        self.assertEqual(len(set(store)), len(store))
        store.clear()
        self.assertEqual(QSslConfiguration.systemCaCertificates(), _snapshot.systemCaCertificates())


class QSslConfigurationValueTests(SynchronousTestCase):
    """
    Setters, getters and value semantics.
    """

    def test_copiesAreIndependent(self) -> None:
        """
        QSslConfiguration(other), copy.copy and defaultConfiguration() give independent copies.
        """
        original = serverConfiguration()
        for duplicate in (
            QSslConfiguration(original),
            copy.copy(original),
            copy.deepcopy(original),
        ):
            self.assertEqual(duplicate, original)
            duplicate.setPeerVerifyDepth(3)
            duplicate.addCaCertificate(_cert(_certs.selfSigned()))
            self.assertEqual(original.peerVerifyDepth(), 0)
            self.assertEqual(original.caCertificates(), [_cert(_certs.ca())])
            self.assertNotEqual(duplicate, original)

    def test_gettersReturnCopies(self) -> None:
        """
        Changing a list returned by a getter does not change the configuration.
        """
        configuration = serverConfiguration()
        configuration.caCertificates().clear()
        configuration.localCertificateChain().clear()
        configuration.allowedNextProtocols().append(b"x")
        self.assertEqual(configuration, serverConfiguration())

    def test_swap(self) -> None:
        """
        swap() exchanges two configurations.
        """
        a, b = serverConfiguration(), QSslConfiguration()
        a.swap(b)
        self.assertTrue(a.isNull())
        self.assertEqual(b, serverConfiguration())

    def test_notHashable(self) -> None:
        """
        A mutable configuration is not hashable (use _snapshot()).
        """
        self.assertRaises(TypeError, hash, QSslConfiguration())

    def test_localCertificateChain(self) -> None:
        """
        setLocalCertificate() sets a one-element chain; localCertificate() is its head.
        """
        configuration = QSslConfiguration()
        configuration.setLocalCertificateChain([_cert(_certs.server()), _cert(_certs.ca())])
        self.assertEqual(configuration.localCertificate(), _cert(_certs.server()))
        self.assertEqual(len(configuration.localCertificateChain()), 2)
        configuration.setLocalCertificate(_cert(_certs.client()))
        self.assertEqual(configuration.localCertificateChain(), [_cert(_certs.client())])
        configuration.setLocalCertificate(QSslCertificate())
        self.assertEqual(configuration.localCertificateChain(), [])

    def test_caCertificates(self) -> None:
        """
        setCaCertificates() replaces, addCaCertificate(s) appends.
        """
        configuration = QSslConfiguration()
        configuration.setCaCertificates([_cert(_certs.ca())])
        configuration.addCaCertificate(_cert(_certs.selfSigned()))
        self.assertTrue(configuration.addCaCertificates([_cert(_certs.client())]))
        self.assertEqual(
            configuration.caCertificates(),
            [_cert(_certs.ca()), _cert(_certs.selfSigned()), _cert(_certs.client())],
        )
        self.assertFalse(configuration.addCaCertificates([]))

    def test_addCaCertificatesFromPath(self) -> None:
        """
        addCaCertificates(path) reads the file and reports whether it found any.
        """
        path, _ = _certs.ca().write(self.mktemp(), "ca")
        configuration = QSslConfiguration()
        self.assertTrue(configuration.addCaCertificates(path))
        self.assertEqual(configuration.caCertificates(), [_cert(_certs.ca())])
        self.assertFalse(configuration.addCaCertificates(path + ".missing"))

    def test_addToDefaultKeepsSystemStore(self) -> None:
        """
        addCaCertificate() on the default configuration adds to the system store.
        """
        configuration = QSslConfiguration.defaultConfiguration()
        configuration.addCaCertificate(_cert(_certs.ca()))
        self.assertEqual(
            configuration.caCertificates(),
            QSslConfiguration.systemCaCertificates() + [_cert(_certs.ca())],
        )

    def test_peerVerifyDepth(self) -> None:
        """
        A negative depth is ignored, as in Qt.
        """
        configuration = QSslConfiguration()
        configuration.setPeerVerifyDepth(3)
        configuration.setPeerVerifyDepth(-1)
        self.assertEqual(configuration.peerVerifyDepth(), 3)

    def test_allowedNextProtocols(self) -> None:
        """
        ALPN names are kept in order; empty and over-long names are dropped (Qt).
        """
        configuration = QSslConfiguration()
        configuration.setAllowedNextProtocols([b"h2", b"", b"x" * 256, b"http/1.1"])
        self.assertEqual(configuration.allowedNextProtocols(), [b"h2", b"http/1.1"])
        self.assertRaises(TypeError, configuration.setAllowedNextProtocols, ["h2"])
        self.assertEqual(QSslConfiguration.ALPNProtocolHTTP2, b"h2")
        self.assertEqual(QSslConfiguration.NextProtocolHttp1_1, b"http/1.1")

    def test_preSharedKeyIdentityHint(self) -> None:
        """
        The PSK identity hint is stored as bytes.
        """
        configuration = QSslConfiguration()
        configuration.setPreSharedKeyIdentityHint(b"qtwisted")
        self.assertEqual(configuration.preSharedKeyIdentityHint(), b"qtwisted")
        self.assertRaises(TypeError, configuration.setPreSharedKeyIdentityHint, "text")

    def test_sslOptions(self) -> None:
        """
        setSslOption() turns single options on and off.
        """
        configuration = QSslConfiguration()
        configuration.setSslOption(QSsl.SslOptionDisableSessionTickets, True)
        configuration.setSslOption(QSsl.SslOptionDisableCompression, False)
        self.assertTrue(configuration.testSslOption(QSsl.SslOptionDisableSessionTickets))
        self.assertFalse(configuration.testSslOption(QSsl.SslOptionDisableCompression))

    def test_setCiphersList(self) -> None:
        """
        setCiphers(list) keeps the ciphers given, dropping null ones.
        """
        chosen = [QSslCipher("TLS_AES_128_GCM_SHA256"), QSslCipher("ECDHE-ECDSA-AES128-GCM-SHA256")]
        configuration = QSslConfiguration()
        configuration.setCiphers(chosen + [QSslCipher()])
        self.assertEqual(configuration.ciphers(), chosen)

    def test_setCiphersNames(self) -> None:
        """
        setCiphers("a:b") with cipher names selects those ciphers, as Qt.
        """
        configuration = QSslConfiguration()
        configuration.setCiphers("ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256")
        self.assertEqual(
            [c.name() for c in configuration.ciphers()],
            ["ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
        )

    def test_setCiphersOpenSSLString(self) -> None:
        """
        An OpenSSL cipher string is kept and ciphers() shows what it selects.
        """
        configuration = QSslConfiguration()
        configuration.setCiphers("ECDHE+AESGCM:!aNULL")
        names = [c.name() for c in configuration.ciphers()]
        self.assertIn("ECDHE-ECDSA-AES128-GCM-SHA256", names)
        self.assertTrue(all("GCM" in n for n in names))
        self.assertEqual(configuration._snapshot().cipherList, "ECDHE+AESGCM:!aNULL")

    def test_setCiphersBadString(self) -> None:
        """
        A string OpenSSL selects nothing from raises ValueError naming it.
        """
        exc = self.assertRaises(ValueError, QSslConfiguration().setCiphers, "NOTHING-AT-ALL")
        self.assertIn("'NOTHING-AT-ALL'", str(exc))

    def test_typeChecks(self) -> None:
        """
        Setters reject values of the wrong type with TypeError.
        """
        configuration = QSslConfiguration()
        self.assertRaises(TypeError, configuration.setLocalCertificate, b"pem")
        self.assertRaises(TypeError, configuration.setPrivateKey, b"pem")
        self.assertRaises(TypeError, configuration.setCaCertificates, [b"pem"])
        self.assertRaises(ValueError, configuration.setProtocol, 99)

    def test_sessionState(self) -> None:
        """
        _setSessionState() fills the read-only members, which take part in equality.
        """
        configuration = serverConfiguration()
        configuration._setSessionState(
            peerCertificateChain=[_cert(_certs.client())],
            sessionCipher=QSslCipher("TLS_AES_128_GCM_SHA256"),
            sessionProtocol=QSsl.TlsV1_3,
            nextNegotiatedProtocol=b"h2",
            nextProtocolNegotiationStatus=Status.NextProtocolNegotiationNegotiated,
        )
        self.assertEqual(configuration.peerCertificate(), _cert(_certs.client()))
        self.assertEqual(configuration.sessionCipher().name(), "TLS_AES_128_GCM_SHA256")
        self.assertEqual(configuration.sessionProtocol(), QSsl.TlsV1_3)
        self.assertEqual(configuration.nextNegotiatedProtocol(), b"h2")
        self.assertNotEqual(configuration, serverConfiguration())
        self.assertEqual(configuration._snapshot(), serverConfiguration()._snapshot())


class LoadLocalCertificateTests(SynchronousTestCase):
    """
    loadLocalCertificate() fails at configuration time, naming the file.
    """

    def test_loads(self) -> None:
        """
        Certificate chain and key are read and set.
        """
        directory = self.mktemp()
        certPath, keyPath = _certs.server().write(directory, "server")
        with open(certPath, "ab") as f:
            f.write(_certs.ca().certificatePem())
        configuration = QSslConfiguration()
        configuration.loadLocalCertificate(certPath, keyPath)
        self.assertEqual(
            configuration.localCertificateChain(), [_cert(_certs.server()), _cert(_certs.ca())]
        )
        self.assertEqual(configuration.privateKey(), _key(_certs.server()))

    def test_combinedFile(self) -> None:
        """
        Without a key path the key is read from the certificate file.
        """
        path = os.path.join(self.mktemp() + "-combined.pem")
        with open(path, "wb") as f:
            f.write(_certs.server().certificatePem() + _certs.server().keyPem())
        configuration = QSslConfiguration()
        configuration.loadLocalCertificate(path)
        self.assertEqual(configuration.privateKey(), _key(_certs.server()))

    def test_missingFile(self) -> None:
        """
        A missing certificate file raises OSError naming it.
        """
        missing = os.path.join(self.mktemp(), "missing.crt")
        exc = self.assertRaises(OSError, QSslConfiguration().loadLocalCertificate, missing)
        self.assertEqual(exc.filename, missing)

    def test_garbageCertificate(self) -> None:
        """
        A certificate file without a certificate raises ValueError naming it.
        """
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b"-----BEGIN GARBAGE-----\n")
        exc = self.assertRaises(ValueError, QSslConfiguration().loadLocalCertificate, path, path)
        self.assertIn(repr(path), str(exc))

    def test_missingKeyFile(self) -> None:
        """
        A missing key file raises OSError naming it.
        """
        directory = self.mktemp()
        certPath, _ = _certs.server().write(directory, "server")
        missing = certPath + ".key"
        exc = self.assertRaises(
            OSError, QSslConfiguration().loadLocalCertificate, certPath, missing
        )
        self.assertEqual(exc.filename, missing)

    def test_mismatch(self) -> None:
        """
        A key that does not belong to the certificate raises ValueError naming both files.
        """
        directory = self.mktemp()
        certPath, _ = _certs.server().write(directory, "server")
        _, otherKey = _certs.client().write(directory, "client")
        configuration = QSslConfiguration()
        exc = self.assertRaises(ValueError, configuration.loadLocalCertificate, certPath, otherKey)
        self.assertEqual(
            str(exc),
            f"the private key {otherKey!r} does not match the certificate {certPath!r}",
        )
        self.assertTrue(configuration.isNull())

    def test_wrongPassPhrase(self) -> None:
        """
        A wrong passphrase raises ValueError naming the key file.
        """
        directory = self.mktemp()
        certPath, keyPath = _certs.server().write(directory, "server")
        with open(keyPath, "wb") as f:
            f.write(_certs.server().keyPem(b"right"))
        exc = self.assertRaises(
            ValueError, QSslConfiguration().loadLocalCertificate, certPath, keyPath, b"wrong"
        )
        self.assertIn(repr(keyPath), str(exc))
        configuration = QSslConfiguration()
        configuration.loadLocalCertificate(certPath, keyPath, b"right")
        self.assertEqual(configuration.privateKey(), _key(_certs.server()))

    def test_garbageKeyFileNamed(self) -> None:
        """
        The ValueError for a key file that holds no key names that file.
        """
        directory = self.mktemp()
        certPath, _ = _certs.server().write(directory, "server")
        bad = os.path.join(directory, "bad.key")
        with open(bad, "wb") as f:
            f.write(b"nope")
        exc = self.assertRaises(ValueError, QSslConfiguration().loadLocalCertificate, certPath, bad)
        self.assertEqual(str(exc), f"{bad!r} does not hold a PEM private key")


class SnapshotTests(SynchronousTestCase):
    """
    The frozen snapshot and the context cache.
    """

    def setUp(self) -> None:
        clearContextCache()

    def test_frozenAndHashable(self) -> None:
        """
        A snapshot is hashable and cannot be changed.
        """
        snapshot = serverConfiguration()._snapshot()
        self.assertIsInstance(snapshot, Snapshot)
        self.assertEqual(hash(snapshot), hash(serverConfiguration()._snapshot()))
        self.assertRaises(AttributeError, setattr, snapshot, "peerVerifyDepth", 3)

    def test_equalConfigurationsEqualSnapshots(self) -> None:
        """
        Equal configurations give equal snapshots; a change gives a different one.
        """
        a, b = serverConfiguration(), serverConfiguration()
        self.assertEqual(a._snapshot(), b._snapshot())
        b.setAllowedNextProtocols([b"h2"])
        self.assertNotEqual(a._snapshot(), b._snapshot())

    def test_snapshotCachedUntilChange(self) -> None:
        """
        _snapshot() returns the same object until a setter runs; copies share it.
        """
        configuration = serverConfiguration()
        first = configuration._snapshot()
        self.assertIs(configuration._snapshot(), first)
        self.assertIs(QSslConfiguration(configuration)._snapshot(), first)
        configuration.setPeerVerifyMode(PeerVerifyMode.VerifyPeer)
        self.assertIsNot(configuration._snapshot(), first)
        self.assertEqual(configuration._snapshot().peerVerifyMode, PeerVerifyMode.VerifyPeer)

    def test_cipherSplit(self) -> None:
        """
        TLS 1.3 suites go to their own list in the snapshot (Qt's filterCiphers).
        """
        configuration = QSslConfiguration()
        configuration.setCiphers("TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256")
        snapshot = configuration._snapshot()
        self.assertEqual(snapshot.cipherList, "ECDHE-ECDSA-AES128-GCM-SHA256")
        self.assertEqual(snapshot.tls13Ciphersuites, "TLS_AES_128_GCM_SHA256")

    def test_sameContextForEqualSnapshots(self) -> None:
        """
        contextFor() returns the very same Context for equal snapshots.
        """
        first = contextFor(serverConfiguration()._snapshot(), "server")
        self.assertIs(contextFor(serverConfiguration()._snapshot(), "server"), first)
        self.assertIs(serverContextFor(serverConfiguration(), SslMode.SslServerMode), first)

    def test_newContextAfterChange(self) -> None:
        """
        A changed configuration, or the other mode, gets a different Context.
        """
        configuration = serverConfiguration()
        first = contextFor(configuration)
        configuration.setPeerVerifyDepth(4)
        self.assertIsNot(contextFor(configuration), first)
        self.assertIsNot(contextFor(serverConfiguration(), "client"), first)

    def test_badMode(self) -> None:
        """
        An unknown mode raises ValueError.
        """
        self.assertRaises(ValueError, contextFor, serverConfiguration(), "both")
        self.assertRaises(ValueError, contextFor, serverConfiguration(), SslMode.UnencryptedMode)

    def test_certificateWithoutKey(self) -> None:
        """
        A certificate without a private key fails context building, naming the file.
        """
        certPath, _ = _certs.server().write(self.mktemp(), "server")
        configuration = QSslConfiguration.defaultConfiguration()
        configuration.setLocalCertificateChain(QSslCertificate.load(certPath))
        exc = self.assertRaises(ValueError, contextFor, configuration)
        self.assertEqual(
            str(exc), f"cannot provide the certificate {certPath!r} with no private key"
        )

    def test_unloadableKeyReason(self) -> None:
        """
        When the key given could not be loaded, the error says why.
        """
        configuration = serverConfiguration(
            privateKey=QSslKey(_certs.server().keyPem(b"pw"), QSsl.Ec, passPhrase=b"bad")
        )
        exc = self.assertRaises(ValueError, contextFor, configuration)
        self.assertIn("wrong passphrase", str(exc))

    def test_keyMismatchNamesFiles(self) -> None:
        """
        A key that does not match the certificate fails, naming the key and certificate files.
        """
        directory = self.mktemp()
        certPath, _ = _certs.server().write(directory, "server")
        _, keyPath = _certs.client().write(directory, "client")
        configuration = QSslConfiguration.defaultConfiguration()
        configuration.setLocalCertificateChain(QSslCertificate.load(certPath))
        configuration.setPrivateKey(QSslKey.load(keyPath))
        exc = self.assertRaises(ValueError, contextFor, configuration)
        self.assertEqual(
            str(exc),
            f"the private key {keyPath!r} does not match the certificate {certPath!r}",
        )

    def test_keyMismatchWithoutFiles(self) -> None:
        """
        Without file names, the mismatch message names the certificate's CN.
        """
        configuration = serverConfiguration(privateKey=_key(_certs.client()))
        exc = self.assertRaises(ValueError, contextFor, configuration)
        self.assertEqual(str(exc), "the private key does not match the certificate 'CN=localhost'")

    def test_dtlsRefused(self) -> None:
        """
        DTLS protocols are refused with a ValueError naming the protocol.
        """
        exc = self.assertRaises(ValueError, contextFor, serverConfiguration(protocol=QSsl.DtlsV1_2))
        self.assertIn("DtlsV1_2", str(exc))

    def test_hooks(self) -> None:
        """
        A context hook runs once for each new context, with snapshot and mode.
        """
        calls: list[tuple[Snapshot, str]] = []
        hook = lambda context, snapshot, mode: calls.append((snapshot, mode))  # noqa: E731
        addContextHook(hook)
        self.addCleanup(_contextHooks.remove, hook)
        configuration = serverConfiguration()
        contextFor(configuration)
        contextFor(configuration)
        self.assertEqual(calls, [(configuration._snapshot(), "server")])


class HandshakeTests(SynchronousTestCase):
    """
    Real handshakes between in-memory pyOpenSSL connections.
    """

    def setUp(self) -> None:
        clearContextCache()

    def test_modernClient(self) -> None:
        """
        The default server configuration completes a TLS 1.3 handshake.
        """
        handshake = Handshake(
            contextFor(serverConfiguration()), rawClientContext(), VerifyRecorder()
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.server.get_protocol_version_name(), "TLSv1.3")

    def test_tls12Client(self) -> None:
        """
        A TLS 1.2-only client is accepted by default.
        """
        client = rawClientContext(maximum=SSL.TLS1_2_VERSION)
        handshake = Handshake(contextFor(serverConfiguration()), client, VerifyRecorder())
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.server.get_protocol_version_name(), "TLSv1.2")

    def test_tls11ClientRefused(self) -> None:
        """
        By default (SecureProtocols) a TLS 1.1-only client is refused: the floor is TLS 1.2.
        """
        client = rawClientContext(
            minimum=SSL.TLS1_1_VERSION,
            maximum=SSL.TLS1_1_VERSION,
            ciphers=b"DEFAULT:@SECLEVEL=0",
        )
        handshake = Handshake(contextFor(serverConfiguration()), client, VerifyRecorder())
        self.assertFalse(handshake.succeeded())
        self.assertIn("unsupported protocol", str(handshake.failed["server"]))

    def test_legacyProtocolNeedsSecurityLevel(self) -> None:
        """
        An explicit TlsV1_1 that OpenSSL refuses fails at configuration time, naming it.
        """
        exc = self.assertRaises(ValueError, contextFor, serverConfiguration(protocol=QSsl.TlsV1_1))
        self.assertIn("TlsV1_1", str(exc))
        self.assertIn("@SECLEVEL=0", str(exc))

    def test_legacyProtocolExplicitlyEnabled(self) -> None:
        """
        TlsV1_1 plus '@SECLEVEL=0' in the cipher string accepts a TLS 1.1 client.
        """
        configuration = serverConfiguration(protocol=QSsl.TlsV1_1, ciphers="DEFAULT:@SECLEVEL=0")
        client = rawClientContext(
            minimum=SSL.TLS1_1_VERSION, maximum=SSL.TLS1_1_VERSION, ciphers=b"DEFAULT:@SECLEVEL=0"
        )
        handshake = Handshake(contextFor(configuration), client, VerifyRecorder())
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.server.get_protocol_version_name(), "TLSv1.1")

    def test_tls13Only(self) -> None:
        """
        TlsV1_3 refuses a TLS 1.2-only client.
        """
        client = rawClientContext(maximum=SSL.TLS1_2_VERSION)
        handshake = Handshake(
            contextFor(serverConfiguration(protocol=QSsl.TlsV1_3)), client, VerifyRecorder()
        )
        self.assertIn("server", handshake.failed)

    def test_cipherList(self) -> None:
        """
        setCiphers() restricts the suites a TLS 1.2 handshake can use.
        """
        configuration = serverConfiguration(ciphers="ECDHE-ECDSA-CHACHA20-POLY1305")
        client = rawClientContext(maximum=SSL.TLS1_2_VERSION)
        handshake = Handshake(contextFor(configuration), client, VerifyRecorder())
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.server.get_cipher_name(), "ECDHE-ECDSA-CHACHA20-POLY1305")

    def test_selfSignedClientRecorded(self) -> None:
        """
        VerifyPeer: a self-signed client certificate is recorded, not rejected (B43).
        """
        recorder = VerifyRecorder()
        configuration = serverConfiguration(peerVerifyMode=PeerVerifyMode.VerifyPeer)
        handshake = Handshake(
            contextFor(configuration), rawClientContext(_certs.selfSigned()), recorder
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        expected = QSslError(E.SelfSignedCertificate, _cert(_certs.selfSigned()))
        self.assertEqual(recorder.takeNewErrors(), [expected])
        self.assertEqual(recorder.takeNewErrors(), [])
        self.assertFalse(recorder.reportedFromCallback)
        self.assertEqual(
            recorder.handshakeErrors(handshake.server, PeerVerifyMode.VerifyPeer, "server"),
            [expected],
        )

    def test_trustedClient(self) -> None:
        """
        A client certificate issued by a configured CA records no error.
        """
        recorder = VerifyRecorder()
        configuration = serverConfiguration(peerVerifyMode=PeerVerifyMode.VerifyPeer)
        handshake = Handshake(
            contextFor(configuration), rawClientContext(_certs.client()), recorder
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(recorder.entries, [])
        self.assertEqual(
            recorder.handshakeErrors(handshake.server, PeerVerifyMode.VerifyPeer, "server"), []
        )

    def test_expiredClient(self) -> None:
        """
        An expired client certificate is recorded as CertificateExpired.
        """
        recorder = VerifyRecorder()
        Handshake(contextFor(serverConfiguration()), rawClientContext(_certs.expired()), recorder)
        self.assertEqual([e.error() for e in recorder.verifyErrors()], [E.CertificateExpired])

    def test_noClientCertificate(self) -> None:
        """
        VerifyPeer without a client certificate: OpenSSL completes, NoPeerCertificate follows (B45).
        """
        recorder = VerifyRecorder()
        configuration = serverConfiguration(peerVerifyMode=PeerVerifyMode.VerifyPeer)
        handshake = Handshake(contextFor(configuration), rawClientContext(), recorder)
        self.assertTrue(handshake.succeeded(), handshake.failed)
        [error] = recorder.handshakeErrors(handshake.server, PeerVerifyMode.VerifyPeer, "server")
        self.assertEqual(error, QSslError(E.NoPeerCertificate))
        self.assertEqual(error.errorString(), "The peer did not present any certificate")

    def test_queryPeerWithoutCertificate(self) -> None:
        """
        AutoVerifyPeer on a server (QueryPeer): no certificate is no error (§1.7).
        """
        recorder = VerifyRecorder()
        handshake = Handshake(contextFor(serverConfiguration()), rawClientContext(), recorder)
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(
            recorder.handshakeErrors(handshake.server, PeerVerifyMode.AutoVerifyPeer, "server"), []
        )

    def test_missingCertificateIsFatal(self) -> None:
        """
        missingCertificateIsFatal lets OpenSSL fail a handshake without client certificate.
        """
        configuration = serverConfiguration(
            peerVerifyMode=PeerVerifyMode.VerifyPeer, missingCertificateIsFatal=True
        )
        handshake = Handshake(contextFor(configuration), rawClientContext(), VerifyRecorder())
        self.assertIn("server", handshake.failed)

    def test_noRecorderMeansOpenSSLVerdict(self) -> None:
        """
        Without a recorder, a bad client certificate is rejected by OpenSSL.
        """
        handshake = Handshake(
            contextFor(serverConfiguration()), rawClientContext(_certs.selfSigned())
        )
        self.assertIn("server", handshake.failed)

    def test_recorderOnOwner(self) -> None:
        """
        A recorder is also found as the _verifyRecorder attribute of the app data.
        """

        class Owner:
            _verifyRecorder = VerifyRecorder()

        owner = Owner()
        handshake = Handshake(
            contextFor(serverConfiguration()), rawClientContext(_certs.selfSigned()), owner
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertIs(recorderFor(handshake.server), owner._verifyRecorder)
        self.assertEqual(len(owner._verifyRecorder.entries), 1)

    def test_interruptOnError(self) -> None:
        """
        onError sees each error inside the handshake; False aborts it, True continues (B46).
        """
        seen: list[QSslError] = []
        for verdict, succeeds in ((False, False), (True, True)):
            recorder = VerifyRecorder(onError=lambda e: (seen.append(e), verdict)[1])
            handshake = Handshake(
                contextFor(serverConfiguration(handshakeMustInterruptOnError=True)),
                rawClientContext(_certs.selfSigned()),
                recorder,
            )
            self.assertEqual(handshake.succeeded(), succeeds)
            self.assertTrue(recorder.reportedFromCallback)
        self.assertEqual([e.error() for e in seen], [E.SelfSignedCertificate] * 2)

    def test_clientVerifiesServer(self) -> None:
        """
        A client context from a configuration trusting the test CA verifies the server.
        """
        server = contextFor(serverConfiguration(), "server")
        clientConfiguration = QSslConfiguration.defaultConfiguration()
        clientConfiguration.setCaCertificates([_cert(_certs.ca())])
        recorder = VerifyRecorder()
        handshake = Handshake(server, contextFor(clientConfiguration, "client"), None, recorder)
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(
            recorder.handshakeErrors(handshake.client, PeerVerifyMode.AutoVerifyPeer, "client"), []
        )

    def test_clientDistrustsUnknownServer(self) -> None:
        """
        With the system store only, the test server's chain is not trusted.
        """
        recorder = VerifyRecorder()
        handshake = Handshake(
            contextFor(serverConfiguration(), "server"),
            contextFor(QSslConfiguration.defaultConfiguration(), "client"),
            None,
            recorder,
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        # OpenSSL sends the CA along (built from the server's store), so
        # the client finds an untrusted self-signed root in the chain.
        self.assertEqual(
            [e.error() for e in recorder.verifyErrors()], [E.SelfSignedCertificateInChain]
        )

    def test_alpnNegotiated(self) -> None:
        """
        ALPN picks the first protocol the client offers that the server allows.
        """
        recorder = VerifyRecorder()
        configuration = serverConfiguration(allowedNextProtocols=[b"h2", b"http/1.1"])
        client = rawClientContext(alpn=[b"http/1.1", b"h2"])
        handshake = Handshake(contextFor(configuration), client, recorder)
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.server.get_alpn_proto_negotiated(), b"http/1.1")
        self.assertEqual(recorder.alpnStatus, Status.NextProtocolNegotiationNegotiated)

    def test_alpnNoOverlap(self) -> None:
        """
        Without a common protocol the handshake goes on without ALPN (status Unsupported).
        """
        recorder = VerifyRecorder()
        configuration = serverConfiguration(allowedNextProtocols=[b"h2"])
        handshake = Handshake(contextFor(configuration), rawClientContext(alpn=[b"x"]), recorder)
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.server.get_alpn_proto_negotiated(), b"")
        self.assertEqual(recorder.alpnStatus, Status.NextProtocolNegotiationUnsupported)

    def test_clientAlpn(self) -> None:
        """
        A client context offers the configured ALPN protocols.
        """
        server = contextFor(serverConfiguration(allowedNextProtocols=[b"h2"]), "server")
        clientConfiguration = QSslConfiguration()
        clientConfiguration.setAllowedNextProtocols([b"h2"])
        handshake = Handshake(
            server, contextFor(clientConfiguration, "client"), VerifyRecorder(), VerifyRecorder()
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.client.get_alpn_proto_negotiated(), b"h2")

    def test_verifiesPeer(self) -> None:
        """
        verifiesPeer() is Qt's doVerifyPeer: VerifyPeer, or AutoVerifyPeer on a client.
        """
        self.assertTrue(verifiesPeer(PeerVerifyMode.VerifyPeer, "server"))
        self.assertTrue(verifiesPeer(PeerVerifyMode.AutoVerifyPeer, SslMode.SslClientMode))
        self.assertFalse(verifiesPeer(PeerVerifyMode.AutoVerifyPeer, "server"))
        self.assertFalse(verifiesPeer(PeerVerifyMode.QueryPeer, "client"))


class QSslCipherTests(SynchronousTestCase):
    """
    L{QSslCipher} describes suites as Qt does.
    """

    def test_null(self) -> None:
        """
        QSslCipher() and unknown names give a null cipher.
        """
        for cipher in (QSslCipher(), QSslCipher("NO-SUCH-CIPHER")):
            self.assertTrue(cipher.isNull())
            self.assertEqual(cipher.name(), "")
            self.assertEqual(cipher.protocol(), QSsl.UnknownProtocol)
            self.assertEqual((cipher.usedBits(), cipher.supportedBits()), (0, 0))

    def test_tls12Suite(self) -> None:
        """
        A TLS 1.2 suite reports OpenSSL's description fields.
        """
        cipher = QSslCipher("ECDHE-RSA-AES256-GCM-SHA384")
        self.assertFalse(cipher.isNull())
        self.assertEqual(cipher.protocol(), QSsl.TlsV1_2)
        self.assertEqual(cipher.protocolString(), "TLSv1.2")
        self.assertEqual(cipher.keyExchangeMethod(), "ECDH")
        self.assertEqual(cipher.authenticationMethod(), "RSA")
        self.assertEqual(cipher.encryptionMethod(), "AESGCM(256)")
        self.assertEqual((cipher.usedBits(), cipher.supportedBits()), (256, 256))

    def test_tls13Suite(self) -> None:
        """
        A TLS 1.3 suite has protocol TlsV1_3 and "any" key exchange.
        """
        cipher = QSslCipher("TLS_AES_128_GCM_SHA256")
        self.assertEqual(cipher.protocol(), QSsl.TlsV1_3)
        self.assertEqual(cipher.keyExchangeMethod(), "any")
        self.assertEqual(cipher.usedBits(), 128)

    def test_withProtocol(self) -> None:
        """
        QSslCipher(name, protocol) is null when the protocol does not match.
        """
        self.assertFalse(QSslCipher("TLS_AES_128_GCM_SHA256", QSsl.TlsV1_3).isNull())
        self.assertTrue(QSslCipher("TLS_AES_128_GCM_SHA256", QSsl.TlsV1_2).isNull())

    def test_equality(self) -> None:
        """
        Ciphers compare by name and protocol, and hash alike.
        """
        a, b = QSslCipher("TLS_AES_128_GCM_SHA256"), QSslCipher("TLS_AES_128_GCM_SHA256")
        self.assertEqual(a, b)
        self.assertEqual(hash(a), hash(b))
        self.assertNotEqual(a, QSslCipher("TLS_AES_256_GCM_SHA384"))
        self.assertEqual(QSslCipher(), QSslCipher("unknown"))

    def test_lists(self) -> None:
        """
        The default ciphers are supported, strong and free of anonymous suites.
        """
        supported = supportedCiphers()
        default = defaultCiphers()
        self.assertIn(QSslCipher("TLS_AES_256_GCM_SHA384"), supported)
        self.assertTrue(set(default) <= set(supported))
        self.assertTrue(all(c.usedBits() >= 128 for c in default))
        self.assertFalse([c for c in supported if c.name().startswith(("ADH", "AECDH"))])
        self.assertEqual(QSslConfiguration.supportedCiphers(), supported)

    def test_negotiatedName(self) -> None:
        """
        _fromName() describes a negotiated suite.
        """
        self.assertEqual(
            QSslCipher._fromName("TLS_AES_128_GCM_SHA256"), QSslCipher("TLS_AES_128_GCM_SHA256")
        )


class QSslPreSharedKeyAuthenticatorTests(SynchronousTestCase):
    """
    L{QSslPreSharedKeyAuthenticator} is Qt's value type (§1.5).
    """

    def test_defaults(self) -> None:
        """
        Default-constructed: everything empty, both maxima 0 (§1.5).
        """
        authenticator = QSslPreSharedKeyAuthenticator()
        self.assertEqual(authenticator.identityHint(), b"")
        self.assertEqual(authenticator.identity(), b"")
        self.assertEqual(authenticator.preSharedKey(), b"")
        self.assertEqual(authenticator.maximumIdentityLength(), 0)
        self.assertEqual(authenticator.maximumPreSharedKeyLength(), 0)

    def test_setters(self) -> None:
        """
        setIdentity() and setPreSharedKey() store bytes; str is refused.
        """
        authenticator = QSslPreSharedKeyAuthenticator()
        authenticator.setIdentity(b"client")
        authenticator.setPreSharedKey(b"\x01\x02")
        self.assertEqual(authenticator.identity(), b"client")
        self.assertEqual(authenticator.preSharedKey(), b"\x01\x02")
        self.assertRaises(TypeError, authenticator.setPreSharedKey, "key")

    def test_backendFields(self) -> None:
        """
        makeAuthenticator() fills what only the backend may set (B54's server view).
        """
        authenticator = makeAuthenticator(
            identity=b"alice", identityHint=b"hint", maximumPreSharedKeyLength=256
        )
        self.assertEqual(authenticator.identity(), b"alice")
        self.assertEqual(authenticator.identityHint(), b"hint")
        self.assertEqual(authenticator.maximumIdentityLength(), 0)
        self.assertEqual(authenticator.maximumPreSharedKeyLength(), 256)

    def test_equalityAndCopies(self) -> None:
        """
        Equality compares all five fields; copies are independent; not hashable.
        """
        a = makeAuthenticator(identityHint=b"hint", maximumPreSharedKeyLength=64)
        b = QSslPreSharedKeyAuthenticator(a)
        self.assertEqual(a, b)
        b.setPreSharedKey(b"k")
        self.assertNotEqual(a, b)
        c = copy.copy(a)
        self.assertEqual(c, a)
        self.assertNotEqual(a, QSslPreSharedKeyAuthenticator())
        self.assertRaises(TypeError, hash, a)

    def test_swap(self) -> None:
        """
        swap() exchanges two authenticators.
        """
        a = makeAuthenticator(identity=b"a")
        b = QSslPreSharedKeyAuthenticator()
        a.swap(b)
        self.assertEqual((a.identity(), b.identity()), (b"", b"a"))

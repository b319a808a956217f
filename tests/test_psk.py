"""
Tests for L{qtwisted._ssl._psk}: TLS-PSK through cryptography's raw OpenSSL
binding on pyOpenSSL contexts.

  - L{InternalsTests} fail loudly when a binding function or a pyOpenSSL
    internal the module relies on disappears;
  - the handshake tests run two pyOpenSSL connections over memory BIOs
    (no sockets), in TLS 1.2 and TLS 1.3;
  - L{ContextHookTests} go through L{contextFor} and the Qt-shaped
    L{QSslPreSharedKeyAuthenticator} (B54);
  - L{OpenSSLClientInteropTests} run the C{openssl s_client} CLI against a
    minimal Twisted TLS echo server on the loopback interface.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from OpenSSL import SSL
from twisted.internet import reactor
from twisted.internet.defer import Deferred, gatherResults
from twisted.internet.error import ProcessDone, ProcessTerminated
from twisted.internet.interfaces import IOpenSSLServerConnectionCreator
from twisted.internet.protocol import Factory, ProcessProtocol, Protocol
from twisted.protocols.tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol
from twisted.python.failure import Failure
from twisted.trial.unittest import SkipTest, SynchronousTestCase, TestCase
from zope.interface import implementer

from qtwisted._ssl import _psk
from qtwisted._ssl._configuration import QSslConfiguration
from qtwisted._ssl._context import _contextHooks, addContextHook, clearContextCache, contextFor
from qtwisted._ssl._presharedkey import QSslPreSharedKeyAuthenticator
from qtwisted._ssl._qssl import PeerVerifyMode, QSsl

from . import _certs

KEY = bytes.fromhex("00112233445566778899aabbccddeeff")
OTHER_KEY = bytes.fromhex("ffeeddccbbaa99887766554433221100")
TLS12 = SSL.TLS1_2_VERSION
TLS13 = SSL.TLS1_3_VERSION


class Handshake:
    """
    A handshake between two pyOpenSSL connections over memory BIOs.
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
        self.failed: dict[str, str] = {}
        sides = (("client", self.client, self.server), ("server", self.server, self.client))
        for _ in range(50):
            moved = False
            for name, connection, peer in sides:
                if name not in self.done and name not in self.failed:
                    try:
                        connection.do_handshake()
                        self.done.add(name)
                    except SSL.WantReadError:
                        pass
                    except SSL.Error as e:
                        self.failed[name] = str(e)
                try:
                    data = connection.bio_read(1 << 16)
                except SSL.Error:
                    data = b""
                if data:
                    peer.bio_write(data)
                    moved = True
            if not moved:
                break

    def succeeded(self) -> bool:
        return self.done == {"client", "server"} and not self.failed

    def protocol(self) -> str:
        return self.server.get_protocol_version_name()

    def usedPsk(self) -> bool:
        """
        Whether the session is a PSK one: no certificate came from the
        server and the handshake succeeded.
        """
        return self.succeeded() and self.client.get_peer_certificate() is None


def serverContext(
    lookup: _psk.ServerLookup,
    hint: bytes | None = b"the hint",
    certificate: bool = False,
    verify: int = SSL.VERIFY_NONE,
    sessionId: bool = True,
    ciphers: bytes | None = None,
    adjustCiphers: bool = True,
) -> SSL.Context:
    """
    A plain pyOpenSSL server context (server cipher preference, as Qt's)
    with PSK installed.
    """
    context = SSL.Context(SSL.TLS_SERVER_METHOD)
    context.set_options(SSL.OP_CIPHER_SERVER_PREFERENCE)
    if certificate:
        context.use_certificate(_certs.server().certificate)
        context.use_privatekey(_certs.server().key)
    if verify != SSL.VERIFY_NONE:
        context.set_verify(verify, lambda *args: True)
    if sessionId:
        context.set_session_id(b"qtwisted-test-psk")
    if ciphers is not None:
        context.set_cipher_list(ciphers)
    _psk.installServerPsk(context, lookup, hint, adjustCiphers=adjustCiphers)
    return context


def clientContext(
    identity: bytes = b"alice",
    key: bytes | None = KEY,
    maximum: int = 0,
    seen: list[tuple[bytes, int, int]] | None = None,
    tls13: bool = True,
    ciphers: bytes | None = None,
) -> SSL.Context:
    """
    A plain pyOpenSSL client context offering C{identity} and C{key}, and
    recording what its provider was asked in C{seen}.
    """
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    if maximum:
        context.set_max_proto_version(maximum)
    if ciphers is not None:
        context.set_cipher_list(ciphers)

    def provide(
        connection: SSL.Connection, hint: bytes, maxIdentity: int, maxKey: int
    ) -> tuple[bytes, bytes] | None:
        if seen is not None:
            seen.append((hint, maxIdentity, maxKey))
        return None if key is None else (identity, key)

    _psk.installClientPsk(context, provide, tls13=tls13)
    return context


def keys(table: dict[bytes, bytes], seen: list[Any] | None = None) -> _psk.ServerLookup:
    """
    A server lookup answering from C{table}, recording its calls in C{seen}.
    """

    def lookup(
        connection: SSL.Connection, identity: bytes, hint: bytes, maxKey: int
    ) -> bytes | None:
        if seen is not None:
            seen.append((connection, identity, hint, maxKey))
        return table.get(identity)

    return lookup


class InternalsTests(SynchronousTestCase):
    """
    What L{_psk} uses outside public APIs is still there: these fail first
    and loudly after a cryptography or pyOpenSSL upgrade that removes it.
    """

    def test_bindingFunctions(self) -> None:
        """
        cryptography's binding exports every OpenSSL function the module calls.
        """
        lib = _psk._lib()
        missing = [name for name in _psk._REQUIRED_FUNCTIONS if not hasattr(lib, name)]
        self.assertEqual(missing, [], "cryptography's OpenSSL binding lost PSK functions")
        self.assertTrue(lib.Cryptography_HAS_PSK)
        self.assertTrue(lib.Cryptography_HAS_PSK_TLSv1_3)

    def test_bindingCallbackTypes(self) -> None:
        """
        The binding's callback setters take the C types the module's cffi callbacks have.
        """
        lib, ffi = _psk._lib(), _psk._ffi()
        for setter, callbackType in [
            ("SSL_CTX_set_psk_server_callback", _psk._SERVER_CB),
            ("SSL_CTX_set_psk_client_callback", _psk._CLIENT_CB),
            ("SSL_CTX_set_psk_use_session_callback", _psk._USE_SESSION_CB),
        ]:
            self.assertEqual(
                ffi.typeof(getattr(lib, setter)).args[1], ffi.typeof(callbackType), setter
            )

    def test_sameLibraryAsPyOpenSSL(self) -> None:
        """
        pyOpenSSL contexts are SSL_CTX pointers of the binding's own ffi.
        """
        context = SSL.Context(SSL.TLS_METHOD)
        self.assertIs(_psk._ffi().typeof(context._context), _psk._ffi().typeof("SSL_CTX *"))

    def test_reverseMapping(self) -> None:
        """
        pyOpenSSL's Connection._reverse_mapping finds a Connection from its SSL pointer.
        """
        connection = SSL.Connection(SSL.Context(SSL.TLS_METHOD))
        self.assertIs(SSL.Connection._reverse_mapping.get(connection._ssl), connection)

    def test_usedFlag(self) -> None:
        """
        pyOpenSSL's Context._used turns True once a Connection uses the context.
        """
        context = SSL.Context(SSL.TLS_METHOD)
        self.assertIs(context._used, False)
        SSL.Connection(context)
        self.assertIs(context._used, True)

    def test_checkInternals(self) -> None:
        """
        checkInternals() finds everything in this installation.
        """
        _psk.checkInternals()

    def test_checkInternalsNamesWhatIsMissing(self) -> None:
        """
        checkInternals() raises a RuntimeError naming a binding function that is gone.
        """

        class Stripped:
            def __init__(self, lib: Any) -> None:
                self._lib = lib

            def __getattr__(self, name: str) -> Any:
                if name == "SSL_CTX_set_psk_server_callback":
                    raise AttributeError(name)
                return getattr(self._lib, name)

        _psk._lib()
        binding = _psk._binding
        fake = type("FakeBinding", (), {"lib": Stripped(binding.lib), "ffi": binding.ffi})()
        self.patch(_psk, "_binding", fake)
        exc = self.assertRaises(RuntimeError, _psk.checkInternals)
        self.assertIn("SSL_CTX_set_psk_server_callback", str(exc))

    def test_checkInternalsMissingMapping(self) -> None:
        """
        checkInternals() raises a RuntimeError when Connection._reverse_mapping is gone.
        """
        self.patch(SSL.Connection, "_reverse_mapping", None)
        exc = self.assertRaises(RuntimeError, _psk.checkInternals)
        self.assertIn("_reverse_mapping", str(exc))


class ServerPskTests(SynchronousTestCase):
    """
    L{_psk.installServerPsk} against a pyOpenSSL client.
    """

    def test_tls12(self) -> None:
        """
        The right key completes a TLS 1.2 handshake with a PSK cipher suite.
        """
        handshake = Handshake(
            serverContext(keys({b"alice": KEY})), clientContext(maximum=TLS12)
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.protocol(), "TLSv1.2")
        self.assertIn("PSK", handshake.server.get_cipher_name() or "")
        self.assertIsNone(handshake.client.get_peer_certificate())

    def test_tls13(self) -> None:
        """
        The right key completes a TLS 1.3 handshake with a SHA-256 suite and no certificate.
        """
        handshake = Handshake(serverContext(keys({b"alice": KEY})), clientContext())
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.protocol(), "TLSv1.3")
        self.assertTrue((handshake.server.get_cipher_name() or "").endswith("_SHA256"))
        self.assertTrue(handshake.usedPsk())

    def test_lookupSeesIdentityAndHint(self) -> None:
        """
        The lookup gets the Connection, the client's identity, the hint and OpenSSL's 512.
        """
        for maximum in (TLS12, TLS13):
            seen: list[Any] = []
            handshake = Handshake(
                serverContext(keys({b"alice": KEY}, seen), hint=b"hint!"),
                clientContext(identity=b"alice", maximum=maximum),
            )
            self.assertTrue(handshake.succeeded(), handshake.failed)
            self.assertEqual(seen, [(handshake.server, b"alice", b"hint!", 512)])

    def test_noHint(self) -> None:
        """
        Without a hint the lookup sees b"" and so does a TLS 1.2 client.
        """
        seen: list[Any] = []
        clientSeen: list[tuple[bytes, int, int]] = []
        handshake = Handshake(
            serverContext(keys({b"alice": KEY}, seen), hint=None),
            clientContext(maximum=TLS12, seen=clientSeen),
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(seen[0][2], b"")
        self.assertEqual(clientSeen, [(b"", 256, 512)])

    def test_wrongKey(self) -> None:
        """
        A wrong key fails the handshake: bad_record_mac in TLS 1.2, decrypt_error in TLS 1.3.
        """
        for maximum, alert in ((TLS12, "bad record mac"), (TLS13, "decrypt error")):
            handshake = Handshake(
                serverContext(keys({b"alice": KEY})),
                clientContext(key=OTHER_KEY, maximum=maximum),
            )
            self.assertFalse(handshake.succeeded())
            self.assertIn(alert, handshake.failed["client"])

    def test_unknownIdentity(self) -> None:
        """
        A lookup returning None fails the handshake (TLS 1.2 unknown_psk_identity).
        """
        for maximum, alert in ((TLS12, "unknown psk identity"), (TLS13, "handshake failure")):
            handshake = Handshake(
                serverContext(keys({b"bob": KEY})), clientContext(maximum=maximum)
            )
            self.assertFalse(handshake.succeeded())
            self.assertIn(alert, handshake.failed["client"])

    def test_emptyKeyRefuses(self) -> None:
        """
        A lookup returning b"" refuses the identity like None (B54).
        """
        handshake = Handshake(serverContext(keys({b"alice": b""})), clientContext(maximum=TLS12))
        self.assertIn("unknown psk identity", handshake.failed["client"])

    def test_lookupRaising(self) -> None:
        """
        An exception in the lookup is logged and fails only that handshake.
        """

        def lookup(*args: object) -> bytes:
            raise ZeroDivisionError("no key today")

        for maximum in (TLS12, TLS13):
            handshake = Handshake(serverContext(lookup), clientContext(maximum=maximum))
            self.assertFalse(handshake.succeeded())
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 2)
        # The context still works for the next client.
        context = serverContext(keys({b"alice": KEY}))
        self.assertTrue(Handshake(context, clientContext()).succeeded())

    def test_lookupReturningText(self) -> None:
        """
        A lookup returning str instead of bytes is logged as a TypeError and fails.
        """
        lookup = lambda *args: "00112233"  # noqa: E731
        handshake = Handshake(
            serverContext(lookup), clientContext(maximum=TLS12)  # type: ignore[arg-type]
        )
        self.assertFalse(handshake.succeeded())
        self.assertEqual(len(self.flushLoggedErrors(TypeError)), 1)

    def test_keyTruncated(self) -> None:
        """
        A key longer than OpenSSL's maximum is truncated to it, as Qt does.
        """
        long = bytes(range(256)) * 2 + b"ignored tail"
        for maximum in (TLS12, TLS13):
            handshake = Handshake(
                serverContext(keys({b"alice": long})),
                clientContext(key=long[:512], maximum=maximum),
            )
            self.assertTrue(handshake.succeeded(), handshake.failed)

    def test_tls13WithCertificate(self) -> None:
        """
        A server with a certificate still uses a TLS 1.3 PSK (SHA-256 suites moved first).
        """
        handshake = Handshake(
            serverContext(keys({b"alice": KEY}), certificate=True), clientContext()
        )
        self.assertTrue(handshake.usedPsk(), handshake.failed)
        wrong = Handshake(
            serverContext(keys({b"alice": KEY}), certificate=True),
            clientContext(key=OTHER_KEY),
        )
        self.assertIn("decrypt error", wrong.failed["client"])

    def test_tls13WithCertificateUnadjusted(self) -> None:
        """
        Without the SHA-256 reordering a certificate server ignores the PSK, even a wrong one.
        """
        handshake = Handshake(
            serverContext(keys({b"alice": KEY}), certificate=True, adjustCiphers=False),
            clientContext(key=OTHER_KEY),
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(handshake.server.get_cipher_name(), "TLS_AES_256_GCM_SHA384")
        self.assertIsNotNone(handshake.client.get_peer_certificate())

    def test_tls13UnknownIdentityFallsBackToCertificate(self) -> None:
        """
        In TLS 1.3 a refused identity leaves a certificate handshake, which a certificate passes.
        """
        handshake = Handshake(
            serverContext(keys({}), certificate=True), clientContext(maximum=TLS13)
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertIsNotNone(handshake.client.get_peer_certificate())

    def test_verifyModes(self) -> None:
        """
        VERIFY_NONE, VERIFY_PEER and VERIFY_PEER|FAIL_IF_NO_PEER_CERT all allow PSK.
        """
        for verify in (
            SSL.VERIFY_NONE,
            SSL.VERIFY_PEER,
            SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT,
        ):
            for maximum in (TLS12, TLS13):
                handshake = Handshake(
                    serverContext(keys({b"alice": KEY}), verify=verify),
                    clientContext(maximum=maximum),
                )
                self.assertTrue(handshake.usedPsk(), (verify, maximum, handshake.failed))

    def test_verifyPeerNeedsSessionIdContext(self) -> None:
        """
        With VERIFY_PEER and no session id context OpenSSL fails a TLS 1.3 PSK handshake.
        """
        handshake = Handshake(
            serverContext(keys({b"alice": KEY}), verify=SSL.VERIFY_PEER, sessionId=False),
            clientContext(),
        )
        self.assertIn("session id context uninitialized", handshake.failed["server"])
        tls12 = Handshake(
            serverContext(keys({b"alice": KEY}), verify=SSL.VERIFY_PEER, sessionId=False),
            clientContext(maximum=TLS12),
        )
        self.assertTrue(tls12.succeeded(), tls12.failed)

    def test_usedContextRefused(self) -> None:
        """
        A context a Connection has used cannot get PSK (it would reach only later connections).
        """
        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        SSL.Connection(context)
        exc = self.assertRaises(ValueError, _psk.installServerPsk, context, keys({}))
        self.assertIn("already been used", str(exc))

    def test_badHint(self) -> None:
        """
        A hint with a NUL byte or longer than 256 bytes is refused with a ValueError.
        """
        for hint in (b"a\0b", b"h" * 257):
            context = SSL.Context(SSL.TLS_SERVER_METHOD)
            self.assertRaises(ValueError, _psk.installServerPsk, context, keys({}), hint)

    def test_notAContext(self) -> None:
        """
        Anything but a pyOpenSSL Context is a TypeError.
        """
        self.assertRaises(TypeError, _psk.installServerPsk, object(), keys({}))

    def test_callbacksKeptAlive(self) -> None:
        """
        The cffi callbacks live as long as the Context and go with it.
        """
        import gc
        import weakref

        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        _psk.installServerPsk(context, keys({b"alice": KEY}))
        gc.collect()
        self.assertIn("server", _psk._alive[context])
        self.assertTrue(Handshake(context, clientContext()).succeeded())
        ref = weakref.ref(context)
        del context
        gc.collect()
        self.assertIsNone(ref())


class ClientPskTests(SynchronousTestCase):
    """
    L{_psk.installClientPsk} against a pyOpenSSL server.
    """

    def test_providerSeesHintAndMaxima(self) -> None:
        """
        The provider gets the server's hint in TLS 1.2, b"" in TLS 1.3, and maxima 256 and 512.
        """
        seen: list[tuple[bytes, int, int]] = []
        server = serverContext(keys({b"alice": KEY}), hint=b"hi")
        Handshake(server, clientContext(seen=seen, maximum=TLS12))
        self.assertEqual(seen, [(b"hi", 256, 512)])
        seen.clear()
        Handshake(serverContext(keys({b"alice": KEY}), hint=b"hi"), clientContext(seen=seen))
        self.assertEqual(seen, [(b"", 256, 512)])

    def test_identityTruncated(self) -> None:
        """
        An identity longer than OpenSSL's maximum reaches the server truncated to 256 bytes.
        """
        seen: list[Any] = []
        identity = b"i" * 300
        handshake = Handshake(
            serverContext(keys({b"i" * 256: KEY}, seen)),
            clientContext(identity=identity, maximum=TLS12),
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(seen[0][1], b"i" * 256)

    def test_noKeyTls12(self) -> None:
        """
        A provider answering None fails a TLS 1.2 PSK handshake on the client.
        """
        handshake = Handshake(
            serverContext(keys({b"alice": KEY})), clientContext(key=None, maximum=TLS12)
        )
        self.assertIn("psk identity not found", handshake.failed["client"])

    def test_providerRaising(self) -> None:
        """
        An exception in the provider is logged and offers no PSK.
        """
        context = SSL.Context(SSL.TLS_CLIENT_METHOD)
        context.set_max_proto_version(TLS12)

        def provide(*args: object) -> tuple[bytes, bytes]:
            raise KeyError("no such user")

        _psk.installClientPsk(context, provide)
        handshake = Handshake(serverContext(keys({b"alice": KEY})), context)
        self.assertFalse(handshake.succeeded())
        self.assertEqual(len(self.flushLoggedErrors(KeyError)), 1)

    def test_identityWithNul(self) -> None:
        """
        An identity with a NUL byte is logged as a ValueError and offers no PSK.
        """
        handshake = Handshake(
            serverContext(keys({b"alice": KEY})),
            clientContext(identity=b"al\0ice", maximum=TLS12),
        )
        self.assertFalse(handshake.succeeded())
        self.assertEqual(len(self.flushLoggedErrors(ValueError)), 1)

    def test_tls13Disabled(self) -> None:
        """
        With tls13=False the provider is not asked in a TLS 1.3 ClientHello (Qt's default).
        """
        seen: list[tuple[bytes, int, int]] = []
        handshake = Handshake(
            serverContext(keys({b"alice": KEY})), clientContext(seen=seen, tls13=False)
        )
        self.assertEqual(seen, [])
        self.assertIn("handshake failure", handshake.failed["client"])
        tls12 = Handshake(
            serverContext(keys({b"alice": KEY}), hint=b"hi"),
            clientContext(seen=seen, tls13=False, maximum=TLS12),
        )
        self.assertTrue(tls12.succeeded(), tls12.failed)
        self.assertEqual(seen, [(b"hi", 256, 512)])

    def test_tls13DisabledNegotiatesTls12(self) -> None:
        """
        With tls13=False a TLS 1.3-capable client still gets asked once a TLS 1.2 server picks PSK.
        """
        seen: list[tuple[bytes, int, int]] = []
        server = SSL.Context(SSL.TLS_SERVER_METHOD)
        server.set_max_proto_version(TLS12)
        _psk.installServerPsk(server, keys({b"alice": KEY}), b"hi")
        handshake = Handshake(server, clientContext(seen=seen, tls13=False))
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertEqual(seen, [(b"hi", 256, 512)])


class CipherTests(SynchronousTestCase):
    """
    L{_psk.adjustCiphersForPsk}: PSK suites added, nothing taken away.
    """

    def names(self, context: SSL.Context) -> list[str]:
        return SSL.Connection(context).get_cipher_list()

    def test_appendsPskSuites(self) -> None:
        """
        A list without PSK suites gets the AEAD PSK suites after its own ones.
        """
        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        context.set_cipher_list(b"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384")
        _psk.adjustCiphersForPsk(context)
        older = [n for n in self.names(context) if not n.startswith("TLS_")]
        self.assertEqual(
            older,
            ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", *_psk.PSK_CIPHERS],
        )

    def test_keepsPskList(self) -> None:
        """
        A list that already has a PSK suite is left as it is.
        """
        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        context.set_cipher_list(b"ECDHE-ECDSA-AES128-GCM-SHA256:PSK-AES128-GCM-SHA256")
        _psk.adjustCiphersForPsk(context)
        older = [n for n in self.names(context) if not n.startswith("TLS_")]
        self.assertEqual(older, ["ECDHE-ECDSA-AES128-GCM-SHA256", "PSK-AES128-GCM-SHA256"])

    def test_defaultListUnchanged(self) -> None:
        """
        OpenSSL's default list has PSK suites: only the TLS 1.3 order changes.
        """
        plain = self.names(SSL.Context(SSL.TLS_SERVER_METHOD))
        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        _psk.adjustCiphersForPsk(context)
        adjusted = self.names(context)
        self.assertEqual(
            [n for n in adjusted if not n.startswith("TLS_")],
            [n for n in plain if not n.startswith("TLS_")],
        )
        self.assertEqual(sorted(adjusted), sorted(plain))

    def test_tls13Sha256First(self) -> None:
        """
        SHA-256 TLS 1.3 suites move in front of SHA-384 ones, keeping their order.
        """
        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        context.set_tls13_ciphersuites(
            b"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
        )
        _psk.adjustCiphersForPsk(context)
        self.assertEqual(
            [n for n in self.names(context) if n.startswith("TLS_")],
            ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
        )

    def test_tls13AddsSha256(self) -> None:
        """
        A TLS 1.3 list with no SHA-256 suite gets TLS_AES_128_GCM_SHA256 first.
        """
        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        context.set_tls13_ciphersuites(b"TLS_AES_256_GCM_SHA384")
        _psk.adjustCiphersForPsk(context)
        self.assertEqual(
            [n for n in self.names(context) if n.startswith("TLS_")],
            ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
        )

    def test_explicitCertificateCiphersStillPsk(self) -> None:
        """
        A server restricted to certificate suites accepts TLS 1.2 PSK once adjusted.
        """
        handshake = Handshake(
            serverContext(keys({b"alice": KEY}), ciphers=b"ECDHE-ECDSA-AES128-GCM-SHA256"),
            clientContext(maximum=TLS12),
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)
        self.assertIn("PSK", handshake.server.get_cipher_name() or "")

    def test_readingDoesNotFreeze(self) -> None:
        """
        Reading the list does not mark the context used: it can still be changed.
        """
        context = SSL.Context(SSL.TLS_SERVER_METHOD)
        _psk.adjustCiphersForPsk(context)
        self.assertIs(context._used, False)
        context.set_cipher_list(b"DEFAULT")


class Slot:
    """
    Stands for the socket's TLS protocol object: the app data whose
    C{_preSharedKeyAuthenticationRequired} the hook calls, like a slot
    connected to Qt's signal.
    """

    def __init__(self, identity: bytes = b"", key: bytes = b"") -> None:
        self.identity = identity
        self.key = key
        self.seen: list[QSslPreSharedKeyAuthenticator] = []

    def _preSharedKeyAuthenticationRequired(
        self, authenticator: QSslPreSharedKeyAuthenticator
    ) -> None:
        self.seen.append(QSslPreSharedKeyAuthenticator(authenticator))
        if self.identity:
            authenticator.setIdentity(self.identity)
        authenticator.setPreSharedKey(self.key)


class ContextHookTests(SynchronousTestCase):
    """
    L{_psk.contextHook} on contexts built by L{contextFor} (B54).
    """

    def setUp(self) -> None:
        clearContextCache()
        addContextHook(_psk.contextHook)
        self.addCleanup(clearContextCache)
        self.addCleanup(_contextHooks.remove, _psk.contextHook)

    def configuration(self, **changes: Any) -> QSslConfiguration:
        configuration = QSslConfiguration.defaultConfiguration()
        for name, value in changes.items():
            getattr(configuration, "set" + name[0].upper() + name[1:])(value)
        return configuration

    def test_authenticatorOnServer(self) -> None:
        """
        The slot sees the client's identity, the hint, maximumIdentityLength 0 and 512 (B54).
        """
        for maximum in (TLS12, TLS13):
            slot = Slot(key=KEY)
            context = contextFor(self.configuration(preSharedKeyIdentityHint=b"qt hint"))
            handshake = Handshake(context, clientContext(maximum=maximum), serverApp=slot)
            self.assertTrue(handshake.usedPsk(), handshake.failed)
            [authenticator] = slot.seen
            self.assertEqual(authenticator.identity(), b"alice")
            self.assertEqual(authenticator.identityHint(), b"qt hint")
            self.assertEqual(authenticator.maximumIdentityLength(), 0)
            self.assertEqual(authenticator.maximumPreSharedKeyLength(), 512)
            self.assertEqual(authenticator.preSharedKey(), b"")
            clearContextCache()

    def test_emptyKeyFails(self) -> None:
        """
        A slot that leaves the key empty fails the handshake (B54).
        """
        for maximum in (TLS12, TLS13):
            slot = Slot()
            handshake = Handshake(
                contextFor(self.configuration()), clientContext(maximum=maximum), serverApp=slot
            )
            self.assertFalse(handshake.succeeded())
            self.assertEqual(len(slot.seen), 1)

    def test_noSlotFails(self) -> None:
        """
        A connection whose app data has no slot refuses every PSK.
        """
        handshake = Handshake(contextFor(self.configuration()), clientContext(maximum=TLS12))
        self.assertIn("unknown psk identity", handshake.failed["client"])

    def test_verifyModes(self) -> None:
        """
        QueryPeer (the default), VerifyNone, VerifyPeer and missingCertificateIsFatal allow PSK.
        """
        for changes in (
            {},
            {"peerVerifyMode": PeerVerifyMode.VerifyNone},
            {"peerVerifyMode": PeerVerifyMode.VerifyPeer},
            {"peerVerifyMode": PeerVerifyMode.VerifyPeer, "missingCertificateIsFatal": True},
        ):
            for maximum in (TLS12, TLS13):
                context = contextFor(self.configuration(**changes))
                client = clientContext(maximum=maximum)
                handshake = Handshake(context, client, serverApp=Slot(key=KEY))
                self.assertTrue(handshake.usedPsk(), (changes, maximum, handshake.failed))
                clearContextCache()

    def test_hintAdjustsExplicitCiphers(self) -> None:
        """
        With a hint set, a configuration limited to certificate suites still accepts TLS 1.2 PSK.
        """
        configuration = self.configuration(
            ciphers="ECDHE-ECDSA-AES128-GCM-SHA256", preSharedKeyIdentityHint=b"h"
        )
        handshake = Handshake(
            contextFor(configuration), clientContext(maximum=TLS12), serverApp=Slot(key=KEY)
        )
        self.assertTrue(handshake.succeeded(), handshake.failed)

    def test_noHintLeavesCiphers(self) -> None:
        """
        Without a hint the hook leaves an explicit cipher list alone, as Qt does.
        """
        configuration = self.configuration(ciphers="ECDHE-ECDSA-AES128-GCM-SHA256")
        handshake = Handshake(
            contextFor(configuration), clientContext(maximum=TLS12), serverApp=Slot(key=KEY)
        )
        self.assertFalse(handshake.succeeded())

    def test_clientSide(self) -> None:
        """
        A client context asks its slot in TLS 1.2 with the server's hint and OpenSSL's maxima.
        """
        slot = Slot(identity=b"alice", key=KEY)
        client = contextFor(
            self.configuration(peerVerifyMode=PeerVerifyMode.VerifyNone, protocol=QSsl.TlsV1_2),
            "client",
        )
        server = serverContext(keys({b"alice": KEY}), hint=b"server hint")
        handshake = Handshake(server, client, clientApp=slot)
        self.assertTrue(handshake.succeeded(), handshake.failed)
        [authenticator] = slot.seen
        self.assertEqual(authenticator.identityHint(), b"server hint")
        self.assertEqual(authenticator.maximumIdentityLength(), 256)
        self.assertEqual(authenticator.maximumPreSharedKeyLength(), 512)

    def test_clientTls13OnlyWithQtVariable(self) -> None:
        """
        A client offers TLS 1.3 PSK only when QT_USE_TLS_1_3_PSK is set, as in Qt.
        """
        environ = {k: v for k, v in os.environ.items() if k != "QT_USE_TLS_1_3_PSK"}
        self.patch(os, "environ", environ)
        configuration = self.configuration(peerVerifyMode=PeerVerifyMode.VerifyNone)
        slot = Slot(identity=b"alice", key=KEY)
        server = serverContext(keys({b"alice": KEY}))
        handshake = Handshake(server, contextFor(configuration, "client"), clientApp=slot)
        self.assertFalse(handshake.succeeded())
        self.assertEqual(slot.seen, [])
        clearContextCache()
        environ["QT_USE_TLS_1_3_PSK"] = "1"
        server = serverContext(keys({b"alice": KEY}))
        handshake = Handshake(server, contextFor(configuration, "client"), clientApp=slot)
        self.assertTrue(handshake.usedPsk(), handshake.failed)
        self.assertEqual(handshake.protocol(), "TLSv1.3")


# -- interop with the openssl command-line client -----------------------------

OPENSSL = shutil.which("openssl")
# Bounds for one s_client run, in seconds.
S_CLIENT_TIMEOUT = 15.0


class Echo(Protocol):
    """
    Echoes what it receives; records it and when the connection ends.
    """

    def __init__(self) -> None:
        self.received = b""
        self.reason: Failure | None = None
        self.lost: Deferred[None] = Deferred()

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        self.transport.write(data)  # type: ignore[union-attr]

    def connectionLost(self, reason: Failure = Failure(Exception())) -> None:
        self.reason = reason
        self.lost.callback(None)


@implementer(IOpenSSLServerConnectionCreator)
class PskConnectionCreator:
    """
    The minimal context factory for L{TLSMemoryBIOFactory}: one
    C{Connection} per client from a context with PSK.  Twisted makes the
    TLS protocol the connection's app data, so the slot goes on it (where
    a QSslSocket's TLS protocol would have its own method).
    """

    def __init__(self, context: SSL.Context, slot: Slot) -> None:
        self.context = context
        self.slot = slot

    def serverConnectionForTLS(self, tlsProtocol: TLSMemoryBIOProtocol) -> SSL.Connection:
        setattr(
            tlsProtocol,
            "_preSharedKeyAuthenticationRequired",
            self.slot._preSharedKeyAuthenticationRequired,
        )
        return SSL.Connection(self.context)


class SClient(ProcessProtocol):
    """
    Drives one C{openssl s_client}: sends a line, closes its input once the
    echo is back (it then says goodbye and exits), and kills it after
    L{S_CLIENT_TIMEOUT}.
    """

    def __init__(self, line: bytes) -> None:
        self.line = line
        self.out = b""
        self.err = b""
        self.ended: Deferred[int | None] = Deferred()
        self.timer = reactor.callLater(S_CLIENT_TIMEOUT, self.kill)  # type: ignore[attr-defined]

    def kill(self) -> None:
        self.transport.signalProcess("KILL")  # type: ignore[union-attr]

    def connectionMade(self) -> None:
        self.transport.write(self.line)  # type: ignore[union-attr]

    def outReceived(self, data: bytes) -> None:
        self.out += data
        if self.line in self.out:
            self.transport.closeStdin()  # type: ignore[union-attr]

    def errReceived(self, data: bytes) -> None:
        self.err += data

    def processEnded(self, reason: Failure) -> None:
        if self.timer.active():
            self.timer.cancel()
        code = reason.value.exitCode if reason.check(ProcessDone, ProcessTerminated) else None
        self.ended.callback(code)


class OpenSSLClientInteropTests(TestCase):
    """
    A client nobody here wrote, C{openssl s_client -psk}, against a Twisted
    TLS echo server whose context comes from L{contextFor} with
    L{_psk.contextHook} (no certificate, default QueryPeer).
    """

    timeout = 60

    def setUp(self) -> None:
        if OPENSSL is None:
            raise SkipTest("the openssl command-line tool is not installed")
        clearContextCache()
        addContextHook(_psk.contextHook)
        self.addCleanup(clearContextCache)
        self.addCleanup(_contextHooks.remove, _psk.contextHook)
        configuration = QSslConfiguration.defaultConfiguration()
        configuration.setPreSharedKeyIdentityHint(b"qtwisted")
        self.slot = Slot(key=KEY)
        self.servers: list[Echo] = []

        def echo() -> Echo:
            protocol = Echo()
            self.servers.append(protocol)
            return protocol

        factory = TLSMemoryBIOFactory(
            PskConnectionCreator(contextFor(configuration), self.slot),
            False,
            Factory.forProtocol(echo),
        )
        listenTCP = reactor.listenTCP  # type: ignore[attr-defined]
        self.port = listenTCP(0, factory, interface="127.0.0.1")
        self.addCleanup(self.port.stopListening)

    def tearDown(self) -> Deferred[Any]:
        # Every server connection ends before the test does (clean reactor).
        return gatherResults([server.lost for server in self.servers])

    def sClient(self, version: str, key: bytes, identity: bytes = b"alice") -> Deferred[SClient]:
        line = b"hello from s_client\n"
        client = SClient(line)
        args = [
            OPENSSL,
            "s_client",
            "-connect",
            f"127.0.0.1:{self.port.getHost().port}",
            "-psk",
            key.hex(),
            "-psk_identity",
            identity.decode(),
            version,
            "-brief",
        ]
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LD_LIBRARY_PATH")}
        reactor.spawnProcess(client, OPENSSL, args, env=env)  # type: ignore[attr-defined, arg-type]
        return client.ended.addCallback(lambda code: setattr(client, "code", code) or client)

    def assertEchoed(self, client: Any, protocol: str) -> None:
        self.assertEqual(client.code, 0, client.err)
        self.assertIn(b"hello from s_client\n", client.out)
        self.assertIn(f"Protocol version: {protocol}".encode(), client.err)
        self.assertIn(b"No peer certificate", client.err)
        self.assertEqual([s.received for s in self.servers], [b"hello from s_client\n"])
        [authenticator] = self.slot.seen
        self.assertEqual(authenticator.identity(), b"alice")
        self.assertEqual(authenticator.identityHint(), b"qtwisted")

    def assertRefused(self, client: Any, alert: bytes) -> None:
        self.assertNotEqual(client.code, 0)
        self.assertNotIn(b"hello from s_client", client.out)
        self.assertIn(alert, client.err)
        self.assertEqual([s.received for s in self.servers], [b""])
        reason = self.servers[0].reason
        assert reason is not None
        self.assertIsInstance(reason.value, SSL.Error)

    def test_tls12(self) -> None:
        """
        s_client -tls1_2 with the right key gets its line echoed over a PSK suite.
        """

        def check(client: Any) -> None:
            self.assertEchoed(client, "TLSv1.2")
            self.assertRegex(client.err, rb"Ciphersuite: \S*PSK")

        return self.sClient("-tls1_2", KEY).addCallback(check)  # type: ignore[return-value]

    def test_tls13(self) -> None:
        """
        s_client -tls1_3 with the right key gets its line echoed.
        """
        return self.sClient("-tls1_3", KEY).addCallback(  # type: ignore[return-value]
            self.assertEchoed, "TLSv1.3"
        )

    def test_wrongKeyTls12(self) -> None:
        """
        s_client -tls1_2 with a wrong key is refused (bad_record_mac).
        """
        return self.sClient("-tls1_2", OTHER_KEY).addCallback(  # type: ignore[return-value]
            self.assertRefused, b"bad record mac"
        )

    def test_wrongKeyTls13(self) -> None:
        """
        s_client -tls1_3 with a wrong key is refused (decrypt_error).
        """
        return self.sClient("-tls1_3", OTHER_KEY).addCallback(  # type: ignore[return-value]
            self.assertRefused, b"decrypt error"
        )

    def test_unknownIdentityTls12(self) -> None:
        """
        s_client -tls1_2 with an identity the slot refuses gets unknown_psk_identity.
        """
        self.slot.key = b""
        return self.sClient("-tls1_2", KEY).addCallback(  # type: ignore[return-value]
            self.assertRefused, b"unknown psk identity"
        )

    def test_unknownIdentityTls13(self) -> None:
        """
        s_client -tls1_3 with a refused identity fails: no certificate to fall back on.
        """
        self.slot.key = b""
        return self.sClient("-tls1_3", KEY).addCallback(  # type: ignore[return-value]
            self.assertRefused, b"handshake failure"
        )

# -*- test-case-name: tests.test_sslconfiguration -*-
"""
One pyOpenSSL C{Context} per configuration snapshot, and the per-connection
hook through which a socket learns what certificate verification found.

Theory of operation
===================

The cache
---------

A pyOpenSSL 26 context cannot be changed once a connection has used it, and
building one (certificates, key check, CA store) costs far more than a
handshake's worth of Python.  L{contextFor} therefore builds one context
per (L{Snapshot}, mode) and returns the same object for equal snapshots;
changing the configuration gives a new snapshot and so a new context, and
connections made from the old one keep it.  The cache keeps the 64 most
recently used contexts.

Building follows Qt's C{QSslContext::initSslContext} (qtbase
C{src/plugins/tls/openssl/qsslcontext_openssl.cpp}): protocol range with
C{set_min_proto_version}/C{set_max_proto_version} (C{SecureProtocols} is
TLS 1.2 or later), Qt's option bits, cipher lists (TLS 1.3 suites apart),
the CA store (expired CAs skipped, as Qt does), certificate, chain and key
with C{check_privatekey}, verification, depth, ALPN.  Every problem is a
C{ValueError} whose message names the certificate/key file or the value,
raised when the context is built, i.e. when a server first uses the
configuration (call L{contextFor} from a setter to fail even earlier).

Verification never rejects
--------------------------

Qt does not let OpenSSL fail a handshake over a bad peer certificate.  Its
verify callback records each problem (code and depth) and answers "go on";
after the handshake the socket turns the records into C{QSslError}s, emits
C{peerVerifyError} for each and C{sslErrors} with all of them, and aborts
unless the application called C{ignoreSslErrors()} in the slot (B43-B45).
A missing client certificate is not an OpenSSL failure either: the
context asks with C{SSL_VERIFY_PEER} only, and the socket adds
C{NoPeerCertificate} after the handshake when it verifies the peer
(VerifyPeer; AutoVerifyPeer on a client).  Only
C{setMissingCertificateIsFatal(True)} adds
C{SSL_VERIFY_FAIL_IF_NO_PEER_CERT}, as in Qt.

The context is shared, so the records go to a per-connection
L{VerifyRecorder}, found through the connection's app data
(C{Connection.set_app_data}): either the recorder itself, or any object
with a C{_verifyRecorder} attribute holding one (the usual case: the
socket's TLS protocol object).  A connection without a recorder gets
OpenSSL's own verdict, so a context used outside qtwisted's sockets is
never more permissive than OpenSSL.

With C{handshakeMustInterruptOnError(True)} the socket gives the recorder
an C{onError} callable; it is called from inside the handshake with each
C{QSslError} and decides, by its return value, whether the handshake goes
on (Qt's C{q_X509CallbackDirect}, B46).

Hooks
-----

What pyOpenSSL cannot configure (the TLS-PSK callbacks and identity hint,
which need cryptography's raw OpenSSL binding) is added by hooks
registered with L{addContextHook}; each is called once for every new
context.  Register them at import time, before the first context is
built.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Callable, Final, Union

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_der_private_key
from OpenSSL import SSL, crypto
from twisted.logger import Logger

from ._certificate import QSslCertificate
from ._configuration import QSslConfiguration
from ._error import QSslError, fromX509VerifyCode
from ._key import QSslKey
from ._qssl import PeerVerifyMode, QSsl, SslMode
from ._snapshot import Snapshot, keyMatches, systemCaCertificates

__all__ = [
    "contextFor",
    "serverContextFor",
    "VerifyRecorder",
    "recorderFor",
    "verifiesPeer",
    "addContextHook",
    "clearContextCache",
]

_log = Logger()

_P = QSsl.SslProtocol
_O = QSsl.SslOption
_Status = QSslConfiguration.NextProtocolNegotiationStatus

# OpenSSL's SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION (SSL_OP_BIT(18)), which
# pyOpenSSL does not name.
_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION: Final = 0x00040000

# QSslContext::initSslContext: (minimum, maximum) protocol version; 0 means
# "no limit" (set_max_proto_version(0) is OpenSSL's "highest supported").
_RANGES: Final[dict[QSsl.SslProtocol, tuple[int, int]]] = {
    _P.TlsV1_0: (SSL.TLS1_VERSION, SSL.TLS1_VERSION),
    _P.TlsV1_1: (SSL.TLS1_1_VERSION, SSL.TLS1_1_VERSION),
    _P.TlsV1_2: (SSL.TLS1_2_VERSION, SSL.TLS1_2_VERSION),
    _P.TlsV1_3: (SSL.TLS1_3_VERSION, SSL.TLS1_3_VERSION),
    _P.AnyProtocol: (SSL.TLS1_VERSION, 0),
    _P.TlsV1_0OrLater: (SSL.TLS1_VERSION, 0),
    _P.TlsV1_1OrLater: (SSL.TLS1_1_VERSION, 0),
    _P.SecureProtocols: (SSL.TLS1_2_VERSION, 0),
    _P.TlsV1_2OrLater: (SSL.TLS1_2_VERSION, 0),
    _P.TlsV1_3OrLater: (SSL.TLS1_3_VERSION, 0),
    # Qt leaves OpenSSL's defaults; here the floor stays TLS 1.2.
    _P.UnknownProtocol: (SSL.TLS1_2_VERSION, 0),
}
_LEGACY: Final = (SSL.TLS1_VERSION, SSL.TLS1_1_VERSION)

_Mode = Union[str, SslMode]
ContextHook = Callable[[SSL.Context, Snapshot, str], None]


def verifiesPeer(verifyMode: PeerVerifyMode, mode: _Mode) -> bool:
    """
    Whether a bad or missing peer certificate fails the handshake (Qt's
    C{doVerifyPeer}): VerifyPeer, or AutoVerifyPeer on a client.
    """
    if verifyMode == PeerVerifyMode.VerifyPeer:
        return True
    return verifyMode == PeerVerifyMode.AutoVerifyPeer and _modeName(mode) == "client"


class VerifyRecorder:
    """
    What the shared context's callbacks saw on one connection: the
    certificate problems OpenSSL reported, and the ALPN outcome.

    Attach one per connection (see the module docstring), drive the
    handshake, then read L{takeNewErrors} (for C{peerVerifyError}, after
    each handshake step) and L{handshakeErrors} (for C{sslErrors}, once the
    handshake is complete).
    """

    def __init__(self, onError: Callable[[QSslError], bool] | None = None) -> None:
        """
        @param onError: for C{handshakeMustInterruptOnError}: called inside
            the handshake with each error; return True to let the
            handshake continue, False to abort it.
        """
        self.onError = onError
        #: (X509_V_ERR code, depth, certificate) in the order OpenSSL found them.
        self.entries: list[tuple[int, int, QSslCertificate]] = []
        #: ALPN on a server: None until the client offered protocols.
        self.alpnStatus: QSslConfiguration.NextProtocolNegotiationStatus | None = None
        #: True once C{onError} has been called: Qt's
        #: C{errorsReportedFromCallback}, after which the socket emits no
        #: C{peerVerifyError} for the recorded entries (B46).
        self.reportedFromCallback = False
        self._reported = 0

    def verify(self, x509: crypto.X509, code: int, depth: int, ok: int) -> bool:
        """
        The verify callback's work: record a problem and say "go on"
        (or what C{onError} decides).
        """
        if ok:
            return True
        certificate = QSslCertificate._fromCryptography(x509.to_cryptography())
        self.entries.append((code, depth, certificate))
        if self.onError is not None:
            self.reportedFromCallback = True
            return bool(self.onError(fromX509VerifyCode(code, certificate)))
        return True

    def verifyErrors(self) -> list[QSslError]:
        """
        Every recorded problem as a L{QSslError} (Qt's
        C{openSSLErrorToQSslError}), in the order found.
        """
        return [fromX509VerifyCode(code, cert) for code, _depth, cert in self.entries]

    def takeNewErrors(self) -> list[QSslError]:
        """
        The errors recorded since the last call: one C{peerVerifyError}
        each (Qt emits them after every C{SSL_accept} step).
        """
        fresh = self.verifyErrors()[self._reported :]
        self._reported = len(self.entries)
        return fresh

    def handshakeErrors(
        self, connection: SSL.Connection, verifyMode: PeerVerifyMode, mode: _Mode
    ) -> list[QSslError]:
        """
        The list for C{sslErrors} once the handshake is complete, in Qt's
        order (C{TlsCryptographOpenSSL::startHandshake}):
        C{NoPeerCertificate} when the peer sent no certificate and the
        socket verifies it, then the recorded problems.  (A client socket
        puts C{HostNameMismatch} first itself; qtwisted has no
        blacklist.)  Before C{NoPeerCertificate} goes into this list the
        socket should emit it as a C{peerVerifyError}, as Qt does.
        """
        errors: list[QSslError] = []
        missing = connection.get_peer_certificate(as_cryptography=True) is None
        if missing and verifiesPeer(verifyMode, mode):
            errors.append(QSslError(QSslError.SslError.NoPeerCertificate))
        return errors + self.verifyErrors()


def recorderFor(connection: SSL.Connection) -> VerifyRecorder | None:
    """
    The L{VerifyRecorder} attached to a connection, if any: its app data,
    or the app data's C{_verifyRecorder} attribute.
    """
    owner = connection.get_app_data()
    if isinstance(owner, VerifyRecorder):
        return owner
    recorder = getattr(owner, "_verifyRecorder", None)
    return recorder if isinstance(recorder, VerifyRecorder) else None


def _verifyCallback(
    connection: SSL.Connection, x509: crypto.X509, code: int, depth: int, ok: int
) -> bool:
    recorder = recorderFor(connection)
    if recorder is None:
        return bool(ok)
    try:
        return recorder.verify(x509, code, depth, ok)
    except Exception:
        # An exception escaping into OpenSSL would surface later from an
        # unrelated pyOpenSSL call; fail this handshake instead.
        _log.failure("certificate verification callback failed")
        return False


def _alpnSelector(
    allowed: tuple[bytes, ...],
) -> Callable[[SSL.Connection, list[bytes]], bytes | SSL._NoOverlappingProtocols]:
    def select(
        connection: SSL.Connection, offered: list[bytes]
    ) -> bytes | SSL._NoOverlappingProtocols:
        # Qt calls SSL_select_next_proto with the client's list first: the
        # first protocol the client offers that we allow wins.
        recorder = recorderFor(connection)
        for protocol in offered:
            if protocol in allowed:
                if recorder is not None:
                    recorder.alpnStatus = _Status.NextProtocolNegotiationNegotiated
                return protocol
        if recorder is not None:
            recorder.alpnStatus = _Status.NextProtocolNegotiationUnsupported
        return SSL.NO_OVERLAPPING_PROTOCOLS

    return select


def _options(snapshot: Snapshot) -> int:
    # QSslContext::setupOpenSslOptions.
    options = snapshot.sslOptions
    bits = SSL.OP_ALL | SSL.OP_NO_SSLv2 | SSL.OP_NO_SSLv3
    if options & _O.SslOptionDisableEmptyFragments:
        bits |= SSL.OP_DONT_INSERT_EMPTY_FRAGMENTS
    else:
        bits &= ~SSL.OP_DONT_INSERT_EMPTY_FRAGMENTS
    if not options & _O.SslOptionDisableLegacyRenegotiation:
        bits |= _OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION
    if options & _O.SslOptionDisableSessionTickets:
        bits |= SSL.OP_NO_TICKET
    if options & _O.SslOptionDisableCompression:
        bits |= SSL.OP_NO_COMPRESSION
    if not options & _O.SslOptionDisableServerCipherPreference:
        bits |= SSL.OP_CIPHER_SERVER_PREFERENCE
    return bits


def _modeName(mode: _Mode) -> str:
    if isinstance(mode, SslMode):
        if mode == SslMode.UnencryptedMode:
            raise ValueError("an unencrypted socket has no TLS context")
        return "server" if mode == SslMode.SslServerMode else "client"
    if mode not in ("server", "client"):
        raise ValueError(f"mode must be 'server' or 'client', not {mode!r}")
    return mode


def _applyCiphers(context: SSL.Context, snapshot: Snapshot) -> None:
    try:
        if snapshot.cipherList is not None:
            context.set_cipher_list(snapshot.cipherList.encode("ascii"))
    except (SSL.Error, UnicodeEncodeError):
        raise ValueError(f"invalid or empty cipher list {snapshot.cipherList!r}") from None
    try:
        if snapshot.tls13Ciphersuites is not None:
            context.set_tls13_ciphersuites(snapshot.tls13Ciphersuites.encode("ascii"))
    except (SSL.Error, UnicodeEncodeError):
        raise ValueError(f"invalid TLS 1.3 cipher suites {snapshot.tls13Ciphersuites!r}") from None


def _applyCaCertificates(context: SSL.Context, snapshot: Snapshot) -> None:
    if snapshot.caCertificates is None:
        certificates = [c._x509() for c in systemCaCertificates()]
    else:
        certificates = [x509.load_der_x509_certificate(d) for d in snapshot.caCertificates]
    store = context.get_cert_store()
    assert store is not None
    now = datetime.now(timezone.utc)
    for certificate in certificates:
        # Qt skips expired CAs: OpenSSL examines only the first CA matching
        # a name, so an expired copy could hide a valid one.
        if certificate.not_valid_after_utc < now:
            continue
        try:
            store.add_cert(crypto.X509.from_cryptography(certificate))
        except crypto.Error:
            pass  # a duplicate


def _applyLocalCertificate(context: SSL.Context, snapshot: Snapshot) -> None:
    chain = snapshot.localCertificateChain
    if not chain:
        return  # A key without a certificate is ignored, as in Qt.
    certName, keyName = snapshot.localCertificateSource, snapshot.privateKeySource
    if not snapshot.privateKey:
        reason = f" ({snapshot.privateKeyError})" if snapshot.privateKeyError else ""
        raise ValueError(f"cannot provide the certificate {certName} with no private key{reason}")
    try:
        leaf = x509.load_der_x509_certificate(chain[0])
        key = load_der_private_key(snapshot.privateKey, None)
    except (ValueError, TypeError) as e:
        raise ValueError(f"cannot load the certificate {certName} or its key: {e}") from None
    # Compare the public keys first: OpenSSL's own refusal (from
    # use_privatekey or check_privatekey) names neither file.
    if not keyMatches(QSslCertificate._fromCryptography(leaf), QSslKey._fromCryptography(key)):
        raise ValueError(f"the private key{keyName} does not match the certificate {certName}")
    try:
        context.use_certificate(leaf)
        context.use_privatekey(key)  # type: ignore[arg-type]
        context.check_privatekey()
    except (SSL.Error, ValueError, TypeError) as e:
        raise ValueError(
            f"OpenSSL refuses the certificate {certName} with the private key{keyName}: {e}"
        ) from None
    for der in chain[1:]:
        context.add_extra_chain_cert(x509.load_der_x509_certificate(der))


def _checkUsable(snapshot: Snapshot, minimum: int, maximum: int) -> None:
    """
    OpenSSL 3+ refuses TLS 1.0 and 1.1 at its default security level
    ("no protocols available"); a range made only of them would fail every
    handshake, so say so now.  A ClientHello is cheap to make and goes
    through the same version checks as the server side.
    """
    if minimum not in _LEGACY or maximum not in _LEGACY:
        return
    probe = SSL.Context(SSL.TLS_CLIENT_METHOD)
    probe.set_min_proto_version(minimum)
    probe.set_max_proto_version(maximum)
    if snapshot.cipherList is not None:
        probe.set_cipher_list(snapshot.cipherList.encode("ascii"))
    connection = SSL.Connection(probe)
    connection.set_connect_state()
    try:
        connection.do_handshake()
    except SSL.WantReadError:
        return
    except SSL.Error as e:
        if "no protocols available" not in str(e):
            return
    raise ValueError(
        f"OpenSSL {SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode()} refuses "
        f"{QSsl.SslProtocol(snapshot.protocol).name} at its current security level; "
        "add '@SECLEVEL=0' to an OpenSSL cipher string given to setCiphers() to "
        "allow TLS 1.0/1.1"
    )


_contextHooks: list[ContextHook] = []


def addContextHook(hook: ContextHook) -> None:
    """
    Call C{hook(context, snapshot, mode)} for every context built from now
    on (for settings pyOpenSSL cannot make, such as TLS-PSK).
    """
    _contextHooks.append(hook)


def _build(snapshot: Snapshot, mode: str) -> SSL.Context:
    protocol = QSsl.SslProtocol(snapshot.protocol)
    if protocol not in _RANGES:
        raise ValueError(f"qtwisted does not support DTLS ({protocol.name})")
    minimum, maximum = _RANGES[protocol]
    context = SSL.Context(SSL.TLS_SERVER_METHOD if mode == "server" else SSL.TLS_CLIENT_METHOD)
    context.set_min_proto_version(minimum)
    context.set_max_proto_version(maximum)
    context.set_options(_options(snapshot))
    context.set_mode(SSL.MODE_RELEASE_BUFFERS)
    _applyCiphers(context, snapshot)
    _checkUsable(snapshot, minimum, maximum)
    _applyCaCertificates(context, snapshot)
    _applyLocalCertificate(context, snapshot)

    if snapshot.peerVerifyMode == PeerVerifyMode.VerifyNone:
        context.set_verify(SSL.VERIFY_NONE)
    else:
        flags = SSL.VERIFY_PEER
        if snapshot.missingCertificateIsFatal:
            flags |= SSL.VERIFY_FAIL_IF_NO_PEER_CERT
        context.set_verify(flags, _verifyCallback)
    if snapshot.peerVerifyDepth:
        context.set_verify_depth(snapshot.peerVerifyDepth)

    if mode == "server":
        # Sessions resumed on a server that asks for client certificates
        # need a session id context, or OpenSSL fails the resumption.
        context.set_session_id(hashlib.sha256(repr(hash(snapshot)).encode()).digest()[:32])
        if snapshot.allowedNextProtocols:
            context.set_alpn_select_callback(_alpnSelector(snapshot.allowedNextProtocols))
    elif snapshot.allowedNextProtocols:
        context.set_alpn_protos(list(snapshot.allowedNextProtocols))

    for hook in _contextHooks:
        hook(context, snapshot, mode)
    return context


_CACHE_SIZE: Final = 64
_cache: OrderedDict[tuple[Snapshot, str], SSL.Context] = OrderedDict()


def contextFor(snapshot: Snapshot | QSslConfiguration, mode: _Mode = "server") -> SSL.Context:
    """
    The pyOpenSSL context for a configuration snapshot: built on first
    use, the very same object for every equal snapshot afterwards.

    @param snapshot: a L{Snapshot} (or a L{QSslConfiguration}, whose
        snapshot is taken).
    @param mode: C{"server"} or C{"client"} (or an L{SslMode}).
    @raise ValueError: the configuration cannot make a working context;
        the message names the file or value at fault.
    """
    if isinstance(snapshot, QSslConfiguration):
        snapshot = snapshot._snapshot()
    key = (snapshot, _modeName(mode))
    context = _cache.get(key)
    if context is None:
        context = _cache[key] = _build(snapshot, key[1])
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return context


#: The name the QSslServer design uses.
serverContextFor = contextFor


def clearContextCache() -> None:
    """
    Forget every cached context (for tests, and after adding a hook).
    """
    _cache.clear()

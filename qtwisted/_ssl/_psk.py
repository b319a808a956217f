# -*- test-case-name: tests.test_psk -*-
"""
TLS-PSK (RFC 4279 for TLS 1.2, RFC 8446 section 2.2 for TLS 1.3) on a
pyOpenSSL C{Context}, which has no PSK API.

This is the one module of qtwisted that touches cryptography's raw OpenSSL
binding and pyOpenSSL's internals (STYLE.md guideline 1).  Every such use
is listed in L{_REQUIRED_FUNCTIONS} and L{checkInternals}, and
C{tests.test_psk} fails loudly if one of them disappears.

Theory of operation
===================

The OpenSSL calls
-----------------

All come from C{cryptography.hazmat.bindings.openssl.binding.Binding}, the
very OpenSSL library pyOpenSSL uses (so C{Context._context} is an
C{SSL_CTX *} of that library):

  - C{SSL_CTX_set_psk_server_callback(ctx, cb)}: OpenSSL calls
    C{cb(ssl, identity, psk, max_psk_len)} on a server when a client offers
    a PSK identity: in TLS 1.2 when it processes the ClientKeyExchange of a
    PSK cipher suite, in TLS 1.3 when it reads the C{pre_shared_key}
    extension of the ClientHello.  The callback copies the key into
    C{psk} and returns its length; 0 means "no key for this identity".
    C{max_psk_len} is OpenSSL's C{PSK_MAX_PSK_LEN}: 512, measured with the
    OpenSSL 4.0 of cryptography 50 (the value since OpenSSL 1.1.1);
    identities are at most C{PSK_MAX_IDENTITY_LEN}, 256.
  - C{SSL_CTX_use_psk_identity_hint(ctx, hint)}: the hint a TLS 1.2 server
    sends in its ServerKeyExchange (TLS 1.3 has no hint).
  - C{SSL_CTX_set_psk_client_callback(ctx, cb)}: OpenSSL calls
    C{cb(ssl, hint, identity, max_identity_len, psk, max_psk_len)} on a
    client: in TLS 1.2 after the server chose a PSK suite (C{hint} is the
    server's hint or NULL), in TLS 1.3 while it builds the ClientHello
    (C{hint} is always NULL).  The callback writes a NUL-terminated
    identity and the key, and returns the key length; 0 means "no PSK".
    C{max_identity_len} is 256 (the buffer has one more byte for the NUL)
    and C{max_psk_len} 512 (measured, same OpenSSL).
  - C{SSL_CTX_set_psk_use_session_callback(ctx, cb)}: only for
    C{installClientPsk(..., tls13=False)}.  OpenSSL calls it just before
    the legacy client callback in the TLS 1.3 ClientHello; it returns 1
    with no session, and marks the connection so that the legacy callback
    that follows answers "no PSK".  Qt's
    C{q_ssl_psk_use_session_callback} gets the same effect by swapping the
    C{SSL}'s client callback; cryptography does not export
    C{SSL_set_psk_client_callback}, hence the mark.
  - C{SSL_new}, C{SSL_get_cipher_list}, C{SSL_free}: to read the cipher
    list a context currently has without creating a pyOpenSSL
    C{Connection}, which would freeze the context (pyOpenSSL 26 refuses
    to change a context once a connection used it).
  - C{SSL_CTX_set_info_callback(ctx, cb)}: not PSK, but the same kind of
    internals, so it lives here (L{installAlertCallback}).  OpenSSL calls
    C{cb(ssl, where, value)} some eighteen times per handshake (state
    changes, loop steps) and for each alert (C{where & SSL_CB_ALERT}).
    pyOpenSSL's C{Context.set_info_callback} runs two Python frames and a
    mapping lookup for every one of those calls; measured on a TLS 1.3
    server handshake, that added about a tenth to OpenSSL's own time,
    where this callback, which returns at once unless the event is an
    alert, adds a few per cent.

TLS 1.3 through the legacy callbacks
------------------------------------

TLS 1.3 PSKs normally go through C{SSL_CTX_set_psk_find_session_callback}
and C{SSL_CTX_set_psk_use_session_callback}, which must return an
C{SSL_SESSION} built with C{SSL_SESSION_new}; cryptography does not export
that function (only its own C{Cryptography_SSL_SESSION_new} wrapper, which
together with C{SSL_SESSION_set1_master_key} and C{SSL_SESSION_set_cipher}
would allow SHA-384 PSKs too, at the cost of more raw calls than Qt's
behaviour needs).
OpenSSL 1.1.1 and later also honour the TLS 1.2-style callbacks in TLS
1.3: when no session callback answers, the server calls the legacy server
callback with the identity from the ClientHello and, if it returns a key,
makes a session with the cipher TLS_AES_128_GCM_SHA256, i.e. a SHA-256
PSK (RFC 8446 section 4.2.11: an external PSK defaults to SHA-256; only
the hash must match, the handshake may still choose
TLS_CHACHA20_POLY1305_SHA256); the client does the same with the legacy
client callback.  Measured with pyOpenSSL 26.4 on cryptography 50's
OpenSSL 4.0, between two pyOpenSSL connections and against the
C{openssl s_client} of OpenSSL 3.0 (C{tests.test_psk}):

  - The handshake only uses the PSK if the server chooses a SHA-256 TLS
    1.3 suite.  OpenSSL's server prefers one by itself when it has no
    certificate; with a certificate it takes the first suite of its list
    (TLS_AES_256_GCM_SHA384 by default), silently drops the PSK as
    incompatible and makes a certificate handshake, even with a wrong
    key.  L{adjustCiphersForPsk} therefore moves the SHA-256 suites to the
    front of the TLS 1.3 list.
  - A wrong key fails the handshake: "binder does not verify" on the
    server, a decrypt_error alert to the client.  An unknown identity
    (no key) is not an error in TLS 1.3: the server goes on as if no PSK
    had been offered, i.e. with a certificate handshake, which succeeds
    if the server has a certificate and otherwise fails ("no suitable
    signature algorithm", handshake_failure alert).  In TLS 1.2 an
    unknown identity gives an unknown_psk_identity alert and a wrong key
    a bad_record_mac alert.
  - Verify modes on the server (C{Context.set_verify}): C{VERIFY_NONE}
    works.  C{VERIFY_PEER} (Qt's QueryPeer and VerifyPeer) and
    C{VERIFY_PEER | VERIFY_FAIL_IF_NO_PEER_CERT}
    (C{setMissingCertificateIsFatal(True)}) work only if the context has
    a session id context (C{Context.set_session_id}, which
    L{contextFor <qtwisted._ssl._context.contextFor>} sets for every
    server); without one OpenSSL fails the TLS 1.3 PSK handshake with
    "session id context uninitialized" (TLS 1.2 does not care).  A PSK
    handshake never asks for a client certificate (RFC 8446 section
    4.3.2; RFC 4279 suites have none), so C{VERIFY_FAIL_IF_NO_PEER_CERT}
    is not enforced.  Qt's own check after the handshake still applies:
    with VerifyPeer on a server (or Verify/AutoVerifyPeer on a client)
    Qt reports NoPeerCertificate for a PSK session, so PSK peers use
    QueryPeer (the server default) or VerifyNone, as in Qt.

TLS 1.2 needs a PSK cipher suite in the server's (and the client's) list.
OpenSSL's C{DEFAULT} list has them, but an explicit C{setCiphers()} may
not: L{adjustCiphersForPsk} appends the AEAD PSK suites when the list has
none, after the existing ones.  A server that has a certificate and the
default server preference picks a certificate suite before any PSK one
when the client offers both (as C{openssl s_client -psk} does).

Why the callbacks answer synchronously
--------------------------------------

OpenSSL calls them from inside C{SSL_do_handshake} (pyOpenSSL's
C{do_handshake} or C{recv}, which Twisted's C{TLSMemoryBIOProtocol} calls
from C{dataReceived}) and uses the key the moment they return: it derives
the premaster secret (TLS 1.2) or checks the ClientHello binder (TLS 1.3)
before C{SSL_do_handshake} returns.  There is no "retry later" answer for
a PSK callback (unlike, say, the certificate callback), so a Python
callback cannot return a Deferred: the lookup, and so Qt's
C{preSharedKeyAuthenticationRequired} slot, must decide before it returns.
This is also Qt's contract: its slot fills the authenticator in place.

Errors
------

An exception must not escape into OpenSSL: cffi would print it to stderr
(not to the application's log) and answer a default, and pyOpenSSL's own
trick of re-raising it after the OpenSSL call is private to its
callbacks.  Each callback is made with C{error=0} and an C{onerror}
handler that logs the failure with C{twisted.logger} and lets cffi answer
0 ("no PSK"), so any exception in a lookup fails that one handshake
cleanly (TLS 1.2: unknown_psk_identity alert; TLS 1.3: the identity is
ignored, see above) and nothing else.

Keeping the callbacks alive
---------------------------

OpenSSL keeps only a C function pointer; the cffi callback object behind
it must live as long as the C{SSL_CTX} can call it.  They are kept in a
C{WeakKeyDictionary} keyed by the pyOpenSSL C{Context}: every pyOpenSSL
C{Connection} holds its C{Context}, so the callbacks outlive every
connection that can call them.

Finding the connection
----------------------

The callbacks receive the C C{SSL *}.  pyOpenSSL maps it back to its
C{Connection} with the class attribute C{Connection._reverse_mapping} (a
C{WeakValueDictionary} keyed by C{SSL *}, which its own callbacks use); so
does this module.  A connection not made by pyOpenSSL fails the
handshake, logged.  (Twisted's C{TLSMemoryBIOFactory} then makes the
C{TLSMemoryBIOProtocol} the connection's app data, whatever the
connection creator did.)

Using it from qtwisted
----------------------

L{contextHook} is a hook for L{qtwisted._ssl._context.addContextHook}: it
installs both callbacks on every context, as Qt does on every socket,
and dispatches to the object set as the connection's app data (the
socket's TLS protocol, as for the verify recorder): that object's
C{_preSharedKeyAuthenticationRequired(authenticator)} is called with a
L{QSslPreSharedKeyAuthenticator} filled in as Qt fills it.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, Callable, Final, Optional, Tuple
from weakref import WeakKeyDictionary

import cryptography
import OpenSSL
from cryptography.hazmat.bindings.openssl.binding import Binding
from OpenSSL import SSL
from twisted.logger import Logger
from twisted.python.failure import Failure

from ._presharedkey import QSslPreSharedKeyAuthenticator, makeAuthenticator
from ._snapshot import Snapshot

__all__ = [
    "PSK_CIPHERS",
    "ServerLookup",
    "ClientProvider",
    "checkInternals",
    "installServerPsk",
    "installClientPsk",
    "adjustCiphersForPsk",
    "contextHook",
    "AlertCallback",
    "installAlertCallback",
]

_log = Logger()

#: The OpenSSL functions this module calls through cryptography's binding.
_REQUIRED_FUNCTIONS: Final = (
    "SSL_CTX_set_psk_server_callback",
    "SSL_CTX_use_psk_identity_hint",
    "SSL_CTX_set_psk_client_callback",
    "SSL_CTX_set_psk_use_session_callback",
    "SSL_new",
    "SSL_free",
    "SSL_get_cipher_list",
    "SSL_CTX_set_info_callback",
)

# The C types of the callbacks, exactly as cryptography's cdef spells them
# (it drops OpenSSL's "const"s).
_SERVER_CB: Final = "unsigned int(*)(SSL *, char *, unsigned char *, unsigned int)"
_CLIENT_CB: Final = (
    "unsigned int(*)(SSL *, char *, char *, unsigned int, unsigned char *, unsigned int)"
)
_USE_SESSION_CB: Final = "int(*)(SSL *, EVP_MD *, unsigned char * *, size_t *, SSL_SESSION * *)"
_INFO_CB: Final = "void(*)(SSL *, int, int)"
# OpenSSL's SSL_CB_ALERT and SSL_CB_WRITE bits of the info callback's "where".
_CB_ALERT: Final = 0x4000
_CB_WRITE: Final = 0x08

#: TLS 1.2 PSK suites appended by L{adjustCiphersForPsk} to a cipher list
#: that has none: the AEAD ones, forward-secret first.  No NULL or CBC
#: suites, and no RSA-PSK (it needs an RSA certificate).
PSK_CIPHERS: Final = (
    "ECDHE-PSK-CHACHA20-POLY1305",
    "DHE-PSK-AES256-GCM-SHA384",
    "DHE-PSK-CHACHA20-POLY1305",
    "DHE-PSK-AES128-GCM-SHA256",
    "PSK-AES256-GCM-SHA384",
    "PSK-CHACHA20-POLY1305",
    "PSK-AES128-GCM-SHA256",
)

# TLS 1.3 suites whose hash is SHA-256, the only ones a PSK from the legacy
# callbacks can be used with.
_TLS13_SHA256: Final = (
    "TLS_AES_128_GCM_SHA256",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256",
)

#: C{onAlert(connection, sent, value)}: a TLS alert was sent (C{sent}) or
#: received on C{connection}; C{value} is OpenSSL's (level << 8 | description).
AlertCallback = Callable[[SSL.Connection, bool, int], None]

#: C{lookup(connection, identity, hint, maximumKeyLength)}: the server's
#: key for an identity, or C{None}/C{b""} to refuse it.
ServerLookup = Callable[[SSL.Connection, bytes, bytes, int], Optional[bytes]]
#: C{provide(connection, hint, maximumIdentityLength, maximumKeyLength)}:
#: the client's C{(identity, key)}, or C{None} to offer no PSK.
ClientProvider = Callable[[SSL.Connection, bytes, int, int], Optional[Tuple[bytes, bytes]]]

_binding: Any = None


def _lib() -> Any:
    global _binding
    if _binding is None:
        _binding = Binding()
    return _binding.lib


def _ffi() -> Any:
    _lib()
    return _binding.ffi


def checkInternals() -> None:
    """
    Check that everything this module relies on outside public APIs is
    there: the binding's PSK functions, pyOpenSSL's C{SSL *} to
    C{Connection} mapping and its C{Context} attributes.

    @raise RuntimeError: naming what is missing (a cryptography or
        pyOpenSSL upgrade changed it; this module must be updated).
    """
    lib = _lib()
    problems: list[str] = []
    if not getattr(lib, "Cryptography_HAS_PSK", False):
        problems.append("cryptography's OpenSSL was built without PSK (Cryptography_HAS_PSK)")
    if not getattr(lib, "Cryptography_HAS_PSK_TLSv1_3", False):
        problems.append(
            "cryptography's OpenSSL has no TLS 1.3 PSK support (Cryptography_HAS_PSK_TLSv1_3)"
        )
    for name in _REQUIRED_FUNCTIONS:
        if not hasattr(lib, name):
            problems.append(f"cryptography's binding no longer exports {name}")
    mapping = getattr(SSL.Connection, "_reverse_mapping", None)
    if mapping is None or not hasattr(mapping, "get"):
        problems.append("pyOpenSSL's Connection._reverse_mapping (SSL* -> Connection) is gone")
    probe = SSL.Context(SSL.TLS_METHOD)
    if not isinstance(getattr(probe, "_used", None), bool):
        problems.append("pyOpenSSL's Context._used flag is gone")
    raw = getattr(probe, "_context", None)
    if raw is None or _ffi().typeof(raw) is not _ffi().typeof("SSL_CTX *"):
        problems.append("pyOpenSSL's Context._context is no longer the SSL_CTX *")
    if problems:
        raise RuntimeError(
            f"qtwisted's TLS-PSK support cannot work with pyOpenSSL {OpenSSL.__version__} "
            f"and cryptography {cryptography.__version__}: " + "; ".join(problems)
        )


_checked = False


def _ctx(context: SSL.Context) -> Any:
    """
    The C{SSL_CTX *} of a pyOpenSSL context that no connection has used
    yet (OpenSSL copies PSK callbacks into each C{SSL} at C{SSL_new}, so a
    later change would reach only some connections; pyOpenSSL 26 forbids
    changing a used context for the same reason).
    """
    global _checked
    if not _checked:
        checkInternals()
        _checked = True
    if not isinstance(context, SSL.Context):
        raise TypeError(f"expected an OpenSSL.SSL.Context, not {type(context).__name__}")
    if context._used:
        raise ValueError(
            "Context has already been used to create a Connection, it cannot be mutated again"
        )
    return context._context


def _connection(ssl: Any) -> SSL.Connection:
    connection = SSL.Connection._reverse_mapping.get(ssl)
    if connection is None:
        raise LookupError("PSK callback for an SSL* that no pyOpenSSL Connection owns")
    return connection


def _onError(
    what: str,
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    def onerror(
        kind: type[BaseException], value: BaseException, traceback: TracebackType | None
    ) -> None:
        # Returning None makes cffi answer the callback's "error" value, 0:
        # "no PSK", which fails this handshake and nothing else.
        _log.failure("TLS-PSK {what} failed", Failure(value, kind, traceback), what=what)

    return onerror


# Per context: the cffi callback objects OpenSSL points at, by role.
_alive: WeakKeyDictionary[SSL.Context, dict[str, object]] = WeakKeyDictionary()
# Client connections whose next legacy-callback call is the TLS 1.3
# ClientHello one (installClientPsk(tls13=False)).
_tls13Calls: WeakKeyDictionary[SSL.Connection, bool] = WeakKeyDictionary()


def _keep(context: SSL.Context, role: str, callback: object) -> None:
    _alive.setdefault(context, {})[role] = callback


def _cString(value: bytes, what: str, limit: int) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}")
    if b"\0" in value:
        raise ValueError(f"{what} must not contain NUL bytes: {value!r}")
    if len(value) > limit:
        raise ValueError(f"{what} is longer than OpenSSL's {limit} bytes")
    return value


# OpenSSL's PSK_MAX_IDENTITY_LEN (hints and identities longer than this
# are refused).
_MAX_IDENTITY: Final = 256


def installServerPsk(
    context: SSL.Context,
    lookup: ServerLookup,
    identityHint: bytes | None = None,
    *,
    adjustCiphers: bool = True,
) -> None:
    """
    Make a server context accept TLS-PSK (TLS 1.2 PSK suites and TLS 1.3
    PSK): C{lookup} gives the key for the identity a client sends.

    C{lookup(connection, identity, hint, maximumKeyLength)} runs inside
    the handshake and must answer synchronously (see the module
    docstring): C{connection} is the pyOpenSSL C{Connection}, C{identity}
    what the client sent, C{hint} the C{identityHint} given here (C{b""}
    if none) and C{maximumKeyLength} the longest key OpenSSL takes (512
    since OpenSSL 1.1.1).  It returns the key (truncated to the maximum,
    as Qt does), or C{None}/C{b""} to refuse the identity.  An exception
    is logged and refuses the identity.

    @param identityHint: the hint sent to TLS 1.2 clients
        (C{SSL_CTX_use_psk_identity_hint}); C{None} sends none.
    @param adjustCiphers: call L{adjustCiphersForPsk} (TLS 1.2 PSK suites
        appended if missing, SHA-256 TLS 1.3 suites first).
    @raise ValueError: the context has been used, or the hint is longer
        than 256 bytes or contains a NUL byte.
    """
    ctx = _ctx(context)
    lib, ffi = _lib(), _ffi()
    hint = b"" if identityHint is None else _cString(identityHint, "identityHint", _MAX_IDENTITY)

    def serverCallback(ssl: Any, identity: Any, psk: Any, maxLength: int) -> int:
        # Called from inside SSL_do_handshake, which uses the key as soon
        # as this returns (TLS 1.2 premaster secret, TLS 1.3 binder check)
        # and has no "ask again later" answer: lookup cannot defer.
        connection = _connection(ssl)
        name = b"" if identity == ffi.NULL else ffi.string(identity)
        key = lookup(connection, name, hint, maxLength)
        if key is None:
            return 0
        if not isinstance(key, bytes):
            raise TypeError(f"a PSK must be bytes, not {type(key).__name__}")
        key = key[:maxLength]  # Qt: qMin(key size, maximumPreSharedKeyLength)
        ffi.memmove(psk, key, len(key))
        return len(key)

    callback = ffi.callback(_SERVER_CB, serverCallback, error=0, onerror=_onError("key lookup"))
    if adjustCiphers:
        adjustCiphersForPsk(context)
    if identityHint is not None and lib.SSL_CTX_use_psk_identity_hint(ctx, hint) != 1:
        raise ValueError(f"OpenSSL refuses the PSK identity hint {identityHint!r}")
    lib.SSL_CTX_set_psk_server_callback(ctx, callback)
    _keep(context, "server", callback)


def installClientPsk(
    context: SSL.Context,
    provide: ClientProvider,
    *,
    tls13: bool = True,
    adjustCiphers: bool = True,
) -> None:
    """
    Make a client context offer TLS-PSK: C{provide} gives the identity and
    key to send.

    C{provide(connection, hint, maximumIdentityLength, maximumKeyLength)}
    runs inside the handshake and must answer synchronously: C{hint} is the
    server's TLS 1.2 hint (C{b""} if it sent none, and always in TLS 1.3,
    where OpenSSL asks while building the ClientHello, before it knows
    the server); the maxima are OpenSSL's (256 and 512 since OpenSSL
    1.1.1).  It returns C{(identity, key)}, both truncated to the maxima, or
    C{None} (or an empty key) to offer no PSK: in TLS 1.2 that fails the
    handshake, in TLS 1.3 the ClientHello simply carries no PSK.  An
    exception is logged and counts as C{None}.

    @param tls13: also offer the PSK in TLS 1.3 ClientHellos.  With
        C{False}, C{provide} is only asked in TLS 1.2, after the server
        chose a PSK suite: Qt's default (its C{q_ssl_psk_use_session_callback}
        answers "no PSK" for TLS 1.3 unless C{QT_USE_TLS_1_3_PSK} is set),
        so that certificate-only TLS 1.3 connections do not ask the
        application for a key.
    @param adjustCiphers: call L{adjustCiphersForPsk}.
    @raise ValueError: the context has been used.
    """
    ctx = _ctx(context)
    lib, ffi = _lib(), _ffi()

    def clientCallback(
        ssl: Any, hint: Any, identity: Any, maxIdentity: int, psk: Any, maxLength: int
    ) -> int:
        # Synchronous for the same reason as the server's: OpenSSL builds
        # the ClientHello (TLS 1.3) or ClientKeyExchange (TLS 1.2) with the
        # answer before this call returns.
        connection = _connection(ssl)
        if _tls13Calls.pop(connection, False):
            return 0
        serverHint = b"" if hint == ffi.NULL else ffi.string(hint)
        answer = provide(connection, serverHint, maxIdentity, maxLength)
        if answer is None:
            return 0
        name, key = answer
        if not isinstance(key, bytes):
            raise TypeError(f"a PSK must be bytes, not {type(key).__name__}")
        # OpenSSL's identity buffer has maxIdentity + 1 bytes: room for the
        # NUL it reads the identity up to (strlen).
        name = _cString(name, "identity", sys.maxsize)[:maxIdentity]
        key = key[:maxLength]
        if not key:
            return 0
        ffi.memmove(identity, name + b"\0", len(name) + 1)
        ffi.memmove(psk, key, len(key))
        return len(key)

    callback = ffi.callback(_CLIENT_CB, clientCallback, error=0, onerror=_onError("key provider"))
    if adjustCiphers:
        adjustCiphersForPsk(context)
    lib.SSL_CTX_set_psk_client_callback(ctx, callback)
    _keep(context, "client", callback)
    if not tls13:

        def useSession(ssl: Any, md: Any, ident: Any, identLen: Any, session: Any) -> int:
            # OpenSSL calls this in the TLS 1.3 ClientHello right before
            # the legacy callback; answer "no session" (1, *session left
            # NULL) and make that legacy call answer "no PSK".
            _tls13Calls[_connection(ssl)] = True
            return 1

        # On error, 1 as well: a failed bookkeeping must not fail a
        # certificate handshake.
        sessionCallback = ffi.callback(
            _USE_SESSION_CB, useSession, error=1, onerror=_onError("TLS 1.3 session callback")
        )
        lib.SSL_CTX_set_psk_use_session_callback(ctx, sessionCallback)
        _keep(context, "useSession", sessionCallback)


def installAlertCallback(context: SSL.Context, onAlert: AlertCallback) -> None:
    """
    Call C{onAlert(connection, sent, value)} for every TLS alert sent or
    received on the connections of C{context}, from inside the OpenSSL
    call that sends or reads it (so C{onAlert} must not call into OpenSSL
    on that connection).  Other info-callback events return at once.  An
    exception is logged.

    @raise ValueError: the context has been used.
    """
    ctx = _ctx(context)
    lib, ffi = _lib(), _ffi()

    def info(ssl: Any, where: int, value: int) -> None:
        if where & _CB_ALERT:
            onAlert(_connection(ssl), bool(where & _CB_WRITE), value)

    callback = ffi.callback(_INFO_CB, info, onerror=_onError("alert callback"))
    lib.SSL_CTX_set_info_callback(ctx, callback)
    _keep(context, "info", callback)


def _cipherNames(ctx: Any) -> list[str]:
    lib, ffi = _lib(), _ffi()
    ssl = lib.SSL_new(ctx)
    if ssl == ffi.NULL:
        raise MemoryError("SSL_new failed")
    try:
        names: list[str] = []
        while True:
            name = lib.SSL_get_cipher_list(ssl, len(names))
            if name == ffi.NULL:
                return names
            names.append(ffi.string(name).decode("ascii"))
    finally:
        lib.SSL_free(ssl)


def adjustCiphersForPsk(context: SSL.Context) -> None:
    """
    Make a context's cipher lists usable for PSK without removing anything:

      - TLS 1.2: if the list has no PSK suite, append L{PSK_CIPHERS} after
        the current suites (certificate suites keep their order and
        priority);
      - TLS 1.3: move the SHA-256 suites to the front (a legacy-callback
        PSK is a SHA-256 PSK, and a server with a certificate otherwise
        chooses TLS_AES_256_GCM_SHA384 and ignores the PSK); if there is
        none, add TLS_AES_128_GCM_SHA256 at the front.

    @raise ValueError: the context has been used.
    """
    names = _cipherNames(_ctx(context))
    tls13 = [n for n in names if n.startswith("TLS_")]
    older = [n for n in names if not n.startswith("TLS_")]
    if older and not any("PSK" in n for n in older):
        # Names only: set_cipher_list keeps a security level set earlier
        # with "@SECLEVEL=n" (OpenSSL changes it only when the string says).
        context.set_cipher_list(":".join(older + list(PSK_CIPHERS)).encode("ascii"))
    if tls13:
        sha256 = [n for n in tls13 if n in _TLS13_SHA256] or ["TLS_AES_128_GCM_SHA256"]
        reordered = sha256 + [n for n in tls13 if n not in sha256]
        if reordered != tls13:
            context.set_tls13_ciphersuites(":".join(reordered).encode("ascii"))


# -- the QSslSocket side ---------------------------------------------------


def _ask(
    connection: SSL.Connection,
    *,
    identityHint: bytes,
    maximumIdentityLength: int,
    maximumPreSharedKeyLength: int,
    identity: bytes = b"",
) -> QSslPreSharedKeyAuthenticator | None:
    # The connection's owner fills in a new authenticator (None: nobody to
    # ask).
    owner = connection.get_app_data()
    handler = getattr(owner, "_preSharedKeyAuthenticationRequired", None)
    if not callable(handler):
        return None
    authenticator = makeAuthenticator(
        identity=identity,
        identityHint=identityHint,
        maximumIdentityLength=maximumIdentityLength,
        maximumPreSharedKeyLength=maximumPreSharedKeyLength,
    )
    handler(authenticator)
    return authenticator


def _serverLookup(
    connection: SSL.Connection, identity: bytes, hint: bytes, maximumKeyLength: int
) -> bytes | None:
    # Qt's TlsCryptographOpenSSL::pskServerTlsCallback: identity from the
    # client, hint from the configuration, maximumIdentityLength 0 (B54).
    authenticator = _ask(
        connection,
        identity=identity,
        identityHint=hint,
        maximumIdentityLength=0,
        maximumPreSharedKeyLength=maximumKeyLength,
    )
    if authenticator is None:
        return None
    return authenticator.preSharedKey() or None


def _clientProvider(
    connection: SSL.Connection, hint: bytes, maximumIdentityLength: int, maximumKeyLength: int
) -> tuple[bytes, bytes] | None:
    # Qt's TlsCryptographOpenSSL::pskClientTlsCallback.
    authenticator = _ask(
        connection,
        identityHint=hint,
        maximumIdentityLength=maximumIdentityLength,
        maximumPreSharedKeyLength=maximumKeyLength,
    )
    if authenticator is None or not authenticator.preSharedKey():
        return None
    return authenticator.identity(), authenticator.preSharedKey()


def contextHook(context: SSL.Context, snapshot: Snapshot, mode: str) -> None:
    """
    A hook for L{qtwisted._ssl._context.addContextHook}: TLS-PSK on every
    context, as Qt sets its PSK callbacks on every socket.

    During a PSK handshake the connection's app data (the socket's TLS
    protocol object) has its C{_preSharedKeyAuthenticationRequired} method
    called with a L{QSslPreSharedKeyAuthenticator} filled in as Qt fills
    it; the method emits Qt's signal and returns once the slot has set
    the key (synchronously).  Without that method, or with an empty key,
    the PSK is refused.

    Server contexts send the configuration's
    C{preSharedKeyIdentityHint} if it is set (not C{None}), as Qt does.
    The cipher lists are left alone (OpenSSL's default list has PSK
    suites) unless the hint is set: then L{adjustCiphersForPsk} runs, so
    that a configuration meant for PSK also works with explicit ciphers
    and with a certificate.  Client contexts offer the PSK in TLS 1.3 only
    if the environment variable C{QT_USE_TLS_1_3_PSK} is set (Qt's rule).
    """
    if mode == "server":
        hint = snapshot.preSharedKeyIdentityHint
        installServerPsk(context, _serverLookup, hint, adjustCiphers=hint is not None)
    else:
        installClientPsk(
            context,
            _clientProvider,
            tls13="QT_USE_TLS_1_3_PSK" in os.environ,
            adjustCiphers=False,
        )

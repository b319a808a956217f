# -*- test-case-name: tests.test_sslconfiguration -*-
"""
L{QSslConfiguration}: everything a TLS connection is set up with, as Qt 6's
C{QSslConfiguration} (QT_BEHAVIORS.md §1.7), and its frozen snapshot.

Theory of operation
===================

Value semantics
---------------

Qt's configuration is an implicitly shared value: assigning it copies.
Python assignment shares, so copies are explicit here:
C{QSslConfiguration(other)} (Qt's copy constructor), C{copy.copy}, and
every getter that hands a configuration out (L{defaultConfiguration})
returns an independent copy.  Lists returned by getters are fresh lists;
the certificates, keys and ciphers in them are immutable.

Null and default
----------------

C{QSslConfiguration()} is the I{null} configuration: no CA certificates,
no explicit ciphers (a context then uses OpenSSL's defaults), and
L{isNull} True.  L{defaultConfiguration} is a copy of a process-wide
default that differs from it in two places, so the two never compare equal
(§1.7, B36): its CA list is the system store and its cipher list is
L{defaultCiphers <qtwisted._ssl._cipher.defaultCiphers>}.  Both are
represented lazily (by C{None}) and resolved on first use, so creating
configurations, copying them and building snapshots never reads the
system store.  (Qt on Linux loads roots on demand and may show an empty
list here; we show what is trusted.)

Snapshot
--------

The setters stay Qt's, but a pyOpenSSL 26 context cannot change after its
first connection, so a server does not build its context from this
mutable object.  L{QSslConfiguration._snapshot} returns a frozen, hashable
L{Snapshot} holding exactly what shapes the context (certificates and keys
as DER, the resolved protocol, cipher strings, verify settings, ALPN,
options); L{contextFor <qtwisted._ssl._context.contextFor>} keeps one
context per snapshot.  The snapshot is cached on the configuration until a
setter runs, and shared by copies, so the per-connection cost of a server
that copies its configuration into each socket is one dictionary lookup.

Session state
-------------

C{peerCertificate()}, C{sessionCipher()}, C{nextNegotiatedProtocol()} and
the other read-only members describe one connection: a C{QSslSocket}
fills them in (L{QSslConfiguration._setSessionState}) on its own copy.
They take part in equality, as in Qt, but not in the snapshot.
"""

from __future__ import annotations

import enum
import os
from typing import Final, Iterable, TypeVar

from twisted.logger import Logger

from ._certificate import QSslCertificate
from ._cipher import QSslCipher, openSSLNames, defaultCiphers, supportedCiphers
from ._key import QSslKey
from ._qssl import PeerVerifyMode, QSsl
from ._snapshot import Snapshot, keyMatches, systemCaCertificates

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_log = Logger()

# QSslConfigurationPrivate::defaultSslOptions.
_DEFAULT_OPTIONS: Final = (
    QSsl.SslOption.SslOptionDisableEmptyFragments
    | QSsl.SslOption.SslOptionDisableLegacyRenegotiation
    | QSsl.SslOption.SslOptionDisableCompression
    | QSsl.SslOption.SslOptionDisableSessionPersistence
)


class QSslConfiguration:
    """
    Mirrors C{QSslConfiguration}: local certificate chain and key, CA
    certificates, peer verification, protocol range, ciphers, ALPN, PSK
    identity hint and options of a TLS connection; plus, on a socket's
    copy, what its handshake negotiated.

    A mutable value type: C{==} compares every setting (Qt's
    C{operator==}); it is not hashable.  See the module docstring for how
    copies and snapshots work.
    """

    class NextProtocolNegotiationStatus(enum.IntEnum):
        """
        C{QSslConfiguration::NextProtocolNegotiationStatus} (ALPN).
        """

        NextProtocolNegotiationNone = 0
        NextProtocolNegotiationNegotiated = 1
        NextProtocolNegotiationUnsupported = 2

    NextProtocolNegotiationNone: Final = NextProtocolNegotiationStatus.NextProtocolNegotiationNone
    NextProtocolNegotiationNegotiated: Final = (
        NextProtocolNegotiationStatus.NextProtocolNegotiationNegotiated
    )
    NextProtocolNegotiationUnsupported: Final = (
        NextProtocolNegotiationStatus.NextProtocolNegotiationUnsupported
    )

    #: C{QSslConfiguration::NextProtocolHttp1_1}.
    NextProtocolHttp1_1: Final = b"http/1.1"
    #: C{QSslConfiguration::ALPNProtocolHTTP2}.
    ALPNProtocolHTTP2: Final = b"h2"

    def __init__(self, other: QSslConfiguration | None = None) -> None:
        """
        Mirrors C{QSslConfiguration()} (the null configuration) and the
        copy constructor C{QSslConfiguration(other)}.
        """
        self._protocol = QSsl.SslProtocol.SecureProtocols
        self._peerVerifyMode = PeerVerifyMode.AutoVerifyPeer
        self._peerVerifyDepth = 0
        self._localCertificateChain: list[QSslCertificate] = []
        self._privateKey = QSslKey()
        # None: the system store / the default cipher list, resolved lazily.
        self._caCertificates: list[QSslCertificate] | None = []
        self._ciphers: list[QSslCipher] | None = []
        self._cipherString: str | None = None
        self._sslOptions = _DEFAULT_OPTIONS
        self._preSharedKeyIdentityHint: bytes | None = None
        self._allowedNextProtocols: list[bytes] = []
        self._handshakeMustInterruptOnError = False
        self._missingCertificateIsFatal = False
        # What a handshake negotiated (set by QSslSocket on its copy).
        self._peerCertificateChain: list[QSslCertificate] = []
        self._sessionCipher = QSslCipher()
        self._sessionProtocol = QSsl.SslProtocol.UnknownProtocol
        self._ephemeralServerKey = QSslKey()
        self._nextNegotiatedProtocol: bytes | None = None
        self._nextProtocolNegotiationStatus = self.NextProtocolNegotiationNone
        self._snapshotCache: Snapshot | None = None
        if other is not None:
            if not isinstance(other, QSslConfiguration):
                raise TypeError(f"expected a QSslConfiguration to copy, not {type(other).__name__}")
            self._assign(other)

    def _assign(self, other: QSslConfiguration) -> None:
        for name, value in vars(other).items():
            setattr(self, name, list(value) if isinstance(value, list) else value)

    def _touch(self) -> None:
        self._snapshotCache = None

    def __copy__(self) -> QSslConfiguration:
        return QSslConfiguration(self)

    def __deepcopy__(self, memo: object) -> QSslConfiguration:
        return QSslConfiguration(self)

    def swap(self, other: QSslConfiguration) -> None:
        """
        Mirrors C{QSslConfiguration::swap()}.
        """
        mine = QSslConfiguration(self)
        self._assign(other)
        other._assign(mine)

    # -- the process-wide default -----------------------------------------

    @classmethod
    def defaultConfiguration(cls) -> QSslConfiguration:
        """
        Mirrors C{QSslConfiguration::defaultConfiguration()}: a copy of the
        configuration new sockets start from (§1.7): AutoVerifyPeer, depth
        0, SecureProtocols (TLS 1.2 or later), the system CA certificates,
        the default ciphers, no certificate, key, PSK hint or ALPN list.
        """
        return QSslConfiguration(_defaultConfiguration)

    @classmethod
    def setDefaultConfiguration(cls, configuration: QSslConfiguration) -> None:
        """
        Mirrors C{QSslConfiguration::setDefaultConfiguration()}: later
        L{defaultConfiguration} calls return copies of C{configuration};
        existing copies are not affected.
        """
        global _defaultConfiguration
        _defaultConfiguration = QSslConfiguration(configuration)

    @staticmethod
    def systemCaCertificates() -> list[QSslCertificate]:
        """
        Mirrors C{QSslConfiguration::systemCaCertificates()}: the
        operating system's trusted CAs (read once, on first use).
        """
        return systemCaCertificates()

    @staticmethod
    def supportedCiphers() -> list[QSslCipher]:
        """
        Mirrors C{QSslConfiguration::supportedCiphers()}.
        """
        return supportedCiphers()

    # -- settings ---------------------------------------------------------

    def isNull(self) -> bool:
        """
        Mirrors C{QSslConfiguration::isNull()}: True for a
        default-constructed configuration no setter has changed.
        """
        return (
            self._protocol == QSsl.SslProtocol.SecureProtocols
            and self._peerVerifyMode == PeerVerifyMode.AutoVerifyPeer
            and self._peerVerifyDepth == 0
            and self._caCertificates == []
            and self._ciphers == []
            and self._cipherString is None
            and not self._localCertificateChain
            and self._privateKey.isNull()
            and not self._peerCertificateChain
            and self._sslOptions == _DEFAULT_OPTIONS
            and self._preSharedKeyIdentityHint is None
            and not self._allowedNextProtocols
            and self._nextNegotiatedProtocol is None
            and self._nextProtocolNegotiationStatus == self.NextProtocolNegotiationNone
            and not self._handshakeMustInterruptOnError
            and not self._missingCertificateIsFatal
        )

    def protocol(self) -> QSsl.SslProtocol:
        """
        Mirrors C{QSslConfiguration::protocol()} (default SecureProtocols).
        """
        return self._protocol

    def setProtocol(self, protocol: QSsl.SslProtocol) -> None:
        """
        Mirrors C{QSslConfiguration::setProtocol()}.  Only an explicit call
        enables TLS 1.0 or 1.1 (C{TlsV1_0}, C{TlsV1_1}, C{TlsV1_0OrLater},
        C{TlsV1_1OrLater}, C{AnyProtocol}); OpenSSL 3 and later refuse
        those versions at their default security level as well, so they
        also need C{"@SECLEVEL=0"} in an OpenSSL cipher string given to
        L{setCiphers}.  A configuration that allows I{only} versions
        OpenSSL refuses is reported when its context is built (a
        C{ValueError} naming the protocol); a range that still includes
        TLS 1.2 just fails handshakes with legacy clients.
        """
        self._protocol = QSsl.SslProtocol(protocol)
        self._touch()

    def peerVerifyMode(self) -> PeerVerifyMode:
        """
        Mirrors C{QSslConfiguration::peerVerifyMode()} (default
        AutoVerifyPeer: QueryPeer on a server, VerifyPeer on a client).
        """
        return self._peerVerifyMode

    def setPeerVerifyMode(self, mode: PeerVerifyMode) -> None:
        """
        Mirrors C{QSslConfiguration::setPeerVerifyMode()}.
        """
        self._peerVerifyMode = PeerVerifyMode(mode)
        self._touch()

    def peerVerifyDepth(self) -> int:
        """
        Mirrors C{QSslConfiguration::peerVerifyDepth()} (0: no limit).
        """
        return self._peerVerifyDepth

    def setPeerVerifyDepth(self, depth: int) -> None:
        """
        Mirrors C{QSslConfiguration::setPeerVerifyDepth()}: a negative
        depth is ignored with a warning, as in Qt.
        """
        if depth < 0:
            _log.warn(
                "QSslConfiguration::setPeerVerifyDepth: cannot set negative depth of {depth}",
                depth=depth,
            )
            return
        self._peerVerifyDepth = int(depth)
        self._touch()

    def localCertificate(self) -> QSslCertificate:
        """
        Mirrors C{QSslConfiguration::localCertificate()}: the first
        certificate of the local chain, or a null certificate.
        """
        chain = self._localCertificateChain
        return chain[0] if chain else QSslCertificate()

    def setLocalCertificate(self, certificate: QSslCertificate) -> None:
        """
        Mirrors C{QSslConfiguration::setLocalCertificate()}: the chain
        becomes this one certificate (none, for a null certificate).
        """
        _check(certificate, QSslCertificate, "certificate")
        self._localCertificateChain = [] if certificate.isNull() else [certificate]
        self._touch()

    def localCertificateChain(self) -> list[QSslCertificate]:
        """
        Mirrors C{QSslConfiguration::localCertificateChain()}: the local
        certificate first, then the intermediates sent with it.
        """
        return list(self._localCertificateChain)

    def setLocalCertificateChain(self, localChain: Iterable[QSslCertificate]) -> None:
        """
        Mirrors C{QSslConfiguration::setLocalCertificateChain()}.
        """
        chain = [_check(c, QSslCertificate, "localChain entry") for c in localChain]
        self._localCertificateChain = [c for c in chain if not c.isNull()]
        self._touch()

    def privateKey(self) -> QSslKey:
        """
        Mirrors C{QSslConfiguration::privateKey()}.
        """
        return self._privateKey

    def setPrivateKey(self, key: QSslKey) -> None:
        """
        Mirrors C{QSslConfiguration::setPrivateKey()}.  Whether it matches
        the local certificate is checked when a context is built (and at
        once by L{loadLocalCertificate}).
        """
        self._privateKey = _check(key, QSslKey, "key")
        self._touch()

    def loadLocalCertificate(
        self,
        certificatePath: str | os.PathLike[str],
        privateKeyPath: str | os.PathLike[str] | None = None,
        passPhrase: bytes = b"",
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
    ) -> None:
        """
        qtwisted extension: set the local certificate chain and private
        key from files, checking everything now.

        @param certificatePath: the certificate, followed by its
            intermediates, in one file.
        @param privateKeyPath: the key file; C{None} reads the key from
            C{certificatePath} too (a combined PEM file).
        @param passPhrase: decrypts an encrypted key.
        @raise OSError: a file cannot be read (the error names it).
        @raise ValueError: no certificate, no key, a wrong passphrase, or
            a key that does not belong to the certificate; the message
            names the file(s).
        """
        chain = QSslCertificate.load(certificatePath, format)
        key = QSslKey.load(
            privateKeyPath if privateKeyPath is not None else certificatePath,
            None,
            format,
            QSsl.KeyType.PrivateKey,
            passPhrase,
        )
        if not keyMatches(chain[0], key):
            raise ValueError(
                f"the private key{key._describe()} does not match the certificate "
                f"{chain[0]._describe()}"
            )
        self._localCertificateChain = chain
        self._privateKey = key
        self._touch()

    def caCertificates(self) -> list[QSslCertificate]:
        """
        Mirrors C{QSslConfiguration::caCertificates()}: the CAs a peer's
        certificate is verified against (for the default configuration,
        the system store, read on first use).
        """
        if self._caCertificates is None:
            return systemCaCertificates()
        return list(self._caCertificates)

    def setCaCertificates(self, certificates: Iterable[QSslCertificate]) -> None:
        """
        Mirrors C{QSslConfiguration::setCaCertificates()}.
        """
        self._caCertificates = [_check(c, QSslCertificate, "CA certificate") for c in certificates]
        self._touch()

    def addCaCertificate(self, certificate: QSslCertificate) -> None:
        """
        Mirrors C{QSslConfiguration::addCaCertificate()}.
        """
        self.addCaCertificates([certificate])

    def addCaCertificates(
        self,
        certificates: Iterable[QSslCertificate] | str | os.PathLike[str],
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        syntax: QSslCertificate.PatternSyntax = QSslCertificate.PatternSyntax.FixedString,
    ) -> bool:
        """
        Mirrors both C{QSslConfiguration::addCaCertificates()} overloads:
        add a list of certificates, or those found at a path (as
        L{QSslCertificate.fromPath}).

        @return: whether any certificate was added (Qt returns this for
            the path overload only).
        """
        if isinstance(certificates, (str, os.PathLike)):
            found = QSslCertificate.fromPath(certificates, format, syntax)
        else:
            found = [_check(c, QSslCertificate, "CA certificate") for c in certificates]
        if not found:
            return False
        self._caCertificates = self.caCertificates() + found
        self._touch()
        return True

    def ciphers(self) -> list[QSslCipher]:
        """
        Mirrors C{QSslConfiguration::ciphers()}: the suites offered, most
        preferred first (for an OpenSSL cipher string, what OpenSSL makes
        of it; TLS 1.3 suites are then OpenSSL's defaults and not listed).
        """
        if self._cipherString is not None:
            return [
                QSslCipher._fromName(n)
                for n in openSSLNames(self._cipherString.encode("ascii"))
                if not n.startswith("TLS_")
            ]
        if self._ciphers is None:
            return defaultCiphers()
        return list(self._ciphers)

    def setCiphers(self, ciphers: Iterable[QSslCipher] | str) -> None:
        """
        Mirrors both C{QSslConfiguration::setCiphers()} overloads.

        A list of L{QSslCipher} (null ciphers are dropped) is used as
        given, TLS 1.3 suites included.  A string of cipher names joined by
        C{":"} selects those names, as in Qt; a string that is not only
        names (C{"HIGH:!aNULL"}, C{"DEFAULT:@SECLEVEL=0"}) is a qtwisted
        extension: it is passed to OpenSSL as a cipher string for TLS 1.2
        and older.

        @raise ValueError: OpenSSL selects no cipher from the string.
        """
        if isinstance(ciphers, str):
            names = [n for n in ciphers.split(":") if n]
            known = {c.name() for c in supportedCiphers()}
            if names and all(n in known for n in names):
                self._ciphers, self._cipherString = [QSslCipher(n) for n in names], None
            else:
                _validateCipherString(ciphers)
                self._ciphers, self._cipherString = [], ciphers
        else:
            chosen = [_check(c, QSslCipher, "cipher") for c in ciphers]
            self._ciphers, self._cipherString = [c for c in chosen if not c.isNull()], None
        self._touch()

    def allowedNextProtocols(self) -> list[bytes]:
        """
        Mirrors C{QSslConfiguration::allowedNextProtocols()} (ALPN).
        """
        return list(self._allowedNextProtocols)

    def setAllowedNextProtocols(self, protocols: Iterable[bytes]) -> None:
        """
        Mirrors C{QSslConfiguration::setAllowedNextProtocols()}: the ALPN
        protocol names, in preference order.  As in Qt, empty names and
        names longer than 255 bytes are skipped (with a warning for the
        latter).
        """
        kept: list[bytes] = []
        for name in protocols:
            name = _check(name, bytes, "ALPN protocol name")
            if len(name) > 255:
                _log.warn(
                    "TLS ALPN extension {name!r} is too long and will be ignored.",
                    name=name,
                )
            elif name:
                kept.append(name)
        self._allowedNextProtocols = kept
        self._touch()

    def preSharedKeyIdentityHint(self) -> bytes:
        """
        Mirrors C{QSslConfiguration::preSharedKeyIdentityHint()}.
        """
        return self._preSharedKeyIdentityHint or b""

    def setPreSharedKeyIdentityHint(self, hint: bytes) -> None:
        """
        Mirrors C{QSslConfiguration::setPreSharedKeyIdentityHint()}: the
        hint a server sends to PSK clients.
        """
        self._preSharedKeyIdentityHint = _check(hint, bytes, "hint")
        self._touch()

    def handshakeMustInterruptOnError(self) -> bool:
        """
        Mirrors C{QSslConfiguration::handshakeMustInterruptOnError()}.
        """
        return self._handshakeMustInterruptOnError

    def setHandshakeMustInterruptOnError(self, interrupt: bool) -> None:
        """
        Mirrors C{QSslConfiguration::setHandshakeMustInterruptOnError()}:
        report each verification error from inside the handshake
        (C{handshakeInterruptedOnError}, B46) instead of collecting them
        for C{sslErrors} after it.
        """
        self._handshakeMustInterruptOnError = bool(interrupt)
        self._touch()

    def missingCertificateIsFatal(self) -> bool:
        """
        Mirrors C{QSslConfiguration::missingCertificateIsFatal()}.
        """
        return self._missingCertificateIsFatal

    def setMissingCertificateIsFatal(self, cannotRecover: bool) -> None:
        """
        Mirrors C{QSslConfiguration::setMissingCertificateIsFatal()}: a
        server then lets OpenSSL abort a handshake without a client
        certificate (C{SSL_VERIFY_FAIL_IF_NO_PEER_CERT}) instead of
        reporting C{NoPeerCertificate} afterwards.
        """
        self._missingCertificateIsFatal = bool(cannotRecover)
        self._touch()

    def testSslOption(self, option: QSsl.SslOption) -> bool:
        """
        Mirrors C{QSslConfiguration::testSslOption()}.
        """
        return bool(self._sslOptions & option)

    def setSslOption(self, option: QSsl.SslOption, on: bool) -> None:
        """
        Mirrors C{QSslConfiguration::setSslOption()}.
        """
        option = QSsl.SslOption(option)
        self._sslOptions = self._sslOptions | option if on else self._sslOptions & ~option
        self._touch()

    # -- what a handshake negotiated (read-only) ---------------------------

    def peerCertificate(self) -> QSslCertificate:
        """
        Mirrors C{QSslConfiguration::peerCertificate()}.
        """
        chain = self._peerCertificateChain
        return chain[0] if chain else QSslCertificate()

    def peerCertificateChain(self) -> list[QSslCertificate]:
        """
        Mirrors C{QSslConfiguration::peerCertificateChain()}.
        """
        return list(self._peerCertificateChain)

    def sessionCipher(self) -> QSslCipher:
        """
        Mirrors C{QSslConfiguration::sessionCipher()}.
        """
        return self._sessionCipher

    def sessionProtocol(self) -> QSsl.SslProtocol:
        """
        Mirrors C{QSslConfiguration::sessionProtocol()}.
        """
        return self._sessionProtocol

    def ephemeralServerKey(self) -> QSslKey:
        """
        Mirrors C{QSslConfiguration::ephemeralServerKey()}.
        """
        return self._ephemeralServerKey

    def nextNegotiatedProtocol(self) -> bytes:
        """
        Mirrors C{QSslConfiguration::nextNegotiatedProtocol()}.
        """
        return self._nextNegotiatedProtocol or b""

    def nextProtocolNegotiationStatus(self) -> QSslConfiguration.NextProtocolNegotiationStatus:
        """
        Mirrors C{QSslConfiguration::nextProtocolNegotiationStatus()}.
        """
        return self._nextProtocolNegotiationStatus

    def _setSessionState(
        self,
        *,
        peerCertificateChain: list[QSslCertificate] | None = None,
        sessionCipher: QSslCipher | None = None,
        sessionProtocol: QSsl.SslProtocol | None = None,
        ephemeralServerKey: QSslKey | None = None,
        nextNegotiatedProtocol: bytes | None = None,
        nextProtocolNegotiationStatus: NextProtocolNegotiationStatus | None = None,
    ) -> None:
        """
        Record what a handshake negotiated (internal; for QSslSocket).
        Arguments left C{None} keep their value.
        """
        if peerCertificateChain is not None:
            self._peerCertificateChain = list(peerCertificateChain)
        if sessionCipher is not None:
            self._sessionCipher = sessionCipher
        if sessionProtocol is not None:
            self._sessionProtocol = sessionProtocol
        if ephemeralServerKey is not None:
            self._ephemeralServerKey = ephemeralServerKey
        if nextNegotiatedProtocol is not None:
            self._nextNegotiatedProtocol = nextNegotiatedProtocol
        if nextProtocolNegotiationStatus is not None:
            self._nextProtocolNegotiationStatus = nextProtocolNegotiationStatus

    # -- equality and the snapshot -----------------------------------------

    def _comparable(self) -> tuple[object, ...]:
        return (
            self._protocol,
            self._peerVerifyMode,
            self._peerVerifyDepth,
            self._localCertificateChain,
            self._privateKey,
            self._cipherString,
            self._sslOptions,
            self._preSharedKeyIdentityHint,
            self._allowedNextProtocols,
            self._handshakeMustInterruptOnError,
            self._missingCertificateIsFatal,
            self._peerCertificateChain,
            self._sessionCipher,
            self._sessionProtocol,
            self._ephemeralServerKey,
            self._nextNegotiatedProtocol,
            self._nextProtocolNegotiationStatus,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslConfiguration):
            return NotImplemented
        if self is other:
            return True
        if self._comparable() != other._comparable():
            return False
        # The lazily represented lists are only resolved when needed.
        if self._ciphers != other._ciphers and self.ciphers() != other.ciphers():
            return False
        if self._caCertificates != other._caCertificates:
            return self.caCertificates() == other.caCertificates()
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self.isNull():
            return "QSslConfiguration()"
        return (
            f"<QSslConfiguration protocol={self._protocol.name} "
            f"verify={self._peerVerifyMode.name} "
            f"certificate={self.localCertificate()!r}>"
        )

    def _snapshot(self) -> Snapshot:
        """
        The frozen L{Snapshot} of this configuration (cached until a setter
        runs; copies share it).
        """
        snapshot = self._snapshotCache
        if snapshot is None:
            snapshot = self._snapshotCache = self._buildSnapshot()
        return snapshot

    def _buildSnapshot(self) -> Snapshot:
        cipherList = tls13 = None
        if self._cipherString is not None:
            cipherList = self._cipherString
        elif self._ciphers:
            # QSslContext::initSslContext's filterCiphers(): TLS 1.3 suites
            # are configured apart from the older ones.
            older = [c.name() for c in self._ciphers if c.protocol() != QSsl.TlsV1_3]
            newer = [c.name() for c in self._ciphers if c.protocol() == QSsl.TlsV1_3]
            cipherList = ":".join(older) or None
            tls13 = ":".join(newer) or None
        chain = self._localCertificateChain
        key = self._privateKey
        return Snapshot(
            protocol=self._protocol,
            peerVerifyMode=self._peerVerifyMode,
            peerVerifyDepth=self._peerVerifyDepth,
            localCertificateChain=tuple(c.toDer() for c in chain),
            privateKey=key._identity() if key.type() == QSsl.PrivateKey else b"",
            caCertificates=(
                None
                if self._caCertificates is None
                else tuple(c.toDer() for c in self._caCertificates)
            ),
            cipherList=cipherList,
            tls13Ciphersuites=tls13,
            sslOptions=int(self._sslOptions),
            preSharedKeyIdentityHint=self._preSharedKeyIdentityHint,
            allowedNextProtocols=tuple(self._allowedNextProtocols),
            handshakeMustInterruptOnError=self._handshakeMustInterruptOnError,
            missingCertificateIsFatal=self._missingCertificateIsFatal,
            localCertificateSource=(chain[0]._describe() if chain else "the local certificate"),
            privateKeySource=key._describe(),
            privateKeyError=key._loadError,
        )


_T = TypeVar("_T")


def _check(value: object, kind: type[_T], what: str) -> _T:
    if not isinstance(value, kind):
        raise TypeError(f"{what} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _validateCipherString(ciphers: str) -> None:
    from OpenSSL import SSL

    try:
        SSL.Context(SSL.TLS_METHOD).set_cipher_list(ciphers.encode("ascii"))
    except (SSL.Error, UnicodeEncodeError):
        raise ValueError(f"OpenSSL selects no cipher from {ciphers!r}") from None


def _makeDefault() -> QSslConfiguration:
    configuration = QSslConfiguration()
    configuration._caCertificates = None
    configuration._ciphers = None
    return configuration


_defaultConfiguration = _makeDefault()

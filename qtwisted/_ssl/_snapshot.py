# -*- test-case-name: tests.test_sslconfiguration -*-
"""
The frozen L{Snapshot} of a L{QSslConfiguration
<qtwisted._ssl._configuration.QSslConfiguration>} (the key of the context
cache in L{qtwisted._ssl._context}), the operating system's CA store, and
the certificate/key match check shared by both.
"""

from __future__ import annotations

import os
import ssl
import warnings
from dataclasses import dataclass, field

from cryptography.utils import CryptographyDeprecationWarning

from ._certificate import QSslCertificate
from ._key import QSslKey
from ._qssl import PeerVerifyMode, QSsl

__all__ = ["Snapshot", "systemCaCertificates", "keyMatches"]


@dataclass(frozen=True)
class Snapshot:
    """
    Everything in a L{QSslConfiguration} that shapes a TLS context, frozen
    and hashable: the key of the context cache.

    Certificates are DER bytes and the private key is unencrypted PKCS#8
    DER, so that equal configurations give equal snapshots.  The
    C{*Source} and C{privateKeyError} fields only improve error messages
    and do not take part in equality.
    """

    protocol: QSsl.SslProtocol
    peerVerifyMode: PeerVerifyMode
    peerVerifyDepth: int
    localCertificateChain: tuple[bytes, ...]
    privateKey: bytes
    caCertificates: tuple[bytes, ...] | None
    cipherList: str | None
    tls13Ciphersuites: str | None
    sslOptions: int
    preSharedKeyIdentityHint: bytes | None
    allowedNextProtocols: tuple[bytes, ...]
    handshakeMustInterruptOnError: bool
    missingCertificateIsFatal: bool
    localCertificateSource: str = field(default="the local certificate", compare=False)
    privateKeySource: str = field(default="", compare=False)
    privateKeyError: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Snapshots are dictionary keys looked up once per connection:
        # hash the (possibly large) fields once.
        object.__setattr__(
            self,
            "_hash",
            hash(
                (
                    self.protocol,
                    self.peerVerifyMode,
                    self.peerVerifyDepth,
                    self.localCertificateChain,
                    self.privateKey,
                    self.caCertificates,
                    self.cipherList,
                    self.tls13Ciphersuites,
                    self.sslOptions,
                    self.preSharedKeyIdentityHint,
                    self.allowedNextProtocols,
                    self.handshakeMustInterruptOnError,
                    self.missingCertificateIsFatal,
                )
            ),
        )

    def __hash__(self) -> int:
        return self.__dict__["_hash"]  # type: ignore[no-any-return]


_systemStore: list[QSslCertificate] | None = None


def systemCaCertificates() -> list[QSslCertificate]:
    """
    The operating system's trusted CA certificates, read once per process
    from the places Python's C{ssl} module reports
    (C{ssl.get_default_verify_paths}: C{SSL_CERT_FILE} / C{SSL_CERT_DIR}
    or OpenSSL's compiled-in bundle and directory), parsed with
    C{cryptography}, duplicates removed.  An unreadable store gives an
    empty list.
    """
    global _systemStore
    if _systemStore is None:
        paths = ssl.get_default_verify_paths()
        files: list[str] = []
        for candidate in (paths.cafile, paths.openssl_cafile):
            if candidate and os.path.isfile(candidate):
                files.append(candidate)
                break
        if not files:
            for directory in (paths.capath, paths.openssl_capath):
                if directory and os.path.isdir(directory):
                    files = sorted(
                        os.path.join(directory, n)
                        for n in os.listdir(directory)
                        if os.path.isfile(os.path.join(directory, n))
                    )
                    break
        seen: set[QSslCertificate] = set()
        store: list[QSslCertificate] = []
        for path in files:
            with warnings.catch_warnings():
                # Some system roots have a serial number RFC 5280 forbids;
                # they are the system's business, not the user's.
                warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                found = QSslCertificate.fromFile(path)
            for cert in found:
                if cert not in seen:
                    seen.add(cert)
                    store.append(cert)
        _systemStore = store
    return list(_systemStore)


def keyMatches(certificate: QSslCertificate, key: QSslKey) -> bool:
    """
    Whether C{key} is the private key of C{certificate}'s public key (what
    OpenSSL's C{check_privatekey} decides).
    """
    handle = key.handle()
    if certificate.isNull() or handle is None or not hasattr(handle, "public_key"):
        return False
    public = QSslKey._fromCryptography(handle.public_key())
    return certificate.publicKey()._identity() == public._identity()

# -*- test-case-name: tests.test_sslsocket -*-
"""
What a finished TLS handshake says, in Qt's terms: the session state a
C{QSslSocket} reports (peer certificate chain, cipher, protocol, ALPN),
Qt's host name check, and Qt's texts for TLS errors.

Pure functions over a pyOpenSSL C{Connection}; L{qtwisted._ssl._socket}
calls them.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any, Final

from OpenSSL import SSL
from service_identity import CertificateError, VerificationError
from service_identity.cryptography import (
    verify_certificate_hostname,
    verify_certificate_ip_address,
)

from .._errors import Strings
from ._certificate import QSslCertificate
from ._cipher import QSslCipher
from ._configuration import QSslConfiguration
from ._key import QSslKey
from ._qssl import QSsl

__all__ = [
    "SslStrings",
    "openSslErrors",
    "hostNameMatches",
    "settingsOnly",
    "isAddress",
    "readSession",
]

_Status = QSslConfiguration.NextProtocolNegotiationStatus


class SslStrings:
    """
    Qt's texts for TLS errors (C{qsslsocket_openssl.cpp} / C{qtls_openssl.cpp}).
    """

    HandshakeError = "Error during SSL handshake: {}"
    ConnectionClosed = "The TLS/SSL connection has been closed"
    ReadError = "Error while reading: {}"


def openSslErrors(exc: BaseException | None) -> str:
    """
    OpenSSL's error queue as Qt's C{getErrorsFromOpenSsl()} joins it
    (C{", "}), each entry as C{ERR_error_string_n} spells it except for the
    hexadecimal error code, which pyOpenSSL does not give:
    C{"error:SSL routines::sslv3 alert handshake failure"}.
    """
    if isinstance(exc, SSL.SysCallError):
        return str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    if isinstance(exc, SSL.Error) and exc.args and isinstance(exc.args[0], list):
        parts = []
        for entry in exc.args[0]:
            if isinstance(entry, tuple) and len(entry) == 3:
                parts.append("error:{}:{}:{}".format(*entry))
            else:
                parts.append(str(entry))
        if parts:
            return ", ".join(parts)
    return str(exc) if exc is not None else Strings.Unknown


@lru_cache(maxsize=256)
def _cipher(name: str) -> QSslCipher:
    # One QSslCipher per negotiated name (the lookup scans Qt's list).
    return QSslCipher._fromName(name)


_PROTOCOLS: Final = {
    "TLSv1": QSsl.SslProtocol.TlsV1_0,
    "TLSv1.1": QSsl.SslProtocol.TlsV1_1,
    "TLSv1.2": QSsl.SslProtocol.TlsV1_2,
    "TLSv1.3": QSsl.SslProtocol.TlsV1_3,
}


def hostNameMatches(certificate: QSslCertificate, name: str) -> bool:
    """
    Whether C{certificate} is valid for C{name} (Qt's
    C{isMatchingHostname}), decided by C{service_identity} (RFC 6125:
    subjectAltName DNS and IP entries, wildcards in the leftmost label; the
    common name is not consulted).
    """
    handle = certificate.handle()
    if handle is None or not name:
        return False
    name = name.strip("[]")
    try:
        try:
            address = ipaddress.ip_address(name.partition("%")[0])
        except ValueError:
            verify_certificate_hostname(handle, name)
        else:
            verify_certificate_ip_address(handle, str(address))
    except (VerificationError, CertificateError, ValueError):
        return False
    return True


def settingsOnly(configuration: QSslConfiguration) -> QSslConfiguration:
    """
    A copy of C{configuration} without what a handshake negotiated: what
    Qt's C{QSslSocket::setSslConfiguration} (and C{QSslServer}'s) copy.
    """
    if not isinstance(configuration, QSslConfiguration):
        raise TypeError(
            f"configuration must be a QSslConfiguration, not {type(configuration).__name__}"
        )
    copy = QSslConfiguration(configuration)
    copy._peerCertificateChain = []
    copy._sessionCipher = QSslCipher()
    copy._sessionProtocol = QSsl.SslProtocol.UnknownProtocol
    copy._ephemeralServerKey = QSslKey()
    copy._nextNegotiatedProtocol = None
    copy._nextProtocolNegotiationStatus = _Status.NextProtocolNegotiationNone
    return copy


def isAddress(name: str) -> bool:
    """
    Whether C{name} is an IP address literal (no SNI, and an IP check).
    """
    try:
        ipaddress.ip_address(name.strip("[]").partition("%")[0])
    except ValueError:
        return False
    return True


def readSession(
    connection: SSL.Connection,
    isServer: bool,
    alpnStatus: QSslConfiguration.NextProtocolNegotiationStatus | None,
    offeredProtocols: bool,
) -> dict[str, Any]:
    """
    What C{connection}'s handshake negotiated, as keyword arguments of
    C{QSslConfiguration._setSessionState} (Qt's C{storePeerCertificates}
    and C{continueHandshake}).

    @param isServer: the socket is the server side (OpenSSL then leaves
        the peer's own certificate out of the chain; Qt puts it first).
    @param alpnStatus: a server's ALPN outcome, from its verify recorder.
    @param offeredProtocols: a client offered ALPN protocols.
    """
    chain = connection.get_peer_cert_chain(as_cryptography=True) or []
    certificates = [QSslCertificate._fromCryptography(c) for c in chain]
    if isServer:
        peer = connection.get_peer_certificate(as_cryptography=True)
        if peer is not None:
            certificates.insert(0, QSslCertificate._fromCryptography(peer))
    session: dict[str, Any] = {"peerCertificateChain": certificates}
    name = connection.get_cipher_name()
    if name:
        session["sessionCipher"] = _cipher(name)
    version = connection.get_protocol_version_name()
    session["sessionProtocol"] = _PROTOCOLS.get(version, QSsl.SslProtocol.UnknownProtocol)
    negotiated = connection.get_alpn_proto_negotiated()
    if negotiated:
        session["nextNegotiatedProtocol"] = negotiated
        session["nextProtocolNegotiationStatus"] = _Status.NextProtocolNegotiationNegotiated
    elif isServer:
        if alpnStatus is not None:
            session["nextProtocolNegotiationStatus"] = alpnStatus
    elif offeredProtocols:
        session["nextProtocolNegotiationStatus"] = _Status.NextProtocolNegotiationUnsupported
    return session

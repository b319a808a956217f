# -*- test-case-name: tests.test_sslerror -*-
"""
The C{QSsl} namespace: Qt's TLS enumerations, with Qt's numbers.

Qt declares these in C{qssl.h} (qtbase C{src/network/ssl/qssl.h}, Qt 6) as
enums of the C{QSsl} namespace.  Here C{QSsl} is a class that only holds
them, each an C{enum.IntEnum} (an C{enum.IntFlag} for the option flags).
The unscoped C++ enums (C{KeyType}, C{EncodingFormat}, C{KeyAlgorithm},
C{AlternativeNameEntryType}, C{SslProtocol}, C{SslOption}) are also
reachable as C{QSsl.Pem}, C{QSsl.TlsV1_2OrLater}, ... as in C++; the
C{enum class}es C{AlertLevel} and C{AlertType} have no unscoped aliases in
Qt and have none here.

Two enumerations that Qt nests in C{QSslSocket} live here too,
L{PeerVerifyMode} and L{SslMode}, because L{QSslConfiguration
<qtwisted._ssl._configuration.QSslConfiguration>} needs them before
C{QSslSocket} exists; C{QSslSocket} re-exports them under its own name.
"""

from __future__ import annotations

import enum
from typing import Final

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).


class QSsl:
    """
    Mirrors the C{QSsl} namespace: the enumerations shared by Qt's TLS
    classes, nested as in Qt, with Qt's unscoped aliases for the C++
    enums that have them (C{QSsl.Pem is QSsl.EncodingFormat.Pem}).

    It is a namespace, not a type to instantiate.
    """

    class KeyType(enum.IntEnum):
        """
        C{QSsl::KeyType}: whether a L{QSslKey} is private or public.
        """

        PrivateKey = 0
        PublicKey = 1

    class EncodingFormat(enum.IntEnum):
        """
        C{QSsl::EncodingFormat}: PEM (Base64 text) or DER (binary).
        """

        Pem = 0
        Der = 1

    class KeyAlgorithm(enum.IntEnum):
        """
        C{QSsl::KeyAlgorithm}.  C{Opaque} is a key of a type Qt does not
        model (here: Ed25519, Ed448 and the other keys C{cryptography}
        loads); C{MlDsa} (ML-DSA, FIPS 204) is in the newest C{qssl.h}.
        """

        Opaque = 0
        Rsa = 1
        Dsa = 2
        Ec = 3
        Dh = 4
        MlDsa = 5

    class AlternativeNameEntryType(enum.IntEnum):
        """
        C{QSsl::AlternativeNameEntryType}: the kind of a subjectAltName entry.
        """

        EmailEntry = 0
        DnsEntry = 1
        IpAddressEntry = 2

    class SslProtocol(enum.IntEnum):
        """
        C{QSsl::SslProtocol}.  C{TlsV1_0}, C{TlsV1_1} and the ranges that start
        below TLS 1.2 are deprecated since Qt 6.3 and enable legacy protocol
        versions; the default, C{SecureProtocols}, means TLS 1.2 or later.
        """

        TlsV1_0 = 0
        TlsV1_1 = 1
        TlsV1_2 = 2
        AnyProtocol = 3
        SecureProtocols = 4
        TlsV1_0OrLater = 5
        TlsV1_1OrLater = 6
        TlsV1_2OrLater = 7
        DtlsV1_0 = 8
        DtlsV1_0OrLater = 9
        DtlsV1_2 = 10
        DtlsV1_2OrLater = 11
        TlsV1_3 = 12
        TlsV1_3OrLater = 13
        UnknownProtocol = -1

    class SslOption(enum.IntFlag):
        """
        C{QSsl::SslOption} (and C{QSsl::SslOptions}, its flags type).
        """

        SslOptionDisableEmptyFragments = 0x01
        SslOptionDisableSessionTickets = 0x02
        SslOptionDisableCompression = 0x04
        SslOptionDisableServerNameIndication = 0x08
        SslOptionDisableLegacyRenegotiation = 0x10
        SslOptionDisableSessionSharing = 0x20
        SslOptionDisableSessionPersistence = 0x40
        SslOptionDisableServerCipherPreference = 0x80

    class AlertLevel(enum.IntEnum):
        """
        C{QSsl::AlertLevel} (an C{enum class}: no unscoped aliases).
        """

        Warning = 0
        Fatal = 1
        Unknown = 2

    class AlertType(enum.IntEnum):
        """
        C{QSsl::AlertType}: the TLS alert description numbers (RFC 8446 §6,
        RFC 5246 §7.2) with Qt's names.  Qt passes values it does not know
        through as they are (C{QSsl::AlertType(value & 0xff)}); use
        L{toAlertType} to get a member or, failing that, the plain C{int}.
        """

        CloseNotify = 0
        UnexpectedMessage = 10
        BadRecordMac = 20
        RecordOverflow = 22
        DecompressionFailure = 30
        HandshakeFailure = 40
        NoCertificate = 41
        BadCertificate = 42
        UnsupportedCertificate = 43
        CertificateRevoked = 44
        CertificateExpired = 45
        CertificateUnknown = 46
        IllegalParameter = 47
        UnknownCa = 48
        AccessDenied = 49
        DecodeError = 50
        DecryptError = 51
        ExportRestriction = 60
        ProtocolVersion = 70
        InsufficientSecurity = 71
        InternalError = 80
        InappropriateFallback = 86
        UserCancelled = 90
        NoRenegotiation = 100
        MissingExtension = 109
        UnsupportedExtension = 110
        CertificateUnobtainable = 111
        UnrecognizedName = 112
        BadCertificateStatusResponse = 113
        BadCertificateHashValue = 114
        UnknownPskIdentity = 115
        CertificateRequired = 116
        NoApplicationProtocol = 120
        UnknownAlertMessage = 255

    class ImplementedClass(enum.IntEnum):
        """
        C{QSsl::ImplementedClass}: what a TLS backend implements.
        """

        Key = 0
        Certificate = 1
        Socket = 2
        DiffieHellman = 3
        EllipticCurve = 4
        Dtls = 5
        DtlsCookie = 6

    class SupportedFeature(enum.IntEnum):
        """
        C{QSsl::SupportedFeature}: optional features of a TLS backend.
        """

        CertificateVerification = 0
        ClientSideAlpn = 1
        ServerSideAlpn = 2
        Ocsp = 3
        Psk = 4
        SessionTicket = 5
        Alerts = 6

    SslOptions = SslOption

    # Unscoped aliases, spelled out so that type checkers see them.
    PrivateKey: Final = KeyType.PrivateKey
    PublicKey: Final = KeyType.PublicKey

    Pem: Final = EncodingFormat.Pem
    Der: Final = EncodingFormat.Der

    Opaque: Final = KeyAlgorithm.Opaque
    Rsa: Final = KeyAlgorithm.Rsa
    Dsa: Final = KeyAlgorithm.Dsa
    Ec: Final = KeyAlgorithm.Ec
    Dh: Final = KeyAlgorithm.Dh
    MlDsa: Final = KeyAlgorithm.MlDsa

    EmailEntry: Final = AlternativeNameEntryType.EmailEntry
    DnsEntry: Final = AlternativeNameEntryType.DnsEntry
    IpAddressEntry: Final = AlternativeNameEntryType.IpAddressEntry

    TlsV1_0: Final = SslProtocol.TlsV1_0
    TlsV1_1: Final = SslProtocol.TlsV1_1
    TlsV1_2: Final = SslProtocol.TlsV1_2
    AnyProtocol: Final = SslProtocol.AnyProtocol
    SecureProtocols: Final = SslProtocol.SecureProtocols
    TlsV1_0OrLater: Final = SslProtocol.TlsV1_0OrLater
    TlsV1_1OrLater: Final = SslProtocol.TlsV1_1OrLater
    TlsV1_2OrLater: Final = SslProtocol.TlsV1_2OrLater
    DtlsV1_0: Final = SslProtocol.DtlsV1_0
    DtlsV1_0OrLater: Final = SslProtocol.DtlsV1_0OrLater
    DtlsV1_2: Final = SslProtocol.DtlsV1_2
    DtlsV1_2OrLater: Final = SslProtocol.DtlsV1_2OrLater
    TlsV1_3: Final = SslProtocol.TlsV1_3
    TlsV1_3OrLater: Final = SslProtocol.TlsV1_3OrLater
    UnknownProtocol: Final = SslProtocol.UnknownProtocol

    SslOptionDisableEmptyFragments: Final = SslOption.SslOptionDisableEmptyFragments
    SslOptionDisableSessionTickets: Final = SslOption.SslOptionDisableSessionTickets
    SslOptionDisableCompression: Final = SslOption.SslOptionDisableCompression
    SslOptionDisableServerNameIndication: Final = SslOption.SslOptionDisableServerNameIndication
    SslOptionDisableLegacyRenegotiation: Final = SslOption.SslOptionDisableLegacyRenegotiation
    SslOptionDisableSessionSharing: Final = SslOption.SslOptionDisableSessionSharing
    SslOptionDisableSessionPersistence: Final = SslOption.SslOptionDisableSessionPersistence
    SslOptionDisableServerCipherPreference: Final = SslOption.SslOptionDisableServerCipherPreference

    def __init__(self) -> None:
        raise TypeError("QSsl is a namespace of enumerations; it has no instances")


def toAlertType(value: int) -> QSsl.AlertType | int:
    """
    The L{QSsl.AlertType} member for a TLS alert number, or the number
    itself when Qt has no name for it, as Qt's C{tlsAlertType()}
    (qtls_openssl.cpp) does: it keeps unknown values for the application
    to handle.

    @param value: the alert description (only its low 8 bits count, as in
        Qt).
    """
    value &= 0xFF
    try:
        return QSsl.AlertType(value)
    except ValueError:
        return value


class PeerVerifyMode(enum.IntEnum):
    """
    C{QSslSocket::PeerVerifyMode}: whether the peer is asked for a
    certificate and whether a bad or missing one fails the handshake.
    C{AutoVerifyPeer} (the default) is C{QueryPeer} on a server and
    C{VerifyPeer} on a client.
    """

    VerifyNone = 0
    QueryPeer = 1
    VerifyPeer = 2
    AutoVerifyPeer = 3


class SslMode(enum.IntEnum):
    """
    C{QSslSocket::SslMode}: which side of the TLS handshake a socket is.
    """

    UnencryptedMode = 0
    SslClientMode = 1
    SslServerMode = 2

# -*- test-case-name: tests.test_sslcertificate -*-
"""
L{QSslCertificate}: an X.509 certificate, as Qt 6's C{QSslCertificate}.

Theory of operation
===================

A certificate wraps one C{cryptography.x509.Certificate} (or nothing: the
null certificate) and its DER bytes, which are its identity: equality and
hashing compare DER, as Qt's C{X509_cmp} does.  Instances are immutable in
Python, so they can live in sets and in the frozen configuration snapshot;
Qt's C{clear()} and C{swap()} are therefore not provided.

Parsing follows Qt's OpenSSL backend (C{X509CertificateOpenSSL} in qtbase
C{src/plugins/tls/openssl/qx509_openssl.cpp}); the details are in
L{qtwisted._ssl._x509}.

The constructor, like Qt's, keeps the first certificate found or makes a
null certificate; L{QSslCertificate.fromData} and L{fromPath
<QSslCertificate.fromPath>} return every certificate, and an empty list
when there is none.  Qt reports no reason for an empty result; the
qtwisted extension L{QSslCertificate.load} raises C{OSError} or
C{ValueError} naming the file instead, which is what configuration code
wants.  A certificate loaded from a file remembers the path (C{_source})
so that later errors (a key that does not match) can name it.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import os
import re
from datetime import datetime
from typing import IO, TYPE_CHECKING, Callable, Final, Union

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from OpenSSL import crypto

from ._qssl import QSsl
from ._x509 import derCertificates, nameMap, pemCertificates, readAll, wildcardToRegex

if TYPE_CHECKING:
    from ._key import QSslKey

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_Source = Union[str, "os.PathLike[str]"]


class QSslCertificate:
    """
    Mirrors C{QSslCertificate}: an X.509 certificate (or the null
    certificate), a value type compared by its DER encoding.

    Where this differs from Qt: instances are immutable (no C{clear()} or
    C{swap()}); L{handle} returns the C{cryptography} certificate instead
    of an C{X509*}; L{digest} takes a C{hashlib} algorithm name; dates are
    aware C{datetime} objects in UTC, or C{None} for a null certificate.
    """

    class SubjectInfo(enum.IntEnum):
        """
        C{QSslCertificate::SubjectInfo}: the name attributes Qt knows.
        """

        Organization = 0
        CommonName = 1
        LocalityName = 2
        OrganizationalUnitName = 3
        CountryName = 4
        StateOrProvinceName = 5
        DistinguishedNameQualifier = 6
        SerialNumber = 7
        EmailAddress = 8

    class PatternSyntax(enum.IntEnum):
        """
        C{QSslCertificate::PatternSyntax}: how L{fromPath} reads its path.
        """

        RegularExpression = 0
        Wildcard = 1
        FixedString = 2

    Organization: Final = SubjectInfo.Organization
    CommonName: Final = SubjectInfo.CommonName
    LocalityName: Final = SubjectInfo.LocalityName
    OrganizationalUnitName: Final = SubjectInfo.OrganizationalUnitName
    CountryName: Final = SubjectInfo.CountryName
    StateOrProvinceName: Final = SubjectInfo.StateOrProvinceName
    DistinguishedNameQualifier: Final = SubjectInfo.DistinguishedNameQualifier
    SerialNumber: Final = SubjectInfo.SerialNumber
    EmailAddress: Final = SubjectInfo.EmailAddress

    __slots__ = ("_cert", "_der", "_source")

    _cert: x509.Certificate | None
    _der: bytes
    _source: str | None

    def __init__(
        self,
        data: bytes | bytearray | memoryview | IO[bytes] | None = None,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
    ) -> None:
        """
        Mirrors C{QSslCertificate(const QByteArray &data, format)} and
        C{QSslCertificate(QIODevice *device, format)}: the first
        certificate in C{data}, or a null certificate if there is none.

        @param data: PEM or DER bytes, or a binary file object to read
            them from; C{None} or empty gives the null certificate.
        @param format: C{QSsl.Pem} (default) or C{QSsl.Der}.
        """
        cert: x509.Certificate | None = None
        if data is not None:
            found = _parse(readAll(data), format, 1)
            if found:
                cert = found[0]
        self._set(cert, None)

    def _set(self, cert: x509.Certificate | None, source: str | None) -> None:
        object.__setattr__(self, "_cert", cert)
        object.__setattr__(
            self, "_der", cert.public_bytes(Encoding.DER) if cert is not None else b""
        )
        object.__setattr__(self, "_source", source)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("QSslCertificate is immutable")

    @classmethod
    def _fromCryptography(
        cls, cert: x509.Certificate, source: str | None = None
    ) -> QSslCertificate:
        """
        Wrap a C{cryptography} certificate (internal).

        @param source: the file it came from, for error messages.
        """
        self = cls.__new__(cls)
        self._set(cert, source)
        return self

    # -- loading ----------------------------------------------------------

    @staticmethod
    def fromData(
        data: bytes | bytearray | memoryview,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
    ) -> list[QSslCertificate]:
        """
        Mirrors C{QSslCertificate::fromData()}: every certificate in
        C{data}, possibly none.
        """
        return [QSslCertificate._fromCryptography(c) for c in _parse(bytes(data), format, -1)]

    @staticmethod
    def fromDevice(
        device: IO[bytes], format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem
    ) -> list[QSslCertificate]:
        """
        Mirrors C{QSslCertificate::fromDevice()}: every certificate read
        from a binary file object.
        """
        return QSslCertificate.fromData(readAll(device), format)

    @staticmethod
    def fromFile(
        filePath: _Source, format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem
    ) -> list[QSslCertificate]:
        """
        Mirrors C{QSslCertificate::fromFile()} (Qt 6.10): every certificate
        in one file; an empty list if it cannot be read.
        """
        path = os.fspath(filePath)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return []
        return [QSslCertificate._fromCryptography(c, path) for c in _parse(data, format, -1)]

    @staticmethod
    def fromPath(
        path: _Source,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        syntax: QSslCertificate.PatternSyntax = PatternSyntax.FixedString,
    ) -> list[QSslCertificate]:
        """
        Mirrors C{QSslCertificate::fromPath()}: the certificates in a file,
        or in every file matching a wildcard or regular-expression pattern
        (searched recursively from the pattern's fixed leading directory).
        A path that matches nothing gives an empty list.
        """
        source = os.fspath(path).replace(os.sep, "/")
        if not source:
            return []
        syntax = QSslCertificate.PatternSyntax(syntax)
        if syntax == QSslCertificate.PatternSyntax.FixedString:
            return QSslCertificate.fromFile(source, format) if os.path.isfile(source) else []
        prefix = source[: source.rfind("/")] if "/" in source else ""
        if syntax == QSslCertificate.PatternSyntax.Wildcard:
            special = re.search(r"[*?\[]", prefix)
            regex = wildcardToRegex(source)
        else:
            special = re.search(r"[$()*+.?\[\]^{}|]", source)
            regex = source
        if special is None:
            if os.path.isfile(source):
                return QSslCertificate.fromFile(source, format)
        else:
            prefix = prefix[: special.start()]
            prefix = prefix[: prefix.rfind("/")] if "/" in prefix else ""
        strip = 0
        if not prefix:
            prefix, strip = ".", 2
        try:
            pattern = re.compile(regex)
        except re.error:
            return []
        found: list[QSslCertificate] = []
        for root, _dirs, files in sorted(os.walk(prefix, followlinks=True)):
            for name in sorted(files):
                filePath = (root + "/" + name).replace(os.sep, "/")[strip:]
                if pattern.fullmatch(filePath):
                    found += QSslCertificate.fromFile(filePath, format)
        return found

    @staticmethod
    def load(
        source: _Source | bytes,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
    ) -> list[QSslCertificate]:
        """
        qtwisted extension: every certificate in a file (or in bytes),
        raising instead of returning an empty list, for configuration
        code that must fail early with a clear message.

        @param source: a file path, or the PEM/DER bytes themselves.
        @raise OSError: the file cannot be read (the error names it).
        @raise ValueError: it holds no certificate in C{format}.
        """
        if isinstance(source, bytes):
            data, name = source, None
        else:
            name = os.fspath(source)
            with open(name, "rb") as f:
                data = f.read()
        certs = _parse(data, format, -1)
        if not certs:
            where = repr(name) if name is not None else "the certificate data"
            raise ValueError(
                f"no {QSsl.EncodingFormat(format).name.upper()} certificate found in {where}"
            )
        return [QSslCertificate._fromCryptography(c, name) for c in certs]

    @staticmethod
    def importPkcs12(
        device: bytes | IO[bytes], passPhrase: bytes = b""
    ) -> tuple[QSslKey, QSslCertificate, list[QSslCertificate]] | None:
        """
        Mirrors C{QSslCertificate::importPkcs12()}: the key, certificate
        and CA certificates of a PKCS#12 bundle, or C{None} if it cannot be
        read (Qt returns C{false} and fills out-parameters instead).
        """
        from cryptography.hazmat.primitives.serialization import pkcs12

        from ._key import QSslKey

        try:
            key, cert, extra = pkcs12.load_key_and_certificates(readAll(device), passPhrase or None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return None
        if key is None or cert is None:
            return None
        return (
            QSslKey._fromCryptography(key),
            QSslCertificate._fromCryptography(cert),
            [QSslCertificate._fromCryptography(c) for c in extra],
        )

    # -- queries ----------------------------------------------------------

    def isNull(self) -> bool:
        """
        Mirrors C{QSslCertificate::isNull()}.
        """
        return self._cert is None

    def isBlacklisted(self) -> bool:
        """
        Mirrors C{QSslCertificate::isBlacklisted()}.  qtwisted carries no
        blacklist: Qt's names certificates mis-issued between 2011 and
        2014, all long expired (so verification rejects them anyway).
        """
        return False

    def isSelfSigned(self) -> bool:
        """
        Mirrors C{QSslCertificate::isSelfSigned()}: issuer and subject are
        the same name and the certificate's own key verifies it.
        """
        cert = self._cert
        if cert is None or cert.issuer != cert.subject:
            return False
        try:
            cert.verify_directly_issued_by(cert)
        except (ValueError, TypeError, InvalidSignature):
            return False
        except UnsupportedAlgorithm:
            return True
        return True

    def version(self) -> bytes:
        """
        Mirrors C{QSslCertificate::version()}: C{b"3"} for an X.509 v3
        certificate, C{b""} for the null certificate.
        """
        if self._cert is None:
            return b""
        return str(self._cert.version.value + 1).encode()

    def serialNumber(self) -> bytes:
        """
        Mirrors C{QSslCertificate::serialNumber()}: the serial number as
        colon-separated lower-case hex bytes (C{b"01:0a"}).
        """
        if self._cert is None:
            return b""
        number = self._cert.serial_number
        raw = abs(number).to_bytes(max(1, (abs(number).bit_length() + 7) // 8), "big")
        return b":".join(b"%02x" % byte for byte in raw)

    def digest(self, algorithm: str = "md5") -> bytes:
        """
        Mirrors C{QSslCertificate::digest()}: a hash of the DER encoding
        (MD5 by default, as in Qt).

        @param algorithm: a C{hashlib} name, case-insensitive (C{"sha256"};
            Qt's C{QCryptographicHash} spellings such as C{"Sha256"} work).
        @raise ValueError: the algorithm is unknown.
        """
        try:
            return hashlib.new(algorithm.lower().replace("-", ""), self._der).digest()
        except ValueError:
            raise ValueError(f"unknown digest algorithm {algorithm!r}") from None

    def issuerInfo(self, info: QSslCertificate.SubjectInfo | bytes | str) -> list[str]:
        """
        Mirrors both C{QSslCertificate::issuerInfo()} overloads: the
        issuer's values for a L{SubjectInfo} member or an attribute name
        (C{b"CN"}, or a dotted OID), in certificate order.
        """
        if self._cert is None:
            return []
        return list(nameMap(self._cert.issuer).get(_attributeName(info), []))

    def subjectInfo(self, info: QSslCertificate.SubjectInfo | bytes | str) -> list[str]:
        """
        Mirrors both C{QSslCertificate::subjectInfo()} overloads: the
        subject's values for a L{SubjectInfo} member or an attribute name.
        """
        if self._cert is None:
            return []
        return list(nameMap(self._cert.subject).get(_attributeName(info), []))

    def subjectInfoAttributes(self) -> list[bytes]:
        """
        Mirrors C{QSslCertificate::subjectInfoAttributes()}: the attribute
        names present in the subject, sorted (Qt's C{uniqueKeys()}).
        """
        if self._cert is None:
            return []
        return sorted(k.encode() for k in nameMap(self._cert.subject))

    def issuerInfoAttributes(self) -> list[bytes]:
        """
        Mirrors C{QSslCertificate::issuerInfoAttributes()}.
        """
        if self._cert is None:
            return []
        return sorted(k.encode() for k in nameMap(self._cert.issuer))

    def issuerDisplayName(self) -> str:
        """
        Mirrors C{QSslCertificate::issuerDisplayName()}: the issuer's CN,
        else its O, else its OU, else C{""}.
        """
        return _displayName(self.issuerInfo)

    def subjectDisplayName(self) -> str:
        """
        Mirrors C{QSslCertificate::subjectDisplayName()}.
        """
        return _displayName(self.subjectInfo)

    def subjectAlternativeNames(self) -> dict[QSsl.AlternativeNameEntryType, list[str]]:
        """
        Mirrors C{QSslCertificate::subjectAlternativeNames()}: DNS names,
        e-mail addresses and IP addresses (as text) of the
        subjectAltName extension.  Qt's C{QMultiMap} becomes a C{dict} of
        lists.
        """
        result: dict[QSsl.AlternativeNameEntryType, list[str]] = {}
        if self._cert is None:
            return result
        try:
            names = self._cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except (x509.ExtensionNotFound, ValueError):
            return result
        Entry = QSsl.AlternativeNameEntryType
        for general in names:
            if isinstance(general, x509.DNSName):
                result.setdefault(Entry.DnsEntry, []).append(general.value)
            elif isinstance(general, x509.RFC822Name):
                result.setdefault(Entry.EmailEntry, []).append(general.value)
            elif isinstance(general, x509.IPAddress) and isinstance(
                general.value, (ipaddress.IPv4Address, ipaddress.IPv6Address)
            ):
                result.setdefault(Entry.IpAddressEntry, []).append(str(general.value))
        return result

    def effectiveDate(self) -> datetime | None:
        """
        Mirrors C{QSslCertificate::effectiveDate()}: notBefore, in UTC.
        """
        return self._cert.not_valid_before_utc if self._cert is not None else None

    def expiryDate(self) -> datetime | None:
        """
        Mirrors C{QSslCertificate::expiryDate()}: notAfter, in UTC.
        """
        return self._cert.not_valid_after_utc if self._cert is not None else None

    def publicKey(self) -> QSslKey:
        """
        Mirrors C{QSslCertificate::publicKey()}: the subject's public key
        (a null key for the null certificate).
        """
        from ._key import QSslKey

        if self._cert is None:
            return QSslKey()
        return QSslKey._fromCryptography(self._cert.public_key())

    def handle(self) -> x509.Certificate | None:
        """
        Mirrors C{QSslCertificate::handle()}: here the
        C{cryptography.x509.Certificate}, or C{None} for a null
        certificate.
        """
        return self._cert

    def toPem(self) -> bytes:
        """
        Mirrors C{QSslCertificate::toPem()}: Base64 in 64-column lines
        between the BEGIN/END CERTIFICATE lines.
        """
        return self._cert.public_bytes(Encoding.PEM) if self._cert is not None else b""

    def toDer(self) -> bytes:
        """
        Mirrors C{QSslCertificate::toDer()}.
        """
        return self._der

    def toText(self) -> str:
        """
        Mirrors C{QSslCertificate::toText()}: OpenSSL's C{X509_print}
        rendering.
        """
        if self._cert is None:
            return ""
        return crypto.dump_certificate(crypto.FILETYPE_TEXT, self._openssl()).decode("latin-1")

    # -- internal accessors -----------------------------------------------

    def _x509(self) -> x509.Certificate:
        """
        The C{cryptography} certificate (internal).

        @raise ValueError: this is the null certificate.
        """
        if self._cert is None:
            raise ValueError("the null QSslCertificate has no X.509 data")
        return self._cert

    def _openssl(self) -> crypto.X509:
        """
        A new pyOpenSSL C{X509} for this certificate (internal).
        """
        return crypto.X509.from_cryptography(self._x509())

    def _describe(self) -> str:
        """
        How error messages name this certificate: its file, else its CN.
        """
        if self._source is not None:
            return repr(self._source)
        names = self.subjectInfo(QSslCertificate.SubjectInfo.CommonName)
        return f"'CN={names[0]}'" if names else "(certificate without CN)"

    # -- value semantics --------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslCertificate):
            return NotImplemented
        return self._der == other._der

    def __hash__(self) -> int:
        return hash(self._der)

    def __repr__(self) -> str:
        if self._cert is None:
            return "QSslCertificate()"
        return f"<QSslCertificate {self._cert.subject.rfc4514_string()!r}>"

    def __reduce__(self) -> tuple[type[QSslCertificate], tuple[bytes, QSsl.EncodingFormat]]:
        return (QSslCertificate, (self._der, QSsl.EncodingFormat.Der))


def _parse(data: bytes, format: QSsl.EncodingFormat, count: int) -> list[x509.Certificate]:
    if QSsl.EncodingFormat(format) == QSsl.EncodingFormat.Pem:
        return pemCertificates(data, count)
    return derCertificates(data, count)


# QSslCertificatePrivate::subjectInfoToString.
_INFO_NAMES: Final[dict[QSslCertificate.SubjectInfo, str]] = {
    QSslCertificate.SubjectInfo.Organization: "O",
    QSslCertificate.SubjectInfo.CommonName: "CN",
    QSslCertificate.SubjectInfo.LocalityName: "L",
    QSslCertificate.SubjectInfo.OrganizationalUnitName: "OU",
    QSslCertificate.SubjectInfo.CountryName: "C",
    QSslCertificate.SubjectInfo.StateOrProvinceName: "ST",
    QSslCertificate.SubjectInfo.DistinguishedNameQualifier: "dnQualifier",
    QSslCertificate.SubjectInfo.SerialNumber: "serialNumber",
    QSslCertificate.SubjectInfo.EmailAddress: "emailAddress",
}


def _attributeName(info: QSslCertificate.SubjectInfo | bytes | str) -> str:
    if isinstance(info, bytes):
        return info.decode("latin-1")
    if isinstance(info, str):
        return info
    try:
        return _INFO_NAMES[QSslCertificate.SubjectInfo(info)]
    except ValueError:
        raise ValueError(f"{info!r} is not a QSslCertificate.SubjectInfo") from None


def _displayName(lookup: Callable[[QSslCertificate.SubjectInfo], list[str]]) -> str:
    for info in (
        QSslCertificate.SubjectInfo.CommonName,
        QSslCertificate.SubjectInfo.Organization,
        QSslCertificate.SubjectInfo.OrganizationalUnitName,
    ):
        values = lookup(info)
        if values:
            return values[0]
    return ""

# -*- test-case-name: tests.test_sslcertificate -*-
"""
X.509 parsing helpers for L{QSslCertificate
<qtwisted._ssl._certificate.QSslCertificate>}, following Qt's OpenSSL
backend (C{X509CertificateOpenSSL} in qtbase
C{src/plugins/tls/openssl/qx509_openssl.cpp}).

  - PEM (L{pemCertificates}): every C{-----BEGIN CERTIFICATE-----} block
    followed by a line feed, up to C{-----END CERTIFICATE-----}; a block
    that does not decode is skipped, text between blocks is ignored, and
    parsing stops if an END line is followed by anything but a line feed.
  - DER (L{derCertificates}): certificates one after another; parsing
    stops at the first one that does not decode.
  - Names (L{nameMap}): attributes keyed by OpenSSL's short names
    (C{"CN"}, C{"emailAddress"}) or, when OpenSSL has none, the dotted
    OID, as Qt's C{asn1ObjectName} does.
"""

from __future__ import annotations

import base64
import re
from typing import IO, Final

from cryptography import x509

__all__ = ["nameMap", "pemCertificates", "derCertificates", "readAll", "wildcardToRegex"]

# OpenSSL's short names (OBJ_nid2sn) for the name attributes one meets in
# certificates; Qt shows any other attribute by its dotted OID.
_SHORT_NAMES: Final[dict[str, str]] = {
    "2.5.4.3": "CN",
    "2.5.4.4": "SN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "street",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.12": "title",
    "2.5.4.13": "description",
    "2.5.4.15": "businessCategory",
    "2.5.4.17": "postalCode",
    "2.5.4.41": "name",
    "2.5.4.42": "GN",
    "2.5.4.43": "initials",
    "2.5.4.44": "generationQualifier",
    "2.5.4.46": "dnQualifier",
    "2.5.4.65": "pseudonym",
    "2.5.4.97": "organizationIdentifier",
    "1.2.840.113549.1.9.1": "emailAddress",
    "1.2.840.113549.1.9.2": "unstructuredName",
    "0.9.2342.19200300.100.1.1": "UID",
    "0.9.2342.19200300.100.1.25": "DC",
    "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
    "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
    "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}

_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----\r?\n(.*?)-----END CERTIFICATE-----", re.S)


def nameMap(name: x509.Name) -> dict[str, list[str]]:
    """
    A certificate name as Qt's C{mapFromX509Name}: attribute short name
    to the values, in the order they appear.
    """
    info: dict[str, list[str]] = {}
    for attribute in name:
        dotted = attribute.oid.dotted_string
        key = _SHORT_NAMES.get(dotted, dotted)
        value = attribute.value
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        info.setdefault(key, []).append(text)
    return info


def pemCertificates(data: bytes, count: int) -> list[x509.Certificate]:
    """
    The certificates of PEM data, as Qt's C{certificatesFromPem}.

    @param count: how many to return at most; -1 for all.
    """
    result: list[x509.Certificate] = []
    for match in _PEM_BLOCK.finditer(data):
        if count != -1 and len(result) >= count:
            break
        try:
            der = base64.b64decode(match.group(1))
            result.append(x509.load_der_x509_certificate(der))
        except ValueError:
            pass  # Qt skips a block that does not decode.
        # The END line must be followed by a line feed or the end of data.
        end = match.end()
        if end < len(data) and data[end : end + 1] not in (b"\n", b"\r"):
            break
    return result


def _derLength(data: bytes, offset: int) -> int:
    """
    The length of the DER SEQUENCE starting at C{offset}, header included,
    or 0 if there is no complete one.
    """
    if len(data) < offset + 2 or data[offset] != 0x30:
        return 0
    first = data[offset + 1]
    if first < 0x80:
        size, header = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(data) < offset + 2 + count:
            return 0
        size = int.from_bytes(data[offset + 2 : offset + 2 + count], "big")
        header = 2 + count
    total = header + size
    return total if offset + total <= len(data) else 0


def derCertificates(data: bytes, count: int) -> list[x509.Certificate]:
    """
    The certificates of concatenated DER data, as Qt's
    C{certificatesFromDer}: parsing stops at the first failure.

    @param count: how many to return at most; -1 for all.
    """
    result: list[x509.Certificate] = []
    offset = 0
    while offset < len(data) and (count == -1 or len(result) < count):
        size = _derLength(data, offset)
        if not size:
            break
        try:
            result.append(x509.load_der_x509_certificate(data[offset : offset + size]))
        except ValueError:
            break
        offset += size
    return result


def readAll(data: bytes | bytearray | memoryview | IO[bytes]) -> bytes:
    """
    The bytes of C{data}, or everything read from it if it is a binary
    file object (Qt's C{QIODevice} overloads).

    @raise TypeError: neither bytes nor a binary file object.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    read = getattr(data, "read", None)
    if read is None:
        raise TypeError(f"expected bytes or a binary file object, not {type(data).__name__}")
    content = read()
    if not isinstance(content, bytes):
        raise TypeError("the file object must be opened in binary mode")
    return content


def wildcardToRegex(pattern: str) -> str:
    """
    A regular expression for a shell wildcard, as Qt's
    C{QRegularExpression::wildcardToRegularExpression} (unanchored): C{*}
    and C{?} do not cross C{/}, C{[...]} is a character class (C{!}
    negates).
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)

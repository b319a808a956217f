# -*- test-case-name: tests.test_sslconfiguration -*-
"""
L{QSslCipher}: a TLS cipher suite, as Qt 6's C{QSslCipher}, and the
process-wide lists of supported and default ciphers.

Where the facts come from
=========================

Qt fills a cipher from OpenSSL's one-line description
(C{SSL_CIPHER_description}), split on spaces:
C{"ECDHE-RSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(256)
Mac=AEAD"} gives the name, the protocol string, and the key-exchange,
authentication and encryption methods; C{SSL_CIPHER_get_bits} gives the
used and supported bits (C{qt_OpenSSL_cipher_to_QSslCipher} in qtbase
C{src/plugins/tls/openssl/qtlsbackend_openssl.cpp}).  pyOpenSSL exposes
neither call, and this package touches no raw OpenSSL binding (only
C{_psk.py} may).  Python's own C{ssl} module does expose both, through
C{ssl.SSLContext.get_ciphers}: the same OpenSSL strings (from the OpenSSL
Python was linked with; suite names and descriptions are stable across
OpenSSL versions).  So:

  - the I{supported} ciphers are the suites pyOpenSSL's OpenSSL offers for
    C{"ALL:COMPLEMENTOFALL"} (TLS 1.3 suites included), anonymous suites
    removed as Qt removes them (C{ADH}, C{AECDH});
  - the I{default} ciphers are the suites of OpenSSL's C{DEFAULT} list with
    at least 128 used bits, as Qt's C{defaultCiphers()};
  - each is described from Python's C{ssl} table; a suite that table does
    not know keeps its name and an unknown protocol (so it is not null).

Both lists are computed once, on first use.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Final

from OpenSSL import SSL

from ._qssl import QSsl

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_P = QSsl.SslProtocol

# qt_OpenSSL_cipher_to_QSslCipher: the protocol column.
_PROTOCOLS: Final[dict[str, QSsl.SslProtocol]] = {
    "TLSv1": _P.TlsV1_0,
    "TLSv1.0": _P.TlsV1_0,
    "TLSv1.1": _P.TlsV1_1,
    "TLSv1.2": _P.TlsV1_2,
    "TLSv1.3": _P.TlsV1_3,
}


@dataclass(frozen=True)
class _Facts:
    name: str
    protocolString: str
    keyExchangeMethod: str
    authenticationMethod: str
    encryptionMethod: str
    usedBits: int
    supportedBits: int

    @property
    def protocol(self) -> QSsl.SslProtocol:
        return _PROTOCOLS.get(self.protocolString, _P.UnknownProtocol)


_NULL: Final = _Facts("", "", "", "", "", 0, 0)


def _describe(name: str, known: dict[str, _Facts]) -> _Facts:
    facts = known.get(name)
    if facts is not None:
        return facts
    if name.startswith("TLS_"):
        # A TLS 1.3 suite unknown to Python's OpenSSL: the name says it all.
        return _Facts(name, "TLSv1.3", "any", "any", "", 0, 0)
    return _Facts(name, "", "", "", "", 0, 0)


def _pythonTable() -> dict[str, _Facts]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    except ssl.SSLError:
        context.set_ciphers("ALL:COMPLEMENTOFALL")
    table: dict[str, _Facts] = {}
    for entry in context.get_ciphers():
        fields = entry["description"].split()
        if len(fields) <= 5:
            continue

        def field(index: int, prefix: str) -> str:
            text = fields[index]
            return text[len(prefix) :] if text.startswith(prefix) else ""

        table[entry["name"]] = _Facts(
            name=entry["name"],
            protocolString=fields[1],
            keyExchangeMethod=field(2, "Kx="),
            authenticationMethod=field(3, "Au="),
            encryptionMethod=field(4, "Enc="),
            usedBits=int(entry["strength_bits"]),
            supportedBits=int(entry["alg_bits"]),
        )
    return table


def openSSLNames(cipherString: bytes | None) -> list[str]:
    """
    The suite names pyOpenSSL's OpenSSL selects for a cipher string (its
    default list for C{None}), TLS 1.3 suites first.
    """
    context = SSL.Context(SSL.TLS_METHOD)
    if cipherString is not None:
        context.set_cipher_list(cipherString)
    return list(SSL.Connection(context).get_cipher_list())


_tables: tuple[list[QSslCipher], list[QSslCipher]] | None = None


def _lists() -> tuple[list[QSslCipher], list[QSslCipher]]:
    global _tables
    if _tables is None:
        known = _pythonFacts()

        def wanted(name: str) -> bool:
            # Qt drops anonymous suites: they offer no MITM protection.
            return not name.lower().startswith(("adh", "exp-adh", "aecdh"))

        def strong(name: str) -> bool:
            # Qt's default list keeps suites with at least 128 used bits.
            facts = known.get(name)
            return facts is None or facts.usedBits >= 128

        supported = [
            QSslCipher._fromFacts(_describe(n, known))
            for n in openSSLNames(b"ALL:COMPLEMENTOFALL")
            if wanted(n)
        ]
        default = [
            QSslCipher._fromFacts(_describe(n, known))
            for n in openSSLNames(None)
            if wanted(n) and strong(n)
        ]
        _tables = (supported, default)
    return _tables


def supportedCiphers() -> list[QSslCipher]:
    """
    The ciphers this OpenSSL can use, as Qt's
    C{QSslConfiguration::supportedCiphers()}.
    """
    return list(_lists()[0])


def defaultCiphers() -> list[QSslCipher]:
    """
    The ciphers a default configuration offers, as Qt's
    C{QSslConfiguration::defaultConfiguration().ciphers()}.
    """
    return list(_lists()[1])


class QSslCipher:
    """
    Mirrors C{QSslCipher}: one cipher suite, known by its OpenSSL name
    (C{"ECDHE-RSA-AES256-GCM-SHA384"}, C{"TLS_AES_128_GCM_SHA256"}).

    A value type: equal when name and protocol are equal (Qt's
    C{operator==}), hashable, immutable (no C{swap()}).
    """

    __slots__ = ("_facts", "_null")

    _facts: _Facts
    _null: bool

    def __init__(self, name: str = "", protocol: QSsl.SslProtocol | None = None) -> None:
        """
        Mirrors C{QSslCipher()}, C{QSslCipher(name)} and
        C{QSslCipher(name, protocol)}: the supported cipher of that name
        (and protocol), or a null cipher if there is none.
        """
        object.__setattr__(self, "_facts", _NULL)
        object.__setattr__(self, "_null", True)
        if not name:
            return
        for cipher in _lists()[0]:
            if cipher.name() == name and (protocol is None or cipher.protocol() == protocol):
                object.__setattr__(self, "_facts", cipher._facts)
                object.__setattr__(self, "_null", False)
                return

    @classmethod
    def _fromFacts(cls, facts: _Facts) -> QSslCipher:
        self = cls.__new__(cls)
        object.__setattr__(self, "_facts", facts)
        object.__setattr__(self, "_null", False)
        return self

    @classmethod
    def _fromName(cls, name: str) -> QSslCipher:
        """
        The cipher a connection negotiated (pyOpenSSL's
        C{get_cipher_name()}), even if it is not in the supported list
        (internal; for C{QSslSocket.sessionCipher()}).
        """
        cipher = cls(name)
        if cipher.isNull() and name:
            cipher = cls._fromFacts(_describe(name, _pythonFacts()))
        return cipher

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("QSslCipher is immutable")

    def isNull(self) -> bool:
        """
        Mirrors C{QSslCipher::isNull()}.
        """
        return self._null

    def name(self) -> str:
        """
        Mirrors C{QSslCipher::name()}: OpenSSL's name for the suite.
        """
        return self._facts.name

    def supportedBits(self) -> int:
        """
        Mirrors C{QSslCipher::supportedBits()}: the cipher's key strength
        in bits.
        """
        return self._facts.supportedBits

    def usedBits(self) -> int:
        """
        Mirrors C{QSslCipher::usedBits()}: the bits actually used.
        """
        return self._facts.usedBits

    def keyExchangeMethod(self) -> str:
        """
        Mirrors C{QSslCipher::keyExchangeMethod()} (C{"ECDH"}, C{"any"}).
        """
        return self._facts.keyExchangeMethod

    def authenticationMethod(self) -> str:
        """
        Mirrors C{QSslCipher::authenticationMethod()} (C{"RSA"}, C{"any"}).
        """
        return self._facts.authenticationMethod

    def encryptionMethod(self) -> str:
        """
        Mirrors C{QSslCipher::encryptionMethod()} (C{"AESGCM(256)"}).
        """
        return self._facts.encryptionMethod

    def protocolString(self) -> str:
        """
        Mirrors C{QSslCipher::protocolString()}: OpenSSL's protocol column
        (C{"TLSv1.2"}; C{"SSLv3"} or C{"TLSv1"} for old suites).
        """
        return self._facts.protocolString

    def protocol(self) -> QSsl.SslProtocol:
        """
        Mirrors C{QSslCipher::protocol()}: C{QSsl.TlsV1_0} ...
        C{QSsl.TlsV1_3}, or C{QSsl.UnknownProtocol} (also for C{SSLv3}
        suites, which Qt 6 no longer names).
        """
        if self._null:
            return _P.UnknownProtocol
        return self._facts.protocol

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslCipher):
            return NotImplemented
        return self.name() == other.name() and self.protocol() == other.protocol()

    def __hash__(self) -> int:
        return hash((self.name(), int(self.protocol())))

    def __repr__(self) -> str:
        if self._null:
            return "QSslCipher()"
        return f"QSslCipher({self.name()!r}, {self.protocolString()})"


_python: dict[str, _Facts] | None = None


def _pythonFacts() -> dict[str, _Facts]:
    global _python
    if _python is None:
        _python = _pythonTable()
    return _python

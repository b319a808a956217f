# -*- test-case-name: tests.test_sslcertificate -*-
"""
L{QSslKey}: a private or public key, as Qt 6's C{QSslKey}.

Theory of operation
===================

A key wraps one C{cryptography} key object (or nothing: the null key),
with the L{QSsl.KeyAlgorithm} and L{QSsl.KeyType} it was loaded as.  Qt's
constructor never fails: data that does not decode, a key of another
algorithm or type than asked for, or a wrong passphrase all give a null
key (C{isNull()} True) and no reason.  qtwisted keeps that constructor and
adds two ways to learn the reason:

  - L{QSslKey.load} (a qtwisted extension) raises C{OSError} (the file
    cannot be read) or C{ValueError} with a message naming the file or the
    value: configuration code should use it.
  - a null key made by the constructor keeps the reason in C{_loadError}
    (internal; L{QSslConfiguration} uses it in its own error messages).

Encodings follow Qt's OpenSSL backend (C{TlsKeyOpenSSL} in qtbase
C{src/plugins/tls/openssl/qtlskey_openssl.cpp}): L{toPem} writes private
keys in OpenSSL's "traditional" format (C{BEGIN RSA PRIVATE KEY},
C{BEGIN EC PRIVATE KEY}, ...; PKCS#8 for key types that have no
traditional form) and encrypts it when given a passphrase (AES-256-CBC
here, 3DES in Qt; both read back with the passphrase), public keys as
C{BEGIN PUBLIC KEY}; L{toDer} is the same without the armour, and, as in
Qt, empty for an encrypted private key or an C{Opaque} key.

Instances are immutable in Python (no C{clear()}/C{swap()}) and compare by
algorithm, type, length and encoding, as Qt's C{operator==} does.
"""

from __future__ import annotations

import os
from typing import IO, Final, Union, cast, get_args

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    PrivateKeyTypes,
    PublicKeyTypes,
)

from ._qssl import QSsl
from ._x509 import readAll

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_Key = Union[PrivateKeyTypes, PublicKeyTypes]
_Source = Union[str, "os.PathLike[str]"]

_Alg = QSsl.KeyAlgorithm
_PRIVATE: Final = QSsl.KeyType.PrivateKey
_PUBLIC: Final = QSsl.KeyType.PublicKey


def _algorithmOf(key: _Key) -> QSsl.KeyAlgorithm:
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return _Alg.Rsa
    if isinstance(key, (dsa.DSAPrivateKey, dsa.DSAPublicKey)):
        return _Alg.Dsa
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return _Alg.Ec
    # By module name: touching cryptography's dh module classes warns that
    # finite-field DH is deprecated, and only recent releases have mldsa.
    family = type(key).__module__.rpartition(".")[2]
    if family == "dh":
        return _Alg.Dh
    if family == "mldsa":
        return _Alg.MlDsa
    return _Alg.Opaque


# Every private key class of the installed cryptography (ML-DSA, ML-KEM, ...
# included), for isinstance().
_PRIVATE_CLASSES: Final = get_args(PrivateKeyTypes)


def _isPrivate(key: _Key) -> bool:
    return isinstance(key, _PRIVATE_CLASSES)


def _decode(
    data: bytes,
    format: QSsl.EncodingFormat,
    type: QSsl.KeyType,
    passPhrase: bytes,
    where: str,
) -> _Key:
    """
    Decode one key, raising C{ValueError} with a message naming C{where}.
    """
    pem = QSsl.EncodingFormat(format) == QSsl.EncodingFormat.Pem
    kind = "private" if type == _PRIVATE else "public"
    fmt = "PEM" if pem else "DER"
    if not data:
        raise ValueError(f"{where} is empty, not a {kind} key")
    try:
        if type == _PUBLIC:
            load = serialization.load_pem_public_key if pem else serialization.load_der_public_key
            return load(data)
        loadPrivate = (
            serialization.load_pem_private_key if pem else serialization.load_der_private_key
        )
        try:
            return loadPrivate(data, passPhrase or None)
        except TypeError:
            # cryptography refuses a passphrase for a clear key, which Qt
            # (OpenSSL) ignores, and a missing one for an encrypted key.
            if passPhrase:
                return loadPrivate(data, None)
    except UnsupportedAlgorithm as e:
        raise ValueError(f"{where} holds a key of an unsupported algorithm: {e}") from None
    except ValueError as e:
        if passPhrase and "password" in str(e).lower():
            raise ValueError(f"wrong passphrase for the private key in {where}") from None
        raise ValueError(f"{where} does not hold a {fmt} {kind} key") from None
    raise ValueError(f"{where} is an encrypted private key and no passphrase was given")


class QSslKey:
    """
    Mirrors C{QSslKey}: a private or public RSA, DSA, EC, DH, ML-DSA (or
    other, C{Opaque}: Ed25519, Ed448, ...) key.

    Where this differs from Qt: instances are immutable (no C{clear()} or
    C{swap()}); C{algorithm} may be C{None} to accept any algorithm;
    L{handle} returns the C{cryptography} key object; L{load} is a
    qtwisted extension that raises with the reason instead of giving a
    null key.
    """

    __slots__ = ("_key", "_algorithm", "_type", "_loadError", "_source")

    _key: _Key | None
    _algorithm: QSsl.KeyAlgorithm
    _type: QSsl.KeyType
    _loadError: str | None
    _source: str | None

    def __init__(
        self,
        encoded: bytes | bytearray | memoryview | IO[bytes] | None = None,
        algorithm: QSsl.KeyAlgorithm | None = None,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        type: QSsl.KeyType = QSsl.KeyType.PrivateKey,
        passPhrase: bytes = b"",
    ) -> None:
        """
        Mirrors C{QSslKey()}, C{QSslKey(const QByteArray &encoded,
        algorithm, format, type, passPhrase)} and the C{QIODevice}
        overload: decode a key, or make a null key if that fails (the
        reason is kept in C{_loadError}).

        @param encoded: PEM or DER bytes, or a binary file object; C{None}
            for the null key.
        @param algorithm: the expected L{QSsl.KeyAlgorithm}; a key of
            another algorithm gives a null key.  C{None} (a qtwisted
            extension) accepts any.
        @param format: C{QSsl.Pem} (default) or C{QSsl.Der}.
        @param type: C{QSsl.PrivateKey} (default) or C{QSsl.PublicKey}.
        @param passPhrase: decrypts an encrypted private key.
        """
        self._set(None, _Alg.Opaque, QSsl.KeyType(type), None, None)
        if encoded is None:
            return
        data = readAll(encoded)
        try:
            loaded = QSslKey._decodeChecked(
                data, algorithm, format, type, passPhrase, "the key data"
            )
        except ValueError as e:
            object.__setattr__(self, "_loadError", str(e))
            return
        self._set(loaded, _algorithmOf(loaded), QSsl.KeyType(type), None, None)

    def _set(
        self,
        key: _Key | None,
        algorithm: QSsl.KeyAlgorithm,
        type: QSsl.KeyType,
        loadError: str | None,
        source: str | None,
    ) -> None:
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_algorithm", algorithm)
        object.__setattr__(self, "_type", type)
        object.__setattr__(self, "_loadError", loadError)
        object.__setattr__(self, "_source", source)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("QSslKey is immutable")

    @staticmethod
    def _decodeChecked(
        data: bytes,
        algorithm: QSsl.KeyAlgorithm | None,
        format: QSsl.EncodingFormat,
        type: QSsl.KeyType,
        passPhrase: bytes,
        where: str,
    ) -> _Key:
        if not isinstance(passPhrase, (bytes, bytearray)):
            raise TypeError(f"passPhrase must be bytes, not {passPhrase.__class__.__name__}")
        key = _decode(data, format, QSsl.KeyType(type), bytes(passPhrase), where)
        if algorithm is not None:
            actual, wanted = _algorithmOf(key), QSsl.KeyAlgorithm(algorithm)
            if actual != wanted:
                raise ValueError(
                    f"{where} holds {_ARTICLE[actual]} key, not {_ARTICLE[wanted]} key"
                )
        return key

    @classmethod
    def load(
        cls,
        source: _Source | bytes,
        algorithm: QSsl.KeyAlgorithm | None = None,
        format: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem,
        type: QSsl.KeyType = QSsl.KeyType.PrivateKey,
        passPhrase: bytes = b"",
    ) -> QSslKey:
        """
        qtwisted extension: like the constructor, but raise instead of
        returning a null key.

        @param source: a file path, or the encoded key itself (bytes).
        @raise OSError: the file cannot be read (the error names it).
        @raise ValueError: the data is not a key of the requested
            algorithm, type and format, or the passphrase is wrong or
            missing; the message names the file (or says "the key data").
        """
        if isinstance(source, bytes):
            data, name, where = source, None, "the key data"
        else:
            name = os.fspath(source)
            where = repr(name)
            with open(name, "rb") as f:
                data = f.read()
        key = cls._decodeChecked(data, algorithm, format, type, passPhrase, where)
        self = cls.__new__(cls)
        self._set(key, _algorithmOf(key), QSsl.KeyType(type), None, name)
        return self

    @classmethod
    def _fromCryptography(cls, key: _Key) -> QSslKey:
        """
        Wrap a C{cryptography} key object (internal); its type follows
        from the object.
        """
        self = cls.__new__(cls)
        self._set(key, _algorithmOf(key), _PRIVATE if _isPrivate(key) else _PUBLIC, None, None)
        return self

    def isNull(self) -> bool:
        """
        Mirrors C{QSslKey::isNull()}.
        """
        return self._key is None

    def type(self) -> QSsl.KeyType:
        """
        Mirrors C{QSslKey::type()}.
        """
        return self._type

    def algorithm(self) -> QSsl.KeyAlgorithm:
        """
        Mirrors C{QSslKey::algorithm()} (C{Opaque} for the null key, as
        in Qt).
        """
        return self._algorithm

    def length(self) -> int:
        """
        Mirrors C{QSslKey::length()}: the key size in bits (the curve size
        for EC), -1 for the null key and for C{Opaque} keys.
        """
        key = self._key
        if key is None or self._algorithm == _Alg.Opaque:
            return -1
        if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
            return key.curve.key_size
        size = getattr(key, "key_size", -1)
        return size if isinstance(size, int) else -1

    def toPem(self, passPhrase: bytes = b"") -> bytes:
        """
        Mirrors C{QSslKey::toPem()}: PEM text, a private key encrypted
        with C{passPhrase} when one is given.
        """
        return self._encode(serialization.Encoding.PEM, passPhrase)

    def toDer(self, passPhrase: bytes = b"") -> bytes:
        """
        Mirrors C{QSslKey::toDer()}: DER bytes; empty for an C{Opaque} key
        and, since DER cannot be encrypted, for a private key with a
        passphrase (both as in Qt).
        """
        if self._algorithm == _Alg.Opaque or (self._type == _PRIVATE and passPhrase):
            return b""
        return self._encode(serialization.Encoding.DER, b"")

    def _encode(self, encoding: serialization.Encoding, passPhrase: bytes) -> bytes:
        key = self._key
        if key is None:
            return b""
        if _isPrivate(key):
            private = cast(PrivateKeyTypes, key)
            encryption: serialization.KeySerializationEncryption = (
                serialization.BestAvailableEncryption(passPhrase)
                if passPhrase
                else serialization.NoEncryption()
            )
            for fmt in (
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.PrivateFormat.PKCS8,
            ):
                try:
                    return private.private_bytes(encoding, fmt, encryption)
                except ValueError:
                    continue
            return b""
        return cast(PublicKeyTypes, key).public_bytes(
            encoding, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def _identity(self) -> bytes:
        # A canonical encoding for equality and hashing: PKCS#8 or SPKI
        # DER, which every key type has (toDer() is empty for Opaque keys).
        key = self._key
        if key is None:
            return b""
        if _isPrivate(key):
            return cast(PrivateKeyTypes, key).private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        return cast(PublicKeyTypes, key).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def handle(self) -> _Key | None:
        """
        Mirrors C{QSslKey::handle()}: here the C{cryptography} key object,
        or C{None} for the null key.
        """
        return self._key

    def _describe(self) -> str:
        """
        How error messages name this key: C{" 'path'"} for a key read from
        a file, else C{""} (to follow the words "the private key").
        """
        return f" {self._source!r}" if self._source is not None else ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslKey):
            return NotImplemented
        if self.isNull() or other.isNull():
            return self.isNull() and other.isNull()
        return (
            self._algorithm == other._algorithm
            and self._type == other._type
            and self.length() == other.length()
            and self._identity() == other._identity()
        )

    def __hash__(self) -> int:
        return hash((int(self._type), self._identity()))

    def __repr__(self) -> str:
        if self._key is None:
            return "QSslKey()"
        return f"<QSslKey {self._algorithm.name} {self._type.name} {self.length()} bits>"


_ARTICLE: Final[dict[QSsl.KeyAlgorithm, str]] = {
    _Alg.Opaque: "an opaque (non-RSA/DSA/EC/DH)",
    _Alg.Rsa: "an RSA",
    _Alg.Dsa: "a DSA",
    _Alg.Ec: "an EC",
    _Alg.Dh: "a DH",
    _Alg.MlDsa: "an ML-DSA",
}

# -*- test-case-name: tests.test_sslconfiguration -*-
"""
L{QSslPreSharedKeyAuthenticator}: the identity and key exchanged in a
TLS-PSK handshake, as Qt 6's C{QSslPreSharedKeyAuthenticator}
(QT_BEHAVIORS.md §1.5).

The TLS backend creates one per PSK handshake, fills in what the peer and
the configuration say (the identity hint, the identity a client sent, the
maximum lengths OpenSSL allows) and hands it to the application's
C{preSharedKeyAuthenticationRequired} slot, which sets the identity (client
side) and the key.  The backend then reads it back I{synchronously}:
OpenSSL asks for the key from inside the handshake and needs the answer
before its callback returns, so a slot cannot defer the decision.

Only the backend may set the hint and the maxima; it uses
L{makeAuthenticator}.  Setters do not truncate: the backend truncates the
identity and the key to the maxima when it passes them to OpenSSL, as Qt
does.
"""

from __future__ import annotations

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).


def _bytes(value: object, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be bytes, not {type(value).__name__}")


class QSslPreSharedKeyAuthenticator:
    """
    Mirrors C{QSslPreSharedKeyAuthenticator}: identity hint, identity, key
    and the maximum identity and key lengths of one PSK handshake.

    Default-constructed, everything is empty and both maxima are 0.  A
    value type: C{==} compares the five fields; copying with
    C{QSslPreSharedKeyAuthenticator(other)} (Qt's copy constructor) or
    C{copy.copy} gives an independent object.  It is mutable, so it is not
    hashable.
    """

    __slots__ = (
        "_identityHint",
        "_identity",
        "_preSharedKey",
        "_maximumIdentityLength",
        "_maximumPreSharedKeyLength",
    )

    def __init__(self, other: QSslPreSharedKeyAuthenticator | None = None) -> None:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator()} and its copy
        constructor.
        """
        self._identityHint = b""
        self._identity = b""
        self._preSharedKey = b""
        self._maximumIdentityLength = 0
        self._maximumPreSharedKeyLength = 0
        if other is not None:
            if not isinstance(other, QSslPreSharedKeyAuthenticator):
                raise TypeError(
                    "expected a QSslPreSharedKeyAuthenticator to copy, not "
                    f"{type(other).__name__}"
                )
            self._assign(other)

    def _assign(self, other: QSslPreSharedKeyAuthenticator) -> None:
        self._identityHint = other._identityHint
        self._identity = other._identity
        self._preSharedKey = other._preSharedKey
        self._maximumIdentityLength = other._maximumIdentityLength
        self._maximumPreSharedKeyLength = other._maximumPreSharedKeyLength

    def identityHint(self) -> bytes:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator::identityHint()}: the hint
        the server sent (client side) or is configured to send (server
        side, C{QSslConfiguration.preSharedKeyIdentityHint()}).
        """
        return self._identityHint

    def identity(self) -> bytes:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator::identity()}: on a server,
        the identity the client sent.
        """
        return self._identity

    def setIdentity(self, identity: bytes) -> None:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator::setIdentity()}: the
        identity a client sends (at most L{maximumIdentityLength} bytes are
        used).
        """
        self._identity = _bytes(identity, "identity")

    def maximumIdentityLength(self) -> int:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator::maximumIdentityLength()}:
        0 on a server (B54), OpenSSL's limit on a client.
        """
        return self._maximumIdentityLength

    def preSharedKey(self) -> bytes:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator::preSharedKey()}.
        """
        return self._preSharedKey

    def setPreSharedKey(self, preSharedKey: bytes) -> None:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator::setPreSharedKey()}: the
        key, as raw bytes (at most L{maximumPreSharedKeyLength} are used;
        an empty key fails the handshake).
        """
        self._preSharedKey = _bytes(preSharedKey, "preSharedKey")

    def maximumPreSharedKeyLength(self) -> int:
        """
        Mirrors
        C{QSslPreSharedKeyAuthenticator::maximumPreSharedKeyLength()}:
        the longest key OpenSSL accepts in this handshake.
        """
        return self._maximumPreSharedKeyLength

    def swap(self, other: QSslPreSharedKeyAuthenticator) -> None:
        """
        Mirrors C{QSslPreSharedKeyAuthenticator::swap()}.
        """
        mine = QSslPreSharedKeyAuthenticator(self)
        self._assign(other)
        other._assign(mine)

    def _fields(self) -> tuple[bytes, bytes, bytes, int, int]:
        return (
            self._identityHint,
            self._identity,
            self._preSharedKey,
            self._maximumIdentityLength,
            self._maximumPreSharedKeyLength,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslPreSharedKeyAuthenticator):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __copy__(self) -> QSslPreSharedKeyAuthenticator:
        return QSslPreSharedKeyAuthenticator(self)

    def __deepcopy__(self, memo: object) -> QSslPreSharedKeyAuthenticator:
        return QSslPreSharedKeyAuthenticator(self)

    def __repr__(self) -> str:
        return (
            f"<QSslPreSharedKeyAuthenticator identity={self._identity!r} "
            f"hint={self._identityHint!r} key={'set' if self._preSharedKey else 'empty'}>"
        )


def makeAuthenticator(
    *,
    identityHint: bytes = b"",
    identity: bytes = b"",
    maximumIdentityLength: int = 0,
    maximumPreSharedKeyLength: int = 0,
) -> QSslPreSharedKeyAuthenticator:
    """
    An authenticator filled in by the TLS backend (internal): what Qt's
    backend writes into the private fields before it emits
    C{preSharedKeyAuthenticationRequired}.

    On a server (B54): C{identity} is what the client sent,
    C{identityHint} the configuration's hint, C{maximumIdentityLength} 0
    and C{maximumPreSharedKeyLength} OpenSSL's C{max_psk_len}.  On a
    client: C{identityHint} is the server's hint and both maxima come from
    OpenSSL.
    """
    authenticator = QSslPreSharedKeyAuthenticator()
    authenticator._identityHint = _bytes(identityHint, "identityHint")
    authenticator._identity = _bytes(identity, "identity")
    authenticator._maximumIdentityLength = int(maximumIdentityLength)
    authenticator._maximumPreSharedKeyLength = int(maximumPreSharedKeyLength)
    return authenticator

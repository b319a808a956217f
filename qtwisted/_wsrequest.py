# -*- test-case-name: tests.test_websocket -*-
"""
The two value types of a WebSocket opening handshake: C{QNetworkRequest}
(the URL and header fields of the upgrade request) and
C{QWebSocketHandshakeOptions} (the subprotocols a client offers).

Qt's C{QNetworkRequest} belongs to its HTTP client and has dozens of
attributes; a WebSocket uses only the URL and the raw header fields, so
that is all this one has.  URLs are strings here (qtwisted has no
C{QUrl}): the encoded form Qt's C{QUrl::toEncoded()} gives.
"""

from __future__ import annotations

from typing import Iterable

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).


def _headerBytes(value: str | bytes, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("latin-1")
    raise TypeError(f"{what} must be bytes or str, not {type(value).__name__} {value!r}")


class QNetworkRequest:
    """
    A URL and raw header fields; the part of C{QNetworkRequest} a
    WebSocket uses.

    The server-side L{QWebSocket.request<qtwisted.QWebSocket.request>}
    returns one describing the client's upgrade request (B91: header names
    lower-cased, repeated fields combined with C{", "}, as Qt 6.12 shows
    them); a client passes one to
    L{QWebSocket.open<qtwisted.QWebSocket.open>} to add header fields to
    its request.  Header names are compared case-insensitively.
    """

    __slots__ = ("_url", "_headers")

    def __init__(self, url: str = "") -> None:
        """
        @param url: the URL, e.g. C{"ws://example.com/chat"}.
        @raise TypeError: if C{url} is not a str.
        """
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__} {url!r}")
        self._url = url
        self._headers: list[tuple[bytes, bytes]] = []

    @classmethod
    def _fromFields(cls, url: str, fields: Iterable[tuple[bytes, bytes]]) -> QNetworkRequest:
        request = cls(url)
        request._headers = list(fields)
        return request

    def url(self) -> str:
        """
        The URL; mirrors C{QNetworkRequest::url}.
        """
        return self._url

    def setUrl(self, url: str) -> None:
        """
        Set the URL; mirrors C{QNetworkRequest::setUrl}.
        """
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__} {url!r}")
        self._url = url

    def hasRawHeader(self, headerName: str | bytes) -> bool:
        """
        Whether a header field called C{headerName} is set; mirrors
        C{QNetworkRequest::hasRawHeader}.
        """
        key = _headerBytes(headerName, "headerName").lower()
        return any(name.lower() == key for name, _ in self._headers)

    def rawHeader(self, headerName: str | bytes) -> bytes:
        """
        The value of the header field C{headerName}, or C{b""}; mirrors
        C{QNetworkRequest::rawHeader}.
        """
        key = _headerBytes(headerName, "headerName").lower()
        for name, value in self._headers:
            if name.lower() == key:
                return value
        return b""

    def rawHeaderList(self) -> list[bytes]:
        """
        The names of the header fields, in order; mirrors
        C{QNetworkRequest::rawHeaderList}.
        """
        return [name for name, _ in self._headers]

    def setRawHeader(self, headerName: str | bytes, value: str | bytes) -> None:
        """
        Set the header field C{headerName} to C{value}, replacing an earlier
        value; mirrors C{QNetworkRequest::setRawHeader}.

        @raise TypeError: for a name or value that is neither bytes nor str.
        @raise ValueError: for a name or value containing CR, LF or NUL
            (they would inject header fields into the request).
        """
        name = _headerBytes(headerName, "headerName")
        data = _headerBytes(value, "value")
        if not name or any(c in name + data for c in b"\r\n\0"):
            raise ValueError(f"invalid header field {name!r}: {data!r}")
        key = name.lower()
        self._headers = [(n, v) for n, v in self._headers if n.lower() != key]
        self._headers.append((name, data))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QNetworkRequest):
            return NotImplemented
        return self._url == other._url and self._headers == other._headers

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<QNetworkRequest {self._url!r} {len(self._headers)} header(s)>"


class QWebSocketHandshakeOptions:
    """
    Options of the opening handshake; mirrors C{QWebSocketHandshakeOptions}
    (Qt 6.4): the subprotocols a client offers, in order of preference.

    A server-side socket's
    L{handshakeOptions<qtwisted.QWebSocket.handshakeOptions>} lists the
    subprotocols the client offered (B76).
    """

    __slots__ = ("_subprotocols",)

    def __init__(self, other: QWebSocketHandshakeOptions | None = None) -> None:
        """
        @param other: options to copy, or C{None} for the defaults (no
            subprotocols).
        """
        self._subprotocols: list[str] = list(other._subprotocols) if other is not None else []

    def subprotocols(self) -> list[str]:
        """
        The subprotocols; mirrors C{QWebSocketHandshakeOptions::subprotocols}.
        """
        return list(self._subprotocols)

    def setSubprotocols(self, protocols: Iterable[str]) -> None:
        """
        Set the subprotocols; mirrors
        C{QWebSocketHandshakeOptions::setSubprotocols}.

        @raise TypeError: if C{protocols} is a str, or holds a non-str.
        """
        if isinstance(protocols, str):
            raise TypeError("protocols must be a list of str, not a str")
        values = list(protocols)
        for p in values:
            if not isinstance(p, str):
                raise TypeError(f"subprotocols must be str, not {type(p).__name__} {p!r}")
        self._subprotocols = values

    def swap(self, other: QWebSocketHandshakeOptions) -> None:
        """
        Exchange the contents with C{other}; mirrors
        C{QWebSocketHandshakeOptions::swap}.
        """
        self._subprotocols, other._subprotocols = other._subprotocols, self._subprotocols

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QWebSocketHandshakeOptions):
            return NotImplemented
        return self._subprotocols == other._subprotocols

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<QWebSocketHandshakeOptions subprotocols={self._subprotocols!r}>"

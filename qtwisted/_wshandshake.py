# -*- test-case-name: tests.test_wshandshake -*-
"""
The server side of the WebSocket opening handshake, as Qt's
C{QWebSocketServer} performs it: reading the upgrade request, judging it,
and the exact bytes of the answer.

Sans-I/O: no sockets, no Twisted protocol objects, no Autobahn.  The
WebSocket server feeds received bytes into a L{RequestReader}, asks the
application about the origin, calls L{respond}, writes the bytes of the
result and then either hands the connection (with L{RequestReader.leftover})
to Autobahn's framing or closes it.

Theory of operation (QT_BEHAVIORS.md section 1.3.2, the numbers are its
steps)::

    reader = RequestReader(secure)
    result = reader.feed(data)              # 1: None until the blank line
    if result is None: wait for more bytes
    if reader.complete and queue is full:   # 2: before parsing (B77, B79)
        result = TOO_MANY_PENDING
    if isinstance(result, Reject):          # B70, B80, B81, bad key
        write result.response; close; serverError(result.closeCode)
    else:                                   # 5: a valid Request
        emit originAuthenticationRequired(QWebSocketCorsAuthenticator(
            result.origin)) and read allowed()
        outcome = respond(result, originAllowed=..., serverName=...,
                          supportedSubprotocols=..., now=reactor.seconds())
        write outcome.response              # 6
        Accept: upgrade, then deliver reader.leftover to the framing (7)
        Reject: close; serverError(outcome.closeCode)

Qt validates the request (step 4) before the origin signal, and the origin
before the version (a refused origin asking for version 8 gets 403, not
400 [observed]), so the work is split in two where the application's
decision falls: L{parseRequest} (called by the reader) and L{respond}.

Where this module deliberately differs from Qt 6.12 (SPEC.md section 5a;
each is marked C{Deviation} where it happens):
  - an invalid or oversized request gets C{400 Bad Request} (RFC 6455
    section 4.2.1); Qt closes without a byte;
  - C{Sec-WebSocket-Key} must be base64 of 16 bytes (RFC 6455 section
    4.2.1 item 5); Qt accepts any non-empty key (B72);
  - requests Qt accepts although RFC 6455 section 4.2.1 or RFC 7230 says
    they must be refused are refused: no or several C{Host} lines, a
    malformed C{Host} (a non-numeric port, escapes or non-ASCII in the
    name), a request-target that is neither a path nor an absolute URI, a
    protocol token other than C{HTTP/x.y}, CR or NUL in a header value,
    user-info in an absolute target;
  - C{Upgrade} and C{Connection} are read as comma-separated lists over all
    their lines (RFC 7230 section 3.2.2); Qt reads the first line only and
    wants C{Upgrade} to be exactly C{websocket};
  - a server name with CR or LF refuses the handshake cleanly; Qt sends a
    malformed response for CRLF and injects a header for a bare LF;
  - the server name is sent as UTF-8; Qt mangles non-ASCII characters.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from dataclasses import dataclass
from email.utils import formatdate
from typing import Final, Iterable, Iterator, Sequence

from ._wsprotocol import QWebSocketProtocol

__all__ = [
    "Accept",
    "BAD_REQUEST",
    "FORBIDDEN",
    "Headers",
    "MAX_HEADER_LINE_LENGTH",
    "MAX_HEADER_LINES",
    "MAX_HEADER_SIZE",
    "Reject",
    "Request",
    "RequestReader",
    "TOO_MANY_PENDING",
    "acceptKey",
    "parseRequest",
    "respond",
]

_CloseCode = QWebSocketProtocol.CloseCode
_Version = QWebSocketProtocol.Version

MAX_HEADER_LINE_LENGTH: Final = 8192
"""Qt's C{QWebSocketPrivate::MAX_HEADERLINE_LENGTH}: the longest request
line or header field (name, colon and value, folded lines included) (B81)."""

MAX_HEADER_LINES: Final = 100
"""Qt's C{MAX_HEADERLINES}: the most header fields a request may have (B81)."""

MAX_HEADER_SIZE: Final = MAX_HEADER_LINE_LENGTH * MAX_HEADER_LINES + 4
"""819,204 bytes: more than this without a blank line is refused (B80)."""

_END_OF_HEADER: Final = b"\r\n\r\n"

# RFC 6455 section 1.3: the GUID appended to the key before hashing.
_ACCEPT_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

BAD_REQUEST: Final = b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n"
"""The answer to an unsupported version (B68), byte for byte Qt's.  Qt's
response builder produces the same bytes for an invalid request, which its
server never sends; qtwisted sends them (RFC 6455 sections 4.2.1 and 4.4)."""

FORBIDDEN: Final = b"HTTP/1.1 403 Access Forbidden\r\n\r\n"
"""The answer to a refused origin (B67), byte for byte Qt's."""

_INVALID: Final = "Invalid handshake request."
_TOO_LARGE: Final = "Header is too large."
_FORBIDDEN_TEXT: Final = "Access forbidden."
_UNSUPPORTED_VERSION: Final = "Unsupported version requested."
_NEWLINE: Final = "One of the headers contains a newline. Possible attack detected."


class Headers:
    """
    The header fields of a request: an ordered multi-dict with
    case-insensitive names (RFC 7230 section 3.2).

    Names keep the spelling the client used; values are bytes, trimmed and
    with folded lines joined by one space, as Qt's C{QHttpHeaderParser}
    leaves them.  Lookups accept C{str} or C{bytes} names.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Iterable[tuple[bytes, bytes]] = ()) -> None:
        """
        @param fields: C{(name, value)} pairs in the order received.
        """
        self._fields: tuple[tuple[bytes, bytes], ...] = tuple(fields)

    @staticmethod
    def _key(name: str | bytes) -> bytes:
        if isinstance(name, str):
            name = name.encode("latin-1", "replace")
        return name.lower()

    def get(self, name: str | bytes, default: bytes | None = None) -> bytes | None:
        """
        The value of the first field called C{name}, or C{default}.
        """
        key = self._key(name)
        for fieldName, value in self._fields:
            if fieldName.lower() == key:
                return value
        return default

    def getAll(self, name: str | bytes) -> list[bytes]:
        """
        The values of every field called C{name}, in order.
        """
        key = self._key(name)
        return [value for fieldName, value in self._fields if fieldName.lower() == key]

    def combined(self) -> list[tuple[bytes, bytes]]:
        """
        One C{(lower-case name, values joined by ", ")} pair per distinct
        name, in order of first appearance: what Qt 6.12's server-side
        C{QWebSocket::request()} exposes (B91) [observed: names lower-cased,
        repeated fields combined].
        """
        merged: dict[bytes, list[bytes]] = {}
        for name, value in self._fields:
            merged.setdefault(name.lower(), []).append(value)
        return [(name, b", ".join(values)) for name, values in merged.items()]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, (str, bytes)):
            return False
        return self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[bytes, bytes]]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return self._fields == other._fields

    def __hash__(self) -> int:
        return hash(self._fields)

    def __repr__(self) -> str:
        return f"Headers({list(self._fields)!r})"


@dataclass(frozen=True)
class Request:
    """
    A valid WebSocket upgrade request, as L{parseRequest} read it.

    The server-side C{QWebSocket} answers C{request()}, C{origin()},
    C{requestUrl()}, C{resourceName()} and C{handshakeOptions()} from it.
    Text fields are the request's bytes decoded as Latin-1, as Qt does.

    @ivar method: always C{"GET"}.
    @ivar target: the request-target as sent (C{"/chat?x=1"}).
    @ivar httpVersion: the protocol token (C{"HTTP/1.1"}).
    @ivar headers: every header field, in order.
    @ivar secure: whether the request came over TLS (C{wss}).
    @ivar host: the host of the request URL, lower-cased: from an absolute
        target, otherwise from the C{Host} header.
    @ivar port: the port of the request URL, or C{None} when absent or
        beyond 65535 (Qt then drops it from the URL [observed]).
    @ivar path: the path of the request URL, percent-encoded.
    @ivar query: the query (after C{?}), percent-encoded; C{""} if none.
    @ivar requestUrl: C{ws://host[:port]/path[?query][#fragment]} (C{wss}
        when secure; an absolute target keeps its own scheme), in encoded
        form (B89; Qt's C{QUrl::toEncoded()}).
    @ivar origin: the first C{Origin} header, trimmed, or C{""} (B65).
    @ivar key: the first C{Sec-WebSocket-Key} header.
    @ivar versions: every version of C{Sec-WebSocket-Version}, highest
        first, unknown numbers as C{VersionUnknown} (B68, B69).
    @ivar protocols: the subprotocols the client offers, in its order,
        from all C{Sec-WebSocket-Protocol} lines (B75, B76).
    @ivar extensions: the extensions the client offers (never accepted:
        B73).
    """

    method: str
    target: str
    httpVersion: str
    headers: Headers
    secure: bool
    host: str
    port: int | None
    path: str
    query: str
    requestUrl: str
    origin: str
    key: str
    versions: tuple[QWebSocketProtocol.Version, ...]
    protocols: tuple[str, ...]
    extensions: tuple[str, ...]

    @property
    def resourceName(self) -> str:
        """
        What Qt's server-side C{QWebSocket::resourceName()} returns: the
        whole request URL, not only its path (B90; QT_BEHAVIORS.md section
        4 item 21), in C{QUrl::toString()} form: L{requestUrl} with C{%20}
        and escaped UTF-8 decoded (C{/a%20b} reads C{/a b}) [observed].
        """
        return _prettyDecoded(self.requestUrl)


@dataclass(frozen=True)
class Accept:
    """
    The handshake succeeded: write L{response}, then speak WebSocket.

    @ivar response: the C{101 Switching Protocols} response (B61-B64).
    @ivar request: the request it answers.
    @ivar subprotocol: the chosen subprotocol, or C{""} (B74).
    @ivar version: the protocol version spoken: always C{Version13}.
    """

    response: bytes
    request: Request
    subprotocol: str
    version: QWebSocketProtocol.Version = QWebSocketProtocol.Version13


@dataclass(frozen=True)
class Reject:
    """
    The handshake failed: write L{response} (possibly empty), close the
    connection, and report the error as Qt does (C{error()},
    C{errorString()}, C{serverError(closeCode)}).

    @ivar response: the bytes to send before closing.
    @ivar closeCode: the server's new C{error()}.
    @ivar errorString: the server's new C{errorString()}, Qt's text.
    """

    response: bytes
    closeCode: QWebSocketProtocol.CloseCode
    errorString: str


TOO_MANY_PENDING: Final = Reject(
    b"", _CloseCode.CloseCodeAbnormalDisconnection, "Too many pending connections."
)
"""The queue of websockets is full when a request completes: no HTTP bytes,
checked before the request is even parsed (B77, B79)."""

_HEADER_TOO_LARGE: Final = Reject(BAD_REQUEST, _CloseCode.CloseCodeTooMuchData, _TOO_LARGE)
_INVALID_REQUEST: Final = Reject(BAD_REQUEST, _CloseCode.CloseCodeProtocolError, _INVALID)


class RequestReader:
    """
    Collects the bytes of one upgrade request, however the network splits
    them (B82), and parses it once the blank line arrives.

    Like Qt the reader looks for the first CRLF CRLF and gives up when more
    than L{MAX_HEADER_SIZE} bytes arrived without one (B80).  Bytes after
    the blank line are never parsed or dropped: they are the client's first
    WebSocket frames, kept in L{leftover} for the framing layer (Qt loses
    them; SPEC.md section 5a).

    @ivar secure: whether the connection is TLS (the URL scheme is C{wss}).
    @ivar complete: whether the blank line ending the request has arrived.
    @ivar leftover: once complete, the bytes received after the blank line.
    """

    def __init__(self, secure: bool = False) -> None:
        """
        @param secure: C{True} for a C{wss} server (QWebSocketServer's
            SecureMode).
        """
        self.secure = secure
        self.complete = False
        self.leftover = b""
        self._buffer = bytearray()
        self._done = False
        self._keepLeftover = False

    def feed(self, data: bytes) -> Request | Reject | None:
        """
        Add received bytes.

        @return: once, a L{Request} or a L{Reject} (a header too large, or
            an invalid request); C{None} before that and after it.  Bytes
            fed after a L{Request} are added to L{leftover} (for instance
            while the application decides on the origin); after a
            L{Reject} they are dropped.
        """
        if self._done:
            if self._keepLeftover:
                self.leftover += data
            return None
        # Search only the new bytes plus the three before them, so that a
        # request fed byte by byte costs linear, not quadratic, time.
        start = max(0, len(self._buffer) - (len(_END_OF_HEADER) - 1))
        self._buffer += data
        end = self._buffer.find(_END_OF_HEADER, start)
        if end < 0:
            if len(self._buffer) <= MAX_HEADER_SIZE:
                return None
            # B80: Qt checks the size only when the buffer holds no end of
            # header, as here.  Deviation: Qt sends no response.
            self._buffer = bytearray()
            self._done = True
            return _HEADER_TOO_LARGE
        end += len(_END_OF_HEADER)
        head = bytes(self._buffer[:end])
        self.leftover = bytes(self._buffer[end:])
        self._buffer = bytearray()
        self._done = True
        self.complete = True
        result = parseRequest(head, self.secure)
        self._keepLeftover = isinstance(result, Request)
        return result


def _readRequestLine(head: bytes) -> tuple[bytes, bytes] | None:
    # Qt's readLine(): the LF must lie within the first 8192 bytes; one CR
    # before it is dropped.
    end = head.find(b"\n", 0, MAX_HEADER_LINE_LENGTH)
    if end < 0:
        return None
    line = head[:end]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line, head[end + 1 :]


_TCHAR: Final = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ASCII_SPACE: Final = b" \t\n\r\x0b\x0c"


def _parseFields(block: bytes) -> list[tuple[bytes, bytes]] | None:
    """
    Qt's C{QHttpHeaderParser::parseHeaders()}, rule for rule: CRLF or LF
    line ends, folded lines joined by a space, names must be tokens (no
    space before the colon: RFC 7230 section 3.2.4), at most 100 fields of
    at most 8192 bytes each (B81).  Returns C{None} for a malformed block.
    """
    if block.startswith((b" ", b"\t")) or (block and not block.endswith(b"\n")):
        return None
    while True:
        if block.endswith(b"\n\r\n"):
            block = block[:-2]
        elif block.endswith(b"\n\n"):
            block = block[:-1]
        else:
            break
    fields: list[tuple[bytes, bytes]] = []
    pos = 0
    while pos < len(block):
        colon = block.find(b":", pos)
        if colon < 0:
            return fields if not fields and block[pos:] in (b"\n", b"\r\n") else None
        if len(fields) >= MAX_HEADER_LINES:
            return None
        name = block[pos:colon]
        if not _TCHAR.fullmatch(name):
            return None
        pos = colon + 1
        space = MAX_HEADER_LINE_LENGTH - len(name) - 1
        parts: list[bytes] = []
        while True:
            endLine = block.find(b"\n", pos)
            line = block[pos:endLine]
            space -= len(line) - (1 if line.endswith(b"\r") else 0)
            if space < 0:
                return None
            line = line.strip(_ASCII_SPACE)
            if line:
                parts.append(line)
            pos = endLine + 1
            if not block.startswith((b" ", b"\t"), pos):
                break
        value = b" ".join(parts)
        # Deviation: RFC 7230 section 3.2.4 lets a recipient reject CR or
        # NUL in a value; Qt 6.12 silently drops such a field [observed],
        # which would turn a poisoned Origin into no Origin at all.
        if b"\r" in value or b"\0" in value:
            return None
        fields.append((name, value))
    return fields


# RFC 3986 section 3.2.2: a bracketed IPv6 address or IPvFuture, or a
# reg-name of unreserved characters.  Qt's QUrl also refuses the sub-delims
# in a reg-name ("ex!ample") [observed]; it would decode escapes ("h%41" is
# "ha") and convert non-ASCII names to punycode, both refused here.
_AUTHORITY: Final = re.compile(
    r"(?P<host>\[(?P<literal>[0-9A-Za-z:._~!$&'()*+,;=-]+)\]|[A-Za-z0-9._~-]+)"
    r"(?::(?P<port>[0-9]*))?"
)
_IPV_FUTURE: Final = re.compile(r"[vV][0-9A-Fa-f]+\.[A-Za-z0-9._~!$&'()*+,;=:-]+")
_ABSOLUTE: Final = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)", re.S
)
_HTTP_VERSION: Final = re.compile(r"HTTP/[0-9]+(?:\.[0-9]+)?")
_UINT: Final = re.compile(r"\+?0*(?P<digits>[0-9]{1,10})")
_SPACE: Final = " \t\n\r\x0b\x0c"
_KEY: Final = re.compile(r"[A-Za-z0-9+/]{22}==")
_KNOWN_VERSIONS: Final = frozenset(int(v) for v in _Version if v != _Version.VersionUnknown)
# What QUrl::toEncoded() leaves as it is [observed]: unreserved and
# reserved characters (RFC 3986 section 2); any other byte is escaped.
_URL_SAFE: Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?[]@!$&'()*+,;="
)
_UNRESERVED: Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)
_ESCAPE: Final = re.compile(rb"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT: Final = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_ESCAPE_RUN: Final = re.compile(r"(?:%[0-9A-F]{2})+")


def _encodeUrlPart(raw: bytes) -> str:
    """
    One component of a request target (path, query or fragment) as
    QUrl::toEncoded() shows it [observed]: escapes of unreserved characters
    decoded ("%41" -> "A"), other escapes upper-cased, bytes outside
    L{_URL_SAFE} escaped.  A stray "%" makes every "%" of the component
    literal ("%25"), as QUrl's tolerant mode does.
    """
    if _STRAY_PERCENT.search(raw):
        raw = raw.replace(b"%", b"%25")
    else:
        raw = _ESCAPE.sub(
            lambda m: (
                bytes([int(m.group(1), 16)])
                if int(m.group(1), 16) in _UNRESERVED
                else b"%" + m.group(1).upper()
            ),
            raw,
        )
    return "".join(
        chr(byte) if byte in _URL_SAFE or byte == 0x25 else f"%{byte:02X}" for byte in raw
    )


def _prettyDecoded(url: str) -> str:
    """
    An encoded URL as QUrl::toString() shows it [observed]: "%20" becomes a
    space and escaped UTF-8 sequences become their characters; every other
    escape stays.
    """

    def decodeRun(match: re.Match[str]) -> str:
        text = match.group()
        run = bytes(int(text[i + 1 : i + 3], 16) for i in range(0, len(text), 3))
        out: list[str] = []
        i = 0
        while i < len(run):
            byte = run[i]
            if byte == 0x20:
                out.append(" ")
                i += 1
                continue
            # The length of the UTF-8 sequence a lead byte announces.
            length = 2 if 0xC2 <= byte <= 0xDF else 3 if 0xE0 <= byte <= 0xEF else 4
            if 0xC2 <= byte <= 0xF4:
                try:
                    out.append(run[i : i + length].decode("utf-8"))
                except UnicodeDecodeError:
                    pass
                else:
                    i += length
                    continue
            out.append(f"%{byte:02X}")
            i += 1
        return "".join(out)

    return _ESCAPE_RUN.sub(decodeRun, url)


def _number(text: str, limit: int) -> int | None:
    # An unsigned decimal (a "+" and leading zeros allowed, as Qt's
    # toUInt()) no greater than limit, else None; never int() on a
    # thousand digits.
    match = _UINT.fullmatch(text)
    if match is None or int(match.group("digits")) > limit:
        return None
    return int(match.group("digits"))


def _parseAuthority(authority: str) -> tuple[str, int | None] | None:
    match = _AUTHORITY.fullmatch(authority)
    if match is None:
        return None
    literal = match.group("literal")
    if literal is not None:
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            if not _IPV_FUTURE.fullmatch(literal):
                return None
    # Qt drops a port beyond 65535 from the URL and keeps the request.
    port = _number(match.group("port") or "", 65535)
    return match.group("host").lower(), port


def _tokens(values: Iterable[bytes]) -> list[str]:
    # Qt's appendCommmaSeparatedLineToList(), except that tokens empty
    # after trimming are skipped too (Qt would keep "" for " ,chat").
    tokens = []
    for value in values:
        for token in value.decode("latin-1").split(","):
            token = token.strip(_SPACE)
            if token:
                tokens.append(token)
    return tokens


def parseRequest(head: bytes, secure: bool = False) -> Request | Reject:
    """
    Parse and validate a complete request head (request line, header
    fields, blank line), with Qt's rules (QT_BEHAVIORS.md section 1.3.2
    step 4; Qt's C{QWebSocketHandshakeRequest::readHandshake()}) plus
    qtwisted's stricter ones, in Qt's order.

    Never raises: any malformed input gives a L{Reject} with C{400 Bad
    Request}, C{CloseCodeProtocolError} and "Invalid handshake request."
    (B70, B81; Deviation: Qt 6.12 sends no bytes).

    @param head: the bytes up to and including the first CRLF CRLF.
    @param secure: whether the connection is TLS (C{wss} URLs).
    @return: the valid L{Request}, or the L{Reject}.
    """
    read = _readRequestLine(head)
    if read is None:
        return _INVALID_REQUEST
    requestLine, block = read
    tokens = requestLine.decode("latin-1").split(" ")
    tokens = [t for t in tokens if t]
    # At least three space-separated tokens; Qt ignores any further ones.
    if len(tokens) < 3:
        return _INVALID_REQUEST
    method, target, httpVersion = tokens[:3]
    fields = _parseFields(block)
    if fields is None:
        return _INVALID_REQUEST
    headers = Headers(fields)

    # The request URL: an absolute target names its own authority (Qt),
    # otherwise the Host header gives it (RFC 6455 section 4.2.1 item 2).
    hostLines = headers.getAll(b"host")
    # Deviation: Qt takes the first of several Host lines and does not
    # require one with an absolute target; RFC 7230 section 5.4 says 400.
    if len(hostLines) != 1:
        return _INVALID_REQUEST
    # A URL with user-info is invalid (Qt); a malformed Host too (RFC 7230
    # section 5.4; Qt accepts "h:abc" and drops the port).
    hostPort = _parseAuthority(hostLines[0].decode("latin-1"))
    absolute = _ABSOLUTE.fullmatch(target)
    if absolute is not None:
        scheme = absolute.group("scheme").lower()
        rest = absolute.group("rest")
        if hostPort is not None:
            hostPort = _parseAuthority(absolute.group("authority"))
    elif target.startswith("/"):
        scheme = "wss" if secure else "ws"
        rest = target
    else:
        # Deviation: Qt accepts "*" or "chat" and gives an invalid URL.
        return _INVALID_REQUEST
    if hostPort is None:
        return _INVALID_REQUEST
    host, port = hostPort
    rest, hashMark, fragment = rest.partition("#")
    path, questionMark, query = rest.partition("?")
    path, query, fragment = (
        _encodeUrlPart(part.encode("latin-1")) for part in (path, query, fragment)
    )
    requestUrl = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    requestUrl += f"{questionMark}{query}{hashMark}{fragment}"

    # Sec-WebSocket-Version: every token of every line must be an unsigned
    # number; numbers Qt does not know read as VersionUnknown (B68-B70).
    versions: list[QWebSocketProtocol.Version] = []
    for line in headers.getAll(b"sec-websocket-version"):
        for token in line.decode("latin-1").split(","):
            if not token:
                continue
            number = _number(token.strip(_SPACE), 0xFFFFFFFF)
            if number is None:  # QString::toUInt() fails: "0x0d", "-1", 2**32
                return _INVALID_REQUEST
            versions.append(
                _Version(number) if number in _KNOWN_VERSIONS else _Version.VersionUnknown
            )
    versions.sort(reverse=True)

    key = (headers.get(b"sec-websocket-key") or b"").decode("latin-1")
    upgrade = [t.lower() for t in _tokens(headers.getAll(b"upgrade"))]
    connection = [t.lower() for t in _tokens(headers.getAll(b"connection"))]
    origin = (headers.get(b"origin") or b"").decode("latin-1")

    # Qt's validity expression, in its order.
    if (
        not host
        or not versions
        or not key
        or method != "GET"  # case-sensitive: "get" is invalid (B70)
        # Deviation: Qt reads a number from offset 5 of any token, so it
        # accepts "XXXX/1.1" and "http/1.1"; HTTP-name is case-sensitive.
        or not _HTTP_VERSION.fullmatch(httpVersion)
        or float(httpVersion[5:]) < 1.1
        or "websocket" not in upgrade
        or "upgrade" not in connection
        # Deviation (B72): RFC 6455 section 4.2.1 item 5 wants base64 of
        # 16 bytes; Qt accepts any non-empty key.
        or not _KEY.fullmatch(key)
    ):
        return _INVALID_REQUEST

    return Request(
        method=method,
        target=target,
        httpVersion=httpVersion,
        headers=headers,
        secure=secure,
        host=host,
        port=port,
        path=path,
        query=query,
        requestUrl=requestUrl,
        origin=origin,
        key=key,
        versions=tuple(versions),
        protocols=tuple(_tokens(headers.getAll(b"sec-websocket-protocol"))),
        extensions=tuple(_tokens(headers.getAll(b"sec-websocket-extensions"))),
    )


def acceptKey(key: str) -> str:
    """
    The C{Sec-WebSocket-Accept} value for a client's key: base64 of the
    SHA-1 of the key and RFC 6455's GUID (RFC 6455 section 4.2.2 item 5.4;
    C{"dGhlIHNhbXBsZSBub25jZQ=="} gives C{"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}).
    """
    digest = hashlib.sha1(key.encode("latin-1") + _ACCEPT_GUID).digest()
    return base64.b64encode(digest).decode("ascii")


def respond(
    request: Request,
    *,
    originAllowed: bool,
    serverName: str = "",
    supportedSubprotocols: Sequence[str] = (),
    now: float,
) -> Accept | Reject:
    """
    Qt's answer to a valid request once the origin is decided
    (QT_BEHAVIORS.md section 1.3.2 step 6; Qt's
    C{QWebSocketHandshakeResponse}), checked in Qt's order: origin, then
    version, then the server name.

    @param request: a L{Request} from L{parseRequest}.
    @param originAllowed: C{QWebSocketCorsAuthenticator.allowed()} after
        C{originAuthenticationRequired} (C{True} when no slot is connected:
        B66).
    @param serverName: C{QWebSocketServer.serverName()}; the C{Server:}
        header is sent only when it is non-empty (B62).
    @param supportedSubprotocols: C{supportedSubprotocols()}: the first
        protocol the client offers that appears here (exact, case-sensitive
        match) is chosen (B74, B75).
    @param now: the current time in POSIX seconds, for the C{Date:} header
        (B64): the server passes its reactor's C{seconds()}.
    @return: L{Accept} with the C{101} response, or L{Reject}: refused
        origin (exactly L{FORBIDDEN}, C{CloseCodePolicyViolated}, B67), no
        common version (exactly L{BAD_REQUEST}, C{CloseCodeProtocolError},
        B68), or a server name containing CR or LF.
    """
    if not originAllowed:
        return Reject(FORBIDDEN, _CloseCode.CloseCodePolicyViolated, _FORBIDDEN_TEXT)
    # supportedVersions() is [Version13]; "8, 13" is fine (B69).
    if _Version.Version13 not in request.versions:
        return Reject(BAD_REQUEST, _CloseCode.CloseCodeProtocolError, _UNSUPPORTED_VERSION)
    if any(c in serverName for c in "\r\n\0"):
        # Deviation: Qt looks for CRLF only (a bare LF injects a header
        # [observed]) and then sends its 101 lines followed by this 400;
        # here the 400 comes alone.  The Origin cannot hold CR or LF here:
        # parseRequest refused such a request.
        return Reject(BAD_REQUEST, _CloseCode.CloseCodeAbnormalDisconnection, _NEWLINE)
    subprotocol = next((p for p in request.protocols if p in supportedSubprotocols), "")
    lines = [
        b"HTTP/1.1 101 Switching Protocols",
        b"Upgrade: websocket",
        b"Connection: Upgrade",
        b"Sec-WebSocket-Accept: " + acceptKey(request.key).encode("ascii"),
    ]
    if subprotocol:
        lines.append(b"Sec-WebSocket-Protocol: " + subprotocol.encode("latin-1"))
    # No Sec-WebSocket-Extensions: Qt supports none (B73).
    if serverName:
        # Deviation: UTF-8.  Qt writes Latin-1 through a UTF-8 text stream,
        # so "é" arrives as U+FFFD and "€" as "?" [observed].
        lines.append(b"Server: " + serverName.encode("utf-8"))
    lines += [
        b"Access-Control-Allow-Credentials: false",
        b"Access-Control-Allow-Methods: GET",
        b"Access-Control-Allow-Headers: content-type",
        # B63: the Origin as received, or "*".
        b"Access-Control-Allow-Origin: " + (request.origin.encode("latin-1") or b"*"),
        # B64: RFC 7231 IMF-fixdate, English names, UTC.
        b"Date: " + formatdate(now, usegmt=True).encode("ascii"),
    ]
    return Accept(b"\r\n".join(lines) + b"\r\n\r\n", request, subprotocol)

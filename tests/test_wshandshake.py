"""
Tests for L{qtwisted._wshandshake}: reading a WebSocket upgrade request and
answering it with Qt's rules and Qt's exact bytes.  Pure values, no sockets.

Checked against real Qt (PySide6 6.12.0, QWebSocketServer named "Probe" with
subprotocols chat/superchat on 127.0.0.1, QT_QPA_PLATFORM=offscreen, raw
requests from a Python socket).  A differential run sent the same 107 raw
requests to Qt and through RequestReader/respond: for the 91 meant to match,
Qt's 101/403/400 bytes (Date aside), error code and string, requestUrl
(toEncoded), resourceName, origin, chosen and offered subprotocols and
request() headers were identical, counting "no bytes + serverError(1002,
'Invalid handshake request.')" from Qt as our 400.  What that covered,
beyond QT_BEHAVIORS.md:
  - a refused origin wins over an unsupported version (403);
  - Sec-WebSocket-Version: "8, 13", " 13 ", "+13", "13,", "013" and two
    lines (8, then 13) are accepted; ",", "0x0d", "-1", "13, x" and
    4294967309 are invalid;
  - header limits: 100 fields pass, 101 fail; a field line of 8192 bytes
    passes, 8193 fails, folded lines count together; the request line's LF
    must lie within its first 8192 bytes; LF-only lines are parsed but only
    CRLF CRLF ends the request; "Name : v", an empty name, a line without a
    colon, a folded first line, a tab in the request line and a leading
    empty line are invalid; obs-fold joins with one space; 819,204 bytes
    without an end of header wait, 819,205 give 1009 "Header is too large.";
  - URLs: hosts lower-cased, a port beyond 65535 or an empty one dropped,
    leading zeros dropped, IPv6 kept bracketed; an absolute target gives its
    own URL (scheme and host lower-cased); toEncoded decodes escaped
    unreserved characters and upper-cases the rest; a stray "%" makes the
    whole component literal; toString (resourceName) also decodes %20 and
    escaped UTF-8;
  - request() lower-cases header names and joins repeated fields with ", ";
  - a server name containing CRLF gives Qt's malformed 101-then-400
    response, a bare LF injects a header, non-ASCII is mangled (deviations).
The 16 deliberate differences, each confirmed on the wire: Qt accepts, where
qtwisted answers 400: key "abc", two Host lines, no Host with an absolute
target, Host "h:abc" (Qt drops the port), "h%41" and "\xff" (Qt decodes or
punycodes), targets "*" and "chat" (Qt's URL is then invalid), user-info in
an absolute target, "XXXX/1.1" and "http/1.1", CR or NUL in a header value
(Qt drops that field); Qt refuses, where qtwisted accepts: "Upgrade:
websocket, foo" and Connection split over two lines; Qt offers "" for
" , ,chat", qtwisted skips empty tokens.
"""

from __future__ import annotations

import random

from twisted.trial.unittest import SynchronousTestCase

from qtwisted._wshandshake import (
    BAD_REQUEST,
    FORBIDDEN,
    MAX_HEADER_SIZE,
    TOO_MANY_PENDING,
    Accept,
    Headers,
    Reject,
    Request,
    RequestReader,
    acceptKey,
    parseRequest,
    respond,
)
from qtwisted._wsprotocol import QWebSocketProtocol

CloseCode = QWebSocketProtocol.CloseCode
Version = QWebSocketProtocol.Version

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
NOW = 1795215681.0  # Fri, 20 Nov 2026 23:01:21 GMT (B64's example)

DEFAULT_FIELDS: list[tuple[bytes, bytes]] = [
    (b"Host", b"example.com:1234"),
    (b"Upgrade", b"websocket"),
    (b"Connection", b"Upgrade"),
    (b"Sec-WebSocket-Key", KEY.encode()),
    (b"Sec-WebSocket-Version", b"13"),
]

INVALID = Reject(BAD_REQUEST, CloseCode.CloseCodeProtocolError, "Invalid handshake request.")


def head(
    target: bytes = b"/",
    *,
    line: bytes | None = None,
    drop: tuple[bytes, ...] = (),
    replace: dict[bytes, bytes] | None = None,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> bytes:
    """
    An upgrade request head: the default fields, minus C{drop}, with the
    values of C{replace}, plus C{extra}, ended by the blank line.
    """
    replace = replace or {}
    lines = [line if line is not None else b"GET " + target + b" HTTP/1.1"]
    for name, value in DEFAULT_FIELDS:
        if name.lower() not in drop:
            lines.append(name + b": " + replace.get(name.lower(), value))
    lines += [name + b": " + value for name, value in extra or []]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def parsed(data: bytes, secure: bool = False) -> Request:
    """
    Parse a head that must be valid.
    """
    result = parseRequest(data, secure)
    assert isinstance(result, Request), result
    return result


def response(
    accept: str = ACCEPT,
    protocol: bytes | None = None,
    server: bytes | None = None,
    origin: bytes = b"*",
    date: bytes = b"Fri, 20 Nov 2026 23:01:21 GMT",
) -> bytes:
    """
    Qt's 101 response, in Qt's header order (B61).
    """
    lines = [
        b"HTTP/1.1 101 Switching Protocols",
        b"Upgrade: websocket",
        b"Connection: Upgrade",
        b"Sec-WebSocket-Accept: " + accept.encode(),
    ]
    if protocol is not None:
        lines.append(b"Sec-WebSocket-Protocol: " + protocol)
    if server is not None:
        lines.append(b"Server: " + server)
    lines += [
        b"Access-Control-Allow-Credentials: false",
        b"Access-Control-Allow-Methods: GET",
        b"Access-Control-Allow-Headers: content-type",
        b"Access-Control-Allow-Origin: " + origin,
        b"Date: " + date,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n"


class AcceptKeyTests(SynchronousTestCase):
    """
    L{acceptKey} computes C{Sec-WebSocket-Accept} (RFC 6455 section 4.2.2).
    """

    def test_rfcSample(self) -> None:
        """
        B61: RFC 6455 section 1.3's sample key gives its sample answer.
        """
        self.assertEqual(acceptKey(KEY), ACCEPT)

    def test_keyUsedVerbatim(self) -> None:
        """
        The key is hashed as sent, not decoded (Qt's answer to key "abc"
        [observed]).
        """
        self.assertEqual(acceptKey("abc"), "zwKd5BnoWxQ6GxTxxSmBSHGHX9M=")


class RequestReaderTests(SynchronousTestCase):
    """
    L{RequestReader} frames one request however it arrives and keeps what
    follows it.
    """

    def test_wholeRequest(self) -> None:
        """
        A request in one piece gives its L{Request} at once.
        """
        reader = RequestReader()
        result = reader.feed(head())
        self.assertIsInstance(result, Request)
        self.assertTrue(reader.complete)
        self.assertEqual(reader.leftover, b"")

    def test_byteByByte(self) -> None:
        """
        B82: a request dripped one byte at a time is accepted when, and only
        when, its last byte arrives.
        """
        data = head(b"/chat")
        reader = RequestReader()
        for i in range(len(data) - 1):
            self.assertIsNone(reader.feed(data[i : i + 1]))
            self.assertFalse(reader.complete)
        result = reader.feed(data[-1:])
        self.assertIsInstance(result, Request)
        assert isinstance(result, Request)
        self.assertEqual(result.path, "/chat")

    def test_terminatorSplitAcrossChunks(self) -> None:
        """
        B82: CRLF CRLF split over two segments is still found.
        """
        data = head()
        reader = RequestReader()
        self.assertIsNone(reader.feed(data[:-3]))
        self.assertIsInstance(reader.feed(data[-3:]), Request)

    def test_pipelinedFrameKept(self) -> None:
        """
        SPEC.md section 5a: frame bytes sent with the request stay in
        C{leftover}, untouched (Qt loses them).
        """
        frame = bytes([0x81, 0x82, 1, 2, 3, 4]) + bytes([ord("h") ^ 1, ord("i") ^ 2])
        reader = RequestReader()
        self.assertIsInstance(reader.feed(head() + frame), Request)
        self.assertEqual(reader.leftover, frame)

    def test_pipelinedFrameByteByByte(self) -> None:
        """
        Frame bytes dripped with the request are kept too.
        """
        frame = b"\x81\x80\x00\x00\x00\x00"
        reader = RequestReader()
        results = [reader.feed(bytes([b])) for b in head() + frame]
        self.assertEqual(sum(r is not None for r in results), 1)
        self.assertEqual(reader.leftover, frame)

    def test_bytesAfterRequestAppended(self) -> None:
        """
        Bytes fed after the L{Request} (e.g. while the origin is being
        decided) are added to C{leftover} and give L{None}.
        """
        reader = RequestReader()
        reader.feed(head() + b"ab")
        self.assertIsNone(reader.feed(b"cd"))
        self.assertEqual(reader.leftover, b"abcd")

    def test_bytesAfterRejectDropped(self) -> None:
        """
        After a L{Reject} further bytes are dropped and give L{None}.
        """
        reader = RequestReader()
        self.assertEqual(reader.feed(head(line=b"GARBAGE")), INVALID)
        self.assertTrue(reader.complete)
        self.assertIsNone(reader.feed(b"more"))
        self.assertEqual(reader.leftover, b"")

    def test_lfOnlyNeverCompletes(self) -> None:
        """
        Only CRLF CRLF ends a request, as in Qt: LF LF waits for more
        [observed: Qt sends nothing until its timeout].
        """
        reader = RequestReader()
        self.assertIsNone(reader.feed(head().replace(b"\r\n", b"\n")))
        self.assertFalse(reader.complete)

    def test_lfLinesWithCrlfEnd(self) -> None:
        """
        LF-only header lines are parsed once a CRLF CRLF ends the request
        [observed].
        """
        data = head().replace(b"\r\n", b"\n")[:-1] + b"\r\n\r\n"
        self.assertIsInstance(RequestReader().feed(data), Request)

    def test_headerTooLarge(self) -> None:
        """
        B80: more than 819,204 bytes without a blank line give 400 Bad
        Request, CloseCodeTooMuchData and "Header is too large." (Qt sends
        nothing: a deviation).
        """
        reader = RequestReader()
        self.assertEqual(MAX_HEADER_SIZE, 819204)
        chunk = b"X-Filler: " + b"a" * 8000 + b"\r\n"
        fed = 0
        result: Request | Reject | None = None
        while fed + len(chunk) <= MAX_HEADER_SIZE:
            self.assertIsNone(reader.feed(chunk))
            fed += len(chunk)
        self.assertIsNone(reader.feed(b"x" * (MAX_HEADER_SIZE - fed)))
        result = reader.feed(b"x")
        self.assertEqual(
            result, Reject(BAD_REQUEST, CloseCode.CloseCodeTooMuchData, "Header is too large.")
        )
        self.assertFalse(reader.complete)
        self.assertIsNone(reader.feed(b"\r\n\r\n"))

    def test_terminatorBeatsSize(self) -> None:
        """
        B80 vs B81: as in Qt the end of header is searched first, so an
        oversized chunk that contains it is parsed (and found invalid: too
        many fields), not refused as too large.
        """
        fields = b"".join(b"X-%d: %s\r\n" % (i, b"a" * 8000) for i in range(110))
        data = b"GET / HTTP/1.1\r\n" + fields + b"\r\n"
        self.assertGreater(len(data), MAX_HEADER_SIZE)
        self.assertEqual(RequestReader().feed(data), INVALID)

    def test_secureScheme(self) -> None:
        """
        B89: a reader for a SecureMode server gives C{wss://} URLs.
        """
        result = RequestReader(secure=True).feed(head(b"/p"))
        assert isinstance(result, Request)
        self.assertEqual((result.secure, result.requestUrl), (True, "wss://example.com:1234/p"))


class ParseRequestTests(SynchronousTestCase):
    """
    L{parseRequest} applies Qt's validity rules (QT_BEHAVIORS.md section
    1.3.2 step 4) and qtwisted's stricter ones.  Every invalid request gets
    exactly L{BAD_REQUEST}, CloseCodeProtocolError and "Invalid handshake
    request." (B70; Qt 6.12 sends no bytes: SPEC.md section 5a).
    """

    def assertInvalid(self, data: bytes) -> None:
        """
        C{data} is refused with the invalid-request L{Reject}.
        """
        self.assertEqual(parseRequest(data), INVALID)

    def test_valid(self) -> None:
        """
        B61: a plain RFC 6455 request is valid.
        """
        self.assertIsInstance(parseRequest(head()), Request)

    def test_missingRequiredFields(self) -> None:
        """
        B70: without Sec-WebSocket-Version, Sec-WebSocket-Key, Host, Upgrade
        or Connection the request is invalid.
        """
        for name in (
            b"sec-websocket-version",
            b"sec-websocket-key",
            b"host",
            b"upgrade",
            b"connection",
        ):
            self.assertInvalid(head(drop=(name,)))

    def test_emptyValues(self) -> None:
        """
        B70: an empty key, version or Host is as good as none.
        """
        for name in (b"sec-websocket-version", b"sec-websocket-key", b"host"):
            self.assertInvalid(head(replace={name: b""}))

    def test_method(self) -> None:
        """
        B70: the method must be exactly GET: "get" and POST are invalid.
        """
        self.assertInvalid(head(line=b"get / HTTP/1.1"))
        self.assertInvalid(head(line=b"POST / HTTP/1.1"))

    def test_httpVersion(self) -> None:
        """
        B70: HTTP/1.0 is invalid; HTTP/1.1, HTTP/1.10 and HTTP/2 are valid
        (Qt compares the number with 1.1 [observed]).
        """
        self.assertInvalid(head(line=b"GET / HTTP/1.0"))
        for version in (b"HTTP/1.1", b"HTTP/1.10", b"HTTP/2"):
            self.assertIsInstance(parseRequest(head(line=b"GET / " + version)), Request, version)

    def test_notHttp(self) -> None:
        """
        Deviation: "XXXX/1.1", "http/1.1" and "HTTP/x" are refused (Qt reads
        a number at offset 5 of any token and accepts the first two).
        """
        for version in (b"XXXX/1.1", b"http/1.1", b"HTTP/x", b"HTTP/1.1.1"):
            self.assertInvalid(head(line=b"GET / " + version))

    def test_requestLineTokens(self) -> None:
        """
        The request line needs three space-separated tokens; extra spaces and
        tokens are tolerated, a tab or a missing target is not [observed].
        """
        self.assertInvalid(head(line=b"GET  HTTP/1.1"))
        self.assertInvalid(head(line=b"GET\t/\tHTTP/1.1"))
        self.assertIsInstance(parseRequest(head(line=b"GET  /  HTTP/1.1")), Request)
        self.assertIsInstance(parseRequest(head(line=b"GET / HTTP/1.1 extra")), Request)

    def test_garbage(self) -> None:
        """
        A TLS ClientHello, a leading empty line or a lone blank line are
        invalid, not errors.
        """
        self.assertInvalid(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")
        self.assertInvalid(b"\r\n" + head())
        self.assertInvalid(b"\r\n\r\n")

    def test_userInfo(self) -> None:
        """
        B70: user-info in the authority is invalid, in Host or in an
        absolute target.
        """
        self.assertInvalid(head(replace={b"host": b"u:p@h"}))
        self.assertInvalid(head(b"ws://u@h/p"))

    def test_upgradeAnyCase(self) -> None:
        """
        B71: "Upgrade: WebSocket" and "Connection: keep-alive, Upgrade" are
        accepted.
        """
        data = head(replace={b"upgrade": b"WebSocket", b"connection": b"keep-alive, Upgrade"})
        self.assertIsInstance(parseRequest(data), Request)
        self.assertIsInstance(
            parseRequest(head(replace={b"connection": b"upgrade,keep-alive"})), Request
        )

    def test_connectionWithoutUpgrade(self) -> None:
        """
        B70: a Connection header lacking the "upgrade" token is invalid, and
        so is an Upgrade naming another protocol.
        """
        self.assertInvalid(head(replace={b"connection": b"keep-alive"}))
        self.assertInvalid(head(replace={b"connection": b"upgraded"}))
        self.assertInvalid(head(replace={b"upgrade": b"h2c"}))

    def test_upgradeAndConnectionLists(self) -> None:
        """
        Deviation: Upgrade and Connection are token lists over all their
        lines (RFC 7230 section 3.2.2); Qt reads the first line only.
        """
        self.assertIsInstance(parseRequest(head(replace={b"upgrade": b"websocket, foo"})), Request)
        data = head(replace={b"connection": b"keep-alive"}, extra=[(b"Connection", b"Upgrade")])
        self.assertIsInstance(parseRequest(data), Request)

    def test_versionTokens(self) -> None:
        """
        B69, B70: "8, 13", " 13 ", "+13" and "13," are valid lists; a token
        that is not an unsigned number makes the request invalid [observed].
        """
        for value in (b"8, 13", b" 13 ", b"+13", b"13,", b"013"):
            self.assertIsInstance(
                parseRequest(head(replace={b"sec-websocket-version": value})), Request, value
            )
        for value in (b",", b"0x0d", b"-1", b"4294967309", b"13, x", b"1" * 5000):
            self.assertInvalid(head(replace={b"sec-websocket-version": value}))

    def test_keyValidated(self) -> None:
        """
        Deviation from B72: the key must be base64 of 16 bytes (RFC 6455
        section 4.2.1 item 5); Qt accepts "abc".
        """
        for key in (
            b"abc",
            b"dGhlIHNhbXBsZSBub25jZQ",
            b"dGhlIHNhbXBsZSBub25jZQ=",
            b"!GhlIHNhbXBsZSBub25jZQ==",
        ):
            self.assertInvalid(head(replace={b"sec-websocket-key": key}))
        self.assertIsInstance(
            parseRequest(head(replace={b"sec-websocket-key": b"AAAAAAAAAAAAAAAAAAAAAA=="})), Request
        )

    def test_hostRequired(self) -> None:
        """
        Deviation: exactly one Host line is required, even with an absolute
        target (RFC 7230 section 5.4); Qt takes the first of two, and none
        with an absolute target.
        """
        self.assertInvalid(head(extra=[(b"Host", b"other")]))
        self.assertInvalid(head(b"ws://h:99/p", drop=(b"host",)))

    def test_malformedHost(self) -> None:
        """
        A Host that is no authority is invalid: spaces, sub-delims, a path,
        two ports, an unclosed bracket [observed in Qt], and (deviation) a
        non-numeric port, an escape or a non-ASCII name.
        """
        for host in (
            b"exa mple",
            b"ex!ample",
            b"h/x",
            b"h?x",
            b"h#x",
            b"@h",
            b"h:80:90",
            b"[::1",
            b"h%41",
            b"h:abc",
            b"[zz]",
            b"\xff",
        ):
            self.assertInvalid(head(replace={b"host": host}))

    def test_targets(self) -> None:
        """
        Deviation: the target must be a path or an absolute URI; Qt accepts
        "*" and "chat" (and then reports an invalid URL [observed]).
        """
        for target in (b"*", b"chat", b"http:foo", b"ws://h:99x"):
            self.assertInvalid(head(target))

    def test_fieldCount(self) -> None:
        """
        B81: 100 header fields are fine, 101 make the request invalid.
        """
        pad = [(b"X-%d" % i, b"v") for i in range(100 - len(DEFAULT_FIELDS))]
        self.assertIsInstance(parseRequest(head(extra=pad)), Request)
        self.assertInvalid(head(extra=pad + [(b"X-Last", b"v")]))

    def test_fieldLength(self) -> None:
        """
        B81: a field line of 8192 bytes is fine, 8193 is invalid; folded
        lines count together [observed].
        """
        fill = 8192 - len(b"X-Long: ")
        self.assertIsInstance(parseRequest(head(extra=[(b"X-Long", b"a" * fill)])), Request)
        self.assertInvalid(head(extra=[(b"X-Long", b"a" * (fill + 1))]))
        folded = b"a" * (fill - 10) + b"\r\n " + b"b" * 9
        self.assertIsInstance(parseRequest(head(extra=[(b"X-Long", folded)])), Request)
        self.assertInvalid(head(extra=[(b"X-Long", folded + b"b")]))

    def test_requestLineLength(self) -> None:
        """
        B81: the request line's LF must lie within its first 8192 bytes.
        """
        fits = b"/" + b"a" * (8191 - len(b"GET / HTTP/1.1\r"))
        self.assertIsInstance(parseRequest(head(fits)), Request)
        self.assertInvalid(head(fits + b"a"))

    def test_fieldSyntax(self) -> None:
        """
        Qt's header parser: a space before the colon, an empty name, a line
        without colon and a folded first line are invalid [observed].
        """
        self.assertInvalid(head(extra=[(b"X-A ", b"b")]))
        self.assertInvalid(head(extra=[(b"", b"b")]))
        self.assertInvalid(head().replace(b"\r\n\r\n", b"\r\nGarbage\r\n\r\n"))
        self.assertInvalid(head(line=b"GET / HTTP/1.1\r\n X: y"))

    def test_controlCharactersInValues(self) -> None:
        """
        Deviation: CR or NUL inside a value makes the request invalid (RFC
        7230 section 3.2.4); Qt 6.12 silently drops that field.
        """
        self.assertInvalid(head(extra=[(b"Origin", b"http://a\rb")]))
        self.assertInvalid(head(extra=[(b"X-N", b"a\x00b")]))

    def test_neverRaises(self) -> None:
        """
        Random mutations of a valid request give a L{Request} or the
        invalid-request L{Reject} (whose bytes are fixed), never an
        exception.
        """
        rng = random.Random(6455)
        base = bytearray(
            head(b"/p?q", extra=[(b"Origin", b"http://o"), (b"Sec-WebSocket-Protocol", b"a, b")])
        )
        alphabet = b" \t\r\n:,/?#[]@%+0123456789abcdefGET\x00\xff"
        for _ in range(2000):
            data = bytearray(base)
            for _ in range(rng.randint(1, 6)):
                pos = rng.randrange(len(data) - 4)
                data[pos] = alphabet[rng.randrange(len(alphabet))]
            result = parseRequest(bytes(data))
            self.assertIsInstance(result, (Request, Reject))
            if isinstance(result, Reject):
                self.assertEqual(result, INVALID)


class RequestFieldsTests(SynchronousTestCase):
    """
    The L{Request} values a server-side C{QWebSocket} reports later.
    """

    def test_requestUrl(self) -> None:
        """
        B89: C{ws://} + Host + target; host, port, path and query apart.
        """
        request = parsed(head(b"/chat?x=1"))
        self.assertEqual(request.requestUrl, "ws://example.com:1234/chat?x=1")
        self.assertEqual(
            (request.host, request.port, request.path, request.query),
            ("example.com", 1234, "/chat", "x=1"),
        )
        self.assertEqual(
            (request.method, request.target, request.httpVersion), ("GET", "/chat?x=1", "HTTP/1.1")
        )

    def test_resourceNameIsWholeUrl(self) -> None:
        """
        B90 (QT_BEHAVIORS.md section 4 item 21): resourceName is the whole
        request URL, not only the path.
        """
        request = parsed(head(b"/chat?x=1"))
        self.assertEqual(request.resourceName, "ws://example.com:1234/chat?x=1")

    def test_urlNormalisation(self) -> None:
        """
        As QUrl does [observed]: the host is lower-cased, a port beyond 65535
        or an empty one is dropped, leading zeros go, IPv6 stays bracketed,
        a fragment is kept.
        """
        cases = {
            b"ExAmple.COM": "ws://example.com/",
            b"h:99999": "ws://h/",
            b"h:": "ws://h/",
            b"h:0080": "ws://h:80/",
            b"[::1]:8080": "ws://[::1]:8080/",
            b"[::FFFF:1.2.3.4]": "ws://[::ffff:1.2.3.4]/",
            b"a_b.": "ws://a_b./",
        }
        for host, url in cases.items():
            self.assertEqual(parsed(head(replace={b"host": host})).requestUrl, url, host)
        self.assertEqual(parsed(head(b"/a#frag")).requestUrl, "ws://example.com:1234/a#frag")

    def test_urlEncoding(self) -> None:
        """
        requestUrl is in QUrl::toEncoded() form [observed]: escapes of
        unreserved characters decoded, others upper-cased, non-ASCII bytes,
        controls and unsafe characters escaped.
        """
        request = parsed(head(b"/a%20b/%41%2a/\xc3\xa9\x01?x=%41&y=%7e"))
        self.assertEqual(request.requestUrl, "ws://example.com:1234/a%20b/A%2A/%C3%A9%01?x=A&y=~")
        self.assertEqual((request.path, request.query), ("/a%20b/A%2A/%C3%A9%01", "x=A&y=~"))
        request = parsed(head(b'/x?a="<>{}|\\^`[]'))
        self.assertEqual(
            request.requestUrl, "ws://example.com:1234/x?a=%22%3C%3E%7B%7D%7C%5C%5E%60[]"
        )

    def test_strayPercent(self) -> None:
        """
        A "%" not followed by two hex digits makes every "%" of its
        component literal, as QUrl's tolerant mode does [observed].
        """
        request = parsed(head(b"/%41?%zz%41#%41"))
        self.assertEqual(request.requestUrl, "ws://example.com:1234/A?%25zz%2541#A")

    def test_resourceNameDecoded(self) -> None:
        """
        B90: resourceName is QUrl::toString(): %20 and escaped UTF-8 are
        decoded, other escapes (invalid UTF-8, controls, delimiters) stay
        [observed].
        """
        request = parsed(head(b"/a%20b/%C3%A9%FF%00%2F?q=%C3%A9%25"))
        self.assertEqual(request.resourceName, "ws://example.com:1234/a b/\xe9%FF%00%2F?q=\xe9%25")

    def test_absoluteTarget(self) -> None:
        """
        An absolute target names its own URL; Host is then not used for it
        [observed: ws://h:99/p?q=1, and http://... keeps http].
        """
        self.assertEqual(parsed(head(b"ws://h:99/p?q=1")).requestUrl, "ws://h:99/p?q=1")
        self.assertEqual(parsed(head(b"WS://H/p")).requestUrl, "ws://h/p")
        self.assertEqual(parsed(head(b"http://h:99/p?q=1")).requestUrl, "http://h:99/p?q=1")
        self.assertEqual(parsed(head(b"ws://h:99")).requestUrl, "ws://h:99")
        self.assertEqual(parsed(head(b"ws://h:99/p"), secure=True).requestUrl, "ws://h:99/p")

    def test_origin(self) -> None:
        """
        B65, B89: the first Origin, trimmed; "" without one.
        """
        self.assertEqual(
            parsed(head(extra=[(b"Origin", b"   http://ok   "), (b"Origin", b"http://2")])).origin,
            "http://ok",
        )
        self.assertEqual(parsed(head()).origin, "")

    def test_key(self) -> None:
        """
        The key as sent.
        """
        self.assertEqual(parsed(head()).key, KEY)

    def test_versions(self) -> None:
        """
        B68, B69: all versions of all lines, highest first; numbers Qt does
        not know are VersionUnknown.
        """
        request = parsed(
            head(
                replace={b"sec-websocket-version": b"8, 12"},
                extra=[(b"Sec-WebSocket-Version", b"13")],
            )
        )
        self.assertEqual(
            request.versions, (Version.Version13, Version.Version8, Version.VersionUnknown)
        )

    def test_protocols(self) -> None:
        """
        B75, B76: the offered subprotocols of all lines, in order, trimmed,
        empty entries skipped.
        """
        request = parsed(
            head(
                extra=[
                    (b"Sec-WebSocket-Protocol", b"foo, superchat"),
                    (b"Sec-WebSocket-Protocol", b" , ,chat"),
                ]
            )
        )
        self.assertEqual(request.protocols, ("foo", "superchat", "chat"))

    def test_extensions(self) -> None:
        """
        B73: offered extensions are recorded, parameters and all.
        """
        request = parsed(
            head(
                extra=[(b"Sec-WebSocket-Extensions", b"permessage-deflate; client_max_window_bits")]
            )
        )
        self.assertEqual(request.extensions, ("permessage-deflate; client_max_window_bits",))

    def test_headers(self) -> None:
        """
        B91: all fields in order with their spelling; obs-fold joined with
        one space [observed].
        """
        request = parsed(head(extra=[(b"X-Custom", b"Val"), (b"X-Fold", b"a\r\n  b")]))
        self.assertEqual(list(request.headers)[-2:], [(b"X-Custom", b"Val"), (b"X-Fold", b"a b")])
        self.assertEqual(len(request.headers), len(DEFAULT_FIELDS) + 2)

    def test_frozen(self) -> None:
        """
        A L{Request} is an immutable value.
        """
        request = parsed(head())
        self.assertRaises(AttributeError, setattr, request, "origin", "x")
        self.assertEqual(request, parsed(head()))


class HeadersTests(SynchronousTestCase):
    """
    L{Headers}: ordered, repeatable, case-insensitive names.
    """

    headers = Headers([(b"Host", b"h"), (b"X-A", b"1"), (b"x-a", b"2"), (b"Other", b"o")])

    def test_caseInsensitiveLookup(self) -> None:
        """
        Names match in any case, as str or bytes; the first field wins.
        """
        for name in ("x-a", "X-A", b"X-a"):
            self.assertEqual(self.headers.get(name), b"1")
            self.assertIn(name, self.headers)
        self.assertIsNone(self.headers.get("missing"))
        self.assertEqual(self.headers.get("missing", b"d"), b"d")
        self.assertNotIn(42, self.headers)

    def test_getAll(self) -> None:
        """
        Every value of a repeated field, in order.
        """
        self.assertEqual(self.headers.getAll("X-A"), [b"1", b"2"])
        self.assertEqual(self.headers.getAll("nope"), [])

    def test_combined(self) -> None:
        """
        B91: Qt's request() view: lower-case names, repeats joined by ", ",
        first-appearance order [observed].
        """
        self.assertEqual(
            self.headers.combined(), [(b"host", b"h"), (b"x-a", b"1, 2"), (b"other", b"o")]
        )

    def test_valueSemantics(self) -> None:
        """
        Equal fields make equal, hashable L{Headers}.
        """
        self.assertEqual(self.headers, Headers(list(self.headers)))
        self.assertEqual(hash(self.headers), hash(Headers(list(self.headers))))
        self.assertNotEqual(self.headers, Headers())
        self.assertIn("X-A", repr(self.headers))


class RespondTests(SynchronousTestCase):
    """
    L{respond}: Qt's answer once the origin is decided, byte for byte.
    """

    def answer(
        self,
        data: bytes | None = None,
        *,
        originAllowed: bool = True,
        serverName: str = "",
        supportedSubprotocols: tuple[str, ...] = (),
    ) -> Accept | Reject:
        """
        Respond to C{data} (default: L{head}()) at L{NOW}.
        """
        return respond(
            parsed(data if data is not None else head()),
            originAllowed=originAllowed,
            serverName=serverName,
            supportedSubprotocols=supportedSubprotocols,
            now=NOW,
        )

    def test_switchingProtocols(self) -> None:
        """
        B61, B63, B64: the 101 response with Qt's lines in Qt's order,
        C{Access-Control-Allow-Origin: *} without Origin.
        """
        result = self.answer()
        self.assertEqual(result, Accept(response(), parsed(head()), ""))
        assert isinstance(result, Accept)
        self.assertEqual(result.version, Version.Version13)

    def test_serverHeader(self) -> None:
        """
        B62: C{Server:} comes after the protocol line iff the name is not
        empty.
        """
        result = self.answer(serverName="Echo Server")
        assert isinstance(result, Accept)
        self.assertEqual(result.response, response(server=b"Echo Server"))
        self.assertNotIn(b"Server:", self.answer(serverName="").response)

    def test_serverNameUtf8(self) -> None:
        """
        Deviation: a non-ASCII server name is sent as UTF-8 (Qt sends "?"
        and U+FFFD [observed]).
        """
        self.assertEqual(
            self.answer(serverName="\u20acuro \xe9").response,
            response(server="\u20acuro \xe9".encode()),
        )

    def test_originEchoed(self) -> None:
        """
        B63: C{Access-Control-Allow-Origin} echoes the Origin as received.
        """
        result = self.answer(head(extra=[(b"Origin", b"https://a.example:8443")]))
        self.assertEqual(result.response, response(origin=b"https://a.example:8443"))

    def test_date(self) -> None:
        """
        B64: the Date header is an RFC 7231 date in UTC with English names
        and two-digit days.
        """
        result = respond(parsed(head()), originAllowed=True, now=1709190309.0)
        self.assertEqual(result.response, response(date=b"Thu, 29 Feb 2024 07:05:09 GMT"))

    def test_originRefused(self) -> None:
        """
        B67: a refused origin gets exactly C{HTTP/1.1 403 Access Forbidden},
        CloseCodePolicyViolated and "Access forbidden.".
        """
        self.assertEqual(FORBIDDEN, b"HTTP/1.1 403 Access Forbidden\r\n\r\n")
        self.assertEqual(
            self.answer(originAllowed=False),
            Reject(FORBIDDEN, CloseCode.CloseCodePolicyViolated, "Access forbidden."),
        )

    def test_unsupportedVersion(self) -> None:
        """
        B68: versions 8 or 12 alone get exactly 400 with
        C{Sec-WebSocket-Version: 13}, CloseCodeProtocolError and
        "Unsupported version requested.".
        """
        self.assertEqual(
            BAD_REQUEST, b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        for version in (b"8", b"12", b"0, 7"):
            self.assertEqual(
                self.answer(head(replace={b"sec-websocket-version": version})),
                Reject(
                    BAD_REQUEST, CloseCode.CloseCodeProtocolError, "Unsupported version requested."
                ),
            )

    def test_versionList(self) -> None:
        """
        B69: C{8, 13} is answered with 101.
        """
        self.assertIsInstance(
            self.answer(head(replace={b"sec-websocket-version": b"8, 13"})), Accept
        )

    def test_originBeforeVersion(self) -> None:
        """
        A refused origin asking for version 8 gets 403, not 400: Qt checks
        the origin first [observed].
        """
        result = self.answer(head(replace={b"sec-websocket-version": b"8"}), originAllowed=False)
        self.assertEqual(
            result, Reject(FORBIDDEN, CloseCode.CloseCodePolicyViolated, "Access forbidden.")
        )

    def test_serverNameWithNewline(self) -> None:
        """
        A server name with CR or LF (or NUL) refuses the handshake with
        CloseCodeAbnormalDisconnection and Qt's text; deviation: the 400
        comes alone (Qt prefixes its 101 lines for CRLF and injects a
        header for a bare LF [observed]).
        """
        expected = Reject(
            BAD_REQUEST,
            CloseCode.CloseCodeAbnormalDisconnection,
            "One of the headers contains a newline. Possible attack detected.",
        )
        for name in ("Bad\r\nX-Injected: 1", "Bad\nX: 1", "Bad\rX", "Bad\0"):
            self.assertEqual(self.answer(serverName=name), expected, repr(name))

    def test_subprotocolChoice(self) -> None:
        """
        B74 (tst_protocols rows): the first protocol in the client's order
        that the server supports [chat, superchat] is chosen; none -> no
        header, connection still accepted.
        """
        rows = [
            ([], ""),
            ([b"chat", b"superchat"], "chat"),
            ([b"superchat", b"chat"], "superchat"),
            ([b"foo"], ""),
            ([b"foo", b"chat"], "chat"),
        ]
        for offered, chosen in rows:
            extra = [(b"Sec-WebSocket-Protocol", b", ".join(offered))] if offered else []
            result = self.answer(head(extra=extra), supportedSubprotocols=("chat", "superchat"))
            assert isinstance(result, Accept)
            self.assertEqual(result.subprotocol, chosen, offered)
            self.assertEqual(result.response, response(protocol=chosen.encode() or None), offered)

    def test_subprotocolAcrossLines(self) -> None:
        """
        B75 ("specified in options and in header"): lines combine in order,
        so superchat (first line) wins over chat (second line).
        """
        extra = [(b"Sec-WebSocket-Protocol", b"superchat"), (b"Sec-WebSocket-Protocol", b"chat")]
        result = self.answer(head(extra=extra), supportedSubprotocols=("chat", "superchat"))
        assert isinstance(result, Accept)
        self.assertEqual(result.subprotocol, "superchat")

    def test_subprotocolCaseSensitive(self) -> None:
        """
        B75: "Chat" does not match "chat".
        """
        result = self.answer(
            head(extra=[(b"Sec-WebSocket-Protocol", b"Chat")]), supportedSubprotocols=("chat",)
        )
        assert isinstance(result, Accept)
        self.assertEqual(
            (result.subprotocol, b"Sec-WebSocket-Protocol" in result.response), ("", False)
        )

    def test_noExtensions(self) -> None:
        """
        B73: offered extensions are ignored: no Sec-WebSocket-Extensions.
        """
        result = self.answer(head(extra=[(b"Sec-WebSocket-Extensions", b"permessage-deflate")]))
        self.assertEqual(result.response, response())

    def test_allLinesTogether(self) -> None:
        """
        B61: with a protocol, a server name and an origin the lines keep Qt's
        order [observed].
        """
        data = head(extra=[(b"Origin", b"http://o"), (b"Sec-WebSocket-Protocol", b"chat")])
        result = self.answer(data, serverName="Probe", supportedSubprotocols=("chat",))
        self.assertEqual(
            result.response, response(protocol=b"chat", server=b"Probe", origin=b"http://o")
        )

    def test_tooManyPending(self) -> None:
        """
        B77: a full queue refuses without a single HTTP byte, with
        CloseCodeAbnormalDisconnection and "Too many pending connections.".
        """
        self.assertEqual(
            TOO_MANY_PENDING,
            Reject(b"", CloseCode.CloseCodeAbnormalDisconnection, "Too many pending connections."),
        )

"""
Tests for L{qtwisted.QWebSocket} and its Autobahn adapter: the framing
rules (RFC 6455 and Qt's close codes and texts), the closing handshake,
signals, size limits, the client, and a guard on Autobahn's internals.

Most run in memory: a server-side socket made from a parsed request on a
C{StringTransport}, bytes fed to its protocol, frames read back; the rest
over loopback sockets.
"""

from __future__ import annotations

import struct
from typing import Any

from autobahn.twisted.websocket import (
    WebSocketClientFactory,
    WebSocketClientProtocol,
    WebSocketServerFactory,
    WebSocketServerProtocol,
)
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

from qtwisted import (
    QHostAddress,
    QNetworkRequest,
    QTcpSocket,
    QWebSocket,
    QWebSocketHandshakeOptions,
    QWebSocketProtocol,
)
from qtwisted._websocket import CLOSE_TIMEOUT
from qtwisted._wsautobahn import ClientProtocol, ServerProtocol, openProtocol, truncateReason
from qtwisted._wsclient import ClientHandshake, Refused, Upgraded
from qtwisted._wshandshake import Request, acceptKey, parseRequest
from qtwisted.testing import SignalSpy

from ._wshelpers import (
    WebSocketTestCase,
    closeFrame,
    closePayload,
    frame,
    parseFrames,
    sleep,
    text,
    upgradeRequest,
    waitForCount,
    waitUntil,
)

_CC = QWebSocketProtocol.CloseCode
_State = QTcpSocket.SocketState

# What Autobahn's handshake sets that describes the HTTP exchange, which
# qtwisted keeps in its own Request instead (QWebSocket.request()).
_HTTP_ONLY = {
    "http_headers",
    "http_request_data",
    "http_request_host",
    "http_request_params",
    "http_request_path",
    "http_request_uri",
    "http_response_data",
    "http_status_line",
    "_wskey",
    "websocket_key",
    "websocket_origin",
}
# Objects, compared by kind rather than value.
_OBJECTS = {
    "factory",
    "transport",
    "is_closed",
    "is_open",
    "utf8validator",
    "trafficStats",
    "_transport_details",
    "_results",
    "_valid_events",
    "peer",
    "connected",
    "websocket_protocols",
    "websocket_extensions_in_use",
}


def _request(raw: bytes | None = None) -> Request:
    parsed = parseRequest(raw or upgradeRequest())
    assert isinstance(parsed, Request)
    return parsed


def serverSocket(
    clock: Clock | None = None, raw: bytes | None = None
) -> tuple[QWebSocket, StringTransport, Any]:
    """
    A taken, released server-side socket on a StringTransport.
    """
    transport = StringTransport()
    ws = QWebSocket._upgraded(clock or Clock(), transport, _request(raw), "", None, b"")
    ws._release()
    return ws, transport, ws._proto


def sentFrames(transport: StringTransport) -> list[tuple[bool, int, int, bool, bytes]]:
    frames, rest = parseFrames(transport.value())
    return frames


class AutobahnInternalsTests(SynchronousTestCase):
    """
    L{openProtocol} leaves Autobahn's protocol as Autobahn's own handshake
    would; these fail, naming the attribute, if an Autobahn release changes
    what a successful handshake sets.
    """

    def assertSameState(self, stock: Any, ours: Any) -> None:
        config = set(type(stock).CONFIG_ATTRS)
        for name, value in sorted(vars(stock).items()):
            if name in _HTTP_ONLY:
                continue
            self.assertTrue(
                hasattr(ours, name),
                f"Autobahn's handshake sets {name!r}, which openProtocol() does not",
            )
            if name in config or name in _OBJECTS:
                continue
            mine = getattr(ours, name)
            if isinstance(value, (list, tuple)) or type(value).__name__ == "deque":
                value, mine = list(value), list(mine)
            self.assertEqual(mine, value, f"{name}: ours {mine!r}, Autobahn's {value!r}")

    def test_serverState(self) -> None:
        """
        A server protocol opened by openProtocol() has every attribute, and
        the same framing state, as one opened by Autobahn's handshake.
        """
        factory = WebSocketServerFactory(reactor=Clock())
        factory.protocol = WebSocketServerProtocol
        factory.setProtocolOptions(openHandshakeTimeout=0, closeHandshakeTimeout=0)
        stock = factory.buildProtocol(None)
        stock.makeConnection(StringTransport())
        stock.dataReceived(upgradeRequest())
        self.assertEqual(stock.state, stock.STATE_OPEN)
        ws, transport, ours = serverSocket()
        self.assertSameState(stock, ours)

    def test_clientState(self) -> None:
        """
        The same for a client protocol.
        """
        factory = WebSocketClientFactory("ws://127.0.0.1:9/", reactor=Clock())
        factory.protocol = WebSocketClientProtocol
        factory.setProtocolOptions(openHandshakeTimeout=0, closeHandshakeTimeout=0)
        stock = factory.buildProtocol(None)
        transport = StringTransport()
        stock.makeConnection(transport)
        request = transport.value()
        key = request.split(b"Sec-WebSocket-Key: ")[1].split(b"\r\n")[0].decode()
        stock.dataReceived(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
            + acceptKey(key).encode()
            + b"\r\n\r\n"
        )
        self.assertEqual(stock.state, stock.STATE_OPEN)
        ws = QWebSocket(reactor=Clock())
        ours = ClientProtocol()
        openProtocol(ours, ws, StringTransport(), "", ())
        self.assertSameState(stock, ours)

    def test_configurationOnTheClass(self) -> None:
        """
        Every Autobahn option is a class attribute of our protocols, so no
        factory option is copied into a connection (and none of Autobahn's
        defaults applies unseen).
        """
        for cls in (ServerProtocol, ClientProtocol):
            for name in cls.CONFIG_ATTRS:
                self.assertTrue(
                    any(name in vars(k) for k in cls.__mro__[:2]),
                    f"{cls.__name__} does not define Autobahn option {name!r}",
                )
        self.assertEqual(ServerProtocol.openHandshakeTimeout, 0)
        self.assertEqual(ServerProtocol.closeHandshakeTimeout, 0)
        self.assertEqual(ServerProtocol.autoPingInterval, 0)
        self.assertEqual(ClientProtocol.serverConnectionDropTimeout, 0)
        self.assertTrue(ServerProtocol.requireMaskedClientFrames)
        self.assertFalse(ServerProtocol.maskServerFrames)

    def test_hotPathSkipsAdapterLogging(self) -> None:
        """
        Twisted calls Autobahn's core _dataReceived directly.
        """
        from autobahn.websocket.protocol import WebSocketProtocol

        self.assertIs(ServerProtocol.dataReceived, WebSocketProtocol._dataReceived)

    def test_idleFootprint(self) -> None:
        """
        An open connection carries only its own state: a few attributes.
        """
        ws, transport, proto = serverSocket()
        self.assertLessEqual(len(vars(proto)), 12, sorted(vars(proto)))


class FramingTests(SynchronousTestCase):
    """
    What a server-side socket does with each kind of frame.
    """

    def assertFailed(self, data: bytes, code: int, reason: str) -> QWebSocket:
        ws, transport, proto = serverSocket()
        messages = SignalSpy(ws.textMessageReceived)
        binaries = SignalSpy(ws.binaryMessageReceived)
        proto.dataReceived(data + text("after"))
        frames = sentFrames(transport)
        self.assertEqual(len(frames), 1, frames)
        self.assertEqual(frames[0][2], 8)
        self.assertEqual(closePayload(frames[0][4]), (code, reason))
        # RFC 6455 section 7.1.7: the TCP connection is closed at once.
        self.assertTrue(transport.disconnecting)
        self.assertEqual((len(messages), len(binaries)), (0, 0))
        self.assertEqual((ws.closeCode(), ws.closeReason()), (code, reason))
        return ws

    def test_unmaskedClientFrame(self) -> None:
        """
        An unmasked client frame fails with 1002 (RFC 6455 section 5.1; Qt
        accepts it: a deviation).
        """
        self.assertFailed(text("hi", mask=False), 1002, "Client frames must be masked.")

    def test_reservedBits(self) -> None:
        """
        RSV bits set: 1002 "Rsv field is non-zero", as in Qt.
        """
        for rsv in (1, 2, 4):
            self.assertFailed(text("hi", rsv=rsv), 1002, "Rsv field is non-zero")

    def test_reservedOpcodes(self) -> None:
        """
        Reserved data and control opcodes: 1002 "Used reserved opcode".
        """
        for opcode in (3, 7, 0xB, 0xF):
            self.assertFailed(frame(opcode, b"x"), 1002, "Used reserved opcode")

    def test_oversizeControlFrame(self) -> None:
        """
        A control frame over 125 bytes: 1002.
        """
        self.assertFailed(frame(9, b"p" * 126), 1002, "Control frame is larger than 125 bytes")

    def test_fragmentedControlFrame(self) -> None:
        """
        A fragmented control frame: 1002.
        """
        self.assertFailed(frame(9, b"p", fin=False), 1002, "Control frames cannot be fragmented")

    def test_invalidUtf8(self) -> None:
        """
        Invalid UTF-8 in a text message: 1007 "Invalid UTF-8 code
        encountered.", also when split over frames or truncated.
        """
        self.assertFailed(frame(1, b"\xc3\x28"), 1007, "Invalid UTF-8 code encountered.")
        self.assertFailed(
            frame(1, b"ok", fin=False) + frame(0, b"\xed\xa0\x80"),
            1007,
            "Invalid UTF-8 code encountered.",
        )
        self.assertFailed(frame(1, b"\xe2\x82"), 1007, "Invalid UTF-8 code encountered.")

    def test_continuationErrors(self) -> None:
        """
        A continuation with nothing to continue, or a new message inside a
        fragmented one: 1002 with Qt's texts.
        """
        self.assertFailed(
            frame(0, b"x"), 1002, "Received Continuation frame, while there is nothing to continue."
        )
        self.assertFailed(
            frame(1, b"a", fin=False) + frame(1, b"b"),
            1002,
            "All data frames after the initial data frame must have opcode 0 (continuation).",
        )

    def test_nonMinimalLength(self) -> None:
        """
        Lengths not in their shortest form: 1002 with Qt's texts.
        """
        head16 = bytes([0x82, 0x80 | 126]) + struct.pack("!H", 5) + b"\0\0\0\0" + b"hello"
        self.assertFailed(head16, 1002, "Lengths smaller than 126 must be expressed as one byte.")
        head64 = bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 200) + b"\0\0\0\0" + b"x" * 200
        self.assertFailed(
            head64, 1002, "Lengths smaller than 65536 (2^16) must be expressed as 2 bytes."
        )

    def test_closePayloadTooSmall(self) -> None:
        """
        A Close frame with a one-byte payload: 1002.
        """
        self.assertFailed(frame(8, b"\x03"), 1002, "Payload of close frame is too small.")

    def test_invalidCloseCodes(self) -> None:
        """
        Close codes that may not be sent: 1002 with Qt's text (which names
        1002 whatever the code [observed]).
        """
        for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535):
            self.assertFailed(closeFrame(code), 1002, "Invalid close code 1002 detected.")

    def test_invalidCloseReason(self) -> None:
        """
        A Close reason that is not UTF-8: 1007.
        """
        self.assertFailed(
            frame(8, struct.pack("!H", 1000) + b"\xff"), 1007, "Invalid UTF-8 code encountered."
        )

    def test_registeredCloseCodes(self) -> None:
        """
        1012-1014 (IANA) and 3000-4999 are valid: echoed, not refused (Qt
        answers 1012-1014 with 1002: a deviation).
        """
        for code in (1000, 1001, 1011, 1012, 1013, 1014, 3000, 4999):
            ws, transport, proto = serverSocket()
            proto.dataReceived(closeFrame(code, "r"))
            frames = sentFrames(transport)
            self.assertEqual(closePayload(frames[0][4]), (code, "r"))
            self.assertEqual(ws.closeCode(), code)

    def test_peerCloseEchoed(self) -> None:
        """
        A peer's Close is echoed with its code and reason, aboutToClose is
        emitted, and the server closes the TCP connection (B101).
        """
        ws, transport, proto = serverSocket()
        about = SignalSpy(ws.aboutToClose)
        proto.dataReceived(closeFrame(4000, "bye"))
        self.assertEqual(closePayload(sentFrames(transport)[0][4]), (4000, "bye"))
        self.assertTrue(transport.disconnecting)
        self.assertEqual(len(about), 1)
        self.assertEqual(ws.state(), _State.ConnectedState)

    def test_emptyPeerClose(self) -> None:
        """
        A Close without a code is answered with 1000, and closeCode() is
        CloseCodeNormal, as in Qt.
        """
        ws, transport, proto = serverSocket()
        proto.dataReceived(closeFrame(None))
        self.assertEqual(closePayload(sentFrames(transport)[0][4]), (1000, ""))
        self.assertEqual(ws.closeCode(), _CC.CloseCodeNormal)

    def test_messagesAndFrames(self) -> None:
        """
        Text and binary messages, whole and fragmented, with their frame
        signals; a character split between frames is decoded whole.
        """
        ws, transport, proto = serverSocket()
        texts = SignalSpy(ws.textMessageReceived)
        binaries = SignalSpy(ws.binaryMessageReceived)
        textFrames = SignalSpy(ws.textFrameReceived)
        binaryFrames = SignalSpy(ws.binaryFrameReceived)
        euro = "€".encode()
        proto.dataReceived(
            text("plain")
            + frame(1, b"a" + euro[:2], fin=False)
            + frame(9, b"ping in between")
            + frame(0, euro[2:] + b"b")
            + frame(2, b"\x00\x01", fin=False)
            + frame(0, b"", fin=False)
            + frame(0, b"\x02")
            + frame(2, b"")
            + frame(1, b"")
        )
        self.assertEqual(texts.emissions, [("plain",), ("a€b",), ("",)])
        self.assertEqual(binaries.emissions, [(b"\x00\x01\x02",), (b"",)])
        self.assertEqual(
            textFrames.emissions, [("plain", True), ("a", False), ("€b", True), ("", True)]
        )
        self.assertEqual(
            binaryFrames.emissions,
            [(b"\x00\x01", False), (b"", False), (b"\x02", True), (b"", True)],
        )
        self.assertEqual(sentFrames(transport), [(True, 0, 10, False, b"ping in between")])

    def test_pingPong(self) -> None:
        """
        A ping is answered automatically; ping() sends one (payload cut to
        125 bytes) and pong reports the milliseconds since it.
        """
        clock = Clock()
        ws, transport, proto = serverSocket(clock)
        pongs = SignalSpy(ws.pong)
        ws.ping(b"x" * 200)
        self.assertEqual(sentFrames(transport), [(True, 0, 9, False, b"x" * 125)])
        clock.advance(0.25)
        proto.dataReceived(frame(10, b"x" * 125))
        self.assertEqual(pongs.emissions, [(250, b"x" * 125)])

    def test_sendReturnsPayloadSize(self) -> None:
        """
        sendTextMessage() returns the UTF-8 length; frames are unmasked
        (B103); outgoing messages are split at outgoingFrameSize().
        """
        ws, transport, proto = serverSocket()
        self.assertEqual(ws.sendTextMessage("héllo"), 6)
        self.assertEqual(ws.sendBinaryMessage(bytearray(b"abc")), 3)
        self.assertEqual(ws.sendBinaryMessage(b""), 0)
        ws.setOutgoingFrameSize(10)
        self.assertEqual(ws.sendTextMessage("x" * 25), 25)
        frames = sentFrames(transport)
        self.assertEqual(
            [(f[0], f[2], f[3], len(f[4])) for f in frames],
            [
                (True, 1, False, 6),
                (True, 2, False, 3),
                (True, 2, False, 0),
                (False, 1, False, 10),
                (False, 0, False, 10),
                (True, 0, False, 5),
            ],
        )
        self.assertRaises(TypeError, ws.sendTextMessage, b"bytes")
        self.assertRaises(TypeError, ws.sendBinaryMessage, "text")

    def test_closeTruncatesReason(self) -> None:
        """
        close() cuts the reason to 123 bytes, at a character boundary
        (overlongCloseReason); the socket stays connected; nothing can be
        sent after it.
        """
        ws, transport, proto = serverSocket()
        about = SignalSpy(ws.aboutToClose)
        ws.close(_CC.CloseCodeGoingAway, "a" + "é" * 100)
        code, reason = closePayload(sentFrames(transport)[0][4])
        self.assertEqual(code, 1001)
        self.assertEqual(reason, "a" + "é" * 61)
        self.assertEqual(ws.closeReason(), reason)
        self.assertEqual(ws.closeCode(), _CC.CloseCodeGoingAway)
        self.assertEqual(ws.state(), _State.ConnectedState)
        self.assertEqual(len(about), 1)
        self.assertEqual(ws.sendTextMessage("late"), 0)
        ws.close()
        self.assertEqual(len(sentFrames(transport)), 1)
        self.assertEqual(truncateReason("x" * 200), b"x" * 123)

    def test_closeTimeout(self) -> None:
        """
        Without an answer to its Close, the socket drops the connection
        after CLOSE_TIMEOUT seconds; an answer drops it at once.
        """
        clock = Clock()
        ws, transport, proto = serverSocket(clock)
        ws.close()
        clock.advance(CLOSE_TIMEOUT - 0.01)
        self.assertFalse(transport.disconnecting)
        clock.advance(0.01)
        self.assertTrue(transport.disconnecting or transport.disconnected)
        ws, transport, proto = serverSocket(clock)
        ws.close()
        proto.dataReceived(closeFrame(1000))
        self.assertTrue(transport.disconnecting)
        self.assertEqual(len(sentFrames(transport)), 1)

    def test_sizeApi(self) -> None:
        """
        Frame and message size setters and getters (testingFrameAndMessageSizeApi).
        """
        ws, transport, proto = serverSocket()
        ws.setMaxAllowedIncomingFrameSize(12345)
        self.assertEqual(ws.maxAllowedIncomingFrameSize(), 12345)
        ws.setMaxAllowedIncomingMessageSize(23456)
        self.assertEqual(ws.maxAllowedIncomingMessageSize(), 23456)
        ws.setMaxAllowedIncomingFrameSize(QWebSocket.maxIncomingFrameSize() + 1)
        self.assertEqual(ws.maxAllowedIncomingFrameSize(), 12345)
        ws.setOutgoingFrameSize(QWebSocket.maxOutgoingFrameSize() + 1)
        self.assertEqual(ws.outgoingFrameSize(), 524_288)
        self.assertEqual(QWebSocket.maxIncomingMessageSize(), 2_147_483_646)
        self.assertRaises(ValueError, ws.setMaxAllowedIncomingFrameSize, -1)
        self.assertRaises(ValueError, ws.setOutgoingFrameSize, 0)
        self.assertRaises(TypeError, ws.setMaxAllowedIncomingMessageSize, 1.0)

    def test_lostWithoutClose(self) -> None:
        """
        A connection that ends without a Close frame reports 1006 (Qt
        reports 1000: a deviation), RemoteHostClosedError, then Closing,
        Unconnected and disconnected.
        """
        from twisted.internet.error import ConnectionDone
        from twisted.python.failure import Failure

        ws, transport, proto = serverSocket()
        events: list[Any] = []
        ws.errorOccurred.connect(lambda e: events.append(("error", e)))
        ws.stateChanged.connect(lambda s: events.append(("state", s)))
        ws.disconnected.connect(lambda: events.append("disconnected"))
        proto.connectionLost(Failure(ConnectionDone()))
        self.assertEqual(ws.closeCode(), _CC.CloseCodeAbnormalDisconnection)
        self.assertEqual(
            events,
            [
                ("error", QTcpSocket.RemoteHostClosedError),
                ("state", _State.ClosingState),
                ("state", _State.UnconnectedState),
                "disconnected",
            ],
        )
        self.assertEqual(ws.errorString(), "The remote host closed the connection")
        self.assertFalse(ws.isValid())
        self.assertEqual(ws.peerAddress(), QHostAddress())

    def test_requestValues(self) -> None:
        """
        QNetworkRequest and QWebSocketHandshakeOptions are plain values.
        """
        request = QNetworkRequest("ws://h/p")
        request.setRawHeader("X-A", "1")
        request.setRawHeader(b"x-a", b"2")
        self.assertEqual(request.rawHeaderList(), [b"x-a"])
        self.assertEqual(request.rawHeader("X-A"), b"2")
        self.assertRaises(ValueError, request.setRawHeader, "X", "a\r\nB: c")
        self.assertEqual(request, QNetworkRequest._fromFields("ws://h/p", [(b"x-a", b"2")]))
        options = QWebSocketHandshakeOptions()
        options.setSubprotocols(["a", "b"])
        other = QWebSocketHandshakeOptions(options)
        self.assertEqual(options, other)
        other.swap(QWebSocketHandshakeOptions())
        self.assertEqual(other.subprotocols(), [])
        self.assertRaises(TypeError, options.setSubprotocols, "ab")


class ClientHandshakeTests(SynchronousTestCase):
    """
    The client's request and Qt's verdicts on the answer.
    """

    def handshake(self, protocols: tuple[str, ...] = ()) -> ClientHandshake:
        return ClientHandshake(
            "/chat?x=1",
            "example.com:8080",
            "http://o",
            protocols,
            [(b"X-Custom", b"1")],
            key=b"\x00" * 16,
        )

    def test_request(self) -> None:
        """
        The request has Qt's lines, in Qt's order.
        """
        self.assertEqual(
            self.handshake(("chat",)).request,
            b"GET /chat?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
            b"Origin: http://o\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Protocol: chat\r\nX-Custom: 1\r\n\r\n",
        )

    def test_verdicts(self) -> None:
        """
        101 with the right key upgrades (leftover kept); a wrong key, an
        unrequested protocol, a 400 or a 403 are refused with Qt's texts.
        """
        accept = acceptKey("AAAAAAAAAAAAAAAAAAAAAA==")
        ok = (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
        )
        h = self.handshake(("chat",))
        self.assertIsNone(h.feed(ok.encode()))
        self.assertEqual(
            h.feed(b"Sec-WebSocket-Protocol: chat\r\n\r\n\x81\x00"), Upgraded("chat")
        )
        self.assertEqual(h.leftover, b"\x81\x00")
        bad = ok.replace(accept, "AAAA") + "\r\n"
        verdict = self.handshake().feed(bad.encode())
        self.assertIsInstance(verdict, Refused)
        self.assertIn("does not match the client key", verdict.errorString)  # type: ignore[union-attr]
        self.assertEqual(
            self.handshake().feed((ok + "Sec-WebSocket-Protocol: x\r\n\r\n").encode()),
            Refused("WebSocket server has chosen protocol x which has not been requested"),
        )
        self.assertEqual(
            self.handshake().feed(b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 8\r\n\r\n"),
            Refused("Handshake: Server requests a version that we don't support: 8."),
        )
        self.assertEqual(
            self.handshake().feed(b"HTTP/1.1 403 Access Forbidden\r\n\r\n"),
            Refused(
                "QWebSocketPrivate::processHandshake: Unhandled http status code: 403"
                " (Access Forbidden)."
            ),
        )


class ClientOpenTests(SynchronousTestCase):
    """
    open() refuses what Qt refuses before connecting.
    """

    def test_badUrls(self) -> None:
        """
        Invalid URLs and unsupported schemes are reported with Qt's texts.
        """
        for url, code, message in (
            ("ws://", QTcpSocket.ConnectionRefusedError, "Invalid URL."),
            ("ws://h/a\r\nb", QTcpSocket.ConnectionRefusedError, "Invalid URL."),
            ("ws://h/a%0d%0aB", QTcpSocket.ConnectionRefusedError, "Invalid resource name."),
            ("http://h/", QTcpSocket.UnsupportedSocketOperationError,
             "Unsupported WebSocket scheme: http"),
        ):
            ws = QWebSocket(reactor=Clock())
            errors = SignalSpy(ws.errorOccurred)
            ws.open(url)
            self.assertEqual(errors.emissions, [(code,)], url)
            self.assertEqual(ws.errorString(), message)
            self.assertEqual(ws.state(), _State.UnconnectedState)
        self.assertRaises(TypeError, QWebSocket().open, b"ws://h/")

    def test_defaults(self) -> None:
        """
        A new client socket: unconnected, its origin and version, nothing
        else.
        """
        ws = QWebSocket("http://o", reactor=Clock())
        self.assertEqual(ws.state(), _State.UnconnectedState)
        self.assertEqual(ws.origin(), "http://o")
        self.assertEqual(ws.version(), QWebSocketProtocol.Version13)
        self.assertFalse(ws.isValid())
        self.assertEqual(ws.requestUrl(), "")
        self.assertEqual(ws.sendTextMessage("x"), 0)
        self.assertEqual(ws.bytesToWrite(), 0)
        self.assertFalse(ws.flush())
        ws.close()
        ws.abort()


class LiveTests(WebSocketTestCase):
    """
    Server-side sockets over loopback.
    """

    async def test_earlyFramesDelivered(self) -> None:
        """
        Frames sent in the same write as the upgrade request, and before the
        socket is taken, are delivered once it is (Qt loses them: SPEC.md
        section 5a).
        """
        server = self.makeServer()
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server)
        client.write(upgradeRequest() + text("first") + text("second"))
        await waitForCount(spy, 1)
        await sleep(0.05)
        client.write(text("third"))
        await sleep(0.05)
        ws = server.nextPendingConnection()
        assert ws is not None
        self.addCleanup(ws.abort)
        received = SignalSpy(ws.textMessageReceived)
        await waitForCount(received, 3)
        self.assertEqual(received.emissions, [("first",), ("second",), ("third",)])

    async def test_peerLeftWhileQueued(self) -> None:
        """
        A client that sent a message and left before its socket was taken:
        the message, then disconnected, after the take.
        """
        server = self.makeServer()
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server)
        client.write(upgradeRequest() + text("bye"))
        await waitForCount(spy, 1)
        client.close()
        await sleep(0.05)
        ws = server.nextPendingConnection()
        assert ws is not None
        events: list[Any] = []
        ws.textMessageReceived.connect(lambda m: events.append(m))
        ws.disconnected.connect(lambda: events.append("disconnected"))
        await waitUntil(lambda: "disconnected" in events, "disconnected")
        self.assertEqual(events, ["bye", "disconnected"])
        self.assertEqual(ws.closeCode(), _CC.CloseCodeAbnormalDisconnection)

    async def test_droppedPeer(self) -> None:
        """
        A peer that resets its connection is reported as 1006 with an error.
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server)
        errors = SignalSpy(ws.errorOccurred)
        disconnected = SignalSpy(ws.disconnected)
        client.abort()
        await waitForCount(disconnected, 1)
        self.assertEqual(len(errors), 1)
        self.assertEqual(ws.closeCode(), _CC.CloseCodeAbnormalDisconnection)
        self.assertEqual(ws.state(), _State.UnconnectedState)

    async def test_abort(self) -> None:
        """
        abort() ends the connection at once: Unconnected and disconnected
        before it returns, without ClosingState; the peer reads EOF.
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server)
        states = SignalSpy(ws.stateChanged)
        disconnected = SignalSpy(ws.disconnected)
        ws.abort()
        self.assertEqual(states.emissions, [(_State.UnconnectedState,)])
        self.assertEqual(len(disconnected), 1)
        await self.ended(client)
        self.assertEqual(bytes(client.received), b"")

    async def test_deleteLaterClosesGoingAway(self) -> None:
        """
        Destroying a taken socket sends 1001 "Connection closed" and closes
        the connection (Qt leaves the TCP connection open).
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server)
        ws.deleteLater()
        await self.ended(client)
        frames = parseFrames(bytes(client.received))[0]
        self.assertEqual(closePayload(frames[0][4]), (1001, "Connection closed"))

    async def test_bytesWrittenAndFlush(self) -> None:
        """
        bytesToWrite() counts queued bytes, flush() sends them, and
        bytesWritten reports wire bytes (headers included).
        """
        server = self.makeServer()
        client, ws = await self.upgrade(server)
        written = SignalSpy(ws.bytesWritten)
        ws.sendBinaryMessage(b"x" * 1000)
        self.assertEqual(ws.bytesToWrite(), 1004)
        self.assertTrue(ws.flush())
        self.assertEqual(ws.bytesToWrite(), 0)
        self.assertEqual(written.emissions, [(1004,)])
        self.assertFalse(ws.flush())
        await waitUntil(lambda: len(client.received) >= 1004, "the message")

    async def test_clientMasksAndCloses(self) -> None:
        """
        The client side masks its frames; a server's Close is echoed, and
        the server closes the connection.
        """
        server = self.makeServer()
        seen: list[bytes] = []

        def take() -> None:
            ws = server.nextPendingConnection()
            assert ws is not None
            self.addCleanup(ws.abort)
            ws.textMessageReceived.connect(lambda m: (seen.append(m.encode()), ws.close(4001, "done")))

        server.newConnection.connect(take)
        client = QWebSocket(reactor=None)
        self.addCleanup(client.abort)
        connected = SignalSpy(client.connected)
        disconnected = SignalSpy(client.disconnected)
        client.open(server.serverUrl() + "/path?q=1")
        await waitForCount(connected, 1)
        self.assertEqual(client.requestUrl(), server.serverUrl() + "/path?q=1")
        self.assertEqual(client.resourceName(), "/path?q=1")
        self.assertEqual(client.peerName(), "127.0.0.1")
        self.assertEqual(client.peerPort(), server.serverPort())
        client.sendTextMessage("hi")
        await waitForCount(disconnected, 1)
        self.assertEqual(seen, [b"hi"])
        self.assertEqual((client.closeCode(), client.closeReason()), (4001, "done"))

    async def test_clientConnectionRefused(self) -> None:
        """
        A refused connection: Unconnected and disconnected, then
        errorOccurred(ConnectionRefusedError), in Qt's order.
        """
        server = self.makeServer()
        port = server.serverPort()
        server.close()
        client = QWebSocket()
        events: list[Any] = []
        client.stateChanged.connect(lambda s: events.append(s))
        client.disconnected.connect(lambda: events.append("disconnected"))
        client.errorOccurred.connect(lambda e: events.append(e))
        client.open(f"ws://127.0.0.1:{port}/")
        await waitUntil(lambda: QTcpSocket.ConnectionRefusedError in events, "the error")
        self.assertEqual(
            events,
            [
                _State.ConnectingState,
                _State.UnconnectedState,
                "disconnected",
                QTcpSocket.ConnectionRefusedError,
            ],
        )
        self.assertEqual(client.errorString(), "Connection refused")

    async def test_takeTransport(self) -> None:
        """
        QAbstractSocket._takeTransport() hands the connection over without
        a signal: the transport and the unread bytes come back, and the
        socket is left unconnected, closed and out of its server's children.
        """
        from qtwisted import QTcpServer

        tcp = QTcpServer()
        self.addCleanup(tcp.close)
        self.assertTrue(tcp.listen(QHostAddress.SpecialAddress.LocalHost, 0))
        news = SignalSpy(tcp.newConnection)
        client = await self.connectClient(tcp.serverPort())
        await waitForCount(news, 1)
        qsocket = tcp.nextPendingConnection()
        assert qsocket is not None
        ready = SignalSpy(qsocket.readyRead)
        client.write(b"unread")
        await waitForCount(ready, 1)
        signals = [
            SignalSpy(getattr(qsocket, name))
            for name in ("stateChanged", "disconnected", "errorOccurred", "aboutToClose")
        ]
        transport, unread = qsocket._takeTransport()
        self.addCleanup(transport.loseConnection)
        self.assertEqual(unread, b"unread")
        self.assertEqual(qsocket.state(), _State.UnconnectedState)
        self.assertFalse(qsocket.isOpen())
        self.assertNotIn(qsocket, tcp.children())
        self.assertEqual([len(s) for s in signals], [0, 0, 0, 0])
        transport.write(b"still connected")
        await waitUntil(lambda: b"still connected" in client.received, "the write")

# -*- test-case-name: tests.test_websocket -*-
"""
The Autobahn adapter: Autobahn's RFC 6455 framing under a
L{qtwisted.QWebSocket}.

Theory of operation
===================

Autobahn does what it is good at: parsing and building frames, unmasking,
incremental UTF-8 validation, fragmentation, and the state of the closing
handshake.  qtwisted decides everything Qt decides differently: the opening
handshake (L{qtwisted._wshandshake} on the server, L{qtwisted._wsclient} on
the client), the timers, the close codes and reasons, and the signals.

Opening: Autobahn's protocol is never shown an HTTP request.  Once the
handshake has succeeded, L{openProtocol} gives a fresh protocol object the
state Autobahn's own handshake would have left behind
(C{WebSocketProtocol._connectionMade} followed by C{processHandshake} and
C{succeedHandshake}): C{STATE_OPEN}, version 13, the chosen subprotocol, no
extensions, an empty frame parser.  The alternatives were worse: feeding
Autobahn the validated request means a second HTTP parser with other rules
(it refuses requests Qt accepts and would write its own response bytes,
which then have to be intercepted), and calling C{_connectionMade()} costs
about 0.3 ms per connection because it pretty-prints its configuration for
a debug log line.  The price is coupling to Autobahn's attribute names;
C{tests.test_websocket.AutobahnInternalsTests} runs Autobahn's own
handshake next to ours and fails, naming the attribute, if a new Autobahn
release sets state that L{openProtocol} does not.

Configuration lives on the protocol I{classes} (every name of Autobahn's
C{CONFIG_ATTRS}): Autobahn copies a factory's option into the instance only
when the instance has no such attribute, so nothing is copied, and an idle
connection carries only its own state.  Autobahn's timers are all off
(C{openHandshakeTimeout}, C{closeHandshakeTimeout},
C{serverConnectionDropTimeout}, C{autoPingInterval}: they run on Autobahn's
global event loop, in whole seconds); L{qtwisted.QWebSocket} runs the close
timeout on its own reactor.

The per-message path is flat: Twisted calls the class attribute
C{dataReceived}, which is Autobahn's C{WebSocketProtocol._dataReceived}
itself (skipping the Twisted adapter's per-chunk debug logging), Autobahn
parses, and our C{_onMessageEnd} emits the C{QWebSocket}'s signal, whose
single slot is the user's function.  A frame's payload is joined (and a
text frame decoded) for the frame signals only when a slot is connected to
them.

Connections arrive as C{QTcpSocket}s (or C{QSslSocket}s) from the inner
server, or from C{handleConnection()}; L{takeTransport} detaches the socket
(C{QAbstractSocket._takeTransport()}) and routes its Twisted transport to
our own protocols, so no C{QTcpSocket} is left in the data path.  Between
the upgrade and the application taking the socket, L{Holding} keeps what
arrives.

Failing the connection (RFC 6455 section 7.1.7): on a protocol violation,
invalid UTF-8 or a size limit, the protocol sends a Close frame with Qt's
close code and Qt's reason text, then closes the TCP connection (after
sending what is buffered) and reads nothing more.  Qt 6.12 waits for the
peer's Close instead; Autobahn's default drops the connection without a
Close frame.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any

from autobahn.twisted.websocket import (
    WebSocketClientFactory,
    WebSocketClientProtocol,
    WebSocketServerFactory,
    WebSocketServerProtocol,
)
from autobahn.websocket.protocol import TrafficStats, WebSocketProtocol
from autobahn.websocket.utf8validator import Utf8Validator
from twisted.internet.defer import Deferred
from twisted.internet.protocol import Protocol, connectionDone
from twisted.protocols.tls import TLSMemoryBIOProtocol
from twisted.python.failure import Failure

from . import _transport
from ._wsprotocol import QWebSocketProtocol, isValidCloseCode

if TYPE_CHECKING:
    from ._websocket import QWebSocket

__all__ = [
    "ServerProtocol",
    "ClientProtocol",
    "Holding",
    "openProtocol",
    "reportWrites",
    "route",
    "takeTransport",
    "tcpOf",
    "MAX_FRAME_SIZE",
    "MAX_MESSAGE_SIZE",
    "MAX_OUTGOING_FRAME_SIZE",
    "DEFAULT_OUTGOING_FRAME_SIZE",
    "truncateReason",
]

_CloseCode = QWebSocketProtocol.CloseCode

STATE_CLOSED = WebSocketProtocol.STATE_CLOSED
STATE_CLOSING = WebSocketProtocol.STATE_CLOSING
STATE_OPEN = WebSocketProtocol.STATE_OPEN

MAX_FRAME_SIZE = 2**31 - 2
"""Qt's C{QWebSocket::maxIncomingFrameSize()} (C{INT_MAX - 1}): the
default and the largest C{maxAllowedIncomingFrameSize()}."""

MAX_MESSAGE_SIZE = 2**31 - 2
"""Qt's C{QWebSocket::maxIncomingMessageSize()}."""

MAX_OUTGOING_FRAME_SIZE = 2**31 - 2
"""Qt's C{QWebSocket::maxOutgoingFrameSize()}."""

DEFAULT_OUTGOING_FRAME_SIZE = 512 * 512 * 2
"""Qt's default C{outgoingFrameSize()}: 524,288 bytes."""

# Qt's texts for the ways a peer can break the protocol
# (qwebsocketframe.cpp, qwebsocketdataprocessor.cpp), keyed by the start of
# Autobahn's description of the same violation.
_QT_REASONS: tuple[tuple[str, str], ...] = (
    ("RSV = ", "Rsv field is non-zero"),
    ("fragmented control frame", "Control frames cannot be fragmented"),
    ("control frame with payload length > 125", "Control frame is larger than 125 bytes"),
    ("control frame using reserved opcode", "Used reserved opcode"),
    ("data frame using reserved opcode", "Used reserved opcode"),
    ("received close control frame with payload len 1", "Payload of close frame is too small."),
    (
        "received continuation data frame outside",
        "Received Continuation frame, while there is nothing to continue.",
    ),
    (
        "received non-continuation data frame while inside",
        "All data frames after the initial data frame must have opcode 0 (continuation).",
    ),
    ("invalid data frame length (>2^63)", "Highest bit of payload length is not 0."),
    # Not a violation to Qt, which accepts unmasked client frames (SPEC.md
    # section 5a); the texts are ours.
    ("unmasked client-to-server frame", "Client frames must be masked."),
    ("masked server-to-client frame", "Server frames must not be masked."),
)
_MINIMAL_LENGTH_16 = "Lengths smaller than 126 must be expressed as one byte."
_MINIMAL_LENGTH_64 = "Lengths smaller than 65536 (2^16) must be expressed as 2 bytes."
_INVALID_UTF8 = "Invalid UTF-8 code encountered."
_MESSAGE_TOO_BIG = "Received message is too big."
_FRAME_TOO_BIG = "Maximum framesize exceeded."


def truncateReason(reason: str) -> bytes:
    """
    A close reason as UTF-8, cut to at most 123 bytes (125, the largest
    control frame payload, minus the close code; RFC 6455 section 5.5).

    Qt cuts at byte 123 even inside a character, which puts invalid UTF-8
    on the wire; this cuts before the character that does not fit.
    """
    data = reason.encode("utf-8")
    if len(data) <= 123:
        return data
    data = data[:123]
    # Drop a partial character: at most three continuation bytes and a lead.
    return data.decode("utf-8", "ignore").encode("utf-8")


# Autobahn's traffic counters (trafficStats), which qtwisted does not
# expose: one object shared by every connection instead of one per
# connection.  A real TrafficStats, so that the counting stays as cheap as
# Autobahn's own (plain attribute writes, no Python-level hooks).
_SHARED_STATISTICS = TrafficStats()  # type: ignore[no-untyped-call]


class _Framing:
    """
    What the server and client protocols share: configuration as class
    attributes, the per-message path, control frames, and failing.
    """

    # -- configuration (Autobahn's CONFIG_ATTRS_COMMON) -------------------
    logOctets = False
    logFrames = False
    trackTimings = False
    utf8validateIncoming = True
    applyMask = True
    # Size limits are checked here, with Qt's order and texts.
    maxFramePayloadSize = 0
    maxMessagePayloadSize = 0
    autoFragmentSize = DEFAULT_OUTGOING_FRAME_SIZE
    # Failing sends a Close frame; see the module docstring.
    failByDrop = False
    echoCloseCodeReason = True
    openHandshakeTimeout = 0
    closeHandshakeTimeout = 0
    tcpNoDelay = False
    autoPingInterval = 0
    autoPingTimeout = 0
    autoPingSize = 12
    autoPingRestartOnAnyTraffic = False
    perMessageCompressionAccept = None

    # -- per-connection state with a shared default -----------------------
    # Autobahn's _connectionMade() sets these on every instance; here the
    # class holds the initial value and an instance gets its own only when
    # the value changes.
    _perMessageCompress = None
    trackedTimings: Any = None
    trafficStats: Any = _SHARED_STATISTICS
    send_state = WebSocketProtocol.SEND_STATE_GROUND
    # Only synchronised or chopped writes queue, and qtwisted makes none.
    send_queue: Any = ()
    triggered = False
    data = b""
    wasMaxFramePayloadSizeExceeded = False
    wasMaxMessagePayloadSizeExceeded = False
    closedByMe = False
    failedByMe = False
    droppedByMe = False
    wasClean = False
    wasNotCleanReason: Any = None
    wasServerConnectionDropTimeout = False
    wasOpenHandshakeTimeout = False
    wasCloseHandshakeTimeout = False
    wasServingFlashSocketPolicyFile = False
    localCloseCode = None
    localCloseReason = None
    remoteCloseCode = None
    remoteCloseReason = None
    openHandshakeTimeoutCall = None
    closeHandshakeTimeoutCall = None
    autoPingTimeoutCall = None
    autoPingPending = None
    autoPingPendingCall = None
    autoPingPendingSeq = 0
    autoPingPendingSent = None
    websocket_version = 13
    websocket_extensions: Any = ()
    websocket_extensions_in_use: Any = ()
    websocket_protocol_in_use: Any = None
    inside_message = False
    current_frame: Any = None
    # Set by WebSocketProtocol.__init__, which is not called (see __init__).
    is_open = None
    _transport_details: Any = None

    # -- per-message state ------------------------------------------------
    _ws: QWebSocket
    _binary = False
    _chunks: list[bytes]
    _size = 0
    _frameStart = 0
    _decoder: Any = None
    _maxFrame = MAX_FRAME_SIZE
    _maxMessage = MAX_MESSAGE_SIZE

    state: int
    transport: Any
    factory: Any
    is_closed: Deferred[Any]
    utf8validator: Utf8Validator

    def __init__(self) -> None:
        # WebSocketProtocol.__init__ also makes is_open, an event table and
        # a TransportDetails for WAMP; none of them is used by a connection
        # that never runs Autobahn's handshake.
        self.is_closed = Deferred()

    # Skip the Twisted adapter's dataReceived (a debug log call per chunk):
    # Autobahn's core method parses directly.
    if TYPE_CHECKING:

        def dataReceived(self, data: bytes) -> None: ...

    else:
        dataReceived = WebSocketProtocol._dataReceived

    if TYPE_CHECKING:

        def sendCloseFrame(
            self, code: int | None = None, reasonUtf8: bytes | None = None, isReply: bool = False
        ) -> None: ...

        def sendPong(self, payload: bytes | None = None) -> None: ...

        def _connectionLost(self, reason: Any) -> None: ...

    def sendData(self, data: bytes, sync: bool = False, chopsize: int | None = None) -> None:
        """
        Autobahn's C{sendData} for what qtwisted sends (neither synchronised
        nor chopped): straight to the transport, without its per-write
        debug log call and traffic counting.
        """
        if sync or chopsize:
            WebSocketProtocol.sendData(self, data, sync, chopsize)  # type: ignore[arg-type]
            return
        self.transport.write(data)

    # -- messages ---------------------------------------------------------

    def _onMessageBegin(self, isBinary: bool) -> None:
        self._binary = isBinary
        self._chunks = []
        self._size = 0
        self._decoder = None

    def _onMessageFrameBegin(self, length: int) -> None:
        # Qt checks the frame while reading its header, the message when
        # the frame is complete; both before anything is delivered (B102).
        if length > self._maxFrame:
            self._fail(_CloseCode.CloseCodeTooMuchData, _FRAME_TOO_BIG)
            return
        size = self._size + length
        if size > self._maxMessage:
            self._fail(_CloseCode.CloseCodeTooMuchData, _MESSAGE_TOO_BIG)
            return
        self._size = size
        self._frameStart = len(self._chunks)

    def _onMessageFrameData(self, payload: bytes) -> None:
        self._chunks.append(payload)

    def _onMessageFrameEnd(self) -> None:
        # Never through ws.__dict__: reading it would make CPython 3.11 build
        # the instance's dict and stop specializing its attribute reads.
        ws = self._ws
        if self._binary:
            binary = ws.binaryFrameReceived
            if binary._connections and self.state != STATE_CLOSED:
                binary.emit(self._frame(), bool(self.current_frame.fin))
            return
        textual = ws.textFrameReceived
        if textual._connections and self.state != STATE_CLOSED:
            # A character may straddle two frames: decode incrementally.
            if self._decoder is None:
                self._decoder = codecs.getincrementaldecoder("utf-8")()
            final = bool(self.current_frame.fin)
            textual.emit(self._decoder.decode(self._frame(), final), final)

    def _frame(self) -> bytes:
        # The payload of the frame just ended.
        return b"".join(self._chunks[self._frameStart :])

    def _onMessageEnd(self) -> None:
        chunks = self._chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._chunks = []
        if self.state == STATE_CLOSED:
            return
        if self._binary:
            self._ws.binaryMessageReceived.emit(data)
        else:
            # Autobahn has validated the UTF-8 (1007 otherwise).
            self._ws.textMessageReceived.emit(data.decode("utf-8"))

    # -- control frames ---------------------------------------------------

    def _onPing(self, payload: bytes) -> None:
        # Qt answers every ping, without a signal.
        if self.state == STATE_OPEN:
            self.sendPong(payload)

    def _onPong(self, payload: bytes) -> None:
        self._ws._pongReceived(payload)

    def onCloseFrame(self, code: int | None, reasonRaw: bytes | None) -> bool | None:
        """
        A Close frame arrived (replaces Autobahn's handling): validate it
        as Qt does, except that codes 1012-1014 are valid (SPEC.md section
        5a), then answer or finish the closing handshake.

        @return: C{True} to stop processing input.
        """
        if code is not None and not isValidCloseCode(code):
            # Qt's text names 1002 rather than the code received, because
            # it formats the message after replacing the code [observed].
            self._fail(_CloseCode.CloseCodeProtocolError, "Invalid close code 1002 detected.")
            return True
        reason = ""
        if reasonRaw:
            try:
                reason = reasonRaw.decode("utf-8")
            except UnicodeDecodeError:
                self._fail(_CloseCode.CloseCodeWrongDatatype, _INVALID_UTF8)
                return True
        self.remoteCloseCode = code
        self.remoteCloseReason = reason
        if self.state == STATE_CLOSING:
            # The answer to our Close.
            self.wasClean = True
            self._ws._closeAnswered()
        elif self.state == STATE_OPEN:
            # The peer starts the closing handshake: echo its code and
            # reason, as Qt does (B101).
            self.wasClean = True
            self._ws._peerClosed(code, reason)
            if self.state == STATE_OPEN:
                # A Close without a code is answered with 1000, as in Qt.
                self.sendCloseFrame(
                    code=code if code is not None else _CloseCode.CloseCodeNormal,
                    reasonUtf8=truncateReason(reason),
                    isReply=True,
                )
            self._ws._closeAnswered()
        return None

    # -- failing ----------------------------------------------------------

    def _protocol_violation(self, reason: str) -> bool:
        text = reason
        if reason.startswith("invalid data frame length (not using minimal"):
            # Both of Autobahn's cases say the same; the header is still
            # buffered, and its length byte tells them apart.
            data = self.data
            wide = len(data) > 1 and (data[1] & 0x7F) == 127
            text = _MINIMAL_LENGTH_64 if wide else _MINIMAL_LENGTH_16
        else:
            for prefix, qtText in _QT_REASONS:
                if reason.startswith(prefix):
                    text = qtText
                    break
        self._fail(_CloseCode.CloseCodeProtocolError, text)
        return True

    def _invalid_payload(self, reason: str) -> bool:
        self._fail(_CloseCode.CloseCodeWrongDatatype, _INVALID_UTF8)
        return True

    def _max_message_size_exceeded(self, msg_size: int, max_msg_size: int, reason: str) -> None:
        self._fail(_CloseCode.CloseCodeTooMuchData, _MESSAGE_TOO_BIG)

    def _fail_connection(self, code: int = 1001, reason: str = "going away") -> None:
        self._fail(code, reason)

    def _fail(self, code: int, reason: str) -> None:
        """
        Fail the WebSocket connection (RFC 6455 section 7.1.7): a Close
        frame with C{code} and C{reason} if none was sent yet, then close
        the TCP connection once the frame is sent.
        """
        if self.state == STATE_CLOSED:
            return
        self.failedByMe = True
        self.wasClean = False
        self.wasNotCleanReason = reason
        if self.state == STATE_OPEN:
            self._ws._failing(code, reason)
            if self.state == STATE_OPEN:
                self.sendCloseFrame(code=code, reasonUtf8=truncateReason(reason))
        self.drop()

    def drop(self, abort: bool = False) -> None:
        """
        Close the TCP connection: after sending what is buffered, or at
        once with C{abort}.  What Autobahn's C{dropConnection} does,
        without its warning log line for every failed connection.
        """
        if self.state == STATE_CLOSED:
            return
        self.droppedByMe = True
        self.state = STATE_CLOSED
        if not self.is_closed.called:
            self.is_closed.callback(self)
        self._closeConnection(abort)

    def _closeConnection(self, abort: bool = False) -> None:
        if abort:
            _transport.closeNow(self.transport)
        else:
            self.transport.loseConnection()

    # -- the end ----------------------------------------------------------

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._connectionLost(reason)
        self._ws._lost(reason, self.droppedByMe)

    def _onClose(self, wasClean: bool, code: Any, reason: Any) -> None:
        # Reported by connectionLost above, with the Twisted reason.
        pass


# (mypy: Autobahn's two bases disagree on the type of their `peer`.)
class ServerProtocol(_Framing, WebSocketServerProtocol):  # type: ignore[misc]
    """
    Autobahn's server protocol with qtwisted's configuration and callbacks.
    """

    # Autobahn's CONFIG_ATTRS_SERVER; the handshake-only ones are inert.
    versions = (13,)
    webStatus = False
    requireMaskedClientFrames = True  # RFC 6455 section 5.1; Qt does not check
    maskServerFrames = False  # B103
    serveFlashSocketPolicy = False
    flashSocketPolicy = ""
    allowedOrigins = ("*",)
    allowedOriginsPatterns = ()
    allowNullOrigin = True
    maxConnections = 0
    trustXForwardedFor = 0


class ClientProtocol(_Framing, WebSocketClientProtocol):  # type: ignore[misc]
    """
    Autobahn's client protocol with qtwisted's configuration and callbacks.
    """

    # Autobahn's CONFIG_ATTRS_CLIENT.
    version = 18
    acceptMaskedServerFrames = False
    maskClientFrames = True
    serverConnectionDropTimeout = 0
    perMessageCompressionOffers = ()
    serverConnectionDropTimeoutCall = None
    # Autobahn's client records its spec version (18: RFC 6455) here.
    websocket_version = 18


_factories: dict[tuple[bool, int], Any] = {}


def _factory(isServer: bool, reactor: Any) -> Any:
    """
    One Autobahn factory per reactor and side.  The protocols read only
    C{isServer} and C{countConnections} from it: every option is a class
    attribute (see the module docstring).
    """
    key = (isServer, id(reactor))
    factory = _factories.get(key)
    if factory is None:
        if isServer:
            factory = WebSocketServerFactory(reactor=reactor)  # type: ignore[no-untyped-call]
        else:
            factory = WebSocketClientFactory(reactor=reactor)  # type: ignore[no-untyped-call]
        _factories[key] = factory
    return factory


def openProtocol(
    protocol: _Framing,
    ws: QWebSocket,
    transport: Any,
    subprotocol: str,
    offered: tuple[str, ...],
) -> None:
    """
    Put C{protocol} into Autobahn's C{STATE_OPEN} on C{transport}, as a
    successful Autobahn handshake would have (see the module docstring).

    @param protocol: a new L{ServerProtocol} or L{ClientProtocol}.
    @param ws: the socket whose signals the protocol emits.
    @param transport: the Twisted transport, already past the handshake.
    @param subprotocol: the subprotocol agreed on, or C{""}.
    @param offered: the subprotocols the client offered.
    """
    isServer = isinstance(protocol, ServerProtocol)
    protocol._ws = ws
    protocol.factory = _factory(isServer, ws._reactor)
    protocol.transport = transport
    # WebSocketProtocol._connectionMade(), minus the configuration (class
    # attributes) and the counters with shared defaults:
    protocol.utf8validator = Utf8Validator()  # type: ignore[no-untyped-call]
    if isServer:
        protocol.factory.countConnections += 1
    # processHandshake() and succeedHandshake() on success:
    protocol.websocket_protocols = list(offered)  # type: ignore[attr-defined]
    protocol.websocket_protocol_in_use = subprotocol or None
    protocol.state = STATE_OPEN


class Holding(Protocol):
    """
    Holds the bytes (and the end) of an upgraded connection until the
    application takes its C{QWebSocket}, so that a frame sent with the
    upgrade request, or before the application is ready, is not lost
    (SPEC.md section 5a; Qt loses it).  Reading pauses once
    L{LIMIT} bytes are held.
    """

    LIMIT = 65536

    def __init__(self, transport: Any, data: bytes) -> None:
        self.transport: Any = transport
        self.held: list[bytes] = [data] if data else []
        self.size = len(data)
        self.paused = False
        self.reason: Failure | None = None
        self._limit()

    def dataReceived(self, data: bytes) -> None:
        self.held.append(data)
        self.size += len(data)
        self._limit()

    def _limit(self) -> None:
        if self.size >= self.LIMIT and not self.paused:
            self.paused = True
            self.transport.pauseProducing()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.reason = reason

    def release(self, protocol: _Framing) -> None:
        """
        Give the connection to C{protocol}: what was held first, then the
        live stream (or the end, if it came while holding).
        """
        transport = self.transport
        if self.reason is None:
            route(transport, protocol)
        data = b"".join(self.held)
        self.held = []
        if data and protocol.state != STATE_CLOSED:
            protocol.dataReceived(data)
        if self.reason is not None:
            protocol.connectionLost(self.reason)
        elif self.paused and protocol.state != STATE_CLOSED:
            transport.resumeProducing()


def tcpOf(transport: Any) -> Any:
    """
    The TCP transport under C{transport} (itself, unless it is a TLS layer).
    """
    if isinstance(transport, TLSMemoryBIOProtocol):
        return transport.transport
    return transport


def reportWrites(transport: Any, callback: Any) -> None:
    """
    Have C{transport} (its TCP transport, under TLS) call C{callback(n)}
    after each send of n bytes, where it can (L{qtwisted._transport}'s
    transports); Qt's C{QWebSocket::bytesWritten} counts the bytes on the
    wire, encrypted ones for C{wss}.
    """
    tcp = tcpOf(transport)
    if hasattr(tcp, "onWritten"):
        tcp.onWritten = callback


def route(transport: Any, protocol: Any) -> None:
    """
    Make C{transport} deliver its bytes and its end to C{protocol}.
    """
    if isinstance(transport, TLSMemoryBIOProtocol):
        transport.wrappedProtocol = protocol
    else:
        transport.protocol = protocol


def takeTransport(qsocket: Any, protocol: Any) -> tuple[Any, bytes]:
    """
    Take C{qsocket}'s connection (C{QAbstractSocket._takeTransport}) and
    route it to C{protocol} at once.

    @return: the transport (C{None} if the socket had none) and the bytes
        the socket had received but nobody had read.
    """
    transport, unread = qsocket._takeTransport()
    if transport is not None:
        route(transport, protocol)
    return transport, unread

# -*- test-case-name: tests.test_websocket -*-
"""
C{QWebSocket}: a WebSocket connection with Qt's API, framed by Autobahn.

Theory of operation
===================

A L{QWebSocket} is what the user holds: Qt's states, errors, signals and
getters.  Underneath sit a Twisted transport and an Autobahn protocol
(L{qtwisted._wsautobahn}) that parses and builds frames; no C{QTcpSocket}
stays in the data path.

A server-side socket is made by the server once its handshake has
succeeded (L{QWebSocket._upgraded}); the Autobahn protocol starts out
open, and the connection's bytes are I{held}
(L{qtwisted._wsautobahn.Holding}) until the application has taken the
socket with C{nextPendingConnection()} and had the rest of that reactor
turn to connect its slots: a message that arrived with the upgrade request
is then delivered, not lost as in Qt (SPEC.md section 5a).

A client-side socket (L{QWebSocket.open}) connects a C{QTcpSocket}
(Qt's states, host lookup and connect errors), takes its transport once
connected, runs the handshake of L{qtwisted._wsclient}, and then opens an
Autobahn client protocol the same way.

The closing handshake follows Qt 6.12 where Qt follows RFC 6455: C{close()}
sends a Close frame and the socket stays connected until the peer answers
(the server then closes the TCP connection) or L{CLOSE_TIMEOUT} passes; a
Close from the peer is echoed with its code and reason.  The timers run on
the socket's reactor.  A connection that ends without any Close frame
reports C{CloseCodeAbnormalDisconnection} (1006; Qt reports 1000).

Everything per message is in L{qtwisted._wsautobahn}; this module's
C{sendTextMessage} / C{sendBinaryMessage} are one check and one call into
Autobahn.
"""

from __future__ import annotations

from typing import Any

from twisted.internet import abstract
from twisted.internet.error import ConnectionAborted
from twisted.internet.interfaces import IDelayedCall
from twisted.python.failure import Failure

from . import _transport
from ._enums import SocketError, SocketState
from ._errors import Strings, failureToError
from ._object import QObjectBase
from ._signal import Signal, WatchedSignal
from ._ssl import QSsl, QSslConfiguration, QSslError, QSslPreSharedKeyAuthenticator
from ._wsautobahn import (
    DEFAULT_OUTGOING_FRAME_SIZE,
    MAX_FRAME_SIZE,
    MAX_MESSAGE_SIZE,
    STATE_OPEN,
    ClientProtocol,
    Holding,
    ServerProtocol,
    openProtocol,
    reportWrites,
    route,
    tcpOf,
    truncateReason,
)
from ._wsclient import openClient
from ._wshandshake import Request
from ._wsprotocol import QWebSocketProtocol
from ._wsinfo import WebSocketDetails
from ._wsrequest import QNetworkRequest, QWebSocketHandshakeOptions

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_CloseCode = QWebSocketProtocol.CloseCode
_Version = QWebSocketProtocol.Version

CLOSE_TIMEOUT = 3.0
"""Seconds to wait for the peer's answer to a Close frame before closing
the TCP connection anyway (Qt 6.12 [observed]: about 3 s)."""


def _closeCode(code: int) -> int:
    try:
        return _CloseCode(code)
    except ValueError:
        return code


class QWebSocket(WebSocketDetails, QObjectBase):
    """
    A WebSocket connection; mirrors C{QWebSocket}.

    A server hands these out from
    L{QWebSocketServer.nextPendingConnection<qtwisted.QWebSocketServer.nextPendingConnection>};
    a client creates one and calls L{open}.  Connect L{textMessageReceived}
    or L{binaryMessageReceived}, send with L{sendTextMessage} or
    L{sendBinaryMessage}, end with L{close}.

    Differences from Qt (see the deviations chapter): URLs are strings; a
    connection that ends without a Close frame reports close code 1006;
    Close codes 1012-1014 from the peer are valid; a peer that breaks the
    protocol gets a Close frame and the TCP connection is closed at once
    (RFC 6455 section 7.1.7); nothing can be sent after L{close}.  The
    proxy, read-buffer and pause-mode settings of Qt's C{QWebSocket} are
    not provided.
    """

    aboutToClose: Signal[()] = Signal()
    """Emitted when the closing handshake starts (a Close frame is sent or
    answered)."""
    connected: Signal[()] = Signal()
    """Emitted when L{open} has completed the opening handshake."""
    disconnected: Signal[()] = Signal()
    """Emitted when the connection has ended."""
    stateChanged: Signal[SocketState] = Signal()
    """Emitted with the new state whenever L{state} changes."""
    readChannelFinished: Signal[()] = Signal()
    """Emitted when the connection's input has ended, before
    L{disconnected}."""
    textFrameReceived: Signal[str, bool] = Signal()
    """Emitted for every frame of a text message, with the frame's text and
    whether it is the last frame."""
    binaryFrameReceived: Signal[bytes, bool] = Signal()
    """Emitted for every frame of a binary message, with the frame's bytes
    and whether it is the last frame."""
    textMessageReceived: Signal[str] = Signal()
    """Emitted with each complete text message."""
    binaryMessageReceived: Signal[bytes] = Signal()
    """Emitted with each complete binary message."""
    errorOccurred: Signal[SocketError] = Signal()
    """Emitted with the error when one occurs; L{errorString} describes it."""
    pong: Signal[int, bytes] = Signal()
    """Emitted with the milliseconds since the last L{ping} and the payload
    when a Pong frame arrives."""
    bytesWritten: Signal[int] = WatchedSignal()
    """Emitted with the number of bytes (frame headers included) handed to
    the operating system."""
    peerVerifyError: Signal[QSslError] = Signal()
    """Forwarded from the TLS layer of a C{wss} connection."""
    sslErrors: Signal[list[QSslError]] = Signal()
    """Forwarded from the TLS layer of a C{wss} connection."""
    preSharedKeyAuthenticationRequired: Signal[QSslPreSharedKeyAuthenticator] = Signal()
    """Forwarded from the TLS layer of a C{wss} connection."""
    alertSent: Signal[QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """Forwarded from the TLS layer of a C{wss} connection."""
    alertReceived: Signal[QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """Forwarded from the TLS layer of a C{wss} connection."""
    handshakeInterruptedOnError: Signal[QSslError] = Signal()
    """Forwarded from the TLS layer of a C{wss} connection."""

    # Defaults on the class: a connection that never changes them carries
    # no attribute for them (a server may hold tens of thousands).
    _closeCode: int = _CloseCode.CloseCodeNormal
    _closeReason = ""
    _closeSeen = False
    _aborting = False
    _watchingWrites = False
    _error = SocketError.UnknownSocketError
    _errorString = ""
    _closeTimer: IDelayedCall | None = None
    _holding: Holding | None = None
    _server: Any = None
    _connector: Any = None
    _ignoreSslErrors: list[QSslError] | None = None

    def __init__(
        self,
        origin: str = "",
        version: QWebSocketProtocol.Version = _Version.VersionLatest,
        parent: QObjectBase | None = None,
        reactor: Any = None,
    ) -> None:
        """
        @param origin: the C{Origin} header L{open} sends (none when empty).
        @param version: the protocol version; only C{Version13} can connect.
        @param parent: the owning object, if any.
        @param reactor: the reactor to use; the global one by default.
        @raise TypeError: for an origin that is not a str.
        """
        super().__init__(parent, reactor)
        if not isinstance(origin, str):
            raise TypeError(f"origin must be a str, not {type(origin).__name__} {origin!r}")
        if origin:
            self._origin = origin
        if version != _Version.Version13:
            self._version = _Version(version)
        self._state = SocketState.UnconnectedState
        self._proto: ServerProtocol | ClientProtocol | None = None
        self._transport: Any = None
        self._pingStart = self._reactor.seconds()

    @classmethod
    def _upgraded(
        cls,
        reactor: Any,
        transport: Any,
        request: Request,
        subprotocol: str,
        server: Any,
        leftover: bytes,
        sslConfiguration: QSslConfiguration | None = None,
    ) -> QWebSocket:
        """
        The server-side socket of a connection whose handshake succeeded:
        open, with its input held until L{_release}.
        """
        ws = cls.__new__(cls)
        QObjectBase.__init__(ws, None, reactor)
        ws._state = SocketState.ConnectedState
        ws._transport = transport
        ws._handshake = request
        if subprotocol:
            ws._subprotocol = subprotocol
        ws._server = server
        ws._pingStart = reactor.seconds()
        if sslConfiguration is not None:
            ws._sslConfiguration = sslConfiguration
        proto = ws._proto = ServerProtocol()
        openProtocol(proto, ws, transport, subprotocol, request.protocols)
        holding = ws._holding = Holding(transport, leftover)
        route(transport, holding)
        return ws

    def _release(self) -> None:
        """
        Deliver what was held, then the live stream: the application has
        taken the socket and connected its slots.
        """
        holding, self._holding = self._holding, None
        proto = self._proto
        if holding is not None and proto is not None:
            holding.release(proto)

    def _unhold(self) -> None:
        # The socket is closing before its input was released: whatever
        # was held is dropped, and the end of the connection must reach
        # the protocol.
        holding, self._holding = self._holding, None
        if holding is not None and self._proto is not None:
            if holding.reason is not None:
                self._proto.connectionLost(holding.reason)
            else:
                route(self._transport, self._proto)
                if holding.paused:
                    self._transport.resumeProducing()

    # -- sending ----------------------------------------------------------

    def sendTextMessage(self, message: str) -> int:
        """
        Send C{message} as a text message; mirrors
        C{QWebSocket::sendTextMessage}.  Messages longer than
        C{outgoingFrameSize()} go out in several frames.

        @return: the number of payload bytes queued (its UTF-8 length), or
            0 when the socket is not open (not connected yet, closed, or
            closing: no data may follow a Close frame).
        @raise TypeError: if C{message} is not a str.
        """
        proto = self._proto
        if proto is None or proto.state != STATE_OPEN:
            if not isinstance(message, str):
                raise TypeError(f"message must be a str, not {type(message).__name__}")
            return 0
        try:
            payload = message.encode("utf-8")
        except AttributeError:
            raise TypeError(f"message must be a str, not {type(message).__name__}") from None
        proto.sendMessage(payload, False)  # type: ignore[no-untyped-call]
        return len(payload)

    def sendBinaryMessage(self, data: bytes | bytearray | memoryview) -> int:
        """
        Send C{data} as a binary message; mirrors
        C{QWebSocket::sendBinaryMessage}.

        @return: the number of payload bytes queued, or 0 when the socket
            is not open.
        @raise TypeError: if C{data} is not bytes-like (a str included).
        """
        if type(data) is not bytes:
            if not isinstance(data, (bytearray, memoryview)):
                raise TypeError(
                    f"data must be bytes, not {type(data).__name__}"
                    " (sendTextMessage sends a str)"
                )
            data = bytes(data)
        proto = self._proto
        if proto is None or proto.state != STATE_OPEN:
            return 0
        proto.sendMessage(data, True)  # type: ignore[no-untyped-call]
        return len(data)

    def ping(self, payload: bytes = b"") -> None:
        """
        Send a Ping frame with C{payload} (cut to 125 bytes); mirrors
        C{QWebSocket::ping}.  The L{pong} signal reports the answer with the
        time since this call.
        """
        if not isinstance(payload, (bytes, bytearray, memoryview)):
            raise TypeError(f"payload must be bytes, not {type(payload).__name__}")
        self._pingStart = self._reactor.seconds()
        proto = self._proto
        if proto is not None and proto.state == STATE_OPEN:
            proto.sendPing(bytes(payload[:125]))

    def _pongReceived(self, payload: bytes) -> None:
        elapsed = int(round((self._reactor.seconds() - self._pingStart) * 1000))
        self.pong.emit(max(elapsed, 0), payload)

    def _onWritten(self, count: int) -> None:
        self.bytesWritten.emit(count)

    def _signalBound(self, name: str) -> None:
        # Counting the bytes of each send costs a few calls per message:
        # done only once somebody may listen (Qt's connectNotify).
        if name == "bytesWritten" and not self._watchingWrites:
            self._watchingWrites = True
            if self._transport is not None:
                reportWrites(self._transport, self._onWritten)

    def bytesToWrite(self) -> int:
        """
        The number of bytes queued but not yet handed to the operating
        system; mirrors C{QWebSocket::bytesToWrite}.
        """
        transport = self._transport
        return 0 if transport is None else _transport.bufferedBytes(tcpOf(transport))

    def flush(self) -> bool:
        """
        Send as much queued data as the operating system takes now, without
        waiting; mirrors C{QWebSocket::flush}.

        @return: C{True} if any data was sent.
        """
        transport = self._transport
        tcp = tcpOf(transport) if transport is not None else None
        if not isinstance(tcp, abstract.FileDescriptor) or tcp.disconnected:
            return False
        # A TLS layer may be in the middle of a call: drop on the next turn.
        return _transport.flushNow(tcp, self._reactor)

    # -- closing ----------------------------------------------------------

    def close(
        self,
        closeCode: int = _CloseCode.CloseCodeNormal,
        reason: str = "",
    ) -> None:
        """
        Start the closing handshake with C{closeCode} and C{reason}; mirrors
        C{QWebSocket::close}.

        The reason is cut to 123 bytes of UTF-8 (at a character boundary).
        The socket stays connected until the peer answers with its Close
        (a server then closes the TCP connection) or L{CLOSE_TIMEOUT}
        seconds pass, as in Qt 6.12.  On a client still connecting, the
        attempt is abandoned.

        @raise TypeError: for a code that is not an int or a reason that is
            not a str.
        """
        if isinstance(closeCode, bool) or not isinstance(closeCode, int):
            raise TypeError(f"closeCode must be an int, not {type(closeCode).__name__}")
        if not isinstance(reason, str):
            raise TypeError(f"reason must be a str, not {type(reason).__name__}")
        proto = self._proto
        if proto is None:
            if self._connector is not None:
                self.abort()
            return
        if proto.state != STATE_OPEN:
            return
        reasonUtf8 = truncateReason(reason)
        self._closeCode = _closeCode(closeCode)
        self._closeReason = reasonUtf8.decode("utf-8")
        self._closeSeen = True
        proto.sendCloseFrame(code=int(closeCode), reasonUtf8=reasonUtf8)
        self.aboutToClose.emit()
        self._startCloseTimer()

    def _startCloseTimer(self) -> None:
        if self._closeTimer is None and self._proto is not None:
            self._closeTimer = self._reactor.callLater(CLOSE_TIMEOUT, self._closeTimedOut)

    def _closeTimedOut(self) -> None:
        self._closeTimer = None
        proto = self._proto
        if proto is not None:
            self._unhold()
            proto.drop(abort=True)

    def _peerClosed(self, code: int | None, reason: str) -> None:
        # The peer started the closing handshake (B101).
        self._closeCode = _closeCode(code) if code is not None else _CloseCode.CloseCodeNormal
        self._closeReason = reason
        self._closeSeen = True
        self.aboutToClose.emit()

    def _failing(self, code: int, reason: str) -> None:
        # We are failing the connection (a protocol error, invalid UTF-8, a
        # size limit): Qt's close(code, reason).
        self._closeCode = _closeCode(code)
        self._closeReason = reason
        self._closeSeen = True
        self.aboutToClose.emit()

    def _closeAnswered(self) -> None:
        # Both Close frames have been exchanged.  The server closes the TCP
        # connection (RFC 6455 section 7.1.1); a client gives it time to.
        proto = self._proto
        if proto is None:
            return
        if isinstance(proto, ServerProtocol):
            proto.drop()
        else:
            self._startCloseTimer()

    def abort(self) -> None:
        """
        Close the connection at once, without a closing handshake; mirrors
        C{QWebSocket::abort}.  L{stateChanged} and L{disconnected} are
        emitted before this returns.
        """
        connector = self._connector
        if connector is not None:
            connector.abort()
            return
        proto = self._proto
        if proto is None:
            return
        self._aborting = True
        self._unhold()
        proto.drop(abort=True)
        if self._proto is proto:
            # A TLS layer closes on the next reactor turn; Qt's abort() is
            # over when it returns.
            self._lost(Failure(ConnectionAborted()), True)

    def _lost(self, reason: Failure, droppedByUs: bool) -> None:
        """
        The TCP connection has ended (the protocol's C{connectionLost}).
        """
        timer, self._closeTimer = self._closeTimer, None
        if timer is not None and timer.active():
            timer.cancel()
        self._proto = None
        self._transport = None
        self._holding = None
        server, self._server = self._server, None
        if server is not None:
            server._forget(self)
        state = self._state
        if state == SocketState.UnconnectedState:
            return
        if not self._closeSeen:
            # No Close frame either way: RFC 6455 section 7.1.5 (Qt: 1000).
            self._closeCode = _CloseCode.CloseCodeAbnormalDisconnection
        if not droppedByUs:
            code, text = failureToError(reason)
            self._error = code
            self._errorString = text
            self.errorOccurred.emit(code)
            if self._state != state:
                return
        if not self._aborting and state == SocketState.ConnectedState:
            self._state = SocketState.ClosingState
            self.stateChanged.emit(SocketState.ClosingState)
        self._ended()

    def _ended(self) -> None:
        self._aborting = False
        self._state = SocketState.UnconnectedState
        self._peer = None
        self._local = None
        self.stateChanged.emit(SocketState.UnconnectedState)
        self.readChannelFinished.emit()
        self.disconnected.emit()

    def _destroyed(self) -> None:
        # Qt's destructor closes with 1001 "Connection closed"; the TCP
        # connection is then closed once the frame is sent (Qt leaves it
        # open, owned by the server).
        connector, self._connector = self._connector, None
        if connector is not None:
            connector.cancel()
        proto = self._proto
        if proto is None:
            return
        self._unhold()
        if proto.state == STATE_OPEN:
            self.close(_CloseCode.CloseCodeGoingAway, "Connection closed")
        if self._proto is not None:
            self._proto.drop()

    # -- state and errors -------------------------------------------------

    def state(self) -> SocketState:
        """
        The connection's state; mirrors C{QWebSocket::state}.
        """
        return self._state

    def isValid(self) -> bool:
        """
        Whether the socket is connected; mirrors C{QWebSocket::isValid}.
        """
        return self._state == SocketState.ConnectedState and self._transport is not None

    def error(self) -> SocketError:
        """
        The last error; mirrors C{QWebSocket::error}.
        """
        return self._error

    def errorString(self) -> str:
        """
        The last error's description in Qt's words, C{"Unknown error"}
        when none occurred; mirrors C{QWebSocket::errorString}.
        """
        return self._errorString or Strings.Unknown

    def _setErrorAndEmit(self, code: SocketError, text: str) -> None:
        self._error = code
        self._errorString = text
        self.errorOccurred.emit(code)

    def closeCode(self) -> int:
        """
        The close code of the closing handshake (sent or received), or
        C{CloseCodeNormal}; C{CloseCodeAbnormalDisconnection} if the
        connection ended without a Close frame.  Mirrors
        C{QWebSocket::closeCode}.  A code without a member of
        L{QWebSocketProtocol.CloseCode} (3000-4999, 1012-1014) is a plain
        int.
        """
        return self._closeCode

    def closeReason(self) -> str:
        """
        The reason of the closing handshake, or C{""}; mirrors
        C{QWebSocket::closeReason}.
        """
        return self._closeReason

    # -- TLS --------------------------------------------------------------

    def ignoreSslErrors(self, errors: list[QSslError] | None = None) -> None:
        """
        Ignore certificate errors of a C{wss} connection: all of them, or
        those in C{errors}; mirrors both C{QWebSocket::ignoreSslErrors}
        overloads.  Call it before L{open} or from an L{sslErrors} slot.
        """
        self._ignoreSslErrors = [] if errors is None else list(errors)
        connector = self._connector
        qsocket = getattr(connector, "qsocket", None)
        if qsocket is not None and hasattr(qsocket, "ignoreSslErrors"):
            qsocket.ignoreSslErrors(errors)

    # -- the client -------------------------------------------------------

    def open(
        self,
        url: str | QNetworkRequest,
        options: QWebSocketHandshakeOptions | None = None,
    ) -> None:
        """
        Connect to C{url} (C{ws://host[:port]/path}) and open the
        WebSocket; mirrors C{QWebSocket::open}.

        C{url} may be a L{QNetworkRequest}, whose header fields are added to
        the upgrade request; C{options} gives the subprotocols to offer.
        The socket goes through C{ConnectingState}; L{connected} is emitted
        when the server has accepted, L{errorOccurred} (with
        C{ConnectionRefusedError} and Qt's text) when it has not, followed
        by L{disconnected} as in Qt.  A connection already open is dropped
        first, without signals.  C{wss} URLs need qtwisted's C{QSslSocket}
        (not available yet: L{errorOccurred} with
        C{UnsupportedSocketOperationError}).

        @raise TypeError: for a C{url} that is neither a str nor a
            L{QNetworkRequest}.
        """
        if isinstance(url, QNetworkRequest):
            request = QNetworkRequest._fromFields(url.url(), url._headers)
        elif isinstance(url, str):
            request = QNetworkRequest(url)
        else:
            raise TypeError(f"url must be a str or QNetworkRequest, not {type(url).__name__}")
        if options is not None and not isinstance(options, QWebSocketHandshakeOptions):
            raise TypeError(f"options must be QWebSocketHandshakeOptions, not {options!r}")
        self._dropSilently()
        # A new connection: forget the previous one's outcome.
        self._closeCode = _CloseCode.CloseCodeNormal
        self._closeReason = ""
        self._closeSeen = False
        self._subprotocol = ""
        self._peerName = ""
        self._clientRequest = request
        self._options = QWebSocketHandshakeOptions(options)
        openClient(self, request, self._options)

    def _dropSilently(self) -> None:
        # Qt's open() disconnects the old socket's signals and deletes it.
        connector, self._connector = self._connector, None
        if connector is not None:
            connector.cancel()
        proto, self._proto = self._proto, None
        if proto is not None:
            holding, self._holding = self._holding, None
            if holding is not None and holding.reason is None:
                route(self._transport, proto)
            proto._ws = _SILENT
            proto.drop(abort=True)
        self._transport = None
        self._peer = self._local = None
        self._state = SocketState.UnconnectedState

    def _clientOpened(self, proto: ClientProtocol, transport: Any, subprotocol: str) -> None:
        """
        The client handshake succeeded (called by L{qtwisted._wsclient}).
        """
        self._connector = None
        self._proto = proto
        self._transport = transport
        if subprotocol:
            self._subprotocol = subprotocol
        openProtocol(proto, self, transport, subprotocol, ())
        if self._maxFrame != MAX_FRAME_SIZE:
            proto._maxFrame = self._maxFrame
        if self._maxMessage != MAX_MESSAGE_SIZE:
            proto._maxMessage = self._maxMessage
        if self._outgoingFrameSize != DEFAULT_OUTGOING_FRAME_SIZE:
            proto.autoFragmentSize = self._outgoingFrameSize
        route(transport, proto)
        if self._watchingWrites:
            reportWrites(transport, self._onWritten)
        self._state = SocketState.ConnectedState
        self.stateChanged.emit(SocketState.ConnectedState)
        if self._proto is proto:
            self.connected.emit()

    def __repr__(self) -> str:
        return f"<QWebSocket {self._state.name} {self.requestUrl()!r}>"


class _Silent:
    """
    Stands in for the socket of a protocol dropped without signals (a new
    L{QWebSocket.open} replacing the connection).
    """

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


_SILENT: Any = _Silent()

# -*- test-case-name: tests.test_websocketserver -*-
"""
C{QWebSocketServer}: Qt's WebSocket server on the Twisted reactor.

Theory of operation
===================

As in Qt, the server owns an inner L{QTcpServer} (C{NonSecureMode}) or
C{QSslServer} (C{SecureMode}) and delegates listening, pausing and the
descriptor to it (QT_BEHAVIORS.md section 1.3).  Each connection the inner
server queues is taken at once (section 1.3.1): its Twisted transport is
detached from the C{QTcpSocket} and given to a L{_HandshakeProtocol}, which
feeds the bytes to the sans-I/O L{RequestReader} of
L{qtwisted._wshandshake}; the handshake timer runs on the server's reactor.

When the request is complete (section 1.3.2), the server checks its queue
(B77: no HTTP bytes when full), turns an invalid request down with
L{qtwisted._wshandshake}'s exact response, asks
C{originAuthenticationRequired} (L{qtwisted._cors}: a slot may answer later
with a Deferred, and reading pauses meanwhile), and calls
L{qtwisted._wshandshake.respond}.  On success it writes the 101 response,
wraps the same transport in a L{QWebSocket} whose Autobahn protocol is
already open, queues it and emits C{newConnection}.  The socket's input is
held until the application takes it with L{nextPendingConnection} (see
L{qtwisted._websocket}).

Errors follow Qt 6.12 (section 4.1): a failed C{listen()} sets
C{CloseCodeAbnormalDisconnection} with the inner server's text and emits
C{serverError} only if the pair changed; every handshake failure emits
C{serverError}.

The server remembers the sockets it handed out until they disconnect, so
that destroying it (C{deleteLater()}) disconnects them, as in Qt where their
TCP sockets are children of the inner server (B93).
"""

from __future__ import annotations

import enum
from collections import deque
from datetime import timedelta
from typing import Any, Iterable

from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.protocol import Protocol, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

from . import _transport
from ._cors import QWebSocketCorsAuthenticator, authenticateOrigin
from ._enums import SocketError
from ._hostaddress import QHostAddress
from ._object import QObjectBase
from ._pending import DEFAULT_MAX_PENDING
from ._proxy import QNetworkProxy
from ._signal import Signal
from ._ssl import (
    QSsl,
    QSslConfiguration,
    QSslError,
    QSslPreSharedKeyAuthenticator,
    QSslServer,
    QSslSocket,
)
from ._tcpserver import QTcpServer
from ._tcpsocket import QTcpSocket
from ._websocket import QWebSocket
from ._wsautobahn import takeTransport
from ._wsclient import _SSL_SIGNALS
from ._wshandshake import TOO_MANY_PENDING, Reject, Request, RequestReader, respond
from ._wsprotocol import QWebSocketProtocol

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_log = Logger(namespace="qtwisted.websocket")

_CloseCode = QWebSocketProtocol.CloseCode
_SpecialAddress = QHostAddress.SpecialAddress
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_DEFAULT_TIMEOUT = 10000


def _checkInt(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__} {value!r}")
    if not _INT_MIN <= value <= _INT_MAX:
        raise ValueError(f"{name} must be in {_INT_MIN}..{_INT_MAX}, not {value!r}")
    return value


class _HandshakeProtocol(Protocol):
    """
    One connection in the HTTP phase of the opening handshake.

    @ivar done: the handshake is decided (or the connection gone): later
        bytes and timers are ignored.
    """

    transport: Any

    def __init__(self, server: QWebSocketServer, secure: bool) -> None:
        self.server = server
        self.reader = RequestReader(secure)
        self.timer: IDelayedCall | None = None
        self.sslConfiguration: QSslConfiguration | None = None
        self.sslSocket: QSslSocket | None = None
        self.waiting: Deferred[bool] | None = None
        self.paused = False
        self.done = False

    def dataReceived(self, data: bytes) -> None:
        if self.done:
            return
        result = self.reader.feed(data)
        if result is not None:
            self.server._requestReceived(self, result)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.done = True
        self.server._handshakeGone(self)

    def stop(self) -> None:
        """
        The handshake is decided: stop the timer and any origin decision.
        """
        self.done = True
        timer, self.timer = self.timer, None
        if timer is not None and timer.active():
            timer.cancel()
        waiting, self.waiting = self.waiting, None
        if waiting is not None:
            waiting.cancel()


class QWebSocketServer(QObjectBase):
    """
    A WebSocket server; mirrors C{QWebSocketServer}.

    Call L{listen}, connect to L{newConnection} and take each
    L{QWebSocket} with L{nextPendingConnection}.  Connect a slot to
    L{originAuthenticationRequired} to refuse origins: with none connected
    every origin is accepted (Qt's rule, which exposes cookie-authenticated
    servers to cross-site WebSocket hijacking; see the WebSocket chapter).
    A slot may also answer later, with a C{Deferred} or as an
    C{async def}.

    Differences from Qt (see the deviations chapter): an invalid upgrade
    request gets C{400 Bad Request}; messages sent with the upgrade request
    are delivered; a client that drops without a Close frame reports 1006;
    L{serverUrl} is a string.  C{SecureMode} runs on qtwisted's
    L{QSslServer<qtwisted.QSslServer>}.
    """

    class SslMode(enum.IntEnum):
        """
        C{QWebSocketServer::SslMode}: C{wss} or C{ws}.
        """

        SecureMode = 0
        NonSecureMode = 1

    SecureMode = SslMode.SecureMode
    NonSecureMode = SslMode.NonSecureMode

    acceptError: Signal[SocketError] = Signal()
    """Forwarded from the inner server's C{acceptError} (B105)."""
    serverError: Signal[int] = Signal()
    """Emitted with a close code when listening or a handshake failed;
    L{error} and L{errorString} tell more."""
    originAuthenticationRequired: Signal[QWebSocketCorsAuthenticator] = Signal()
    """Emitted for each valid upgrade request, before L{newConnection}
    (B65); call C{setAllowed(False)} on the authenticator to refuse."""
    newConnection: Signal[()] = Signal()
    """Emitted each time a WebSocket connection has been queued (B88)."""
    closed: Signal[()] = Signal()
    """Emitted on the reactor turn after each L{close} (B58)."""
    peerVerifyError: Signal[QSslError] = Signal()
    """SecureMode: forwarded from C{QSslServer}, without the socket."""
    sslErrors: Signal[list[QSslError]] = Signal()
    """SecureMode: forwarded from C{QSslServer}, without the socket."""
    preSharedKeyAuthenticationRequired: Signal[QSslPreSharedKeyAuthenticator] = Signal()
    """SecureMode: forwarded from C{QSslServer}, without the socket (B100)."""
    alertSent: Signal[QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """SecureMode: forwarded from C{QSslServer}, without the socket."""
    alertReceived: Signal[QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """SecureMode: forwarded from C{QSslServer}, without the socket."""
    handshakeInterruptedOnError: Signal[QSslError] = Signal()
    """SecureMode: forwarded from C{QSslServer}, without the socket."""

    def __init__(
        self,
        serverName: str,
        secureMode: QWebSocketServer.SslMode,
        parent: QObjectBase | None = None,
        reactor: Any = None,
    ) -> None:
        """
        @param serverName: sent in the C{Server:} header of the handshake
            response (not at all when empty, B62).
        @param secureMode: C{NonSecureMode} (C{ws}) or C{SecureMode}
            (C{wss}).
        @param parent: the owning object, if any.
        @param reactor: the reactor to use; the global one by default.
        @raise TypeError: for a server name that is not a str.
        @raise ValueError: for an unknown C{secureMode}.
        """
        super().__init__(parent, reactor)
        if not isinstance(serverName, str):
            raise TypeError(f"serverName must be a str, not {type(serverName).__name__}")
        self._serverName = serverName
        self._secureMode = QWebSocketServer.SslMode(secureMode)
        self._queue: deque[QWebSocket] = deque()
        self._maxPending = DEFAULT_MAX_PENDING
        self._handshakeTimeout = _DEFAULT_TIMEOUT
        self._error: int = _CloseCode.CloseCodeNormal
        self._errorString = ""
        self._supportedSubprotocols: list[str] = []
        self._handshakes: dict[_HandshakeProtocol, None] = {}
        self._sockets: dict[QWebSocket, None] = {}
        self._inner: QTcpServer
        self._sslServer: QSslServer | None = None
        if self._secureMode == self.SslMode.SecureMode:
            inner = self._inner = self._sslServer = QSslServer(self, self._reactor)
            inner.setHandshakeTimeout(_DEFAULT_TIMEOUT)
            # Qt connects this one queued: the socket reaches the WebSocket
            # layer a reactor turn after its TLS handshake (section 1.3.1).
            inner.pendingConnectionAvailable.connect(
                lambda: self._reactor.callLater(0, self._takeInnerConnections)
            )
            for name in _SSL_SIGNALS:
                outer = getattr(self, name)
                getattr(inner, name).connect(
                    lambda socket, *args, _outer=outer: _outer.emit(*args)
                )
        else:
            self._inner = QTcpServer(self, self._reactor)
            self._inner.pendingConnectionAvailable.connect(self._takeInnerConnections)
        self._inner.acceptError.connect(self.acceptError.emit)

    # -- listening -------------------------------------------------------

    def listen(
        self,
        address: QHostAddress | QHostAddress.SpecialAddress | str = _SpecialAddress.Any,
        port: int = 0,
    ) -> bool:
        """
        Listen on C{address}:C{port}; mirrors C{QWebSocketServer::listen}.

        @return: C{True} on success.  On failure (or when already
            listening) C{False}, with L{error} C{CloseCodeAbnormalDisconnection},
            L{errorString} the inner server's text, and L{serverError}
            emitted if that pair changed (B59).
        """
        if self._inner.listen(address, port):
            return True
        self._setError(_CloseCode.CloseCodeAbnormalDisconnection, self._inner.errorString())
        return False

    def close(self) -> None:
        """
        Stop listening; mirrors C{QWebSocketServer::close}.

        Queued websockets not yet taken are closed with
        C{CloseCodeGoingAway} and C{"Server closed."} (B92); taken ones stay
        connected.  Connections still in their opening handshake are not
        stopped and may still be queued (Qt's behaviour, B106).  L{closed}
        is emitted on the next reactor turn, once per call, listening or
        not (B57, B58).
        """
        self._inner.close()
        self._closeQueued()
        self._reactor.callLater(0, self.closed.emit)

    def _closeQueued(self) -> None:
        while self._queue:
            ws = self._queue.popleft()
            ws.close(_CloseCode.CloseCodeGoingAway, "Server closed.")
            ws.deleteLater()

    def _destroyed(self) -> None:
        # Qt's destructor: close() without closed(); and since the sockets
        # of every websocket are the inner server's children, the ones
        # handed out lose their connection too (B93).
        self._inner._destroy()
        self._closeQueued()
        for hs in list(self._handshakes):
            hs.stop()
            _transport.closeNow(hs.transport)
        for ws in list(self._sockets):
            ws.abort()

    def isListening(self) -> bool:
        """
        Whether the server is listening; mirrors C{QWebSocketServer::isListening}.
        """
        return self._inner.isListening()

    def serverPort(self) -> int:
        """
        The port listened on, or 0; mirrors C{QWebSocketServer::serverPort}.
        """
        return self._inner.serverPort()

    def serverAddress(self) -> QHostAddress:
        """
        The address listened on, or a Null address; mirrors
        C{QWebSocketServer::serverAddress}.
        """
        return self._inner.serverAddress()

    def serverUrl(self) -> str:
        """
        The URL clients connect to, or C{""} when not listening; mirrors
        C{QWebSocketServer::serverUrl} (a C{QUrl} in Qt).

        The host is C{127.0.0.1} for a server on C{Any}, otherwise the
        address listened on (B60): C{ws://127.0.0.1:8080},
        C{wss://[::1]:8443}.
        """
        if not self.isListening():
            return ""
        address = self.serverAddress()
        scheme = "wss" if self._secureMode == self.SslMode.SecureMode else "ws"
        if address == _SpecialAddress.Any:
            host = "127.0.0.1"
        else:
            host = address.toString()
            if ":" in host:
                host = f"[{host}]"
        return f"{scheme}://{host}:{self.serverPort()}"

    def secureMode(self) -> QWebSocketServer.SslMode:
        """
        C{SecureMode} or C{NonSecureMode}; mirrors C{QWebSocketServer::secureMode}.
        """
        return self._secureMode

    def socketDescriptor(self) -> int:
        """
        The listening descriptor, or -1; mirrors
        C{QWebSocketServer::socketDescriptor}.
        """
        return self._inner.socketDescriptor()

    def setSocketDescriptor(self, socketDescriptor: int) -> bool:
        """
        Listen on an already listening native socket; mirrors
        C{QWebSocketServer::setSocketDescriptor}.  A failure leaves
        L{error} alone; L{errorString} then shows the inner server's text
        (B96).
        """
        return self._inner.setSocketDescriptor(socketDescriptor)

    def pauseAccepting(self) -> None:
        """
        Stop accepting new connections; mirrors
        C{QWebSocketServer::pauseAccepting} (a no-op when not listening:
        Qt crashes there).
        """
        self._inner.pauseAccepting()

    def resumeAccepting(self) -> None:
        """
        Accept again after L{pauseAccepting}; a no-op when not listening.
        """
        self._inner.resumeAccepting()

    def proxy(self) -> QNetworkProxy:
        """
        The inner server's proxy; mirrors C{QWebSocketServer::proxy}.
        """
        return self._inner.proxy()

    def setProxy(self, networkProxy: QNetworkProxy) -> None:
        """
        Set the inner server's proxy; mirrors C{QWebSocketServer::setProxy}.
        """
        self._inner.setProxy(networkProxy)

    # -- settings --------------------------------------------------------

    def setMaxPendingConnections(self, numConnections: int) -> None:
        """
        Set how many upgraded websockets may wait for
        L{nextPendingConnection} (default 30); mirrors
        C{QWebSocketServer::setMaxPendingConnections}.

        A client whose request completes while the queue is full gets no
        HTTP response at all, and the server reports
        C{CloseCodeAbnormalDisconnection} "Too many pending connections."
        (B77, B79).  Any int is stored (B95); as in Qt the inner server's
        limit is raised to C{numConnections + 1} when it is not above it
        already, but never past C{INT_MAX} (Qt's overflow makes a server
        limited to C{INT_MAX} accept nothing).

        @raise TypeError: if C{numConnections} is not an int.
        @raise ValueError: if it does not fit Qt's C{int}.
        """
        _checkInt(numConnections, "numConnections")
        if self._inner.maxPendingConnections() <= numConnections:
            self._inner.setMaxPendingConnections(min(numConnections + 1, _INT_MAX))
        self._maxPending = numConnections

    def maxPendingConnections(self) -> int:
        """
        The queue limit; mirrors C{QWebSocketServer::maxPendingConnections}.
        """
        return self._maxPending

    def setHandshakeTimeout(self, msec: int | timedelta) -> None:
        """
        Give each client this long, from accept (from encryption in
        C{SecureMode}) to a complete upgrade request, before the connection
        is closed without a response (B83); mirrors
        C{QWebSocketServer::setHandshakeTimeout}.  A negative value
        disables it (B85); in C{SecureMode} the TLS handshake gets the same
        budget (C{INT_MAX} ms for a negative value, B86).  The time spent
        waiting for a deferred origin decision counts.

        @param msec: milliseconds, or a C{datetime.timedelta} (Qt's
            C{std::chrono::milliseconds} overload).
        """
        if isinstance(msec, timedelta):
            msec = int(msec / timedelta(milliseconds=1))
        _checkInt(msec, "msec")
        self._handshakeTimeout = msec
        if self._sslServer is not None:
            self._sslServer.setHandshakeTimeout(_INT_MAX if msec < 0 else msec)

    def handshakeTimeoutMS(self) -> int:
        """
        The handshake timeout in milliseconds (default 10000, -1 or any
        negative value: none); mirrors C{QWebSocketServer::handshakeTimeoutMS}.
        """
        return self._handshakeTimeout

    def handshakeTimeout(self) -> timedelta:
        """
        The handshake timeout as a C{timedelta}; mirrors
        C{QWebSocketServer::handshakeTimeout}.
        """
        return timedelta(milliseconds=self._handshakeTimeout)

    def setServerName(self, serverName: str) -> None:
        """
        Set the name sent in the C{Server:} header; mirrors
        C{QWebSocketServer::setServerName}.  An empty name sends no header
        (B62); a name with CR, LF or NUL makes every handshake fail.
        """
        if not isinstance(serverName, str):
            raise TypeError(f"serverName must be a str, not {type(serverName).__name__}")
        self._serverName = serverName

    def serverName(self) -> str:
        """
        The server name; mirrors C{QWebSocketServer::serverName}.
        """
        return self._serverName

    def setSupportedSubprotocols(self, protocols: Iterable[str]) -> None:
        """
        Set the subprotocols the server speaks; mirrors
        C{QWebSocketServer::setSupportedSubprotocols}.  The first protocol
        in the I{client's} order that is in this list is chosen (exact,
        case-sensitive match; B74, B75).
        """
        if isinstance(protocols, str):
            raise TypeError(f"protocols must be a list of str, not the str {protocols!r}")
        values = list(protocols)
        for p in values:
            if not isinstance(p, str):
                raise TypeError(f"protocols must be a list of str, not {protocols!r}")
        self._supportedSubprotocols = values

    def supportedSubprotocols(self) -> list[str]:
        """
        The subprotocols the server speaks; mirrors
        C{QWebSocketServer::supportedSubprotocols}.
        """
        return list(self._supportedSubprotocols)

    def supportedVersions(self) -> list[QWebSocketProtocol.Version]:
        """
        C{[Version13]}; mirrors C{QWebSocketServer::supportedVersions}.
        """
        return [QWebSocketProtocol.Version.Version13]

    def setSslConfiguration(self, sslConfiguration: QSslConfiguration) -> None:
        """
        Set the TLS configuration of a C{SecureMode} server; ignored in
        C{NonSecureMode} (B94).  Mirrors
        C{QWebSocketServer::setSslConfiguration}.
        """
        if not isinstance(sslConfiguration, QSslConfiguration):
            raise TypeError(f"sslConfiguration must be a QSslConfiguration, not {sslConfiguration!r}")
        if self._sslServer is not None:
            self._sslServer.setSslConfiguration(sslConfiguration)

    def sslConfiguration(self) -> QSslConfiguration:
        """
        The TLS configuration; C{QSslConfiguration.defaultConfiguration()}
        in C{NonSecureMode} (B94).
        """
        if self._sslServer is not None:
            configuration: QSslConfiguration = self._sslServer.sslConfiguration()
            return configuration
        return QSslConfiguration.defaultConfiguration()

    # -- errors ----------------------------------------------------------

    def error(self) -> int:
        """
        The last error as a close code (C{CloseCodeNormal} until one
        occurs; never reset, B104); mirrors C{QWebSocketServer::error}.
        """
        return self._error

    def errorString(self) -> str:
        """
        The last error's text in Qt's words, or the inner server's when the
        WebSocket server has none; mirrors C{QWebSocketServer::errorString}.
        """
        return self._errorString or self._inner.errorString()

    def _setError(self, code: int, text: str) -> None:
        # The listen path: Qt emits only when the pair changes.
        if (code, text) != (self._error, self._errorString):
            self._error = code
            self._errorString = text
            self.serverError.emit(code)

    def _setHandshakeError(self, code: int, text: str) -> None:
        # Qt 6.12 emits every handshake failure (section 4.1).
        self._error = code
        self._errorString = text
        self.serverError.emit(code)

    # -- connections -----------------------------------------------------

    def hasPendingConnections(self) -> bool:
        """
        Whether a websocket is waiting; mirrors
        C{QWebSocketServer::hasPendingConnections}.
        """
        return bool(self._queue)

    def nextPendingConnection(self) -> QWebSocket | None:
        """
        Take the oldest queued websocket, or C{None}; mirrors
        C{QWebSocketServer::nextPendingConnection} (B88).

        The websocket has no parent.  Messages that arrived before this
        call (even with the upgrade request) are delivered on the next
        reactor turn, so connect your slots before returning to the
        reactor.  A websocket whose client already left is returned
        connected, and reports its messages and then C{disconnected} on
        that turn.
        """
        if not self._queue:
            return None
        ws = self._queue.popleft()
        self._reactor.callLater(0, ws._release)
        return ws

    def handleConnection(self, socket: QTcpSocket) -> None:
        """
        Run the opening handshake on a connected socket accepted elsewhere
        (the server need not listen); mirrors
        C{QWebSocketServer::handleConnection} (B97).  The handshake timer
        applies, as in Qt 6.12.

        The socket's connection moves to the websocket: afterwards C{socket}
        is unconnected and emits nothing more.
        """
        if not isinstance(socket, QTcpSocket):
            raise TypeError(f"socket must be a QTcpSocket, not {type(socket).__name__}")
        self._startHandshake(socket)

    def _takeInnerConnections(self) -> None:
        inner = self._inner
        while inner.hasPendingConnections():
            qsocket = inner.nextPendingConnection()
            if qsocket is not None:
                self._startHandshake(qsocket)

    def _startHandshake(self, qsocket: QTcpSocket) -> None:
        secure = self._secureMode == self.SslMode.SecureMode
        hs = _HandshakeProtocol(self, secure)
        if isinstance(qsocket, QSslSocket) and qsocket.isEncrypted():
            # The server-side QWebSocket's sslConfiguration(): the
            # socket's, with the session's cipher (tst_scheme).
            hs.sslConfiguration = qsocket.sslConfiguration()
            hs.sslSocket = qsocket
        transport, unread = takeTransport(qsocket, hs)
        if transport is None:
            return
        hs.transport = transport
        self._handshakes[hs] = None
        msec = self._handshakeTimeout
        if msec >= 0:
            hs.timer = self._reactor.callLater(msec / 1000.0, self._handshakeTimedOut, hs)
        if unread:
            hs.dataReceived(unread)

    def _handshakeTimedOut(self, hs: _HandshakeProtocol) -> None:
        # B83: closed without a byte and without a signal.
        hs.timer = None
        if hs.done:
            return
        hs.stop()
        self._handshakes.pop(hs, None)
        _transport.closeNow(hs.transport)

    def _handshakeGone(self, hs: _HandshakeProtocol) -> None:
        hs.stop()
        self._handshakes.pop(hs, None)

    def _requestReceived(self, hs: _HandshakeProtocol, result: Request | Reject) -> None:
        # Qt checks the queue before it even parses the request (B77).
        if hs.reader.complete and len(self._queue) >= self._maxPending:
            result = TOO_MANY_PENDING
        if isinstance(result, Reject):
            self._reject(hs, result)
            return
        decision = authenticateOrigin(self.originAuthenticationRequired, result.origin)
        if isinstance(decision, bool):
            self._decided(hs, result, decision)
            return
        if hs.done:
            decision.cancel()
            return
        # Wait for the application; hold the client's bytes meanwhile.
        hs.waiting = decision
        hs.paused = True
        hs.transport.pauseProducing()

        def decided(allowed: bool) -> None:
            if hs.waiting is decision:
                hs.waiting = None
                self._decided(hs, result, allowed)

        def cancelled(failure: Failure) -> None:
            failure.trap(CancelledError)

        decision.addCallbacks(decided, cancelled)

    def _decided(self, hs: _HandshakeProtocol, request: Request, allowed: bool) -> None:
        if hs.done:
            return
        outcome = respond(
            request,
            originAllowed=allowed,
            serverName=self._serverName,
            supportedSubprotocols=self._supportedSubprotocols,
            now=self._reactor.seconds(),
        )
        if isinstance(outcome, Reject):
            self._reject(hs, outcome)
            return
        if len(self._queue) >= self._maxPending:
            # Filled while a deferred origin decision was awaited.
            self._reject(hs, TOO_MANY_PENDING)
            return
        hs.stop()
        self._handshakes.pop(hs, None)
        transport = hs.transport
        transport.write(outcome.response)
        ws = QWebSocket._upgraded(
            self._reactor,
            transport,
            request,
            outcome.subprotocol,
            self,
            hs.reader.leftover,
            hs.sslConfiguration,
        )
        if hs.paused:
            transport.resumeProducing()
        sslSocket = hs.sslSocket
        if sslSocket is not None:
            # TLS alerts after the upgrade (a close_notify) still reach the
            # websocket, as Qt's QWebSocket relays its QSslSocket's.
            sslSocket.alertSent.connect(ws.alertSent.emit)
            sslSocket.alertReceived.connect(ws.alertReceived.emit)
        self._sockets[ws] = None
        self._queue.append(ws)
        self.newConnection.emit()

    def _reject(self, hs: _HandshakeProtocol, reject: Reject) -> None:
        hs.stop()
        self._handshakes.pop(hs, None)
        transport = hs.transport
        if reject.response:
            transport.write(reject.response)
        transport.loseConnection()
        self._setHandshakeError(reject.closeCode, reject.errorString)

    def _forget(self, ws: QWebSocket) -> None:
        self._sockets.pop(ws, None)
        try:
            self._queue.remove(ws)
        except ValueError:
            pass

    def __repr__(self) -> str:
        return (
            f"<QWebSocketServer {self._serverName!r} {self._secureMode.name}"
            f" url={self.serverUrl()!r} queued={len(self._queue)}>"
        )

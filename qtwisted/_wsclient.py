# -*- test-case-name: tests.test_websocket -*-
"""
The client side of a WebSocket: C{QWebSocket.open()}.

Theory of operation
===================

L{ClientHandshake} is sans-I/O, like L{qtwisted._wshandshake}: it builds
the request bytes Qt's C{QWebSocketPrivate::createHandShakeRequest()}
builds, then takes the server's bytes until the response head is complete
and gives Qt's verdict (C{processHandshake()}, with Qt's error texts).
Bytes after the head are the server's first frames, kept in
L{ClientHandshake.leftover}.

L{openClient} checks the URL as Qt's C{open()} does, then a L{Connector}
connects a C{QTcpSocket} (so host lookup, connect timeouts and connect
errors are Qt's), forwards its errors and its end to the C{QWebSocket}
(Qt's C{processStateChanged()}: a socket that ends during the handshake
ends the WebSocket, with C{disconnected}), and once connected takes its
transport, writes the request, and hands the verdict to the
C{QWebSocket}: an Autobahn client protocol opened as on the server side
(L{qtwisted._wsautobahn.openProtocol}), or C{ConnectionRefusedError}.
"""

from __future__ import annotations

import base64
import os
import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Sequence

from twisted.internet.protocol import Protocol, connectionDone
from twisted.python.failure import Failure

from ._enums import SocketError, SocketOption, SocketState
from ._errors import failureToError
from ._ssl import QSslSocket
from ._tcpsocket import QTcpSocket
from ._wsautobahn import ClientProtocol, takeTransport
from ._wshandshake import MAX_HEADER_SIZE, acceptKey
from ._wsrequest import QNetworkRequest, QWebSocketHandshakeOptions

if TYPE_CHECKING:
    from ._websocket import QWebSocket

__all__ = [
    "ClientHandshake",
    "Connector",
    "Upgraded",
    "Refused",
    "isValidSubprotocolName",
    "openClient",
]

_END: Final = b"\r\n\r\n"
# The TLS signals QWebSocket (and QWebSocketServer, in SecureMode) forward.
_SSL_SIGNALS: Final = (
    "peerVerifyError",
    "sslErrors",
    "preSharedKeyAuthenticationRequired",
    "alertSent",
    "alertReceived",
    "handshakeInterruptedOnError",
)
_STATUS: Final = re.compile(rb"HTTP/(\d+)\.(\d+) (\d{3})(?: (.*))?")
# RFC 6455 section 4.1 item 10: a subprotocol is an RFC 7230 token.
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def isValidSubprotocolName(name: str) -> bool:
    """
    Whether C{name} may be offered as a subprotocol (an RFC 7230 token);
    Qt drops any other with a warning.
    """
    return bool(_TOKEN.fullmatch(name))


@dataclass(frozen=True)
class Upgraded:
    """
    The server accepted: the connection speaks WebSocket from here on.

    @ivar subprotocol: the subprotocol the server chose, or C{""}.
    """

    subprotocol: str


@dataclass(frozen=True)
class Refused:
    """
    The handshake failed; Qt reports C{ConnectionRefusedError} with
    L{errorString}.
    """

    errorString: str


class ClientHandshake:
    """
    One client opening handshake.

    @ivar request: the request bytes to send.
    @ivar leftover: once a verdict is given, the bytes after the head.
    """

    def __init__(
        self,
        resourceName: str,
        host: str,
        origin: str,
        subprotocols: Sequence[str],
        headers: Sequence[tuple[bytes, bytes]],
        key: bytes | None = None,
    ) -> None:
        """
        @param resourceName: the request target (path and query).
        @param host: the C{Host} header value (C{host[:port]}).
        @param origin: the C{Origin} header value, or C{""} for none.
        @param subprotocols: the subprotocols to offer, valid names only.
        @param headers: further header fields (from a C{QNetworkRequest}).
        @param key: the 16-byte nonce; random by default (for tests).
        """
        self._key = base64.b64encode(key if key is not None else os.urandom(16)).decode()
        self._subprotocols = tuple(subprotocols)
        lines = [
            f"GET {resourceName} HTTP/1.1",
            f"Host: {host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {self._key}",
        ]
        if origin:
            lines.append(f"Origin: {origin}")
        lines.append("Sec-WebSocket-Version: 13")
        if self._subprotocols:
            lines.append("Sec-WebSocket-Protocol: " + ", ".join(self._subprotocols))
        head = "\r\n".join(lines).encode("latin-1")
        for name, value in headers:
            if name.lower() == b"sec-websocket-protocol":
                continue
            head += b"\r\n" + name + b": " + value
        self.request = head + b"\r\n\r\n"
        self.leftover = b""
        self._buffer = b""
        self._done = False

    def feed(self, data: bytes) -> Upgraded | Refused | None:
        """
        Add bytes from the server.

        @return: once, the verdict; C{None} before it (and after it, when
            further bytes go to L{leftover}).
        """
        if self._done:
            self.leftover += data
            return None
        self._buffer += data
        end = self._buffer.find(_END)
        if end < 0:
            if len(self._buffer) > MAX_HEADER_SIZE:
                self._done = True
                return Refused("Header is too large")
            return None
        self._done = True
        head = self._buffer[: end + len(_END)]
        self.leftover = self._buffer[end + len(_END) :]
        self._buffer = b""
        return self._judge(head)

    def _judge(self, head: bytes) -> Upgraded | Refused:
        lines = head[: -len(_END)].split(b"\r\n")
        status = _STATUS.fullmatch(lines[0])
        if status is None:
            return Refused("Read handshake request status failed")
        fields: dict[bytes, list[bytes]] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                return Refused("Parsing handshake request header failed")
            fields.setdefault(name.lower(), []).append(value.strip())

        def combined(name: bytes) -> str:
            return b", ".join(fields.get(name, [])).decode("latin-1")

        major, minor, code = int(status.group(1)), int(status.group(2)), int(status.group(3))
        reasonPhrase = (status.group(4) or b"").decode("latin-1")
        protocol = combined(b"sec-websocket-protocol")
        if protocol and protocol not in self._subprotocols:
            return Refused(
                f"WebSocket server has chosen protocol {protocol} which has not been requested"
            )
        if code == 101:
            accept = combined(b"sec-websocket-accept")
            upgrade = combined(b"upgrade")
            connection = combined(b"connection")
            if not (
                accept
                and major > 0
                and minor > 0
                and upgrade.lower() == "websocket"
                and connection.lower() == "upgrade"
            ):
                return Refused(
                    "Invalid parameter encountered during protocol upgrade: "
                    f"Accept-key size: {len(accept)}, version: {major}.{minor},"
                    f" upgrade: {upgrade}, connection: {connection}"
                )
            expected = acceptKey(self._key)
            if accept != expected:
                return Refused(
                    f"Accept-Key received from server {accept} does not match"
                    f" the client key {expected}."
                )
            return Upgraded(protocol)
        if code == 400:
            version = combined(b"sec-websocket-version")
            versions = [v for v in version.split(", ") if v]
            if versions and "13" not in versions:
                return Refused(
                    "Handshake: Server requests a version that we don't support: "
                    + ", ".join(versions)
                    + "."
                )
            return Refused(
                "QWebSocketPrivate::processHandshake: Unknown error condition encountered."
                " Aborting connection."
            )
        return Refused(
            "QWebSocketPrivate::processHandshake: Unhandled http status code:"
            f" {code} ({reasonPhrase})."
        )


def openClient(
    ws: QWebSocket, request: QNetworkRequest, options: QWebSocketHandshakeOptions
) -> None:
    """
    Qt's C{QWebSocketPrivate::open()}: check the URL, then connect.
    Errors before connecting are reported on C{ws} as Qt reports them.
    """
    text = request.url()
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or not parts.hostname or "\r" in text or "\n" in text:
        ws._setErrorAndEmit(SocketError.ConnectionRefusedError, "Invalid URL.")
        return
    resource = parts.path or "/"
    if parts.query:
        resource += "?" + parts.query
    if "%0D%0A" in resource.upper():
        ws._setErrorAndEmit(SocketError.ConnectionRefusedError, "Invalid resource name.")
        return
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss"):
        ws._setErrorAndEmit(
            SocketError.UnsupportedSocketOperationError,
            f"Unsupported WebSocket scheme: {parts.scheme}",
        )
        return
    # Offered subprotocols: the options', then a Sec-WebSocket-Protocol
    # header of the request; Qt drops names that are not tokens.
    protocols = [p for p in options.subprotocols() if isValidSubprotocolName(p)]
    for name, value in request._headers:
        if name.lower() != b"sec-websocket-protocol":
            continue
        for token in value.decode("latin-1").split(","):
            token = token.strip()
            if token and token not in protocols and isValidSubprotocolName(token):
                protocols.append(token)
    hostHeader = parts.netloc.rpartition("@")[2]
    handshake = ClientHandshake(resource, hostHeader, ws._origin, protocols, request._headers)
    ws._resourceName = resource
    ws._peerName = parts.hostname
    secure = scheme == "wss"
    connector = ws._connector = Connector(ws, handshake, secure)
    ws._state = SocketState.ConnectingState
    ws.stateChanged.emit(SocketState.ConnectingState)
    if ws._connector is not connector:
        return
    if secure:
        qsocket: Any = connector.qsocket
        qsocket.connectToHostEncrypted(parts.hostname, port if port is not None else 443)
        if ws._ignoreSslErrors is not None:
            qsocket.ignoreSslErrors(ws._ignoreSslErrors or None)
    else:
        connector.qsocket.connectToHost(parts.hostname, port if port is not None else 80)


class Connector:
    """
    One client connection until its handshake is decided.
    """

    def __init__(self, ws: QWebSocket, handshake: ClientHandshake, secure: bool = False) -> None:
        self.ws = ws
        self.handshake = handshake
        self.transport: Any = None
        self.ending = False
        qsocket: QTcpSocket
        if secure:
            sslSocket = QSslSocket(None, ws._reactor)
            sslSocket.setSslConfiguration(ws.sslConfiguration())
            # Qt's QWebSocket passes these through from its QSslSocket.
            for name in _SSL_SIGNALS:
                getattr(sslSocket, name).connect(getattr(ws, name).emit)
            sslSocket.encrypted.connect(self._connected)
            qsocket = sslSocket
        else:
            qsocket = QTcpSocket(None, ws._reactor)
            qsocket.connected.connect(self._connected)
        self.qsocket = qsocket
        qsocket.stateChanged.connect(self._stateChanged)
        qsocket.errorOccurred.connect(self._error)

    def _current(self) -> bool:
        return self.ws._connector is self

    def cancel(self) -> None:
        """
        Drop the connection without a signal (a new C{open()}, or the
        socket's destruction).
        """
        qsocket = self.qsocket
        qsocket.stateChanged.disconnect()
        qsocket.errorOccurred.disconnect()
        qsocket.connected.disconnect()
        if isinstance(qsocket, QSslSocket):
            qsocket.encrypted.disconnect()
            for name in _SSL_SIGNALS:
                getattr(qsocket, name).disconnect()
        qsocket.abort()
        if self.transport is not None:
            self.ending = True
            self.transport.abortConnection()

    def abort(self) -> None:
        """
        C{QWebSocket.abort()} while connecting: the socket ends, with
        Qt's signals.
        """
        if self.transport is None:
            self.qsocket.abort()
            return
        self.ending = True
        self.ws._connector = None
        self.transport.abortConnection()
        self._end()

    def _end(self) -> None:
        ws = self.ws
        ws._transport = None
        ws._peer = ws._local = None
        if ws._state != SocketState.UnconnectedState:
            ws._ended()

    def _stateChanged(self, state: SocketState) -> None:
        # Qt's processStateChanged(): the socket's end ends the WebSocket.
        if state == SocketState.UnconnectedState and self._current() and self.transport is None:
            self.ws._connector = None
            self._end()

    def _error(self, code: SocketError) -> None:
        # Forwarded even after the end (Qt emits the socket's
        # stateChanged(Unconnected) before its errorOccurred); cancel()
        # disconnects it.
        self.ws._setErrorAndEmit(code, self.qsocket.errorString())

    def _connected(self) -> None:
        if not self._current():
            return
        qsocket = self.qsocket
        # Qt sets both on a client's socket.
        qsocket.setSocketOption(SocketOption.LowDelayOption, 1)
        qsocket.setSocketOption(SocketOption.KeepAliveOption, 1)
        if isinstance(qsocket, QSslSocket):
            # Qt's _q_updateSslConfiguration(): what the handshake agreed.
            self.ws._sslConfiguration = qsocket.sslConfiguration()
        receiver = _Receiver(self)
        transport, unread = takeTransport(qsocket, receiver)
        if transport is None:
            self.ws._connector = None
            self._end()
            return
        self.transport = receiver.transport = transport
        self.ws._transport = transport
        transport.write(self.handshake.request)
        if unread:
            receiver.dataReceived(unread)

    def _verdict(self, verdict: Upgraded | Refused) -> None:
        ws = self.ws
        if isinstance(verdict, Refused):
            ws._setErrorAndEmit(SocketError.ConnectionRefusedError, verdict.errorString)
            if self._current() and not self.ending:
                self.ending = True
                self.transport.loseConnection()
            return
        proto = ClientProtocol()
        ws._clientOpened(proto, self.transport, verdict.subprotocol)
        leftover = self.handshake.leftover
        if leftover and ws._proto is proto:
            proto.dataReceived(leftover)

    def _lost(self, reason: Failure) -> None:
        if not self._current():
            return
        self.ws._connector = None
        if not self.ending:
            code, text = failureToError(reason)
            self.ws._setErrorAndEmit(code, text)
        self._end()


class _Receiver(Protocol):
    """
    The client's connection while the server's response is awaited.
    """

    transport: Any

    def __init__(self, connector: Connector) -> None:
        self.connector = connector
        self.decided = False

    def dataReceived(self, data: bytes) -> None:
        if self.decided:
            return
        verdict = self.connector.handshake.feed(data)
        if verdict is not None:
            self.decided = True
            self.connector._verdict(verdict)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.connector._lost(reason)

# -*- test-case-name: tests.test_tcpserver -*-
"""
C{QTcpServer}: Qt's TCP server on the Twisted reactor.

Theory of operation
===================

C{listen()} creates, binds and listens on a socket itself (so that Qt's
dual-stack rules, C{SO_REUSEADDR} and the exact C{errno}-to-error mapping
apply) and hands it to a L{qtwisted._listener.Listener}, whose accept loop
asks L{PendingConnections.mayAccept} before every C{accept()}.  Each accepted
descriptor goes through the overridable L{QTcpServer.incomingConnection},
whose default wraps it in a L{QTcpSocket} and queues it with
L{QTcpServer.addPendingConnection} (emitting C{pendingConnectionAvailable});
then the loop emits C{newConnection} (B12, B28).

Accepting stops while the queue is full, while the user has paused it, and
for a short, growing back-off after a non-temporary C{accept()} failure such
as running out of descriptors (B30: one C{acceptError} per episode, no busy
loop, automatic recovery).

For Twisted users, L{QTcpServer.listenEndpoint} listens on any Twisted
server endpoint instead (C{unix:}, C{systemd:}, C{haproxy:}, ...); those
connections have no raw descriptor to pass to C{incomingConnection}, so they
are wrapped directly and queued with C{addPendingConnection}.
"""

from __future__ import annotations

import socket
from typing import Any

from twisted.internet import endpoints
from twisted.internet.defer import Deferred, succeed
from twisted.internet.error import CannotListenError
from twisted.internet.interfaces import IDelayedCall, IListeningPort, IStreamServerEndpoint
from twisted.internet.protocol import Factory, Protocol
from twisted.logger import Logger
from twisted.python.failure import Failure

from . import _transport
from ._abstractsocket import checkPort
from ._connecting import SocketProtocol
from ._enums import NetworkLayerProtocol, SocketError
from ._errors import Strings, acceptError, bindError
from ._hostaddress import QHostAddress
from ._listener import Listener, takeAccepted
from ._listener import _accepted as _unclaimed
from ._object import QObjectBase
from ._pending import PendingConnections
from ._proxy import QNetworkProxy
from ._signal import Signal
from ._tcpsocket import QTcpSocket
from ._waiting import Waiters

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_log = Logger(namespace="qtwisted.server")

_SpecialAddress = QHostAddress.SpecialAddress

# Back-off after a failed accept() (B30): 50 ms doubling up to 1 s.
_BACKOFF_FIRST = 0.05
_BACKOFF_MAX = 1.0


def toHostAddress(address: object) -> QHostAddress:
    """
    Accept what Qt's C{listen()} accepts: a L{QHostAddress}, a
    C{SpecialAddress}, or (for convenience) an address string.

    @raise TypeError: for anything else.
    @raise ValueError: for a string that is not an IP address.
    """
    if isinstance(address, QHostAddress):
        return address
    if isinstance(address, _SpecialAddress):
        return QHostAddress(address)
    if isinstance(address, str):
        parsed = QHostAddress(address)
        if parsed.isNull():
            raise ValueError(f"not an IP address: {address!r}")
        return parsed
    raise TypeError(
        f"address must be a QHostAddress, SpecialAddress or str,"
        f" not {type(address).__name__} {address!r}"
    )


# Qt's int and qintptr, for the values Qt stores in them.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_INTPTR_MIN, _INTPTR_MAX = -(2**63), 2**63 - 1


def _checkInt(value: object, name: str, low: int = _INT_MIN, high: int = _INT_MAX) -> int:
    """
    Validate an argument that Qt declares as C{int} (or C{qintptr}).

    @raise TypeError: for a non-integer (C{bool} included).
    @raise ValueError: for a number Qt's type cannot hold.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in {low}..{high}, not {value!r}")
    return value


def _bindPlan(address: QHostAddress, port: int) -> tuple[int, bool | None, tuple[Any, ...]]:
    """
    The family, C{IPV6_V6ONLY} setting and socket address with which to
    listen on C{address}:C{port}, following Qt: C{Any} is a dual-stack IPv6
    socket, every other IPv6 address (C{AnyIPv6} included) gets
    C{IPV6_V6ONLY}, as in Qt's C{nativeBind()}, so that a v4-mapped address
    such as C{::ffff:127.0.0.1} cannot be bound (C{EINVAL}).
    """
    if address == _SpecialAddress.Any:
        return socket.AF_INET6, False, ("::", port, 0, 0)
    if address.protocol() == NetworkLayerProtocol.IPv4Protocol:
        return socket.AF_INET, None, (address.toString(), port)
    host = address._toSockaddrHost()
    if "%" in host:
        # A scope id is an interface index or name; resolve it as Qt does
        # (an unknown name becomes scope 0, and the kernel then refuses).
        try:
            info = socket.getaddrinfo(
                host, port, socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST
            )
            return socket.AF_INET6, True, info[0][4]
        except (OSError, UnicodeError):
            host = host.partition("%")[0]
    return socket.AF_INET6, True, (host, port, 0, 0)


def _listeningSocket(address: QHostAddress, port: int, backlog: int) -> socket.socket:
    """
    Create, bind and listen; C{Any} falls back to IPv4 on a host without
    IPv6, as in Qt.

    @raise OSError: what the failing system call raised; nothing is left
        open then.
    """
    family, v6only, sockaddr = _bindPlan(address, port)
    try:
        skt = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        if address != _SpecialAddress.Any:
            raise
        family, v6only, sockaddr = socket.AF_INET, None, ("0.0.0.0", port)
        skt = socket.socket(family, socket.SOCK_STREAM)
    try:
        if v6only is not None:
            skt.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
        # Qt sets SO_REUSEADDR on Unix so that a port in TIME_WAIT can be
        # bound again at once (B35); two listeners still conflict (B34).
        skt.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        skt.bind(sockaddr)
        skt.listen(backlog)
    except BaseException:
        skt.close()
        raise
    return skt


class _EndpointFactory(Factory):
    """
    Builds the protocol of each connection accepted by an endpoint.
    """

    noisy = False

    def __init__(self, server: QTcpServer) -> None:
        self._server = server

    def buildProtocol(self, addr: Any) -> Protocol | None:
        return self._server._endpointConnection()


class QTcpServer(QObjectBase):
    """
    A TCP server; mirrors C{QTcpServer}.

    Call L{listen}, connect to L{newConnection} and take each connection
    with L{nextPendingConnection}.  Qt's blocking L{waitForNewConnection}
    returns a C{Deferred} here.  Differences from Qt are listed in the
    documentation's deviations chapter: L{pauseAccepting} and
    L{resumeAccepting} are no-ops on a server that is not listening (Qt
    crashes), and an exhausted descriptor table is retried automatically.
    """

    newConnection: Signal[()] = Signal()
    """Emitted each time a connection has been accepted (after
    L{pendingConnectionAvailable}, B12)."""
    pendingConnectionAvailable: Signal[()] = Signal()
    """Emitted by L{addPendingConnection} when a connection is queued."""
    acceptError: Signal[SocketError] = Signal()
    """Emitted when accepting failed, e.g. out of descriptors (B30)."""

    def __init__(self, parent: QObjectBase | None = None, reactor: Any = None) -> None:
        """
        @param parent: the owning object, if any.
        @param reactor: the reactor to use; the global one by default.
        """
        super().__init__(parent, reactor)
        self._listener: Listener | None = None
        self._port: IListeningPort | _Reserved | None = None
        self._listenAddress: QHostAddress | None = None
        self._pending: PendingConnections[QTcpSocket] = PendingConnections()
        self._backlog = 50
        self._error = SocketError.UnknownSocketError
        self._errorString = ""
        self._proxy = QNetworkProxy(QNetworkProxy.ProxyType.DefaultProxy)
        self._backoff = _BACKOFF_FIRST
        self._backoffCall: IDelayedCall | None = None
        self._inResourceEpisode = False
        self._waiters = Waiters(self._reactor)

    # -- listening -------------------------------------------------------

    def listen(
        self,
        address: QHostAddress | QHostAddress.SpecialAddress | str = _SpecialAddress.Any,
        port: int = 0,
    ) -> bool:
        """
        Listen on C{address}:C{port}; mirrors C{QTcpServer::listen}.

        C{Any} (the default) listens on every IPv4 and IPv6 interface; port
        0 lets the OS choose (see L{serverPort}).

        @return: C{True} on success.  On failure C{False}, with L{serverError}
            and L{errorString} set as Qt sets them (B4-B6); nothing is left
            listening and no signal is emitted (B7).
        @raise TypeError: for an address or port of the wrong type.
        @raise ValueError: for a port outside 0..65535 or an unparsable
            address string.
        """
        if self.isListening():
            _log.warn("QTcpServer::listen() called when already listening")
            return False
        hostAddress = toHostAddress(address)
        checkPort(port)
        # Qt's resolveProxy(): a loopback address never goes through a proxy.
        if not self._proxy.isUsable() and not hostAddress.isLoopback():
            self._setError(
                SocketError.UnsupportedSocketOperationError,
                "Operation on socket is not supported",
            )
            return False
        if hostAddress.isNull():
            # Observed in Qt 6.12: listen(QHostAddress()) fails like this.
            self._setError(
                SocketError.UnsupportedSocketOperationError, Strings.OperationUnsupported
            )
            return False
        try:
            skt = _listeningSocket(hostAddress, port, self._backlog)
        except OSError as e:
            self._setError(*bindError(e))
            return False
        self._listenAddress = hostAddress
        if hostAddress == _SpecialAddress.Any and skt.family == socket.AF_INET:
            # No IPv6 here: Qt fell back to, and reports, AnyIPv4.
            self._listenAddress = QHostAddress(_SpecialAddress.AnyIPv4)
        self._startListener(skt)
        return True

    def _startListener(self, skt: socket.socket) -> None:
        def lost() -> None:
            # The reactor dropped the socket (it stopped): not listening.
            if self._listener is listener:
                self.close()

        listener = self._listener = Listener(
            skt,
            self._reactor,
            self._accepted,
            self._acceptFailed,
            self._pending.mayAccept,
            lost,
        )
        self._pending.userPaused = False
        self._updateAccepting()

    def listenEndpoint(self, endpoint: str | IStreamServerEndpoint) -> Deferred[bool]:
        """
        Listen on a Twisted server endpoint; not in Qt.

        C{endpoint} is an endpoint description (C{"tcp:8080"},
        C{"tcp6:8080:interface=\\:\\:1"}, C{"unix:/run/app.sock"},
        C{"systemd:domain=INET:index=0"}, C{"haproxy:tcp:8080"}) or an
        endpoint object.  Connections are queued as with L{listen}, but
        L{incomingConnection} is not called (there is no raw descriptor to
        pass), and the pending limit is applied between Twisted's accept
        batches rather than before each C{accept()}.

        @return: a Deferred firing C{True} once listening, or C{False} with
            L{serverError} and L{errorString} set.
        @raise ValueError: for a description Twisted cannot parse.
        """
        if self.isListening():
            _log.warn("QTcpServer::listen() called when already listening")
            return succeed(False)
        if isinstance(endpoint, str):
            try:
                endpoint = endpoints.serverFromString(self._reactor, endpoint)
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError(f"invalid endpoint description {endpoint!r}: {e}") from None
        elif not IStreamServerEndpoint.providedBy(endpoint):
            raise TypeError(f"endpoint must be a str or IStreamServerEndpoint, not {endpoint!r}")
        # Reserve: a second call, or isListening(), now sees "listening".  A
        # close() before the endpoint answers drops the reservation, and the
        # port it then delivers is stopped at once.
        reservation = self._port = _Reserved()
        self._listenAddress = None
        self._pending.userPaused = False
        server: IStreamServerEndpoint = endpoint  # type: ignore[assignment]

        def listening(port: IListeningPort) -> bool:
            if self._port is not reservation:
                port.stopListening()
                return False
            self._port = port
            # Report bytesWritten on these connections too (see _transport).
            reporting = _transport.ENDPOINT_TRANSPORTS.get(getattr(port, "transport", None))
            if reporting is not None:
                port.transport = reporting  # type: ignore[attr-defined]
            self._updateAccepting()
            return True

        def failed(f: Failure) -> bool:
            if self._port is reservation:
                self._port = None
            self._setError(*_endpointError(f.value))
            return False

        d: Deferred[bool] = server.listen(_EndpointFactory(self)).addCallbacks(
            listening, failed
        )
        return d

    def _endpointConnection(self) -> Protocol:
        qsocket = self._createSocket()
        protocol = SocketProtocol(qsocket)
        original = protocol.connectionMade

        def made() -> None:
            original()
            self._endpointConnected(qsocket)
            self.newConnection.emit()
            self._updateAccepting()

        protocol.connectionMade = made  # type: ignore[method-assign]
        return protocol

    def _endpointConnected(self, qsocket: QTcpSocket) -> None:
        """
        A connection accepted by an endpoint is up: queue it (what
        L{incomingConnection} does for the accept loop's connections).
        L{QSslServer<qtwisted.QSslServer>} starts its handshake instead.
        """
        self.addPendingConnection(qsocket)

    def _createSocket(self) -> QTcpSocket:
        """
        The socket object for a new connection; C{QSslServer} overrides it.
        """
        return QTcpSocket(self, self._reactor)

    def isListening(self) -> bool:
        """
        Whether the server is listening; mirrors C{QTcpServer::isListening}.
        """
        return self._listener is not None or self._port is not None

    def close(self) -> None:
        """
        Stop listening; mirrors C{QTcpServer::close}.

        Connections still queued are closed and deleted (their peers read
        EOF, B20); connections already taken are not touched.  Emits
        nothing; the error state is kept (B21).  The server may listen again.
        A pending L{waitForNewConnection} fires C{(False, False)}.
        """
        for qsocket in self._pending.drain():
            # Qt deletes them, and its abort() merely closes the descriptor,
            # so their peers read EOF (B20).
            qsocket._destroy()
        self._cancelBackoff()
        self._inResourceEpisode = False
        self._backoff = _BACKOFF_FIRST
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        port, self._port = self._port, None
        if port is not None and not isinstance(port, _Reserved):
            port.stopListening()
        self._listenAddress = None
        self._waiters.end()

    def _destroyed(self) -> None:
        self.close()

    def serverPort(self) -> int:
        """
        The port listened on, or 0; mirrors C{QTcpServer::serverPort}.
        """
        host = self._boundHost()
        if host is None:
            return 0
        return getattr(host, "port", 0)

    def serverAddress(self) -> QHostAddress:
        """
        The address listened on, or a Null address; mirrors
        C{QTcpServer::serverAddress}.  After C{listen(Any)} it is
        C{QHostAddress(Any)}, as in Qt (B2).
        """
        if self._listenAddress is not None and self._listenAddress in (
            _SpecialAddress.Any,
            _SpecialAddress.AnyIPv4,
            _SpecialAddress.AnyIPv6,
        ):
            return QHostAddress(self._listenAddress)
        host = self._boundHost()
        if host is None or not hasattr(host, "host"):
            return QHostAddress()
        text = host.host
        if getattr(host, "scopeID", None) and "%" not in text:
            text = f"{text}%{host.scopeID}"
        return QHostAddress._fromSockaddr(text)

    def _boundHost(self) -> Any:
        if self._listener is not None and self._listener.socket is not None:
            name = self._listener.socket.getsockname()
            return _SockName(name)
        if self._port is not None and not isinstance(self._port, _Reserved):
            return self._port.getHost()
        return None

    def socketDescriptor(self) -> int:
        """
        The listening descriptor, or -1; mirrors C{QTcpServer::socketDescriptor}.
        """
        if self._listener is not None:
            return self._listener.fileno()
        if self._port is not None and not isinstance(self._port, _Reserved):
            fileno = getattr(self._port, "fileno", None)
            return fileno() if fileno is not None else -1
        return -1

    def setSocketDescriptor(self, socketDescriptor: int) -> bool:
        """
        Listen on an already listening native socket (handed over by a
        parent process or a service manager); mirrors
        C{QTcpServer::setSocketDescriptor}.  The server owns it from then on.

        @return: C{True} on success; C{False} with
            C{UnsupportedSocketOperationError} and C{"Invalid socket
            descriptor"} for a descriptor that is not a listening TCP socket
            (B23; Qt also accepts pipes and non-listening sockets), or when
            already listening (B25).
        @raise TypeError: if C{socketDescriptor} is not an int.
        @raise ValueError: if it does not fit Qt's C{qintptr}.
        """
        _checkInt(socketDescriptor, "socketDescriptor", _INTPTR_MIN, _INTPTR_MAX)
        if self.isListening():
            _log.warn("QTcpServer::setSocketDescriptor() called when already listening")
            return False
        try:
            skt = socket.socket(fileno=socketDescriptor)
        except (OSError, ValueError, OverflowError):
            self._setError(SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket)
            return False
        try:
            usable = (
                skt.family in (socket.AF_INET, socket.AF_INET6)
                and skt.type == socket.SOCK_STREAM
                and skt.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
            )
        except OSError:
            usable = False
        if not usable:
            skt.detach()  # not ours to close
            self._setError(SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket)
            return False
        self._listenAddress = None
        self._startListener(skt)
        return True

    # -- accepting -------------------------------------------------------

    def _updateAccepting(self) -> None:
        mayAccept = self._pending.mayAccept()
        if self._listener is not None:
            if mayAccept:
                self._listener.startReading()
            else:
                self._listener.stopReading()
        elif self._port is not None and not isinstance(self._port, _Reserved):
            method = "startReading" if mayAccept else "stopReading"
            getattr(self._port, method, lambda: None)()

    def _accepted(self, skt: socket.socket, addr: tuple[Any, ...]) -> None:
        if self._inResourceEpisode:
            self._inResourceEpisode = False
            self._backoff = _BACKOFF_FIRST
        fd = skt.fileno()
        _unclaimed[fd] = (skt, addr)
        try:
            self.incomingConnection(fd)
        except Exception:
            _log.failure("incomingConnection() raised; closing the connection")
            left = takeAccepted(fd)
            if left is not None:
                left[0].close()
        else:
            left = takeAccepted(fd)
            if left is not None:
                # The override kept the descriptor without adopting it: as in
                # Qt, it is the override's to use and close now.
                left[0].detach()
        self.newConnection.emit()

    def _acceptFailed(self, exc: OSError) -> None:
        code, text = acceptError(exc)
        self._setError(code, text)
        self._pending.backingOff = True
        self._updateAccepting()
        if self._backoffCall is None:
            self._backoffCall = self._reactor.callLater(self._backoff, self._retryAccept)
            self._backoff = min(self._backoff * 2, _BACKOFF_MAX)
        if not self._inResourceEpisode:
            self._inResourceEpisode = True
            _log.warn(
                "accept() failed ({error}); retrying with back-off", error=exc
            )
            self.acceptError.emit(code)

    def _retryAccept(self) -> None:
        self._backoffCall = None
        self._pending.backingOff = False
        self._updateAccepting()
        listener = self._listener
        if listener is None or not self._pending.mayAccept():
            return
        # Try at once rather than on the next readiness report: if nothing
        # fails (the client gave up, or accept() worked), the episode is over
        # and the next failure is reported again, with a fresh back-off.
        listener.doRead()
        if self._backoffCall is None and self._listener is listener:
            self._inResourceEpisode = False
            self._backoff = _BACKOFF_FIRST

    def _cancelBackoff(self) -> None:
        call, self._backoffCall = self._backoffCall, None
        if call is not None and call.active():
            call.cancel()
        self._pending.backingOff = False

    def incomingConnection(self, socketDescriptor: int) -> None:
        """
        Called with the descriptor of each accepted connection; mirrors the
        protected virtual C{QTcpServer::incomingConnection}.

        The default wraps it in a L{QTcpSocket} owned by the server and
        queues it with L{addPendingConnection}.  An override may create
        another socket class, call its C{setSocketDescriptor}, and queue it;
        C{newConnection} is emitted after this returns either way (B28).
        """
        qsocket = self._createSocket()
        if qsocket.setSocketDescriptor(socketDescriptor):
            self.addPendingConnection(qsocket)

    def addPendingConnection(self, socket: QTcpSocket) -> None:
        """
        Queue C{socket} and emit L{pendingConnectionAvailable}; mirrors the
        protected C{QTcpServer::addPendingConnection}.  Works on a server
        that is not listening (B29).
        """
        self._pending.append(socket)
        self.pendingConnectionAvailable.emit()

    def hasPendingConnections(self) -> bool:
        """
        Whether a connection is waiting; mirrors C{hasPendingConnections}.
        """
        return bool(self._pending)

    def nextPendingConnection(self) -> QTcpSocket | None:
        """
        Take the oldest queued connection, or C{None}; mirrors
        C{QTcpServer::nextPendingConnection}.

        Taking a connection re-enables accepting if it was stopped, by a
        full queue or by L{pauseAccepting} (B19).  The socket stays owned by
        the server (C{parent()}) until it disconnects.
        """
        qsocket = self._pending.popleft()
        if qsocket is None:
            return None
        if not self.isListening():
            _log.warn("QTcpServer::nextPendingConnection() called while not listening")
        else:
            self._pending.userPaused = False
            if self._backoffCall is not None:
                self._cancelBackoff()
            self._updateAccepting()
        return qsocket

    def setMaxPendingConnections(self, numConnections: int) -> None:
        """
        Set how many accepted connections may wait in the queue (default
        30); mirrors C{QTcpServer::setMaxPendingConnections}.

        Any int is stored as given (B15); with 0 or less nothing is accepted
        (B16).  While the queue is full, accepting stops and the kernel keeps
        further clients in its backlog.

        @raise TypeError: if C{numConnections} is not an int.
        @raise ValueError: if it does not fit Qt's C{int}.
        """
        _checkInt(numConnections, "numConnections")
        self._pending.maxPending = numConnections
        if self.isListening():
            self._updateAccepting()

    def maxPendingConnections(self) -> int:
        """
        The pending-connection limit; mirrors C{maxPendingConnections}.
        """
        return self._pending.maxPending

    def setListenBacklogSize(self, size: int) -> None:
        """
        Set the C{listen()} backlog used by the next L{listen} (default 50);
        mirrors C{QTcpServer::setListenBacklogSize}.

        @raise TypeError: if C{size} is not an int.
        @raise ValueError: if it does not fit Qt's C{int}.
        """
        _checkInt(size, "size")
        self._backlog = size

    def listenBacklogSize(self) -> int:
        """
        The C{listen()} backlog; mirrors C{QTcpServer::listenBacklogSize}.
        """
        return self._backlog

    def pauseAccepting(self) -> None:
        """
        Stop accepting new connections; queued ones stay queued.  Mirrors
        C{QTcpServer::pauseAccepting}; a no-op when not listening (Qt
        crashes there, B18).
        """
        if not self.isListening():
            return
        self._pending.userPaused = True
        self._updateAccepting()

    def resumeAccepting(self) -> None:
        """
        Accept again after L{pauseAccepting}, or retry at once after an
        accept failure.  A no-op when not listening (Qt crashes there, B18).
        """
        if not self.isListening():
            return
        self._pending.userPaused = False
        self._cancelBackoff()
        self._updateAccepting()

    # -- errors, proxy ---------------------------------------------------

    def _setError(self, code: SocketError, text: str) -> None:
        self._error = code
        self._errorString = text

    def serverError(self) -> SocketError:
        """
        The last error; mirrors C{QTcpServer::serverError}.  Never reset (B8).
        """
        return self._error

    def errorString(self) -> str:
        """
        The last error's description in Qt's words, or C{""}.
        """
        return self._errorString

    def proxy(self) -> QNetworkProxy:
        """
        The proxy for the next L{listen}; mirrors C{QTcpServer::proxy}.
        """
        return self._proxy

    def setProxy(self, networkProxy: QNetworkProxy) -> None:
        """
        Set the proxy for the next L{listen}.  Only C{NoProxy} and
        C{DefaultProxy} can listen; any other type makes L{listen} fail with
        C{UnsupportedSocketOperationError}.
        """
        if not isinstance(networkProxy, QNetworkProxy):
            raise TypeError(f"networkProxy must be a QNetworkProxy, not {networkProxy!r}")
        self._proxy = networkProxy

    # -- waiting ---------------------------------------------------------

    def waitForNewConnection(self, msec: int = 0) -> Deferred[tuple[bool, bool]]:
        """
        Wait for a connection; Qt blocks, this returns a C{Deferred}.

        Connections already in the kernel's backlog are accepted at once, so
        C{msec=0} polls, as in Qt.  A connection already queued counts as
        available too: the reactor may have accepted it before this call
        (in Qt, which blocks, nothing is accepted until the wait).  Otherwise
        the Deferred fires on the next L{newConnection}, or after C{msec}
        milliseconds (-1, or any negative value: no limit).  Cancelling it
        stops the wait.

        @return: a Deferred firing with C{(result, timedOut)}: C{(True,
            False)} when a connection arrived; C{(False, True)} on timeout,
            with C{SocketTimeoutError} set (B26); C{(False, False)} at once
            when not listening (B27; Qt reports C{timedOut} True there), or
            when L{close} is called during the wait.
        @raise TypeError: if C{msec} is not an int.
        @raise ValueError: if C{msec} does not fit Qt's C{int}.
        """
        _checkInt(msec, "msec")
        if not self.isListening():
            return succeed((False, False))
        arrived: list[bool] = []

        def spot() -> None:
            arrived.append(True)

        self.newConnection.connect(spot)
        try:
            if self._listener is not None and self._pending.mayAccept():
                self._listener.doRead()
        finally:
            self.newConnection.disconnect(spot)
        if arrived or self._pending:
            return succeed((True, False))
        if msec == 0:
            return succeed(self._timedOut())

        timedOut = False

        def expired() -> None:
            nonlocal timedOut
            timedOut = True
            self._timedOut()

        # close() ends the wait with (False, False).
        d = self._waiters.waitFor(msec, self.newConnection, expired)
        return d.addCallback(lambda result: (result, timedOut))

    def _timedOut(self) -> tuple[bool, bool]:
        self._setError(SocketError.SocketTimeoutError, Strings.TimeOut)
        return (False, True)


def _endpointError(exc: BaseException | None) -> tuple[SocketError, str]:
    """
    Qt's error for an endpoint that could not listen.
    """
    if isinstance(exc, CannotListenError):
        if isinstance(exc.socketError, OSError):
            return bindError(exc.socketError)
        if exc.socketError == "Cannot acquire lock":
            # Twisted's unix: endpoint: another live process (or server)
            # holds the socket path's lock file, i.e. is listening there.
            return (SocketError.AddressInUseError, Strings.AddressInUse)
    if isinstance(exc, OSError):
        return bindError(exc)
    return (SocketError.UnknownSocketError, str(exc) or Strings.Unknown)


class _SockName:
    """
    A C{getsockname()} result with the attributes of a Twisted address.
    """

    __slots__ = ("host", "port", "scopeID")

    def __init__(self, name: tuple[Any, ...]) -> None:
        self.host: str = name[0]
        self.port: int = name[1]
        self.scopeID: int = name[3] if len(name) > 3 else 0


class _Reserved:
    """
    Stands in for the port while an endpoint's listen() is in progress.
    """

# -*- test-case-name: tests.test_tcpsocket -*-
"""
How a L{qtwisted.QAbstractSocket} gets its Twisted connection.

Theory of operation
===================

Twisted drives a small L{SocketProtocol} that forwards a connection's
events into the socket, whether the socket made the connection
(C{connectToHost}) or adopted it (C{setSocketDescriptor}, and so every
socket a server accepts).  The protocol object is separate because
Twisted's C{IProtocol} attributes (C{connected}, C{transport},
C{makeConnection}) clash with Qt names (the C{connected} signal).  On the
hot path the protocol's C{dataReceived} I{is} the socket's bound
C{_dataReceived} method, so a chunk of bytes crosses no extra Python frame
between the reactor and the read buffer.

L{connectSocket} is C{connectToHost()} once the socket has checked its
arguments: it refuses as Qt does (a socket already busy, an unsupported
proxy) or opens the device and starts a L{ConnectAttempt}: the host
lookup (skipped for a literal address), then each address in turn, each
with Qt's C{QT_CONNECT_TIMEOUT} of 30 seconds timed on the socket's
reactor, as Qt's C{_q_connectToNextAddress} and
C{_q_abortConnectionAttempt} do.  The attempt moves the socket through
C{HostLookupState} and C{ConnectingState} and, on failure, back to
C{UnconnectedState} with Qt's signal order; the socket itself takes over
when the connection is made.  L{adoptDescriptor} is
C{setSocketDescriptor()}: it wraps a connected descriptor in a Twisted
transport, with the peer address the server's listener already knows.

The socket holds the attempt in progress as C{_connecting} and drops it
when the attempt connects, fails or is cancelled (C{abort()}, a
C{waitForConnected()} timeout, a new descriptor).  Each address gets its
own L{_ConnectFactory}; the lookup result, the factories and the timers of
an attempt that is no longer the socket's, or of an address the attempt
has given up, are ignored.  That matters because Twisted reports some
failures synchronously: C{stopConnecting()} calls
C{clientConnectionFailed} before it returns.
"""

from __future__ import annotations

import itertools
import socket
from typing import TYPE_CHECKING, Any

from twisted.internet.interfaces import IDelayedCall
from twisted.internet.protocol import ClientFactory, Protocol, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

from . import _transport
from ._enums import NetworkLayerProtocol, OpenModeFlag, SocketError, SocketState
from ._errors import Strings, failureToError
from ._hostaddress import QHostAddress
from ._listener import takeAccepted
from ._proxy import QNetworkProxy
from ._resolve import resolve

if TYPE_CHECKING:
    from ._abstractsocket import QAbstractSocket

__all__ = ["SocketProtocol", "ConnectAttempt", "connectSocket", "adoptDescriptor"]

_log = Logger(namespace="qtwisted.socket")

# Qt's QT_CONNECT_TIMEOUT: how long one address may take to connect.
CONNECT_TIMEOUT = 30.0

# Twisted's session numbers (a transport's sessionno) for adopted sockets.
_sessions = itertools.count(1)

_BUSY = (
    SocketState.ConnectedState,
    SocketState.ConnectingState,
    SocketState.ClosingState,
    SocketState.HostLookupState,
)


def connectSocket(
    qsocket: QAbstractSocket,
    host: str,
    port: int,
    openMode: OpenModeFlag | int,
    protocol: NetworkLayerProtocol,
) -> None:
    """
    L{QAbstractSocket.connectToHost<qtwisted.QAbstractSocket.connectToHost>}
    once its arguments are checked: refuse as Qt does, or open the device
    and start a L{ConnectAttempt}.
    """
    if qsocket._state in _BUSY:
        _log.warn(
            "QAbstractSocket::connectToHost() called when already looking up"
            ' or connecting/connected to "{host}"',
            host=qsocket._peerName,
        )
        qsocket._setErrorAndEmit(
            SocketError.OperationError,
            "Trying to connect while connection is in progress",
        )
        return
    if qsocket._proxy.type() not in (
        QNetworkProxy.ProxyType.NoProxy,
        QNetworkProxy.ProxyType.DefaultProxy,
    ):
        qsocket._setErrorAndEmit(
            SocketError.UnsupportedSocketOperationError, Strings.InvalidProxyType
        )
        return
    qsocket._rbuf.clear()
    qsocket._preConnectWrites = []
    qsocket._pendingClose = False
    qsocket._peerName = host
    # QIODevice::open(): the device is open from here on, even if the
    # connection fails, and the previous error is forgotten.
    qsocket._openMode = OpenModeFlag(openMode)
    qsocket._setError(SocketError.UnknownSocketError, "")
    attempt = qsocket._connecting = ConnectAttempt(qsocket, port)
    qsocket._setState(SocketState.HostLookupState)
    if qsocket.state() != SocketState.HostLookupState:
        return  # a slot changed course
    attempt.lookUp(host, protocol)


def adoptDescriptor(
    qsocket: QAbstractSocket,
    socketDescriptor: int,
    state: SocketState,
    openMode: OpenModeFlag | int,
) -> bool:
    """
    L{QAbstractSocket.setSocketDescriptor<qtwisted.QAbstractSocket.setSocketDescriptor>}
    once its arguments are checked: drop the socket's connection without a
    signal, then give it a Twisted transport on the descriptor (a socket
    the server's listener accepted keeps the peer address it already knows).

    @return: C{False}, with the error set, if the descriptor is not a
        connected stream socket.
    """
    qsocket._resetSocketLayer()
    taken = takeAccepted(socketDescriptor)
    if taken is not None:
        skt, peer = taken
    else:
        try:
            skt = socket.socket(fileno=socketDescriptor)
        except (OSError, ValueError):
            qsocket._setError(
                SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket
            )
            return False
        try:
            if skt.type != socket.SOCK_STREAM:
                raise OSError("not a stream socket")
            peer = skt.getpeername()
        except OSError:
            skt.detach()  # not ours to close
            qsocket._setError(
                SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket
            )
            return False
    if type(openMode) is not OpenModeFlag:  # the enum call costs ~1 us per connection
        openMode = OpenModeFlag(openMode)
    qsocket._openMode = openMode
    qsocket._rbuf.clear()
    qsocket._preConnectWrites = []
    protocol = SocketProtocol(qsocket)
    name = skt.getsockname()
    transport = _transport.ServerTransport.adopt(
        skt,
        peer,
        protocol,
        name[1] if isinstance(name, tuple) else 0,
        next(_sessions),
        qsocket._reactor,
    )
    previous = qsocket._state
    # Not a connection attempt finishing: no connected signal from
    # _connectionMade, whatever the state was.
    qsocket._state = SocketState.UnconnectedState
    protocol.makeConnection(transport)  # type: ignore[no-untyped-call]
    qsocket._state = state
    if state != previous:
        qsocket.stateChanged.emit(state)
    return True


class SocketProtocol(Protocol):
    """
    Forwards Twisted's protocol events into a L{qtwisted.QAbstractSocket}.
    """

    def __init__(self, qsocket: QAbstractSocket) -> None:
        self._qsocket: QAbstractSocket | None = qsocket
        # Hot path: Twisted calls protocol.dataReceived(data); make that the
        # socket's own method (see the module docstring).
        self.dataReceived = qsocket._dataReceived  # type: ignore[method-assign]

    def connectionMade(self) -> None:
        if self._qsocket is not None:
            self._qsocket._connectionMade(self)

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        qsocket = self._qsocket
        if qsocket is not None:
            self.detach()
            qsocket._connectionLost(reason)

    def detach(self) -> None:
        """
        Stop forwarding: the socket is done with this connection.
        """
        self._qsocket = None
        self.dataReceived = _discard  # type: ignore[method-assign]


def _discard(data: bytes) -> None:
    pass


class _ConnectFactory(ClientFactory):
    """
    Connects one address of a L{ConnectAttempt} to its socket, while the
    attempt still wants that address.
    """

    noisy = False

    def __init__(self, attempt: ConnectAttempt) -> None:
        self._attempt = attempt

    def buildProtocol(self, addr: Any) -> Protocol | None:
        attempt = self._attempt
        if not attempt._isCurrent(self):
            return None
        return SocketProtocol(attempt._qsocket)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        if self._attempt._isCurrent(self):
            self._attempt._failed(reason)


class ConnectAttempt:
    """
    One C{connectToHost()}: the host lookup, then the addresses in turn,
    each with C{QT_CONNECT_TIMEOUT}.  See the module docstring.
    """

    def __init__(self, qsocket: QAbstractSocket, port: int) -> None:
        """
        @param qsocket: the socket to connect; it must hold this attempt as
            its C{_connecting}, in C{HostLookupState}, before L{lookUp}.
        @param port: the port to connect to, on every address.
        """
        self._qsocket = qsocket
        self._port = port
        self._addresses: list[str] = []
        self._factory: _ConnectFactory | None = None
        self._connector: _transport.Connector | None = None
        self._timer: IDelayedCall | None = None

    def lookUp(self, host: str, protocol: NetworkLayerProtocol) -> None:
        """
        Find the addresses of C{host} (a literal address needs no lookup),
        then connect to them.
        """
        if not host:
            self._lookupFailed()
            return
        literal = QHostAddress(host.strip("[]"))
        if not literal.isNull():
            self._startConnecting([literal._toSockaddrHost()])
            return
        resolve(self._qsocket._reactor, host, self._port, protocol).addCallbacks(
            self._resolved, lambda f: self._resolved([])
        )

    def succeeded(self) -> None:
        """
        The current address has connected: the socket has taken over.
        """
        self._connector = None
        self._stopTimer()

    def cancel(self) -> None:
        """
        Give up without a signal: the socket no longer wants a connection.
        """
        self._factory = None
        self._addresses = []
        self._stopTimer()
        connector, self._connector = self._connector, None
        if connector is not None:
            connector.stopConnecting()

    def _isCurrent(self, factory: _ConnectFactory) -> bool:
        return self._factory is factory and self._qsocket._connecting is self

    def _resolved(self, addresses: list[str]) -> None:
        qsocket = self._qsocket
        if qsocket._connecting is not self or qsocket._state != SocketState.HostLookupState:
            return
        if not addresses:
            self._lookupFailed()
            return
        self._startConnecting(addresses)

    def _lookupFailed(self) -> None:
        qsocket = self._qsocket
        qsocket._connecting = None
        qsocket._setState(SocketState.UnconnectedState)
        qsocket._setErrorAndEmit(SocketError.HostNotFoundError, Strings.HostNotFound)
        qsocket._ended()

    def _startConnecting(self, addresses: list[str]) -> None:
        qsocket = self._qsocket
        self._addresses = list(addresses)
        # Qt's order: stateChanged(Connecting), then hostFound.
        qsocket._setState(SocketState.ConnectingState)
        qsocket.hostFound.emit()
        if (
            qsocket._state == SocketState.ConnectingState
            and qsocket._connecting is self
            and self._connector is None
        ):
            self._connectNext()

    def _connectNext(self) -> None:
        # One factory per address: the connector of an abandoned address
        # (timed out, cancelled) can no longer reach the socket.
        reactor = self._qsocket._reactor
        host = self._addresses.pop(0)
        factory = self._factory = _ConnectFactory(self)
        self._timer = reactor.callLater(CONNECT_TIMEOUT, self._timedOut, factory)
        connector = self._connector = _transport.Connector(
            host,
            self._port,
            factory,
            None,  # type: ignore[arg-type]  # Twisted accepts None: no timeout
            None,
            reactor,
        )
        connector.connect()

    def _stopTimer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()

    def _timedOut(self, factory: _ConnectFactory) -> None:
        """
        Qt's C{_q_abortConnectionAttempt}: the address did not answer within
        C{QT_CONNECT_TIMEOUT}; try the next one, or give up.
        """
        self._timer = None
        qsocket = self._qsocket
        if not self._isCurrent(factory) or qsocket._state != SocketState.ConnectingState:
            return
        self._factory = None
        connector, self._connector = self._connector, None
        if connector is not None:
            connector.stopConnecting()
        if self._addresses:
            self._connectNext()
            return
        qsocket._connecting = None
        qsocket._preConnectWrites = []
        qsocket._pendingClose = False
        qsocket._state = SocketState.UnconnectedState
        qsocket._setError(SocketError.SocketTimeoutError, Strings.ConnectionTimeOut)
        qsocket.stateChanged.emit(SocketState.UnconnectedState)
        qsocket.errorOccurred.emit(SocketError.SocketTimeoutError)
        qsocket._ended()

    def _failed(self, reason: Failure) -> None:
        qsocket = self._qsocket
        self._connector = None
        self._stopTimer()
        if qsocket._state != SocketState.ConnectingState:
            return
        if self._addresses:
            self._connectNext()
            return
        code, text = failureToError(reason, connecting=True)
        qsocket._connecting = None
        qsocket._preConnectWrites = []
        qsocket._pendingClose = False
        # Qt's order: stateChanged(Unconnected) before errorOccurred.
        qsocket._setState(SocketState.UnconnectedState)
        qsocket._setErrorAndEmit(code, text)
        qsocket._ended()

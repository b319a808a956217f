# -*- test-case-name: tests.test_sslserver -*-
"""
C{QSslServer}: a L{QTcpServer <qtwisted.QTcpServer>} whose connections
complete a TLS handshake before they are queued (Qt >= 6.4).

Theory of operation
===================

Accepting is L{QTcpServer <qtwisted.QTcpServer>}'s own loop.  For each
accepted descriptor L{QSslServer.incomingConnection} (Qt's override)
creates a L{QSslSocket} owned by the server with a copy of the server's
configuration, adopts the descriptor and starts a L{_Handshake}: the
per-connection record of Qt's C{QSslServerPrivate::SocketData}.  The
connection is I{not} queued; the accept loop then emits C{newConnection}
(B37), and the record counts as pending for C{maxPendingConnections}
(B49: L{PendingConnections.inProgress
<qtwisted._pending.PendingConnections>}).

The record then does what Qt's server does, in Qt's order (QT_BEHAVIORS.md
section 1.2):

  1. The first bytes received are looked at before anything else (the
     socket hands them to L{_Handshake.firstData} instead of its read
     buffer).  A first byte other than 0x16 (a TLS handshake record) drops
     the connection silently (B40).  Otherwise the timer is restarted
     I{once}, the socket starts its server handshake with those bytes, and
     C{startedEncryptionHandshake(socket)} is emitted after that call
     returns, so an error the first bytes cause synchronously comes first.
  2. While the handshake runs, the socket's C{peerVerifyError},
     C{sslErrors}, C{errorOccurred}, C{preSharedKeyAuthenticationRequired},
     C{alertSent}, C{alertReceived} and C{handshakeInterruptedOnError} are
     re-emitted by the server with the socket first (B55).  The socket
     calls its link (this record) before it emits its own signal, which is
     the order Qt's connections give, without eight connections per
     socket.
  3. C{errorOccurred} before encryption: relayed, then the socket is
     deleted on the next reactor turn (B42, B43, B47, B48).  Signals it
     emits meanwhile (the close_notify alert after a rejected
     certificate) are still relayed, as in Qt.
  4. C{encrypted}: the link is cut (later errors are the application's
     business, B52) and the socket is queued with
     C{addPendingConnection}, which emits C{pendingConnectionAvailable}
     (B38).
  5. The timer (C{handshakeTimeout()} ms as it was when the connection was
     accepted, B50; on the server's injected reactor, not the OS's or
     Twisted's TLS code's) expires: the link is cut,
     C{errorOccurred(socket, SocketTimeoutError)} is emitted, and the
     socket is disconnected and deleted (B41).  Qt disconnects before it
     emits; we emit first so that the slot still sees the peer's address
     and port (Qt's own test checks C{peerPort()} there).

Whenever a record ends, the in-handshake count drops and accepting resumes
if the limit allowed it.  C{close()} deletes only queued sockets: a
handshake in progress may still complete and be queued (B53).
"""

from __future__ import annotations

from typing import Any

from twisted.internet.interfaces import IDelayedCall

from .._enums import SocketError
from .._object import QObjectBase
from .._signal import Signal
from .._tcpserver import QTcpServer, _checkInt
from .._tcpsocket import QTcpSocket
from ._configuration import QSslConfiguration
from ._context import contextFor
from ._error import QSslError
from ._presharedkey import QSslPreSharedKeyAuthenticator
from ._qssl import QSsl
from ._session import settingsOnly
from ._socket import QSslSocket

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

#: Qt's default handshake timeout, in milliseconds (B36).
DEFAULT_HANDSHAKE_TIMEOUT = 5000

# A TLS record of type "handshake" (RFC 8446 section 5.1): a ClientHello.
_HANDSHAKE_RECORD = 0x16


class _Handshake:
    """
    One connection in its handshake: its timer and the relay of its
    signals to the server (Qt's C{QSslServerPrivate::SocketData}).
    """

    __slots__ = ("_server", "_socket", "_timer", "_timeout", "_ended")

    def __init__(self, server: QSslServer, socket: QSslSocket, timeout: int) -> None:
        self._server = server
        self._socket = socket
        self._timeout = timeout / 1000.0
        self._ended = False
        self._timer: IDelayedCall | None = server._reactor.callLater(self._timeout, self.timedOut)
        socket._link = self
        socket._awaitClientHello(self.firstData)

    def end(self) -> None:
        """
        The handshake is over (done, failed, timed out, dropped): stop the
        timer, stop counting the socket as pending.
        """
        if self._ended:
            return
        self._ended = True
        timer, self._timer = self._timer, None
        if timer is not None and timer.active():
            timer.cancel()
        server = self._server
        server._handshakes.pop(self._socket, None)
        server._pending.inProgress -= 1
        server._updateAccepting()

    def cut(self) -> None:
        """
        Stop relaying the socket's signals (Qt: C{socket->disconnect(server)}).
        """
        if self._socket._link is self:
            self._socket._link = None

    def firstData(self, data: bytes) -> None:
        """
        The first bytes from the client: a ClientHello starts the handshake,
        anything else drops the connection silently (B40).
        """
        if not data or self._ended:
            return
        socket = self._socket
        if data[0] != _HANDSHAKE_RECORD:
            self.end()
            self.cut()
            socket.disconnectFromHost()
            socket.deleteLater()
            return
        timer = self._timer
        if timer is not None and timer.active():
            timer.reset(self._timeout)  # restarted once: progress was made
        socket._startServerEncryption(data)
        self._server.startedEncryptionHandshake.emit(socket)

    def timedOut(self) -> None:
        """
        C{handshakeTimeout()} passed without an encrypted connection (B41).
        """
        self._timer = None
        if self._ended:
            return
        socket = self._socket
        self.end()
        self.cut()
        self._server.errorOccurred.emit(socket, SocketError.SocketTimeoutError)
        socket.disconnectFromHost()
        socket.deleteLater()

    # -- the socket's signals, relayed (socket first, B55) ------------------

    def encrypted(self) -> None:
        self.end()
        self.cut()
        self._server.addPendingConnection(self._socket)

    def errorOccurred(self, error: SocketError) -> None:
        socket = self._socket
        self._server.errorOccurred.emit(socket, error)
        if not socket.isEncrypted():
            self.end()
            socket.deleteLater()

    def peerVerifyError(self, error: QSslError) -> None:
        self._server.peerVerifyError.emit(self._socket, error)

    def sslErrors(self, errors: list[QSslError]) -> None:
        self._server.sslErrors.emit(self._socket, errors)

    def preSharedKeyAuthenticationRequired(
        self, authenticator: QSslPreSharedKeyAuthenticator
    ) -> None:
        self._server.preSharedKeyAuthenticationRequired.emit(self._socket, authenticator)

    def alertSent(self, level: QSsl.AlertLevel, kind: QSsl.AlertType | int, text: str) -> None:
        self._server.alertSent.emit(self._socket, level, kind, text)

    def alertReceived(
        self, level: QSsl.AlertLevel, kind: QSsl.AlertType | int, text: str
    ) -> None:
        self._server.alertReceived.emit(self._socket, level, kind, text)

    def handshakeInterruptedOnError(self, error: QSslError) -> None:
        self._server.handshakeInterruptedOnError.emit(self._socket, error)


class QSslServer(QTcpServer):
    """
    A TLS server; mirrors C{QSslServer} (Qt >= 6.4).

    Set a L{QSslConfiguration} with a certificate and key (or a PSK
    identity hint and a L{preSharedKeyAuthenticationRequired} slot), call
    L{listen<QTcpServer.listen>}, and take encrypted L{QSslSocket}s with
    L{nextPendingConnection<QTcpServer.nextPendingConnection>} after
    L{pendingConnectionAvailable<QTcpServer.pendingConnectionAvailable>}:
    as in Qt, L{newConnection<QTcpServer.newConnection>} is emitted when
    TCP is accepted, before the handshake.  All per-connection signals
    carry the socket first.
    """

    startedEncryptionHandshake: Signal[QSslSocket] = Signal()
    """Emitted when a client's first bytes are a TLS handshake and the
    server's handshake has started."""
    sslErrors: Signal[QSslSocket, list[QSslError]] = Signal()
    """Relays the socket's C{sslErrors}; call C{socket.ignoreSslErrors()}
    in the slot to let the handshake finish."""
    peerVerifyError: Signal[QSslSocket, QSslError] = Signal()
    """Relays the socket's C{peerVerifyError}."""
    errorOccurred: Signal[QSslSocket, SocketError] = Signal()
    """A connection failed before it was encrypted (the socket is then
    deleted), or its handshake timed out (C{SocketTimeoutError})."""
    preSharedKeyAuthenticationRequired: Signal[QSslSocket, QSslPreSharedKeyAuthenticator] = (
        Signal()
    )
    """TLS-PSK: fill in the authenticator's key before the slot returns (it
    runs inside the handshake)."""
    alertSent: Signal[QSslSocket, QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """Relays the socket's C{alertSent} (level, type, description)."""
    alertReceived: Signal[QSslSocket, QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """Relays the socket's C{alertReceived} (level, type, description)."""
    handshakeInterruptedOnError: Signal[QSslSocket, QSslError] = Signal()
    """Relays the socket's C{handshakeInterruptedOnError}."""

    def __init__(self, parent: QObjectBase | None = None, reactor: Any = None) -> None:
        """
        @param parent: the owning object, if any.
        @param reactor: the reactor to use (accepting, handshake timers);
            the global one by default.
        """
        super().__init__(parent, reactor)
        self._sslConfiguration = QSslConfiguration.defaultConfiguration()
        self._handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT
        self._handshakes: dict[QSslSocket, _Handshake] = {}

    # -- configuration ------------------------------------------------------

    def setSslConfiguration(self, sslConfiguration: QSslConfiguration) -> None:
        """
        Use C{sslConfiguration} for connections accepted from now on (B51);
        mirrors C{QSslServer::setSslConfiguration}.

        The configuration is checked at once, by building its TLS context:
        a certificate that does not match its key, or a key that could not
        be read, raises here (Qt reports it on every connection instead).

        @raise TypeError: if C{sslConfiguration} is not a L{QSslConfiguration}.
        @raise ValueError: if it cannot make a server context; the message
            names the file or value at fault.
        """
        configuration = settingsOnly(sslConfiguration)
        contextFor(configuration._snapshot(), "server")
        self._sslConfiguration = configuration

    def sslConfiguration(self) -> QSslConfiguration:
        """
        A copy of the configuration new connections get; mirrors
        C{QSslServer::sslConfiguration} (by default
        C{QSslConfiguration.defaultConfiguration()}, B36).
        """
        return QSslConfiguration(self._sslConfiguration)

    def setHandshakeTimeout(self, timeout: int) -> None:
        """
        Give connections accepted from now on C{timeout} milliseconds to
        complete their handshake (B50); mirrors
        C{QSslServer::setHandshakeTimeout}.  Stored as given, as in Qt.

        @raise TypeError: if C{timeout} is not an int.
        @raise ValueError: if it does not fit Qt's C{int}.
        """
        self._handshakeTimeout = _checkInt(timeout, "timeout")

    def handshakeTimeout(self) -> int:
        """
        The handshake timeout in milliseconds (default 5000); mirrors
        C{QSslServer::handshakeTimeout}.
        """
        return self._handshakeTimeout

    # -- accepting ------------------------------------------------------------

    def _createSocket(self) -> QSslSocket:
        qsocket = QSslSocket(self, self._reactor)
        # Qt copies the configuration into each socket; this one is shared
        # until the application changes the socket's (B51 holds either way:
        # the server replaces its object, it never changes it).
        qsocket._shareConfiguration(self._sslConfiguration)
        return qsocket

    def incomingConnection(self, socketDescriptor: int) -> None:
        """
        Wrap an accepted descriptor in a L{QSslSocket} and start waiting
        for its ClientHello; mirrors C{QSslServer::incomingConnection}.
        The socket is queued only once encrypted.
        """
        qsocket = self._createSocket()
        if qsocket.setSocketDescriptor(socketDescriptor):
            self._beginHandshake(qsocket)
        else:
            qsocket.deleteLater()

    def _beginHandshake(self, qsocket: QSslSocket) -> None:
        self._pending.inProgress += 1
        self._handshakes[qsocket] = _Handshake(self, qsocket, self._handshakeTimeout)

    def _endpointConnected(self, qsocket: QTcpSocket) -> None:
        # listenEndpoint(): the same handshake for connections that Twisted
        # accepted itself.
        if qsocket.state() == QSslSocket.ConnectedState:
            self._beginHandshake(qsocket)  # type: ignore[arg-type]

    def _destroyed(self) -> None:
        for handshake in list(self._handshakes.values()):
            handshake.end()
            handshake.cut()
        super()._destroyed()

# -*- test-case-name: tests.test_sslsocket -*-
"""
The TLS layer of a L{QSslSocket <qtwisted._ssl._socket.QSslSocket>}: Twisted's
L{TLSMemoryBIOProtocol}, slipped between the socket's TCP transport and the
protocol that feeds the socket.

Theory of operation
===================

A C{QSslSocket} starts as a plain TCP socket: a Twisted TCP transport whose
protocol forwards bytes into the socket's read buffer
(L{qtwisted._connecting.SocketProtocol}).  C{startServerEncryption()} and
C{startClientEncryption()} interpose one L{TlsLayer}, the way Twisted's own
C{startTLS} does::

    TCP transport --dataReceived--> TlsLayer --dataReceived--> TlsSide
    (Twisted)      <----write-----  (OpenSSL    <----write----  (the socket's
                                     memory BIO)                  protocol)

The TCP transport's C{protocol} becomes the L{TlsLayer}; the socket's
C{_transport} becomes the L{TlsLayer} too, so everything the socket does
with "its transport" (write, lose the connection, pause reading) now goes
through TLS, and what a TLS layer cannot do (addresses, socket options,
flushing) the socket asks of the TCP transport underneath.  L{TlsSide} is
the wrapped protocol: its C{dataReceived} I{is} the socket's
C{_dataReceived}, so decrypted bytes reach the read buffer with no Python
frame beyond Twisted's own, and it provides L{IHandshakeListener}, through
which Twisted reports the end of the handshake.

One L{TlsLayer} per connection, one pyOpenSSL C{Connection} on the context
that L{qtwisted._ssl._context.contextFor} caches for the socket's
configuration snapshot.  The connection's app data is the L{TlsLayer}
(Twisted sets it), which is how the context's shared callbacks reach the
connection's socket:

  - C{_verifyRecorder}: certificate problems, recorded (not failed) during
    the handshake, for Qt's C{peerVerifyError} / C{sslErrors};
  - C{_preSharedKeyAuthenticationRequired}: TLS-PSK (L{qtwisted._ssl._psk});
  - C{_alert}: TLS alerts (L{qtwisted._ssl._alerts}).

While the handshake runs, L{TlsLayer.dataReceived} wraps Twisted's to tell
the socket after each step (each chunk of handshake bytes): that is where
the socket emits the alerts recorded meanwhile and Qt's per-step
C{peerVerifyError}s, and notices a handshake that OpenSSL failed.  Once the
handshake is over the wrapper is replaced, on the instance, by Twisted's
method itself: encrypted traffic crosses exactly Twisted's frames.  Alerts
after the handshake (a peer's close_notify) are emitted on the next reactor
turn, for the same reason as during it: they are recorded inside an OpenSSL
call, where a slot must not re-enter OpenSSL.

Two of Twisted's choices differ from Qt's, and L{TlsLayer} overrides them:

  - closing (C{loseConnection}, after all written data) sends close_notify
    and then closes TCP, without waiting for the peer's close_notify
    (Twisted waits, so a peer that never answers would hold the connection
    open for ever; Qt's C{disconnectFromHost()} does not wait);
  - aborting (C{abortConnection}) sends nothing, stops the transport at
    once and closes the descriptor with an orderly FIN on the next reactor
    turn, as Qt's C{abort()} closes the descriptor (Twisted sends
    close_notify, then a TCP reset).  The close is deferred because a slot
    may abort from inside Twisted's TLS loop (a C{readyRead} slot), which
    must not see its connection torn down under it.

The overrides and the socket read a handful of L{TLSMemoryBIOProtocol}'s
private attributes (L{TWISTED_INTERNALS}); C{tests.test_sslsocket} fails
loudly if a Twisted release renames them.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Callable, Final

from OpenSSL import SSL
from twisted.internet.interfaces import (
    IHandshakeListener,
    IOpenSSLClientConnectionCreator,
    IOpenSSLServerConnectionCreator,
)
from twisted.internet.protocol import Factory, Protocol, connectionDone
from twisted.internet.task import Clock
from twisted.protocols.tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol
from twisted.python.failure import Failure
from zope.interface import directlyProvides, implementer, providedBy

from .. import _transport
from .._connecting import SocketProtocol
from ._context import VerifyRecorder
from ._error import QSslError
from ._presharedkey import QSslPreSharedKeyAuthenticator

if TYPE_CHECKING:
    from ._socket import QSslSocket

__all__ = ["TlsLayer", "TlsSide", "startTls", "TWISTED_INTERNALS"]

#: The private attributes of L{TLSMemoryBIOProtocol} this package relies on.
TWISTED_INTERNALS: Final = (
    "_tlsConnection",
    "_handshakeDone",
    "_lostTLSConnection",
    "_reason",
    "_appSendBuffer",
    "_aborted",
    "_shutdownTLS",
    "_checkHandshakeStatus",
)


@implementer(IHandshakeListener)
class TlsSide(SocketProtocol):
    """
    The protocol a L{TlsLayer} wraps: forwards decrypted bytes and the end
    of the connection into the socket (as L{SocketProtocol} does) and the
    end of the handshake (L{IHandshakeListener}).
    """

    def handshakeCompleted(self) -> None:
        qsocket = self._qsocket
        if qsocket is not None:
            qsocket._handshakeCompleted()  # type: ignore[attr-defined]


class TlsLayer(TLSMemoryBIOProtocol):
    """
    One connection's TLS: Twisted's memory-BIO protocol with Qt's close and
    abort, the per-step hook and the per-connection state the shared
    context's callbacks look for (see the module docstring).
    """

    def __init__(
        self,
        factory: TLSMemoryBIOFactory,
        side: TlsSide,
        qsocket: QSslSocket,
        context: SSL.Context,
        serverName: bytes | None,
        onError: Callable[[QSslError], bool] | None,
    ) -> None:
        TLSMemoryBIOProtocol.__init__(self, factory, side, False)
        self._qsocket: QSslSocket | None = qsocket
        self._clock = qsocket._reactor
        self._sslContext = context
        self._serverName = serverName
        self._verifyRecorder = VerifyRecorder(onError)
        self._alerts: list[tuple[bool, int]] = []
        self._alertCall: Any = None
        self._stepping = False
        #: The peer sent close_notify (Qt then says "The TLS/SSL connection
        #: has been closed").
        self.closeNotifyReceived = False
        self._tcpGone = False

    def makeConnection(self, transport: Any) -> None:
        """
        Twisted's C{makeConnection}, with one C{directlyProvides} call
        instead of one per interface of C{transport}: Twisted's loop
        replaces the declaration each time, so the layer ends up providing
        the last interface only, which is what this declares directly.
        """
        self._tlsConnection = self.factory._creatorCallable(self)
        self._appSendBuffer = []
        interfaces = list(providedBy(transport))
        if interfaces:
            directlyProvides(self, interfaces[-1])
        # The wrapped L{TlsSide} is never connected here (the layer is made
        # with C{_connectWrapped} false): it is the socket's own protocol.
        Protocol.makeConnection(self, transport)
        self.factory.registerProtocol(self)
        self._checkHandshakeStatus()  # type: ignore[no-untyped-call]

    def _newConnection(self) -> SSL.Connection:
        """
        The pyOpenSSL connection for this layer (called by Twisted's
        C{makeConnection} through L{_Creator}).
        """
        connection = SSL.Connection(self._sslContext, None)
        if self._serverName:
            connection.set_tlsext_host_name(self._serverName)
        return connection

    # -- handshake steps ----------------------------------------------------

    def dataReceived(self, data: bytes) -> None:
        """
        Twisted's C{dataReceived}, then tell the socket (during the
        handshake only; see L{fastPath}).
        """
        self._stepping = True
        try:
            TLSMemoryBIOProtocol.dataReceived(self, data)
        finally:
            self._stepping = False
        qsocket = self._qsocket
        if qsocket is not None:
            qsocket._tlsStepDone(self)

    def step(self, data: bytes | None = None) -> None:
        """
        Start the handshake (a client sends its ClientHello) or feed it
        C{data} received before the layer existed.
        """
        if data:
            self.dataReceived(data)
        else:
            qsocket = self._qsocket
            if qsocket is not None:
                qsocket._tlsStepDone(self)

    def fastPath(self) -> None:
        """
        The handshake is over: from now on the TCP transport calls
        Twisted's C{dataReceived} directly.
        """
        self.dataReceived = types.MethodType(  # type: ignore[method-assign]
            TLSMemoryBIOProtocol.dataReceived, self
        )

    # -- callbacks from the shared context ---------------------------------

    def _alert(self, sent: bool, value: int) -> None:
        # Called inside an OpenSSL call (see qtwisted._ssl._alerts).
        if sent and self._tcpGone:
            # OpenSSL's answer to the end of the stream (Twisted feeds it
            # an EOF once TCP is closed): it can never reach the peer, and
            # Qt, which stops reading at that point, does not report it.
            return
        self._alerts.append((sent, value))
        if not sent and not value & 0xFF:
            self.closeNotifyReceived = True
        if not self._stepping and self._alertCall is None:
            self._alertCall = self._clock.callLater(0, self._alertsLater)

    def _alertsLater(self) -> None:
        self._alertCall = None
        qsocket = self._qsocket
        if qsocket is not None:
            qsocket._emitAlerts(self)

    def takeAlerts(self) -> list[tuple[bool, int]]:
        """
        The alerts recorded since the last call, oldest first.
        """
        alerts, self._alerts = self._alerts, []
        return alerts

    def _preSharedKeyAuthenticationRequired(
        self, authenticator: QSslPreSharedKeyAuthenticator
    ) -> None:
        # Called by qtwisted._ssl._psk inside the handshake; the slot must
        # fill in the key before it returns.
        qsocket = self._qsocket
        if qsocket is not None:
            qsocket._emitPreSharedKeyAuthenticationRequired(authenticator)

    # -- Qt's close and abort ------------------------------------------------

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        """
        TCP is closed; Twisted's C{connectionLost} still lets OpenSSL read
        to the end of what arrived.
        """
        self._tcpGone = True
        TLSMemoryBIOProtocol.connectionLost(self, reason)

    def _shutdownTLS(self) -> None:
        TLSMemoryBIOProtocol._shutdownTLS(self)
        if self.disconnecting and self.transport is not None:
            # close_notify is on its way; close TCP after it, as Qt's
            # disconnectFromHost() does, without waiting for the peer's.
            self.transport.loseConnection()

    def abortConnection(self) -> None:
        """
        Stop at once and close TCP with a FIN on the next reactor turn;
        nothing more is sent, nothing more is delivered.
        """
        self._aborted = True
        self.disconnecting = True
        tcp: Any = self.transport
        if tcp is None or getattr(tcp, "disconnected", True):
            return
        tcp.stopReading()
        tcp.stopWriting()
        # As Twisted's own abortConnection(): nothing more goes in or out.
        tcp.doRead = _nothing
        tcp.doWrite = _nothing
        self._clock.callLater(0, _transport.closeNow, tcp)

    def detach(self) -> None:
        """
        The socket is gone for good (deleted): forget it.
        """
        self._qsocket = None
        call, self._alertCall = self._alertCall, None
        if call is not None and call.active():
            call.cancel()


def _nothing(*args: object, **kwargs: object) -> None:
    return None


@implementer(IOpenSSLServerConnectionCreator, IOpenSSLClientConnectionCreator)
class _Creator:
    """
    Twisted asks this for each layer's pyOpenSSL connection; the layer
    knows its context.
    """

    def serverConnectionForTLS(self, tlsProtocol: TLSMemoryBIOProtocol) -> SSL.Connection:
        assert isinstance(tlsProtocol, TlsLayer)
        return tlsProtocol._newConnection()

    def clientConnectionForTLS(self, tlsProtocol: TLSMemoryBIOProtocol) -> SSL.Connection:
        assert isinstance(tlsProtocol, TlsLayer)
        return tlsProtocol._newConnection()


class _Factory(TLSMemoryBIOFactory):
    """
    The factory Twisted's TLS protocol insists on: it makes the connection
    (through L{_Creator}) and sets its accept or connect state.  It does
    not keep the live layers (a server would hold every connection).
    """

    protocol = TlsLayer

    def registerProtocol(self, p: Any) -> None:
        pass

    def unregisterProtocol(self, p: Any) -> None:
        pass


_factories: dict[bool, _Factory] = {}


def _factory(isClient: bool) -> _Factory:
    factory = _factories.get(isClient)
    if factory is None:
        # The clock is only used by Twisted's BufferingTLSTransport, which
        # qtwisted does not use: writes go to OpenSSL at once, as in Qt.
        factory = _factories[isClient] = _Factory(_Creator(), isClient, Factory(), Clock())
    return factory


def startTls(
    qsocket: QSslSocket,
    context: SSL.Context,
    isClient: bool,
    serverName: bytes | None,
    onError: Callable[[QSslError], bool] | None,
) -> TlsLayer:
    """
    Interpose a L{TlsLayer} between C{qsocket}'s TCP transport and its
    protocol, which becomes a L{TlsSide}; the socket's C{_transport} and
    C{_protocol} are the new objects on return.  Nothing is sent or fed
    yet: call L{TlsLayer.step}.
    """
    tcp = qsocket._transport
    old = qsocket._protocol
    side = TlsSide(qsocket)
    layer = TlsLayer(_factory(isClient), side, qsocket, context, serverName, onError)
    if old is not None:
        old.detach()
    qsocket._protocol = side
    qsocket._transport = layer
    tcp.protocol = layer
    layer.makeConnection(tcp)
    return layer

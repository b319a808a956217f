# -*- test-case-name: tests.test_tcpsocket -*-
"""
Twisted TCP transports that report how many bytes reached the kernel.

Qt's C{bytesWritten(qint64)} signal and C{waitForBytesWritten()} need to know
when written data has actually been handed to the operating system.
Twisted's transports buffer writes and send them from C{doWrite()} without
telling anyone, so we subclass Twisted's own TCP transports and wrap
C{doWrite()}: the difference in the transport's buffered byte count before
and after is what was sent.  This reads three attributes of
L{twisted.internet.abstract.FileDescriptor} (C{dataBuffer}, C{offset},
C{_tempDataLen}); C{tests.test_tcpsocket.TransportInternalsTests} fails
loudly if a Twisted release renames them.

Everything else (reading, writing, closing, half-close, producer support) is
Twisted's unchanged.

The module also does for qtwisted what Qt's C{QNativeSocketEngine} does
below C{QAbstractSocket}: close a transport at once (L{closeNow}), report
the addresses of its connection (L{peerOf}, L{localOf}), and map Qt's
socket options to C{setsockopt()} calls on its socket (L{setOption},
L{getOption}).
"""

from __future__ import annotations

import socket
from typing import Any, Callable

from twisted.internet import abstract, tcp, unix
from twisted.internet.address import UNIXAddress
from twisted.internet.error import ConnectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

from ._enums import SocketOption

__all__ = [
    "ServerTransport",
    "ClientTransport",
    "Connector",
    "bufferedBytes",
    "closeNow",
    "setOption",
    "getOption",
    "peerOf",
    "localOf",
]

_log = Logger(namespace="qtwisted.socket")

# Qt's socket options as (level, name) for setsockopt(); the others
# (multicast, path MTU) mean nothing on a TCP socket.
_OPTIONS: dict[SocketOption, tuple[int, int]] = {
    SocketOption.LowDelayOption: (socket.IPPROTO_TCP, socket.TCP_NODELAY),
    SocketOption.KeepAliveOption: (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    SocketOption.SendBufferSizeSocketOption: (socket.SOL_SOCKET, socket.SO_SNDBUF),
    SocketOption.ReceiveBufferSizeSocketOption: (socket.SOL_SOCKET, socket.SO_RCVBUF),
    SocketOption.TypeOfServiceOption: (socket.IPPROTO_IP, socket.IP_TOS),
}
# Qt 6.11's keep-alive tuning options, where the platform has them.
for _option, _name in (
    (SocketOption.KeepAliveIdleOption, "TCP_KEEPIDLE"),
    (SocketOption.KeepAliveIntervalOption, "TCP_KEEPINTVL"),
    (SocketOption.KeepAliveCountOption, "TCP_KEEPCNT"),
):
    if hasattr(socket, _name):
        _OPTIONS[_option] = (socket.IPPROTO_TCP, getattr(socket, _name))
del _option, _name


def closeNow(transport: Any) -> None:
    """
    Close C{transport} at once, dropping the data it has not sent yet, as
    Qt's C{abort()} does: Qt closes the descriptor, so the peer reads a
    normal end of stream (FIN).  Twisted's C{abortConnection()} would reset
    the connection (C{SO_LINGER} 0) and close only on the next reactor
    turn.

    This does what the reactor does when a descriptor reports its
    connection lost: stop watching it, then C{connectionLost}.  Twisted's
    C{tcp.Connection.connectionLost} ignores a second call, so a reactor
    callback still running on this transport is harmless.  A transport that
    is not a file descriptor (a TLS layer) is aborted the Twisted way.
    """
    if isinstance(transport, abstract.FileDescriptor):
        if transport.disconnected:
            return
        transport.stopReading()
        transport.stopWriting()
        transport.connectionLost(Failure(ConnectionDone()))
    else:
        transport.abortConnection()


def _handle(transport: Any) -> socket.socket | None:
    if transport is None:
        return None
    try:
        return transport.getHandle()  # type: ignore[no-any-return]
    except AttributeError:
        return None


def peerOf(transport: Any) -> tuple[str, int] | None:
    """
    The peer of C{transport} as C{(host, port)}, the host with its IPv6
    C{%scope}; C{None} for a UNIX socket, which has no IP address and no
    port (Qt reports Null and 0).
    """
    peer = transport.getPeer()
    host = getattr(peer, "host", None)
    if host is None:
        return None
    scope = getattr(peer, "scopeID", 0)
    if scope and "%" not in host:
        host = f"{host}%{scope}"
    return (host, getattr(peer, "port", 0))


def localOf(transport: Any) -> tuple[Any, ...] | None:
    """
    The local address of C{transport}'s socket, as C{getsockname()} gives
    it; C{None} if there is none, or for a UNIX socket (a path, no IP
    address: Qt reports Null and 0).
    """
    try:
        name = transport.getHandle().getsockname()
    except (OSError, AttributeError):
        return None
    return name if isinstance(name, tuple) else None


def setOption(transport: Any, option: SocketOption, value: object) -> None:
    """
    Set C{option} to C{value} on the socket of C{transport}; nothing for
    no transport, a transport without a socket, or an option the platform
    lacks.  A refused value is logged (Qt's C{setSocketOption} returns
    nothing either).
    """
    skt = _handle(transport)
    spec = _OPTIONS.get(option)
    if skt is None or spec is None:
        return
    try:
        skt.setsockopt(spec[0], spec[1], int(value))  # type: ignore[call-overload]
    except (OSError, TypeError, ValueError) as e:
        _log.warn("setSocketOption({option}) failed: {e}", option=option, e=e)


def getOption(transport: Any, option: SocketOption, default: object) -> object:
    """
    The value of C{option} on the socket of C{transport} (C{None} if the
    system refuses to tell), or C{default} where L{setOption} would do
    nothing.
    """
    skt = _handle(transport)
    spec = _OPTIONS.get(option)
    if skt is not None and spec is not None:
        try:
            return skt.getsockopt(spec[0], spec[1])
        except OSError:
            return None
    return default


def bufferedBytes(transport: Any) -> int:
    """
    The number of bytes written to C{transport} but not yet sent.
    """
    try:
        return (  # type: ignore[no-any-return]
            len(transport.dataBuffer) - transport.offset + transport._tempDataLen
        )
    except AttributeError:
        return 0


def flushNow(tcp: Any, reactor: Any = None) -> bool:
    """
    Send as much of C{tcp}'s buffered data as the kernel takes now (Qt's
    C{flush()}), doing what the reactor would do if the send shows the
    connection is over.

    @param tcp: a Twisted TCP transport (the one owning the OS socket).
    @param reactor: when given, the connection is dropped on its next turn
        rather than at once: a caller inside a TLS layer's call must not see
        the layer torn down under it.
    @return: C{True} if any data was sent.
    """
    before = bufferedBytes(tcp)
    if not before:
        return False
    why = tcp.doWrite()
    sent = before - bufferedBytes(tcp)
    if why is not None:
        # doWrite() says the connection is over: everything was sent after a
        # close, or send() failed.
        tcp.stopReading()
        tcp.stopWriting()
        if reactor is None:
            tcp.connectionLost(Failure(why))
        else:
            reactor.callLater(0, _loseUnlessGone, tcp, why)
    return sent > 0


def _loseUnlessGone(tcp: Any, why: BaseException) -> None:
    if not tcp.disconnected:
        tcp.connectionLost(Failure(why))


class _WriteReporting:
    """
    Mixin: call C{onWritten(n)} after each C{doWrite()} that sent n > 0 bytes.

    The counting costs a few calls per send, which a TCP echo's round trip
    notices (bench/tcp_echo.py), so it runs only while somebody listens:
    setting C{onWritten} installs the counting C{doWrite} on the instance,
    clearing it leaves Twisted's own C{doWrite} to the reactor.
    """

    dataBuffer: bytes
    offset: int
    _tempDataLen: int
    _onWritten: Callable[[int], None] | None = None

    @property
    def onWritten(self) -> Callable[[int], None] | None:
        return self._onWritten

    @onWritten.setter
    def onWritten(self, callback: Callable[[int], None] | None) -> None:
        self._onWritten = callback
        if callback is not None:
            self.__dict__["doWrite"] = self._countingDoWrite
        else:
            self.__dict__.pop("doWrite", None)

    def _countingDoWrite(self) -> Any:
        before = len(self.dataBuffer) - self.offset + self._tempDataLen
        result = type(self).doWrite(self)  # type: ignore[attr-defined]
        sent = before - (len(self.dataBuffer) - self.offset + self._tempDataLen)
        callback = self._onWritten
        if sent > 0 and callback is not None:
            callback(sent)
        return result


class _PortInfo:
    """
    What L{tcp.Server} reads from the port that accepted it.
    """

    __slots__ = ("_realPortNumber",)

    def __init__(self, port: int) -> None:
        self._realPortNumber = port


class ServerTransport(_WriteReporting, tcp.Server):
    """
    The transport of an accepted (or adopted) TCP connection.
    """

    @classmethod
    def adopt(
        cls,
        skt: socket.socket,
        peer: Any,
        protocol: Any,
        localPort: int,
        sessionno: int,
        reactor: Any,
    ) -> ServerTransport:
        """
        Wrap a connected socket (which this call takes over) in a transport
        and start reading from it.

        @param peer: C{skt.getpeername()}; for a UNIX socket (an end of a
            C{socketpair()} given to C{setSocketDescriptor}) a path, which
            may be empty.
        """
        skt.setblocking(False)
        if skt.family == socket.AF_UNIX:
            # tcp.Server wants a (host, port) pair for its log prefix.
            return _UnixServerTransport(
                skt, protocol, (peer or "", 0), _PortInfo(localPort), sessionno, reactor  # type: ignore[arg-type]
            )
        return cls(skt, protocol, peer, _PortInfo(localPort), sessionno, reactor)  # type: ignore[arg-type]


class _UnixServerTransport(ServerTransport):
    """
    An adopted stream socket of the UNIX family: Twisted's TCP transport
    works on it unchanged, but its addresses are paths.
    """

    def getPeer(self) -> UNIXAddress:
        name = self.client[0]
        return UNIXAddress(name if isinstance(name, (str, bytes)) and name else None)

    def getHost(self) -> UNIXAddress:
        try:
            name = self.socket.getsockname()
        except OSError:
            name = None
        return UNIXAddress(name or None)


class UnixEndpointTransport(_WriteReporting, unix.Server):
    """
    The transport of a connection accepted by a C{unix:} endpoint.
    """


ENDPOINT_TRANSPORTS: dict[Any, type[Any]] = {
    tcp.Server: ServerTransport,
    unix.Server: UnixEndpointTransport,
}
"""Twisted's server transport classes and their write-reporting versions,
swapped into the ports of L{QTcpServer.listenEndpoint}."""


class ClientTransport(_WriteReporting, tcp.Client):
    """
    The transport of an outgoing TCP connection.
    """


class Connector(tcp.Connector):
    """
    A connector that makes L{ClientTransport}s.
    """

    def _makeTransport(self) -> ClientTransport:
        return ClientTransport(self.host, self.port, self.bindAddress, self, self.reactor)  # type: ignore[no-untyped-call]

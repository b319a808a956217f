# -*- test-case-name: tests.test_tcpsocket -*-
"""
C{QAbstractSocket}: a Qt byte-stream socket on top of a Twisted transport.

Theory of operation
===================

A L{QAbstractSocket} is what the user holds; Twisted drives a small
L{_SocketProtocol} that forwards transport events into it.  The protocol
object is separate because Twisted's C{IProtocol} attributes (C{connected},
C{transport}, C{makeConnection}) clash with Qt names (the C{connected}
signal).  On the hot path the protocol's C{dataReceived} I{is} the socket's
bound C{_dataReceived} method, so a chunk of bytes crosses no extra Python
frame between the reactor and the read buffer.

The read buffer is a C{bytearray}: CPython deletes from its front in constant
time, so C{read(n)} is a slice and a C{del}.  With C{setReadBufferSize(n)},
a buffer holding n bytes or more pauses reading from the peer (the kernel's
receive window then closes and the peer's writes block: backpressure), and
reading below n resumes it.

Qt emits many signals synchronously from inside calls such as
C{disconnectFromHost()} and C{abort()}; we do the same, by moving the state
machine ourselves and letting Twisted's (asynchronous) C{connectionLost} find
the socket already closed.

Qt blocks in C{waitFor...()}; here each returns a L{Deferred} firing with
Qt's boolean result.
"""

from __future__ import annotations

import socket
from typing import Any, Callable, TypeAlias

from twisted.internet import error as terror
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall
from twisted.internet.protocol import ClientFactory, Protocol, connectionDone
from twisted.logger import Logger
from twisted.python.failure import Failure

from . import _transport
from ._enums import (
    BindFlag,
    NetworkLayerProtocol,
    OpenModeFlag,
    PauseMode,
    SocketError,
    SocketOption,
    SocketState,
    SocketType,
)
from ._errors import Strings, failureToError
from ._hostaddress import QHostAddress
from ._object import QObjectBase
from ._proxy import QNetworkProxy
from ._signal import Signal

__all__ = ["QAbstractSocket"]

_log = Logger(namespace="qtwisted.socket")

_Bytes = bytes | bytearray | memoryview


def checkPort(port: object, what: str = "port") -> int:
    """
    Validate a TCP port number the way Qt's C{quint16} parameter would.

    @raise TypeError: for a non-integer.
    @raise ValueError: for a number outside 0..65535.
    """
    if isinstance(port, bool) or not isinstance(port, int):
        raise TypeError(f"{what} must be an int, not {type(port).__name__} {port!r}")
    if not 0 <= port <= 65535:
        raise ValueError(f"{what} must be in 0..65535, not {port!r}")
    return port


def checkMsecs(msecs: object) -> int:
    """
    Validate a C{waitFor...()} timeout in milliseconds (-1: no limit).
    """
    if isinstance(msecs, bool) or not isinstance(msecs, int):
        raise TypeError(f"msecs must be an int, not {type(msecs).__name__} {msecs!r}")
    return msecs


class _SocketProtocol(Protocol):
    """
    Forwards Twisted's protocol events into a L{QAbstractSocket}.
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
    Connects one outgoing attempt to the socket that asked for it.
    """

    noisy = False

    def __init__(self, qsocket: QAbstractSocket, attempt: int) -> None:
        self._qsocket = qsocket
        self._attempt = attempt

    def buildProtocol(self, addr: Any) -> Protocol | None:
        if self._qsocket._attempt != self._attempt:
            return None
        return _SocketProtocol(self._qsocket)

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        if self._qsocket._attempt == self._attempt:
            self._qsocket._connectFailed(reason)


class QAbstractSocket(QObjectBase):
    """
    The base of L{QTcpSocket} (and L{QSslSocket}); mirrors C{QAbstractSocket}.

    A byte stream with Qt's C{QIODevice} reading and writing API, Qt's states,
    errors and signals.  Network problems never raise: they set L{error} and
    L{errorString} and emit L{errorOccurred}.  Qt's blocking C{waitFor...()}
    calls return L{Deferred}s here.
    """

    # Qt's nested enumerations and their unscoped aliases.
    SocketError: TypeAlias = SocketError
    SocketState: TypeAlias = SocketState
    SocketType: TypeAlias = SocketType
    NetworkLayerProtocol: TypeAlias = NetworkLayerProtocol
    SocketOption: TypeAlias = SocketOption
    PauseMode: TypeAlias = PauseMode
    BindFlag: TypeAlias = BindFlag
    OpenModeFlag: TypeAlias = OpenModeFlag
    OpenMode: TypeAlias = OpenModeFlag

    ConnectionRefusedError = SocketError.ConnectionRefusedError
    RemoteHostClosedError = SocketError.RemoteHostClosedError
    HostNotFoundError = SocketError.HostNotFoundError
    SocketAccessError = SocketError.SocketAccessError
    SocketResourceError = SocketError.SocketResourceError
    SocketTimeoutError = SocketError.SocketTimeoutError
    DatagramTooLargeError = SocketError.DatagramTooLargeError
    NetworkError = SocketError.NetworkError
    AddressInUseError = SocketError.AddressInUseError
    SocketAddressNotAvailableError = SocketError.SocketAddressNotAvailableError
    UnsupportedSocketOperationError = SocketError.UnsupportedSocketOperationError
    UnfinishedSocketOperationError = SocketError.UnfinishedSocketOperationError
    ProxyAuthenticationRequiredError = SocketError.ProxyAuthenticationRequiredError
    SslHandshakeFailedError = SocketError.SslHandshakeFailedError
    ProxyConnectionRefusedError = SocketError.ProxyConnectionRefusedError
    ProxyConnectionClosedError = SocketError.ProxyConnectionClosedError
    ProxyConnectionTimeoutError = SocketError.ProxyConnectionTimeoutError
    ProxyNotFoundError = SocketError.ProxyNotFoundError
    ProxyProtocolError = SocketError.ProxyProtocolError
    OperationError = SocketError.OperationError
    SslInternalError = SocketError.SslInternalError
    SslInvalidUserDataError = SocketError.SslInvalidUserDataError
    TemporaryError = SocketError.TemporaryError
    UnknownSocketError = SocketError.UnknownSocketError

    UnconnectedState = SocketState.UnconnectedState
    HostLookupState = SocketState.HostLookupState
    ConnectingState = SocketState.ConnectingState
    ConnectedState = SocketState.ConnectedState
    BoundState = SocketState.BoundState
    ListeningState = SocketState.ListeningState
    ClosingState = SocketState.ClosingState

    TcpSocket = SocketType.TcpSocket
    UdpSocket = SocketType.UdpSocket
    SctpSocket = SocketType.SctpSocket
    UnknownSocketType = SocketType.UnknownSocketType

    IPv4Protocol = NetworkLayerProtocol.IPv4Protocol
    IPv6Protocol = NetworkLayerProtocol.IPv6Protocol
    AnyIPProtocol = NetworkLayerProtocol.AnyIPProtocol
    UnknownNetworkLayerProtocol = NetworkLayerProtocol.UnknownNetworkLayerProtocol

    LowDelayOption = SocketOption.LowDelayOption
    KeepAliveOption = SocketOption.KeepAliveOption
    MulticastTtlOption = SocketOption.MulticastTtlOption
    MulticastLoopbackOption = SocketOption.MulticastLoopbackOption
    TypeOfServiceOption = SocketOption.TypeOfServiceOption
    SendBufferSizeSocketOption = SocketOption.SendBufferSizeSocketOption
    ReceiveBufferSizeSocketOption = SocketOption.ReceiveBufferSizeSocketOption
    PathMtuSocketOption = SocketOption.PathMtuSocketOption

    PauseNever = PauseMode.PauseNever
    PauseOnSslErrors = PauseMode.PauseOnSslErrors

    DefaultForPlatform = BindFlag.DefaultForPlatform
    ShareAddress = BindFlag.ShareAddress
    DontShareAddress = BindFlag.DontShareAddress
    ReuseAddressHint = BindFlag.ReuseAddressHint

    NotOpen = OpenModeFlag.NotOpen
    ReadOnly = OpenModeFlag.ReadOnly
    WriteOnly = OpenModeFlag.WriteOnly
    ReadWrite = OpenModeFlag.ReadWrite

    # Signals (QAbstractSocket's and the QIODevice ones a socket emits).
    readyRead: Signal[()] = Signal()
    """Emitted when new data is available for reading (C{QIODevice::readyRead})."""
    bytesWritten: Signal[int] = Signal()
    """Emitted with the number of bytes handed to the OS (C{QIODevice::bytesWritten})."""
    readChannelFinished: Signal[()] = Signal()
    """Emitted when the read channel has closed (C{QIODevice::readChannelFinished})."""
    aboutToClose: Signal[()] = Signal()
    """Emitted when L{close} is called, before closing (C{QIODevice::aboutToClose})."""
    hostFound: Signal[()] = Signal()
    """Emitted when the host lookup of L{connectToHost} succeeded."""
    connected: Signal[()] = Signal()
    """Emitted when L{connectToHost} has established a connection."""
    disconnected: Signal[()] = Signal()
    """Emitted when the socket has been disconnected."""
    stateChanged: Signal[SocketState] = Signal()
    """Emitted with the new state whenever L{state} changes."""
    errorOccurred: Signal[SocketError] = Signal()
    """Emitted with the error when one occurs; L{errorString} describes it."""

    _sessionCounter = 0

    def __init__(
        self,
        socketType: SocketType = SocketType.TcpSocket,
        parent: QObjectBase | None = None,
        reactor: Any = None,
    ) -> None:
        """
        @param socketType: only C{TcpSocket} is supported.
        @param parent: the owning object (a server, for accepted sockets).
        @param reactor: the reactor to use; the global one by default.
        @raise ValueError: for another socket type.
        """
        super().__init__(parent, reactor)
        if socketType != SocketType.TcpSocket:
            raise ValueError(f"only TcpSocket is supported, not {socketType!r}")
        self._socketType = SocketType(socketType)
        self._state = SocketState.UnconnectedState
        self._error = SocketError.UnknownSocketError
        self._errorString = ""
        self._openMode = OpenModeFlag.NotOpen
        self._rbuf = bytearray()
        self._readBufferSize = 0
        self._readPaused = False
        self._transport: Any = None
        self._protocol: _SocketProtocol | None = None
        self._preConnectWrites: list[bytes] = []
        self._peer: tuple[Any, ...] | None = None
        self._local: tuple[Any, ...] | None = None
        self._peerName = ""
        self._fd = -1
        self._proxy = QNetworkProxy(QNetworkProxy.ProxyType.DefaultProxy)
        self._pauseMode = PauseMode.PauseNever
        self._options: dict[SocketOption, object] = {}
        self._attempt = 0
        self._connector: Any = None
        self._addresses: list[tuple[str, int]] = []
        self._closingByUs = False
        self._pendingClose = False

    # -- state -----------------------------------------------------------

    def state(self) -> SocketState:
        """
        The socket's state; mirrors C{QAbstractSocket::state}.
        """
        return self._state

    def _setState(self, state: SocketState) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state)

    def socketType(self) -> SocketType:
        """
        Always C{TcpSocket}; mirrors C{QAbstractSocket::socketType}.
        """
        return self._socketType

    def isValid(self) -> bool:
        """
        Tell whether the socket is usable; mirrors C{QAbstractSocket::isValid}:
        C{True} while connected, and afterwards as long as the device is open
        (a socket whose peer closed still has its data to read).
        """
        if self._transport is not None:
            return True
        return self._openMode != OpenModeFlag.NotOpen

    def error(self) -> SocketError:
        """
        The last error; mirrors C{QAbstractSocket::error}.
        """
        return self._error

    def errorString(self) -> str:
        """
        A human-readable description of the last error, with Qt's wording;
        C{"Unknown error"} when none occurred, as C{QIODevice} says.
        """
        return self._errorString or Strings.Unknown

    def _setError(self, code: SocketError, text: str) -> None:
        self._error = code
        self._errorString = text

    def _setErrorAndEmit(self, code: SocketError, text: str) -> None:
        self._setError(code, text)
        self.errorOccurred.emit(code)

    def socketDescriptor(self) -> int:
        """
        The native descriptor, or -1; mirrors C{QAbstractSocket::socketDescriptor}.
        """
        return self._fd

    # -- QIODevice -------------------------------------------------------

    def openMode(self) -> OpenModeFlag:
        """
        The open mode; mirrors C{QIODevice::openMode}.
        """
        return self._openMode

    def isOpen(self) -> bool:
        """
        Mirrors C{QIODevice::isOpen}.
        """
        return self._openMode != OpenModeFlag.NotOpen

    def isReadable(self) -> bool:
        """
        Mirrors C{QIODevice::isReadable}.
        """
        return bool(self._openMode & OpenModeFlag.ReadOnly)

    def isWritable(self) -> bool:
        """
        Mirrors C{QIODevice::isWritable}.
        """
        return bool(self._openMode & OpenModeFlag.WriteOnly)

    def isSequential(self) -> bool:
        """
        Always C{True}: a socket is a sequential device.
        """
        return True

    def bytesAvailable(self) -> int:
        """
        The number of bytes waiting to be read; mirrors C{bytesAvailable}.
        """
        return len(self._rbuf)

    def atEnd(self) -> bool:
        """
        C{True} when no data is waiting to be read; mirrors C{QIODevice::atEnd}.
        """
        return not self._rbuf

    def canReadLine(self) -> bool:
        """
        C{True} when a complete line (ending in C{\\n}) can be read.
        """
        return b"\n" in self._rbuf

    def read(self, maxSize: int) -> bytes:
        """
        Read and remove at most C{maxSize} bytes; mirrors C{QIODevice::read}.

        @return: the bytes, possibly empty.
        @raise ValueError: for a negative C{maxSize}.
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if not self._openMode & OpenModeFlag.ReadOnly:
            self._warnNotReadable("read")
            return b""
        buf = self._rbuf
        if maxSize >= len(buf):
            data = bytes(buf)
            buf.clear()
        else:
            data = bytes(buf[:maxSize])
            del buf[:maxSize]
        if self._readPaused:
            self._maybeResumeReading()
        return data

    def readAll(self) -> bytes:
        """
        Read and remove everything buffered; mirrors C{QIODevice::readAll}.
        """
        if not self._openMode & OpenModeFlag.ReadOnly:
            self._warnNotReadable("read")
            return b""
        data = bytes(self._rbuf)
        self._rbuf.clear()
        if self._readPaused:
            self._maybeResumeReading()
        return data

    def readLine(self, maxSize: int = 0) -> bytes:
        """
        Read one line, with its C{\\n}; mirrors C{QIODevice::readLine}.

        Reads up to and including the first newline, or at most C{maxSize - 1}
        bytes when C{maxSize} > 0 (Qt reserves one byte for the terminating
        NUL of its C buffer); with C{maxSize} 0 the line length is unlimited.
        Without a newline, whatever is buffered is returned.
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if maxSize == 1:
            _log.warn(
                "QIODevice::readLineInto ({cls}): Called with maxSize < 2",
                cls=type(self).__name__,
            )
            return b""
        buf = self._rbuf
        end = buf.find(b"\n")
        n = len(buf) if end < 0 else end + 1
        if maxSize > 0:
            n = min(n, maxSize - 1)
        return self.read(n)

    def _warnNotReadable(self, function: str) -> None:
        if self._openMode == OpenModeFlag.NotOpen:
            what = "device not open"
        else:
            what = "WriteOnly device"
        _log.warn(
            "QIODevice::{function} ({cls}): {what}",
            function=function,
            cls=type(self).__name__,
            what=what,
        )

    def peek(self, maxSize: int) -> bytes:
        """
        Return at most C{maxSize} buffered bytes without removing them.
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        return bytes(self._rbuf[:maxSize])

    def skip(self, maxSize: int) -> int:
        """
        Discard at most C{maxSize} buffered bytes; returns how many.
        """
        return len(self.read(maxSize))

    def write(self, data: _Bytes) -> int:
        """
        Queue C{data} for sending; mirrors C{QIODevice::write}.

        @return: the number of bytes queued, or -1 if the socket is not open
            for writing or not connected (Qt's answer; L{errorString} says
            why).
        @raise TypeError: for a C{str} or other non-bytes value.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"write() takes bytes, not {type(data).__name__}"
                + (" (encode the str first)" if isinstance(data, str) else "")
            )
        if not self._openMode & OpenModeFlag.WriteOnly:
            _log.warn(
                "QIODevice::write ({cls}): device not open",
                cls=type(self).__name__,
            )
            return -1
        state = self._state
        if state == SocketState.ConnectedState or state == SocketState.ClosingState:
            transport = self._transport
            if transport is None:
                self._setError(SocketError.UnknownSocketError, Strings.NotConnected)
                return -1
            chunk = data if type(data) is bytes else bytes(data)
            transport.write(chunk)
            return len(chunk)
        if state == SocketState.UnconnectedState:
            self._setError(SocketError.UnknownSocketError, Strings.NotConnected)
            return -1
        # HostLookup or Connecting: Qt buffers until connected.
        chunk = bytes(data)
        self._preConnectWrites.append(chunk)
        return len(chunk)

    def bytesToWrite(self) -> int:
        """
        The number of bytes written but not yet sent to the OS.
        """
        pending = sum(len(c) for c in self._preConnectWrites)
        if self._transport is not None:
            pending += _transport.bufferedBytes(self._transport)
        return pending

    def flush(self) -> bool:
        """
        Mirrors C{QAbstractSocket::flush}: try to send buffered data now.

        @return: C{True} if any data was sent.
        """
        transport = self._transport
        if transport is None or not _transport.bufferedBytes(transport):
            return False
        before = _transport.bufferedBytes(transport)
        try:
            transport.doWrite()
        except Exception:  # pragma: no cover - the reactor would see it too
            _log.failure("flush() failed")
            return False
        return _transport.bufferedBytes(transport) < before

    def readBufferSize(self) -> int:
        """
        The read buffer limit in bytes; 0 means unlimited (Qt's default).
        """
        return self._readBufferSize

    def setReadBufferSize(self, size: int) -> None:
        """
        Limit the read buffer to C{size} bytes (0: unlimited).

        When the buffer is full, the socket stops reading from the network,
        so the peer is slowed down by TCP flow control; reading data from the
        socket resumes it.  Mirrors C{QAbstractSocket::setReadBufferSize}.

        @raise ValueError: for a negative size.
        """
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"size must be an int, not {type(size).__name__}")
        if size < 0:
            raise ValueError(f"read buffer size must not be negative, not {size!r}")
        self._readBufferSize = size
        if self._readPaused:
            self._maybeResumeReading()
        elif size:
            self._limitReading()
        elif self._transport is not None:
            self._transport.bufferSize = _DEFAULT_RECV_SIZE

    def _pauseReading(self) -> None:
        if self._transport is not None and not self._readPaused:
            self._readPaused = True
            self._transport.pauseProducing()

    def _maybeResumeReading(self) -> None:
        limit = self._readBufferSize
        if not limit or len(self._rbuf) < limit:
            self._readPaused = False
            transport = self._transport
            if transport is not None:
                transport.bufferSize = (
                    limit - len(self._rbuf) if limit else _DEFAULT_RECV_SIZE
                )
                transport.resumeProducing()

    # -- addresses -------------------------------------------------------

    def peerAddress(self) -> QHostAddress:
        """
        The peer's address, or a Null address when not connected.
        """
        if self._peer is None:
            return QHostAddress()
        return QHostAddress._fromSockaddr(self._peer[0])

    def peerPort(self) -> int:
        """
        The peer's port, or 0 when not connected.
        """
        return self._peer[1] if self._peer is not None else 0

    def peerName(self) -> str:
        """
        The host name given to L{connectToHost}, or an empty string.
        """
        return self._peerName

    def localAddress(self) -> QHostAddress:
        """
        The local address of the connection, or a Null address.
        """
        local = self._localTuple()
        return QHostAddress() if local is None else QHostAddress._fromSockaddr(local[0])

    def localPort(self) -> int:
        """
        The local port of the connection, or 0.
        """
        local = self._localTuple()
        return 0 if local is None else local[1]

    def _localTuple(self) -> tuple[Any, ...] | None:
        if self._local is None and self._transport is not None:
            try:
                self._local = self._transport.getHandle().getsockname()
            except (OSError, AttributeError):
                return None
        return self._local

    # -- options ---------------------------------------------------------

    def setSocketOption(self, option: SocketOption, value: object) -> None:
        """
        Set a socket option; mirrors C{QAbstractSocket::setSocketOption}.

        Options set before the connection exists are applied when it does.
        """
        option = SocketOption(option)
        self._options[option] = value
        self._applyOption(option, value)

    def socketOption(self, option: SocketOption) -> object:
        """
        Read a socket option from the live socket (or the value set).
        """
        option = SocketOption(option)
        skt = self._handle()
        spec = _OPTIONS.get(option)
        if skt is not None and spec is not None:
            try:
                return skt.getsockopt(spec[0], spec[1])
            except OSError:
                return None
        return self._options.get(option)

    def _handle(self) -> socket.socket | None:
        if self._transport is None:
            return None
        try:
            return self._transport.getHandle()  # type: ignore[no-any-return]
        except AttributeError:
            return None

    def _applyOption(self, option: SocketOption, value: object) -> None:
        skt = self._handle()
        spec = _OPTIONS.get(option)
        if skt is None or spec is None:
            return
        try:
            skt.setsockopt(spec[0], spec[1], int(value))  # type: ignore[call-overload]
        except (OSError, TypeError, ValueError) as e:
            _log.warn("setSocketOption({option}) failed: {e}", option=option, e=e)

    def pauseMode(self) -> PauseMode:
        """
        Mirrors C{QAbstractSocket::pauseMode}.
        """
        return self._pauseMode

    def setPauseMode(self, mode: PauseMode) -> None:
        """
        Mirrors C{QAbstractSocket::setPauseMode} (used by SSL sockets).
        """
        self._pauseMode = PauseMode(mode)

    def resume(self) -> None:
        """
        Mirrors C{QAbstractSocket::resume}; a plain TCP socket never pauses.
        """

    def proxy(self) -> QNetworkProxy:
        """
        The proxy; mirrors C{QAbstractSocket::proxy}.
        """
        return self._proxy

    def setProxy(self, proxy: QNetworkProxy) -> None:
        """
        Set the proxy; only C{NoProxy} and C{DefaultProxy} are supported
        (L{connectToHost} fails with C{UnsupportedSocketOperationError}
        otherwise).
        """
        if not isinstance(proxy, QNetworkProxy):
            raise TypeError(f"proxy must be a QNetworkProxy, not {proxy!r}")
        self._proxy = proxy

    # -- adopting a descriptor -------------------------------------------

    def setSocketDescriptor(
        self,
        socketDescriptor: int,
        state: SocketState = SocketState.ConnectedState,
        openMode: OpenModeFlag = OpenModeFlag.ReadWrite,
    ) -> bool:
        """
        Take over a connected native socket; mirrors
        C{QAbstractSocket::setSocketDescriptor}.

        The socket owns the descriptor from then on.  This is what
        L{QTcpServer.incomingConnection} calls for each accepted connection.

        @return: C{True} on success; C{False} with
            C{UnsupportedSocketOperationError} and C{"Invalid socket
            descriptor"} if it is not a connected stream socket.
        """
        if isinstance(socketDescriptor, bool) or not isinstance(socketDescriptor, int):
            raise TypeError(
                f"socketDescriptor must be an int, not {type(socketDescriptor).__name__}"
            )
        if self._state != SocketState.UnconnectedState:
            self.abort()
        from ._listener import takeAccepted

        taken = takeAccepted(socketDescriptor)
        if taken is not None:
            skt, peer = taken
        else:
            try:
                skt = socket.socket(fileno=socketDescriptor)
            except OSError:
                self._setError(
                    SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket
                )
                return False
            try:
                if skt.type != socket.SOCK_STREAM:
                    raise OSError("not a stream socket")
                peer = skt.getpeername()
            except OSError:
                skt.detach()
                self._setError(
                    SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket
                )
                return False
        self._openMode = OpenModeFlag(openMode)
        protocol = _SocketProtocol(self)
        QAbstractSocket._sessionCounter += 1
        transport = _transport.ServerTransport.adopt(
            skt,
            peer,
            protocol,
            skt.getsockname()[1],
            QAbstractSocket._sessionCounter,
            self._reactor,
        )
        protocol.makeConnection(transport)  # type: ignore[no-untyped-call]
        return True

    # -- connecting ------------------------------------------------------

    def connectToHost(
        self,
        hostName: str | QHostAddress,
        port: int,
        openMode: OpenModeFlag = OpenModeFlag.ReadWrite,
        protocol: NetworkLayerProtocol = NetworkLayerProtocol.AnyIPProtocol,
    ) -> None:
        """
        Start connecting to C{hostName}:C{port}; mirrors
        C{QAbstractSocket::connectToHost}.

        The socket goes through C{HostLookupState} and C{ConnectingState};
        L{connected} is emitted on success, L{errorOccurred} on failure.
        Writes made before the connection exists are sent once it does.

        @raise TypeError: for a host that is neither C{str} nor
            L{QHostAddress}, or a port that is not an int.
        @raise ValueError: for a port outside 0..65535.
        """
        if isinstance(hostName, QHostAddress):
            host = hostName.toString()
        elif isinstance(hostName, str):
            host = hostName
        else:
            raise TypeError(
                f"hostName must be a str or QHostAddress, not {type(hostName).__name__}"
            )
        checkPort(port)
        if self._state in (
            SocketState.ConnectedState,
            SocketState.ConnectingState,
            SocketState.ClosingState,
            SocketState.HostLookupState,
        ):
            _log.warn(
                'QAbstractSocket::connectToHost() called when already looking up'
                ' or connecting/connected to "{host}"',
                host=self._peerName,
            )
            self._setErrorAndEmit(
                SocketError.OperationError,
                "Trying to connect while connection is in progress",
            )
            return
        if self._proxy.type() not in (
            QNetworkProxy.ProxyType.NoProxy,
            QNetworkProxy.ProxyType.DefaultProxy,
        ):
            self._setErrorAndEmit(
                SocketError.UnsupportedSocketOperationError, Strings.InvalidProxyType
            )
            return
        self._rbuf.clear()
        self._preConnectWrites = []
        self._pendingClose = False
        self._peerName = host
        # QIODevice::open(): the device is open from here on, even if the
        # connection fails, and the previous error is forgotten.
        self._openMode = OpenModeFlag(openMode)
        self._setError(SocketError.UnknownSocketError, "")
        self._attempt += 1
        self._setState(SocketState.HostLookupState)
        if not host:
            self._setState(SocketState.UnconnectedState)
            self._setErrorAndEmit(SocketError.HostNotFoundError, Strings.HostNotFound)
            return
        literal = QHostAddress(host.strip("[]"))
        if not literal.isNull():
            self._startConnecting([literal._toSockaddrHost()], port, protocol)
            return
        attempt = self._attempt
        from ._resolve import resolve

        resolve(self._reactor, host, port, protocol).addCallbacks(
            lambda addrs: self._resolved(attempt, addrs, port, protocol),
            lambda f: self._resolved(attempt, [], port, protocol),
        )

    def _resolved(
        self,
        attempt: int,
        addresses: list[str],
        port: int,
        protocol: NetworkLayerProtocol,
    ) -> None:
        if attempt != self._attempt or self._state != SocketState.HostLookupState:
            return
        if not addresses:
            self._setState(SocketState.UnconnectedState)
            self._setErrorAndEmit(SocketError.HostNotFoundError, Strings.HostNotFound)
            return
        self._startConnecting(addresses, port, protocol)

    def _startConnecting(
        self, addresses: list[str], port: int, protocol: NetworkLayerProtocol
    ) -> None:
        # Qt's order: stateChanged(Connecting), then hostFound.
        self._addresses = [(a, port) for a in addresses]
        self._setState(SocketState.ConnectingState)
        self.hostFound.emit()
        if self._state == SocketState.ConnectingState and self._connector is None:
            self._connectNext()

    def _connectNext(self) -> None:
        host, port = self._addresses.pop(0)
        self._connector = _transport.Connector(
            host,
            port,
            _ConnectFactory(self, self._attempt),
            None,  # type: ignore[arg-type]  # Twisted accepts None: no timeout
            None,
            self._reactor,
        )
        self._connector.connect()

    def _connectFailed(self, reason: Failure) -> None:
        self._connector = None
        if self._state != SocketState.ConnectingState:
            return
        if self._addresses:
            self._connectNext()
            return
        code, text = failureToError(reason, connecting=True)
        self._preConnectWrites = []
        self._setState(SocketState.UnconnectedState)
        self._setErrorAndEmit(code, text)

    # -- transport events ------------------------------------------------

    def _connectionMade(self, protocol: _SocketProtocol) -> None:
        transport = protocol.transport
        self._protocol = protocol
        self._transport = transport
        self._connector = None
        transport.onWritten = self._onWritten  # type: ignore[union-attr]
        try:
            self._fd = transport.fileno()  # type: ignore[union-attr]
        except AttributeError:
            self._fd = -1
        peer = transport.getPeer()  # type: ignore[union-attr]
        host = getattr(peer, "host", None)
        if host is None:  # a UNIX socket: its path, no port
            self._peer = (getattr(peer, "name", "") or "", 0)
        else:
            scope = getattr(peer, "scopeID", 0)
            if scope and "%" not in host:
                host = f"{host}%{scope}"
            self._peer = (host, getattr(peer, "port", 0))
        self._local = None
        if self._openMode == OpenModeFlag.NotOpen:
            self._openMode = OpenModeFlag.ReadWrite
        for option, value in self._options.items():
            self._applyOption(option, value)
        if self._readBufferSize:
            self._limitReading()
        wasConnecting = self._state == SocketState.ConnectingState
        self._state = SocketState.ConnectedState
        if wasConnecting:
            pending, self._preConnectWrites = self._preConnectWrites, []
            if pending:
                transport.writeSequence(pending)  # type: ignore[union-attr]
            self.stateChanged.emit(SocketState.ConnectedState)
            self.connected.emit()
            if self._pendingClose and self._state == SocketState.ConnectedState:
                self._pendingClose = False
                self.disconnectFromHost()

    def _dataReceived(self, data: bytes) -> None:
        buf = self._rbuf
        buf += data
        if self._readBufferSize:
            self._limitReading()
        self.readyRead.emit()

    def _limitReading(self) -> None:
        """
        Keep the buffer within L{readBufferSize}: ask Twisted to read no
        more than the room left (C{recv(bufferSize)}), and pause when full.
        """
        room = self._readBufferSize - len(self._rbuf)
        transport = self._transport
        if room <= 0:
            self._pauseReading()
        elif transport is not None:
            transport.bufferSize = room

    def _onWritten(self, count: int) -> None:
        self.bytesWritten.emit(count)

    def _connectionLost(self, reason: Failure) -> None:
        """
        The transport is gone and we did not expect it: the peer closed, or
        the network failed.
        """
        self._detachTransport()
        if self._state == SocketState.UnconnectedState:
            return
        if self._state == SocketState.ClosingState and self._closingByUs:
            # Our own disconnectFromHost() has finished flushing.
            self._finishDisconnect()
            return
        code, text = failureToError(reason)
        self._setErrorAndEmit(code, text)
        self._finishDisconnect()

    def _detachTransport(self) -> None:
        transport = self._transport
        if transport is not None:
            transport.onWritten = None
        if self._protocol is not None:
            self._protocol.detach()
            self._protocol = None
        self._transport = None
        self._fd = -1
        self._readPaused = False

    def _finishDisconnect(self, previous: SocketState | None = None) -> None:
        if previous is None:
            previous = self._state
            if previous != SocketState.ClosingState:
                self._state = SocketState.ClosingState
                self.stateChanged.emit(SocketState.ClosingState)
        self._closingByUs = False
        self._pendingClose = False
        self._state = SocketState.UnconnectedState
        self.stateChanged.emit(SocketState.UnconnectedState)
        self.readChannelFinished.emit()
        if previous in (SocketState.ConnectedState, SocketState.ClosingState):
            self.disconnected.emit()
        self._peer = None
        self._local = None
        self._releaseFromParent()

    # -- closing ---------------------------------------------------------

    def disconnectFromHost(self) -> None:
        """
        Close the connection once all written data is sent; mirrors
        C{QAbstractSocket::disconnectFromHost}.

        With nothing left to send the socket becomes unconnected (and emits
        L{disconnected}) before this returns, as in Qt; otherwise it enters
        C{ClosingState} and finishes when the data has been sent.
        """
        state = self._state
        if state == SocketState.UnconnectedState:
            return
        if state in (SocketState.HostLookupState, SocketState.ConnectingState):
            # Qt connects first, then closes (flushing what was written).
            self._pendingClose = True
            return
        transport = self._transport
        if state == SocketState.ConnectedState:
            self._state = SocketState.ClosingState
            self.stateChanged.emit(SocketState.ClosingState)
        if transport is None:
            self._finishDisconnect()
            return
        if self._transport is not transport:
            return  # a slot already finished the job
        self._closingByUs = True
        if _transport.bufferedBytes(transport):
            transport.loseConnection()
            return
        # Nothing to flush: finish now, synchronously, like Qt.  Twisted's
        # later connectionLost finds the protocol detached.
        self._detachTransport()
        transport.loseConnection()
        self._finishDisconnect()

    def _cancelConnect(self) -> None:
        self._attempt += 1
        self._addresses = []
        self._preConnectWrites = []
        connector = self._connector
        self._connector = None
        if connector is not None:
            connector.stopConnecting()

    def abort(self) -> None:
        """
        Close the connection at once, discarding unsent data; mirrors
        C{QAbstractSocket::abort}.  Signals are emitted before it returns.
        """
        self._preConnectWrites = []
        if self._openMode != OpenModeFlag.NotOpen:
            self.aboutToClose.emit()
        self._openMode = OpenModeFlag.NotOpen
        self._rbuf.clear()
        state = self._state
        if state in (SocketState.HostLookupState, SocketState.ConnectingState):
            self._cancelConnect()
            self._state = SocketState.UnconnectedState
            self.stateChanged.emit(SocketState.UnconnectedState)
            self.readChannelFinished.emit()
            return
        transport = self._transport
        self._detachTransport()
        if transport is not None:
            transport.abortConnection()
        if state != SocketState.UnconnectedState:
            # Qt's abort() goes straight to UnconnectedState (no Closing).
            self._state = SocketState.UnconnectedState
            self._finishDisconnect(previous=state)

    def close(self) -> None:
        """
        Close the device and the connection; mirrors C{QAbstractSocket::close}.

        Emits L{aboutToClose}, discards unread data, then disconnects as
        L{disconnectFromHost} does (unsent data is still sent).
        """
        if self._openMode != OpenModeFlag.NotOpen:
            self.aboutToClose.emit()
        self._openMode = OpenModeFlag.NotOpen
        self._rbuf.clear()
        if self._state != SocketState.UnconnectedState:
            self.disconnectFromHost()
        if self._state == SocketState.UnconnectedState:
            self._peer = None
            self._local = None

    def _destroyed(self) -> None:
        self.abort()

    # -- waiting ---------------------------------------------------------

    def _waitFor(
        self,
        msecs: int,
        success: Any,
        failures: tuple[Any, ...],
        onTimeout: Callable[[], None] | None = None,
    ) -> Deferred[bool]:
        """
        A Deferred that fires True on C{success}, False on any of
        C{failures} or after C{msecs} (-1: never), setting Qt's timeout error.
        """
        d: Deferred[bool] = Deferred()
        timer: list[IDelayedCall] = []

        def done(result: bool) -> None:
            success.disconnect(ok)
            for f in failures:
                f.disconnect(fail)
            if timer and timer[0].active():
                timer[0].cancel()
            if not d.called:
                d.callback(result)

        def ok(*args: object) -> None:
            done(True)

        def fail(*args: object) -> None:
            done(False)

        def expired() -> None:
            timer.clear()
            if onTimeout is not None:
                onTimeout()
            else:
                # Qt's engine timeout: emitted, and the socket stays as it was.
                self._setErrorAndEmit(SocketError.SocketTimeoutError, Strings.TimeOut)
            done(False)

        success.connect(ok)
        for f in failures:
            f.connect(fail)
        if msecs >= 0:
            timer.append(self._reactor.callLater(msecs / 1000.0, expired))
        return d

    def waitForConnected(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until connected; Qt blocks, this returns a L{Deferred}.

        Fires C{True} at once if already connected, C{False} at once if not
        connecting.  On timeout the attempt is abandoned, as in Qt, with
        C{SocketTimeoutError}.
        """
        checkMsecs(msecs)
        from twisted.internet.defer import succeed

        if self._state == SocketState.ConnectedState:
            return succeed(True)
        if self._state not in (SocketState.HostLookupState, SocketState.ConnectingState):
            return succeed(False)

        def giveUp() -> None:
            # Qt sets this error without emitting errorOccurred.
            self._setError(SocketError.SocketTimeoutError, Strings.SocketTimeOut)
            self._cancelConnect()
            self._setState(SocketState.UnconnectedState)

        return self._waitFor(
            msecs, self.connected, (self.errorOccurred, self.disconnected), giveUp
        )

    def waitForReadyRead(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait for new data; Qt blocks, this returns a L{Deferred} firing
        C{True} on the next L{readyRead}, C{False} on disconnection or after
        C{msecs} (then, as in Qt, L{errorOccurred} is emitted with
        C{SocketTimeoutError} and the socket stays connected).
        """
        checkMsecs(msecs)
        from twisted.internet.defer import succeed

        if self._state == SocketState.UnconnectedState:
            return succeed(False)
        return self._waitFor(msecs, self.readyRead, (self.disconnected,))

    def waitForBytesWritten(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until some buffered data was sent; a L{Deferred} firing C{True}
        on the next L{bytesWritten}, or C{False} at once if nothing is
        buffered, on disconnection, or after C{msecs}.
        """
        checkMsecs(msecs)
        from twisted.internet.defer import succeed

        if self._state == SocketState.UnconnectedState:
            _log.warn(
                "QAbstractSocket::waitForBytesWritten() is not allowed in UnconnectedState"
            )
            return succeed(False)
        if not self.bytesToWrite():
            return succeed(False)
        return self._waitFor(msecs, self.bytesWritten, (self.disconnected,))

    def waitForDisconnected(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until disconnected; a L{Deferred} firing C{True} on
        L{disconnected}, or C{False} at once when already unconnected (Qt
        warns there) or after C{msecs}.
        """
        checkMsecs(msecs)
        from twisted.internet.defer import succeed

        if self._state == SocketState.UnconnectedState:
            _log.warn(
                "QAbstractSocket::waitForDisconnected() is not allowed in UnconnectedState"
            )
            return succeed(False)
        return self._waitFor(msecs, self.disconnected, ())

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self._state.name}"
            f" peer={self._peer!r} buffered={len(self._rbuf)}>"
        )


# Twisted's FileDescriptor.bufferSize: how much one recv() asks for.
_DEFAULT_RECV_SIZE = 65536

_OPTIONS: dict[SocketOption, tuple[int, int]] = {
    SocketOption.LowDelayOption: (socket.IPPROTO_TCP, socket.TCP_NODELAY),
    SocketOption.KeepAliveOption: (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    SocketOption.SendBufferSizeSocketOption: (socket.SOL_SOCKET, socket.SO_SNDBUF),
    SocketOption.ReceiveBufferSizeSocketOption: (socket.SOL_SOCKET, socket.SO_RCVBUF),
    SocketOption.TypeOfServiceOption: (socket.IPPROTO_IP, socket.IP_TOS),
}

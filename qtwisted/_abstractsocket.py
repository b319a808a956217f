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
the socket already closed.  C{abort()} closes the descriptor at once
(L{_transport.closeNow}), so the peer reads an orderly end of stream, as
with Qt, rather than the reset Twisted's C{abortConnection()} sends.  Slots
may call back into the socket (abort from C{readyRead}, reconnect from
C{disconnected}); each close sequence checks, after the signals a slot could
act on, whether it is still in charge.

Qt blocks in C{waitFor...()}; here each returns a L{Deferred} firing with
Qt's boolean result.  A wait ends on its signal, on its timer, or when the
socket "ends" (becomes unconnected, or a connection attempt fails): every
path to C{UnconnectedState} calls L{QAbstractSocket._ended} after its last
signal, so a Deferred never fires half-way through a sequence of signals,
just as Qt's blocking call returns only after them.

A connection attempt gets Qt's C{QT_CONNECT_TIMEOUT} (30 s) per address,
timed on the injected reactor.
"""

from __future__ import annotations

import socket
from typing import Any, Callable, TypeAlias, Unpack

from twisted.internet.defer import Deferred, succeed
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
from ._signal import BoundSignal, Signal

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
    KeepAliveIdleOption = SocketOption.KeepAliveIdleOption
    KeepAliveIntervalOption = SocketOption.KeepAliveIntervalOption
    KeepAliveCountOption = SocketOption.KeepAliveCountOption

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
    Append = OpenModeFlag.Append
    Truncate = OpenModeFlag.Truncate
    Text = OpenModeFlag.Text
    Unbuffered = OpenModeFlag.Unbuffered
    NewOnly = OpenModeFlag.NewOnly
    ExistingOnly = OpenModeFlag.ExistingOnly

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
        self._connectTimer: IDelayedCall | None = None
        self._endWaiters: list[Callable[[], None]] = []

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

        @return: the bytes, possibly empty (also on a device that is not
            open, where Qt warns and returns an empty C{QByteArray}).
        @raise ValueError: for a negative C{maxSize} (Qt warns "Called with
            maxSize < 0" and returns nothing).
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
        Without a newline, whatever is buffered is returned.  C{maxSize} 1
        reads nothing and warns, as in Qt.

        @raise ValueError: for a negative C{maxSize} (Qt warns "Called with
            maxSize < 2" and returns nothing).
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if maxSize == 1:
            self._warn("readLineInto", "Called with maxSize < 2")
            return b""
        if not self._openMode & OpenModeFlag.ReadOnly:
            self._warnNotReadable("readLineInto")
            return b""
        buf = self._rbuf
        end = buf.find(b"\n")
        n = len(buf) if end < 0 else end + 1
        if maxSize > 0:
            n = min(n, maxSize - 1)
        return self.read(n)

    def _warn(self, function: str, what: str) -> None:
        # Qt's checkWarnMessage(): "QIODevice::<function> (<ClassName>): <what>".
        _log.warn(
            "QIODevice::{function} ({cls}): {what}",
            function=function,
            cls=type(self).__name__,
            what=what,
        )

    def _warnNotReadable(self, function: str) -> None:
        if self._openMode == OpenModeFlag.NotOpen:
            self._warn(function, "device not open")
        else:
            self._warn(function, "WriteOnly device")

    def peek(self, maxSize: int) -> bytes:
        """
        Return at most C{maxSize} buffered bytes without removing them;
        mirrors C{QIODevice::peek}.

        @raise ValueError: for a negative C{maxSize}.
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if not self._openMode & OpenModeFlag.ReadOnly:
            self._warnNotReadable("peek")
            return b""
        return bytes(self._rbuf[:maxSize])

    def skip(self, maxSize: int) -> int:
        """
        Discard at most C{maxSize} buffered bytes; mirrors C{QIODevice::skip}.

        @return: how many were discarded, or -1 (with Qt's warning) on a
            device that is not open.
        @raise ValueError: for a negative C{maxSize}.
        """
        if maxSize < 0:
            raise ValueError(f"maxSize must not be negative, not {maxSize!r}")
        if not self._openMode & OpenModeFlag.ReadOnly:
            self._warnNotReadable("skip")
            return -1
        buf = self._rbuf
        n = min(maxSize, len(buf))
        del buf[:n]
        if self._readPaused:
            self._maybeResumeReading()
        return n

    def write(self, data: _Bytes) -> int:
        """
        Queue C{data} for sending; mirrors C{QIODevice::write}.

        @return: the number of bytes queued, or -1 if the socket is not open
            for writing (Qt warns "device not open") or no longer connected
            (L{error} is then C{UnknownSocketError} and L{errorString} "Socket
            is not connected", as in Qt).
        @raise TypeError: for a C{str} or other non-bytes value.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"write() takes bytes, not {type(data).__name__}"
                + (" (encode the str first)" if isinstance(data, str) else "")
            )
        if not self._openMode & OpenModeFlag.WriteOnly:
            self._warn(
                "write",
                "device not open"
                if self._openMode == OpenModeFlag.NotOpen
                else "ReadOnly device",
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
        Mirrors C{QAbstractSocket::flush}: send as much buffered data as the
        kernel takes now, without waiting (L{bytesWritten} is emitted before
        this returns if anything was sent).

        @return: C{True} if any data was sent.
        """
        transport = self._transport
        if transport is None:
            return False
        before = _transport.bufferedBytes(transport)
        if not before:
            return False
        why = transport.doWrite()
        sent = before - _transport.bufferedBytes(transport)
        if why is not None:
            # doWrite() says the connection is over: everything was sent
            # after a disconnectFromHost(), or send() failed.  The reactor
            # would act on that answer; it was ours, so we do what it does.
            transport.stopReading()
            transport.stopWriting()
            transport.connectionLost(Failure(why))
        return sent > 0

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
                name = self._transport.getHandle().getsockname()
            except (OSError, AttributeError):
                return None
            # A UNIX socket's name is a path: no IP address (Qt: Null, 0).
            self._local = name if isinstance(name, tuple) else None
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

        The socket owns the descriptor from then on (close your own Python
        socket object with C{detach()}, not C{close()}).  Any previous
        connection is dropped without signals and both buffers are cleared,
        as in Qt; L{stateChanged} is emitted if C{state} differs from the
        current state.  This is what L{QTcpServer.incomingConnection} calls
        for each accepted connection.  A connected stream socket of the
        UNIX family (an end of C{socket.socketpair()}) works too; its
        L{peerAddress} is Null.

        @return: C{True} on success; C{False} with
            C{UnsupportedSocketOperationError} and C{"Invalid socket
            descriptor"} if it is not a connected stream socket.
        """
        if isinstance(socketDescriptor, bool) or not isinstance(socketDescriptor, int):
            raise TypeError(
                f"socketDescriptor must be an int, not {type(socketDescriptor).__name__}"
            )
        state = SocketState(state)
        self._resetSocketLayer()
        from ._listener import takeAccepted

        taken = takeAccepted(socketDescriptor)
        if taken is not None:
            skt, peer = taken
        else:
            try:
                skt = socket.socket(fileno=socketDescriptor)
            except (OSError, ValueError):
                self._setError(
                    SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket
                )
                return False
            try:
                if skt.type != socket.SOCK_STREAM:
                    raise OSError("not a stream socket")
                peer = skt.getpeername()
            except OSError:
                skt.detach()  # not ours to close
                self._setError(
                    SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket
                )
                return False
        self._openMode = OpenModeFlag(openMode)
        self._rbuf.clear()
        self._preConnectWrites = []
        protocol = _SocketProtocol(self)
        QAbstractSocket._sessionCounter += 1
        name = skt.getsockname()
        transport = _transport.ServerTransport.adopt(
            skt,
            peer,
            protocol,
            name[1] if isinstance(name, tuple) else 0,
            QAbstractSocket._sessionCounter,
            self._reactor,
        )
        previous = self._state
        # Not a connection attempt finishing: no connected signal from
        # _connectionMade, whatever the state was.
        self._state = SocketState.UnconnectedState
        protocol.makeConnection(transport)  # type: ignore[no-untyped-call]
        self._state = state
        if state != previous:
            self.stateChanged.emit(state)
        return True

    def _resetSocketLayer(self) -> None:
        """
        Drop the connection or connection attempt without a signal, as Qt's
        C{resetSocketLayer()} does before reusing a socket.
        """
        self._cancelConnect()
        self._pendingClose = False
        self._closingByUs = False
        transport = self._transport
        self._detachTransport()
        if transport is not None:
            _transport.closeNow(transport)
        self._peer = None
        self._local = None

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
        Each address gets 30 seconds (Qt's C{QT_CONNECT_TIMEOUT}) before
        the next is tried; after the last, C{SocketTimeoutError}
        "Connection timed out".

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
                "QAbstractSocket::connectToHost() called when already looking up"
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
        if self.state() != SocketState.HostLookupState:
            return  # a slot changed course
        if not host:
            self._setState(SocketState.UnconnectedState)
            self._setErrorAndEmit(SocketError.HostNotFoundError, Strings.HostNotFound)
            self._ended()
            return
        literal = QHostAddress(host.strip("[]"))
        if not literal.isNull():
            self._startConnecting([literal._toSockaddrHost()], port)
            return
        attempt = self._attempt
        from ._resolve import resolve

        resolve(self._reactor, host, port, protocol).addCallbacks(
            lambda addrs: self._resolved(attempt, addrs, port),
            lambda f: self._resolved(attempt, [], port),
        )

    def _resolved(self, attempt: int, addresses: list[str], port: int) -> None:
        if attempt != self._attempt or self._state != SocketState.HostLookupState:
            return
        if not addresses:
            self._setState(SocketState.UnconnectedState)
            self._setErrorAndEmit(SocketError.HostNotFoundError, Strings.HostNotFound)
            self._ended()
            return
        self._startConnecting(addresses, port)

    def _startConnecting(self, addresses: list[str], port: int) -> None:
        # Qt's order: stateChanged(Connecting), then hostFound.
        self._addresses = [(a, port) for a in addresses]
        self._setState(SocketState.ConnectingState)
        self.hostFound.emit()
        if self._state == SocketState.ConnectingState and self._connector is None:
            self._connectNext()

    def _connectNext(self) -> None:
        # One attempt number per address: the connector of an abandoned
        # address (timed out, cancelled) can no longer reach us.
        self._attempt += 1
        host, port = self._addresses.pop(0)
        self._connectTimer = self._reactor.callLater(
            _CONNECT_TIMEOUT, self._connectTimedOut, self._attempt
        )
        self._connector = _transport.Connector(
            host,
            port,
            _ConnectFactory(self, self._attempt),
            None,  # type: ignore[arg-type]  # Twisted accepts None: no timeout
            None,
            self._reactor,
        )
        self._connector.connect()

    def _stopConnectTimer(self) -> None:
        timer, self._connectTimer = self._connectTimer, None
        if timer is not None and timer.active():
            timer.cancel()

    def _connectTimedOut(self, attempt: int) -> None:
        """
        Qt's C{_q_abortConnectionAttempt}: the address did not answer within
        C{QT_CONNECT_TIMEOUT}; try the next one, or give up.
        """
        self._connectTimer = None
        if attempt != self._attempt or self._state != SocketState.ConnectingState:
            return
        self._attempt += 1
        connector, self._connector = self._connector, None
        if connector is not None:
            connector.stopConnecting()
        if self._addresses:
            self._connectNext()
            return
        self._preConnectWrites = []
        self._pendingClose = False
        self._state = SocketState.UnconnectedState
        self._setError(SocketError.SocketTimeoutError, Strings.ConnectionTimeOut)
        self.stateChanged.emit(SocketState.UnconnectedState)
        self.errorOccurred.emit(SocketError.SocketTimeoutError)
        self._ended()

    def _connectFailed(self, reason: Failure) -> None:
        self._connector = None
        self._stopConnectTimer()
        if self._state != SocketState.ConnectingState:
            return
        if self._addresses:
            self._connectNext()
            return
        code, text = failureToError(reason, connecting=True)
        self._preConnectWrites = []
        self._pendingClose = False
        # Qt's order: stateChanged(Unconnected) before errorOccurred.
        self._setState(SocketState.UnconnectedState)
        self._setErrorAndEmit(code, text)
        self._ended()

    def _cancelConnect(self) -> None:
        self._attempt += 1
        self._addresses = []
        self._preConnectWrites = []
        self._stopConnectTimer()
        connector = self._connector
        self._connector = None
        if connector is not None:
            connector.stopConnecting()

    # -- transport events ------------------------------------------------

    def _connectionMade(self, protocol: _SocketProtocol) -> None:
        transport = protocol.transport
        self._protocol = protocol
        self._transport = transport
        self._connector = None
        self._stopConnectTimer()
        transport.onWritten = self._onWritten  # type: ignore[union-attr]
        try:
            self._fd = transport.fileno()  # type: ignore[union-attr]
        except AttributeError:
            self._fd = -1
        peer = transport.getPeer()  # type: ignore[union-attr]
        host = getattr(peer, "host", None)
        if host is None:  # a UNIX socket: no IP address, no port (Qt: Null, 0)
            self._peer = None
        else:
            scope = getattr(peer, "scopeID", 0)
            if scope and "%" not in host:
                host = f"{host}%{scope}"
            self._peer = (host, getattr(peer, "port", 0))
        self._local = None
        for option, value in self._options.items():
            self._applyOption(option, value)
        if self._readBufferSize:
            self._limitReading()
        wasConnecting = self._state == SocketState.ConnectingState
        if not wasConnecting:
            # An accepted connection (setSocketDescriptor() sets the state
            # and mode itself; an endpoint connection has neither).
            if self._openMode == OpenModeFlag.NotOpen:
                self._openMode = OpenModeFlag.ReadWrite
            self._state = SocketState.ConnectedState
            return
        pending, self._preConnectWrites = self._preConnectWrites, []
        if pending:
            transport.writeSequence(pending)  # type: ignore[union-attr]
        self._state = SocketState.ConnectedState
        self.stateChanged.emit(SocketState.ConnectedState)
        if self._state != SocketState.ConnectedState:
            return
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
        state = self._state
        if state == SocketState.UnconnectedState:
            return
        if state == SocketState.ClosingState and self._closingByUs:
            # Our own disconnectFromHost() has finished flushing.
            self._finishDisconnect()
            return
        code, text = failureToError(reason)
        # Qt: errorOccurred while still connected, then the close sequence
        # (B: readFromSocket -> setErrorAndEmit -> disconnectFromHost).
        self._setErrorAndEmit(code, text)
        if self._state == state and self._transport is None:
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
        """
        The end of every path from a connection to C{UnconnectedState}:
        C{stateChanged(ClosingState)} (unless C{previous} is given: abort()
        skips it), C{stateChanged(UnconnectedState)},
        C{readChannelFinished}, and C{disconnected} if the socket had been
        connected.  A slot that takes over (aborts, reconnects) ends it.
        """
        if previous is None:
            previous = self._state
            if previous != SocketState.ClosingState:
                self._state = SocketState.ClosingState
                self.stateChanged.emit(SocketState.ClosingState)
                if self._state != SocketState.ClosingState:
                    return
        self._closingByUs = False
        self._pendingClose = False
        self._state = SocketState.UnconnectedState
        self.stateChanged.emit(SocketState.UnconnectedState)
        self.readChannelFinished.emit()
        if previous in (SocketState.ConnectedState, SocketState.ClosingState):
            self.disconnected.emit()
        if self._state == SocketState.UnconnectedState:
            # As in Qt, the addresses are cleared after disconnected.
            self._peer = None
            self._local = None
            self._releaseFromParent()
        self._ended()

    def _ended(self) -> None:
        """
        The socket has become unconnected, or a connection attempt failed;
        called after the last signal of that sequence, for C{waitFor...()}.
        """
        waiters = self._endWaiters
        if waiters:
            self._endWaiters = []
            for waiter in waiters:
                waiter()

    # -- closing ---------------------------------------------------------

    def disconnectFromHost(self) -> None:
        """
        Close the connection once all written data is sent; mirrors
        C{QAbstractSocket::disconnectFromHost}.

        With nothing left to send the socket becomes unconnected (and emits
        L{disconnected}) before this returns, as in Qt; otherwise it enters
        C{ClosingState} and finishes when the data has been sent.  During a
        host lookup or connection attempt, the socket connects first, then
        closes.  Unread input stays readable.
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
            if self._state != SocketState.ClosingState:
                return  # a slot took over
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

    def abort(self) -> None:
        """
        Close the connection at once, discarding unsent data and unread
        input; mirrors C{QAbstractSocket::abort}.  Signals (L{aboutToClose},
        C{stateChanged(UnconnectedState)}, L{readChannelFinished},
        L{disconnected}) are emitted before it returns; there is no
        C{ClosingState}.
        """
        self._preConnectWrites = []
        if self._openMode != OpenModeFlag.NotOpen:
            self.aboutToClose.emit()
        self._openMode = OpenModeFlag.NotOpen
        self._rbuf.clear()
        state = self._state
        if state in (SocketState.HostLookupState, SocketState.ConnectingState):
            self._cancelConnect()
            self._pendingClose = False
            self._state = SocketState.UnconnectedState
            self.stateChanged.emit(SocketState.UnconnectedState)
            self.readChannelFinished.emit()
            self._ended()
            return
        transport = self._transport
        self._detachTransport()
        if transport is not None:
            # Unsent data is dropped, but the close is orderly (the peer
            # reads EOF), as Qt's abort() closes the descriptor.
            _transport.closeNow(transport)
        if state != SocketState.UnconnectedState:
            # Qt's abort() goes straight to UnconnectedState (no Closing).
            self._finishDisconnect(previous=state)

    def close(self) -> None:
        """
        Close the device and the connection; mirrors C{QAbstractSocket::close}.

        Emits L{aboutToClose}, discards unread data, then disconnects as
        L{disconnectFromHost} does (unsent data is still sent, so the socket
        may stay in C{ClosingState} for a while after this returns).
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
        success: BoundSignal[Unpack[tuple[Any, ...]]],
        onTimeout: Callable[[], None],
        atEnd: bool = False,
    ) -> Deferred[bool]:
        """
        A Deferred for a C{waitFor...()} call.

        It fires C{True} on the next emission of C{success}; C{False} when
        the socket ends (see L{_ended}) without it; C{False} after C{msecs}
        (-1: never), once C{onTimeout} has run.  With C{atEnd}, an emission
        of C{success} only marks success, and the Deferred fires when the
        socket ends, after the last signal of the sequence, as Qt's blocking
        call returns after it.  Cancelling the Deferred stops the wait.
        """
        timer: IDelayedCall | None = None
        seen = False

        def stop() -> None:
            success.disconnect(ok)
            try:
                self._endWaiters.remove(ended)
            except ValueError:
                pass
            if timer is not None and timer.active():
                timer.cancel()

        d: Deferred[bool] = Deferred(lambda _: stop())

        def ok(*args: object) -> None:
            nonlocal seen
            if atEnd:
                seen = True
                return
            stop()
            d.callback(True)

        def ended() -> None:
            stop()
            d.callback(seen)

        def expired() -> None:
            nonlocal timer
            timer = None
            stop()
            onTimeout()
            d.callback(False)

        success.connect(ok)
        self._endWaiters.append(ended)
        if msecs >= 0:
            timer = self._reactor.callLater(msecs / 1000.0, expired)
        return d

    def _engineTimeout(self) -> None:
        # Qt's engine timeout (waitForReadyRead and friends): reported with
        # errorOccurred, and the socket stays as it was.
        self._setErrorAndEmit(SocketError.SocketTimeoutError, Strings.TimeOut)

    def waitForConnected(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until connected; Qt blocks, this returns a L{Deferred}.

        Fires C{True} at once if already connected, C{False} at once if not
        connecting, C{False} when the attempt fails.  On timeout the attempt
        is abandoned as in Qt: C{SocketTimeoutError} "Socket operation timed
        out" is set and C{stateChanged(UnconnectedState)} emitted, without
        L{errorOccurred}.
        """
        checkMsecs(msecs)
        if self._state == SocketState.ConnectedState:
            return succeed(True)
        if self._state not in (SocketState.HostLookupState, SocketState.ConnectingState):
            return succeed(False)

        def giveUp() -> None:
            self._setError(SocketError.SocketTimeoutError, Strings.SocketTimeOut)
            self._cancelConnect()
            self._pendingClose = False
            self._setState(SocketState.UnconnectedState)
            self._ended()

        return self._waitFor(msecs, self.connected, giveUp)

    def waitForReadyRead(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait for new data; Qt blocks, this returns a L{Deferred} firing
        C{True} on the next L{readyRead}, C{False} at once when unconnected,
        when the socket disconnects (or fails to connect), or after
        C{msecs}.  On timeout L{errorOccurred} is emitted with
        C{SocketTimeoutError} and the socket stays connected, as in Qt;
        except when the read buffer is full (L{setReadBufferSize}), where Qt
        returns C{False} without an error.
        """
        checkMsecs(msecs)
        if self._state == SocketState.UnconnectedState:
            return succeed(False)

        def timedOut() -> None:
            limit = self._readBufferSize
            if limit > 0 and len(self._rbuf) >= limit:
                return
            self._engineTimeout()

        return self._waitFor(msecs, self.readyRead, timedOut)

    def waitForBytesWritten(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until some buffered data was sent; a L{Deferred} firing C{True}
        on the next L{bytesWritten}, C{False} at once if nothing is
        buffered, when the socket ends, or after C{msecs} (with
        C{SocketTimeoutError} emitted, as in Qt).
        """
        checkMsecs(msecs)
        if self._state == SocketState.UnconnectedState:
            _log.warn(
                "QAbstractSocket::waitForBytesWritten() is not allowed in UnconnectedState"
            )
            return succeed(False)
        if not self.bytesToWrite():
            return succeed(False)
        return self._waitFor(msecs, self.bytesWritten, self._engineTimeout)

    def waitForDisconnected(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until disconnected; a L{Deferred} firing C{True} on
        L{disconnected}, C{False} at once when already unconnected (Qt
        warns there), when a connection attempt ends without connecting, or
        after C{msecs} (with C{SocketTimeoutError} emitted; the socket stays
        connected).
        """
        checkMsecs(msecs)
        if self._state == SocketState.UnconnectedState:
            _log.warn(
                "QAbstractSocket::waitForDisconnected() is not allowed in UnconnectedState"
            )
            return succeed(False)
        return self._waitFor(msecs, self.disconnected, self._engineTimeout, atEnd=True)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self._state.name}"
            f" peer={self._peer!r} buffered={len(self._rbuf)}>"
        )


# Qt's QT_CONNECT_TIMEOUT: how long one address may take to connect.
_CONNECT_TIMEOUT = 30.0

# Twisted's FileDescriptor.bufferSize: how much one recv() asks for.
_DEFAULT_RECV_SIZE = 65536

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

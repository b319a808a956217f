# -*- test-case-name: tests.test_tcpsocket -*-
"""
C{QAbstractSocket}: a Qt byte-stream socket on top of a Twisted transport.

Theory of operation
===================

A L{QAbstractSocket} is what the user holds: Qt's states, errors and
signals around one Twisted connection.  It is layered as Qt's is:

  - L{qtwisted._iodevice.QIODevice} (Qt's C{QIODevice}): the open mode,
    the read buffer and the reading API, C{write()}'s checks, and the four
    C{QIODevice} signals;
  - this module: the socket's state machine, sending (C{_writeData}),
    closing, the read buffer limit, addresses and options;
  - L{qtwisted._connecting}: how the socket gets its Twisted connection:
    the protocol that forwards the connection's events here,
    C{connectToHost()} (host lookup, then the addresses in turn, Qt's 30 s
    each) and C{setSocketDescriptor()};
  - L{qtwisted._transport}: what Qt's socket engine does (counting the
    bytes sent, closing at once, the OS socket's addresses and options);
  - L{qtwisted._waiting}: the Deferreds that stand in for Qt's blocking
    C{waitFor...()} calls;
  - L{qtwisted._enums.AbstractSocketNamespace}: Qt's nested enumerations
    and their unscoped aliases (C{QAbstractSocket.AddressInUseError}).

With C{setReadBufferSize(n)}, a buffer holding n bytes or more pauses
reading from the peer (the kernel's receive window then closes and the
peer's writes block: backpressure), and reading below n resumes it; while
there is room, Twisted is asked to read no more than that room.

Qt emits many signals synchronously from inside calls such as
C{disconnectFromHost()} and C{abort()}; we do the same, by moving the state
machine ourselves and letting Twisted's (asynchronous) C{connectionLost} find
the socket already closed.  C{abort()} closes the descriptor at once
(L{_transport.closeNow}), so the peer reads an orderly end of stream, as
with Qt, rather than the reset Twisted's C{abortConnection()} sends.  Slots
may call back into the socket (abort from C{readyRead}, reconnect from
C{disconnected}); each close sequence checks, after the signals a slot could
act on, whether it is still in charge.

Qt blocks in C{waitFor...()}; here each returns a C{Deferred} firing with
Qt's boolean result (see L{qtwisted._waiting}).  Every path to
C{UnconnectedState}, a failed connection attempt included, calls
L{QAbstractSocket._ended} after its last signal: that ends the waits.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger
from twisted.python.failure import Failure

from . import _transport
from ._addresses import SocketAddresses
from ._connecting import ConnectAttempt, SocketProtocol, adoptDescriptor, connectSocket
from ._enums import (
    AbstractSocketNamespace,
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
from ._iodevice import QIODevice
from ._object import QObjectBase
from ._proxy import QNetworkProxy
from ._signal import Signal
from ._waiting import Waiters, checkMsecs

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_log = Logger(namespace="qtwisted.socket")


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


class QAbstractSocket(QIODevice, AbstractSocketNamespace, SocketAddresses):
    """
    The base of L{QTcpSocket} (and C{QSslSocket}); mirrors C{QAbstractSocket}.

    A byte stream with Qt's C{QIODevice} reading and writing API, Qt's states,
    errors and signals.  Network problems never raise: they set L{error} and
    L{errorString} and emit L{errorOccurred}.  Qt's blocking C{waitFor...()}
    calls return C{Deferred}s here.
    """

    # Signals: QAbstractSocket's own (the QIODevice ones are inherited).
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
        self._readBufferSize = 0
        self._transport: Any = None
        self._protocol: SocketProtocol | None = None
        self._preConnectWrites: list[bytes] = []
        self._peer: tuple[Any, ...] | None = None
        self._local: tuple[Any, ...] | None = None
        self._peerName = ""
        self._fd = -1
        self._proxy = QNetworkProxy(QNetworkProxy.ProxyType.DefaultProxy)
        self._pauseMode = PauseMode.PauseNever
        self._options: dict[SocketOption, object] = {}
        self._connecting: ConnectAttempt | None = None
        self._closingByUs = False
        self._pendingClose = False
        self._waiters = Waiters(self._reactor)

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

    # -- writing ---------------------------------------------------------

    # Subclasses that put a layer between write() and the transport (TLS)
    # turn the fast path of write() off.
    _writesToTransport = True

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """
        Queue C{data} for sending; mirrors C{QIODevice::write}.

        @return: the number of bytes queued, or -1 if the socket is not open
            for writing (Qt warns "device not open") or no longer connected
            (L{error} is then C{UnknownSocketError} and L{errorString}
            "Socket is not connected", as in Qt).
        @raise TypeError: for a C{str} or other non-bytes value.
        """
        # The per-message path of every echo-like server: one call from the
        # slot to Twisted's transport when nothing needs checking.
        transport = self._transport
        if (
            type(data) is bytes
            and self._writesToTransport
            and transport is not None
            and self._writable
            and self._state is SocketState.ConnectedState
        ):
            transport.write(data)
            return len(data)
        return QIODevice.write(self, data)

    def _writeData(self, chunk: bytes) -> int:
        state = self._state
        if state == SocketState.ConnectedState or state == SocketState.ClosingState:
            transport = self._transport
            if transport is None:
                self._setError(SocketError.UnknownSocketError, Strings.NotConnected)
                return -1
            transport.write(chunk)
            return len(chunk)
        if state == SocketState.UnconnectedState:
            self._setError(SocketError.UnknownSocketError, Strings.NotConnected)
            return -1
        # HostLookup or Connecting: Qt buffers until connected.
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
        kernel takes now, without waiting (L{bytesWritten<QIODevice.bytesWritten>}
        is emitted before this returns if anything was sent).

        @return: C{True} if any data was sent.
        """
        transport = self._transport
        if transport is None:
            return False
        return _transport.flushNow(transport)

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

    def peerName(self) -> str:
        """
        The host name given to L{connectToHost}, or an empty string.
        """
        return self._peerName

    def _rawTransport(self) -> Any:
        """
        The Twisted transport that owns the OS socket: C{_transport}, or
        for a subclass that layers a protocol over it (C{QSslSocket}'s
        TLS), the transport underneath.  Addresses and socket options are
        read and set there.
        """
        return self._transport

    # -- options ---------------------------------------------------------

    def setSocketOption(self, option: SocketOption, value: object) -> None:
        """
        Set a socket option; mirrors C{QAbstractSocket::setSocketOption}.

        Options set before the connection exists are applied when it does.
        """
        option = SocketOption(option)
        self._options[option] = value
        _transport.setOption(self._rawTransport(), option, value)

    def socketOption(self, option: SocketOption) -> object:
        """
        Read a socket option from the live socket (or the value set).
        """
        option = SocketOption(option)
        return _transport.getOption(self._rawTransport(), option, self._options.get(option))

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
        L{peerAddress<qtwisted._addresses.SocketAddresses.peerAddress>}
        is Null.

        @return: C{True} on success; C{False} with
            C{UnsupportedSocketOperationError} and C{"Invalid socket
            descriptor"} if it is not a connected stream socket.
        """
        if isinstance(socketDescriptor, bool) or not isinstance(socketDescriptor, int):
            raise TypeError(
                f"socketDescriptor must be an int, not {type(socketDescriptor).__name__}"
            )
        if type(state) is not SocketState:  # the enum call costs ~1 us per connection
            state = SocketState(state)
        return adoptDescriptor(self, socketDescriptor, state, openMode)

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

    def _takeTransport(self) -> tuple[Any, bytes]:
        """
        Hand this socket's connection over to another protocol, without a
        signal: the socket is left unconnected, closed and out of its
        parent's children, and emits nothing more.

        For L{QWebSocketServer<qtwisted.QWebSocketServer>}, whose websockets
        take over the byte stream of the sockets it accepts, so that no
        C{QTcpSocket} stays in their data path.  The caller must route the
        transport's events to its own protocol before returning to the
        reactor (C{transport.protocol}, or C{wrappedProtocol} under TLS).

        @return: the Twisted transport (C{None} if the socket had none) and
            the bytes received that nobody read.
        """
        transport = self._transport
        unread = bytes(self._rbuf)
        self._rbuf.clear()
        paused = self._readPaused
        self._detachTransport()
        self._state = SocketState.UnconnectedState
        self._openMode = OpenModeFlag.NotOpen
        self._peer = None
        self._local = None
        self._releaseFromParent()
        if transport is not None:
            if self._readBufferSize and hasattr(transport, "bufferSize"):
                transport.bufferSize = _DEFAULT_RECV_SIZE
            if paused:
                transport.resumeProducing()
        return transport, unread

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
        connectSocket(self, host, port, openMode, protocol)

    def _cancelConnect(self) -> None:
        attempt, self._connecting = self._connecting, None
        self._preConnectWrites = []
        if attempt is not None:
            attempt.cancel()

    # -- transport events ------------------------------------------------

    def _connectionMade(self, protocol: SocketProtocol) -> None:
        transport = protocol.transport
        self._protocol = protocol
        self._transport = transport
        attempt = self._connecting
        if attempt is not None:
            self._connecting = None
            attempt.succeeded()
        if self._bytesWrittenBound:
            transport.onWritten = self._onWritten  # type: ignore[union-attr]
        try:
            self._fd = transport.fileno()  # type: ignore[union-attr]
        except AttributeError:
            self._fd = -1
        self._peer = _transport.peerOf(transport)
        self._local = None
        for option, value in self._options.items():
            _transport.setOption(transport, option, value)
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

    def _signalBound(self, name: str) -> None:
        # Count written bytes only once somebody may listen (see
        # _transport._WriteReporting); waitForBytesWritten() reads the
        # signal too, so it is covered.
        if name != "bytesWritten":
            return
        self._bytesWrittenBound = True
        transport = getattr(self, "_transport", None)
        if transport is not None:
            if getattr(transport, "onWritten", self) is None:
                transport.onWritten = self._onWritten

    def _connectionLost(self, reason: Failure) -> None:
        """
        The transport is gone and we did not expect it: the peer closed, or
        the network failed.
        """
        code, text = self._lostError(reason)
        self._detachTransport()
        state = self._state
        if state == SocketState.UnconnectedState:
            return
        if state == SocketState.ClosingState and self._closingByUs:
            # Our own disconnectFromHost() has finished flushing.
            self._finishDisconnect()
            return
        # Qt: errorOccurred while still connected, then the close sequence
        # (B: readFromSocket -> setErrorAndEmit -> disconnectFromHost).
        self._setErrorAndEmit(code, text)
        if self._state == state and self._transport is None:
            self._finishDisconnect()

    def _lostError(self, reason: Failure) -> tuple[SocketError, str]:
        """
        Qt's error code and text for a connection that ended with
        C{reason} (called while the transport is still attached); a
        subclass with a protocol layer over TCP (TLS) refines it.
        """
        return failureToError(reason)

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
        self._waiters.end()

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
        input; mirrors C{QAbstractSocket::abort}.  Signals
        (L{aboutToClose<QIODevice.aboutToClose>},
        C{stateChanged(UnconnectedState)},
        L{readChannelFinished<QIODevice.readChannelFinished>},
        L{disconnected}) are emitted before it returns; there is no
        C{ClosingState}.
        """
        self._preConnectWrites = []
        # QIODevice::close(): aboutToClose, NotOpen, unread data dropped.
        super().close()
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

        Emits L{aboutToClose<QIODevice.aboutToClose>}, discards unread data,
        then disconnects as L{disconnectFromHost} does (unsent data is still
        sent, so the socket may stay in C{ClosingState} for a while after
        this returns).
        """
        super().close()
        if self._state != SocketState.UnconnectedState:
            self.disconnectFromHost()
        if self._state == SocketState.UnconnectedState:
            self._peer = None
            self._local = None

    def _destroyed(self) -> None:
        self.abort()

    # -- waiting ---------------------------------------------------------

    def _engineTimeout(self) -> None:
        # Qt's engine timeout (waitForReadyRead and friends): reported with
        # errorOccurred, and the socket stays as it was.
        self._setErrorAndEmit(SocketError.SocketTimeoutError, Strings.TimeOut)

    def waitForConnected(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until connected; Qt blocks, this returns a C{Deferred}.

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

        return self._waiters.waitFor(msecs, self.connected, giveUp)

    def waitForReadyRead(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait for new data; Qt blocks, this returns a C{Deferred} firing
        C{True} on the next L{readyRead<QIODevice.readyRead>}, C{False} at
        once when unconnected, when the socket disconnects (or fails to
        connect), or after C{msecs}.  On timeout L{errorOccurred} is emitted with
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

        return self._waiters.waitFor(msecs, self.readyRead, timedOut)

    def waitForBytesWritten(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until some buffered data was sent; a C{Deferred} firing C{True}
        on the next L{bytesWritten<QIODevice.bytesWritten>}, C{False} at once
        if nothing is buffered, when the socket ends, or after C{msecs}
        (with C{SocketTimeoutError} emitted, as in Qt).
        """
        checkMsecs(msecs)
        if self._state == SocketState.UnconnectedState:
            _log.warn(
                "QAbstractSocket::waitForBytesWritten() is not allowed in UnconnectedState"
            )
            return succeed(False)
        if not self.bytesToWrite():
            return succeed(False)
        return self._waiters.waitFor(msecs, self.bytesWritten, self._engineTimeout)

    def waitForDisconnected(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until disconnected; a C{Deferred} firing C{True} on
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
        return self._waiters.waitFor(
            msecs, self.disconnected, self._engineTimeout, atEnd=True
        )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self._state.name}"
            f" peer={self._peer!r} buffered={len(self._rbuf)}>"
        )


# Twisted's FileDescriptor.bufferSize: how much one recv() asks for.
_DEFAULT_RECV_SIZE = 65536

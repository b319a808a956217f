# -*- test-case-name: tests.test_sslsocket -*-
"""
C{QSslSocket}: a L{QTcpSocket <qtwisted.QTcpSocket>} that can encrypt its
connection with TLS.

Theory of operation
===================

A socket starts unencrypted, as Qt's does: everything of C{QTcpSocket}
works unchanged.  C{startServerEncryption()} or C{startClientEncryption()}
(which C{connectToHostEncrypted()} calls once TCP is connected) sets the
mode, emits C{modeChanged}, takes a pyOpenSSL context for the socket's
configuration snapshot (L{contextFor}; one context per snapshot, built
once) and interposes a TLS layer between the TCP transport and the socket
(L{qtwisted._ssl._tls}).  From then on the socket's transport I{is} the TLS
layer: C{write()} hands plaintext to OpenSSL, decrypted bytes arrive in the
read buffer through Twisted's own frames, C{disconnectFromHost()} sends
close_notify before closing TCP.

The handshake (L{qtwisted._ssl._handshake}, whose functions are the
socket's private methods) follows Qt's
C{TlsCryptographOpenSSL::startHandshake}:

  1. OpenSSL never fails a handshake over a certificate: the shared
     context's verify callback records each problem
     (L{VerifyRecorder <qtwisted._ssl._context.VerifyRecorder>}).  After
     each step the socket emits C{peerVerifyError} for the problems found
     during it.
  2. When Twisted reports the handshake complete (L{IHandshakeListener}),
     what was negotiated (peer certificate chain, cipher, protocol,
     ALPN) becomes readable (from the connection, when first asked), the
     socket adds C{HostNameMismatch} (a client whose
     peer name the certificate does not match, checked with
     C{service_identity}) or C{NoPeerCertificate} (no certificate from a
     peer it verifies), emits C{sslErrors} with all problems, and, if it
     verifies its peer and the problems were not ignored
     (C{ignoreSslErrors()}, which a slot may call I{inside} C{sslErrors}),
     fails with C{SslHandshakeFailedError} and the first problem's text,
     sends close_notify and disconnects.
  3. Otherwise it is encrypted: C{encrypted} is emitted, and bytes that
     came with the peer's last handshake message are delivered right after.

A handshake that OpenSSL itself fails (no shared cipher, a wrong PSK, a
fatal alert from the peer, a ClientHello that is not one) emits the alerts
recorded, then C{errorOccurred(SslHandshakeFailedError)} with C{"Error
during SSL handshake: "} and OpenSSL's errors, and the socket goes to
C{UnconnectedState} as with C{abort()}; the TLS layer still sends OpenSSL's
alert before closing TCP.  With C{handshakeMustInterruptOnError(True)} the
verify callback emits C{handshakeInterruptedOnError} I{inside} the
handshake instead, and the handshake fails unless the slot calls
L{QSslSocket.continueInterruptedHandshake} (B46).

Slots of C{preSharedKeyAuthenticationRequired} and
C{handshakeInterruptedOnError} run inside OpenSSL (its callbacks need the
answer before they return): they must decide synchronously and must not
write to, close or abort the socket.  Alerts are recorded inside OpenSSL
too and emitted once the OpenSSL call returns.

A L{QSslServer <qtwisted._ssl._server.QSslServer>} relays a socket's
signals while it is in its handshake.  Instead of eight signal connections
per accepted socket, the server gives the socket a link object
(C{_link}); each emission point calls the link first, then emits the
socket's own signal, which is the order Qt's connections would give (the
server connects before anyone else can).  The server cuts the link on
C{encrypted}, as Qt's server disconnects from the socket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Final, Iterable, TypeAlias

from OpenSSL import SSL
from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger
from twisted.python.failure import Failure

from .. import _transport
from .._enums import NetworkLayerProtocol, OpenModeFlag, SocketError, SocketState
from .._errors import Strings, failureToError
from .._object import QObjectBase
from .._signal import Signal
from .._tcpsocket import QTcpSocket
from .._waiting import checkMsecs
from ._certificate import QSslCertificate
from ._cipher import QSslCipher
from ._configuration import QSslConfiguration
from ._context import contextFor
from ._error import QSslError
from ._key import QSslKey
from ._presharedkey import QSslPreSharedKeyAuthenticator
from ._qssl import PeerVerifyMode, QSsl, SslMode
from . import _handshake
from ._session import SslStrings, isAddress, openSslErrors, readSession, settingsOnly
from ._tls import TlsLayer, startTls

if TYPE_CHECKING:
    from ._server import _Handshake

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).

_log = Logger(namespace="qtwisted.socket")

_Connected: Final = SocketState.ConnectedState
_Closing: Final = SocketState.ClosingState
_Unconnected: Final = SocketState.UnconnectedState
_Unencrypted: Final = SslMode.UnencryptedMode


class QSslSocket(QTcpSocket):
    """
    A TCP socket with TLS; mirrors C{QSslSocket}.

    A client calls L{connectToHostEncrypted}, waits for L{encrypted}, and
    uses the socket as a byte stream; a server gets these from
    L{QSslServer.nextPendingConnection <qtwisted.QSslServer.nextPendingConnection>}
    already encrypted.  Certificate problems are reported through
    L{peerVerifyError} and L{sslErrors}; call L{ignoreSslErrors} inside the
    L{sslErrors} slot to go on.  Qt's blocking L{waitForEncrypted} returns
    a C{Deferred}.  Differences from Qt are listed in the documentation's
    deviations chapter.
    """

    # write() must go through _writeData(), which encrypts.
    _writesToTransport = False

    SslMode: TypeAlias = SslMode
    PeerVerifyMode: TypeAlias = PeerVerifyMode
    UnencryptedMode: Final = SslMode.UnencryptedMode
    SslClientMode: Final = SslMode.SslClientMode
    SslServerMode: Final = SslMode.SslServerMode
    VerifyNone: Final = PeerVerifyMode.VerifyNone
    QueryPeer: Final = PeerVerifyMode.QueryPeer
    VerifyPeer: Final = PeerVerifyMode.VerifyPeer
    AutoVerifyPeer: Final = PeerVerifyMode.AutoVerifyPeer

    encrypted: Signal[()] = Signal()
    """Emitted when the handshake has succeeded: the connection is encrypted."""
    modeChanged: Signal[SslMode] = Signal()
    """Emitted with the new mode when the socket starts a TLS handshake."""
    encryptedBytesWritten: Signal[int] = Signal()
    """Emitted with the number of encrypted bytes handed to the OS."""
    peerVerifyError: Signal[QSslError] = Signal()
    """Emitted for each problem with the peer's identity, during the handshake."""
    sslErrors: Signal[list[QSslError]] = Signal()
    """Emitted once with every problem found, at the end of the handshake;
    call L{ignoreSslErrors} in the slot to continue anyway."""
    preSharedKeyAuthenticationRequired: Signal[QSslPreSharedKeyAuthenticator] = Signal()
    """TLS-PSK: fill in the authenticator (identity, key) before returning."""
    alertSent: Signal[QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """Emitted with level, type and description of each TLS alert sent."""
    alertReceived: Signal[QSsl.AlertLevel, QSsl.AlertType | int, str] = Signal()
    """Emitted with level, type and description of each TLS alert received."""
    handshakeInterruptedOnError: Signal[QSslError] = Signal()
    """With C{handshakeMustInterruptOnError}: a certificate problem, reported
    inside the handshake (see L{continueInterruptedHandshake})."""

    # Per-socket state.  The defaults live on the class, so that a server
    # creating a socket per connection writes only what differs.
    _mode = _Unencrypted
    _encrypted = False
    _autoStartHandshake = False
    _initialized = False
    _tls: TlsLayer | None = None
    _lastLayer: TlsLayer | None = None
    _tlsPending: list[bytes] = []  # never mutated: _init() gives each socket its own
    _plainPending = 0
    _ignoreAll = False
    _ignoreList: list[QSslError] = []  # never mutated
    _handshakeErrors: list[QSslError] = []  # never mutated
    _continueInterrupted = False
    _closeAfterHandshake = False
    _link: _Handshake | None = None
    _configuration: QSslConfiguration | None = None
    _configurationShared = False
    _peerVerifyName = ""
    _sessionSource: tuple[SSL.Connection, TlsLayer] | None = None
    _sessionState: dict[str, Any] | None = None

    # The handshake, step by step (qtwisted._ssl._handshake), as private
    # methods: the TLS layer and the server call them on the socket.
    _tlsStepDone = _handshake.tlsStepDone
    _emitNewVerifyErrors = _handshake.emitNewVerifyErrors
    _emitPeerVerifyError = _handshake.emitPeerVerifyError
    _emitAlerts = _handshake.emitAlerts
    _emitPreSharedKeyAuthenticationRequired = _handshake.emitPreSharedKeyAuthenticationRequired
    _interruptedOnError = _handshake.interruptedOnError
    _handshakeFailed = _handshake.handshakeFailed
    _closeUnderTls = _handshake.closeUnderTls
    _handshakeCompleted = _handshake.handshakeCompleted
    _errorsIgnored = _handshake.errorsIgnored
    _continueHandshake = _handshake.continueHandshake

    def __init__(self, parent: QObjectBase | None = None, reactor: Any = None) -> None:
        """
        @param parent: the owning object, if any.
        @param reactor: the reactor to use; the global one by default.
        """
        super().__init__(parent, reactor)

    # -- configuration ------------------------------------------------------

    def _config(self) -> QSslConfiguration:
        """
        The configuration, for reading (it may be shared with the server
        that accepted the socket).
        """
        configuration = self._configuration
        if configuration is None:
            configuration = self._configuration = QSslConfiguration.defaultConfiguration()
        return configuration

    def _writableConfig(self) -> QSslConfiguration:
        """
        The configuration, for a setter: the socket's own copy.
        """
        if self._configurationShared:
            self._configuration = QSslConfiguration(self._config())
            self._configurationShared = False
        return self._config()

    def _shareConfiguration(self, configuration: QSslConfiguration) -> None:
        """
        Use C{configuration} (settings only, never changed by its owner:
        a server's) until a setter needs a copy.
        """
        self._configuration = configuration
        self._configurationShared = True

    def sslConfiguration(self) -> QSslConfiguration:
        """
        Mirrors C{QSslSocket::sslConfiguration()}: a copy of the socket's
        configuration, with what the handshake negotiated (peer
        certificates, cipher, protocol, ALPN) filled in.
        """
        configuration = QSslConfiguration(self._config())
        configuration._setSessionState(**self._session())
        return configuration

    def setSslConfiguration(self, configuration: QSslConfiguration) -> None:
        """
        Mirrors C{QSslSocket::setSslConfiguration()}: the settings used by
        the next handshake (the session state of C{configuration} is not
        copied).
        """
        if not isinstance(configuration, QSslConfiguration):
            raise TypeError(
                f"configuration must be a QSslConfiguration, not {type(configuration).__name__}"
            )
        self._configuration = settingsOnly(configuration)
        self._configurationShared = False

    def localCertificate(self) -> QSslCertificate:
        """
        Mirrors C{QSslSocket::localCertificate()}.
        """
        return self._config().localCertificate()

    def localCertificateChain(self) -> list[QSslCertificate]:
        """
        Mirrors C{QSslSocket::localCertificateChain()}.
        """
        return self._config().localCertificateChain()

    def setLocalCertificate(self, certificate: QSslCertificate) -> None:
        """
        Mirrors C{QSslSocket::setLocalCertificate()}.
        """
        self._writableConfig().setLocalCertificate(certificate)

    def setLocalCertificateChain(self, localChain: Iterable[QSslCertificate]) -> None:
        """
        Mirrors C{QSslSocket::setLocalCertificateChain()}.
        """
        self._writableConfig().setLocalCertificateChain(localChain)

    def privateKey(self) -> QSslKey:
        """
        Mirrors C{QSslSocket::privateKey()}.
        """
        return self._config().privateKey()

    def setPrivateKey(self, key: QSslKey) -> None:
        """
        Mirrors C{QSslSocket::setPrivateKey()}.
        """
        self._writableConfig().setPrivateKey(key)

    def peerVerifyMode(self) -> PeerVerifyMode:
        """
        Mirrors C{QSslSocket::peerVerifyMode()}.
        """
        return self._config().peerVerifyMode()

    def setPeerVerifyMode(self, mode: PeerVerifyMode) -> None:
        """
        Mirrors C{QSslSocket::setPeerVerifyMode()}.
        """
        self._writableConfig().setPeerVerifyMode(mode)

    def peerVerifyDepth(self) -> int:
        """
        Mirrors C{QSslSocket::peerVerifyDepth()}.
        """
        return self._config().peerVerifyDepth()

    def setPeerVerifyDepth(self, depth: int) -> None:
        """
        Mirrors C{QSslSocket::setPeerVerifyDepth()}.
        """
        self._writableConfig().setPeerVerifyDepth(depth)

    def peerVerifyName(self) -> str:
        """
        Mirrors C{QSslSocket::peerVerifyName()}: the name a client checks
        the server's certificate against (empty: C{peerName()}).
        """
        return self._peerVerifyName

    def setPeerVerifyName(self, hostName: str) -> None:
        """
        Mirrors C{QSslSocket::setPeerVerifyName()}.
        """
        if not isinstance(hostName, str):
            raise TypeError(f"hostName must be a str, not {type(hostName).__name__}")
        self._peerVerifyName = hostName

    def protocol(self) -> QSsl.SslProtocol:
        """
        Mirrors C{QSslSocket::protocol()}: the configured protocol range.
        """
        return self._config().protocol()

    def setProtocol(self, protocol: QSsl.SslProtocol) -> None:
        """
        Mirrors C{QSslSocket::setProtocol()}.
        """
        self._writableConfig().setProtocol(protocol)

    # -- session ------------------------------------------------------------

    def mode(self) -> SslMode:
        """
        Mirrors C{QSslSocket::mode()}.
        """
        return self._mode

    def isEncrypted(self) -> bool:
        """
        Mirrors C{QSslSocket::isEncrypted()}: C{True} once L{encrypted} has
        been emitted.
        """
        return self._encrypted

    def peerCertificate(self) -> QSslCertificate:
        """
        Mirrors C{QSslSocket::peerCertificate()}: the peer's certificate,
        or a null certificate.
        """
        chain = self._session().get("peerCertificateChain")
        return chain[0] if chain else QSslCertificate()

    def peerCertificateChain(self) -> list[QSslCertificate]:
        """
        Mirrors C{QSslSocket::peerCertificateChain()}: the peer's
        certificate first, then the chain it sent.
        """
        return list(self._session().get("peerCertificateChain", ()))

    def sessionCipher(self) -> QSslCipher:
        """
        Mirrors C{QSslSocket::sessionCipher()}.
        """
        cipher: QSslCipher = self._session().get("sessionCipher", QSslCipher())
        return cipher

    def sessionProtocol(self) -> QSsl.SslProtocol:
        """
        Mirrors C{QSslSocket::sessionProtocol()}.
        """
        protocol: QSsl.SslProtocol = self._session().get(
            "sessionProtocol", QSsl.SslProtocol.UnknownProtocol
        )
        return protocol

    def sslHandshakeErrors(self) -> list[QSslError]:
        """
        Mirrors C{QSslSocket::sslHandshakeErrors()}: what the last
        L{sslErrors} reported.
        """
        return list(self._handshakeErrors)

    def ignoreSslErrors(self, errors: Iterable[QSslError] | None = None) -> None:
        """
        Mirrors both C{QSslSocket::ignoreSslErrors()} overloads.

        Without an argument every certificate problem is ignored; with a
        list, the handshake goes on only if every problem found is in it
        (compared by code and certificate).  Call it in the L{sslErrors}
        slot, or before the handshake (after L{connectToHostEncrypted},
        which resets it).
        """
        if errors is None:
            self._ignoreAll = True
            return
        chosen = list(errors)
        for error in chosen:
            if not isinstance(error, QSslError):
                raise TypeError(f"expected QSslError values, not {type(error).__name__}")
        self._ignoreList = chosen

    def continueInterruptedHandshake(self) -> None:
        """
        Mirrors C{QSslSocket::continueInterruptedHandshake()}: called in a
        L{handshakeInterruptedOnError} slot, let the handshake go on.
        """
        self._continueInterrupted = True

    def encryptedBytesAvailable(self) -> int:
        """
        Mirrors C{QSslSocket::encryptedBytesAvailable()}: always 0, as
        received bytes go to OpenSSL at once.
        """
        return 0

    def encryptedBytesToWrite(self) -> int:
        """
        Mirrors C{QSslSocket::encryptedBytesToWrite()}: encrypted bytes not
        yet handed to the OS.
        """
        tls = self._tls
        if tls is None:
            return 0
        return _transport.bufferedBytes(tls.transport)

    @staticmethod
    def supportsSsl() -> bool:
        """
        Mirrors C{QSslSocket::supportsSsl()}: always C{True}.
        """
        return True

    @staticmethod
    def sslLibraryVersionString() -> str:
        """
        Mirrors C{QSslSocket::sslLibraryVersionString()}: the OpenSSL that
        pyOpenSSL uses.
        """
        return SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode("ascii", "replace")

    @staticmethod
    def sslLibraryVersionNumber() -> int:
        """
        Mirrors C{QSslSocket::sslLibraryVersionNumber()}.
        """
        return int(SSL.OPENSSL_VERSION_NUMBER)

    def _emitIfBound(self, name: str, *args: Any) -> None:
        """
        Emit the signal C{name} if anything ever read it from this socket.

        A L{Signal} makes an object's L{BoundSignal} on first access and
        keeps it in the instance's C{__dict__} (see L{qtwisted._signal});
        a signal nobody accessed has no slot, so emitting it would only
        allocate.  For the signals every connection emits once or per
        write (a server makes thousands of sockets nobody listens to).
        """
        bound = self.__dict__.get(name)
        if bound is not None:
            bound.emit(*args)

    # -- starting encryption ------------------------------------------------

    def _init(self) -> None:
        # Qt's QSslSocketPrivate::init(): ignoreSslErrors(list) survives.
        self._mode = _Unencrypted
        self._autoStartHandshake = False
        self._encrypted = False
        self._ignoreAll = False
        self._closeAfterHandshake = False
        self._tlsPending = []
        self._plainPending = 0
        self._sessionSource = None
        self._sessionState = None

    def connectToHost(
        self,
        hostName: Any,
        port: int,
        openMode: OpenModeFlag = OpenModeFlag.ReadWrite,
        protocol: NetworkLayerProtocol = NetworkLayerProtocol.AnyIPProtocol,
    ) -> None:
        """
        Connect without encryption (call L{startClientEncryption} later, or
        use L{connectToHostEncrypted}); mirrors C{QSslSocket::connectToHost}.
        """
        # Qt's QSslSocket::connectToHost(): init() unless
        # connectToHostEncrypted() just did.
        if not self._initialized:
            self._init()
        self._initialized = False
        super().connectToHost(hostName, port, openMode, protocol)

    def connectToHostEncrypted(
        self,
        hostName: str,
        port: int,
        mode: OpenModeFlag | str = OpenModeFlag.ReadWrite,
        protocol: NetworkLayerProtocol | OpenModeFlag = NetworkLayerProtocol.AnyIPProtocol,
        peerVerifyName: str | NetworkLayerProtocol = "",
    ) -> None:
        """
        Connect and start the TLS handshake as soon as TCP is connected;
        mirrors both C{QSslSocket::connectToHostEncrypted} overloads.

        The server's certificate is checked against C{peerVerifyName}, else
        L{QSslSocket.peerVerifyName}, else C{hostName}.  Qt's second overload, whose
        third argument is that name (C{connectToHostEncrypted(host, port,
        "name")}), works too.  Data written before L{encrypted} is sent
        once the connection is encrypted.
        """
        if isinstance(mode, str):
            # connectToHostEncrypted(hostName, port, sslPeerName, mode, protocol)
            name = mode
            mode = protocol if isinstance(protocol, OpenModeFlag) else OpenModeFlag.ReadWrite
            protocol = (
                peerVerifyName
                if isinstance(peerVerifyName, NetworkLayerProtocol)
                else NetworkLayerProtocol.AnyIPProtocol
            )
            peerVerifyName = name
        if not isinstance(peerVerifyName, str):
            raise TypeError(f"peerVerifyName must be a str, not {type(peerVerifyName).__name__}")
        if self._state in (_Connected, SocketState.ConnectingState):
            _log.warn(
                "QSslSocket::connectToHostEncrypted() called when already connecting/connected"
            )
            return
        self._init()
        self._autoStartHandshake = True
        self._initialized = True
        if peerVerifyName:
            self._peerVerifyName = peerVerifyName
        self.connectToHost(hostName, port, OpenModeFlag(mode), NetworkLayerProtocol(protocol))

    def _connectionMade(self, protocol: Any) -> None:
        if not self._autoStartHandshake or self._mode != _Unencrypted:
            super()._connectionMade(protocol)
            return
        # Qt: a close requested while connecting waits for encryption.
        pendingClose, self._pendingClose = self._pendingClose, False
        super()._connectionMade(protocol)
        if self._state in (_Connected, _Closing) and self._transport is protocol.transport:
            self._closeAfterHandshake = self._closeAfterHandshake or pendingClose
            self._startEncryption(SslMode.SslClientMode, self._takeBuffered())

    def startClientEncryption(self) -> None:
        """
        Start a client handshake on a connected, unencrypted socket;
        mirrors C{QSslSocket::startClientEncryption}.
        """
        if self._mode != _Unencrypted:
            _log.warn(
                "QSslSocket::startClientEncryption: cannot start handshake on non-plain connection"
            )
            return
        if self._state != _Connected:
            _log.warn(
                "QSslSocket::startClientEncryption: cannot start handshake when not connected"
            )
            return
        self._startEncryption(SslMode.SslClientMode, self._takeBuffered())

    def startServerEncryption(self) -> None:
        """
        Start a server handshake on a connected, unencrypted socket;
        mirrors C{QSslSocket::startServerEncryption}.  Bytes received and
        not read yet are taken as the start of the handshake.
        """
        if self._mode != _Unencrypted:
            _log.warn(
                "QSslSocket::startServerEncryption: cannot start handshake on non-plain connection"
            )
            return
        if self._state != _Connected:
            _log.warn(
                "QSslSocket::startServerEncryption: cannot start handshake when not connected"
            )
            return
        self._startEncryption(SslMode.SslServerMode, self._takeBuffered())

    def _takeBuffered(self) -> bytes:
        data = bytes(self._rbuf)
        self._rbuf.clear()
        return data

    def _startEncryption(self, mode: SslMode, initial: bytes) -> None:
        """
        Set the mode, emit C{modeChanged}, interpose the TLS layer and feed
        it C{initial} (what the peer sent before).
        """
        self._mode = mode
        self._emitIfBound("modeChanged", mode)
        if self._state not in (_Connected, _Closing) or self._transport is None:
            return  # a slot closed the socket
        configuration = self._config()
        isClient = mode == SslMode.SslClientMode
        try:
            context = contextFor(configuration._snapshot(), "client" if isClient else "server")
        except ValueError as e:
            # Qt: SslInvalidUserDataError with the context's error text; the
            # connection stays as it is.
            self._setErrorAndEmit(SocketError.SslInvalidUserDataError, str(e))
            return
        serverName: bytes | None = None
        if isClient and not configuration.testSslOption(
            QSsl.SslOption.SslOptionDisableServerNameIndication
        ):
            name = self._peerVerifyName or self._peerName
            if name and not isAddress(name):
                try:
                    serverName = name.encode("idna")
                except UnicodeError:
                    serverName = None
        onError = self._interruptedOnError if configuration.handshakeMustInterruptOnError() else None
        tcp = self._transport
        tls = self._tls = self._lastLayer = startTls(self, context, isClient, serverName, onError)
        tcp.onWritten = self._onEncryptedWritten
        pending, self._tlsPending = self._tlsPending, []
        if pending:
            data = b"".join(pending)
            tls.write(data)  # type: ignore[no-untyped-call]
            self._plainPending += len(data)
        tls.step(initial)

    def _awaitClientHello(self, callback: Callable[[bytes], None]) -> None:
        """
        Send the next bytes received to C{callback} instead of the read
        buffer (for L{QSslServer <qtwisted._ssl._server.QSslServer>}, which
        peeks at the first byte before it starts the handshake).
        """
        protocol = self._protocol
        if protocol is not None:
            protocol.dataReceived = callback  # type: ignore[method-assign, assignment]

    def _startServerEncryption(self, initial: bytes) -> None:
        """
        L{startServerEncryption} with the bytes a server already read.
        """
        if self._mode == _Unencrypted and self._state == _Connected:
            self._startEncryption(SslMode.SslServerMode, initial)

    def _session(self) -> dict[str, Any]:
        """
        What the handshake negotiated, as keyword arguments of
        C{QSslConfiguration._setSessionState}; read from the connection
        on first use.
        """
        state = self._sessionState
        if state is not None:
            return state
        source = self._sessionSource
        if source is None:
            return {}
        self._sessionSource = None
        connection, tls = source
        state = self._sessionState = readSession(
            connection,
            self._mode == SslMode.SslServerMode,
            tls._verifyRecorder.alpnStatus,
            bool(self._config().allowedNextProtocols()),
        )
        return state

    # -- writing ------------------------------------------------------------

    def _writeData(self, chunk: bytes) -> int:
        tls = self._tls
        if tls is not None:
            state = self._state
            if state == _Connected or state == _Closing:
                tls.write(chunk)  # type: ignore[no-untyped-call]
                self._plainPending += len(chunk)
                return len(chunk)
        elif self._autoStartHandshake and self._mode == _Unencrypted:
            if self._state == _Unconnected:
                self._setError(SocketError.UnknownSocketError, Strings.NotConnected)
                return -1
            # connectToHostEncrypted(): sent once the connection is encrypted.
            self._tlsPending.append(chunk)
            return len(chunk)
        return super()._writeData(chunk)

    def _onEncryptedWritten(self, count: int) -> None:
        plain = self._plainPending
        if plain:
            tls = self._tls
            if tls is not None and not tls._appSendBuffer:
                self._plainPending = 0
                self._emitIfBound("bytesWritten", plain)
        self._emitIfBound("encryptedBytesWritten", count)

    def bytesToWrite(self) -> int:
        """
        Bytes written but not yet handed to the OS; on an encrypted socket
        the plaintext count, as in Qt (see L{encryptedBytesToWrite}).
        """
        if self._tls is None and not self._autoStartHandshake:
            return super().bytesToWrite()
        return self._plainPending + sum(len(c) for c in self._tlsPending)

    def flush(self) -> bool:
        """
        Mirrors C{QSslSocket::flush}: send what the kernel takes now.
        """
        tls = self._tls
        if tls is None:
            return super().flush()
        # We may be inside Twisted's TLS loop: drop on the next turn.
        return _transport.flushNow(tls.transport, self._reactor)

    # -- closing ------------------------------------------------------------

    def disconnectFromHost(self) -> None:
        """
        Close once all written data is sent, after close_notify on an
        encrypted connection; mirrors C{QSslSocket::disconnectFromHost}.
        Data written during the handshake is sent first: the socket closes
        once the connection is encrypted.
        """
        tls = self._tls
        if self._state == _Connected and (
            (tls is not None and not self._encrypted and tls._appSendBuffer)
            or (tls is None and self._autoStartHandshake and self._tlsPending)
        ):
            # Qt: ClosingState now, the close itself once encrypted.
            self._closeAfterHandshake = True
            self._setState(_Closing)
            return
        super().disconnectFromHost()

    def _detachTransport(self) -> None:
        tls = self._tls
        if tls is not None:
            self._tls = None
            tcp: Any = tls.transport
            if tcp is not None:
                tcp.onWritten = None
        super()._detachTransport()

    def _finishDisconnect(self, previous: SocketState | None = None) -> None:
        # Qt's TlsCryptographOpenSSL::disconnected(): not encrypted any more
        # once the connection is gone (before the disconnected signal).
        self._encrypted = False
        super()._finishDisconnect(previous)

    def _connectionLost(self, reason: Failure) -> None:
        tls = self._tls
        if tls is not None and tls._alerts:
            # Alerts first (the peer's close_notify), as Qt reads them
            # before it reports the end of the connection.
            self._emitAlerts(tls)
        super()._connectionLost(reason)

    def _lostError(self, reason: Failure) -> tuple[SocketError, str]:
        tls = self._tls
        if tls is None:
            return super()._lostError(reason)
        exc = reason.value
        if isinstance(exc, SSL.Error):
            if not self._encrypted:
                return (
                    SocketError.SslHandshakeFailedError,
                    SslStrings.HandshakeError.format(openSslErrors(exc)),
                )
            return (SocketError.SslInternalError, SslStrings.ReadError.format(openSslErrors(exc)))
        if self._encrypted and tls.closeNotifyReceived:
            return (SocketError.RemoteHostClosedError, SslStrings.ConnectionClosed)
        return failureToError(reason)

    def _setErrorAndEmit(self, code: SocketError, text: str) -> None:
        self._setError(code, text)
        link = self._link
        if link is not None:
            link.errorOccurred(code)
        self.errorOccurred.emit(code)

    def setSocketDescriptor(
        self,
        socketDescriptor: int,
        state: SocketState = SocketState.ConnectedState,
        openMode: OpenModeFlag = OpenModeFlag.ReadWrite,
    ) -> bool:
        """
        Mirrors C{QSslSocket::setSocketDescriptor}: adopt a connected
        descriptor, unencrypted (call L{startServerEncryption} or
        L{startClientEncryption} next).
        """
        if self._tls is not None:
            self._tls = None
            self._mode = _Unencrypted
            self._encrypted = False
        return super().setSocketDescriptor(socketDescriptor, state, openMode)

    def _destroyed(self) -> None:
        super()._destroyed()
        link, self._link = self._link, None
        if link is not None:
            # Qt's server forgets a socket that is destroyed in its handshake.
            link.end()
            link.cut()
        layer, self._lastLayer = self._lastLayer, None
        if layer is not None:
            layer.detach()

    # -- the TCP transport under TLS ---------------------------------------

    def _rawTransport(self) -> Any:
        tls = self._tls
        return tls.transport if tls is not None else self._transport

    # -- waiting --------------------------------------------------------------

    def waitForEncrypted(self, msecs: int = 30000) -> Deferred[bool]:
        """
        Wait until the handshake has succeeded; Qt blocks, this returns a
        C{Deferred}.

        Fires C{True} on L{encrypted}; C{False} at once if the socket is
        already encrypted (as Qt returns), unconnected, or unencrypted and
        not started with L{connectToHostEncrypted}; C{False} once a failed
        handshake has disconnected the socket; C{False} after C{msecs}
        (-1: no limit),
        having given up the connection attempt (while still connecting,
        as C{waitForConnected} does) or emitted C{SocketTimeoutError}
        (during the handshake, as Qt's inner C{waitForReadyRead} does).
        """
        checkMsecs(msecs)
        if (
            self._encrypted
            or self._state == _Unconnected
            or (self._mode == _Unencrypted and not self._autoStartHandshake)
        ):
            return succeed(False)

        def timedOut() -> None:
            if self._state in (SocketState.HostLookupState, SocketState.ConnectingState):
                self._setError(SocketError.SocketTimeoutError, Strings.SocketTimeOut)
                self._cancelConnect()
                self._pendingClose = False
                self._setState(_Unconnected)
                self._ended()
            else:
                self._engineTimeout()

        return self._waiters.waitFor(msecs, self.encrypted, timedOut)

# -*- test-case-name: tests.test_sslsocket -*-
"""
The TLS handshake of a L{QSslSocket <qtwisted._ssl._socket.QSslSocket>},
step by step, as Qt's C{TlsCryptographOpenSSL::startHandshake},
C{checkSslErrors} and C{continueHandshake} do it.

Functions over the socket, installed as its private methods (C{QSslSocket}
binds them in its class body), kept apart so that each module holds one
concept: here what happens between the first handshake bytes and
C{encrypted} (or the failure), in Qt's order; the socket module holds the
socket's API and its byte stream.  The socket module's docstring explains
the whole; the TLS layer (L{qtwisted._ssl._tls}) calls:

  - L{tlsStepDone} after each chunk of handshake bytes: the alerts
    recorded meanwhile, the C{peerVerifyError}s of the step, or the
    failure OpenSSL reported;
  - L{handshakeCompleted} when OpenSSL has finished: Qt's checks (host
    name, missing certificate), C{sslErrors}, and C{encrypted} or
    C{SslHandshakeFailedError};
  - the callbacks that run inside OpenSSL (TLS-PSK, and certificate
    problems with C{handshakeMustInterruptOnError}), whose slots must
    decide before they return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from OpenSSL import SSL

from .._enums import SocketError, SocketState
from .._iodevice import QIODevice
from . import _alerts
from ._certificate import QSslCertificate
from ._context import verifiesPeer
from ._error import QSslError
from ._presharedkey import QSslPreSharedKeyAuthenticator
from ._qssl import SslMode
from ._session import SslStrings, hostNameMatches, openSslErrors
from ._tls import TlsLayer

if TYPE_CHECKING:
    from ._socket import QSslSocket

__all__ = [
    "tlsStepDone",
    "emitNewVerifyErrors",
    "emitPeerVerifyError",
    "emitAlerts",
    "emitPreSharedKeyAuthenticationRequired",
    "interruptedOnError",
    "handshakeFailed",
    "closeUnderTls",
    "handshakeCompleted",
    "errorsIgnored",
    "continueHandshake",
]


def tlsStepDone(qsocket: QSslSocket, tls: TlsLayer) -> None:
    """
    The TLS layer has processed a chunk of handshake bytes (or started
    the handshake).
    """
    if tls._alerts:
        qsocket._emitAlerts(tls)
    if tls is not qsocket._tls:
        return
    if tls._handshakeDone:
        tls.fastPath()
        return
    if tls._lostTLSConnection:
        reason = tls._reason
        if reason is not None and isinstance(reason.value, SSL.Error):
            qsocket._handshakeFailed(tls, reason.value)
        # Otherwise the peer closed: connectionLost reports it.
        return
    qsocket._emitNewVerifyErrors(tls)


def emitNewVerifyErrors(qsocket: QSslSocket, tls: TlsLayer) -> bool:
    recorder = tls._verifyRecorder
    if recorder.reportedFromCallback or not recorder.entries:
        return True
    for error in recorder.takeNewErrors():
        qsocket._emitPeerVerifyError(error)
        if qsocket._tls is not tls:
            return False  # a slot closed the socket
    return True


def emitPeerVerifyError(qsocket: QSslSocket, error: QSslError) -> None:
    link = qsocket._link
    if link is not None:
        link.peerVerifyError(error)
    qsocket.peerVerifyError.emit(error)


def emitAlerts(qsocket: QSslSocket, tls: TlsLayer) -> None:
    link = qsocket._link
    for sent, value in tls.takeAlerts():
        level, kind, description = _alerts.decode(value)
        if sent:
            if link is not None:
                link.alertSent(level, kind, description)
            qsocket.alertSent.emit(level, kind, description)
        else:
            if link is not None:
                link.alertReceived(level, kind, description)
            qsocket.alertReceived.emit(level, kind, description)


def emitPreSharedKeyAuthenticationRequired(
    qsocket: QSslSocket, authenticator: QSslPreSharedKeyAuthenticator
) -> None:
    # Inside OpenSSL's PSK callback: the slot fills the key in place.
    link = qsocket._link
    if link is not None:
        link.preSharedKeyAuthenticationRequired(authenticator)
    qsocket.preSharedKeyAuthenticationRequired.emit(authenticator)


def interruptedOnError(qsocket: QSslSocket, error: QSslError) -> bool:
    # Inside OpenSSL's verify callback (Qt's emitErrorFromCallback).
    qsocket._continueInterrupted = False
    link = qsocket._link
    if link is not None:
        link.handshakeInterruptedOnError(error)
    qsocket.handshakeInterruptedOnError.emit(error)
    answer, qsocket._continueInterrupted = qsocket._continueInterrupted, False
    return answer


def handshakeFailed(qsocket: QSslSocket, tls: TlsLayer, exc: BaseException) -> None:
    """
    OpenSSL failed the handshake; its alert is on its way and TCP
    closes after it.  Qt: errorOccurred, then abort().
    """
    qsocket._emitNewVerifyErrors(tls)
    if qsocket._tls is not tls:
        return
    qsocket._setErrorAndEmit(
        SocketError.SslHandshakeFailedError, SslStrings.HandshakeError.format(openSslErrors(exc))
    )
    if qsocket._tls is tls:
        qsocket._closeUnderTls(abort=True)


def closeUnderTls(qsocket: QSslSocket, abort: bool) -> None:
    """
    Finish the socket while the TLS layer closes the connection itself
    (sending its alert or close_notify first).
    """
    state = qsocket._state
    if abort:
        QIODevice.close(qsocket)
    qsocket._detachTransport()
    if state != SocketState.UnconnectedState:
        qsocket._finishDisconnect(previous=state if abort else None)


def handshakeCompleted(qsocket: QSslSocket) -> None:
    """
    Twisted reports the handshake complete: Qt's checks, then
    L{encrypted} or failure (see the module docstring).
    """
    tls = qsocket._tls
    if tls is None:
        return
    connection = tls._tlsConnection
    if not qsocket._emitNewVerifyErrors(tls):
        return
    # What was negotiated is read when first asked for (most servers
    # never ask), from this connection object.
    qsocket._sessionSource = (connection, tls)
    qsocket._sessionState = None
    configuration = qsocket._config()
    isClient = qsocket._mode == SslMode.SslClientMode
    doVerify = verifiesPeer(configuration.peerVerifyMode(), qsocket._mode)
    errors: list[QSslError] = []
    if isClient or doVerify:
        peer = qsocket.peerCertificate()
    else:
        peer = QSslCertificate()  # not looked at
    if not peer.isNull():
        if isClient:
            name = qsocket._peerVerifyName or qsocket._peerName
            if not hostNameMatches(peer, name):
                error = QSslError(QSslError.SslError.HostNameMismatch, peer)
                errors.append(error)
                qsocket._emitPeerVerifyError(error)
                if qsocket._tls is not tls:
                    return
    elif doVerify and not connection.get_peer_certificate():
        error = QSslError(QSslError.SslError.NoPeerCertificate)
        errors.append(error)
        qsocket._emitPeerVerifyError(error)
        if qsocket._tls is not tls:
            return
    errors.extend(tls._verifyRecorder.verifyErrors())
    qsocket._handshakeErrors = errors
    if errors:
        link = qsocket._link
        if link is not None:
            link.sslErrors(list(errors))
        qsocket.sslErrors.emit(list(errors))
        if doVerify and not qsocket._errorsIgnored():
            if qsocket._tls is tls:
                qsocket._setErrorAndEmit(
                    SocketError.SslHandshakeFailedError, errors[0].errorString()
                )
            if qsocket._tls is tls:
                tls.loseConnection()  # type: ignore[no-untyped-call]
                qsocket._closeUnderTls(abort=False)
            return
        # A slot may have closed the socket ("no need to continue
        # handshake then", as Qt's startHandshake says).
        if qsocket._tls is not tls:
            return
    qsocket._continueHandshake(tls)


def errorsIgnored(qsocket: QSslSocket) -> bool:
    # Qt's QSslSocketPrivate::verifyErrorsHaveBeenIgnored().
    if qsocket._ignoreList:
        return all(error in qsocket._ignoreList for error in qsocket._handshakeErrors)
    return qsocket._ignoreAll


def continueHandshake(qsocket: QSslSocket, tls: TlsLayer) -> None:
    # Data written during the handshake is sent by Twisted right after
    # this returns, and before a close requested meanwhile.
    qsocket._encrypted = True
    link, qsocket._link = qsocket._link, None
    if link is not None:
        link.encrypted()
    qsocket._emitIfBound("encrypted")
    if qsocket._closeAfterHandshake and qsocket._tls is tls:
        qsocket._closeAfterHandshake = False
        qsocket.disconnectFromHost()

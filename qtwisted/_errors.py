# -*- test-case-name: tests.test_errors -*-
"""
The one place where operating-system and Twisted errors become Qt's
C{(SocketError, errorString)} pairs.

Qt's strings come from C{qnativesocketengine.cpp} and
C{qabstractsocket.cpp}; they are part of the contract (users compare
C{errorString()} in their code and tests), so they are spelled exactly as Qt
spells them.  The errno tables follow Qt's Unix socket engine, operation by
operation, because Qt maps the same errno differently for C{bind()},
C{connect()} and C{accept()}.
"""

from __future__ import annotations

import errno
import os
import socket

from twisted.internet import error as terror
from twisted.python.failure import Failure

from ._enums import SocketError

__all__ = [
    "Strings",
    "bindError",
    "acceptError",
    "connectError",
    "ioError",
    "failureToError",
    "isTemporaryAcceptError",
]


class Strings:
    """
    Qt's error strings, spelled exactly as Qt spells them.
    """

    RemoteHostClosed = "The remote host closed the connection"
    TimeOut = "Network operation timed out"
    SocketTimeOut = "Socket operation timed out"
    Resource = "Out of resources"
    OperationUnsupported = "Unsupported socket operation"
    ProtocolUnsupported = "Protocol type not supported"
    InvalidSocket = "Invalid socket descriptor"
    HostUnreachable = "Host unreachable"
    NetworkUnreachable = "Network unreachable"
    Access = "Permission denied"
    ConnectionTimeOut = "Connection timed out"
    ConnectionRefused = "Connection refused"
    AddressInUse = "The bound address is already in use"
    AddressNotAvailable = "The address is not available"
    AddressProtected = "The address is protected"
    NotSocket = "Operation on non-socket"
    InvalidProxyType = "The proxy type is invalid for this operation"
    Temporary = "Temporary error"
    NetworkDroppedConnection = "Network dropped connection on reset"
    ConnectionReset = "Connection reset by peer"
    HostNotFound = "Host not found"
    NotConnected = "Socket is not connected"
    Unknown = "Unknown error"
    ReadError = "Network error"
    WriteError = "Unable to write"


_Pair = tuple[SocketError, str]

_RESOURCE: _Pair = (SocketError.SocketResourceError, Strings.Resource)
# The errnos of running out of descriptors or memory, in every table.
_OUT_OF_RESOURCES: dict[int, _Pair] = dict.fromkeys(
    (errno.ENFILE, errno.EMFILE, errno.ENOBUFS, errno.ENOMEM), _RESOURCE
)
_PROTOCOL_UNSUPPORTED: _Pair = (
    SocketError.UnsupportedSocketOperationError,
    Strings.ProtocolUnsupported,
)

# socket(), bind() and listen() share one table: Qt's createNewSocket()
# (resource errnos, EAFNOSUPPORT) and nativeBind() (EADDRINUSE, EACCES,
# EINVAL, EADDRNOTAVAIL) use disjoint errno sets except EACCES, where bind()
# is by far the likelier source.  EPERM is not in Qt's table (Qt says
# "Unknown error"); Linux security modules answer a protected bind with it, so
# it gets the EACCES answer.
_BIND: dict[int, _Pair] = {
    errno.EADDRINUSE: (SocketError.AddressInUseError, Strings.AddressInUse),
    errno.EACCES: (SocketError.SocketAccessError, Strings.AddressProtected),
    errno.EPERM: (SocketError.SocketAccessError, Strings.AddressProtected),
    errno.EINVAL: (
        SocketError.UnsupportedSocketOperationError,
        Strings.OperationUnsupported,
    ),
    errno.EADDRNOTAVAIL: (
        SocketError.SocketAddressNotAvailableError,
        Strings.AddressNotAvailable,
    ),
    errno.EAFNOSUPPORT: _PROTOCOL_UNSUPPORTED,
    errno.EPROTONOSUPPORT: _PROTOCOL_UNSUPPORTED,
    **_OUT_OF_RESOURCES,
}

# Qt's nativeAccept().
_ACCEPT: dict[int, _Pair] = {
    errno.EBADF: (SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket),
    errno.EOPNOTSUPP: (
        SocketError.UnsupportedSocketOperationError,
        Strings.InvalidSocket,
    ),
    errno.ENOTSOCK: (SocketError.SocketResourceError, Strings.NotSocket),
    errno.EFAULT: (SocketError.SocketResourceError, Strings.NotSocket),
    errno.ECONNABORTED: (SocketError.NetworkError, Strings.RemoteHostClosed),
    errno.EINVAL: _PROTOCOL_UNSUPPORTED,
    errno.EPROTO: _PROTOCOL_UNSUPPORTED,
    errno.EPROTONOSUPPORT: _PROTOCOL_UNSUPPORTED,
    errno.EAFNOSUPPORT: _PROTOCOL_UNSUPPORTED,
    errno.EAGAIN: (SocketError.TemporaryError, Strings.Temporary),
    **_OUT_OF_RESOURCES,
    errno.EACCES: (SocketError.SocketAccessError, Strings.Access),
    errno.EPERM: (SocketError.SocketAccessError, Strings.Access),
}

# accept(2) on Linux: "ENETDOWN, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET,
# EHOSTUNREACH, EOPNOTSUPP, and ENETUNREACH ... should be treated like EAGAIN
# by retrying".  ECONNABORTED (a client that reset before we accepted it) is
# the same kind of thing.  Qt reports ECONNABORTED as acceptError and pauses
# the server, which lets any remote client pause it: we treat it as
# temporary instead (a documented deviation).
_TEMPORARY_ACCEPT = frozenset(
    getattr(errno, name)
    for name in (
        "EAGAIN",
        "EWOULDBLOCK",
        "EINTR",
        "ECONNABORTED",
        "EPROTO",
        "ENETDOWN",
        "ENOPROTOOPT",
        "EHOSTDOWN",
        "ENONET",
        "EHOSTUNREACH",
        "ENETUNREACH",
    )
    if hasattr(errno, name)
)

# Qt's nativeConnect().  EADDRNOTAVAIL and EAFNOSUPPORT are not in Qt's
# switch (Qt then reports "Connection refused" or "Unknown error" depending on
# the engine state, which we cannot see); the engine's own strings for them
# say more.
_CONNECT: dict[int, _Pair] = {
    errno.ECONNREFUSED: (SocketError.ConnectionRefusedError, Strings.ConnectionRefused),
    errno.EINVAL: (SocketError.ConnectionRefusedError, Strings.ConnectionRefused),
    errno.ETIMEDOUT: (SocketError.NetworkError, Strings.ConnectionTimeOut),
    errno.EHOSTUNREACH: (SocketError.NetworkError, Strings.HostUnreachable),
    errno.ENETUNREACH: (SocketError.NetworkError, Strings.NetworkUnreachable),
    errno.EADDRINUSE: (SocketError.NetworkError, Strings.AddressInUse),
    errno.EADDRNOTAVAIL: (
        SocketError.SocketAddressNotAvailableError,
        Strings.AddressNotAvailable,
    ),
    errno.EACCES: (SocketError.SocketAccessError, Strings.Access),
    errno.EPERM: (SocketError.SocketAccessError, Strings.Access),
    errno.EAFNOSUPPORT: _PROTOCOL_UNSUPPORTED,
}

# Qt's createNewSocket(): the socket() call of an outgoing connection, which
# Twisted reports as ConnectBindError.
_CREATE: dict[int, _Pair] = {
    errno.EPROTONOSUPPORT: _PROTOCOL_UNSUPPORTED,
    errno.EAFNOSUPPORT: _PROTOCOL_UNSUPPORTED,
    errno.EINVAL: _PROTOCOL_UNSUPPORTED,
    **_OUT_OF_RESOURCES,
    errno.EACCES: (SocketError.SocketAccessError, Strings.Access),
}

# Reading and writing (Qt's nativeRead(), nativeWrite(), read()): a reset or a
# broken pipe is the peer closing; any other errno is a NetworkError (a
# SocketTimeoutError for ETIMEDOUT) described by the C library's text, as
# Qt's qt_error_string() does.
_REMOTE_CLOSED: _Pair = (SocketError.RemoteHostClosedError, Strings.RemoteHostClosed)
_IO_CLOSED = frozenset({errno.ECONNRESET, errno.EPIPE})
_UNKNOWN: _Pair = (SocketError.UnknownSocketError, Strings.Unknown)


def bindError(exc: OSError) -> _Pair:
    """
    Qt's error for a failed C{socket()}, C{bind()} or C{listen()}.
    """
    if exc.errno is None:
        return _UNKNOWN
    return _BIND.get(exc.errno, _UNKNOWN)


def isTemporaryAcceptError(exc: OSError) -> bool:
    """
    Tell whether a failed C{accept()} should simply be retried later (B31).
    """
    return exc.errno in _TEMPORARY_ACCEPT


def acceptError(exc: OSError) -> _Pair:
    """
    Qt's error for a failed C{accept()} that is not temporary (B30).
    """
    if exc.errno is None:
        return _UNKNOWN
    return _ACCEPT.get(exc.errno, _UNKNOWN)


def connectError(exc: OSError | int) -> _Pair:
    """
    Qt's error for a failed C{connect()}.

    @param exc: the exception, or just its errno (Twisted's
        L{ConnectError.osError<twisted.internet.error.ConnectError>} holds
        the bare number).
    """
    if isinstance(exc, socket.gaierror):
        return (SocketError.HostNotFoundError, Strings.HostNotFound)
    code = exc if isinstance(exc, int) else exc.errno
    if code is None:
        return _UNKNOWN
    return _CONNECT.get(code, _UNKNOWN)


def ioError(code: int) -> _Pair:
    """
    Qt's error for a failed C{recv()} or C{send()} on a connected socket.
    """
    if code in _IO_CLOSED:
        return _REMOTE_CLOSED
    kind = (
        SocketError.SocketTimeoutError
        if code == errno.ETIMEDOUT
        else SocketError.NetworkError
    )
    return (kind, os.strerror(code))


def failureToError(reason: Failure, connecting: bool = False) -> _Pair:
    """
    Translate the reason a Twisted connection ended or failed.

    @param reason: what Twisted passed to C{connectionLost} or
        C{clientConnectionFailed}.
    @param connecting: C{True} if the connection was never established, so
        errno values are read with Qt's C{connect()} table.
    @return: Qt's error code and string.
    """
    exc = reason.value
    if exc is None:
        return _UNKNOWN
    if isinstance(exc, terror.ConnectionClosed) and not isinstance(
        exc, terror.ConnectionLost
    ):
        # ConnectionDone: the peer's FIN (Qt reads EOF).
        return _REMOTE_CLOSED
    if isinstance(exc, terror.ConnectionRefusedError):
        return (SocketError.ConnectionRefusedError, Strings.ConnectionRefused)
    if isinstance(exc, terror.TCPTimedOutError):
        return (SocketError.NetworkError, Strings.ConnectionTimeOut)
    if isinstance(exc, (terror.DNSLookupError, terror.UnknownHostError)):
        return (SocketError.HostNotFoundError, Strings.HostNotFound)
    if isinstance(exc, terror.ConnectError):
        osError = exc.osError
        if isinstance(osError, socket.gaierror):
            return (SocketError.HostNotFoundError, Strings.HostNotFound)
        code = osError if isinstance(osError, int) else getattr(osError, "errno", None)
        if code is None:
            return _UNKNOWN
        if isinstance(exc, terror.ConnectBindError):
            return _CREATE.get(code, _UNKNOWN)
        return _CONNECT.get(code, _UNKNOWN)
    # Twisted reports a failed recv()/send() as ConnectionLost without an
    # errno; an OSError or a ConnectionLost carrying one may come from
    # elsewhere.
    code = _errnoOf(exc)
    if code is not None:
        if connecting:
            return _CONNECT.get(code, _UNKNOWN)
        return ioError(code)
    if isinstance(exc, terror.ConnectionLost):
        return _REMOTE_CLOSED
    return _UNKNOWN


def _errnoOf(exc: BaseException) -> int | None:
    if isinstance(exc, OSError):
        return exc.errno
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, OSError):
            return arg.errno
        if isinstance(arg, int) and not isinstance(arg, bool):
            return arg
    return None

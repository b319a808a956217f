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
import socket

from twisted.internet import error as terror
from twisted.python.failure import Failure

from ._enums import SocketError

__all__ = [
    "Strings",
    "bindError",
    "acceptError",
    "connectError",
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
    errno.EAFNOSUPPORT: (
        SocketError.UnsupportedSocketOperationError,
        Strings.ProtocolUnsupported,
    ),
}

_RESOURCE: _Pair = (SocketError.SocketResourceError, Strings.Resource)

_ACCEPT: dict[int, _Pair] = {
    errno.EBADF: (SocketError.UnsupportedSocketOperationError, Strings.InvalidSocket),
    errno.EOPNOTSUPP: (
        SocketError.UnsupportedSocketOperationError,
        Strings.InvalidSocket,
    ),
    errno.ENOTSOCK: (SocketError.SocketResourceError, Strings.NotSocket),
    errno.EINVAL: (
        SocketError.UnsupportedSocketOperationError,
        Strings.ProtocolUnsupported,
    ),
    errno.ENFILE: _RESOURCE,
    errno.EMFILE: _RESOURCE,
    errno.ENOBUFS: _RESOURCE,
    errno.ENOMEM: _RESOURCE,
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

_CONNECT: dict[int, _Pair] = {
    errno.ECONNREFUSED: (SocketError.ConnectionRefusedError, Strings.ConnectionRefused),
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
    errno.EAFNOSUPPORT: (
        SocketError.UnsupportedSocketOperationError,
        Strings.ProtocolUnsupported,
    ),
}

_IO: dict[int, _Pair] = {
    errno.ECONNRESET: (SocketError.RemoteHostClosedError, Strings.RemoteHostClosed),
    errno.EPIPE: (SocketError.RemoteHostClosedError, Strings.RemoteHostClosed),
    errno.ETIMEDOUT: (SocketError.SocketTimeoutError, Strings.ConnectionTimeOut),
    errno.ENETRESET: (SocketError.NetworkError, Strings.NetworkDroppedConnection),
    errno.EHOSTUNREACH: (SocketError.NetworkError, Strings.HostUnreachable),
    errno.ENETUNREACH: (SocketError.NetworkError, Strings.NetworkUnreachable),
}

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


def connectError(exc: OSError) -> _Pair:
    """
    Qt's error for a failed C{connect()}.
    """
    if isinstance(exc, socket.gaierror):
        return (SocketError.HostNotFoundError, Strings.HostNotFound)
    if exc.errno is None:
        return (SocketError.UnknownSocketError, Strings.Unknown)
    return _CONNECT.get(exc.errno, _UNKNOWN)


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
    if isinstance(exc, (terror.ConnectionDone, terror.ConnectionClosed)) and not (
        isinstance(exc, terror.ConnectionLost)
    ):
        return (SocketError.RemoteHostClosedError, Strings.RemoteHostClosed)
    if isinstance(exc, terror.ConnectionRefusedError):
        return (SocketError.ConnectionRefusedError, Strings.ConnectionRefused)
    if isinstance(exc, terror.TCPTimedOutError):
        return (SocketError.NetworkError, Strings.ConnectionTimeOut)
    if isinstance(exc, terror.DNSLookupError):
        return (SocketError.HostNotFoundError, Strings.HostNotFound)
    if isinstance(exc, terror.ConnectError) and exc.osError is not None:
        return connectError(exc.osError)
    # Twisted wraps socket errors in ConnectionLost (args: the errno and its
    # text) or passes an OSError through.
    code = _errnoOf(exc)
    if code is not None:
        table = _CONNECT if connecting else _IO
        if code in table:
            return table[code]
    if isinstance(exc, terror.ConnectionLost):
        return (SocketError.RemoteHostClosedError, Strings.RemoteHostClosed)
    return _UNKNOWN


def _errnoOf(exc: BaseException) -> int | None:
    if isinstance(exc, OSError):
        return exc.errno
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, OSError):
            return arg.errno
        if isinstance(arg, int):
            return arg
    return None

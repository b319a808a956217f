"""
Tests for L{qtwisted._errors}: operating-system and Twisted errors become
Qt's C{(SocketError, errorString)} pairs, with Qt's exact wording (QT_FACTS
sections 1 and 2, from Qt's Unix socket engine).
"""

from __future__ import annotations

import errno
import os
import socket

from twisted.internet import error as terror
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from qtwisted._enums import SocketError
from qtwisted._errors import (
    Strings,
    acceptError,
    bindError,
    connectError,
    failureToError,
    ioError,
    isTemporaryAcceptError,
)

E = SocketError

REFUSED = (E.ConnectionRefusedError, "Connection refused")
REMOTE_CLOSED = (E.RemoteHostClosedError, "The remote host closed the connection")
HOST_NOT_FOUND = (E.HostNotFoundError, "Host not found")
RESOURCE = (E.SocketResourceError, "Out of resources")
PROTOCOL_UNSUPPORTED = (E.UnsupportedSocketOperationError, "Protocol type not supported")
UNKNOWN = (E.UnknownSocketError, "Unknown error")


def _os(code: int) -> OSError:
    return OSError(code, os.strerror(code))


class StringsTests(SynchronousTestCase):
    """
    L{Strings} spells every message exactly as Qt does.
    """

    def test_engineStrings(self) -> None:
        """
        The socket engine's strings (facts section 1).
        """
        expected = {
            "RemoteHostClosed": "The remote host closed the connection",
            "TimeOut": "Network operation timed out",
            "Resource": "Out of resources",
            "OperationUnsupported": "Unsupported socket operation",
            "ProtocolUnsupported": "Protocol type not supported",
            "InvalidSocket": "Invalid socket descriptor",
            "HostUnreachable": "Host unreachable",
            "NetworkUnreachable": "Network unreachable",
            "Access": "Permission denied",
            "ConnectionTimeOut": "Connection timed out",
            "ConnectionRefused": "Connection refused",
            "AddressInUse": "The bound address is already in use",
            "AddressNotAvailable": "The address is not available",
            "AddressProtected": "The address is protected",
            "NotSocket": "Operation on non-socket",
            "InvalidProxyType": "The proxy type is invalid for this operation",
            "Temporary": "Temporary error",
            "NetworkDroppedConnection": "Network dropped connection on reset",
            "ConnectionReset": "Connection reset by peer",
            "Unknown": "Unknown error",
            "ReadError": "Network error",
            "WriteError": "Unable to write",
        }
        for name, text in expected.items():
            self.assertEqual(getattr(Strings, name), text, name)

    def test_socketStrings(self) -> None:
        """
        QAbstractSocket's own strings (facts section 2).
        """
        self.assertEqual(Strings.NotConnected, "Socket is not connected")
        self.assertEqual(Strings.HostNotFound, "Host not found")
        self.assertEqual(Strings.SocketTimeOut, "Socket operation timed out")


class BindErrorTests(SynchronousTestCase):
    """
    L{bindError}: Qt's answers for socket(), bind() and listen().
    """

    def test_table(self) -> None:
        """
        Qt's nativeBind() and createNewSocket() cases.
        """
        table = {
            errno.EADDRINUSE: (E.AddressInUseError, "The bound address is already in use"),
            errno.EACCES: (E.SocketAccessError, "The address is protected"),
            errno.EINVAL: (E.UnsupportedSocketOperationError, "Unsupported socket operation"),
            errno.EADDRNOTAVAIL: (
                E.SocketAddressNotAvailableError,
                "The address is not available",
            ),
            errno.EAFNOSUPPORT: PROTOCOL_UNSUPPORTED,
            errno.EPROTONOSUPPORT: PROTOCOL_UNSUPPORTED,
            errno.EMFILE: RESOURCE,
            errno.ENFILE: RESOURCE,
            errno.ENOBUFS: RESOURCE,
            errno.ENOMEM: RESOURCE,
        }
        for code, pair in table.items():
            self.assertEqual(bindError(_os(code)), pair, errno.errorcode[code])

    def test_eperm(self) -> None:
        """
        EPERM (a security module refusing the bind) is treated like EACCES.
        """
        self.assertEqual(
            bindError(_os(errno.EPERM)), (E.SocketAccessError, "The address is protected")
        )

    def test_unknown(self) -> None:
        """
        Any other errno, or none, is UnknownSocketError "Unknown error".
        """
        self.assertEqual(bindError(_os(errno.ENOENT)), UNKNOWN)
        self.assertEqual(bindError(OSError("no errno")), UNKNOWN)


class AcceptErrorTests(SynchronousTestCase):
    """
    L{acceptError} and L{isTemporaryAcceptError} (B30, B31).
    """

    def test_table(self) -> None:
        """
        Qt's nativeAccept() cases.
        """
        table = {
            errno.EBADF: (E.UnsupportedSocketOperationError, "Invalid socket descriptor"),
            errno.EOPNOTSUPP: (E.UnsupportedSocketOperationError, "Invalid socket descriptor"),
            errno.ECONNABORTED: (E.NetworkError, "The remote host closed the connection"),
            errno.EFAULT: (E.SocketResourceError, "Operation on non-socket"),
            errno.ENOTSOCK: (E.SocketResourceError, "Operation on non-socket"),
            errno.EPROTONOSUPPORT: PROTOCOL_UNSUPPORTED,
            errno.EPROTO: PROTOCOL_UNSUPPORTED,
            errno.EAFNOSUPPORT: PROTOCOL_UNSUPPORTED,
            errno.EINVAL: PROTOCOL_UNSUPPORTED,
            errno.ENFILE: RESOURCE,
            errno.EMFILE: RESOURCE,
            errno.ENOBUFS: RESOURCE,
            errno.ENOMEM: RESOURCE,
            errno.EACCES: (E.SocketAccessError, "Permission denied"),
            errno.EPERM: (E.SocketAccessError, "Permission denied"),
            errno.EAGAIN: (E.TemporaryError, "Temporary error"),
        }
        for code, pair in table.items():
            self.assertEqual(acceptError(_os(code)), pair, errno.errorcode[code])
        self.assertEqual(acceptError(_os(errno.ENOENT)), UNKNOWN)
        self.assertEqual(acceptError(OSError("no errno")), UNKNOWN)

    def test_temporary(self) -> None:
        """
        EAGAIN, EINTR, an aborted handshake and the network errors accept(2)
        passes on are retried; running out of descriptors is not (B30).
        """
        for code in (
            errno.EAGAIN,
            errno.EWOULDBLOCK,
            errno.EINTR,
            errno.ECONNABORTED,
            errno.EPROTO,
            errno.ENETDOWN,
            errno.EHOSTUNREACH,
            errno.ENETUNREACH,
        ):
            self.assertTrue(isTemporaryAcceptError(_os(code)), errno.errorcode[code])
        for code in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.EBADF):
            self.assertFalse(isTemporaryAcceptError(_os(code)), errno.errorcode[code])


class ConnectErrorTests(SynchronousTestCase):
    """
    L{connectError}: Qt's nativeConnect() cases.
    """

    def test_table(self) -> None:
        """
        ECONNREFUSED and EINVAL are refusals; the others follow Qt's table;
        the bare errno works as well as the exception.
        """
        table = {
            errno.ECONNREFUSED: REFUSED,
            errno.EINVAL: REFUSED,
            errno.ETIMEDOUT: (E.NetworkError, "Connection timed out"),
            errno.EHOSTUNREACH: (E.NetworkError, "Host unreachable"),
            errno.ENETUNREACH: (E.NetworkError, "Network unreachable"),
            errno.EADDRINUSE: (E.NetworkError, "The bound address is already in use"),
            errno.EACCES: (E.SocketAccessError, "Permission denied"),
            errno.EPERM: (E.SocketAccessError, "Permission denied"),
        }
        for code, pair in table.items():
            self.assertEqual(connectError(_os(code)), pair, errno.errorcode[code])
            self.assertEqual(connectError(code), pair, errno.errorcode[code])
        self.assertEqual(connectError(_os(errno.ENOENT)), UNKNOWN)
        self.assertEqual(connectError(OSError("no errno")), UNKNOWN)

    def test_lookupFailure(self) -> None:
        """
        A getaddrinfo failure is HostNotFoundError "Host not found".
        """
        self.assertEqual(
            connectError(socket.gaierror(socket.EAI_NONAME, "Name or service not known")),
            HOST_NOT_FOUND,
        )


class IOErrorTests(SynchronousTestCase):
    """
    L{ioError}: recv()/send() failures on a connected socket.
    """

    def test_peerGone(self) -> None:
        """
        A reset or a broken pipe is RemoteHostClosedError.
        """
        self.assertEqual(ioError(errno.ECONNRESET), REMOTE_CLOSED)
        self.assertEqual(ioError(errno.EPIPE), REMOTE_CLOSED)

    def test_others(self) -> None:
        """
        ETIMEDOUT is SocketTimeoutError, anything else NetworkError, each
        described by the C library's text (Qt's qt_error_string()).
        """
        self.assertEqual(
            ioError(errno.ETIMEDOUT),
            (E.SocketTimeoutError, os.strerror(errno.ETIMEDOUT)),
        )
        for code in (errno.ENETRESET, errno.EHOSTUNREACH, errno.EIO):
            self.assertEqual(ioError(code), (E.NetworkError, os.strerror(code)))


class FailureToErrorTests(SynchronousTestCase):
    """
    L{failureToError}: the reasons Twisted gives to connectionLost and
    clientConnectionFailed.
    """

    def test_peerClosed(self) -> None:
        """
        A clean close, a lost connection (Twisted reports a failed recv or
        send this way, without an errno) and an abort are all
        RemoteHostClosedError (facts section 4).
        """
        for exc in (
            terror.ConnectionDone(),
            terror.ConnectionLost(),
            terror.ConnectionAborted(),
            terror.ConnectionClosed(),
        ):
            self.assertEqual(failureToError(Failure(exc)), REMOTE_CLOSED, repr(exc))

    def test_osErrorWhileConnected(self) -> None:
        """
        An OSError passed through uses the read/write rules.
        """
        self.assertEqual(failureToError(Failure(_os(errno.EPIPE))), REMOTE_CLOSED)
        self.assertEqual(failureToError(Failure(_os(errno.ECONNRESET))), REMOTE_CLOSED)
        self.assertEqual(
            failureToError(Failure(_os(errno.ETIMEDOUT))),
            (E.SocketTimeoutError, "Connection timed out"),
        )
        self.assertEqual(
            failureToError(Failure(terror.ConnectionLost(errno.ENETRESET, "x"))),
            (E.NetworkError, os.strerror(errno.ENETRESET)),
        )

    def test_osErrorWhileConnecting(self) -> None:
        """
        With connecting=True an errno is read with the connect() table.
        """
        self.assertEqual(
            failureToError(Failure(_os(errno.EHOSTUNREACH)), connecting=True),
            (E.NetworkError, "Host unreachable"),
        )
        self.assertEqual(
            failureToError(Failure(_os(errno.ECONNREFUSED)), connecting=True), REFUSED
        )

    def test_twistedConnectErrors(self) -> None:
        """
        What Twisted's getConnectError() makes of a connect() errno (a
        ConnectError subclass holding the bare number) maps like the errno.
        """
        cases = {
            errno.ECONNREFUSED: REFUSED,
            errno.ETIMEDOUT: (E.NetworkError, "Connection timed out"),
            errno.EHOSTUNREACH: (E.NetworkError, "Host unreachable"),
            errno.ENETUNREACH: (E.NetworkError, "Network unreachable"),
            errno.EACCES: (E.SocketAccessError, "Permission denied"),
            errno.EADDRINUSE: (E.NetworkError, "The bound address is already in use"),
        }
        for code, pair in cases.items():
            exc = terror.getConnectError((code, os.strerror(code)))
            self.assertIsInstance(exc, terror.ConnectError)
            self.assertEqual(
                failureToError(Failure(exc), connecting=True), pair, errno.errorcode[code]
            )

    def test_socketCreationFailed(self) -> None:
        """
        Twisted's ConnectBindError (the client's socket() failed) uses Qt's
        createNewSocket() answers.
        """
        self.assertEqual(
            failureToError(Failure(terror.ConnectBindError(errno.EMFILE, "x")), True),
            RESOURCE,
        )
        self.assertEqual(
            failureToError(Failure(terror.ConnectBindError(errno.EAFNOSUPPORT, "x")), True),
            PROTOCOL_UNSUPPORTED,
        )

    def test_lookupFailed(self) -> None:
        """
        DNSLookupError and UnknownHostError are HostNotFoundError.
        """
        self.assertEqual(
            failureToError(Failure(terror.DNSLookupError("nope")), True), HOST_NOT_FOUND
        )
        exc = terror.getConnectError(socket.gaierror(socket.EAI_NONAME, "unknown"))
        self.assertIsInstance(exc, terror.UnknownHostError)
        self.assertEqual(failureToError(Failure(exc), True), HOST_NOT_FOUND)

    def test_unknown(self) -> None:
        """
        Anything else is UnknownSocketError "Unknown error".
        """
        self.assertEqual(failureToError(Failure(ValueError("?"))), UNKNOWN)
        self.assertEqual(failureToError(Failure(terror.UserError()), True), UNKNOWN)
        self.assertEqual(failureToError(Failure(terror.ConnectError()), True), UNKNOWN)

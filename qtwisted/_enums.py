# -*- test-case-name: tests.test_enums -*-
"""
Qt's socket enumerations, with Qt's numeric values, and the namespaces that
nest them.

The enumerations live here, outside the classes that nest them
(L{qtwisted.QAbstractSocket}, L{qtwisted.QHostAddress}), so that the value
types and the socket classes can share them without importing each other.

In C++ an enumeration declared in a class is also reachable through every
subclass, and an unscoped one puts its members in the class's scope too
(C{QAbstractSocket::AddressInUseError}).  L{QIODeviceBase} and
L{AbstractSocketNamespace} do that for Python: each holds the enumerations
Qt nests in one class and Qt's unscoped aliases of their members, and the
classes that Qt derives from that class inherit them (L{QIODeviceBase} is
Qt 6's own name for the class holding C{OpenModeFlag}).  Keeping the long
lists of aliases here leaves the socket modules to behaviour.
"""

from __future__ import annotations

import enum
from typing import TypeAlias

__all__ = [
    "SocketError",
    "SocketState",
    "SocketType",
    "NetworkLayerProtocol",
    "SocketOption",
    "PauseMode",
    "BindFlag",
    "OpenModeFlag",
    "QIODeviceBase",
    "AbstractSocketNamespace",
]


class SocketError(enum.IntEnum):
    """
    C{QAbstractSocket::SocketError}: what went wrong on a socket or server.
    """

    ConnectionRefusedError = 0
    RemoteHostClosedError = 1
    HostNotFoundError = 2
    SocketAccessError = 3
    SocketResourceError = 4
    SocketTimeoutError = 5
    DatagramTooLargeError = 6
    NetworkError = 7
    AddressInUseError = 8
    SocketAddressNotAvailableError = 9
    UnsupportedSocketOperationError = 10
    UnfinishedSocketOperationError = 11
    ProxyAuthenticationRequiredError = 12
    SslHandshakeFailedError = 13
    ProxyConnectionRefusedError = 14
    ProxyConnectionClosedError = 15
    ProxyConnectionTimeoutError = 16
    ProxyNotFoundError = 17
    ProxyProtocolError = 18
    OperationError = 19
    SslInternalError = 20
    SslInvalidUserDataError = 21
    TemporaryError = 22
    UnknownSocketError = -1


class SocketState(enum.IntEnum):
    """
    C{QAbstractSocket::SocketState}.
    """

    UnconnectedState = 0
    HostLookupState = 1
    ConnectingState = 2
    ConnectedState = 3
    BoundState = 4
    ListeningState = 5
    ClosingState = 6


class SocketType(enum.IntEnum):
    """
    C{QAbstractSocket::SocketType}.
    """

    TcpSocket = 0
    UdpSocket = 1
    SctpSocket = 2
    UnknownSocketType = -1


class NetworkLayerProtocol(enum.IntEnum):
    """
    C{QAbstractSocket::NetworkLayerProtocol}.
    """

    IPv4Protocol = 0
    IPv6Protocol = 1
    AnyIPProtocol = 2
    UnknownNetworkLayerProtocol = -1


class SocketOption(enum.IntEnum):
    """
    C{QAbstractSocket::SocketOption}.

    The three C{KeepAlive...} tuning options (C{TCP_KEEPIDLE},
    C{TCP_KEEPINTVL}, C{TCP_KEEPCNT}) are new in Qt 6.11.
    """

    LowDelayOption = 0
    KeepAliveOption = 1
    MulticastTtlOption = 2
    MulticastLoopbackOption = 3
    TypeOfServiceOption = 4
    SendBufferSizeSocketOption = 5
    ReceiveBufferSizeSocketOption = 6
    PathMtuSocketOption = 7
    KeepAliveIdleOption = 8
    KeepAliveIntervalOption = 9
    KeepAliveCountOption = 10


class PauseMode(enum.IntFlag):
    """
    C{QAbstractSocket::PauseMode}.
    """

    PauseNever = 0x0
    PauseOnSslErrors = 0x1


class BindFlag(enum.IntFlag):
    """
    C{QAbstractSocket::BindFlag}.
    """

    DefaultForPlatform = 0x0
    ShareAddress = 0x1
    DontShareAddress = 0x2
    ReuseAddressHint = 0x4


class OpenModeFlag(enum.IntFlag):
    """
    C{QIODeviceBase::OpenModeFlag}.
    """

    NotOpen = 0x0000
    ReadOnly = 0x0001
    WriteOnly = 0x0002
    ReadWrite = 0x0003
    Append = 0x0004
    Truncate = 0x0008
    Text = 0x0010
    Unbuffered = 0x0020
    NewOnly = 0x0040
    ExistingOnly = 0x0080


class QIODeviceBase:
    """
    Qt 6's C{QIODeviceBase}: the home of L{OpenModeFlag}, with Qt's
    unscoped aliases (C{QIODevice::ReadWrite}).  A namespace: it has no
    state and no behaviour.
    """

    OpenModeFlag: TypeAlias = OpenModeFlag
    OpenMode: TypeAlias = OpenModeFlag

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


class AbstractSocketNamespace:
    """
    The enumerations Qt nests in C{QAbstractSocket}, with Qt's unscoped
    aliases (C{QAbstractSocket::AddressInUseError}); L{qtwisted.QAbstractSocket}
    inherits them.  A namespace: it has no state and no behaviour.
    """

    SocketError: TypeAlias = SocketError
    SocketState: TypeAlias = SocketState
    SocketType: TypeAlias = SocketType
    NetworkLayerProtocol: TypeAlias = NetworkLayerProtocol
    SocketOption: TypeAlias = SocketOption
    PauseMode: TypeAlias = PauseMode
    BindFlag: TypeAlias = BindFlag

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

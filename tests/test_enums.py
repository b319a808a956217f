"""
Tests for L{qtwisted._enums}: Qt's numeric values, and the nested enums and
unscoped aliases of L{QAbstractSocket}, L{QTcpSocket} and L{QHostAddress}.
"""

from __future__ import annotations

import enum

from twisted.trial.unittest import SynchronousTestCase

from qtwisted import QAbstractSocket, QHostAddress, QTcpSocket
from qtwisted._enums import (
    BindFlag,
    NetworkLayerProtocol,
    OpenModeFlag,
    PauseMode,
    SocketError,
    SocketOption,
    SocketState,
    SocketType,
)


def members(enumClass: type[enum.Enum]) -> dict[str, int]:
    """
    Every member of an enum, aliases and zero-valued flags included, by name.
    """
    return {name: int(m.value) for name, m in enumClass.__members__.items()}


def nestedEnums(cls: type) -> dict[str, type[enum.Enum]]:
    """
    The enum classes nested in C{cls} (or inherited), by attribute name.
    """
    found: dict[str, type[enum.Enum]] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, type) and issubclass(value, enum.Enum):
                found[name] = value
    return found


class QtValuesTests(SynchronousTestCase):
    """
    Each enum has exactly Qt's members with Qt's numbers
    (QT_BEHAVIORS.md section 1.9, C{qabstractsocket.h}).
    """

    def test_socketError(self) -> None:
        """
        C{QAbstractSocket::SocketError}.
        """
        self.assertEqual(
            members(SocketError),
            {
                "ConnectionRefusedError": 0,
                "RemoteHostClosedError": 1,
                "HostNotFoundError": 2,
                "SocketAccessError": 3,
                "SocketResourceError": 4,
                "SocketTimeoutError": 5,
                "DatagramTooLargeError": 6,
                "NetworkError": 7,
                "AddressInUseError": 8,
                "SocketAddressNotAvailableError": 9,
                "UnsupportedSocketOperationError": 10,
                "UnfinishedSocketOperationError": 11,
                "ProxyAuthenticationRequiredError": 12,
                "SslHandshakeFailedError": 13,
                "ProxyConnectionRefusedError": 14,
                "ProxyConnectionClosedError": 15,
                "ProxyConnectionTimeoutError": 16,
                "ProxyNotFoundError": 17,
                "ProxyProtocolError": 18,
                "OperationError": 19,
                "SslInternalError": 20,
                "SslInvalidUserDataError": 21,
                "TemporaryError": 22,
                "UnknownSocketError": -1,
            },
        )

    def test_socketState(self) -> None:
        """
        C{QAbstractSocket::SocketState}.
        """
        self.assertEqual(
            members(SocketState),
            {
                "UnconnectedState": 0,
                "HostLookupState": 1,
                "ConnectingState": 2,
                "ConnectedState": 3,
                "BoundState": 4,
                "ListeningState": 5,
                "ClosingState": 6,
            },
        )

    def test_networkLayerProtocol(self) -> None:
        """
        C{QAbstractSocket::NetworkLayerProtocol}.
        """
        self.assertEqual(
            members(NetworkLayerProtocol),
            {
                "IPv4Protocol": 0,
                "IPv6Protocol": 1,
                "AnyIPProtocol": 2,
                "UnknownNetworkLayerProtocol": -1,
            },
        )

    def test_socketOption(self) -> None:
        """
        C{QAbstractSocket::SocketOption}, with the keep-alive tuning options
        of Qt 6.11.
        """
        self.assertEqual(
            members(SocketOption),
            {
                "LowDelayOption": 0,
                "KeepAliveOption": 1,
                "MulticastTtlOption": 2,
                "MulticastLoopbackOption": 3,
                "TypeOfServiceOption": 4,
                "SendBufferSizeSocketOption": 5,
                "ReceiveBufferSizeSocketOption": 6,
                "PathMtuSocketOption": 7,
                "KeepAliveIdleOption": 8,
                "KeepAliveIntervalOption": 9,
                "KeepAliveCountOption": 10,
            },
        )

    def test_pauseMode(self) -> None:
        """
        C{QAbstractSocket::PauseMode}, a flag type (C{PauseModes}).
        """
        self.assertEqual(members(PauseMode), {"PauseNever": 0, "PauseOnSslErrors": 1})
        self.assertTrue(issubclass(PauseMode, enum.IntFlag))

    def test_socketType(self) -> None:
        """
        C{QAbstractSocket::SocketType}.
        """
        self.assertEqual(
            members(SocketType),
            {"TcpSocket": 0, "UdpSocket": 1, "SctpSocket": 2, "UnknownSocketType": -1},
        )

    def test_bindFlag(self) -> None:
        """
        C{QAbstractSocket::BindFlag}, a flag type (C{BindMode}).
        """
        self.assertEqual(
            members(BindFlag),
            {
                "DefaultForPlatform": 0,
                "ShareAddress": 1,
                "DontShareAddress": 2,
                "ReuseAddressHint": 4,
            },
        )
        self.assertTrue(issubclass(BindFlag, enum.IntFlag))

    def test_openModeFlag(self) -> None:
        """
        C{QIODeviceBase::OpenModeFlag}, a flag type (C{OpenMode}).
        """
        self.assertEqual(
            members(OpenModeFlag),
            {
                "NotOpen": 0x0,
                "ReadOnly": 0x1,
                "WriteOnly": 0x2,
                "ReadWrite": 0x3,
                "Append": 0x4,
                "Truncate": 0x8,
                "Text": 0x10,
                "Unbuffered": 0x20,
                "NewOnly": 0x40,
                "ExistingOnly": 0x80,
            },
        )
        self.assertEqual(OpenModeFlag.ReadOnly | OpenModeFlag.WriteOnly, OpenModeFlag.ReadWrite)

    def test_specialAddress(self) -> None:
        """
        C{QHostAddress::SpecialAddress}.
        """
        self.assertEqual(
            members(QHostAddress.SpecialAddress),
            {
                "Null": 0,
                "Broadcast": 1,
                "LocalHost": 2,
                "LocalHostIPv6": 3,
                "Any": 4,
                "AnyIPv6": 5,
                "AnyIPv4": 6,
            },
        )

    def test_conversionModeFlag(self) -> None:
        """
        C{QHostAddress::ConversionModeFlag}.
        """
        self.assertEqual(
            members(QHostAddress.ConversionModeFlag),
            {
                "ConvertV4MappedToIPv4": 1,
                "ConvertV4CompatToIPv4": 2,
                "ConvertUnspecifiedAddress": 4,
                "ConvertLocalHost": 8,
                "TolerantConversion": 0xFF,
                "StrictConversion": 0,
            },
        )

    def test_intEnums(self) -> None:
        """
        Plain enums are C{IntEnum}s: members compare equal to Qt's ints.
        """
        for enumClass in (SocketError, SocketState, SocketType, NetworkLayerProtocol, SocketOption):
            self.assertTrue(issubclass(enumClass, enum.IntEnum), enumClass)
        self.assertEqual(SocketError.UnknownSocketError, -1)
        self.assertEqual(SocketError(8), SocketError.AddressInUseError)


class NestingTests(SynchronousTestCase):
    """
    The enums are nested where Qt nests them.
    """

    def test_abstractSocketNests(self) -> None:
        """
        C{QAbstractSocket.SocketError} (and the others) are the enum
        classes themselves, and C{OpenMode} is C{OpenModeFlag}.
        """
        self.assertIs(QAbstractSocket.SocketError, SocketError)
        self.assertIs(QAbstractSocket.SocketState, SocketState)
        self.assertIs(QAbstractSocket.SocketType, SocketType)
        self.assertIs(QAbstractSocket.NetworkLayerProtocol, NetworkLayerProtocol)
        self.assertIs(QAbstractSocket.SocketOption, SocketOption)
        self.assertIs(QAbstractSocket.PauseMode, PauseMode)
        self.assertIs(QAbstractSocket.BindFlag, BindFlag)
        self.assertIs(QAbstractSocket.OpenModeFlag, OpenModeFlag)
        self.assertIs(QAbstractSocket.OpenMode, OpenModeFlag)

    def test_tcpSocketInherits(self) -> None:
        """
        C{QTcpSocket} sees the same nested enums by inheritance.
        """
        self.assertIs(QTcpSocket.SocketError, SocketError)
        self.assertIs(QTcpSocket.SocketState, SocketState)
        self.assertIs(QTcpSocket.OpenModeFlag, OpenModeFlag)

    def test_hostAddressNests(self) -> None:
        """
        C{QHostAddress} nests C{SpecialAddress} and C{ConversionModeFlag}.
        """
        nested = nestedEnums(QHostAddress)
        self.assertIs(nested["SpecialAddress"], QHostAddress.SpecialAddress)
        self.assertIs(nested["ConversionModeFlag"], QHostAddress.ConversionModeFlag)


class UnscopedAliasTests(SynchronousTestCase):
    """
    Every member of every enum nested in a class is also reachable as Qt's
    unscoped alias on that class (C{QAbstractSocket::AddressInUseError}).
    """

    def assertAliases(self, cls: type) -> None:
        """
        Each member of each enum nested in C{cls} is an attribute of C{cls}
        that is that very member.
        """
        missing: list[str] = []
        wrong: list[str] = []
        nested = nestedEnums(cls)
        self.assertNotEqual(nested, {}, cls)
        for enumClass in nested.values():
            for name, member in enumClass.__members__.items():
                if not hasattr(cls, name):
                    missing.append(f"{enumClass.__name__}.{name}")
                elif getattr(cls, name) is not member:
                    wrong.append(f"{name}: {getattr(cls, name)!r} is not {member!r}")
        self.assertEqual(
            (sorted(set(missing)), wrong),
            ([], []),
            f"{cls.__name__}: missing or wrong unscoped aliases",
        )

    def test_examples(self) -> None:
        """
        A few aliases spelled out.
        """
        self.assertIs(QAbstractSocket.AddressInUseError, SocketError.AddressInUseError)
        self.assertIs(QAbstractSocket.ConnectedState, SocketState.ConnectedState)
        self.assertIs(QAbstractSocket.IPv6Protocol, NetworkLayerProtocol.IPv6Protocol)
        self.assertIs(QTcpSocket.RemoteHostClosedError, SocketError.RemoteHostClosedError)
        self.assertIs(QHostAddress.LocalHost, QHostAddress.SpecialAddress.LocalHost)
        self.assertIs(QHostAddress.StrictConversion, QHostAddress.ConversionModeFlag.StrictConversion)

    def test_abstractSocket(self) -> None:
        """
        Every member of every enum nested in C{QAbstractSocket}, including
        the C{QIODeviceBase::OpenModeFlag} ones a C++ user reaches as
        C{QAbstractSocket::Append}.
        """
        self.assertAliases(QAbstractSocket)

    def test_tcpSocket(self) -> None:
        """
        The same aliases on C{QTcpSocket}, by inheritance.
        """
        self.assertAliases(QTcpSocket)

    def test_hostAddress(self) -> None:
        """
        Every member of C{SpecialAddress} and C{ConversionModeFlag} on
        C{QHostAddress}.
        """
        self.assertAliases(QHostAddress)

    def test_hostAddressProtocols(self) -> None:
        """
        Qt 6 also reaches the network-layer protocols through
        C{QHostAddress}.
        """
        for name, member in NetworkLayerProtocol.__members__.items():
            self.assertIs(getattr(QHostAddress, name), member)

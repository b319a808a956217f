"""
Tests for L{qtwisted._wsprotocol}: Qt's C{QWebSocketProtocol} enumerations
with Qt's names and numbers, their unscoped aliases, and which close codes
may travel in a Close frame.

The member lists were checked against PySide6 6.12.0
(C{PySide6.QtWebSockets.QWebSocketProtocol.CloseCode.__members__} and
C{.Version.__members__}): the same names, the same numbers, nothing more.
"""

from __future__ import annotations

import enum

from twisted.trial.unittest import SynchronousTestCase

from qtwisted._wsprotocol import QWebSocketProtocol, isValidCloseCode


def members(enumClass: type[enum.Enum]) -> dict[str, int]:
    """
    Every member of an enum, aliases included, by name.
    """
    return {name: int(m.value) for name, m in enumClass.__members__.items()}


class QWebSocketProtocolTests(SynchronousTestCase):
    """
    L{QWebSocketProtocol} is Qt's namespace: two nested C{IntEnum}s with
    Qt's values (QT_BEHAVIORS.md section 1.9) and every enumerator also
    reachable unscoped.
    """

    def test_closeCodeValues(self) -> None:
        """
        C{QWebSocketProtocol::CloseCode} has exactly Qt's members and numbers.
        """
        self.assertEqual(
            members(QWebSocketProtocol.CloseCode),
            {
                "CloseCodeNormal": 1000,
                "CloseCodeGoingAway": 1001,
                "CloseCodeProtocolError": 1002,
                "CloseCodeDatatypeNotSupported": 1003,
                "CloseCodeReserved1004": 1004,
                "CloseCodeMissingStatusCode": 1005,
                "CloseCodeAbnormalDisconnection": 1006,
                "CloseCodeWrongDatatype": 1007,
                "CloseCodePolicyViolated": 1008,
                "CloseCodeTooMuchData": 1009,
                "CloseCodeMissingExtension": 1010,
                "CloseCodeBadOperation": 1011,
                "CloseCodeTlsHandshakeFailed": 1015,
            },
        )

    def test_versionValues(self) -> None:
        """
        C{QWebSocketProtocol::Version} has exactly Qt's members; VersionLatest
        is an alias of Version13.
        """
        self.assertEqual(
            members(QWebSocketProtocol.Version),
            {
                "VersionUnknown": -1,
                "Version0": 0,
                "Version4": 4,
                "Version5": 5,
                "Version6": 6,
                "Version7": 7,
                "Version8": 8,
                "Version13": 13,
                "VersionLatest": 13,
            },
        )
        self.assertIs(
            QWebSocketProtocol.Version.VersionLatest, QWebSocketProtocol.Version.Version13
        )

    def test_intEnums(self) -> None:
        """
        Both are C{IntEnum}s, so they compare equal to Qt's plain numbers
        (B56: error() is CloseCodeNormal, that is 1000).
        """
        self.assertTrue(issubclass(QWebSocketProtocol.CloseCode, enum.IntEnum))
        self.assertTrue(issubclass(QWebSocketProtocol.Version, enum.IntEnum))
        self.assertEqual(QWebSocketProtocol.CloseCode.CloseCodeNormal, 1000)
        self.assertEqual(QWebSocketProtocol.Version.Version13, 13)

    def test_unscopedAliases(self) -> None:
        """
        Every enumerator is also a class attribute that is the very member
        (C{QWebSocketProtocol.CloseCodeNormal}, Qt's unscoped spelling).
        """
        for enumClass in (QWebSocketProtocol.CloseCode, QWebSocketProtocol.Version):
            for name, member in enumClass.__members__.items():
                self.assertIs(getattr(QWebSocketProtocol, name), member, name)

    def test_noOtherAttributes(self) -> None:
        """
        Apart from the two enums and their aliases the namespace holds no
        public names.
        """
        public = {n for n in vars(QWebSocketProtocol) if not n.startswith("_")}
        expected = {"CloseCode", "Version"}
        expected |= set(QWebSocketProtocol.CloseCode.__members__)
        expected |= set(QWebSocketProtocol.Version.__members__)
        self.assertEqual(public, expected)

    def test_notInstantiable(self) -> None:
        """
        A C++ namespace has no instances: constructing one raises TypeError.
        """
        self.assertRaises(TypeError, QWebSocketProtocol)


class IsValidCloseCodeTests(SynchronousTestCase):
    """
    L{isValidCloseCode} follows RFC 6455 section 7.4 and the IANA registry.
    """

    def test_wholeRange(self) -> None:
        """
        Over every 16-bit code, exactly 1000-1003, 1007-1014 and 3000-4999
        are valid.
        """
        valid = [code for code in range(0x10000) if isValidCloseCode(code)]
        expected = [1000, 1001, 1002, 1003, *range(1007, 1015), *range(3000, 5000)]
        self.assertEqual(valid, expected)

    def test_reservedCodes(self) -> None:
        """
        1004 (reserved), 1005 and 1006 (local reporting only) and 1015 (TLS
        failure, local only) may not appear in a Close frame, although they
        are CloseCode members.
        """
        for code in (
            QWebSocketProtocol.CloseCodeReserved1004,
            QWebSocketProtocol.CloseCodeMissingStatusCode,
            QWebSocketProtocol.CloseCodeAbnormalDisconnection,
            QWebSocketProtocol.CloseCodeTlsHandshakeFailed,
        ):
            self.assertFalse(isValidCloseCode(code), code)

    def test_ianaCodesValid(self) -> None:
        """
        SPEC.md section 5a: 1012 (Service Restart), 1013 (Try Again Later)
        and 1014 (Bad Gateway) are valid; Qt 6.12 answers them with 1002.
        """
        self.assertEqual([isValidCloseCode(c) for c in (1012, 1013, 1014)], [True] * 3)

    def test_boundaries(self) -> None:
        """
        The edges of each range: 999, 1016, 2999 and 5000 are invalid;
        3000 and 4999 valid (B101 uses 4000).
        """
        self.assertEqual(
            [isValidCloseCode(c) for c in (999, 1000, 1016, 2999, 3000, 4000, 4999, 5000)],
            [False, True, False, False, True, True, True, False],
        )

    def test_outOfRange(self) -> None:
        """
        Negative numbers and numbers beyond 16 bits are invalid, not errors.
        """
        self.assertEqual([isValidCloseCode(c) for c in (-1, 0, 65536, 10**20)], [False] * 4)

# -*- test-case-name: tests.test_wsprotocol -*-
"""
C{QWebSocketProtocol}: the WebSocket enumerations of Qt, and the close-code
rule the WebSocket classes share.

Qt declares C{QWebSocketProtocol} as a C++ namespace holding two enums,
C{Version} and C{CloseCode}, whose enumerators are also reachable unscoped
(C{QWebSocketProtocol::CloseCodeNormal}).  Here the namespace is a class
that is never instantiated: the enums are nested C{enum.IntEnum}s with Qt's
numbers, and every enumerator is repeated as a class attribute so that both
spellings work and mypy sees both (STYLE guideline 4).

L{isValidCloseCode} decides which codes may travel in a Close frame
(RFC 6455 section 7.4).  It is internal: Qt keeps its own version in a
private header (C{qwebsocketprotocol_p.h}).
"""

from __future__ import annotations

import enum

__all__ = ["QWebSocketProtocol", "isValidCloseCode"]


class QWebSocketProtocol:
    """
    Qt's C{QWebSocketProtocol} namespace: the nested enums L{Version} and
    L{CloseCode}, and Qt's unscoped aliases for every enumerator
    (C{QWebSocketProtocol.CloseCodeNormal is
    QWebSocketProtocol.CloseCode.CloseCodeNormal}).

    Qt's namespace also declares C{OpCode}, C{versionFromString()} and
    masking helpers in private headers; Autobahn does the framing here, so
    they have no counterpart.
    """

    class Version(enum.IntEnum):
        """
        C{QWebSocketProtocol::Version}: the protocol drafts a peer may name
        in C{Sec-WebSocket-Version}.

        Only C{Version13} (RFC 6455) is ever spoken; the others exist so
        that a request naming them can be recognised and turned down (B68).
        Versions 1 to 3 (hybi-01 to hybi-03) have no member, as in Qt, and
        any number without a member reads as C{VersionUnknown}.
        C{VersionLatest} is an alias of C{Version13}.
        """

        VersionUnknown = -1
        Version0 = 0
        Version4 = 4
        Version5 = 5
        Version6 = 6
        Version7 = 7
        Version8 = 8
        Version13 = 13
        VersionLatest = 13

    class CloseCode(enum.IntEnum):
        """
        C{QWebSocketProtocol::CloseCode}: the status codes of a Close
        frame (RFC 6455 section 7.4.1), with Qt's member names.

        Qt has no members for the codes IANA registered after RFC 6455
        (1012 Service Restart, 1013 Try Again Later, 1014 Bad Gateway);
        neither does this enum, but unlike Qt qtwisted accepts them in a
        peer's Close frame (SPEC.md section 5a).
        """

        CloseCodeNormal = 1000
        CloseCodeGoingAway = 1001
        CloseCodeProtocolError = 1002
        CloseCodeDatatypeNotSupported = 1003
        CloseCodeReserved1004 = 1004
        CloseCodeMissingStatusCode = 1005
        CloseCodeAbnormalDisconnection = 1006
        CloseCodeWrongDatatype = 1007
        CloseCodePolicyViolated = 1008
        CloseCodeTooMuchData = 1009
        CloseCodeMissingExtension = 1010
        CloseCodeBadOperation = 1011
        CloseCodeTlsHandshakeFailed = 1015

    VersionUnknown = Version.VersionUnknown
    Version0 = Version.Version0
    Version4 = Version.Version4
    Version5 = Version.Version5
    Version6 = Version.Version6
    Version7 = Version.Version7
    Version8 = Version.Version8
    Version13 = Version.Version13
    VersionLatest = Version.VersionLatest

    CloseCodeNormal = CloseCode.CloseCodeNormal
    CloseCodeGoingAway = CloseCode.CloseCodeGoingAway
    CloseCodeProtocolError = CloseCode.CloseCodeProtocolError
    CloseCodeDatatypeNotSupported = CloseCode.CloseCodeDatatypeNotSupported
    CloseCodeReserved1004 = CloseCode.CloseCodeReserved1004
    CloseCodeMissingStatusCode = CloseCode.CloseCodeMissingStatusCode
    CloseCodeAbnormalDisconnection = CloseCode.CloseCodeAbnormalDisconnection
    CloseCodeWrongDatatype = CloseCode.CloseCodeWrongDatatype
    CloseCodePolicyViolated = CloseCode.CloseCodePolicyViolated
    CloseCodeTooMuchData = CloseCode.CloseCodeTooMuchData
    CloseCodeMissingExtension = CloseCode.CloseCodeMissingExtension
    CloseCodeBadOperation = CloseCode.CloseCodeBadOperation
    CloseCodeTlsHandshakeFailed = CloseCode.CloseCodeTlsHandshakeFailed

    def __init__(self) -> None:
        # A C++ namespace has no instances.
        raise TypeError("QWebSocketProtocol is a namespace and cannot be instantiated")


# RFC 6455 section 7.4.1 reserves 1004 (no meaning yet), 1005 (no code was
# present) and 1006 (the connection dropped without a Close frame): the last
# two are for reporting only and MUST NOT be sent in a Close frame, and 1015
# (TLS handshake failure) likewise.  IANA's "WebSocket Close Code Number
# Registry" (RFC 6455 section 11.7) has since registered 1012, 1013 and 1014
# for use on the wire; Qt 6.12 still treats them as protocol errors (its
# isCloseCodeValid() accepts only codes below 1012 in the 1000-2999 range),
# which SPEC.md section 5a lists as a deviation.
_WIRE_CODES_BELOW_3000 = frozenset(
    {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}
)


def isValidCloseCode(code: int) -> bool:
    """
    Whether C{code} may appear in a Close frame on the wire.

    Valid are the codes RFC 6455 section 7.4.1 and the IANA registry define
    for use in a Close frame (1000-1003, 1007-1014) and the ranges section
    7.4.2 leaves to libraries and frameworks (3000-3999) and to private use
    (4000-4999).  Invalid are 0-999 (unused), 1004-1006 and 1015 (reserved
    or for local reporting only), the rest of 1016-2999 (reserved for future
    RFCs) and anything from 5000 on.

    This is Qt's C{QWebSocketProtocol::isCloseCodeValid()} except that
    1012-1014 are accepted (SPEC.md section 5a): a peer announcing a service
    restart is not committing a protocol error.

    @param code: the status code, as read from the frame (0-65535).
    @return: C{True} if a Close frame may carry it.
    """
    if 3000 <= code <= 4999:
        return True
    return code in _WIRE_CODES_BELOW_3000

# -*- test-case-name: tests.test_hostaddress -*-
"""
Qt's text forms of IP addresses: a port of C{QIPAddressUtils}
(qtbase C{src/corelib/io/qipaddress.cpp}) and of
C{QHostAddressPrivate::parse} (C{src/network/kernel/qhostaddress.cpp}),
for L{qtwisted.QHostAddress}.

Theory of operation
===================

Parsing
-------

Qt is more liberal than L{socket.inet_pton}, and users feed it addresses
typed by people, so L{parseAddress} reproduces Qt's algorithm step by step
rather than approximating it: surrounding whitespace is ignored
(C{QString::simplified}), IPv4 accepts the C{inet_aton} forms (C{"1"},
C{"1.2"}, C{"1.2.3"}), octal (C{"010.0.0.1"} is 8.0.0.1), hexadecimal
(C{"0x7f.1"}) and, through Qt's C{qstrntoull}, binary (C{"0b1.0.0.1"}) and
a leading C{+}, including where C{qstrntoull} skips a space or a C{+}; an
IPv6 string may end in C{%scope}, and may end in an embedded IPv4 address,
which is stricter (no leading zeros).  The differential run recorded in
C{tests/test_hostaddress.py} compared this module with Qt 6.12 on a large
generated corpus.

Qt parses C strings: the helpers take the text with a NUL sentinel at the
end, and stop at the first NUL, as Qt's pointer loops do.

The canonical dotted quad, the form nearly every address arrives in, takes
a fast path through C{inet_pton}, for which Qt's parser gives the same
value.

Formatting
----------

L{ip4ToString} is dotted decimal; L{ip6ToString} is RFC 5952 text with
Qt's own choices of when to write an embedded IPv4 address, which differ
from L{ipaddress} and glibc's C{inet_ntop} (see there).

Addresses are plain C{int}s here (32 bits for IPv4, 128 for IPv6), as in
L{qtwisted.QHostAddress}'s storage.
"""

from __future__ import annotations

import re
import socket
from typing import Final

from ._enums import NetworkLayerProtocol

__all__ = [
    "parseAddress",
    "parseIp4",
    "parseIp6",
    "ip4ToString",
    "ip6ToString",
    "toUInt",
    "simplified",
    "qstrntoull",
]

_IPv4: Final = NetworkLayerProtocol.IPv4Protocol
_IPv6: Final = NetworkLayerProtocol.IPv6Protocol

_M32: Final = 0xFFFFFFFF

_inet_pton = socket.inet_pton
_AF_INET: Final = socket.AF_INET

# QChar::isSpace(): 0x09-0x0d, 0x20, 0x85, 0xa0 and the Unicode separator
# categories Zs, Zl, Zp.  (Python's str.isspace() also takes 0x1c-0x1f.)
_QT_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_RUN = re.compile(f"[{_QT_SPACE}]+")
# qstrntoull() skips only the C locale's ascii_isspace() characters.
_ASCII_SPACE = " \t\n\x0b\x0c\r"

_DIGITS = {
    2: re.compile("[01]+"),
    8: re.compile("[0-7]+"),
    10: re.compile("[0-9]+"),
    16: re.compile("[0-9a-fA-F]+"),
}


def simplified(text: str) -> str:
    """
    C{QString::simplified()}: trim Qt whitespace and collapse inner runs of
    it to one space.
    """
    return _SPACE_RUN.sub(" ", text).strip(" ")


def qstrntoull(buf: str, start: int, stop: int, base: int) -> tuple[int, int]:
    """
    Qt's C{qstrntoull}: read an unsigned number at C{buf[start:stop]}.

    Leading ASCII whitespace and one C{+} are skipped; base 0 picks 16 for
    C{0x}, 2 for C{0b}, 8 for a leading C{0} and 10 otherwise; base 16
    skips a C{0x} prefix.  C{buf} must end with a NUL sentinel.

    @return: C{(value, used)}, where C{used} counts every character read
        from C{start} (spaces, sign and prefix included); C{used} is 0 when
        nothing was read.
    """
    p = start
    while p < stop and buf[p] in _ASCII_SPACE:
        p += 1
    if p >= stop or buf[p] == "-":
        return 0, 0
    if buf[p] == "+":
        p += 1
    # scanPrefix()
    if p < stop and "0" <= buf[p] <= "9":
        if buf[p] == "0":
            nxt = buf[p + 1] if p + 1 < stop else ""
            if nxt in ("b", "B"):
                if base == 0:
                    base = 2
                if base == 2:
                    p += 2
            elif nxt in ("x", "X"):
                if base == 0:
                    base = 16
                if base == 16:
                    p += 2
            elif base == 0:
                base = 8
        elif base == 0:
            base = 10
    if base == 0 or p >= stop:
        return 0, 0
    # std::from_chars(): at least one digit, no overflow of 64 bits.
    m = _DIGITS[base].match(buf, p, stop)
    if m is None:
        return 0, 0
    value = int(m.group(), base)
    if value >> 64:
        return 0, 0
    return value, m.end() - start


def toUInt(text: str) -> int | None:
    """
    C{QStringView::toUInt()} in base 10: optional surrounding ASCII
    whitespace (not U+00A0, unlike L{simplified}) and one C{+}, then ASCII
    digits only (leading zeros are decimal).  Qt reads a C string: a NUL
    ends the text.
    """
    nul = text.find("\0")
    if nul >= 0:
        text = text[:nul]
    text = text.strip(_ASCII_SPACE)
    if text[:1] == "+":
        text = text[1:]
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= _M32 else None


def parseIp4(buf: str, i: int, acceptLeadingZero: bool) -> int | None:
    """
    Qt's C{parseIp4Internal}: the C{inet_aton} forms C{a}, C{a.b}, C{a.b.c},
    C{a.b.c.d}, each part in any base C{qstrntoull} understands.

    @param buf: the text, ending with a NUL sentinel; parsing stops at the
        first NUL, as Qt's C string does.
    @param acceptLeadingZero: False inside an IPv6 address, where C{"01"} is
        refused.
    """
    stop = buf.index("\0", i)
    address = 0
    dotCount = 0
    while True:
        if not acceptLeadingZero and buf[i] == "0" and buf[i + 1] not in ".\0":
            return None
        x, used = qstrntoull(buf, i, stop, 0)
        if used <= 0 or x > _M32:
            return None
        nxt = buf[i + used]
        if nxt == "." or dotCount == 3:
            if x > 0xFF:
                return None
            address = (address << 8) & _M32
        elif dotCount == 2:
            if x > 0xFFFF:
                return None
            address = (address << 16) & _M32
        elif dotCount == 1:
            if x > 0xFFFFFF:
                return None
            address = (address << 24) & _M32
        address |= x
        if dotCount == 3 or nxt == "\0":
            return address if nxt == "\0" else None
        if nxt != ".":
            return None
        dotCount += 1
        i += used + 1


def parseIp6(text: str) -> int | None:
    """
    Qt's C{QIPAddressUtils::parseIp6} (without the scope id).

    @return: the address as a 128-bit number, or L{None}.
    """
    n = len(text)
    if not n or not text.isascii() or "\x7f" in text:
        return None
    buf = text + "\0"
    nul = text.find("\0")
    head = text if nul < 0 else text[:nul]
    colonCount = head.count(":")
    dotCount = head.count(".")
    # IPv4-in-IPv6 addresses are stricter in what they accept
    if dotCount != 0 and dotCount != 3:
        return None
    if colonCount == 2 and n == 2:
        return 0  # "::"
    # How many zero words a "::" stands for.  A "::" at either end is the
    # only way to have 8 colons, so test for it before the count.
    if (buf[0] == ":" and buf[1] == ":") or (
        n >= 2 and buf[n - 2] == ":" and buf[n - 1] == ":"
    ):
        zeroWords = 9 - colonCount
    elif colonCount < 2 or colonCount > 7:
        return None
    else:
        zeroWords = 8 - colonCount
    if dotCount:
        zeroWords -= 1

    address = bytearray(16)
    pos = 0
    i = 0
    while pos < 15:
        if buf[i] == ":":
            # an empty field: it had better be "::"
            if zeroWords < 1:
                return None
            if pos == 0 or pos == colonCount * 2:
                if buf[i + 1] != ":":
                    return None
                i += 1
            pos += zeroWords * 2
            zeroWords = 0
            i += 1
            continue
        x, used = qstrntoull(buf, i, n + 1, 16)
        if used <= 0 or used > 4:
            return None
        nxt = buf[i + used]
        if nxt == ".":
            # an embedded IPv4 address, only valid as the last 32 bits
            if pos != 12:
                return None
            ip4 = parseIp4(buf, i, False)
            if ip4 is None:
                return None
            address[12:16] = ip4.to_bytes(4, "big")
            return int.from_bytes(address, "big")
        address[pos] = (x >> 8) & 0xFF
        address[pos + 1] = x & 0xFF
        pos += 2
        if nxt == "\0":
            break
        if nxt != ":":
            return None
        i += used + 1
    return int.from_bytes(address, "big") if pos == 16 else None


def parseAddress(
    text: str,
) -> tuple[NetworkLayerProtocol, int, str | None] | None:
    """
    Qt's C{QHostAddressPrivate::parse}.

    @return: C{(protocol, value, scopeId)}, where C{scopeId} is L{None} when
        Qt leaves the object's scope id untouched (an IPv4 string), or
        L{None} for text that is no address.
    """
    # Fast path: the canonical forms socket.inet_pton() takes.  For those
    # Qt's parser gives the same value; anything else (leading zeros, spaces,
    # short forms, a scope) takes Qt's path below.
    if ":" not in text:
        if _CANONICAL4.fullmatch(text):
            return _IPv4, int.from_bytes(_inet_pton(_AF_INET, text), "big"), None
    a = simplified(text)
    if not a:
        return None
    scopeId: str | None = None
    if ":" in a:
        # All IPv6 addresses contain a ':' (and may contain a '.').
        pct = a.rfind("%")
        if pct >= 0:
            scopeId, ip = a[pct + 1 :], a[:pct]
        else:
            scopeId, ip = "", a
        value6 = parseIp6(ip)
        if value6 is not None:
            return _IPv6, value6, scopeId
    if not a.isascii() or "\x7f" in a:
        return None
    value4 = parseIp4(a + "\0", 0, True)
    if value4 is None:
        return None
    return _IPv4, value4, scopeId


_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}", re.ASCII)


def ip4ToString(value: int) -> str:
    """
    Dotted decimal, as C{QIPAddressUtils::toString(IPv4Address)}.
    """
    return f"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}"


def ip6ToString(value: int) -> str:
    """
    RFC 5952 text, as C{QIPAddressUtils::toString(IPv6Address)}.

    Unlike L{ipaddress} (and glibc's C{inet_ntop}), Qt writes an embedded
    IPv4 address for C{::ffff:a.b.c.d}, and for C{::a.b.c.d} when C{a.b} is
    not C{0.0} (C{::0.1.0.0}, but C{::2} and C{::ffff}: checked against Qt
    6.12, whose C{qipaddress.cpp} history once used the top 24 bits).
    """
    if not value >> 48:  # the first 80 bits are zero
        mid = (value >> 32) & 0xFFFF
        low = value & _M32
        if mid == 0xFFFF:
            return "::ffff:" + ip4ToString(low)
        if mid == 0:
            if low >> 16:
                return "::" + ip4ToString(low)
            if not low:
                return "::"
    groups = [(value >> shift) & 0xFFFF for shift in range(112, -16, -16)]
    # the first longest run of at least two zero groups becomes "::"
    bestStart = -1
    bestLength = 1
    i = 0
    while i < 8:
        if groups[i]:
            i += 1
            continue
        j = i
        while j < 8 and not groups[j]:
            j += 1
        if j - i > bestLength:
            bestStart, bestLength = i, j - i
        i = j
    if bestStart < 0:
        return ":".join([f"{g:x}" for g in groups])
    return (
        ":".join([f"{g:x}" for g in groups[:bestStart]])
        + "::"
        + ":".join([f"{g:x}" for g in groups[bestStart + bestLength :]])
    )

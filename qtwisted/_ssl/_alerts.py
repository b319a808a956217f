# -*- test-case-name: tests.test_sslsocket -*-
"""
TLS alerts as Qt reports them: OpenSSL's info callback, decoded into
C{(QSsl.AlertLevel, QSsl.AlertType, description)}.

Theory of operation
===================

Qt's OpenSSL backend installs an info callback on every connection
(C{qt_AlertInfoCallback} in C{qtls_openssl.cpp}): when OpenSSL reports an
alert (C{where & SSL_CB_ALERT}) it calls the socket's C{alertMessageSent}
(C{SSL_CB_WRITE}) or C{alertMessageReceived} (C{SSL_CB_READ}) with
OpenSSL's C{value}: the alert level in the high byte (1 warning, 2 fatal)
and the description number in the low byte.  The socket emits
C{alertSent} / C{alertReceived} with
C{(tlsAlertLevel(value), tlsAlertType(value), tlsAlertDescription(value))},
the last being OpenSSL's C{SSL_alert_desc_string_long}.

Here L{contextHook} installs the callback on each pyOpenSSL context
(through L{qtwisted._ssl._context.addContextHook}; a context cannot change
after its first connection).  It goes through cryptography's binding
(L{qtwisted._ssl._psk.installAlertCallback}, with the other internals),
because OpenSSL calls an info callback some eighteen times per handshake
and pyOpenSSL's own wrapper made each of those calls cost a measurable
share of a handshake; only alerts reach Python code of ours.  The callback
finds the connection's owner through its app data (the socket's TLS
protocol object, as for the verify recorder) and calls its
C{_alert(sent, value)} method; an owner without one is ignored.

cryptography's binding does not export C{SSL_alert_desc_string_long}, so
L{describe} holds OpenSSL's table (C{ssl/ssl_stat.c}, OpenSSL 3.x).

The callback only records: it runs inside an OpenSSL call
(C{SSL_do_handshake}, C{SSL_read}, C{SSL_shutdown}), where a slot that
wrote to the socket or closed it would re-enter OpenSSL on the same
connection.  The socket emits the recorded alerts when the OpenSSL call
has returned (see L{qtwisted._ssl._tls}).
"""

from __future__ import annotations

from typing import Final

from OpenSSL import SSL

from ._psk import installAlertCallback
from ._qssl import QSsl, toAlertType
from ._snapshot import Snapshot

__all__ = ["contextHook", "decode", "describe", "level"]

# OpenSSL's SSL_alert_desc_string_long (ssl/ssl_stat.c, OpenSSL 3.x).
_DESCRIPTIONS: Final[dict[int, str]] = {
    0: "close notify",
    10: "unexpected message",
    20: "bad record mac",
    21: "decryption failed",
    22: "record overflow",
    30: "decompression failure",
    40: "handshake failure",
    41: "no certificate",
    42: "bad certificate",
    43: "unsupported certificate",
    44: "certificate revoked",
    45: "certificate expired",
    46: "certificate unknown",
    47: "illegal parameter",
    48: "unknown CA",
    49: "access denied",
    50: "decode error",
    51: "decrypt error",
    60: "export restriction",
    70: "protocol version",
    71: "insufficient security",
    80: "internal error",
    90: "user canceled",
    100: "no renegotiation",
    110: "unsupported extension",
    111: "certificate unobtainable",
    112: "unrecognized name",
    113: "bad certificate status response",
    114: "bad certificate hash value",
    115: "unknown PSK identity",
    120: "no application protocol",
}


def level(value: int) -> QSsl.AlertLevel:
    """
    Qt's C{tlsAlertLevel()}: the level in the high byte of OpenSSL's
    value (OpenSSL's C{SSL_alert_type_string}: 1 warning, 2 fatal).
    """
    high = (value >> 8) & 0xFF
    if high == 1:
        return QSsl.AlertLevel.Warning
    if high == 2:
        return QSsl.AlertLevel.Fatal
    return QSsl.AlertLevel.Unknown


def describe(value: int) -> str:
    """
    OpenSSL's C{SSL_alert_desc_string_long()} for the description in the
    low byte of C{value} (C{"unknown"} for a number it does not name).
    """
    return _DESCRIPTIONS.get(value & 0xFF, "unknown")


def decode(value: int) -> tuple[QSsl.AlertLevel, QSsl.AlertType | int, str]:
    """
    The arguments of Qt's C{alertSent} / C{alertReceived} for OpenSSL's
    alert C{value}.
    """
    return level(value), toAlertType(value), describe(value)


def _onAlert(connection: SSL.Connection, sent: bool, value: int) -> None:
    owner = connection.get_app_data()
    record = getattr(owner, "_alert", None)
    if record is not None:
        record(sent, value)


def contextHook(context: SSL.Context, snapshot: Snapshot, mode: str) -> None:
    """
    A hook for L{qtwisted._ssl._context.addContextHook}: report alerts on
    every context, as Qt does on every socket.
    """
    installAlertCallback(context, _onAlert)

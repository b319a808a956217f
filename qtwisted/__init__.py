"""
qtwisted: Qt's network server classes on Twisted.

C{QTcpServer}, C{QTcpSocket} and their helpers with Qt's names, defaults,
error codes, error strings and signal order, running on the Twisted reactor.
Where Qt blocks (C{waitFor...}) qtwisted returns a C{Deferred}; where Qt has
a signal, qtwisted has a C{Signal} with C{connect}, C{disconnect} and
C{emit}.

Everything public is importable from here; the modules whose names start
with an underscore are private.
"""

from ._abstractsocket import QAbstractSocket
from ._hostaddress import QHostAddress
from ._proxy import QNetworkProxy
from ._signal import BoundSignal, Signal
from ._ssl import (
    QSsl,
    QSslCertificate,
    QSslCipher,
    QSslConfiguration,
    QSslError,
    QSslKey,
    QSslPreSharedKeyAuthenticator,
    QSslServer,
    QSslSocket,
)
from ._tcpserver import QTcpServer
from ._tcpsocket import QTcpSocket
from ._cors import QWebSocketCorsAuthenticator
from ._websocket import QWebSocket
from ._websocketserver import QWebSocketServer
from ._wsprotocol import QWebSocketProtocol
from ._wsrequest import QNetworkRequest, QWebSocketHandshakeOptions

__version__ = "0.1.0.dev0"

__all__ = [
    "BoundSignal",
    "QAbstractSocket",
    "QHostAddress",
    "QNetworkProxy",
    "QNetworkRequest",
    "QSsl",
    "QSslCertificate",
    "QSslCipher",
    "QSslConfiguration",
    "QSslError",
    "QSslKey",
    "QSslPreSharedKeyAuthenticator",
    "QSslServer",
    "QSslSocket",
    "QTcpServer",
    "QTcpSocket",
    "QWebSocket",
    "QWebSocketCorsAuthenticator",
    "QWebSocketHandshakeOptions",
    "QWebSocketProtocol",
    "QWebSocketServer",
    "Signal",
]

"""
Tests for the public namespace of L{qtwisted}.
"""

from twisted.trial.unittest import SynchronousTestCase

import qtwisted
from qtwisted import _abstractsocket, _hostaddress, _proxy, _signal, _tcpserver, _tcpsocket
from qtwisted._ssl import (
    _certificate,
    _cipher,
    _configuration,
    _error,
    _key,
    _presharedkey,
    _qssl,
    _server,
    _socket,
)
from qtwisted import _cors, _websocket, _websocketserver, _wsprotocol, _wsrequest


class PublicNamesTests(SynchronousTestCase):
    """
    C{qtwisted.__all__} lists the very objects of the private modules.
    """

    def test_allNamesAreThePrivateObjects(self) -> None:
        """
        Each public name is the object defined in its private module.
        """
        expected = {
            "BoundSignal": _signal.BoundSignal,
            "Signal": _signal.Signal,
            "QAbstractSocket": _abstractsocket.QAbstractSocket,
            "QHostAddress": _hostaddress.QHostAddress,
            "QNetworkProxy": _proxy.QNetworkProxy,
            "QSsl": _qssl.QSsl,
            "QSslCertificate": _certificate.QSslCertificate,
            "QSslCipher": _cipher.QSslCipher,
            "QSslConfiguration": _configuration.QSslConfiguration,
            "QSslError": _error.QSslError,
            "QSslKey": _key.QSslKey,
            "QSslPreSharedKeyAuthenticator": _presharedkey.QSslPreSharedKeyAuthenticator,
            "QSslServer": _server.QSslServer,
            "QSslSocket": _socket.QSslSocket,
            "QTcpServer": _tcpserver.QTcpServer,
            "QTcpSocket": _tcpsocket.QTcpSocket,
            "QNetworkRequest": _wsrequest.QNetworkRequest,
            "QWebSocket": _websocket.QWebSocket,
            "QWebSocketCorsAuthenticator": _cors.QWebSocketCorsAuthenticator,
            "QWebSocketHandshakeOptions": _wsrequest.QWebSocketHandshakeOptions,
            "QWebSocketProtocol": _wsprotocol.QWebSocketProtocol,
            "QWebSocketServer": _websocketserver.QWebSocketServer,
        }
        self.assertEqual(sorted(qtwisted.__all__), sorted(expected))
        for name, obj in expected.items():
            self.assertIs(getattr(qtwisted, name), obj, name)

    def test_noPrivateNameExported(self) -> None:
        """
        No name in C{__all__} starts with an underscore.
        """
        self.assertEqual([n for n in qtwisted.__all__ if n.startswith("_")], [])

# -*- test-case-name: tests.test_tap -*-
"""
The built-in applications of C{twistd qtwisted --app}: C{echo} (every mode)
and C{broadcast} (WebSocket modes).

An application is a callable that receives the server before it listens
and connects its slots: a L{QTcpServer<qtwisted.QTcpServer>} in C{tcp}
mode, a L{QSslServer<qtwisted.QSslServer>} in C{ssl} mode, a
L{QWebSocketServer<qtwisted.QWebSocketServer>} in C{ws} and C{wss} modes.
"""

from __future__ import annotations

from typing import Callable, Union

from ._tcpserver import QTcpServer
from ._tcpsocket import QTcpSocket
from ._websocket import QWebSocket
from ._websocketserver import QWebSocketServer

__all__ = ["echoApp", "broadcastApp", "APPS", "WEBSOCKET_ONLY", "AnyServer"]

AnyServer = Union[QTcpServer, QWebSocketServer]
"""What an application receives."""


def echoApp(server: AnyServer) -> None:
    """
    The C{echo} application: every connection gets its bytes (TCP, TLS) or
    its messages (WebSocket, text as text and binary as binary) back.
    """
    if isinstance(server, QWebSocketServer):
        wsServer = server

        def onNewWebSocket() -> None:
            while (ws := wsServer.nextPendingConnection()) is not None:
                _wireWebSocketEcho(ws)

        wsServer.newConnection.connect(onNewWebSocket)
        return
    tcpServer = server

    def onPending() -> None:
        # pendingConnectionAvailable, not newConnection: a QSslServer queues
        # a socket only once its handshake is done.
        while (qsocket := tcpServer.nextPendingConnection()) is not None:
            _wireEcho(qsocket)

    tcpServer.pendingConnectionAvailable.connect(onPending)


def _wireEcho(qsocket: QTcpSocket) -> None:
    def echo() -> None:
        qsocket.write(qsocket.readAll())

    qsocket.readyRead.connect(echo)
    qsocket.disconnected.connect(qsocket.deleteLater)


def _wireWebSocketEcho(ws: QWebSocket) -> None:
    ws.textMessageReceived.connect(ws.sendTextMessage)
    ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
    ws.disconnected.connect(ws.deleteLater)


def broadcastApp(server: AnyServer) -> None:
    """
    The C{broadcast} application (WebSocket modes only): every text or
    binary message is sent to every connected client, its sender included.
    The chat page of C{make run} uses it.

    @raise TypeError: for a server that is not a
        L{QWebSocketServer<qtwisted.QWebSocketServer>}.
    """
    if not isinstance(server, QWebSocketServer):
        raise TypeError("broadcast needs a QWebSocketServer (--mode ws or wss)")
    wsServer = server
    clients: dict[QWebSocket, None] = {}

    def sendText(message: str) -> None:
        for client in list(clients):
            client.sendTextMessage(message)

    def sendBinary(data: bytes) -> None:
        for client in list(clients):
            client.sendBinaryMessage(data)

    def onNewWebSocket() -> None:
        while (ws := wsServer.nextPendingConnection()) is not None:
            clients[ws] = None
            ws.textMessageReceived.connect(sendText)
            ws.binaryMessageReceived.connect(sendBinary)

            def gone(ws: QWebSocket = ws) -> None:
                clients.pop(ws, None)
                ws.deleteLater()

            ws.disconnected.connect(gone)

    wsServer.newConnection.connect(onNewWebSocket)


APPS: dict[str, Callable[[AnyServer], object]] = {
    "echo": echoApp,
    "broadcast": broadcastApp,
}
"""The built-in applications, by C{--app} name."""

WEBSOCKET_ONLY = frozenset({"broadcast"})
"""Built-in applications that need C{--mode ws} or C{wss}."""

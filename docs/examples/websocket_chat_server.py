"""
Qt's Simple Chat server (qtwebsockets/examples/websockets/simplechat),
ported to qtwisted, with an origin check added.

Every text message is sent to every other client.  A browser page may
connect only from an allowed origin (``--allow-origin``, repeatable, exact or
an fnmatch pattern; by default ``http://localhost:*`` and
``http://127.0.0.1:*``): without that check any web site a user visits
could open a WebSocket to this server with the user's cookies
(cross-site WebSocket hijacking).  Clients that send no Origin header (not
browsers) are let in.

    python docs/examples/websocket_chat_server.py --port 1234

prints ``listening on <port>`` (``--port 0`` picks a free port).
"""

import argparse
import fnmatch

from twisted.internet import reactor

from qtwisted import QHostAddress, QWebSocketServer


class ChatServer:
    def __init__(self, host, port, allowedOrigins):
        self.allowedOrigins = allowedOrigins
        self.clients = []
        self.webSocketServer = QWebSocketServer("Chat Server", QWebSocketServer.SslMode.NonSecureMode)
        self.webSocketServer.originAuthenticationRequired.connect(self.checkOrigin)
        if not self.webSocketServer.listen(QHostAddress(host), port):
            raise SystemExit(f"Chat server cannot listen: {self.webSocketServer.errorString()}")
        self.webSocketServer.newConnection.connect(self.onNewConnection)

    def checkOrigin(self, authenticator):
        origin = authenticator.origin()
        allowed = not origin or any(fnmatch.fnmatchcase(origin, p) for p in self.allowedOrigins)
        if not allowed:
            print("refused origin", origin, flush=True)
        authenticator.setAllowed(allowed)

    def onNewConnection(self):
        socket = self.webSocketServer.nextPendingConnection()
        socket.textMessageReceived.connect(lambda message: self.processMessage(socket, message))
        socket.disconnected.connect(lambda: self.socketDisconnected(socket))
        self.clients.append(socket)

    def processMessage(self, sender, message):
        for client in self.clients:
            if client is not sender:  # don't echo message back to sender
                client.sendTextMessage(message)

    def socketDisconnected(self, client):
        self.clients.remove(client)
        client.deleteLater()


def main():
    parser = argparse.ArgumentParser(description="QtWebSockets example: simple chat server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=1234)
    parser.add_argument("--allow-origin", action="append", dest="origins")
    args = parser.parse_args()
    origins = args.origins or ["http://localhost:*", "http://127.0.0.1:*"]
    server = ChatServer(args.host, args.port, origins)
    print("listening on", server.webSocketServer.serverPort(), flush=True)
    reactor.run()


if __name__ == "__main__":
    main()

"""
Qt's Echo Server example (qtwebsockets/examples/websockets/echoserver),
ported to qtwisted.

Every text and binary message a client sends comes back to it.

    python docs/examples/websocket_echo_server.py --port 1234 --debug

prints ``listening on <port>`` (``--port 0`` picks a free port).
"""

import argparse

from twisted.internet import reactor

from qtwisted import QHostAddress, QWebSocketServer


class EchoServer:
    def __init__(self, host, port, debug=False):
        self.debug = debug
        self.clients = []
        self.webSocketServer = QWebSocketServer("Echo Server", QWebSocketServer.SslMode.NonSecureMode)
        if not self.webSocketServer.listen(QHostAddress(host), port):
            raise SystemExit(f"Echoserver cannot listen: {self.webSocketServer.errorString()}")
        if self.debug:
            print("Echoserver listening on port", self.webSocketServer.serverPort())
        self.webSocketServer.newConnection.connect(self.onNewConnection)
        self.webSocketServer.closed.connect(reactor.stop)

    def onNewConnection(self):
        socket = self.webSocketServer.nextPendingConnection()
        socket.textMessageReceived.connect(lambda message: self.processTextMessage(socket, message))
        socket.binaryMessageReceived.connect(lambda message: self.processBinaryMessage(socket, message))
        socket.disconnected.connect(lambda: self.socketDisconnected(socket))
        self.clients.append(socket)

    def processTextMessage(self, client, message):
        if self.debug:
            print("Message received:", message)
        client.sendTextMessage(message)

    def processBinaryMessage(self, client, message):
        if self.debug:
            print("Binary Message received:", message)
        client.sendBinaryMessage(message)

    def socketDisconnected(self, client):
        if self.debug:
            print("socketDisconnected:", client)
        self.clients.remove(client)
        client.deleteLater()


def main():
    parser = argparse.ArgumentParser(description="QtWebSockets example: echoserver")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=1234)
    parser.add_argument("-d", "--debug", action="store_true")
    args = parser.parse_args()
    server = EchoServer(args.host, args.port, args.debug)
    print("listening on", server.webSocketServer.serverPort(), flush=True)
    reactor.run()


if __name__ == "__main__":
    main()

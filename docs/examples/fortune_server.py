"""
Qt's Fortune Server example (qtbase/examples/network/fortuneserver), ported
to qtwisted.

Each client that connects gets one random fortune, serialized as Qt's
QDataStream writes a QString (a big-endian quint32 byte count, then the
text in UTF-16BE), and is disconnected.  Qt's Fortune Client reads it
unchanged.

    python docs/examples/fortune_server.py --port 0

prints ``listening on <port>``; try it with Qt's fortune client, or
``nc 127.0.0.1 <port> | xxd``.
"""

import argparse
import random
import struct

from twisted.internet import reactor

from qtwisted import QHostAddress, QTcpServer

FORTUNES = [
    "You've been leading a dog's life. Stay off the furniture.",
    "You've got to think about tomorrow.",
    "You will be surprised by a loud noise.",
    "You will feel hungry again in another hour.",
    "You might have mail.",
    "You cannot kill time without injuring eternity.",
    "Computers are not intelligent. They only think they are.",
]


def qstring(text):
    """
    C{QDataStream << QString}: byte count (quint32, big-endian), UTF-16BE.
    """
    data = text.encode("utf-16-be")
    return struct.pack(">I", len(data)) + data


class FortuneServer:
    def __init__(self, host, port):
        self.tcpServer = QTcpServer()
        if not self.tcpServer.listen(QHostAddress(host), port):
            raise SystemExit(f"Unable to start the server: {self.tcpServer.errorString()}.")
        self.tcpServer.newConnection.connect(self.sendFortune)

    def sendFortune(self):
        clientConnection = self.tcpServer.nextPendingConnection()
        clientConnection.disconnected.connect(clientConnection.deleteLater)
        clientConnection.write(qstring(random.choice(FORTUNES)))
        clientConnection.disconnectFromHost()


def main():
    parser = argparse.ArgumentParser(description="Qt's fortune server on qtwisted")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (Qt's choice)")
    args = parser.parse_args()
    server = FortuneServer(args.host, args.port)
    print("listening on", server.tcpServer.serverPort(), flush=True)
    reactor.run()


if __name__ == "__main__":
    main()

"""
A TLS-PSK echo server: QSslServer with no certificate, authenticating
clients by a pre-shared key (Qt's preSharedKeyAuthenticationRequired).

    python docs/examples/psk_server.py --port 0 --identity client1 \\
        --key 00112233445566778899aabbccddeeff

prints ``listening on <port>``; try it with
``openssl s_client -connect 127.0.0.1:<port> -psk_identity client1
-psk 00112233445566778899aabbccddeeff -tls1_2 -cipher PSK``.  An unknown
identity gets no key, and the handshake fails.
"""

import argparse

from twisted.internet import reactor

from qtwisted import QHostAddress, QSslConfiguration, QSslServer


class PskServer:
    def __init__(self, host, port, keys, hint):
        self.keys = keys
        configuration = QSslConfiguration.defaultConfiguration()
        configuration.setPreSharedKeyIdentityHint(hint)
        self.server = QSslServer()
        self.server.setSslConfiguration(configuration)
        self.server.preSharedKeyAuthenticationRequired.connect(self.authenticate)
        self.server.pendingConnectionAvailable.connect(self.onPending)
        if not self.server.listen(QHostAddress(host), port):
            raise SystemExit(f"Unable to start the server: {self.server.errorString()}")

    def authenticate(self, socket, authenticator):
        # Runs inside the handshake: answer now.
        identity = authenticator.identity()
        key = self.keys.get(identity)
        print("PSK identity", identity.decode(errors="replace"),
              "known" if key else "unknown", flush=True)
        if key is not None:
            authenticator.setPreSharedKey(key)

    def onPending(self):
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda socket=socket: socket.write(socket.readAll()))
            socket.disconnected.connect(socket.deleteLater)


def main():
    parser = argparse.ArgumentParser(description="QSslServer TLS-PSK echo")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=0)
    parser.add_argument("--identity", default="client1")
    parser.add_argument("--key", default="00112233445566778899aabbccddeeff", help="hex")
    parser.add_argument("--hint", default="qtwisted")
    args = parser.parse_args()
    server = PskServer(args.host, args.port, {args.identity.encode(): bytes.fromhex(args.key)},
                       args.hint.encode())
    print("listening on", server.server.serverPort(), flush=True)
    reactor.run()


if __name__ == "__main__":
    main()

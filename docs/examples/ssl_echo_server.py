"""
An SSL echo server that requires client certificates: QSslServer, in the
spirit of Qt's sslserver test and sslechoserver example.

The server presents ``--certificate``/``--private-key`` and accepts only
clients whose certificate is signed by ``--ca-certificates``
(``QSslSocket.VerifyPeer``); each accepted client's bytes come back to it,
and its certificate's common name is printed.  Failed handshakes are
printed with the client's address.

    python docs/examples/ssl_echo_server.py --port 0 \\
        --certificate server.crt --private-key server.key --ca-certificates ca.crt

prints ``listening on <port>``; try it with
``openssl s_client -connect 127.0.0.1:<port> -cert client.crt -key client.key -CAfile ca.crt``.
"""

import argparse

from twisted.internet import reactor

from qtwisted import QHostAddress, QSslCertificate, QSslConfiguration, QSslServer, QSslSocket


class SslEchoServer:
    def __init__(self, host, port, certificate, privateKey, caCertificates):
        configuration = QSslConfiguration.defaultConfiguration()
        configuration.loadLocalCertificate(certificate, privateKey)
        configuration.setCaCertificates(QSslCertificate.fromPath(caCertificates))
        configuration.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
        self.server = QSslServer()
        self.server.setSslConfiguration(configuration)
        # Taken once encrypted: newConnection comes before the handshake.
        self.server.pendingConnectionAvailable.connect(self.onPending)
        self.server.peerVerifyError.connect(self.onPeerVerifyError)
        self.server.errorOccurred.connect(self.onError)
        if not self.server.listen(QHostAddress(host), port):
            raise SystemExit(f"Unable to start the server: {self.server.errorString()}")

    def onPending(self):
        while (socket := self.server.nextPendingConnection()) is not None:
            name = socket.peerCertificate().subjectInfo(QSslCertificate.SubjectInfo.CommonName)
            print("client", socket.peerAddress().toString(), "certificate", name, flush=True)
            socket.readyRead.connect(lambda socket=socket: socket.write(socket.readAll()))
            socket.disconnected.connect(socket.deleteLater)

    def onPeerVerifyError(self, socket, error):
        print("peer verify error from", socket.peerAddress().toString(), error.errorString(), flush=True)

    def onError(self, socket, error):
        print("handshake failed from", socket.peerAddress().toString(), socket.errorString(), flush=True)


def main():
    parser = argparse.ArgumentParser(description="QSslServer echo with client certificates")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=0)
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--private-key", required=True)
    parser.add_argument("--ca-certificates", required=True)
    args = parser.parse_args()
    server = SslEchoServer(
        args.host, args.port, args.certificate, args.private_key, args.ca_certificates
    )
    print("listening on", server.server.serverPort(), flush=True)
    reactor.run()


if __name__ == "__main__":
    main()

"""
Shared helpers for the TLS tests (L{tests.test_sslserver},
L{tests.test_sslsocket}, L{tests.test_ssl_interop}): configurations built
from the throw-away certificates of L{tests._certs}, a server with a spy on
every signal, raw ClientHello bytes, and waiting for a condition without
sleeping longer than needed.
"""

from __future__ import annotations

from typing import Any, Callable

from OpenSSL import SSL
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from qtwisted import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslServer,
    QSslSocket,
)
from qtwisted.testing import SignalSpy

from . import _certs

# How long a real-time wait may take before a test fails, in seconds.
WAIT = 10.0
# A short real interval, to show that something does NOT happen.
QUIET = 0.2

PSK = bytes.fromhex("00112233445566778899aabbccddeeff")
OTHER_PSK = bytes.fromhex("ffeeddccbbaa99887766554433221100")

SERVER_SIGNALS = (
    "newConnection",
    "pendingConnectionAvailable",
    "acceptError",
    "startedEncryptionHandshake",
    "sslErrors",
    "peerVerifyError",
    "errorOccurred",
    "preSharedKeyAuthenticationRequired",
    "alertSent",
    "alertReceived",
    "handshakeInterruptedOnError",
)


def certificate(credentials: _certs.Credentials) -> QSslCertificate:
    return QSslCertificate(credentials.certificatePem())


def key(credentials: _certs.Credentials) -> QSslKey:
    return QSslKey(credentials.keyPem(), QSsl.Ec)


def configuration(
    credentials: _certs.Credentials | None = None, **changes: Any
) -> QSslConfiguration:
    """
    C{QSslConfiguration.defaultConfiguration()} with C{credentials} as
    local certificate and key, then C{set<Name>(value)} for each change.
    """
    result = QSslConfiguration.defaultConfiguration()
    if credentials is not None:
        result.setLocalCertificate(certificate(credentials))
        result.setPrivateKey(key(credentials))
    for name, value in changes.items():
        getattr(result, "set" + name[0].upper() + name[1:])(value)
    return result


def serverConfiguration(**changes: Any) -> QSslConfiguration:
    """
    The test server's certificate (CN=localhost, issued by the test CA).
    """
    return configuration(_certs.server(), **changes)


def clientConfiguration(
    credentials: _certs.Credentials | None = None, **changes: Any
) -> QSslConfiguration:
    """
    A client that trusts the test CA (and presents C{credentials}).
    """
    changes.setdefault("caCertificates", [certificate(_certs.ca())])
    return configuration(credentials, **changes)


class SpyServer:
    """
    A L{QSslServer} on 127.0.0.1 with a L{SignalSpy} on every signal
    (Qt's test's C{SslServerSpy}) and a record of the order signals came.
    """

    def __init__(
        self, testCase: Any, sslConfiguration: QSslConfiguration | None, reactor: Any = None
    ) -> None:
        self.server = QSslServer(reactor=reactor)
        testCase.addCleanup(self.close)
        if sslConfiguration is not None:
            self.server.setSslConfiguration(sslConfiguration)
        self.order: list[str] = []
        self.spies: dict[str, SignalSpy[Any]] = {}
        for name in SERVER_SIGNALS:
            signal = getattr(self.server, name)
            self.spies[name] = SignalSpy(signal)
            signal.connect(lambda *args, name=name: self.order.append(name))

    def listen(self) -> int:
        assert self.server.listen(QHostAddress.SpecialAddress.LocalHost, 0)
        return self.server.serverPort()

    def count(self, name: str) -> int:
        return len(self.spies[name])

    def counts(self) -> dict[str, int]:
        return {name: len(spy) for name, spy in self.spies.items() if len(spy)}

    def close(self) -> None:
        self.server.close()
        for child in self.server.children():
            child._destroy()
        self.server._destroy()


def connectClient(
    testCase: Any,
    port: int,
    sslConfiguration: QSslConfiguration | None = None,
    host: str = "127.0.0.1",
    peerVerifyName: str = "localhost",
    ignoreErrors: bool = False,
    reactor: Any = None,
) -> QSslSocket:
    """
    A L{QSslSocket} connecting with TLS to C{host}:C{port} (checking the
    name C{peerVerifyName}), aborted at the end of the test.
    """
    client = QSslSocket(reactor=reactor)
    client.setSslConfiguration(
        sslConfiguration if sslConfiguration is not None else clientConfiguration()
    )
    if ignoreErrors:
        client.sslErrors.connect(lambda errors: client.ignoreSslErrors())
    testCase.addCleanup(client._destroy)
    client.connectToHostEncrypted(host, port, peerVerifyName=peerVerifyName)
    return client


async def waitUntil(
    condition: Callable[[], object], timeout: float = WAIT, what: str = "condition"
) -> None:
    """
    Poll C{condition} every few milliseconds on the real reactor until it
    is true.

    @raise AssertionError: if it is still false after C{timeout} seconds.
    """
    waited = 0.0
    step = 0.005
    while not condition():
        if waited >= timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await deferLater(reactor, step)  # type: ignore[arg-type]
        waited += step


def sleep(seconds: float) -> Deferred[None]:
    """
    A Deferred firing after C{seconds} of real time.
    """
    return deferLater(reactor, seconds)  # type: ignore[arg-type]


def openSelectables() -> int:
    """
    How many descriptors the reactor watches right now (its own wakers
    left out: they come and go with the reactor's signal handling).
    """
    watched = set(reactor.getReaders()) | set(reactor.getWriters())  # type: ignore[attr-defined]
    return len([w for w in watched if "Waker" not in type(w).__name__])


class Settle:
    """
    Remember how many descriptors the reactor watches; at cleanup, give
    closing connections (a TLS close_notify, an orderly FIN) a moment to
    finish, so that trial finds the reactor clean.
    """

    def __init__(self, testCase: Any) -> None:
        self.baseline = openSelectables()
        testCase.addCleanup(self.wait)

    async def wait(self) -> None:
        waited = 0.0
        while openSelectables() > self.baseline and waited < 2.0:
            await deferLater(reactor, 0.01)  # type: ignore[arg-type]
            waited += 0.01


def clientHello(serverName: bytes | None = b"localhost") -> bytes:
    """
    The bytes of a real TLS ClientHello (from a pyOpenSSL client that is
    then thrown away).
    """
    connection = SSL.Connection(SSL.Context(SSL.TLS_CLIENT_METHOD), None)
    connection.set_connect_state()
    if serverName:
        connection.set_tlsext_host_name(serverName)
    try:
        connection.do_handshake()
    except SSL.WantReadError:
        pass
    return connection.bio_read(65536)

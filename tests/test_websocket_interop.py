"""
Interoperability of L{qtwisted.QWebSocketServer} with an independent
WebSocket client: the C{websockets} library (its threaded, blocking client,
run with C{deferToThread} while the server runs in the reactor).

Covers text, binary, fragmented, empty and 1 MiB messages, ping and pong,
close codes both ways, subprotocols, and origins accepted, refused and
decided asynchronously; and wss with a self-signed certificate.
"""

from __future__ import annotations

import ssl
from typing import Any, Callable, TypeVar

from twisted.internet import threads
from twisted.internet.defer import Deferred

from qtwisted import QHostAddress, QWebSocket, QWebSocketCorsAuthenticator, QWebSocketServer
from qtwisted.testing import SignalSpy

from ._wshelpers import WebSocketTestCase, sleep, waitForCount, withTimeout

try:
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.sync.client import ClientConnection, connect
except ImportError:  # pragma: no cover
    connect = None  # type: ignore[assignment]

_T = TypeVar("_T")
MIB = 1024 * 1024


def inThread(f: Callable[[], _T]) -> Deferred[_T]:
    """
    Run blocking client code in the reactor's thread pool.
    """
    return withTimeout(threads.deferToThread(f), 15)


class InteropTests(WebSocketTestCase):
    """
    The C{websockets} client against an echo server.
    """

    def setUp(self) -> None:
        if connect is None:
            raise self.skipTest("the websockets library is not installed")  # type: ignore[misc]
        self.server = self.makeServer()
        self.server.setSupportedSubprotocols(["chat", "superchat"])
        self.sockets: list[QWebSocket] = []
        self.server.newConnection.connect(self.accept)

    def accept(self) -> None:
        ws = self.server.nextPendingConnection()
        assert ws is not None
        self.sockets.append(ws)
        self.addCleanup(ws.abort)
        ws.textMessageReceived.connect(ws.sendTextMessage)
        ws.binaryMessageReceived.connect(ws.sendBinaryMessage)

    def client(self, **kw: Any) -> ClientConnection:
        kw.setdefault("compression", None)
        kw.setdefault("max_size", 4 * MIB)
        kw.setdefault("ping_interval", None)
        kw.setdefault("proxy", None)
        return connect(self.server.serverUrl(), **kw)

    async def test_textAndBinary(self) -> None:
        """
        Text and binary messages, an empty one of each, echo back intact.
        """

        def talk() -> list[Any]:
            with self.client() as c:
                replies = []
                for message in ("hello", "", "héllo €", b"\x00\xff" * 10, b""):
                    c.send(message)
                    replies.append(c.recv(timeout=5))
                return replies

        replies = await inThread(talk)
        self.assertEqual(replies, ["hello", "", "héllo €", b"\x00\xff" * 10, b""])

    async def test_largeMessages(self) -> None:
        """
        1 MiB text and binary messages echo back intact (the server's come
        back in frames of 512 KiB).
        """
        big = "x" * MIB
        blob = bytes(range(256)) * (MIB // 256)

        def talk() -> tuple[Any, Any]:
            with self.client() as c:
                c.send(big)
                first = c.recv(timeout=10)
                c.send(blob)
                return first, c.recv(timeout=10)

        self.assertEqual(await inThread(talk), (big, blob))

    async def test_fragmented(self) -> None:
        """
        A fragmented message arrives as one message, frame by frame
        (websockets ends it with an empty final frame).
        """
        frames: list[tuple[str, bool]] = []

        def watch() -> None:
            self.sockets[-1].textFrameReceived.connect(lambda f, last: frames.append((f, last)))

        self.server.newConnection.connect(watch)

        def talk() -> Any:
            with self.client() as c:
                c.send(["frag", "ment", "ed"])
                return c.recv(timeout=5)

        self.assertEqual(await inThread(talk), "fragmented")
        self.assertEqual(frames, [("frag", False), ("ment", False), ("ed", False), ("", True)])

    async def test_pingPong(self) -> None:
        """
        The client's ping is answered; the server's ping() is answered and
        reported by pong.
        """

        def clientPing() -> bool:
            with self.client() as c:
                return c.ping(b"are you there").wait(5)

        self.assertTrue(await inThread(clientPing))
        got: list[Any] = []

        def serverPing() -> None:
            with self.client() as c:
                c.send("ready")
                c.recv(timeout=5)
                # websockets answers pings while it reads.
                try:
                    c.recv(timeout=0.5)
                except TimeoutError:
                    pass

        d = inThread(serverPing)
        news = SignalSpy(self.server.newConnection)
        await waitForCount(news, 1)
        ws = self.sockets[-1]
        pongs = SignalSpy(ws.pong)
        ws.ping(b"hello?")
        await waitForCount(pongs, 1)
        got.append(pongs[0])
        await d
        self.assertEqual(got[0][1], b"hello?")
        self.assertGreaterEqual(got[0][0], 0)

    async def test_clientCloses(self) -> None:
        """
        The client closes with 4000 "bye" (and 1012, which Qt refuses): the
        server echoes it and reports it.
        """
        for code in (4000, 1012):

            def talk() -> tuple[Any, Any]:
                c = self.client()
                c.close(code, "bye")
                return c.close_code, c.close_reason

            self.assertEqual(await inThread(talk), (code, "bye"))
            ws = self.sockets[-1]
            if ws.state() != ws.state().UnconnectedState:
                await waitForCount(SignalSpy(ws.disconnected), 1)
            self.assertEqual((ws.closeCode(), ws.closeReason()), (code, "bye"))

    async def test_serverCloses(self) -> None:
        """
        The server closes with GoingAway and a reason, and with 1013: the
        client sees them.
        """
        for code in (1001, 1013):
            self.server.newConnection.connect(
                lambda code=code: self.sockets[-1].close(code, "later")
            )

            def talk() -> tuple[Any, Any]:
                with self.client() as c:
                    try:
                        c.recv(timeout=5)
                    except ConnectionClosed:
                        pass
                    return c.close_code, c.close_reason

            self.assertEqual(await inThread(talk), (code, "later"))
            self.server.newConnection.disconnect()
            self.server.newConnection.connect(self.accept)

    async def test_subprotocol(self) -> None:
        """
        The server picks the client's first supported subprotocol.
        """

        def talk() -> Any:
            with self.client(subprotocols=["foo", "superchat", "chat"]) as c:
                return c.subprotocol

        self.assertEqual(await inThread(talk), "superchat")
        self.assertEqual(self.sockets[-1].subprotocol(), "superchat")

    async def test_origins(self) -> None:
        """
        An allowed origin connects; a refused one gets 403.
        """
        self.server.originAuthenticationRequired.connect(
            lambda a: a.setAllowed(a.origin() == "https://good.example")
        )

        def good() -> str:
            with self.client(origin="https://good.example") as c:
                c.send("hi")
                return str(c.recv(timeout=5))

        self.assertEqual(await inThread(good), "hi")
        self.assertEqual(self.sockets[-1].origin(), "https://good.example")

        def evil() -> int:
            try:
                with self.client(origin="https://evil.example"):
                    return 101
            except InvalidStatus as e:
                return e.response.status_code

        self.assertEqual(await inThread(evil), 403)

    async def test_asyncOrigin(self) -> None:
        """
        An async def slot decides the origin later; the handshake waits.
        """

        async def check(authenticator: QWebSocketCorsAuthenticator) -> bool:
            await sleep(0.05)
            return authenticator.origin().endswith(".trusted")

        self.server.originAuthenticationRequired.connect(check)

        def attempt(origin: str) -> Any:
            try:
                with self.client(origin=origin) as c:
                    c.send("ok")
                    return c.recv(timeout=5)
            except InvalidStatus as e:
                return e.response.status_code

        self.assertEqual(await inThread(lambda: attempt("https://a.trusted")), "ok")
        self.assertEqual(await inThread(lambda: attempt("https://a.untrusted")), 403)

    async def test_manyClients(self) -> None:
        """
        Twenty clients at once, each echoed.
        """

        def one(i: int) -> Any:
            with self.client() as c:
                c.send(f"client {i}")
                return c.recv(timeout=5)

        replies = await withTimeout(
            Deferred.fromCoroutine(_gather([inThread(lambda i=i: one(i)) for i in range(20)])),
            20,
        )
        self.assertEqual(sorted(replies), sorted(f"client {i}" for i in range(20)))


async def _gather(ds: list[Deferred[Any]]) -> list[Any]:
    return [await d for d in ds]



class SecureInteropTests(WebSocketTestCase):
    """
    The C{websockets} client over wss, against a server with a self-signed
    certificate that the client was told to trust.
    """

    def setUp(self) -> None:
        if connect is None:
            raise self.skipTest("the websockets library is not installed")  # type: ignore[misc]
        from . import _certs
        from ._tlshelpers import configuration

        self.credentials = _certs.selfSigned()
        self.server = QWebSocketServer("", QWebSocketServer.SecureMode)
        self.addCleanup(self.server._destroy)
        self.server.setSslConfiguration(configuration(self.credentials))
        self.assertTrue(self.server.listen(QHostAddress.SpecialAddress.LocalHost, 0))

        def accept() -> None:
            ws = self.server.nextPendingConnection()
            assert ws is not None
            self.addCleanup(ws.abort)
            ws.textMessageReceived.connect(ws.sendTextMessage)
            ws.binaryMessageReceived.connect(ws.sendBinaryMessage)

        self.server.newConnection.connect(accept)

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cadata=self.credentials.certificatePem().decode())
        # The self-signed certificate names no host; trust is by the
        # certificate itself.
        context.check_hostname = False
        return context

    async def test_echo(self) -> None:
        """
        Text, binary and a 1 MiB message over wss.
        """
        big = b"\xab" * MIB

        def talk() -> list[Any]:
            with connect(
                self.server.serverUrl(),
                ssl=self.context(),
                proxy=None,
                compression=None,
                max_size=4 * MIB,
            ) as c:
                replies = []
                for message in ("over TLS", big):
                    c.send(message)
                    replies.append(c.recv(timeout=10))
                c.close(4000, "done")
                return replies

        self.assertEqual(await inThread(talk), ["over TLS", big])

    async def test_untrustedRefused(self) -> None:
        """
        A client that does not trust the certificate cannot connect, and
        the server reports no WebSocket error.
        """
        errors = SignalSpy(self.server.serverError)

        def attempt() -> str:
            try:
                with connect(self.server.serverUrl(), proxy=None, open_timeout=5):
                    return "connected"
            except ssl.SSLError as e:
                return type(e).__name__

        self.assertEqual(await inThread(attempt), "SSLCertVerificationError")
        await sleep(0.1)
        self.assertEqual(len(errors), 0)

"""
Helpers for the WebSocket tests: raw upgrade requests and frames, a test
case base that makes servers and raw clients and cleans them up.
"""

from __future__ import annotations

import os
import struct
from typing import Any, Callable, Iterable, TypeVar

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater
from twisted.trial.unittest import TestCase

from qtwisted import QHostAddress, QWebSocket, QWebSocketServer
from qtwisted.testing import LoopbackClient, SignalSpy, connectLoopback

_T = TypeVar("_T")

WAIT = 5.0
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def upgradeRequest(
    target: str = "/",
    host: str | None = "127.0.0.1",
    key: str | None = KEY,
    version: str | None = "13",
    origin: str | None = None,
    protocols: Iterable[str] = (),
    extra: Iterable[str] = (),
    method: str = "GET",
    httpVersion: str = "HTTP/1.1",
    upgrade: str | None = "websocket",
    connection: str | None = "Upgrade",
) -> bytes:
    """
    The bytes of an upgrade request; C{None} leaves a header out.
    """
    lines = [f"{method} {target} {httpVersion}"]
    if host is not None:
        lines.append(f"Host: {host}")
    if upgrade is not None:
        lines.append(f"Upgrade: {upgrade}")
    if connection is not None:
        lines.append(f"Connection: {connection}")
    if key is not None:
        lines.append(f"Sec-WebSocket-Key: {key}")
    if version is not None:
        lines.append(f"Sec-WebSocket-Version: {version}")
    if origin is not None:
        lines.append(f"Origin: {origin}")
    for p in protocols:
        lines.append(f"Sec-WebSocket-Protocol: {p}")
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def frame(
    opcode: int,
    payload: bytes = b"",
    fin: bool = True,
    mask: bool = True,
    rsv: int = 0,
    length: int | None = None,
) -> bytes:
    """
    One client frame (masked unless told otherwise).  C{length} forces the
    header's length field (for malformed frames).
    """
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    maskBit = 0x80 if mask else 0
    if n <= 125:
        head += bytes([maskBit | n])
    elif n <= 0xFFFF:
        head += bytes([maskBit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([maskBit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return head + key + masked


def text(message: str, **kw: Any) -> bytes:
    """
    A text frame.
    """
    return frame(1, message.encode("utf-8"), **kw)


def closeFrame(code: int | None = 1000, reason: str = "", **kw: Any) -> bytes:
    """
    A Close frame.
    """
    payload = b"" if code is None else struct.pack("!H", code) + reason.encode("utf-8")
    return frame(8, payload, **kw)


def parseFrames(data: bytes) -> tuple[list[tuple[bool, int, int, bool, bytes]], bytes]:
    """
    Server frames in C{data}: C{(fin, rsv, opcode, masked, payload)} each,
    and the bytes of an incomplete last frame.
    """
    frames = []
    i = 0
    while len(data) - i >= 2:
        b0, b1 = data[i], data[i + 1]
        n = b1 & 0x7F
        j = i + 2
        if n == 126:
            if len(data) < j + 2:
                break
            n = struct.unpack("!H", data[j : j + 2])[0]
            j += 2
        elif n == 127:
            if len(data) < j + 8:
                break
            n = struct.unpack("!Q", data[j : j + 8])[0]
            j += 8
        masked = bool(b1 & 0x80)
        key = b""
        if masked:
            key = data[j : j + 4]
            j += 4
        if len(data) < j + n:
            break
        payload = data[j : j + n]
        if masked:
            payload = bytes(b ^ key[k % 4] for k, b in enumerate(payload))
        frames.append((bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, masked, payload))
        i = j + n
    return frames, data[i:]


def closePayload(payload: bytes) -> tuple[int | None, str]:
    """
    The code and reason of a Close frame's payload.
    """
    if len(payload) < 2:
        return None, ""
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode("utf-8")


async def sleep(seconds: float) -> None:
    """
    Let the real reactor run for C{seconds}.
    """
    await deferLater(reactor, seconds, lambda: None)


def withTimeout(d: Deferred[_T], seconds: float = WAIT) -> Deferred[_T]:
    """
    C{d}, failing after C{seconds} of real time.
    """
    return d.addTimeout(seconds, reactor)


async def waitUntil(predicate: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """
    Poll C{predicate} on the real reactor until it is true.
    """
    waited = 0.0
    while not predicate():
        if waited >= timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await sleep(0.005)
        waited += 0.005


async def waitForCount(spy: SignalSpy[Any], count: int, timeout: float = WAIT) -> None:
    """
    Wait until C{spy} has recorded C{count} emissions.
    """
    while len(spy) < count:
        if not await spy.wait(int(timeout * 1000), reactor):
            raise AssertionError(
                f"{spy.signal!r}: {len(spy)} of {count} emissions after {timeout}s"
            )


class WebSocketTestCase(TestCase):
    """
    Makes servers, raw clients and sockets, and cleans them up.
    """

    timeout = 20

    def makeServer(
        self,
        name: str = "Echo Server",
        mode: QWebSocketServer.SslMode = QWebSocketServer.NonSecureMode,
        reactor: Any = None,
        listen: bool = True,
    ) -> QWebSocketServer:
        """
        A server (listening on 127.0.0.1 unless told otherwise) closed after
        the test, with every websocket it made.
        """
        server = QWebSocketServer(name, mode, reactor=reactor)
        self.addCleanup(server._destroy)
        if listen:
            self.assertTrue(server.listen(QHostAddress.SpecialAddress.LocalHost, 0))
        return server

    async def connectClient(self, server: QWebSocketServer | int) -> LoopbackClient:
        """
        A raw TCP client connected to the server, reset after the test.
        """
        port = server if isinstance(server, int) else server.serverPort()
        client = await withTimeout(connectLoopback(port))
        self.addCleanup(client.abort)
        return client

    async def responseHead(self, client: LoopbackClient) -> bytes:
        """
        Everything up to the end of the first response head (or all that
        arrived, if the connection ends first).
        """
        await waitUntil(
            lambda: b"\r\n\r\n" in client.received or client._ended, "a response head"
        )
        data = bytes(client.received)
        end = data.find(b"\r\n\r\n")
        return data if end < 0 else data[: end + 4]

    async def upgrade(
        self,
        server: QWebSocketServer,
        request: bytes | None = None,
        after: bytes = b"",
    ) -> tuple[LoopbackClient, QWebSocket]:
        """
        Connect a raw client, upgrade it (with C{after} in the same write),
        and take its server-side socket.
        """
        spy = SignalSpy(server.newConnection)
        client = await self.connectClient(server)
        client.write((request or upgradeRequest()) + after)
        await waitForCount(spy, 1)
        spy.disconnect()
        ws = server.nextPendingConnection()
        assert ws is not None
        self.addCleanup(ws.abort)
        head = await self.responseHead(client)
        self.assertTrue(head.startswith(b"HTTP/1.1 101 "), head)
        del client.received[: len(head)]
        return client, ws

    async def frames(
        self, client: LoopbackClient, count: int
    ) -> list[tuple[bool, int, int, bool, bytes]]:
        """
        Wait until C{count} whole frames (after the response head) arrived.
        """
        await waitUntil(
            lambda: len(parseFrames(bytes(client.received))[0]) >= count or client._ended,
            f"{count} frame(s)",
        )
        return parseFrames(bytes(client.received))[0]

    async def ended(self, client: LoopbackClient) -> None:
        """
        Wait until the server has closed C{client}'s connection.
        """
        await waitUntil(lambda: client._ended, "the connection to end")


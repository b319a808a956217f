# -*- test-case-name: tests.test_tap -*-
"""
C{twistd qtwisted --web-root}: static files and the WebSocket on one port.

Each accepted socket is held until its request head has arrived; an
upgrade request (C{Upgrade: websocket}) then goes to the
L{QWebSocketServer<qtwisted.QWebSocketServer>} through
C{handleConnection}, with every byte still unread, and any other request is
answered from the web root: C{GET} and C{HEAD} of a file (a directory
serves its C{index.html}), C{404}, C{405}, C{400}, always with
C{Connection: close}.  Paths cannot leave the web root.
"""

from __future__ import annotations

import mimetypes
import os
from email.utils import formatdate
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from ._tcpsocket import QTcpSocket

__all__ = ["Dispatcher", "MAX_HEAD"]

MAX_HEAD = 16384
"""The longest request head, in bytes, before the connection is dropped."""

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
}


class Dispatcher:
    """
    Waits for one socket's request head and routes it.
    """

    def __init__(
        self,
        qsocket: QTcpSocket,
        webRoot: str | None,
        timeoutMS: int,
        reactor: Any,
        handOver: Callable[[QTcpSocket], None],
        served: Callable[[QTcpSocket, str, str, int], None],
    ) -> None:
        """
        @param qsocket: the accepted (and, for C{wss}, encrypted) socket.
        @param webRoot: the directory of static files; C{None} hands every
            request over (the L{QWebSocketServer<qtwisted.QWebSocketServer>}
            answers C{400} to a non-upgrade).
        @param timeoutMS: how long the request head may take (negative:
            forever).
        @param handOver: called to give C{qsocket}, every byte still
            unread, to the WebSocket server: for an upgrade request, or for
            every request without C{webRoot}.
        @param served: called with the socket, method, path and status of
            each static request answered.
        """
        self.socket = qsocket
        self.webRoot = os.path.realpath(webRoot) if webRoot is not None else None
        self.handOver = handOver
        self.served = served
        self.timer = (
            reactor.callLater(timeoutMS / 1000.0, self._timedOut) if timeoutMS >= 0 else None
        )
        qsocket.readyRead.connect(self._check)
        qsocket.disconnected.connect(self._gone)
        self._check()

    def _stopTimer(self) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None

    def _detach(self) -> None:
        self._stopTimer()
        self.socket.readyRead.disconnect(self._check)
        self.socket.disconnected.disconnect(self._gone)

    def _drop(self) -> None:
        self._detach()
        self.socket.abort()
        self.socket.deleteLater()

    def _timedOut(self) -> None:
        self.timer = None
        self._drop()

    def _gone(self) -> None:
        self._detach()
        self.socket.deleteLater()

    def _check(self) -> None:
        data = self.socket.peek(self.socket.bytesAvailable())
        end = data.find(b"\r\n\r\n")
        if end < 0:
            if len(data) > MAX_HEAD:
                self._drop()
            return
        head = data[:end].decode("latin-1")
        lines = head.split("\r\n")
        upgrade = any(
            name.strip().lower() == "upgrade" and "websocket" in value.lower()
            for name, sep, value in (line.partition(":") for line in lines[1:])
            if sep
        )
        self._detach()
        if upgrade or self.webRoot is None:
            self.handOver(self.socket)
            return
        self.socket.read(end + 4)
        self._serve(lines[0])

    def _serve(self, requestLine: str) -> None:
        parts = requestLine.split()
        method = parts[0] if parts else ""
        target = parts[1] if len(parts) == 3 else ""
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self._respond(method, target, 400, b"bad request\n", "text/plain")
        elif method not in ("GET", "HEAD"):
            self._respond(method, target, 405, b"method not allowed\n", "text/plain",
                          extra="Allow: GET, HEAD\r\n")
        else:
            path = self._resolve(target)
            body = None
            if path is not None:
                try:
                    with open(path, "rb") as f:
                        body = f.read()
                except OSError:
                    body = None  # unreadable: as if missing
            if path is None or body is None:
                self._respond(method, target, 404, b"not found\n", "text/plain")
            else:
                kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
                if kind.startswith("text/") or kind in ("application/javascript",):
                    kind += "; charset=utf-8"
                self._respond(method, target, 200, body, kind)

    def _resolve(self, target: str) -> str | None:
        assert self.webRoot is not None
        relative = unquote(urlsplit(target).path).lstrip("/")
        path = os.path.realpath(os.path.join(self.webRoot, relative))
        if path != self.webRoot and not path.startswith(self.webRoot + os.sep):
            return None
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        return path if os.path.isfile(path) else None

    def _respond(
        self,
        method: str,
        target: str,
        status: int,
        body: bytes,
        kind: str,
        extra: str = "",
    ) -> None:
        head = (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            f"Date: {formatdate(usegmt=True)}\r\n"
            f"Content-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"{extra}"
            "Cache-Control: no-cache\r\n"
            "Connection: close\r\n\r\n"
        )
        self.socket.write(head.encode("latin-1") + (b"" if method == "HEAD" else body))
        self.served(self.socket, method, target, status)
        self.socket.disconnected.connect(self.socket.deleteLater)
        self.socket.disconnectFromHost()

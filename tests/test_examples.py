"""
Every program in C{docs/examples/} runs (C{python x.py --port 0}), prints
the port it listens on, and serves a real client on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import struct
import sys
import tempfile
import time

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from . import _certs
from ._subprocess import PSK_KEY, ROOT, ServerProcess, opensslPskEcho

EXAMPLES = ROOT / "docs" / "examples"
DEADLINE = 20.0
LISTENING = re.compile(r"listening on (\d+)")


class Example(ServerProcess):
    """
    One example program in a subprocess (C{--port 0}), once it has said
    which port it listens on: L{port}.
    """

    def __init__(self, testCase: SynchronousTestCase, name: str, *argv: str) -> None:
        super().__init__(
            testCase,
            [sys.executable, str(EXAMPLES / name), "--port", "0", *argv],
            tempfile.gettempdir(),
            DEADLINE,
            {"PYTHONUNBUFFERED": "1"},
        )
        match = self.readUntil(LISTENING)
        testCase.assertIsNotNone(match, self.text())
        assert match is not None
        self.port = int(match.group(1))


def receiveAll(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


class ExampleTests(SynchronousTestCase):
    """
    The examples of C{docs/examples/} against real clients.
    """

    def credentials(self) -> str:
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory, True)
        _certs.ca().write(directory, "ca")
        _certs.server().write(directory, "server")
        _certs.client().write(directory, "client")
        return directory

    def test_everyExampleTested(self) -> None:
        """
        Each C{.py} file of C{docs/examples/} has a test here.
        """
        names = sorted(p.stem for p in EXAMPLES.glob("*.py"))
        self.assertEqual(
            names,
            ["fortune_server", "psk_server", "ssl_echo_server", "websocket_chat_server",
             "websocket_echo_server"],
        )
        for name in names:
            self.assertTrue(hasattr(self, f"test_{name}"), name)

    def test_fortune_server(self) -> None:
        """
        The fortune server sends one QDataStream QString and disconnects.
        """
        example = Example(self, "fortune_server.py")
        with socket.create_connection(("127.0.0.1", example.port), timeout=DEADLINE) as s:
            data = receiveAll(s)
        (size,) = struct.unpack(">I", data[:4])
        self.assertEqual(size, len(data) - 4)
        fortune = data[4:].decode("utf-16-be")
        self.assertIn(fortune, open(EXAMPLES / "fortune_server.py").read())

    def test_websocket_echo_server(self) -> None:
        """
        The echo server returns text and binary messages.
        """
        from websockets.sync.client import connect

        example = Example(self, "websocket_echo_server.py")
        with connect(f"ws://127.0.0.1:{example.port}/", open_timeout=DEADLINE) as ws:
            ws.send("hello")
            self.assertEqual(ws.recv(timeout=DEADLINE), "hello")
            ws.send(b"\x01\x02")
            self.assertEqual(ws.recv(timeout=DEADLINE), b"\x01\x02")

    def test_websocket_chat_server(self) -> None:
        """
        The chat server relays a message to the other clients, not to its
        sender, and refuses a foreign origin with 403.
        """
        from websockets.exceptions import InvalidStatus
        from websockets.sync.client import connect
        from websockets.typing import Origin

        example = Example(self, "websocket_chat_server.py")
        url = f"ws://127.0.0.1:{example.port}/"
        local = Origin("http://localhost:8000")
        with connect(url, origin=local, open_timeout=DEADLINE) as a, \
                connect(url, open_timeout=DEADLINE) as b:
            time.sleep(0.1)  # both registered before the message
            a.send("hi b")
            self.assertEqual(b.recv(timeout=DEADLINE), "hi b")
            self.assertRaises(TimeoutError, a.recv, timeout=0.3)
            exc = self.assertRaises(
                InvalidStatus, connect, url, origin=Origin("https://evil.example"),
                open_timeout=DEADLINE,
            )
            self.assertEqual(exc.response.status_code, 403)
        self.assertIsNotNone(example.readUntil(re.compile("refused origin https://evil.example")))

    def test_ssl_echo_server(self) -> None:
        """
        The SSL echo server echoes for a client with a certificate signed
        by the CA, and refuses one without.
        """
        d = self.credentials()
        example = Example(
            self, "ssl_echo_server.py",
            "--certificate", os.path.join(d, "server.crt"),
            "--private-key", os.path.join(d, "server.key"),
            "--ca-certificates", os.path.join(d, "ca.crt"),
        )
        context = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        context.load_cert_chain(os.path.join(d, "client.crt"), os.path.join(d, "client.key"))
        with socket.create_connection(("127.0.0.1", example.port), timeout=DEADLINE) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"secure echo\n")
                self.assertEqual(s.recv(100), b"secure echo\n")
        self.assertIsNotNone(example.readUntil(re.compile(r"certificate \['client'\]")))
        anonymous = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        with socket.create_connection(("127.0.0.1", example.port), timeout=DEADLINE) as raw:
            try:
                with anonymous.wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"x")
                    self.assertEqual(s.recv(100), b"")
            except (ssl.SSLError, OSError):
                pass
        self.assertIsNotNone(example.readUntil(re.compile("handshake failed from 127.0.0.1")))

    def test_psk_server(self) -> None:
        """
        The PSK server echoes for C{openssl s_client -psk} with the right
        identity and key.
        """
        if shutil.which("openssl") is None:
            raise SkipTest("the openssl command-line tool is not installed")
        example = Example(self, "psk_server.py", "--identity", "client1", "--key", PSK_KEY)
        received = opensslPskEcho(self, example.port, "client1", b"psk echo\n", DEADLINE)
        self.assertIn(b"psk echo\n", received)
        self.assertIsNotNone(example.readUntil(re.compile("PSK identity client1 known")))

"""
Server programs in subprocesses, read with bounded waits; and talking to
them with the C{openssl} command-line tool.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from pathlib import Path

from twisted.trial.unittest import SynchronousTestCase

ROOT = Path(__file__).resolve().parent.parent
"""The repository root, put on the subprocesses' C{PYTHONPATH}: C{twisted/plugins/}
lives there, without C{__init__.py}."""

PSK_KEY = "00112233445566778899aabbccddeeff"


class ServerProcess:
    """
    A program in a subprocess, its output (stdout and stderr) read with
    bounded waits; always killed in the end.
    """

    def __init__(
        self,
        testCase: SynchronousTestCase,
        argv: list[str],
        cwd: str | Path,
        deadline: float,
        env: dict[str, str] | None = None,
    ) -> None:
        """
        @param argv: the command line.
        @param cwd: its working directory.
        @param deadline: seconds each wait may take.
        @param env: variables set on top of this process's environment
            (where L{ROOT} is put first on C{PYTHONPATH}).
        """
        environ = dict(os.environ)
        environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT), environ.get("PYTHONPATH")])
        )
        environ.update(env or {})
        self.deadline = deadline
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.output = b""
        testCase.addCleanup(self.kill)

    def kill(self) -> None:
        """
        Kill the process if it is still running, and reap it.
        """
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=self.deadline)
        assert self.process.stdout is not None
        self.process.stdout.close()

    def readUntil(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """
        Read the output until C{pattern} matches it, or the process ends, or
        the deadline passes.
        """
        stdout = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + self.deadline
        while True:
            match = pattern.search(self.text())
            if match is not None:
                return match
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([stdout], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(stdout.fileno(), 65536)
            if not chunk:
                return None
            self.output += chunk

    def text(self) -> str:
        """
        The output so far, as text.
        """
        return self.output.decode("utf-8", "replace")


def opensslPskEcho(
    testCase: SynchronousTestCase, port: int, identity: str, payload: bytes, deadline: float
) -> bytes:
    """
    Send C{payload} to 127.0.0.1:C{port} through C{openssl s_client -psk}
    (TLS 1.2, PSK ciphers, key L{PSK_KEY}) and return what came back once
    C{payload} has been echoed, the stream ended, or C{deadline} seconds
    passed.
    """
    client = subprocess.Popen(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-psk_identity", identity,
         "-psk", PSK_KEY, "-tls1_2", "-cipher", "PSK", "-quiet"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        if client.poll() is None:
            client.kill()

    testCase.addCleanup(stop)
    assert client.stdin is not None and client.stdout is not None
    client.stdin.write(payload)
    client.stdin.flush()
    received = b""
    end = time.monotonic() + deadline
    while payload not in received and time.monotonic() < end:
        ready, _, _ = select.select([client.stdout], [], [], end - time.monotonic())
        if not ready:
            break
        chunk = os.read(client.stdout.fileno(), 4096)
        if not chunk:
            break
        received += chunk
    client.kill()
    client.communicate(timeout=deadline)
    return received

"""
The chat demo of C{make run} in a real browser: Debian's headless
C{chromium}, driven through the Chrome DevTools protocol (with the
C{websockets} client library).

C{twistd -n qtwisted --mode ws --app broadcast --web-root DEMO_ROOT
--allow-origin 'http://127.0.0.1:*'} runs in a subprocess; two pages loaded
from C{http://127.0.0.1:PORT/} exchange a message, and the same page loaded
from C{http://localhost:PORT/} (another origin, refused) cannot connect.

Skipped, saying so, only when chromium is not installed (C{.ci/run}
installs it).  Every wait is bounded and the browser and server are always
killed.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from qtwisted.tap import DEMO_ROOT

from .test_tap import ANY_LISTENING, DEADLINE, Twistd

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--remote-debugging-address=127.0.0.1",
]

DEVTOOLS = re.compile(r"DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)")


def findChromium() -> str | None:
    """
    Debian's chromium, if installed.
    """
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found is not None:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


class Browser:
    """
    A headless chromium with a fresh profile, killed at the test's end.
    """

    def __init__(self, testCase: SynchronousTestCase, executable: str) -> None:
        profile = tempfile.mkdtemp(prefix="qtwisted-chromium-")
        testCase.addCleanup(shutil.rmtree, profile, True)
        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        testCase.addCleanup(self.kill)
        self.port = self._devtoolsPort()
        self.pages: list[Any] = []

    def _devtoolsPort(self) -> int:
        stderr = self.process.stderr
        assert stderr is not None
        output = b""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stderr], [], [], deadline - time.monotonic())
            if not ready:
                break
            chunk = os.read(stderr.fileno(), 65536)
            if not chunk:
                break
            output += chunk
            match = DEVTOOLS.search(output.decode("utf-8", "replace"))
            if match is not None:
                return int(match.group(2))
        raise AssertionError(f"chromium did not start its DevTools server: {output[-2000:]!r}")

    def kill(self) -> None:
        """
        Close the DevTools connections and kill chromium's process group.
        """
        for page in self.pages:
            try:
                page.close()
            except Exception:
                pass
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=DEADLINE)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def open(self, url: str) -> Page:
        """
        A new tab showing C{url}.
        """
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/json/new?{url}", method="PUT"
        )
        with urllib.request.urlopen(request, timeout=DEADLINE) as response:
            target = json.load(response)
        page = Page(target["webSocketDebuggerUrl"])
        self.pages.append(page)
        return page


class Page:
    """
    One tab, through its DevTools WebSocket.
    """

    def __init__(self, url: str) -> None:
        from websockets.sync.client import connect

        self.connection = connect(url, open_timeout=DEADLINE, max_size=None)
        self.nextId = 0

    def close(self) -> None:
        self.connection.close()

    def evaluate(self, expression: str) -> Any:
        """
        The JSON value of C{expression} in the page.
        """
        self.nextId += 1
        self.connection.send(
            json.dumps(
                {
                    "id": self.nextId,
                    "method": "Runtime.evaluate",
                    "params": {"expression": expression, "returnByValue": True},
                }
            )
        )
        deadline = time.monotonic() + DEADLINE
        while True:
            message = json.loads(self.connection.recv(timeout=deadline - time.monotonic()))
            if message.get("id") == self.nextId:
                result = message["result"]
                if "exceptionDetails" in result:
                    raise AssertionError(f"{expression}: {result['exceptionDetails']}")
                return result["result"].get("value")

    def waitFor(self, expression: str, what: str) -> Any:
        """
        Poll C{expression} until it is truthy (bounded); return its value.
        """
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")


class ChatDemoTests(SynchronousTestCase):
    """
    The chat page of C{make run} in headless chromium.
    """

    def setUp(self) -> None:
        executable = findChromium()
        if executable is None:
            raise SkipTest(
                "chromium is not installed (Debian: apt-get install chromium;"
                " .ci/run installs it when it can)"
            )
        self.executable = executable

    def test_chat(self) -> None:
        """
        Two pages from the allowed origin exchange messages; a page from a
        refused origin cannot connect, and the server logs the refusal.
        """
        twistd = Twistd(
            self, "qtwisted", "--listen", "tcp:0:interface=127.0.0.1", "--mode", "ws",
            "--app", "broadcast", "--web-root", DEMO_ROOT,
            "--allow-origin", "http://127.0.0.1:*",
        )
        match = twistd.readUntil(ANY_LISTENING)
        self.assertIsNotNone(match, twistd.text())
        assert match is not None
        port = int(match.group(1))
        browser = Browser(self, self.executable)
        alice = browser.open(f"http://127.0.0.1:{port}/")
        bob = browser.open(f"http://127.0.0.1:{port}/")
        for page in (alice, bob):
            page.waitFor("window.chat && window.chat.state === 'open'", "the page to connect")
        alice.evaluate("chat.send('hello from alice')")
        self.assertEqual(
            bob.waitFor("chat.received.length && chat.received", "bob to receive"),
            ["hello from alice"],
        )
        self.assertEqual(
            alice.waitFor("chat.received.length && chat.received", "alice's echo"),
            ["hello from alice"],
        )
        bob.evaluate("document.getElementById('message').value = 'hi alice';"
                     " document.getElementById('send').click()")
        self.assertEqual(
            alice.waitFor("chat.received.length > 1 && chat.received", "alice to receive"),
            ["hello from alice", "hi alice"],
        )
        # The same page from another origin: the handshake gets 403.
        mallory = browser.open(f"http://localhost:{port}/")
        self.assertEqual(
            mallory.waitFor("window.chat && chat.state === 'closed' && chat.closeCode",
                            "the refused page to give up"),
            1006,
        )
        self.assertEqual(mallory.evaluate("chat.received"), [])
        self.assertEqual(
            bob.evaluate("chat.received"), ["hello from alice", "hi alice"]
        )
        twistd.process.send_signal(signal.SIGTERM)
        self.assertEqual(
            alice.waitFor("chat.state === 'closed' && chat.closeCode", "the server to close"),
            1001,
        )
        self.assertIn(twistd.finish(), (0, -signal.SIGTERM), twistd.text())
        self.assertRegex(
            twistd.text(),
            rf"qtwisted: 127\.0\.0\.1:\d+: origin 'http://localhost:{port}' refused",
        )

"""
The code examples of C{README.md} and C{docs/*.md} run as documented.

A fenced C{```python} block preceded by an HTML comment is run in a
subprocess (with the repository on C{PYTHONPATH}, from a scratch directory,
bounded by a timeout):

  - C{<!-- test -->}: a complete program; it must exit with status 0.  If
    the block is followed by C{<!-- output -->} and a fenced block, its
    standard output must be exactly that block.
  - C{<!-- test: trial -->}: a trial test module; C{trial} must pass it.
  - C{<!-- test: serve port=8008 send=ping expect=PING after=bye -->}: a
    server that runs until stopped.  The port literal C{8008} is replaced
    by 0 (the OS picks a free one) and the program must print
    C{listening on <port>}; a client then connects, sends C{send} plus a
    newline and must receive C{expect}; after the client closes, the
    program must print C{after} (optional).  Then it is terminated.

The comments are invisible in rendered Markdown.  Every block that runs a
reactor (a complete program) must carry one of them.
"""

from __future__ import annotations

import ast
import os
import re
import select
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from twisted.trial.unittest import SkipTest, SynchronousTestCase

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIMEOUT = 30.0

_BLOCK = re.compile(
    r"(?:<!--\s*(?P<marker>test(?::[^>]*)?)\s*-->\s*\n)?"
    r"```(?P<lang>[\w-]*)[ \t]*\n(?P<code>.*?)^```[ \t]*$"
    r"(?:\s*\n<!--\s*output\s*-->\s*\n```[\w-]*[ \t]*\n(?P<output>.*?)^```[ \t]*$)?",
    re.DOTALL | re.MULTILINE,
)


@dataclass
class Example:
    """
    One fenced code block of a document.
    """

    document: Path
    line: int
    lang: str
    code: str
    marker: str | None
    output: str | None

    @property
    def mode(self) -> str:
        """
        C{"run"}, C{"trial"}, C{"serve"}, or C{""} for an untested block.
        """
        if self.marker is None:
            return ""
        spec = self.marker.partition(":")[2].split()
        if not spec:
            return "run"
        return spec[0]

    @property
    def options(self) -> dict[str, str]:
        """
        The C{key=value} words of the marker.
        """
        assert self.marker is not None
        words = shlex.split(self.marker.partition(":")[2])
        return dict(w.split("=", 1) for w in words if "=" in w)

    def name(self) -> str:
        """
        A test method name for this block.
        """
        stem = re.sub(r"\W", "_", self.document.stem)
        return f"test_{stem}_line{self.line}"


def examples(document: Path) -> list[Example]:
    """
    Every fenced block of C{document}, in order.
    """
    text = document.read_text(encoding="utf-8")
    found = []
    for m in _BLOCK.finditer(text):
        line = text.count("\n", 0, m.start("code"))
        found.append(
            Example(document, line, m.group("lang"), m.group("code"), m.group("marker"), m.group("output"))
        )
    return found


def environment() -> dict[str, str]:
    """
    This environment with the repository first on C{PYTHONPATH} and
    unbuffered output.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class DocExamplesTests(SynchronousTestCase):
    """
    Each marked example runs as its document says.  The test methods are
    added below, one per marked block.
    """

    def scratch(self) -> str:
        """
        A scratch directory, removed after the test.
        """
        directory = tempfile.mkdtemp(prefix="qtwisted-doc-")
        self.addCleanup(shutil.rmtree, directory, True)
        return directory

    def runExample(self, example: Example) -> None:
        """
        Run one example according to its marker.
        """
        getattr(self, "mode_" + example.mode)(example)

    def where(self, example: Example) -> str:
        """
        C{file:line} of an example, for failure messages.
        """
        return f"{example.document.relative_to(ROOT)}:{example.line}"

    def mode_run(self, example: Example) -> None:
        """
        A complete program: exits 0 (and prints the documented output).
        """
        directory = self.scratch()
        script = Path(directory) / "example.py"
        script.write_text(example.code, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=directory,
            env=environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        self.assertEqual(
            result.returncode, 0, f"{self.where(example)}:\n{result.stdout}\n{result.stderr}"
        )
        if example.output is not None:
            expected = [line.rstrip() for line in example.output.strip("\n").splitlines()]
            actual = [line.rstrip() for line in result.stdout.strip("\n").splitlines()]
            self.assertEqual(actual, expected, self.where(example))

    def mode_trial(self, example: Example) -> None:
        """
        A trial test module: trial passes it.
        """
        directory = self.scratch()
        name = f"test_docexample_{example.line}"
        (Path(directory) / f"{name}.py").write_text(example.code, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "twisted.trial", "--temp-directory", "_trial", name],
            cwd=directory,
            env=environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        self.assertEqual(
            result.returncode, 0, f"{self.where(example)}:\n{result.stdout}\n{result.stderr}"
        )
        self.assertIn("PASSED", result.stdout)

    def mode_serve(self, example: Example) -> None:
        """
        A server: it listens, answers a client, and is then terminated.
        """
        options = example.options
        code = example.code
        port = options.get("port")
        if port is not None:
            self.assertIn(port, code, self.where(example))
            code = re.sub(rf"\b{port}\b", "0", code)
        directory = self.scratch()
        script = Path(directory) / "example.py"
        script.write_text(code, encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, str(script)],
            cwd=directory,
            env=environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output = bytearray()

        def stop() -> None:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=TIMEOUT)
            assert process.stdout is not None
            process.stdout.close()

        self.addCleanup(stop)

        def readUntil(pattern: str) -> re.Match[str] | None:
            assert process.stdout is not None
            deadline = time.monotonic() + TIMEOUT
            while True:
                m = re.search(pattern, output.decode("utf-8", "replace"))
                if m is not None:
                    return m
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                ready, _, _ = select.select([process.stdout], [], [], remaining)
                if not ready:
                    return None
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    return None
                output.extend(chunk)

        listening = readUntil(r"listening on (\d+)")
        self.assertIsNotNone(listening, f"{self.where(example)}: {output.decode()}")
        assert listening is not None
        with socket.create_connection(("127.0.0.1", int(listening.group(1))), timeout=TIMEOUT) as c:
            c.sendall(options.get("send", "ping").encode() + b"\n")
            expect = options.get("expect", options.get("send", "ping")).encode()
            received = b""
            while expect not in received:
                chunk = c.recv(4096)
                if not chunk:
                    break
                received += chunk
            self.assertIn(expect, received, self.where(example))
        after = options.get("after")
        if after is not None:
            self.assertIsNotNone(readUntil(re.escape(after)), f"{self.where(example)}: {output.decode()}")


def _addTests() -> None:
    for document in DOCUMENTS:
        for example in examples(document):
            if not example.mode:
                continue

            def test(self: DocExamplesTests, example: Example = example) -> None:
                self.runExample(example)

            test.__doc__ = f"The example at {example.document.name} line {example.line} runs."
            setattr(DocExamplesTests, example.name(), test)


_addTests()


class DocCoverageTests(SynchronousTestCase):
    """
    The documents exist, and every complete program in them is tested.
    """

    def test_documents(self) -> None:
        """
        The user guide's chapters are all there.
        """
        names = {d.name for d in DOCUMENTS}
        for name in (
            "README.md",
            "index.md",
            "signals.md",
            "tcp.md",
            "tls.md",
            "websocket.md",
            "testing.md",
            "deviations.md",
            "porting.md",
        ):
            self.assertIn(name, names)

    def test_readmeExampleTested(self) -> None:
        """
        The README's example is a tested server of at most 20 lines.
        """
        served = [e for e in examples(ROOT / "README.md") if e.mode == "serve"]
        self.assertEqual(len(served), 1)
        self.assertLessEqual(len(served[0].code.strip().splitlines()), 20)

    def test_completeProgramsAreTested(self) -> None:
        """
        A Python block that runs a reactor is a complete program, so it
        carries a test marker.
        """
        untested = [
            f"{e.document.name}:{e.line}"
            for d in DOCUMENTS
            for e in examples(d)
            if e.lang == "python"
            and not e.mode
            and re.search(r"reactor\.run\(\)|task\.react\(|\breact\(", e.code)
        ]
        self.assertEqual(untested, [])

    def test_markersOnPythonOnly(self) -> None:
        """
        Test markers precede Python blocks and name a known mode.
        """
        for d in DOCUMENTS:
            for e in examples(d):
                if e.mode:
                    self.assertEqual(e.lang, "python", f"{d.name}:{e.line}")
                    self.assertIn(e.mode, ("run", "trial", "serve"), f"{d.name}:{e.line}")

    def test_pythonBlocksCompile(self) -> None:
        """
        Every Python block, tested or not, is at least valid Python (a
        fragment may C{await} at top level, as if inside an C{async def}).
        """
        for d in DOCUMENTS:
            for e in examples(d):
                if e.lang == "python":
                    try:
                        compile(
                            e.code,
                            f"{d.name}:{e.line}",
                            "exec",
                            flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                        )
                    except SyntaxError as exc:
                        self.fail(f"{d.name}:{e.line}: {exc}")


class ApiDocsTests(SynchronousTestCase):
    """
    The API reference is built, never committed.
    """

    def test_apidocsIgnored(self) -> None:
        """
        git ignores C{apidocs/}, where C{make docs} writes the reference.
        """
        if shutil.which("git") is None:
            raise SkipTest("git is not installed")
        result = subprocess.run(
            ["git", "check-ignore", "-q", "apidocs/index.html"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if "not a git repository" in result.stderr:
            raise SkipTest("not in a git checkout")
        self.assertEqual(result.returncode, 0, "apidocs/ is not ignored by git")

    def test_configuration(self) -> None:
        """
        The pydoctor configuration documents the qtwisted package into
        C{apidocs} and treats warnings as errors.
        """
        text = (ROOT / "docs" / "pydoctor.ini").read_text(encoding="utf-8")
        self.assertIn("add-package = qtwisted", text)
        self.assertIn("html-output = apidocs", text)
        self.assertIn("warnings-as-errors = true", text)

    def test_pydoctorClean(self) -> None:
        """
        C{pydoctor --config=docs/pydoctor.ini} builds the reference without
        a single warning (the configuration makes warnings errors).
        """
        pydoctor = Path(sys.executable).parent / "pydoctor"
        if not pydoctor.exists():
            raise SkipTest("pydoctor is not installed next to this Python")
        output = os.path.abspath(self.mktemp())
        result = subprocess.run(
            [str(pydoctor), "--config=docs/pydoctor.ini", f"--html-output={output}", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        report = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if line.strip() and not line.startswith(("starting ", "don't link", "took "))
        ]
        self.assertEqual((result.returncode, report), (0, []))

"""
Tests for L{qtwisted.tap} and the C{twistd qtwisted} plugin: option
parsing, the service in-process, and C{twistd} itself in a subprocess.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from twisted.logger import capturedLogs, formatEvent
from twisted.python import usage
from twisted.trial.unittest import SkipTest, SynchronousTestCase, TestCase

from qtwisted import QTcpServer
from qtwisted.tap import DEFAULT_LISTEN, Options, QtwistedService, echoApp, makeService
from qtwisted.testing import connectLoopback

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: C{twisted/plugins/} lives there, without C{__init__.py}."""

# `python -m twisted.scripts.twistd` does nothing (the module has no main
# block), so run twistd's entry point the way the console script does.
TWISTD = [
    sys.executable,
    "-c",
    "import sys; from twisted.scripts.twistd import run; sys.argv[0] = 'twistd'; run()",
]

LISTENING = re.compile(r"qtwisted: echo listening on 127\.0\.0\.1:(\d+) ")

# Every wait on a subprocess is bounded by this many seconds.
DEADLINE = 20.0


def customApp(server: QTcpServer) -> None:
    """
    An C{--app tests.test_tap:customApp}: greets each connection.
    """

    def greet() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            sock.write(b"custom\n")

    server.newConnection.connect(greet)


notCallable = 42
"""An attribute that an C{--app} cannot name."""


def parse(*argv: str) -> Options:
    """
    Parse C{argv} as C{twistd qtwisted}'s options.
    """
    options = Options()
    options.parseOptions(list(argv))
    return options


class OptionsTests(SynchronousTestCase):
    """
    L{Options} parses and checks every option before anything listens.
    """

    def assertUsageError(self, bad: str, *argv: str) -> str:
        """
        Parsing C{argv} raises C{UsageError} with a one-line message that
        names C{bad}; returns the message.
        """
        exc = self.assertRaises(usage.UsageError, parse, *argv)
        message = str(exc)
        self.assertIn(bad, message)
        self.assertNotIn("\n", message)
        return message

    def test_defaults(self) -> None:
        """
        Without options: the echo app on C{tcp:8007:interface=127.0.0.1},
        at most 30 pending connections.
        """
        options = parse()
        self.assertEqual(DEFAULT_LISTEN, "tcp:8007:interface=127.0.0.1")
        self.assertEqual(options["listen"], [DEFAULT_LISTEN])
        self.assertEqual(options["app"], "echo")
        self.assertIs(options["appCallable"], echoApp)
        self.assertEqual(options["max-pending"], 30)

    def test_listenRepeatable(self) -> None:
        """
        C{--listen} and C{-l} may be given several times, in order; the
        default is then not added.
        """
        options = parse("--listen", "tcp:1234", "-l", "unix:/tmp/x.sock", "--listen=tcp6:0")
        self.assertEqual(options["listen"], ["tcp:1234", "unix:/tmp/x.sock", "tcp6:0"])

    def test_separateInstances(self) -> None:
        """
        Two parses do not share their C{--listen} list.
        """
        parse("--listen", "tcp:1")
        self.assertEqual(parse()["listen"], [DEFAULT_LISTEN])

    def test_appEcho(self) -> None:
        """
        C{--app echo} (or C{-a echo}) is the built-in echo application.
        """
        self.assertIs(parse("--app", "echo")["appCallable"], echoApp)
        self.assertIs(parse("-a", "echo")["appCallable"], echoApp)

    def test_appCallable(self) -> None:
        """
        C{--app package.module:callable} imports that callable.
        """
        options = parse("--app", "tests.test_tap:customApp")
        self.assertIs(options["appCallable"], customApp)

    def test_maxPending(self) -> None:
        """
        C{--max-pending} is converted to an C{int}; Qt accepts any int.
        """
        self.assertEqual(parse("--max-pending", "5")["max-pending"], 5)
        self.assertEqual(parse("--max-pending=-1")["max-pending"], -1)

    def test_badEndpoint(self) -> None:
        """
        An endpoint description Twisted cannot parse is a usage error naming
        it.
        """
        self.assertUsageError("'bogus:1'", "--listen", "bogus:1")
        self.assertUsageError("'tcp:notaport'", "--listen", "tcp:8007", "--listen", "tcp:notaport")

    def test_unknownApp(self) -> None:
        """
        An C{--app} that is neither built in nor C{module:callable} is a
        usage error naming it and the choices.
        """
        message = self.assertUsageError("'nosuchapp'", "--app", "nosuchapp")
        self.assertIn("echo", message)

    def test_appModuleMissing(self) -> None:
        """
        An C{--app} whose module cannot be imported is a usage error.
        """
        self.assertUsageError("no_such_module_qtw", "--app", "no_such_module_qtw:app")

    def test_appNotCallable(self) -> None:
        """
        An C{--app} naming something missing or not callable is a usage
        error.
        """
        self.assertUsageError("'missing'", "--app", "tests.test_tap:missing")
        self.assertUsageError("'notCallable'", "--app", "tests.test_tap:notCallable")

    def test_maxPendingNotInteger(self) -> None:
        """
        A non-integer C{--max-pending} is a usage error naming the value.
        """
        self.assertUsageError("'lots'", "--max-pending", "lots")

    def test_underTwistdExitsWithOneLine(self) -> None:
        """
        As C{twistd}'s subcommand options (with a C{parent}), a bad option
        is a C{SystemExit} with one line instead of a C{UsageError}, for
        which C{twistd} would print the whole usage text first.
        """
        options = Options()
        options.parent = usage.Options()
        exc = self.assertRaises(SystemExit, options.parseOptions, ["--max-pending", "x"])
        self.assertEqual(exc.code, "twistd qtwisted: --max-pending 'x': not an integer")

    def test_help(self) -> None:
        """
        The help text lists every option.
        """
        text = str(Options())
        for option in ("--listen", "--app", "--max-pending"):
            self.assertIn(option, text)


class ServiceTests(TestCase):
    """
    The service of L{makeService}, in this process, on the real reactor.
    """

    def service(self, *argv: str) -> QtwistedService:
        """
        A started service for C{argv}, stopped after the test.
        """
        svc = makeService(parse(*argv))
        assert isinstance(svc, QtwistedService)
        svc.startService()
        self.addCleanup(lambda: svc.stopService() if svc.running else None)
        return svc

    async def test_echo(self) -> None:
        """
        Started with C{tcp:0:interface=127.0.0.1}, the service echoes for a
        real client, and stopping it closes the listener and the connection.
        """
        svc = self.service("--listen", "tcp:0:interface=127.0.0.1")
        self.assertEqual(len(svc.servers), 1)
        server = svc.servers[0]
        self.assertTrue(server.isListening())
        self.assertEqual(server.maxPendingConnections(), 30)
        client = await connectLoopback(server.serverPort())
        self.addCleanup(client.abort)
        client.write(b"hello qtwisted\n")
        self.assertEqual(await client.receiveAtLeast(15), b"hello qtwisted\n")
        await svc.stopService()
        self.assertFalse(server.isListening())
        self.assertEqual(svc.servers, [])
        await client.lost

    async def test_logLine(self) -> None:
        """
        Each listener logs one line with its host and port.
        """
        with capturedLogs() as events:
            svc = self.service("--listen", "tcp:0:interface=127.0.0.1")
        port = svc.servers[0].serverPort()
        lines = [formatEvent(e) for e in events if e.get("log_namespace") == "qtwisted.tap"]
        self.assertEqual(
            lines, [f"qtwisted: echo listening on 127.0.0.1:{port} (tcp:0:interface=127.0.0.1)"]
        )

    async def test_customAppAndSeveralListeners(self) -> None:
        """
        C{--app module:callable} is installed on every listener, each with
        the C{--max-pending} limit.
        """
        svc = self.service(
            "--app", "tests.test_tap:customApp",
            "--max-pending", "7",
            "-l", "tcp:0:interface=127.0.0.1",
            "-l", "tcp:0:interface=127.0.0.1",
        )
        self.assertEqual(len(svc.servers), 2)
        for server in svc.servers:
            self.assertEqual(server.maxPendingConnections(), 7)
            client = await connectLoopback(server.serverPort())
            self.addCleanup(client.abort)
            self.assertEqual(await client.receiveAtLeast(7), b"custom\n")

    def test_listenFailure(self) -> None:
        """
        A listener that cannot be opened ends start-up with C{SystemExit}
        and a one-line message; a listener opened before it is closed again
        and nothing is logged as listening.
        """
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        svc = makeService(parse("-l", "tcp:0:interface=127.0.0.1", "-l", f"tcp:{port}:interface=127.0.0.1"))
        with capturedLogs() as events:
            exc = self.assertRaises(SystemExit, svc.startService)
        message = str(exc.code)
        self.assertIn(f"'tcp:{port}:interface=127.0.0.1'", message)
        self.assertIn("The bound address is already in use", message)
        self.assertNotIn("\n", message)
        self.assertEqual([e for e in events if e.get("log_namespace") == "qtwisted.tap"], [])
        assert isinstance(svc, QtwistedService)
        self.assertEqual(svc.servers, [])

    async def test_stopWithoutConnections(self) -> None:
        """
        Stopping a service without connections closes its listener.
        """
        svc = self.service("--listen", "tcp:0:interface=127.0.0.1")
        server = svc.servers[0]
        await svc.stopService()
        self.assertFalse(server.isListening())


class Twistd:
    """
    A C{twistd} subprocess with bounded waits; always killed in the end.
    """

    def __init__(self, testCase: SynchronousTestCase, *argv: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            TWISTD + ["--pidfile=", "-n", *argv],
            cwd=ROOT,
            env=env,
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
        self.process.wait(timeout=DEADLINE)
        assert self.process.stdout is not None
        self.process.stdout.close()

    def readUntil(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """
        Read the output until C{pattern} matches it, or the process ends, or
        the deadline passes.
        """
        stdout = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + DEADLINE
        while True:
            match = pattern.search(self.output.decode("utf-8", "replace"))
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

    def finish(self) -> int:
        """
        Wait (bounded) for the process to end, collecting its output.
        """
        assert self.process.stdout is not None
        try:
            rest, _ = self.process.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            rest, _ = self.process.communicate(timeout=DEADLINE)
        self.output += rest or b""
        return self.process.returncode

    def text(self) -> str:
        """
        The output so far, as text.
        """
        return self.output.decode("utf-8", "replace")


def runTwistd(*argv: str) -> subprocess.CompletedProcess[str]:
    """
    Run C{twistd argv} from the repository root to completion (bounded).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        TWISTD + list(argv),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )


def errorLines(output: str) -> list[str]:
    """
    The lines of twistd's output that are not its own start-up chatter.
    """
    chatter = ("starting up", "reactor class:")
    return [line for line in output.splitlines() if line.strip() and not any(c in line for c in chatter)]


class TwistdTests(SynchronousTestCase):
    """
    C{twistd qtwisted} in a subprocess, run from the repository root.
    """

    def test_pluginListed(self) -> None:
        """
        C{twistd --help} lists the qtwisted plugin with its description.
        """
        result = runTwistd("--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"\n\s+qtwisted\s+Serve Qt-style TCP applications")

    def test_pluginHelp(self) -> None:
        """
        C{twistd -n qtwisted --help} shows the plugin's options.
        """
        result = runTwistd("-n", "qtwisted", "--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        for option in ("--listen=", "--app=", "--max-pending="):
            self.assertIn(option, result.stdout)
        self.assertIn("Usage: twistd [options] qtwisted", result.stdout)

    def test_servesAndStops(self) -> None:
        """
        C{twistd -n qtwisted --listen tcp:0:interface=127.0.0.1} logs the
        host and port it listens on, echoes, and shuts down on SIGTERM.
        """
        twistd = Twistd(self, "qtwisted", "--listen", "tcp:0:interface=127.0.0.1")
        match = twistd.readUntil(LISTENING)
        self.assertIsNotNone(match, twistd.text())
        assert match is not None
        port = int(match.group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as client:
            client.sendall(b"echo me\n")
            received = b""
            while len(received) < 8:
                chunk = client.recv(100)
                if not chunk:
                    break
                received += chunk
            self.assertEqual(received, b"echo me\n")
        twistd.process.send_signal(signal.SIGTERM)
        # twistd shuts down cleanly, then ends itself with the signal it got.
        self.assertIn(twistd.finish(), (0, -signal.SIGTERM), twistd.text())
        self.assertIn("Server Shut Down.", twistd.text())

    def assertOneLineFailure(self, expected: str, *argv: str) -> None:
        """
        C{twistd --pidfile= -n qtwisted argv} exits with status 1 and
        prints exactly one line, which contains C{expected}, and nothing
        about listening.
        """
        result = runTwistd("--pidfile=", "-n", "qtwisted", *argv)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 1, output)
        lines = [line for line in output.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, output)
        self.assertIn(expected, lines[0])
        self.assertTrue(lines[0].startswith("twistd qtwisted: "), lines[0])

    def test_badEndpoint(self) -> None:
        """
        An invalid endpoint exits non-zero with one line naming it, before
        anything listens (no usage text, no traceback).
        """
        self.assertOneLineFailure(
            "--listen 'nonsense:99': invalid endpoint", "--listen", "nonsense:99"
        )

    def test_badMaxPending(self) -> None:
        """
        A non-integer C{--max-pending} exits non-zero with one line naming
        the value.
        """
        self.assertOneLineFailure("--max-pending 'many': not an integer", "--max-pending", "many")

    def test_unknownApp(self) -> None:
        """
        An unknown C{--app} exits non-zero with one line naming it.
        """
        self.assertOneLineFailure("--app 'nosuchapp'", "--app", "nosuchapp")

    def test_unknownOption(self) -> None:
        """
        An option that does not exist exits non-zero with one line.
        """
        self.assertOneLineFailure("--bogus", "--bogus")

    def test_portInUse(self) -> None:
        """
        A port already in use exits non-zero with exactly one line, and
        nothing is logged as listening.
        """
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            twistd = Twistd(self, "qtwisted", "--listen", f"tcp:{port}:interface=127.0.0.1")
            code = twistd.finish()
        output = twistd.text()
        self.assertNotEqual(code, 0, output)
        lines = errorLines(output)
        self.assertEqual(len(lines), 1, output)
        self.assertIn(f"cannot listen on 'tcp:{port}:interface=127.0.0.1'", lines[0])
        self.assertIn("The bound address is already in use", lines[0])
        self.assertNotIn("listening on", output)

    def test_pidfileRemovedOnFailure(self) -> None:
        """
        When listening fails, the pid file C{twistd} wrote is removed, as
        C{twistd} does for other start-up failures.
        """
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory, True)
        pidfile = os.path.join(directory, "twistd.pid")
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = runTwistd(
                f"--pidfile={pidfile}", "-n", "qtwisted", "--listen", f"tcp:{port}:interface=127.0.0.1"
            )
        self.assertNotEqual(result.returncode, 0)
        self.assertFalse(os.path.exists(pidfile))

    def test_consoleScript(self) -> None:
        """
        The C{twistd} console script next to this Python finds the plugin
        too when the repository is on C{PYTHONPATH}.
        """
        script = Path(sys.executable).parent / "twistd"
        if not script.exists():
            raise SkipTest(f"no twistd script at {script}")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        result = subprocess.run(
            [str(script), "-n", "qtwisted", "--help"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=DEADLINE,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("--listen=", result.stdout)


class InstalledPluginTests(SynchronousTestCase):
    """
    An installed qtwisted is found by Twisted's plugin system from any
    directory: the known trap (STYLE.md) is an install that makes
    C{qtwisted} importable but leaves C{twisted/plugins/} off C{sys.path}.
    """

    def test_discoveredOutsideRepository(self) -> None:
        """
        Run from a directory outside the repository, without
        C{PYTHONPATH}: if C{qtwisted} imports there (it is installed), then
        C{getPlugins(IServiceMaker)} finds the qtwisted plugin.
        """
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory, True)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        probe = (
            "import sys\n"
            "try:\n"
            "    import qtwisted\n"
            "except ImportError:\n"
            "    print('NOT-INSTALLED'); sys.exit(0)\n"
            "from twisted.plugin import getPlugins\n"
            "from twisted.application.service import IServiceMaker\n"
            "print(sorted(p.tapname for p in getPlugins(IServiceMaker)))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=directory, env=env, capture_output=True, text=True, timeout=DEADLINE,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        if "NOT-INSTALLED" in result.stdout:
            raise SkipTest("qtwisted is not installed in this environment")
        self.assertIn("'qtwisted'", result.stdout, result.stdout + result.stderr)


class DropinCacheTests(SynchronousTestCase):
    """
    Twisted writes C{twisted/plugins/dropin.cache} when it scans plugins;
    it must never be committed (STYLE.md, known traps).
    """

    def git(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """
        Run a read-only git command in the repository, or skip.
        """
        if shutil.which("git") is None:
            raise SkipTest("git is not installed")
        result = subprocess.run(
            ["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE
        )
        if result.returncode != 0 and "not a git repository" in result.stderr:
            raise SkipTest("not in a git checkout")
        return result

    def test_notCommitted(self) -> None:
        """
        C{git ls-files} lists no C{dropin.cache}.
        """
        result = self.git("ls-files")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([f for f in result.stdout.splitlines() if f.endswith("dropin.cache")], [])

    def test_ignored(self) -> None:
        """
        git ignores C{twisted/plugins/dropin.cache}, so it cannot be added
        by accident.
        """
        result = self.git("check-ignore", "-q", "twisted/plugins/dropin.cache")
        self.assertEqual(result.returncode, 0, "twisted/plugins/dropin.cache is not ignored")

    def test_noPackageInit(self) -> None:
        """
        Neither C{twisted/} nor C{twisted/plugins/} has an C{__init__.py},
        which would hide Twisted's own package.
        """
        self.assertFalse((ROOT / "twisted" / "__init__.py").exists())
        self.assertFalse((ROOT / "twisted" / "plugins" / "__init__.py").exists())
        self.assertTrue((ROOT / "twisted" / "plugins" / "qtwisted_plugin.py").exists())


class PluginTests(SynchronousTestCase):
    """
    The plugin object itself.
    """

    def test_serviceMaker(self) -> None:
        """
        The plugin is a C{ServiceMaker} named C{qtwisted} pointing at
        L{qtwisted.tap}.
        """
        from twisted.application.service import IServiceMaker
        from twisted.plugin import IPlugin

        sys.path.insert(0, str(ROOT))
        self.addCleanup(sys.path.remove, str(ROOT))
        from twisted.plugin import getPlugins

        makers: list[Any] = [p for p in getPlugins(IServiceMaker) if p.tapname == "qtwisted"]
        self.assertEqual(len(makers), 1)
        maker = makers[0]
        self.assertTrue(IPlugin.providedBy(maker))
        self.assertIs(maker.options, Options)
        self.assertIs(maker.makeService, makeService)

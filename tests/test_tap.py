"""
Tests for L{qtwisted.tap} and the C{twistd qtwisted} plugin: option
parsing, the service in-process, and C{twistd} itself in a subprocess.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from twisted.logger import capturedLogs, formatEvent
from twisted.python import usage
from twisted.trial.unittest import SkipTest, SynchronousTestCase, TestCase

from qtwisted import QSslCertificate, QSslSocket, QTcpServer
from qtwisted.tap import (
    DEFAULT_LISTEN,
    Options,
    QtwistedService,
    broadcastApp,
    echoApp,
    makeService,
    originAllowed,
)
from qtwisted.testing import connectLoopback

from ._subprocess import PSK_KEY, ROOT, ServerProcess, opensslPskEcho

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
            lines, [f"qtwisted: echo listening on 127.0.0.1:{port} (tcp:0:interface=127.0.0.1, tcp)"]
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


class Twistd(ServerProcess):
    """
    A C{twistd} subprocess with bounded waits; always killed in the end.
    """

    def __init__(self, testCase: SynchronousTestCase, *argv: str) -> None:
        super().__init__(testCase, TWISTD + ["--pidfile=", "-n", *argv], ROOT, DEADLINE)

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
        self.assertRegex(result.stdout, r"\n\s+qtwisted\s+Serve Qt-style TCP, TLS and WebSocket")

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


ANY_LISTENING = re.compile(r"qtwisted: \S+ listening on 127\.0\.0\.1:(\d+) ")

LOCAL = "tcp:0:interface=127.0.0.1"


def credentialsDirectory(testCase: SynchronousTestCase) -> str:
    """
    A temporary directory with the test CA (C{ca.crt}), a server
    certificate and key (C{server.crt}, C{server.key}), a client's
    (C{client.crt}, C{client.key}) and a PSK file (C{psk}, mode 600).
    """
    from . import _certs

    directory = tempfile.mkdtemp()
    testCase.addCleanup(shutil.rmtree, directory, True)
    _certs.ca().write(directory, "ca")
    _certs.server().write(directory, "server")
    _certs.client().write(directory, "client")
    psk = os.path.join(directory, "psk")
    fd = os.open(psk, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"# identity:hex-key\nclient1:{PSK_KEY}\n\n")
    return directory


class ModeOptionsTests(SynchronousTestCase):
    """
    C{--mode} and the TLS and WebSocket options are checked before anything
    listens.
    """

    def setUp(self) -> None:
        self.dir = credentialsDirectory(self)

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def assertUsageError(self, bad: str, *argv: str) -> str:
        exc = self.assertRaises(usage.UsageError, parse, *argv)
        message = str(exc)
        self.assertIn(bad, message)
        self.assertNotIn("\n", message)
        return message

    def test_modes(self) -> None:
        """
        C{--mode} is one of tcp, ssl, ws and wss; tcp by default.
        """
        self.assertEqual(parse()["mode"], "tcp")
        self.assertEqual(parse("--mode", "ws")["mode"], "ws")
        self.assertUsageError("'http'", "--mode", "http")

    def test_sslCertificate(self) -> None:
        """
        C{--mode ssl} loads the certificate and key now, into a
        configuration that does not ask for client certificates.
        """
        options = parse(
            "--mode", "ssl",
            "--certificate", self.path("server.crt"),
            "--private-key", self.path("server.key"),
        )
        config = options["sslConfiguration"]
        self.assertEqual(
            config.localCertificate().subjectInfo(QSslCertificate.SubjectInfo.CommonName),
            ["localhost"],
        )
        self.assertEqual(config.peerVerifyMode(), QSslSocket.PeerVerifyMode.VerifyNone)

    def test_sslNeedsCredentials(self) -> None:
        """
        C{ssl} and C{wss} need a certificate or PSK identities.
        """
        self.assertUsageError("--certificate or --psk-identities", "--mode", "ssl")
        self.assertUsageError("--mode wss", "--mode", "wss")

    def test_certificateErrors(self) -> None:
        """
        A missing certificate file, a file that is no certificate, and a
        key that does not match are usage errors naming the file.
        """
        self.assertUsageError(
            "nothere.crt", "--mode", "ssl", "--certificate", self.path("nothere.crt"),
            "--private-key", self.path("server.key"),
        )
        self.assertUsageError(
            "psk", "--mode", "ssl", "--certificate", self.path("psk"),
            "--private-key", self.path("server.key"),
        )
        message = self.assertUsageError(
            "server.crt", "--mode", "wss", "--certificate", self.path("server.crt"),
            "--private-key", self.path("client.key"),
        )
        self.assertIn("does not match", message)

    def test_verifyPeer(self) -> None:
        """
        C{--verify-peer} needs C{--ca-certificates}, and then asks for a
        client certificate signed by them.
        """
        base = ["--mode", "ssl", "--certificate", self.path("server.crt"),
                "--private-key", self.path("server.key")]
        self.assertUsageError("--ca-certificates", *base, "--verify-peer")
        config = parse(*base, "--verify-peer", "--ca-certificates", self.path("ca.crt"))[
            "sslConfiguration"
        ]
        self.assertEqual(config.peerVerifyMode(), QSslSocket.PeerVerifyMode.VerifyPeer)
        self.assertEqual(len(config.caCertificates()), 1)
        self.assertUsageError("no PEM", *base, "--ca-certificates", self.path("psk"))
        self.assertUsageError("no such file", *base, "--ca-certificates", self.path("none"))

    def test_pskIdentities(self) -> None:
        """
        C{--psk-identities} reads C{identity:hex-key} lines; C{--psk-hint}
        sets the hint.
        """
        options = parse("--mode", "ssl", "--psk-identities", self.path("psk"), "--psk-hint", "hi")
        self.assertEqual(options["pskKeys"], {b"client1": bytes.fromhex(PSK_KEY)})
        self.assertEqual(options["sslConfiguration"].preSharedKeyIdentityHint(), b"hi")

    def test_pskFileReadableByOthers(self) -> None:
        """
        A PSK file that group or others may read is refused.
        """
        os.chmod(self.path("psk"), 0o644)
        self.assertUsageError("readable by group or others", "--mode", "ssl",
                              "--psk-identities", self.path("psk"))

    def test_pskBadLine(self) -> None:
        """
        A line without a colon or with bad hex is refused, by number.
        """
        for content in ("nocolon\n", "a:zz\n", "a:\n"):
            with open(self.path("psk"), "w") as f:
                f.write("# c\n" + content)
            self.assertUsageError("line 2", "--mode", "ssl", "--psk-identities", self.path("psk"))

    def test_optionNeedsMode(self) -> None:
        """
        TLS options need C{ssl}/C{wss}; WebSocket options need C{ws}/C{wss};
        C{--app broadcast} needs a WebSocket mode.
        """
        self.assertUsageError("--certificate needs --mode ssl or wss",
                              "--certificate", self.path("server.crt"))
        self.assertUsageError("--allow-origin needs --mode ws or wss",
                              "--allow-origin", "http://x")
        self.assertUsageError("--web-root needs", "--mode", "ssl", "--psk-identities",
                              self.path("psk"), "--web-root", self.dir)
        self.assertUsageError("broadcast", "--app", "broadcast")
        self.assertIs(parse("--mode", "ws", "--app", "broadcast")["appCallable"], broadcastApp)

    def test_webSocketOptions(self) -> None:
        """
        C{--allow-origin} and C{--subprotocol} are repeatable; the numbers
        are checked.
        """
        options = parse("--mode", "ws", "--allow-origin", "http://a", "--allow-origin",
                        "https://*.example", "--subprotocol", "chat", "--subprotocol", "v2",
                        "--handshake-timeout", "500", "--max-message-size", "10",
                        "--web-root", self.dir, "--server-name", "S")
        self.assertEqual(options["allow-origin"], ["http://a", "https://*.example"])
        self.assertEqual(options["subprotocol"], ["chat", "v2"])
        self.assertEqual((options["handshake-timeout"], options["max-message-size"]), (500, 10))
        self.assertUsageError("--max-message-size '0'", "--mode", "ws", "--max-message-size", "0")
        self.assertUsageError("not an integer", "--mode", "ws", "--handshake-timeout", "soon")
        self.assertUsageError("--handshake-timeout needs", "--handshake-timeout", "100")
        self.assertUsageError("not a directory", "--mode", "ws", "--web-root", self.path("psk"))

    def test_sslEndpointRefused(self) -> None:
        """
        Twisted's C{ssl:} endpoint is refused: qtwisted adds TLS itself.
        """
        self.assertUsageError("--mode ssl", "--listen", "ssl:443")

    def test_originPatterns(self) -> None:
        """
        Origins match exactly or as fnmatch patterns, case-sensitively.
        """
        patterns = ["http://a.example", "https://*.example.org", "http://127.0.0.1:*"]
        self.assertTrue(originAllowed("http://a.example", patterns))
        self.assertTrue(originAllowed("https://x.example.org", patterns))
        self.assertTrue(originAllowed("http://127.0.0.1:8080", patterns))
        self.assertFalse(originAllowed("http://b.example", patterns))
        self.assertFalse(originAllowed("HTTP://A.EXAMPLE", patterns))
        self.assertFalse(originAllowed("", patterns))


def httpGet(port: int, target: str) -> bytes:
    """
    One raw HTTP/1.1 request to 127.0.0.1:C{port}; the whole response.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


class TwistdModeTests(SynchronousTestCase):
    """
    C{twistd -n qtwisted} in each mode, in a subprocess, with real clients.
    """

    def setUp(self) -> None:
        self.dir = credentialsDirectory(self)

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def start(self, *argv: str) -> tuple[Twistd, int]:
        twistd = Twistd(self, "qtwisted", "--listen", LOCAL, *argv)
        match = twistd.readUntil(ANY_LISTENING)
        self.assertIsNotNone(match, twistd.text())
        assert match is not None
        return twistd, int(match.group(1))

    def clientContext(self, certificate: bool = False) -> Any:
        import ssl

        context = ssl.create_default_context(cafile=self.path("ca.crt"))
        if certificate:
            context.load_cert_chain(self.path("client.crt"), self.path("client.key"))
        return context

    def test_webSocketBroadcastAndWebRoot(self) -> None:
        """
        C{--mode ws --app broadcast --web-root DIR}: files and the
        WebSocket on one port; a message reaches every client; a refused
        origin gets 403 and is logged with the peer; SIGTERM closes the
        websockets with 1001.
        """
        from websockets.exceptions import InvalidStatus
        from websockets.sync.client import connect

        root = os.path.join(self.dir, "www")
        os.mkdir(root)
        with open(os.path.join(root, "index.html"), "w") as f:
            f.write("<p>hello</p>")
        twistd, port = self.start(
            "--mode", "ws", "--app", "broadcast", "--web-root", root,
            "--allow-origin", "http://127.0.0.1:*", "--subprotocol", "chat",
            "--server-name", "TestServer",
        )
        response = httpGet(port, "/")
        self.assertTrue(response.startswith(b"HTTP/1.1 200 OK\r\n"), response)
        self.assertIn(b"Content-Type: text/html", response)
        self.assertTrue(response.endswith(b"<p>hello</p>"))
        self.assertTrue(httpGet(port, "/../ca.crt").startswith(b"HTTP/1.1 404 "))
        self.assertTrue(httpGet(port, "/nothing").startswith(b"HTTP/1.1 404 "))
        url = f"ws://127.0.0.1:{port}/"
        origin: Any = f"http://127.0.0.1:{port}"
        with connect(url, origin=origin, subprotocols=["chat"], open_timeout=DEADLINE) as a, \
                connect(url, origin=origin, open_timeout=DEADLINE) as b:
            self.assertEqual(a.subprotocol, "chat")
            self.assertEqual(a.response.headers["Server"], "TestServer")
            a.send("hello all")
            self.assertEqual(a.recv(timeout=DEADLINE), "hello all")
            self.assertEqual(b.recv(timeout=DEADLINE), "hello all")
            exc = self.assertRaises(
                InvalidStatus, connect, url, origin="http://evil.example", open_timeout=DEADLINE
            )
            self.assertEqual(exc.response.status_code, 403)
            twistd.process.send_signal(signal.SIGTERM)
            from websockets.exceptions import ConnectionClosed

            closed = self.assertRaises(ConnectionClosed, a.recv, timeout=DEADLINE)
            assert closed.rcvd is not None
            self.assertEqual(closed.rcvd.code, 1001)
        self.assertIn(twistd.finish(), (0, -signal.SIGTERM), twistd.text())
        self.assertRegex(
            twistd.text(), r"qtwisted: 127\.0\.0\.1:\d+: origin 'http://evil\.example' refused"
        )

    def test_webSocketEchoMaxMessageSize(self) -> None:
        """
        C{--mode ws} echoes; a message over C{--max-message-size} closes
        the connection with 1009.
        """
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        twistd, port = self.start("--mode", "ws", "--max-message-size", "10")
        with connect(f"ws://127.0.0.1:{port}/", open_timeout=DEADLINE) as ws:
            ws.send("short")
            self.assertEqual(ws.recv(timeout=DEADLINE), "short")
            ws.send(b"\x00" * 3)
            self.assertEqual(ws.recv(timeout=DEADLINE), b"\x00" * 3)
            ws.send("x" * 11)
            closed = self.assertRaises(ConnectionClosed, ws.recv, timeout=DEADLINE)
            assert closed.rcvd is not None
            self.assertEqual(closed.rcvd.code, 1009)

    def test_secureWebSocket(self) -> None:
        """
        C{--mode wss} with a certificate: a TLS WebSocket client is echoed.
        """
        from websockets.sync.client import connect

        twistd, port = self.start(
            "--mode", "wss", "--certificate", self.path("server.crt"),
            "--private-key", self.path("server.key"),
        )
        with connect(f"wss://localhost:{port}/", ssl=self.clientContext(),
                     open_timeout=DEADLINE) as ws:
            ws.send("secure")
            self.assertEqual(ws.recv(timeout=DEADLINE), "secure")

    def test_sslClientCertificates(self) -> None:
        """
        C{--mode ssl --verify-peer}: a client with a certificate signed by
        the CA is echoed; one without is refused, and that is logged with
        the peer address.
        """
        import ssl

        twistd, port = self.start(
            "--mode", "ssl", "--certificate", self.path("server.crt"),
            "--private-key", self.path("server.key"), "--verify-peer",
            "--ca-certificates", self.path("ca.crt"),
        )
        with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as raw:
            with self.clientContext(True).wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"over tls\n")
                self.assertEqual(s.recv(100), b"over tls\n")
        with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as raw:
            try:
                with self.clientContext().wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"x")
                    self.assertEqual(s.recv(100), b"")
            except (ssl.SSLError, OSError):
                pass
        twistd.process.send_signal(signal.SIGTERM)
        self.assertIn(twistd.finish(), (0, -signal.SIGTERM), twistd.text())
        self.assertRegex(twistd.text(), r"qtwisted: 127\.0\.0\.1:\d+: ")

    def test_psk(self) -> None:
        """
        C{--mode ssl --psk-identities}: C{openssl s_client -psk} is echoed,
        and the identity is logged with the peer address.
        """
        if shutil.which("openssl") is None:
            raise SkipTest("openssl is not installed")
        twistd, port = self.start(
            "--mode", "ssl", "--psk-identities", self.path("psk"), "--psk-hint", "qtwisted",
        )
        received = opensslPskEcho(self, port, "client1", b"psk echo\n", DEADLINE)
        self.assertIn(b"psk echo\n", received)
        twistd.process.send_signal(signal.SIGTERM)
        self.assertIn(twistd.finish(), (0, -signal.SIGTERM), twistd.text())
        self.assertRegex(twistd.text(), r"qtwisted: 127\.0\.0\.1:\d+: PSK identity b'client1'")

    def test_keyMismatchExits(self) -> None:
        """
        A key that does not match the certificate ends twistd with one line
        and status 1, before listening.
        """
        result = runTwistd(
            "-n", "--pidfile=", "qtwisted", "--mode", "ssl",
            "--certificate", self.path("server.crt"), "--private-key", self.path("client.key"),
        )
        self.assertEqual(result.returncode, 1)
        lines = errorLines(result.stdout + result.stderr)
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("does not match", lines[0])


class PluginReferenceTests(SynchronousTestCase):
    """
    C{docs/plugin.md} documents every option of L{Options}.
    """

    def test_everyOptionDocumented(self) -> None:
        """
        Each long option (parameters, flags and C{opt_} methods, except
        C{--help} and C{--version}) appears as C{`--name} in the reference.
        """
        text = (ROOT / "docs" / "plugin.md").read_text(encoding="utf-8")
        options = Options()
        names = {p[0] for p in options.optParameters} | {f[0] for f in options.optFlags}
        names |= {
            name[4:].replace("_", "-")
            for name in dir(options)
            if name.startswith("opt_") and len(name) > 5
        }
        names -= {"help", "version"}
        self.assertTrue({"listen", "mode", "web-root", "verify-peer", "allow-origin"} <= names)
        missing = sorted(n for n in names if f"`--{n}" not in text)
        self.assertEqual(missing, [])


class WheelTests(SynchronousTestCase):
    """
    A wheel built from this checkout ships the plugin, and twistd finds it
    once installed: the real install path, not the repository on
    C{sys.path}.
    """

    def build(self, directory: str) -> Path:
        """
        Build a wheel of a copy of the source (so the checkout gets no
        C{build/}) into C{directory}/dist; skip if that is impossible here.
        """
        source = Path(directory) / "src"
        source.mkdir()
        for name in ("setup.py", "pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, source / name)
        shutil.copytree(
            ROOT / "qtwisted", source / "qtwisted",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        # Everything of twisted/plugins, dropin.cache included if there is
        # one: the packaging must leave it out.
        shutil.copytree(ROOT / "twisted" / "plugins", source / "twisted" / "plugins")
        dist = Path(directory) / "dist"
        failures = []
        for isolation in (["--no-build-isolation"], []):
            try:
                result = subprocess.run(
                    [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation,
                     "--disable-pip-version-check", "-q", ".", "-w", str(dist)],
                    cwd=source, capture_output=True, text=True, timeout=120,
                    env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                )
            except subprocess.TimeoutExpired:
                failures.append(f"pip wheel {' '.join(isolation)}: timed out")
                continue
            wheels = list(dist.glob("qtwisted-*.whl"))
            if result.returncode == 0 and wheels:
                return wheels[0]
            tail = (result.stderr.strip().splitlines() or ["?"])[-1]
            failures.append(f"pip wheel {' '.join(isolation)}: {tail}")
        raise SkipTest("cannot build a wheel here (offline, no setuptools/wheel?): "
                       + "; ".join(failures))

    def test_wheelInstallsDiscoverablePlugin(self) -> None:
        """
        The wheel holds C{twisted/plugins/qtwisted_plugin.py}, the demo page,
        and no C{dropin.cache}, C{twisted/__init__.py} or
        C{twisted/plugins/__init__.py}; installed into a fresh venv,
        C{twistd --help} lists qtwisted and C{twistd qtwisted --help} shows
        its options, run from outside the repository.
        """
        import zipfile

        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory, True)
        wheel = self.build(directory)
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
        self.assertIn("twisted/plugins/qtwisted_plugin.py", names)
        self.assertIn("qtwisted/demo/index.html", names)
        self.assertIn("qtwisted/demo/chat.js", names)
        self.assertIn("qtwisted/_ssl/__init__.py", names)
        self.assertEqual([n for n in names if n.endswith("dropin.cache")], [])
        self.assertNotIn("twisted/__init__.py", names)
        self.assertNotIn("twisted/plugins/__init__.py", names)

        venv = Path(directory) / "venv"
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
            check=True, capture_output=True, timeout=DEADLINE * 3,
        )
        python = venv / "bin" / "python"
        # Twisted and the other dependencies: this interpreter's, whether it
        # is itself a venv or not (never the repository).
        import site

        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True, capture_output=True, text=True, timeout=DEADLINE, cwd=directory,
        ).stdout.strip()
        parents = [p for p in site.getsitepackages() if Path(p).resolve() != ROOT]
        Path(purelib, "_qtwisted_test_parent.pth").write_text("\n".join(parents) + "\n")
        # Without PYTHONPATH (trial -j sets it to the checkout, whose
        # qtwisted.egg-info would look installed to pip).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        install = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
             "--no-index", "--ignore-installed", "--disable-pip-version-check", "-q",
             str(wheel)],
            env=env, cwd=directory, capture_output=True, text=True, timeout=120,
        )
        self.assertEqual(install.returncode, 0, install.stderr)
        where = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, where, True)

        def twistd(*argv: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(python), *TWISTD[1:], *argv],
                cwd=where, env=env, capture_output=True, text=True, timeout=DEADLINE * 2,
            )

        located = subprocess.run(
            [str(python), "-c", "import qtwisted; print(qtwisted.__file__)"],
            cwd=where, env=env, capture_output=True, text=True, timeout=DEADLINE,
        )
        self.assertTrue(
            located.stdout.startswith(str(venv)),
            f"{located.stdout}{located.stderr}\npip: {install.stdout}{install.stderr}"
            f"\n{purelib}: {sorted(os.listdir(purelib))}\n{sys.executable}",
        )
        listed = twistd("--help")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertRegex(listed.stdout, r"\n\s+qtwisted\s+Serve Qt-style")
        options = twistd("qtwisted", "--help")
        self.assertEqual(options.returncode, 0, options.stderr)
        for option in ("--listen=", "--mode=", "--web-root=", "--psk-identities="):
            self.assertIn(option, options.stdout)


class WebRootServiceTests(TestCase):
    """
    C{--mode ws --web-root}, in this process: what is not an upgrade is
    answered from the web root.
    """

    def service(self, *argv: str) -> QtwistedService:
        svc = makeService(parse("--listen", LOCAL, "--mode", "ws", *argv))
        assert isinstance(svc, QtwistedService)
        svc.startService()
        self.addCleanup(lambda: svc.stopService() if svc.running else None)
        return svc

    async def request(self, svc: QtwistedService, data: bytes) -> bytes:
        """
        Send C{data}; everything received until the server closes.
        """
        client = await connectLoopback(svc.servers[0].serverPort())
        self.addCleanup(client.abort)
        client.write(data)
        await client.lost
        return bytes(client.received)

    def webRoot(self) -> str:
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root, True)
        os.mkdir(os.path.join(root, "sub"))
        with open(os.path.join(root, "sub", "index.html"), "w") as f:
            f.write("sub page")
        with open(os.path.join(root, "app.js"), "w") as f:
            f.write("x = 1;")
        return root

    async def test_staticFiles(self) -> None:
        """
        C{GET} of a file, of a directory (its C{index.html}), C{HEAD}
        without a body; C{404} for what is missing or outside the root;
        C{405} for other methods; C{400} for a malformed request line; and
        each request is logged with the peer address.
        """
        svc = self.service("--web-root", self.webRoot())
        with capturedLogs() as events:
            js = await self.request(svc, b"GET /app.js?v=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            sub = await self.request(svc, b"GET /sub/ HTTP/1.1\r\n\r\n")
            head = await self.request(svc, b"HEAD /app.js HTTP/1.1\r\n\r\n")
            missing = await self.request(svc, b"GET /nope HTTP/1.1\r\n\r\n")
            escape = await self.request(svc, b"GET /%2e%2e/etc/passwd HTTP/1.1\r\n\r\n")
            post = await self.request(svc, b"POST /app.js HTTP/1.1\r\n\r\n")
            bad = await self.request(svc, b"GARBAGE\r\n\r\n")
        self.assertTrue(js.startswith(b"HTTP/1.1 200 OK\r\n"), js)
        self.assertIn(b"Content-Length: 6\r\n", js)
        self.assertIn(b"Connection: close\r\n", js)
        self.assertTrue(js.endswith(b"\r\n\r\nx = 1;"))
        self.assertTrue(sub.endswith(b"\r\n\r\nsub page"))
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"))
        self.assertTrue(head.endswith(b"\r\n\r\n"))
        self.assertIn(b"Content-Length: 6\r\n", head)
        self.assertTrue(missing.startswith(b"HTTP/1.1 404 "))
        self.assertTrue(escape.startswith(b"HTTP/1.1 404 "))
        self.assertTrue(post.startswith(b"HTTP/1.1 405 "))
        self.assertIn(b"Allow: GET, HEAD\r\n", post)
        self.assertTrue(bad.startswith(b"HTTP/1.1 400 "))
        lines = [formatEvent(e) for e in events if e.get("log_namespace") == "qtwisted.tap"]
        self.assertRegex(lines[0], r"^qtwisted: 127\.0\.0\.1:\d+: GET /app\.js\?v=1 200$")

    async def test_withoutWebRoot(self) -> None:
        """
        Without C{--web-root} every request goes to the WebSocket server,
        which answers a plain C{GET} with 400.
        """
        svc = self.service()
        response = await self.request(svc, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(response.startswith(b"HTTP/1.1 400 "), response)

    async def test_headTooLong(self) -> None:
        """
        A request head longer than 16 KiB is dropped.
        """
        svc = self.service("--web-root", self.webRoot())
        response = await self.request(svc, b"GET / HTTP/1.1\r\nX: " + b"a" * 17000)
        self.assertEqual(response, b"")

    async def test_headTimeout(self) -> None:
        """
        A request head that does not arrive within C{--handshake-timeout}
        is dropped.
        """
        svc = self.service("--web-root", self.webRoot(), "--handshake-timeout", "50")
        response = await self.request(svc, b"GET / HTTP/1.1\r\n")
        self.assertEqual(response, b"")

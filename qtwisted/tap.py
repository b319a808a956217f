# -*- test-case-name: tests.test_tap -*-
"""
C{twistd qtwisted}: options and service.

C{twistd -n qtwisted} with no options serves the C{echo} application on
C{tcp:8007:interface=127.0.0.1}.  Every option is checked before anything
listens, and a bad one ends the program with a one-line message and a
non-zero exit (SPEC section 6).  A listener that cannot be opened (a port in
use, say) ends it the same way, before the reactor runs.

Once listening, one log line per listener says where, with host and port::

    qtwisted: echo listening on 127.0.0.1:8007 (tcp:8007:interface=127.0.0.1)

so a supervisor, or a test that asked for port 0, can read the port from the
log.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Callable, NoReturn

from twisted.application import service
from twisted.internet import endpoints
from twisted.internet.defer import Deferred, gatherResults
from twisted.internet.task import deferLater
from twisted.logger import Logger
from twisted.python import usage

from ._abstractsocket import QAbstractSocket
from ._enums import SocketState
from ._object import resolveReactor
from ._tcpserver import QTcpServer
from ._tcpsocket import QTcpSocket

__all__ = [
    "Options",
    "makeService",
    "echoApp",
    "loadApp",
    "APPS",
    "DEFAULT_LISTEN",
    "QtwistedService",
]

_log = Logger(namespace="qtwisted.tap")

DEFAULT_LISTEN = "tcp:8007:interface=127.0.0.1"
"""Where C{twistd qtwisted} listens when no C{--listen} is given."""

_SHUTDOWN_GRACE = 5.0
"""Seconds a connection has at shutdown to flush what it was sent."""


def echoApp(server: QTcpServer) -> None:
    """
    The C{echo} application: every connection gets its bytes back.
    """

    def onNewConnection() -> None:
        while True:
            qsocket = server.nextPendingConnection()
            if qsocket is None:
                return
            _wireEcho(qsocket)

    server.newConnection.connect(onNewConnection)


def _wireEcho(qsocket: QTcpSocket) -> None:
    def echo() -> None:
        qsocket.write(qsocket.readAll())

    qsocket.readyRead.connect(echo)


APPS: dict[str, Callable[[QTcpServer], object]] = {"echo": echoApp}
"""The built-in applications, by C{--app} name."""


def _oneLine(e: BaseException) -> str:
    """
    The first line of an exception's message (or its type's name).
    """
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def loadApp(spec: str) -> Callable[[QTcpServer], object]:
    """
    Find the application named by C{--app}: a built-in name or
    C{package.module:callable}.  The callable is called with each
    L{qtwisted.QTcpServer} before it listens, and connects its slots.

    @raise usage.UsageError: naming what could not be found.
    """
    if spec in APPS:
        return APPS[spec]
    moduleName, sep, attr = spec.partition(":")
    if not sep or not moduleName or not attr:
        raise usage.UsageError(
            f"--app {spec!r}: expected one of {', '.join(sorted(APPS))}"
            " or package.module:callable"
        )
    try:
        module = importlib.import_module(moduleName)
    except Exception as e:
        raise usage.UsageError(
            f"--app {spec!r}: cannot import {moduleName}: {_oneLine(e)}"
        ) from None
    app = getattr(module, attr, None)
    if not callable(app):
        raise usage.UsageError(f"--app {spec!r}: {moduleName} has no callable {attr!r}")
    return app  # type: ignore[no-any-return]


class Options(usage.Options):
    """
    Command-line options of C{twistd qtwisted}.
    """

    synopsis = "[--listen ENDPOINT]... [--app echo|package.module:callable]"
    longdesc = (
        "Serve a Qt-style application with QTcpServer.  ENDPOINT is a Twisted"
        " server endpoint description (tcp:8007, tcp6:8007:interface=\\:\\:1,"
        " unix:/path, systemd:domain=INET:index=0, haproxy:tcp:8007)."
    )

    optParameters = [
        ["app", "a", "echo", "The application: echo, or package.module:callable."],
        ["max-pending", None, "30", "Maximum pending connections per listener."],
    ]

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self["listen"] = []

    def opt_listen(self, description: str) -> None:
        """
        Listen on this endpoint (repeatable; default tcp:8007:interface=127.0.0.1).
        """
        self["listen"].append(description)

    opt_l = opt_listen

    def parseOptions(self, options: list[str] | None = None) -> None:
        """
        Parse C{options}; under C{twistd}, a bad option ends the program
        with one line.

        C{twistd} answers a C{UsageError} by printing the whole usage text
        before the message; SPEC section 6 asks for a one-line message, so
        when these are C{twistd}'s subcommand options (they have a
        C{parent}) the error becomes a C{SystemExit} with that line, and
        status 1.  Parsed on their own, they raise C{UsageError} as usual.

        @raise usage.UsageError: for a bad option, when not under C{twistd}.
        @raise SystemExit: for a bad option, under C{twistd}.
        """
        try:
            super().parseOptions(options)  # type: ignore[no-untyped-call]
        except usage.UsageError as e:
            if self.parent is None:
                raise
            raise SystemExit(f"twistd qtwisted: {e}") from None

    def postOptions(self) -> None:
        """
        Check every option, so that a bad one fails before anything listens.

        @raise usage.UsageError: with a one-line message naming the bad value.
        """
        from twisted.internet import reactor

        if not self["listen"]:
            self["listen"] = [DEFAULT_LISTEN]
        for description in self["listen"]:
            try:
                endpoints.serverFromString(reactor, description)
            except Exception as e:
                raise usage.UsageError(
                    f"--listen {description!r}: invalid endpoint: {_oneLine(e)}"
                ) from None
        try:
            self["max-pending"] = int(self["max-pending"])
        except ValueError:
            raise usage.UsageError(
                f"--max-pending {self['max-pending']!r}: not an integer"
            ) from None
        self["appCallable"] = loadApp(self["app"])


def _where(server: QTcpServer, description: str) -> str:
    """
    C{host:port} of a listening server (C{[host]:port} for IPv6), or the
    endpoint description when it has no IP address (a UNIX socket).
    """
    address = server.serverAddress()
    host = address.toString()
    if not host:
        return description
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{server.serverPort()}"


class QtwistedService(service.Service):
    """
    Listens on every endpoint at start-up; closes every server at shutdown.

    Listening happens in L{privilegedStartService}, before C{twistd} drops
    privileges (C{--uid}), so ports below 1024 work as with Twisted's own
    plugins.

    @ivar servers: one L{qtwisted.QTcpServer} per C{--listen}, once
        listening.
    """

    def __init__(self, options: Options, reactor: Any = None) -> None:
        """
        @param options: the parsed L{Options}.
        @param reactor: the reactor to use; the global one by default.
        """
        self.options = options
        self.reactor = reactor
        self.servers: list[QTcpServer] = []
        self._listening = False

    def privilegedStartService(self) -> None:
        """
        Listen on every C{--listen} endpoint; exit with a one-line message
        if one cannot be opened.
        """
        super().privilegedStartService()  # type: ignore[no-untyped-call]
        if self._listening:
            return
        self._listening = True
        app = self.options["appCallable"]
        listening: list[tuple[QTcpServer, str]] = []
        for description in self.options["listen"]:
            server = QTcpServer(reactor=self.reactor)
            server.setMaxPendingConnections(self.options["max-pending"])
            app(server)
            try:
                d = server.listenEndpoint(description)
            except (TypeError, ValueError) as e:
                self._fail(
                    f"qtwisted: cannot listen on {description!r}: {_oneLine(e)}",
                    listening,
                )
            results: list[bool] = []
            d.addCallback(results.append)
            if not results:
                # An endpoint that listens asynchronously: report when done.
                d.addCallback(self._listenedLater, server, description)
                continue
            if not results[0]:
                self._fail(
                    f"qtwisted: cannot listen on {description!r}: {server.errorString()}",
                    listening + [(server, description)],
                )
            listening.append((server, description))
        # Only now that every listener is open: one line each, so that a
        # failed start-up logs nothing but its one error line.
        for server, description in listening:
            self._listened(server, description)

    def _listened(self, server: QTcpServer, description: str) -> None:
        self.servers.append(server)
        _log.info(
            "qtwisted: {app} listening on {where} ({description})",
            app=self.options["app"],
            where=_where(server, description),
            description=description,
        )

    def _listenedLater(self, ok: bool, server: QTcpServer, description: str) -> None:
        if ok:
            self._listened(server, description)
            return
        _log.critical(
            "qtwisted: cannot listen on {description!r}: {error}; stopping",
            description=description,
            error=server.errorString(),
        )
        resolveReactor(self.reactor).stop()

    def _fail(self, message: str, opened: list[tuple[QTcpServer, str]]) -> NoReturn:
        """
        End the program with C{message} before the reactor runs: close what
        already listens, tidy up after C{twistd}, and exit with status 1.

        C{SystemExit} prints C{message} as one line, where C{twistd} would
        print a traceback for any other exception; C{twistd} then skips its
        own clean-up, so we remove its pid file and, for a daemon, tell the
        waiting parent process what went wrong.
        """
        for server, description in opened:
            server.close()
        twistdConfig = getattr(self.options, "parent", None)
        if twistdConfig is not None:
            _tidyTwistd(twistdConfig, message)
        raise SystemExit(message)

    def startService(self) -> None:
        """
        Start: listen now unless C{twistd} already did in
        L{privilegedStartService}.
        """
        if not self._listening:
            self.privilegedStartService()
        super().startService()  # type: ignore[no-untyped-call]

    def stopService(self) -> Deferred[None]:
        """
        Close every server, then disconnect every connection it handed out,
        letting each flush what it was sent for up to 5 seconds.

        @return: a Deferred that fires once every connection is closed.
        """
        super().stopService()  # type: ignore[no-untyped-call]
        servers, self.servers = self.servers, []
        self._listening = False
        reactor = resolveReactor(self.reactor)
        closing: list[Deferred[object]] = []
        for server in servers:
            server.close()
            for child in server.children():
                if isinstance(child, QAbstractSocket):
                    closing.append(_disconnect(child, reactor))
        # A listening port closes on the reactor's next turn (Twisted's
        # stopListening): wait for it too, or a UNIX socket file stays behind
        # when twistd stops the reactor right after this returns.
        closing.append(deferLater(reactor, 0, lambda: None))
        d: Deferred[None] = gatherResults(closing).addCallback(lambda _: None)
        return d


def _disconnect(qsocket: QAbstractSocket, reactor: Any) -> Deferred[object]:
    """
    Disconnect C{qsocket} after it has flushed, aborting it if that takes
    longer than the shutdown grace period.
    """
    if qsocket.state() == SocketState.UnconnectedState:
        done: Deferred[object] = Deferred()
        done.callback(None)
        return done
    gone: Deferred[Any] = qsocket.disconnected.nextEmission()
    qsocket.disconnectFromHost()
    if qsocket.state() == SocketState.UnconnectedState and not gone.called:
        gone.cancel()  # it never was connected: nothing to wait for
        gone = Deferred()
        gone.callback(None)
    if not gone.called:
        timer = reactor.callLater(_SHUTDOWN_GRACE, qsocket.abort)

        def stopTimer(result: object) -> object:
            if timer.active():
                timer.cancel()
            return result

        gone.addBoth(stopTimer)
    return gone


def _tidyTwistd(twistdConfig: Any, message: str) -> None:
    """
    Do what C{twistd} does when its application fails to start with an
    ordinary exception: remove the pid file it wrote for this process, and
    for a daemon send the error to the parent, which prints it and exits 1.
    """
    pidfile = twistdConfig.get("pidfile") if hasattr(twistdConfig, "get") else None
    if pidfile:
        try:
            with open(pidfile) as f:
                ours = f.read().strip() == str(os.getpid())
            if ours:
                os.unlink(pidfile)
        except (OSError, ValueError):
            pass
    statusPipe = twistdConfig.get("statusPipe") if hasattr(twistdConfig, "get") else None
    if statusPipe is not None:
        try:
            # twistd's parent prints what follows the first two bytes.
            os.write(statusPipe, b"1 " + message.encode("utf-8", "replace")[:98])
            os.close(statusPipe)
        except OSError:
            pass


def makeService(options: Options) -> service.IService:
    """
    Build the service for C{twistd qtwisted}.
    """
    return QtwistedService(options)

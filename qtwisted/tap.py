# -*- test-case-name: tests.test_tap -*-
"""
C{twistd qtwisted}: options and service.

C{twistd -n qtwisted} with no options serves the C{echo} application on
C{tcp:8007:interface=127.0.0.1}.  Every option is checked before anything
listens, and a bad one ends the program with a one-line message.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from twisted.application import service
from twisted.internet import endpoints
from twisted.logger import Logger
from twisted.python import usage

from ._tcpserver import QTcpServer
from ._tcpsocket import QTcpSocket

__all__ = ["Options", "makeService", "echoApp", "APPS", "DEFAULT_LISTEN"]

_log = Logger(namespace="qtwisted.tap")

DEFAULT_LISTEN = "tcp:8007:interface=127.0.0.1"
"""Where C{twistd qtwisted} listens when no C{--listen} is given."""


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


def loadApp(spec: str) -> Callable[[QTcpServer], object]:
    """
    Find the application named by C{--app}: a built-in name or
    C{package.module:callable}.

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
    except ImportError as e:
        raise usage.UsageError(f"--app {spec!r}: cannot import {moduleName}: {e}") from None
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

    def postOptions(self) -> None:
        from twisted.internet import reactor

        if not self["listen"]:
            self["listen"] = [DEFAULT_LISTEN]
        for description in self["listen"]:
            try:
                endpoints.serverFromString(reactor, description)
            except Exception as e:
                raise usage.UsageError(
                    f"--listen {description!r}: invalid endpoint: {e}"
                ) from None
        try:
            self["max-pending"] = int(self["max-pending"])
        except ValueError:
            raise usage.UsageError(
                f"--max-pending {self['max-pending']!r}: not an integer"
            ) from None
        self["appCallable"] = loadApp(self["app"])


class QtwistedService(service.Service):
    """
    Listens on every endpoint at start-up; closes every server at shutdown.
    """

    def __init__(self, options: Options, reactor: Any = None) -> None:
        self.options = options
        self.reactor = reactor
        self.servers: list[QTcpServer] = []

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        app = self.options["appCallable"]
        for description in self.options["listen"]:
            server = QTcpServer(reactor=self.reactor)
            server.setMaxPendingConnections(self.options["max-pending"])
            app(server)
            results: list[bool] = []
            server.listenEndpoint(description).addCallback(results.append)
            if results and not results[0]:
                self.stopService()
                raise SystemExit(
                    f"qtwisted: cannot listen on {description!r}: {server.errorString()}"
                )
            self.servers.append(server)
            address = server.serverAddress().toString() or description
            _log.info(
                "qtwisted: {app} listening on {address} port {port} ({description})",
                app=self.options["app"],
                address=address,
                port=server.serverPort(),
                description=description,
            )

    def stopService(self) -> None:
        super().stopService()  # type: ignore[no-untyped-call]
        for server in self.servers:
            server.close()
        self.servers = []


def makeService(options: Options) -> service.IService:
    """
    Build the service for C{twistd qtwisted}.
    """
    return QtwistedService(options)

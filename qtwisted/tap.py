# -*- test-case-name: tests.test_tap -*-
"""
C{twistd qtwisted}: options and service.

C{twistd -n qtwisted} with no options serves the C{echo} application on
C{tcp:8007:interface=127.0.0.1}.  Every option is checked before anything
listens, and a bad one ends the program with a one-line message and a
non-zero exit (SPEC section 6).  A listener that cannot be opened (a port in
use, say) ends it the same way, before the reactor runs.

Once listening, one log line per listener says where, with host and port::

    qtwisted: echo listening on 127.0.0.1:8007 (tcp:8007:interface=127.0.0.1, tcp)

so a supervisor, or a test that asked for port 0, can read the port from the
log.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
from functools import partial
from typing import Any, Callable, NoReturn

from twisted.application import service
from twisted.internet import endpoints
from twisted.internet.defer import Deferred, gatherResults, succeed
from twisted.internet.task import deferLater
from twisted.logger import Logger
from twisted.python import usage

from ._abstractsocket import QAbstractSocket
from ._apps import APPS, WEBSOCKET_ONLY, AnyServer, broadcastApp, echoApp
from ._enums import SocketState
from ._object import resolveReactor
from ._ssl import (
    QSslCertificate,
    QSslConfiguration,
    QSslPreSharedKeyAuthenticator,
    QSslServer,
    QSslSocket,
)
from ._tcpserver import QTcpServer
from ._tcpsocket import QTcpSocket
from ._webroot import Dispatcher
from ._websocket import QWebSocket
from ._websocketserver import QWebSocketServer
from ._wsprotocol import QWebSocketProtocol

__all__ = [
    "Options",
    "makeService",
    "echoApp",
    "broadcastApp",
    "loadApp",
    "MODES",
    "APPS",
    "DEFAULT_LISTEN",
    "DEMO_ROOT",
    "QtwistedService",
]

_log = Logger(namespace="qtwisted.tap")

DEFAULT_LISTEN = "tcp:8007:interface=127.0.0.1"
"""Where C{twistd qtwisted} listens when no C{--listen} is given."""

DEMO_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo")
"""The chat page shipped with qtwisted (C{index.html}, C{chat.js}), for
C{--web-root} with C{--app broadcast}: what C{make run} serves."""

_SHUTDOWN_GRACE = 5.0
"""Seconds a connection has at shutdown to flush what it was sent."""


def _oneLine(e: BaseException) -> str:
    """
    The first line of an exception's message (or its type's name).
    """
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def loadApp(spec: str) -> Callable[[AnyServer], object]:
    """
    Find the application named by C{--app}: a built-in name or
    C{package.module:callable}.  The callable is called with each
    server before it listens (see L{qtwisted._apps}), and connects its slots.

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


MODES = ("tcp", "ssl", "ws", "wss")
"""The values of C{--mode}."""


def readPskIdentities(path: str) -> dict[bytes, bytes]:
    """
    Read a C{--psk-identities} file: one C{identity:hex-key} per line;
    blank lines and lines starting with C{#} are skipped.

    @raise usage.UsageError: the file is missing, readable by group or
        others, or has a bad line (named by number).
    """
    try:
        mode = os.stat(path).st_mode
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise usage.UsageError(f"--psk-identities {path!r}: {_oneLine(e)}") from None
    if mode & 0o077:
        raise usage.UsageError(
            f"--psk-identities {path!r}: readable by group or others"
            f" (mode {mode & 0o777:o}); chmod 600 it"
        )
    identities: dict[bytes, bytes] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        identity, sep, hexKey = line.rpartition(":")
        try:
            if not sep or not identity:
                raise ValueError("expected identity:hex-key")
            key = bytes.fromhex(hexKey)
            if not key:
                raise ValueError("empty key")
        except ValueError as e:
            raise usage.UsageError(
                f"--psk-identities {path!r} line {number}: {_oneLine(e)}"
            ) from None
        identities[identity.encode("utf-8")] = key
    if not identities:
        raise usage.UsageError(f"--psk-identities {path!r}: no identities")
    return identities


def originAllowed(origin: str, patterns: list[str]) -> bool:
    """
    Whether C{origin} matches one C{--allow-origin}: exactly, or as an
    C{fnmatch} pattern (C{*}, C{?}, C{[...]}); case-sensitive.
    """
    return any(origin == p or fnmatch.fnmatchcase(origin, p) for p in patterns)


class Options(usage.Options):
    """
    Command-line options of C{twistd qtwisted}; documented in
    C{docs/plugin.md}.
    """

    synopsis = "[--mode tcp|ssl|ws|wss] [--listen ENDPOINT]... [--app APP] [options]"
    longdesc = (
        "Serve a Qt-style application with QTcpServer (tcp), QSslServer (ssl)"
        " or QWebSocketServer (ws, wss).  ENDPOINT is a Twisted server endpoint"
        " description (tcp:8007, tcp6:8007:interface=\\:\\:1, unix:/path,"
        " systemd:domain=INET:index=0, haproxy:tcp:8007); TLS is added by"
        " qtwisted on top of it."
    )

    optFlags = [
        ["verify-peer", None, "ssl/wss: require a client certificate signed by --ca-certificates."],
    ]

    optParameters = [
        ["mode", "m", "tcp", "tcp, ssl (TLS), ws (WebSocket) or wss (WebSocket over TLS)."],
        ["app", "a", "echo", "The application: echo, broadcast (ws/wss), or package.module:callable."],
        ["max-pending", None, "30", "Maximum pending connections per listener."],
        ["certificate", "c", None, "ssl/wss: PEM certificate file (with its chain)."],
        ["private-key", "k", None, "ssl/wss: PEM private key file (default: in --certificate)."],
        ["ca-certificates", None, None, "ssl/wss: PEM file of CAs that sign client certificates."],
        ["psk-identities", None, None, "ssl/wss: file of identity:hex-key lines, mode 600."],
        ["psk-hint", None, None, "ssl/wss: the PSK identity hint sent to clients."],
        ["server-name", None, "qtwisted", "ws/wss: the Server header of the handshake response."],
        ["handshake-timeout", None, None, "TLS and WebSocket handshake timeout, in milliseconds."],
        ["max-message-size", None, None, "ws/wss: largest incoming message, in bytes."],
        ["web-root", None, None, "ws/wss: serve static files from DIR on the WebSocket's port."],
    ]

    compData = usage.Completions(
        optActions={
            "mode": usage.CompleteList(list(MODES)),
            "certificate": usage.CompleteFiles(),
            "private-key": usage.CompleteFiles(),
            "ca-certificates": usage.CompleteFiles(),
            "psk-identities": usage.CompleteFiles(),
            "web-root": usage.CompleteDirs(),
        }
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self["listen"] = []
        self["allow-origin"] = []
        self["subprotocol"] = []

    def opt_listen(self, description: str) -> None:
        """
        Listen on this endpoint (repeatable; default tcp:8007:interface=127.0.0.1).
        """
        self["listen"].append(description)

    opt_l = opt_listen

    def opt_allow_origin(self, origin: str) -> None:
        """
        ws/wss: accept this Origin, exact or fnmatch pattern (repeatable).
        """
        self["allow-origin"].append(origin)

    def opt_subprotocol(self, name: str) -> None:
        """
        ws/wss: a supported subprotocol, in order of preference (repeatable).
        """
        self["subprotocol"].append(name)

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

    def _int(self, name: str, minimum: int | None = None) -> None:
        value = self[name]
        if value is None:
            return
        try:
            number = int(value)
        except ValueError:
            raise usage.UsageError(f"--{name} {value!r}: not an integer") from None
        if minimum is not None and number < minimum:
            raise usage.UsageError(f"--{name} {value!r}: must be at least {minimum}")
        self[name] = number

    def postOptions(self) -> None:
        """
        Check every option, so that a bad one fails before anything listens.

        @raise usage.UsageError: with a one-line message naming the bad value.
        """
        from twisted.internet import reactor

        mode = self["mode"]
        if mode not in MODES:
            raise usage.UsageError(f"--mode {mode!r}: expected one of {', '.join(MODES)}")
        secure = mode in ("ssl", "wss")
        websocket = mode in ("ws", "wss")
        if not self["listen"]:
            self["listen"] = [DEFAULT_LISTEN]
        for description in self["listen"]:
            if description.split(":", 1)[0] in ("ssl", "tls"):
                raise usage.UsageError(
                    f"--listen {description!r}: use a plain endpoint with --mode ssl or wss"
                )
            try:
                endpoints.serverFromString(reactor, description)
            except Exception as e:
                raise usage.UsageError(
                    f"--listen {description!r}: invalid endpoint: {_oneLine(e)}"
                ) from None
        self._int("max-pending")
        self._int("handshake-timeout", -1)
        self._int("max-message-size", 1)
        tlsOnly = ["certificate", "private-key", "ca-certificates", "psk-identities", "psk-hint"]
        if not secure:
            for name in tlsOnly + (["verify-peer"] if self["verify-peer"] else []):
                if self[name]:
                    raise usage.UsageError(f"--{name} needs --mode ssl or wss")
        if mode == "tcp" and self["handshake-timeout"] is not None:
            raise usage.UsageError("--handshake-timeout needs --mode ssl, ws or wss")
        if not websocket:
            for name in ("allow-origin", "subprotocol", "max-message-size", "web-root"):
                if self[name]:
                    raise usage.UsageError(f"--{name} needs --mode ws or wss")
        self["sslConfiguration"] = self._sslConfiguration() if secure else None
        webRoot = self["web-root"]
        if webRoot is not None and not os.path.isdir(webRoot):
            raise usage.UsageError(f"--web-root {webRoot!r}: not a directory")
        if self["app"] in WEBSOCKET_ONLY and not websocket:
            raise usage.UsageError(f"--app {self['app']}: needs --mode ws or wss")
        self["appCallable"] = loadApp(self["app"])

    def _sslConfiguration(self) -> QSslConfiguration:
        config = QSslConfiguration.defaultConfiguration()
        certificate, key = self["certificate"], self["private-key"]
        if key and not certificate:
            raise usage.UsageError("--private-key needs --certificate")
        if certificate:
            try:
                config.loadLocalCertificate(certificate, key)
            except (OSError, ValueError) as e:
                raise usage.UsageError(f"--certificate {certificate!r}: {_oneLine(e)}") from None
        cas = self["ca-certificates"]
        if cas:
            if not os.path.isfile(cas):
                raise usage.UsageError(f"--ca-certificates {cas!r}: no such file")
            found = QSslCertificate.fromPath(cas)
            if not found:
                raise usage.UsageError(f"--ca-certificates {cas!r}: no PEM certificate in it")
            config.setCaCertificates(found)
        if self["verify-peer"]:
            if not cas:
                raise usage.UsageError("--verify-peer needs --ca-certificates")
            config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
        else:
            config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
        identities = self["psk-identities"]
        self["pskKeys"] = readPskIdentities(identities) if identities else {}
        if self["psk-hint"] is not None:
            if not identities:
                raise usage.UsageError("--psk-hint needs --psk-identities")
            config.setPreSharedKeyIdentityHint(self["psk-hint"].encode("utf-8"))
        if not certificate and not identities:
            raise usage.UsageError(
                f"--mode {self['mode']} needs --certificate or --psk-identities"
            )
        return config


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


def _peer(qsocket: QAbstractSocket | QWebSocket) -> str:
    """
    C{host:port} of a socket's peer, for log lines.
    """
    host = qsocket.peerAddress().toString()
    if not host:
        return "?"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{qsocket.peerPort()}"


class _PluginWebSocketServer(QWebSocketServer):
    """
    The plugin's L{QWebSocketServer}: tells the service about every
    websocket the application takes, so that shutdown can close it.
    """

    onTaken: Callable[[QWebSocket], None] | None = None

    def nextPendingConnection(self) -> QWebSocket | None:
        """
        As L{QWebSocketServer.nextPendingConnection}; the service also keeps
        the websocket, to close it with 1001 at shutdown.
        """
        ws = super().nextPendingConnection()
        if ws is not None and self.onTaken is not None:
            self.onTaken(ws)
        return ws


class QtwistedService(service.Service):
    """
    Listens on every endpoint at start-up; closes every server at shutdown.

    Listening happens in L{privilegedStartService}, before C{twistd} drops
    privileges (C{--uid}), so ports below 1024 work as with Twisted's own
    plugins.

    In C{ws} and C{wss} modes one L{QWebSocketServer} (L{wsServer}) serves
    every listener: each listener is a L{QTcpServer} (or L{QSslServer})
    whose connections are handed to it with C{handleConnection}, after the
    request head has arrived (static files are served instead for
    C{--web-root}).

    @ivar servers: one L{qtwisted.QTcpServer} (or L{qtwisted.QSslServer})
        per C{--listen}, once listening.
    @ivar wsServer: the L{qtwisted.QWebSocketServer} in C{ws} and C{wss}
        modes, else C{None}.
    """

    def __init__(self, options: Options, reactor: Any = None) -> None:
        """
        @param options: the parsed L{Options}.
        @param reactor: the reactor to use; the global one by default.
        """
        self.options = options
        self.reactor = reactor
        self.servers: list[QTcpServer] = []
        self.wsServer: QWebSocketServer | None = None
        self._websockets: dict[QWebSocket, None] = {}
        self._dispatching: dict[QTcpSocket, None] = {}
        self._handingOver: str | None = None
        self._listening = False

    # -- building --------------------------------------------------------

    def _newListener(self) -> QTcpServer:
        options = self.options
        config = options["sslConfiguration"]
        server: QTcpServer
        if config is None:
            server = QTcpServer(reactor=self.reactor)
        else:
            sslServer = QSslServer(reactor=self.reactor)
            sslServer.setSslConfiguration(config)
            if options["handshake-timeout"] is not None:
                sslServer.setHandshakeTimeout(options["handshake-timeout"])
            self._logSsl(sslServer)
            server = sslServer
        server.setMaxPendingConnections(options["max-pending"])
        server.acceptError.connect(
            lambda error: _log.warn("qtwisted: accept error: {error}", error=server.errorString())
        )
        return server

    def _logSsl(self, server: QSslServer) -> None:
        keys: dict[bytes, bytes] = self.options.get("pskKeys") or {}

        def psk(qsocket: QSslSocket, auth: QSslPreSharedKeyAuthenticator) -> None:
            identity = auth.identity()
            key = keys.get(identity)
            if key is None:
                _log.warn(
                    "qtwisted: {peer}: unknown PSK identity {identity!r}",
                    peer=_peer(qsocket),
                    identity=identity,
                )
                return
            auth.setPreSharedKey(key)
            _log.info(
                "qtwisted: {peer}: PSK identity {identity!r}",
                peer=_peer(qsocket),
                identity=identity,
            )

        if keys:
            server.preSharedKeyAuthenticationRequired.connect(psk)
        server.sslErrors.connect(
            lambda qsocket, errors: _log.warn(
                "qtwisted: {peer}: SSL errors: {errors}",
                peer=_peer(qsocket),
                errors="; ".join(e.errorString() for e in errors),
            )
        )
        server.peerVerifyError.connect(
            lambda qsocket, error: _log.warn(
                "qtwisted: {peer}: peer verify error: {error}",
                peer=_peer(qsocket),
                error=error.errorString(),
            )
        )
        server.errorOccurred.connect(
            lambda qsocket, error: _log.warn(
                "qtwisted: {peer}: {error}", peer=_peer(qsocket), error=qsocket.errorString()
            )
        )
        server.handshakeInterruptedOnError.connect(
            lambda qsocket, error: _log.warn(
                "qtwisted: {peer}: handshake interrupted: {error}",
                peer=_peer(qsocket),
                error=error.errorString(),
            )
        )
        for name, verb in (("alertSent", "sent"), ("alertReceived", "received")):
            getattr(server, name).connect(
                lambda qsocket, level, kind, text, verb=verb: _log.info(
                    "qtwisted: {peer}: TLS alert {verb}: {alertLevel} {text}",
                    peer=_peer(qsocket),
                    verb=verb,
                    alertLevel=getattr(level, "name", level),
                    text=text,
                )
            )

    def _newWebSocketServer(self) -> QWebSocketServer:
        options = self.options
        mode = (
            QWebSocketServer.SslMode.SecureMode
            if options["mode"] == "wss"
            else QWebSocketServer.SslMode.NonSecureMode
        )
        ws = _PluginWebSocketServer(options["server-name"], mode, reactor=self.reactor)
        ws.onTaken = self._taken
        ws.setMaxPendingConnections(options["max-pending"])
        if options["handshake-timeout"] is not None:
            ws.setHandshakeTimeout(options["handshake-timeout"])
        if options["subprotocol"]:
            ws.setSupportedSubprotocols(options["subprotocol"])
        patterns: list[str] = options["allow-origin"]

        def checkOrigin(auth: Any) -> None:
            origin = auth.origin()
            allowed = originAllowed(origin, patterns)
            auth.setAllowed(allowed)
            if allowed:
                _log.info(
                    "qtwisted: {peer}: origin {origin!r} allowed",
                    peer=self._handingOver or "?",
                    origin=origin,
                )
            else:
                _log.warn(
                    "qtwisted: {peer}: origin {origin!r} refused",
                    peer=self._handingOver or "?",
                    origin=origin,
                )

        if patterns:
            ws.originAuthenticationRequired.connect(checkOrigin)
        ws.serverError.connect(
            lambda code: _log.warn(
                "qtwisted: {peer}: WebSocket handshake failed: {error}",
                peer=self._handingOver or "?",
                error=ws.errorString(),
            )
        )
        return ws

    def _taken(self, ws: QWebSocket) -> None:
        self._websockets[ws] = None
        size = self.options["max-message-size"]
        if size is not None:
            ws.setMaxAllowedIncomingMessageSize(size)
        peer = _peer(ws)
        ws.errorOccurred.connect(
            lambda error: _log.warn(
                "qtwisted: {peer}: WebSocket error: {error}", peer=peer, error=ws.errorString()
            )
        )
        ws.disconnected.connect(lambda: self._websockets.pop(ws, None))

    def _dispatch(self, listener: QTcpServer) -> None:
        assert self.wsServer is not None
        timeout = self.wsServer.handshakeTimeoutMS()
        webRoot = self.options["web-root"]
        reactor = resolveReactor(self.reactor)
        while (qsocket := listener.nextPendingConnection()) is not None:
            self._dispatching[qsocket] = None
            qsocket.disconnected.connect(partial(self._dispatching.pop, qsocket, None))
            Dispatcher(qsocket, webRoot, timeout, reactor, self._handOver, self._served)

    def _handOver(self, qsocket: QTcpSocket) -> None:
        assert self.wsServer is not None
        self._dispatching.pop(qsocket, None)
        self._handingOver = _peer(qsocket)
        try:
            self.wsServer.handleConnection(qsocket)
        finally:
            self._handingOver = None

    def _served(self, qsocket: QTcpSocket, method: str, target: str, status: int) -> None:
        self._dispatching.pop(qsocket, None)
        _log.info(
            "qtwisted: {peer}: {method} {target} {status}",
            peer=_peer(qsocket),
            method=method,
            target=target,
            status=status,
        )

    # -- starting --------------------------------------------------------

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
        websocket = self.options["mode"] in ("ws", "wss")
        if websocket:
            self.wsServer = self._newWebSocketServer()
            app(self.wsServer)
        listening: list[tuple[QTcpServer, str]] = []
        for description in self.options["listen"]:
            server = self._newListener()
            if websocket:
                server.pendingConnectionAvailable.connect(partial(self._dispatch, server))
            else:
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
            "qtwisted: {app} listening on {where} ({description}, {mode})",
            app=self.options["app"],
            where=_where(server, description),
            description=description,
            mode=self.options["mode"],
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
        for server, _ in opened:
            server.close()
        if self.wsServer is not None:
            self.wsServer.close()
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
        Close every server; close every websocket with 1001 (going away);
        disconnect every other connection; let each flush what it was sent
        for up to 5 seconds.

        @return: a Deferred that fires once every connection is closed.
        """
        super().stopService()  # type: ignore[no-untyped-call]
        servers, self.servers = self.servers, []
        self._listening = False
        reactor = resolveReactor(self.reactor)
        closing: list[Deferred[object]] = []
        if self.wsServer is not None:
            self.wsServer.close()  # closes queued websockets with 1001
        for ws in list(self._websockets):
            closing.append(_closeWebSocket(ws, reactor))
        for qsocket in list(self._dispatching):
            qsocket.abort()
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


def _closeWebSocket(ws: QWebSocket, reactor: Any) -> Deferred[object]:
    """
    Close C{ws} with 1001 and wait for it to be disconnected, aborting it
    after the shutdown grace period.
    """
    if ws.state() == SocketState.UnconnectedState:
        return succeed(None)
    gone: Deferred[Any] = ws.disconnected.nextEmission()
    ws.close(QWebSocketProtocol.CloseCode.CloseCodeGoingAway, "Server shutting down")
    return _abortAfterGrace(gone, ws.abort, reactor)


def _disconnect(qsocket: QAbstractSocket, reactor: Any) -> Deferred[object]:
    """
    Disconnect C{qsocket} after it has flushed, aborting it if that takes
    longer than the shutdown grace period.
    """
    if qsocket.state() == SocketState.UnconnectedState:
        return succeed(None)
    gone: Deferred[Any] = qsocket.disconnected.nextEmission()
    qsocket.disconnectFromHost()
    if qsocket.state() == SocketState.UnconnectedState and not gone.called:
        gone.cancel()  # it never was connected: nothing to wait for
        return succeed(None)
    return _abortAfterGrace(gone, qsocket.abort, reactor)


def _abortAfterGrace(
    gone: Deferred[object], abort: Callable[[], object], reactor: Any
) -> Deferred[object]:
    """
    C{gone}, with C{abort} called if it has not fired within the shutdown
    grace period.
    """
    if not gone.called:
        timer = reactor.callLater(_SHUTDOWN_GRACE, abort)

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
    if not hasattr(twistdConfig, "get"):
        return
    pidfile = twistdConfig.get("pidfile")
    if pidfile:
        try:
            with open(pidfile) as f:
                ours = f.read().strip() == str(os.getpid())
            if ours:
                os.unlink(pidfile)
        except (OSError, ValueError):
            pass
    statusPipe = twistdConfig.get("statusPipe")
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

#!/usr/bin/env python3
"""
TLS handshakes per second and TLS echo round trips per second: qtwisted's
QSslServer against a plain Twisted TLS echo server, in one run.

Usage::

    python bench/tls_bench.py              # the full run (about 2 minutes)
    python bench/tls_bench.py --quick      # a smoke run (about 10 s)

Theory of operation
===================

The method is L{bench/tcp_echo.py <tcp_echo>}'s, and this file shares its
machinery with it (C{bench/_harness.py}: CPU pinning, per-process CPU time
from C{/proc/<pid>/schedstat}, the machine-load report, medians and
spreads): see C{bench/README.md}.
Three kinds of process, all running this file:

  - the I{driver} writes a throw-away certificate (ECDSA P-256, made with
    C{cryptography}) to a temporary directory, starts the servers, runs
    the measurements one after another, and prints the results;
  - two I{servers}, started once for the whole run, each on CPU 0:
    C{qtwisted} (a C{QSslServer}; the echo is Qt's idiom, taking sockets
    on C{pendingConnectionAvailable} and connecting C{readyRead} to
    C{write(readAll())}) and C{plain} (Twisted's L{TLSMemoryBIOFactory}
    around a L{Protocol} whose C{dataReceived} writes the data back, on
    C{reactor.listenTCP}).  Both use the very same pyOpenSSL context
    settings: the plain server's context is built by qtwisted's context
    builder from the same configuration, without qtwisted's own
    per-connection callbacks (TLS-PSK, alerts).  Neither asks for client
    certificates;
  - one I{load generator} per measurement, Python's C{ssl} module on plain
    sockets (OpenSSL in C; no certificate verification, so that the client
    stays cheap):

      - C{handshakes}: C{--threads} threads, each repeating: connect, TLS
        handshake, one 64-byte echo (so that the server has finished its
        side of the handshake), close.  Python's C{ssl} releases the GIL
        during the handshake, so the threads overlap.  The load generator
        runs on CPU 1, the server on CPU 0;
      - C{echo}: C{--connections} TLS connections, one ping-pong loop
        each (as C{tcp_echo.py}: 64-byte messages; one connection with
        blocking calls on the server's CPU, several multiplexed with
        C{epoll} on CPU 1).

Rounds alternate the order of the two servers (ABBA); each figure is the
median of C{--rounds} measurements, with its spread.  The server's own CPU
time per handshake or round trip is reported too: it does not count time
spent waiting, so the I{CPU-cost ratio} (plain's CPU per operation over
qtwisted's) is the most stable efficiency figure on a busy machine.

Every loop is bounded: load generators stop at their deadline and their
sockets give up after 5 s of silence; children that overrun are killed;
servers are stopped in a C{finally}.  The exit code is 0 whenever the
benchmark ran, 1 if a server or load generator failed.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import ssl
import sys
import tempfile
import threading
import time
from typing import Any, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import (  # noqa: E402  (the shared machinery, see the docstring)
    HOST,
    LOAD_CPU,
    SERVER_CPU,
    SOCKET_TIMEOUT,
    TARGET_RATIO,
    BenchError,
    CpuMeter,
    MachineLoad,
    ServerProcess,
    abba,
    addConnections,
    addQuick,
    addRoles,
    addTiming,
    checkTiming,
    compare,
    perOp,
    pinTo,
    printJson,
    printMachineLoad,
    printResults,
    progress,
    rounded,
    runDriver,
    runLoad,
    serve,
    stopAll,
    twistedVersion,
)

IMPLEMENTATIONS = ("qtwisted", "plain")
MESSAGE = bytes(i % 251 for i in range(64))


# -- servers -----------------------------------------------------------------


def serverConfiguration(directory: str, protocol: str) -> Any:
    """
    The configuration both servers use: the certificate written by the
    driver, no client certificates, the chosen TLS version.
    """
    from qtwisted import QSsl, QSslCertificate, QSslConfiguration, QSslKey, QSslSocket

    configuration = QSslConfiguration.defaultConfiguration()
    with open(os.path.join(directory, "server.crt"), "rb") as f:
        configuration.setLocalCertificate(QSslCertificate(f.read()))
    with open(os.path.join(directory, "server.key"), "rb") as f:
        configuration.setPrivateKey(QSslKey(f.read(), QSsl.Ec))
    configuration.setPeerVerifyMode(QSslSocket.VerifyNone)
    configuration.setProtocol(QSsl.TlsV1_3 if protocol == "1.3" else QSsl.TlsV1_2)
    return configuration


def listenQtwisted(directory: str, protocol: str) -> int:
    """
    The QSslServer echo server, written as a Qt program would be.
    """
    from twisted.internet import reactor

    from qtwisted import QHostAddress, QSslServer

    server = QSslServer()
    server.setSslConfiguration(serverConfiguration(directory, protocol))
    server.setMaxPendingConnections(1000)

    def take() -> None:
        while True:
            sock = server.nextPendingConnection()
            if sock is None:
                return
            sock.readyRead.connect(lambda sock=sock: sock.write(sock.readAll()))
            sock.disconnected.connect(sock.deleteLater)

    server.pendingConnectionAvailable.connect(take)
    if not server.listen(QHostAddress(HOST), 0):
        raise BenchError(f"qtwisted server cannot listen: {server.errorString()}")
    reactor.addSystemEventTrigger("before", "shutdown", server.close)  # type: ignore[attr-defined]
    return int(server.serverPort())


def listenPlain(directory: str, protocol: str) -> int:
    """
    The plain Twisted TLS echo server: TLSMemoryBIOFactory on listenTCP.
    """
    from OpenSSL import SSL
    from twisted.internet import reactor
    from twisted.internet.interfaces import IOpenSSLServerConnectionCreator
    from twisted.internet.protocol import Protocol, ServerFactory
    from twisted.protocols.tls import TLSMemoryBIOFactory
    from zope.interface import implementer

    from qtwisted._ssl import _context

    # The same context settings as qtwisted's, without qtwisted's hooks.
    hooks = list(_context._contextHooks)
    del _context._contextHooks[:]
    try:
        context = _context._build(serverConfiguration(directory, protocol)._snapshot(), "server")
    finally:
        _context._contextHooks[:] = hooks

    @implementer(IOpenSSLServerConnectionCreator)
    class Creator:
        def serverConnectionForTLS(self, protocol: Any) -> SSL.Connection:
            return SSL.Connection(context, None)

    class Echo(Protocol):
        def dataReceived(self, data: bytes) -> None:
            self.transport.write(data)  # type: ignore[union-attr]

    factory = TLSMemoryBIOFactory(Creator(), False, ServerFactory.forProtocol(Echo))
    port = reactor.listenTCP(0, factory, backlog=1000, interface=HOST)  # type: ignore[attr-defined]
    return int(port.getHost().port)


# -- load generators ---------------------------------------------------------


def clientContext(protocol: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    version = ssl.TLSVersion.TLSv1_3 if protocol == "1.3" else ssl.TLSVersion.TLSv1_2
    context.minimum_version = context.maximum_version = version
    return context


def echoOnce(tls: ssl.SSLSocket) -> None:
    tls.sendall(MESSAGE)
    data = b""
    while len(data) < len(MESSAGE):
        more = tls.recv(len(MESSAGE) - len(data))
        if not more:
            raise BenchError("server closed the connection")
        data += more
    if data != MESSAGE:
        raise BenchError(f"echo mismatch: {data!r}")


def handshakeLoad(
    port: int, threads: int, protocol: str, warmup: float, duration: float, onStart: Any
) -> tuple[int, float]:
    """
    C{threads} loops of connect + handshake + one echo + close; the number
    completed within C{duration} after C{warmup}.
    """
    context = clientContext(protocol)
    clock = time.perf_counter
    start = clock()
    measureFrom = start + warmup
    deadline = measureFrom + duration
    counts = [0] * threads
    atStart: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def loop(index: int) -> None:
        try:
            while clock() < deadline and not failures:
                raw = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT)
                try:
                    tls = context.wrap_socket(raw)
                    echoOnce(tls)
                finally:
                    raw.close()
                counts[index] += 1
        except BaseException as e:  # reported by the driver
            failures.append(e)

    workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    while clock() < measureFrom and not failures:
        time.sleep(0.01)
    with lock:
        onStart()
        atStart[:] = [sum(counts)]
        t0 = clock()
    for w in workers:
        w.join(SOCKET_TIMEOUT + max(0.0, deadline - clock()))
    t1 = min(clock(), deadline)
    if failures:
        raise BenchError(f"handshake load failed: {failures[0]!r}")
    return sum(counts) - atStart[0], t1 - t0


def connectAll(port: int, count: int, protocol: str) -> list[ssl.SSLSocket]:
    context = clientContext(protocol)
    socks = []
    for _ in range(count):
        raw = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(context.wrap_socket(raw))
    return socks


def echoOne(
    tls: ssl.SSLSocket, warmup: float, duration: float, onStart: Any
) -> tuple[int, float]:
    clock = time.perf_counter
    start = clock()
    measureFrom = start + warmup
    deadline = measureFrom + duration
    count, countAtStart = 0, -1
    t0 = now = start
    while now < deadline:
        echoOnce(tls)
        count += 1
        now = clock()
        if countAtStart < 0 and now >= measureFrom:
            onStart()
            countAtStart, t0 = count, clock()
    return count - countAtStart, now - t0


def echoMany(
    socks: list[ssl.SSLSocket], warmup: float, duration: float, onStart: Any
) -> tuple[int, float]:
    """
    One ping-pong loop per connection, multiplexed with epoll (TLS sockets
    in non-blocking mode: a partial record raises C{SSLWantReadError}).
    """
    size = len(MESSAGE)
    clock = time.perf_counter
    poller = select.epoll()
    byFd: dict[int, ssl.SSLSocket] = {}
    partial: dict[int, bytes] = {}
    try:
        for s in socks:
            s.setblocking(False)
            byFd[s.fileno()] = s
            poller.register(s.fileno(), select.EPOLLIN)
        start = clock()
        measureFrom = start + warmup
        deadline = measureFrom + duration
        for s in socks:
            s.send(MESSAGE)
        count, countAtStart = 0, -1
        t0 = now = lastProgress = start
        while now < deadline:
            events = poller.poll(min(1.0, deadline - now))
            now = clock()
            if not events:
                if now - lastProgress > SOCKET_TIMEOUT:
                    raise BenchError("no echo for %.0f s" % SOCKET_TIMEOUT)
                continue
            lastProgress = now
            for fd, _ in events:
                s = byFd[fd]
                data = partial.pop(fd, b"")
                try:
                    while True:
                        more = s.recv(65536)
                        if not more:
                            raise BenchError("server closed a connection")
                        data += more
                        if not s.pending():
                            break
                except ssl.SSLWantReadError:
                    pass
                if len(data) < size:
                    partial[fd] = data
                    continue
                if data != MESSAGE:
                    raise BenchError(f"echo mismatch: {data!r}")
                count += 1
                if s.send(MESSAGE) != size:
                    raise BenchError("short send of a message")
            if countAtStart < 0 and now >= measureFrom:
                onStart()
                countAtStart, t0 = count, clock()
        return count - countAtStart, now - t0
    finally:
        poller.close()


def load(options: argparse.Namespace) -> int:
    """
    One measurement; prints C{{operations, seconds, server_cpu_s}} as JSON.
    """
    pinTo(options.cpu)
    meter = CpuMeter(options.server_pid)
    if options.mode == "handshakes":
        count, elapsed = handshakeLoad(
            options.load, options.threads, options.tls, options.warmup, options.duration, meter.start
        )
    else:
        socks = connectAll(options.load, options.connections, options.tls)
        try:
            if options.connections == 1:
                count, elapsed = echoOne(socks[0], options.warmup, options.duration, meter.start)
            else:
                count, elapsed = echoMany(socks, options.warmup, options.duration, meter.start)
        finally:
            for s in socks:
                s.close()
    print(json.dumps({"operations": count, "seconds": elapsed, **meter.stop()}))
    return 0


# -- driver ------------------------------------------------------------------


class Server(ServerProcess):
    """
    A server subprocess (L{ServerProcess}, with this file's roles).
    """

    def __init__(self, impl: str, cpu: int | None, directory: str, protocol: str) -> None:
        super().__init__(__file__, impl, cpu, ["--certificates", directory, "--tls", protocol])


def measure(server: Server, mode: str, options: argparse.Namespace, n: int, cpu: int | None) -> dict[str, float]:
    extra = ["--mode", mode, "--tls", options.tls]
    extra += ["--warmup", str(options.warmup), "--duration", str(options.duration)]
    extra += ["--threads", str(n)] if mode == "handshakes" else ["--connections", str(n)]
    timeout = options.warmup + options.duration + 30
    result, operations = runLoad(__file__, server, extra, cpu, timeout, "operations")
    return {
        "rate": operations / result["seconds"],
        "server_us": perOp(result["server_cpu_s"], operations),
    }


def scenarios(options: argparse.Namespace) -> list[tuple[str, str, int, int | None]]:
    """
    (name, mode, connections or threads, load generator CPU) of each measurement.
    """
    pinned = hasattr(os, "sched_getaffinity") and {SERVER_CPU, LOAD_CPU} <= os.sched_getaffinity(0)
    result: list[tuple[str, str, int, int | None]] = [
        (f"handshakes x{options.threads}", "handshakes", options.threads, LOAD_CPU if pinned else None)
    ]
    for n in options.connections:
        cpu = (SERVER_CPU if n == 1 else LOAD_CPU) if pinned else None
        result.append((f"echo {n} conn", "echo", n, cpu))
    return result


def runBenchmark(options: argparse.Namespace) -> dict[str, Any]:
    from tests import _certs  # the throw-away certificate generator

    pinned = hasattr(os, "sched_getaffinity") and SERVER_CPU in os.sched_getaffinity(0)
    serverCpu = SERVER_CPU if pinned else None
    machine = MachineLoad()
    plan = scenarios(options)
    samples: dict[str, dict[str, list[dict[str, float]]]] = {
        name: {impl: [] for impl in IMPLEMENTATIONS} for name, _, _, _ in plan
    }
    servers: dict[str, Server] = {}
    with tempfile.TemporaryDirectory(prefix="qtwisted-tls-bench-") as directory:
        _certs.server().write(directory, "server")
        try:
            for impl in IMPLEMENTATIONS:
                servers[impl] = Server(impl, serverCpu, directory, options.tls)
            for name, mode, n, loadCpu in plan:
                for r, impl in abba(options.rounds, IMPLEMENTATIONS):
                    m = measure(servers[impl], mode, options, n, loadCpu)
                    samples[name][impl].append(m)
                    unit = "handshakes/s" if mode == "handshakes" else "rounds/s"
                    progress(
                        f"  {name:<15} round {r + 1}/{options.rounds}  {impl:<8}"
                        f"  {m['rate']:>9,.0f} {unit}  server {m['server_us']:7.1f} us/op"
                    )
        finally:
            stopAll(servers)
    busy = machine.finish()
    results: dict[str, Any] = {}
    for name, mode, n, loadCpu in plan:
        result, rates = compare(samples[name], IMPLEMENTATIONS, "server_us_per_op", 1)
        results[name] = {
            "mode": mode,
            **result,
            "cpus": {"server": serverCpu, "load": loadCpu},
            "samples": rounded(rates),
        }
    return {
        "bench": "tls_bench",
        "host": HOST,
        "tls": options.tls,
        "message_bytes": len(MESSAGE),
        "warmup_s": options.warmup,
        "duration_s": options.duration,
        "rounds": options.rounds,
        "target_ratio": TARGET_RATIO,
        "results": results,
        "meets_target": all(r["ratio"] >= TARGET_RATIO for r in results.values()),
        "background_cpu_share": busy["background"],
        "steal_share": busy["steal"],
        "python": sys.version.split()[0],
        "twisted": twistedVersion(),
        "openssl": ssl.OPENSSL_VERSION,
    }


def report(summary: dict[str, Any]) -> None:
    print(
        f"TLS {summary['tls']}, {summary['message_bytes']}-byte messages over {summary['host']};"
        f" median of {summary['rounds']} x {summary['duration_s']:g} s"
        f" (each after {summary['warmup_s']:g} s warm-up);"
        f" Python {summary['python']}, Twisted {summary['twisted']}"
    )
    print(f"{'scenario':<15}  {'impl':<8}  {'ops/s':>9}  {'spread':<15}  server CPU/op")
    printResults(
        summary["results"],
        IMPLEMENTATIONS,
        "server_us_per_op",
        label="{:<15}  ",
        implWidth="{:<8}  ",
        rateWidth=9,
    )
    printMachineLoad(summary)
    printJson(summary)


# -- command line ------------------------------------------------------------


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="TLS handshakes/s and TLS echo round trips/s: qtwisted vs plain Twisted."
    )
    addTiming(parser, "runs per implementation and scenario (5)")
    parser.add_argument("--tls", choices=("1.2", "1.3"), default="1.3", help="TLS version (1.3)")
    parser.add_argument("--threads", type=int, default=4, help="concurrent handshake loops (4)")
    addConnections(parser, "comma-separated echo connection counts (1,50)")
    addQuick(parser)
    # Internal: the roles of the child processes.
    addRoles(parser, IMPLEMENTATIONS)
    parser.add_argument("--certificates", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=("handshakes", "echo"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    checkTiming(parser, options)
    if options.threads < 1 or any(n < 1 for n in options.connections):
        parser.error("--threads and --connections must be positive")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    if options.serve:
        listen = {"qtwisted": listenQtwisted, "plain": listenPlain}[options.serve]
        return serve(lambda: listen(options.certificates, options.tls), options.cpu)
    if options.load is not None:
        if options.mode == "echo" and len(options.connections) != 1:
            raise SystemExit("--load takes exactly one --connections value")
        if options.mode == "echo":
            options.connections = options.connections[0]
        return load(options)
    sys.path.insert(0, os.path.dirname(HERE))
    return runDriver(lambda: report(runBenchmark(options)))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""
TCP echo round trips per second: qtwisted against plain Twisted.

Usage::

    python bench/tcp_echo.py              # the full run (about 75 s)
    python bench/tcp_echo.py --quick      # a smoke run (a few seconds)
    python bench/tcp_echo.py --profile /tmp/prof   # cProfile both servers

Theory of operation
===================

Three kinds of process take part, all running this file with the same
interpreter:

  - the I{driver} (no flag) starts the servers, runs the measurements one
    after another, and prints the results; it sleeps while a measurement
    runs;
  - two I{servers} (C{--serve qtwisted} and C{--serve plain}), started once
    and kept for the whole run.  Each listens on 127.0.0.1, port 0, prints
    C{PORT <n>} and runs the default reactor until its standard input
    reaches end of file (the driver closes it; if the driver dies, the pipe
    closes too, so no server outlives it);
  - one I{load generator} per measurement (C{--load PORT}), a plain-socket
    client: it opens the connections, then runs one ping-pong loop per
    connection (send a 64-byte message, wait for all of it to come back,
    check it, send the next).  One connection uses blocking C{send}/C{recv}
    (the cheapest client Python has); several are multiplexed with
    C{select.epoll}.  It warms up for C{--warmup} seconds, then counts the
    round trips completed in the next C{--duration} seconds and prints them
    as JSON.

The two servers differ only in their echo code: qtwisted's is Qt's idiom,
C{sock.readyRead.connect(lambda: sock.write(sock.readAll()))}; plain
Twisted's is a L{Protocol} whose C{dataReceived} calls
C{self.transport.write(data)}.  Both run on the same reactor (epoll on
Linux) with the same socket options (Twisted's defaults: no
C{TCP_NODELAY} on the server side, which a strict ping-pong never needs).

Noise control, for a small (2-core) machine:

  - servers run on CPU 0; the load generator runs on CPU 1 for several
    connections (the server is the bottleneck and must keep its CPU) and on
    CPU 0 too for one connection (C{--placement auto}).  On a VM a
    ping-pong across two vCPUs waits for the hypervisor to wake an idle vCPU
    at every hop: measured here, that cut the rate to a third and made it
    swing by +-30%, while on one vCPU the hand-over is a context switch;
  - measurements alternate between the implementations in the order
    a b, b a, a b, ... (an ABBA design: a slow drift of the machine's speed
    cancels out instead of always favouring whoever goes first);
  - each number reported is the median of C{--rounds} measurements, and the
    spread (min..max) is printed next to it so a noisy run is visible;
  - the server's own CPU time per round trip (from C{/proc/<pid>/schedstat})
    is reported too: it does not count time spent waiting, so it barely
    moves when other processes compete for the CPUs, which the report also
    measures and warns about.

With one connection the rate measures latency: a round trip is the client's
work, the kernel's, and the server's, so a server that is x% slower lowers
the rate by less than x%.  With 50 connections the server is the bottleneck
(its per-message work, with Twisted's C{epoll_ctl} calls for every write, is
about twice the client's), so that ratio is close to the servers' CPU-cost
ratio.

Every loop is bounded: the load generator stops at its deadline and its
sockets time out after 5 s of silence; the driver gives each child a
deadline and kills it on expiry; servers are stopped (then killed if they
do not exit) in a C{finally}.

Output: progress on standard error; the results table on standard output,
followed by one line of JSON (the last line) for machines.  The exit code is
0 whenever the benchmark ran, whatever the ratio; 1 if a server or load
generator failed (an echo mismatch, a refused connection, a timeout).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import sys
import time
from typing import Any, Callable, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _harness import (  # noqa: E402  (the shared machinery)
    HOST,
    SOCKET_TIMEOUT,
    TARGET_RATIO,
    BenchError,
    CpuMeter,
    MachineLoad,
    ServerProcess,
    abba,
    addConnections,
    addPlacement,
    addQuick,
    addRoles,
    addTiming,
    checkTiming,
    compare,
    median,
    perOp,
    placement,
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

# -- servers -----------------------------------------------------------------


def listenQtwisted() -> int:
    """
    Start the qtwisted echo server with Qt's idiom; return its port.
    """
    from qtwisted import QHostAddress, QTcpServer

    server = QTcpServer()

    def echo(sock: Any) -> None:
        sock.readyRead.connect(lambda: sock.write(sock.readAll()))
        sock.disconnected.connect(sock.deleteLater)

    def onNewConnection() -> None:
        while True:
            sock = server.nextPendingConnection()
            if sock is None:
                break
            echo(sock)

    server.newConnection.connect(onNewConnection)
    if not server.listen(QHostAddress(HOST), 0):
        raise BenchError(f"qtwisted server cannot listen: {server.errorString()}")
    # Close the server (as an application would) before the reactor stops;
    # the trigger also keeps the server object alive until then.
    from twisted.internet import reactor

    reactor.addSystemEventTrigger("before", "shutdown", server.close)
    return int(server.serverPort())


def listenPlain() -> int:
    """
    Start the plain Twisted echo server; return its port.
    """
    from twisted.internet import reactor
    from twisted.internet.protocol import Protocol, ServerFactory

    class Echo(Protocol):
        def dataReceived(self, data: bytes) -> None:
            self.transport.write(data)  # type: ignore[union-attr]

    factory: ServerFactory[Echo] = ServerFactory()
    factory.protocol = Echo
    factory.noisy = False
    port = reactor.listenTCP(0, factory, interface=HOST)  # type: ignore[arg-type]
    return int(port.getHost().port)  # type: ignore[attr-defined]


# -- load generator ----------------------------------------------------------


def connectAll(port: int, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        s = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(s)
    return socks


def pingPongOne(
    sock: socket.socket,
    message: bytes,
    warmup: float,
    duration: float,
    onStart: Callable[[], None],
) -> tuple[int, float]:
    """
    One connection, blocking calls: C{(round trips, seconds)} measured.
    C{onStart} is called when the warm-up ends.
    """
    size = len(message)
    clock = time.perf_counter
    send = sock.sendall
    recv = sock.recv
    start = clock()
    measureFrom = start + warmup
    deadline = measureFrom + duration
    count = 0
    countAtStart = -1
    t0 = now = start
    while now < deadline:
        send(message)
        data = recv(size)
        while len(data) < size:
            more = recv(size - len(data))
            if not more:
                raise BenchError("server closed the connection")
            data += more
        if data != message:
            raise BenchError(f"echo mismatch: {data!r}")
        count += 1
        now = clock()
        if countAtStart < 0 and now >= measureFrom:
            onStart()
            countAtStart, t0 = count, clock()
    return count - countAtStart, now - t0


def pingPongMany(
    socks: list[socket.socket],
    message: bytes,
    warmup: float,
    duration: float,
    onStart: Callable[[], None],
) -> tuple[int, float]:
    """
    Several connections, one ping-pong loop each, multiplexed with epoll.
    """
    size = len(message)
    clock = time.perf_counter
    poller = select.epoll()
    byFd: dict[int, socket.socket] = {}
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
            s.send(message)
        count = 0
        countAtStart = -1
        t0 = now = start
        lastProgress = start
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
                data = s.recv(65536)
                if not data:
                    raise BenchError("server closed a connection")
                if fd in partial:
                    data = partial.pop(fd) + data
                if len(data) < size:
                    partial[fd] = data
                    continue
                if data != message:
                    raise BenchError(f"echo mismatch: {data!r}")
                count += 1
                if s.send(message) != size:
                    raise BenchError(f"short send of a {size}-byte message")
            if countAtStart < 0 and now >= measureFrom:
                onStart()
                countAtStart, t0 = count, clock()
        return count - countAtStart, now - t0
    finally:
        poller.close()


def load(
    port: int,
    connections: int,
    size: int,
    warmup: float,
    duration: float,
    cpu: int | None,
    serverPid: int | None,
) -> int:
    """
    Run one measurement against the server on C{port}; print it as JSON:
    round trips, seconds, and the CPU seconds the server and this process
    used meanwhile.
    """
    pinTo(cpu)
    message = bytes(i % 251 for i in range(size))
    socks = connectAll(port, connections)
    meter = CpuMeter(serverPid, client=True)
    try:
        loop = pingPongOne if connections == 1 else pingPongMany
        target: Any = socks[0] if connections == 1 else socks
        count, elapsed = loop(target, message, warmup, duration, meter.start)
        cpu_s = meter.stop()
    finally:
        for s in socks:
            s.close()
    print(json.dumps({"rounds": count, "seconds": elapsed, **cpu_s}))
    return 0


# -- driver ------------------------------------------------------------------


class Server(ServerProcess):
    """
    A server subprocess: started, asked for its port, stopped.
    """

    def __init__(self, impl: str, cpu: int | None, profile: str | None = None) -> None:
        extra = [] if profile is None else ["--profile-out", profile]
        super().__init__(__file__, impl, cpu, extra)


def measure(
    server: Server,
    connections: int,
    size: int,
    warmup: float,
    duration: float,
    cpu: int | None,
) -> dict[str, float]:
    """
    Run one load generator against C{server}; return its rates: C{rate}
    (round trips per second), C{server_us} and C{client_us} (CPU
    microseconds per round trip; C{nan} if unknown).
    """
    extra = ["--connections", str(connections), "--size", str(size)]
    extra += ["--warmup", str(warmup), "--duration", str(duration)]
    result, rounds = runLoad(__file__, server, extra, cpu, warmup + duration + 30, "rounds")
    return {
        "rate": rounds / result["seconds"],
        "server_us": perOp(result["server_cpu_s"], rounds),
        "client_us": perOp(result["client_cpu_s"], rounds),
    }


def runBenchmark(options: argparse.Namespace) -> dict[str, Any]:
    """
    Measure every (connections, implementation) pair C{options.rounds}
    times in ABBA order; return the summary.
    """
    # Servers always live on the server CPU (if any); only the load
    # generator moves with the placement.
    serverCpu = placement(options.placement, 2)[0]
    machine = MachineLoad()
    servers: dict[str, Server] = {}
    samples: dict[int, dict[str, list[dict[str, float]]]] = {
        n: {impl: [] for impl in IMPLEMENTATIONS} for n in options.connections
    }
    try:
        for impl in IMPLEMENTATIONS:
            servers[impl] = Server(impl, serverCpu)
        for n in options.connections:
            loadCpu = placement(options.placement, n)[1]
            for r, impl in abba(options.rounds, IMPLEMENTATIONS):
                m = measure(servers[impl], n, options.size, options.warmup, options.duration, loadCpu)
                samples[n][impl].append(m)
                progress(
                    f"  {n:>3} conn  round {r + 1}/{options.rounds}  {impl:<8}"
                    f"  {m['rate']:>9,.0f} rounds/s"
                    f"  server {m['server_us']:6.1f} us/round"
                )
    finally:
        stopAll(servers)
    busy = machine.finish()
    results: dict[str, Any] = {}
    for n in options.connections:
        result, rates = compare(samples[n], IMPLEMENTATIONS, "server_us_per_round", 2)
        clientUs = {impl: median([m["client_us"] for m in samples[n][impl]]) for impl in IMPLEMENTATIONS}
        serverCpu_, loadCpu_ = placement(options.placement, n)
        results[str(n)] = {
            **result,
            "client_us_per_round": {
                impl: None if us is None else round(us, 2) for impl, us in clientUs.items()
            },
            "cpus": {"server": serverCpu_, "load": loadCpu_},
            "samples": rounded(rates),
        }
    return {
        "bench": "tcp_echo",
        "host": HOST,
        "message_bytes": options.size,
        "warmup_s": options.warmup,
        "duration_s": options.duration,
        "rounds": options.rounds,
        "placement": options.placement,
        "target_ratio": TARGET_RATIO,
        "results": results,
        "meets_target": all(r["ratio"] >= TARGET_RATIO for r in results.values()),
        "background_cpu_share": busy["background"],
        "steal_share": busy["steal"],
        "python": sys.version.split()[0],
        "twisted": twistedVersion(),
    }


def describeCpus(cpus: dict[str, int | None]) -> str:
    if cpus["server"] is None:
        return "unpinned"
    if cpus["server"] == cpus["load"]:
        return f"server+load on CPU {cpus['server']}"
    return f"server CPU {cpus['server']}, load CPU {cpus['load']}"


def report(summary: dict[str, Any]) -> None:
    """
    Print the human-readable table, then the JSON line.
    """
    print(
        f"TCP echo, {summary['message_bytes']}-byte messages over {summary['host']};"
        f" median of {summary['rounds']} x {summary['duration_s']:g} s"
        f" (each after {summary['warmup_s']:g} s warm-up);"
        f" Python {summary['python']}, Twisted {summary['twisted']}"
    )
    print(f"{'conns':>5}  {'impl':<8}  {'rounds/s':>9}  {'spread':<15}  server CPU/round")
    printResults(
        summary["results"],
        IMPLEMENTATIONS,
        "server_us_per_round",
        label="{:>5}  ",
        implWidth="{:<8}  ",
        rateWidth=9,
        suffix=lambda r: f"; {describeCpus(r['cpus'])}",
    )
    printMachineLoad(summary)
    printJson(summary)


def runProfile(options: argparse.Namespace) -> None:
    """
    Run each server under cProfile with one connection of load; print the
    functions that cost the most, and keep the C{.prof} files.
    """
    import pstats

    os.makedirs(options.profile, exist_ok=True)
    # Split CPUs: with the client on the server's CPU, the wall-clock time
    # cProfile gives send() would include the client's own work.
    mode = "split" if options.placement == "auto" else options.placement
    serverCpu, loadCpu = placement(mode, 2)
    for impl in IMPLEMENTATIONS:
        out = os.path.join(options.profile, f"{impl}.prof")
        server = Server(impl, serverCpu, profile=out)
        try:
            m = measure(server, 1, options.size, options.warmup, options.duration, loadCpu)
        finally:
            server.stop()
        progress(f"{impl}: {m['rate']:,.0f} rounds/s under cProfile -> {out}")
        print(f"\n=== {impl} server, 1 connection, top 25 by own time ===")
        stats = pstats.Stats(out, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(25)


# -- command line ------------------------------------------------------------


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="TCP echo round trips per second: qtwisted vs plain Twisted."
    )
    addTiming(parser, "runs per implementation and load (5)")
    parser.add_argument("--size", type=int, default=64, help="message size in bytes (64)")
    addConnections(parser, "comma-separated concurrent connection counts (1,50)")
    addQuick(parser)
    addPlacement(
        parser,
        "CPU pinning: server and load on CPU 0 (same), server on 0 and load on 1"
        " (split), no pinning (none); auto: same for 1 connection, split for more",
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="profile both servers (cProfile) instead of benchmarking"
    )
    # Internal: the roles of the child processes.
    addRoles(parser, IMPLEMENTATIONS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    checkTiming(parser, options)
    if options.size < 1 or any(n < 1 for n in options.connections):
        parser.error("--size and --connections must be positive")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    if options.serve:
        listen = {"qtwisted": listenQtwisted, "plain": listenPlain}[options.serve]
        return serve(listen, options.cpu, profile=options.profile_out)
    if options.load is not None:
        if len(options.connections) != 1:
            raise SystemExit("--load takes exactly one --connections value")
        return load(
            options.load,
            options.connections[0],
            options.size,
            options.warmup,
            options.duration,
            options.cpu,
            options.server_pid,
        )
    if options.profile:
        return runDriver(lambda: runProfile(options))
    return runDriver(lambda: report(runBenchmark(options)))


if __name__ == "__main__":
    sys.exit(main())

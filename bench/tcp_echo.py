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
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Sequence

HOST = "127.0.0.1"
IMPLEMENTATIONS = ("qtwisted", "plain")
TARGET_RATIO = 0.95
SERVER_CPU = 0
LOAD_CPU = 1
# Seconds of silence after which a load generator's socket gives up.
SOCKET_TIMEOUT = 5.0
# Seconds a server may take to start listening.
STARTUP_TIMEOUT = 20.0
# Share of the CPUs used by other processes above which results are flagged.
BUSY_WARNING = 0.05

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class BenchError(Exception):
    """
    A server or load generator failed; the run's numbers are not valid.
    """


def pinTo(cpu: int | None) -> None:
    """
    Run this process on C{cpu} only, if the machine has it.
    """
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return
    if cpu in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {cpu})


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


def serve(impl: str, cpu: int | None, profile: str | None) -> int:
    """
    Run one echo server until standard input closes.
    """
    pinTo(cpu)
    from twisted.internet import reactor
    from twisted.internet.interfaces import IReadDescriptor
    from twisted.logger import (
        FilteringLogObserver,
        LogLevel,
        LogLevelFilterPredicate,
        globalLogBeginner,
        textFileLogObserver,
    )
    from zope.interface import implementer

    @implementer(IReadDescriptor)
    class StdinWatcher:
        """
        Stop the reactor when standard input reaches end of file.

        A bare C{IReadDescriptor} rather than L{twisted.internet.stdio}:
        nothing in the server process should do more work than the echo.
        """

        def fileno(self) -> int:
            return 0

        def logPrefix(self) -> str:
            return "stdin"

        def doRead(self) -> None:
            if not os.read(0, 4096):
                reactor.removeReader(self)
                reactor.stop()

        def connectionLost(self, reason: object) -> None:
            reactor.stop()

    # Warnings and errors (a slot that raises, say) must be seen, not
    # buffered; Twisted's informational chatter is not wanted.
    globalLogBeginner.beginLoggingTo(
        [
            FilteringLogObserver(
                textFileLogObserver(sys.stderr),
                [LogLevelFilterPredicate(defaultLogLevel=LogLevel.warn)],
            )
        ],
        redirectStandardIO=False,
    )
    port = {"qtwisted": listenQtwisted, "plain": listenPlain}[impl]()
    reactor.addReader(StdinWatcher())
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    if profile is None:
        reactor.run()
        return 0
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        reactor.run()
    finally:
        profiler.disable()
        profiler.dump_stats(profile)
    return 0


# -- load generator ----------------------------------------------------------


def cpuSeconds(pid: int | str) -> float:
    """
    CPU time used so far by (the main thread of) process C{pid}, from
    C{/proc/<pid>/schedstat} (nanoseconds, unlike the 10 ms ticks of
    C{/proc/<pid>/stat}); C{nan} where that file does not exist.
    """
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return float("nan")


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
    server = str(serverPid) if serverPid is not None else "-"
    cpuAtStart: list[float] = []

    def onStart() -> None:
        cpuAtStart[:] = [cpuSeconds(server), cpuSeconds("self")]

    try:
        loop = pingPongOne if connections == 1 else pingPongMany
        target: Any = socks[0] if connections == 1 else socks
        count, elapsed = loop(target, message, warmup, duration, onStart)
        serverCpu = cpuSeconds(server) - cpuAtStart[0]
        clientCpu = cpuSeconds("self") - cpuAtStart[1]
    finally:
        for s in socks:
            s.close()
    print(
        json.dumps(
            {
                "rounds": count,
                "seconds": elapsed,
                "server_cpu_s": None if serverCpu != serverCpu else serverCpu,
                "client_cpu_s": None if clientCpu != clientCpu else clientCpu,
            }
        )
    )
    return 0


# -- driver ------------------------------------------------------------------


class Server:
    """
    A server subprocess: started, asked for its port, stopped.
    """

    def __init__(self, impl: str, cpu: int | None, profile: str | None = None) -> None:
        self.impl = impl
        args = [sys.executable, os.path.abspath(__file__), "--serve", impl]
        if cpu is not None:
            args += ["--cpu", str(cpu)]
        if profile is not None:
            args += ["--profile-out", profile]
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=childEnv(),
        )
        try:
            self.port = self._readPort()
        except BaseException:
            self.stop()
            raise

    def _readPort(self) -> int:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"{self.impl} server did not start in time")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    raise BenchError(f"{self.impl} server exited: {self.proc.wait(5)}")
                words = line.split()
                if len(words) == 2 and words[0] == b"PORT":
                    return int(words[1])

    def stop(self, timeout: float = 10.0) -> None:
        """
        Close the server's standard input and wait; kill it if it lingers.
        """
        proc = self.proc
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()


def childEnv() -> dict[str, str]:
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = ROOT + (os.pathsep + path if path else "")
    return env


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
    args = [
        sys.executable,
        os.path.abspath(__file__),
        "--load",
        str(server.port),
        "--server-pid",
        str(server.proc.pid),
        "--connections",
        str(connections),
        "--size",
        str(size),
        "--warmup",
        str(warmup),
        "--duration",
        str(duration),
    ]
    if cpu is not None:
        args += ["--cpu", str(cpu)]
    try:
        done = subprocess.run(
            args,
            capture_output=True,
            timeout=warmup + duration + 30,
            env=childEnv(),
        )
    except subprocess.TimeoutExpired:
        raise BenchError("load generator timed out") from None
    if done.returncode != 0:
        raise BenchError(
            f"load generator failed ({done.returncode}):"
            f" {done.stderr.decode(errors='replace').strip()}"
        )
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    rounds, seconds = result["rounds"], result["seconds"]
    if rounds <= 0 or seconds <= 0:
        raise BenchError("load generator measured nothing")

    def perRound(cpu: float | None) -> float:
        return float("nan") if cpu is None else cpu / rounds * 1e6

    return {
        "rate": rounds / seconds,
        "server_us": perRound(result["server_cpu_s"]),
        "client_us": perRound(result["client_cpu_s"]),
    }


def progress(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


class MachineLoad:
    """
    How busy the rest of the machine was during the run: the CPU time that
    neither this process nor its children used, and the time the hypervisor
    gave to someone else (steal), each as a share of all CPUs' time.

    Read from C{/proc/stat} (all CPUs) and C{getrusage()} (us and our
    reaped children), so call L{finish} only after every child has exited.
    """

    def __init__(self) -> None:
        self.start = self._snapshot()

    @staticmethod
    def _snapshot() -> tuple[float, float, float, float]:
        import resource

        ticks = os.sysconf("SC_CLK_TCK")
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return (time.monotonic(), float("nan"), float("nan"), 0.0)
        # user, nice, system (irq and softirq are left out: loopback
        # traffic runs there on behalf of our own processes).
        busy = (fields[0] + fields[1] + fields[2]) / ticks
        steal = (fields[7] if len(fields) > 7 else 0) / ticks
        ours = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            ours += usage.ru_utime + usage.ru_stime
        return (time.monotonic(), busy, steal, ours)

    def finish(self) -> dict[str, float | None]:
        """
        The shares since construction: C{background} and C{steal}.
        """
        t0, busy0, steal0, ours0 = self.start
        t1, busy1, steal1, ours1 = self._snapshot()
        capacity = (t1 - t0) * len(os.sched_getaffinity(0))
        if capacity <= 0 or busy1 != busy1 or busy0 != busy0:
            return {"background": None, "steal": None}
        background = max(0.0, (busy1 - busy0) - (ours1 - ours0)) / capacity
        return {
            "background": round(background, 3),
            "steal": round((steal1 - steal0) / capacity, 3),
        }


def placement(mode: str, connections: int) -> tuple[int | None, int | None]:
    """
    The CPUs of the servers and of the load generator, or C{None}s.

    C{auto} puts a single ping-pong on one CPU with its server and spreads
    several over two CPUs: see the README for why.
    """
    if mode == "none" or not hasattr(os, "sched_getaffinity"):
        return None, None
    available = os.sched_getaffinity(0)
    if mode == "auto":
        mode = "same" if connections == 1 else "split"
    if mode == "split" and {SERVER_CPU, LOAD_CPU} <= available:
        return SERVER_CPU, LOAD_CPU
    if mode == "same" and SERVER_CPU in available:
        return SERVER_CPU, SERVER_CPU
    return None, None


def finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v == v]


def median(values: Sequence[float]) -> float | None:
    values = finite(values)
    return statistics.median(values) if values else None


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
            for r in range(options.rounds):
                order = IMPLEMENTATIONS if r % 2 == 0 else IMPLEMENTATIONS[::-1]
                for impl in order:
                    m = measure(
                        servers[impl], n, options.size, options.warmup, options.duration, loadCpu
                    )
                    samples[n][impl].append(m)
                    progress(
                        f"  {n:>3} conn  round {r + 1}/{options.rounds}  {impl:<8}"
                        f"  {m['rate']:>9,.0f} rounds/s"
                        f"  server {m['server_us']:6.1f} us/round"
                    )
    finally:
        for server in servers.values():
            server.stop()
    busy = machine.finish()
    results: dict[str, Any] = {}
    for n in options.connections:
        rates = {impl: [m["rate"] for m in samples[n][impl]] for impl in IMPLEMENTATIONS}
        serverUs = {
            impl: [m["server_us"] for m in samples[n][impl]] for impl in IMPLEMENTATIONS
        }
        clientUs = {
            impl: [m["client_us"] for m in samples[n][impl]] for impl in IMPLEMENTATIONS
        }
        mq, mp = statistics.median(rates["qtwisted"]), statistics.median(rates["plain"])
        paired = [a / b for a, b in zip(rates["qtwisted"], rates["plain"])]
        uq, up = median(serverUs["qtwisted"]), median(serverUs["plain"])
        serverCpu_, loadCpu_ = placement(options.placement, n)
        results[str(n)] = {
            "qtwisted": round(mq, 1),
            "plain": round(mp, 1),
            "ratio": round(mq / mp, 4),
            "paired_ratio_median": round(statistics.median(paired), 4),
            "server_us_per_round": {
                "qtwisted": None if uq is None else round(uq, 2),
                "plain": None if up is None else round(up, 2),
            },
            # Plain's server CPU per round over qtwisted's: the efficiency
            # ratio, immune to time the server spends waiting or preempted.
            "cpu_ratio": None if uq is None or up is None else round(up / uq, 4),
            "client_us_per_round": {
                impl: None if median(clientUs[impl]) is None else round(median(clientUs[impl]), 2)  # type: ignore[arg-type]
                for impl in IMPLEMENTATIONS
            },
            "cpus": {"server": serverCpu_, "load": loadCpu_},
            "samples": {impl: [round(x, 1) for x in rates[impl]] for impl in IMPLEMENTATIONS},
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


def twistedVersion() -> str:
    import twisted

    return str(twisted.__version__)


def spread(values: Sequence[float]) -> str:
    m = statistics.median(values)
    return f"{(min(values) - m) / m * 100:+5.1f}%..{(max(values) - m) / m * 100:+5.1f}%"


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
    for n, r in summary["results"].items():
        for impl in IMPLEMENTATIONS:
            us = r["server_us_per_round"][impl]
            print(
                f"{n:>5}  {impl:<8}  {r[impl]:>9,.0f}  {spread(r['samples'][impl]):<15}"
                f"  {'?' if us is None else f'{us:.1f} us'}"
            )
        verdict = "ok" if r["ratio"] >= TARGET_RATIO else "BELOW TARGET"
        cpu = "" if r["cpu_ratio"] is None else f", CPU-cost ratio {r['cpu_ratio']:.3f}"
        print(
            f"{n:>5}  qtwisted/plain = {r['ratio']:.3f} {verdict} (target >= {TARGET_RATIO};"
            f" paired median {r['paired_ratio_median']:.3f}{cpu}; {describeCpus(r['cpus'])})"
        )
    background, steal = summary["background_cpu_share"], summary["steal_share"]
    if background is not None:
        warning = (
            "  WARNING: the machine was busy; rates are noisy, trust the"
            " CPU-cost ratio more, or rerun"
            if background + (steal or 0) > BUSY_WARNING
            else ""
        )
        print(
            f"other processes used {background:.0%} of the CPUs during the run,"
            f" steal {steal or 0:.0%}{warning}"
        )
    print(json.dumps(summary, separators=(",", ":")))


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
    parser.add_argument("--duration", type=float, default=3.0, help="seconds measured per run (3)")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds of warm-up per run (0.5)")
    parser.add_argument("--rounds", type=int, default=5, help="runs per implementation and load (5)")
    parser.add_argument("--size", type=int, default=64, help="message size in bytes (64)")
    parser.add_argument(
        "--connections",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 50],
        help="comma-separated concurrent connection counts (1,50)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 round of 0.5 s")
    parser.add_argument(
        "--placement",
        choices=("auto", "same", "split", "none"),
        default="auto",
        help="CPU pinning: server and load on CPU 0 (same), server on 0 and load on 1"
        " (split), no pinning (none); auto: same for 1 connection, split for more",
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="profile both servers (cProfile) instead of benchmarking"
    )
    # Internal: the roles of the child processes.
    parser.add_argument("--serve", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.quick:
        options.duration, options.warmup, options.rounds = 0.5, 0.2, 1
    if options.duration <= 0 or options.warmup < 0 or options.rounds < 1:
        parser.error("--duration must be > 0, --warmup >= 0, --rounds >= 1")
    if options.size < 1 or any(n < 1 for n in options.connections):
        parser.error("--size and --connections must be positive")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    if options.serve:
        return serve(options.serve, options.cpu, options.profile_out)
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
    try:
        if options.profile:
            runProfile(options)
        else:
            report(runBenchmark(options))
    except BenchError as e:
        progress(f"benchmark failed: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""
WebSocket echo, handshakes and idle memory: qtwisted's QWebSocketServer
against a plain Autobahn WebSocketServerFactory, in one run.

Usage::

    python bench/ws_bench.py              # the full run (a few minutes)
    python bench/ws_bench.py --quick      # a smoke run (about 20 s)

Theory of operation
===================

The method is L{bench/tcp_echo.py}'s (see C{bench/README.md}), whose
machinery this file shares (C{bench/_harness.py}): one long-lived server process per
implementation pinned to CPU 0; one load-generator process per measurement;
measurements alternate between the implementations in ABBA order; medians;
the servers' CPU time from C{/proc/<pid>/schedstat} gives a CPU cost per
operation that is immune to waiting and preemption; every loop and child
process is bounded.

The two servers differ only in their echo code:

  - I{qtwisted}: C{QWebSocketServer} with Qt's idiom,
    C{ws.textMessageReceived.connect(ws.sendTextMessage)} (and the same for
    binary messages), no origin slot (every origin allowed);
  - I{autobahn}: a C{WebSocketServerProtocol} whose C{onMessage} calls
    C{self.sendMessage(payload, isBinary)}, with Autobahn's default options.

The load generator speaks WebSocket over plain sockets, without a library,
so that its cost is small and the same for both: it sends a raw upgrade
request and reads the 101 response, then sends pre-built masked frames
(mask key 0, so the bytes of a message never need re-masking) and checks
that the unmasked echo comes back byte for byte.

Measurements:

  1. echo round trips per second, with 1 and 50 connections (one ping-pong
     loop each, several multiplexed with epoll), for 64-byte text messages
     and 16 KiB binary messages;
  2. opening handshakes per second: one client connects, upgrades, reads
     the 101 response and closes, over and over;
  3. idle memory: a fresh server process per implementation, warmed up
     with 50 connections opened and closed; then 1,000 upgraded, idle
     connections are opened; the growth of the server's resident set size
     (C{VmRSS}) is the memory per 1,000 connections;
  4. the per-message work of each server without sockets (L{framingCost}):
     frames fed straight into the protocol, answers dropped, CPU time per
     message.  Unlike the rates, this does not depend on what else the
     machine runs.

Output: progress on standard error; a table on standard output with the
ratios qtwisted/autobahn (for memory, the ratio of the growths), then one
line of JSON (the last line).  The exit code is 0 whenever the benchmark
ran, whatever the ratios; 1 if a server or load generator failed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import select
import statistics
import struct
import subprocess
import sys
import time
from typing import Any, Callable, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import (  # noqa: E402
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
    childEnv,
    compare,
    perOp,
    pinTo,
    placement,
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

IMPLEMENTATIONS = ("qtwisted", "autobahn")
TARGET_MEMORY = 1.10
KINDS = {"text64": (1, 64), "binary16k": (2, 16 * 1024)}
REQUEST = (
    b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


# -- servers -----------------------------------------------------------------


def listenQtwisted() -> int:
    """
    Start the qtwisted echo server with Qt's idiom; return its port.
    """
    from qtwisted import QHostAddress, QWebSocketServer

    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    server.setMaxPendingConnections(100_000)

    def onNewConnection() -> None:
        while True:
            ws = server.nextPendingConnection()
            if ws is None:
                break
            ws.textMessageReceived.connect(ws.sendTextMessage)
            ws.binaryMessageReceived.connect(ws.sendBinaryMessage)

    server.newConnection.connect(onNewConnection)
    if not server.listen(QHostAddress(HOST), 0):
        raise BenchError(f"qtwisted server cannot listen: {server.errorString()}")
    from twisted.internet import reactor

    reactor.addSystemEventTrigger("before", "shutdown", server.close)
    return int(server.serverPort())


def listenAutobahn() -> int:
    """
    Start the plain Autobahn echo server; return its port.
    """
    from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
    from twisted.internet import reactor

    class Echo(WebSocketServerProtocol):
        def onMessage(self, payload: bytes, isBinary: bool) -> None:
            self.sendMessage(payload, isBinary)

    factory = WebSocketServerFactory()
    factory.protocol = Echo
    port = reactor.listenTCP(0, factory, interface=HOST)
    return int(port.getHost().port)


def onLine(line: bytes) -> None:
    """
    Answer C{rss} on standard input with the resident set size in bytes.
    """
    if line.strip() == b"rss":
        import gc

        gc.collect()
        sys.stdout.write(f"RSS {residentBytes()}\n")
        sys.stdout.flush()


def residentBytes(pid: int | str = "self") -> int:
    """
    The resident set size of process C{pid}, from C{/proc/<pid>/status}.
    """
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise BenchError("no VmRSS in /proc")


# -- the client side of WebSocket, without a library -------------------------


def clientFrame(opcode: int, payload: bytes) -> bytes:
    """
    A masked client frame with mask key 0 (the payload stays as it is).
    """
    n = len(payload)
    if n <= 125:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n <= 0xFFFF:
        head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", n)
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", n)
    return head + b"\0\0\0\0" + payload


def serverFrame(opcode: int, payload: bytes) -> bytes:
    """
    The unmasked frame a server answers with.
    """
    n = len(payload)
    if n <= 125:
        return bytes([0x80 | opcode, n]) + payload
    if n <= 0xFFFF:
        return bytes([0x80 | opcode, 126]) + struct.pack("!H", n) + payload
    return bytes([0x80 | opcode, 127]) + struct.pack("!Q", n) + payload


def upgrade(sock: socket.socket) -> None:
    """
    Send the upgrade request and read the 101 response on a blocking socket.
    """
    sock.sendall(REQUEST)
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(4096)
        if not more:
            raise BenchError("server closed during the handshake")
        data += more
    if not data.startswith(b"HTTP/1.1 101"):
        raise BenchError(f"handshake refused: {data[:60]!r}")
    if not data.endswith(b"\r\n\r\n"):
        raise BenchError("unexpected bytes after the 101 response")


def connectAll(port: int, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        s = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        upgrade(s)
        socks.append(s)
    return socks


def echoOne(
    sock: socket.socket,
    message: bytes,
    expected: bytes,
    warmup: float,
    duration: float,
    onStart: Callable[[], None],
) -> tuple[int, float]:
    """
    One connection, blocking calls: C{(round trips, seconds)} measured.
    """
    size = len(expected)
    clock = time.perf_counter
    send, recv = sock.sendall, sock.recv
    start = clock()
    measureFrom = start + warmup
    deadline = measureFrom + duration
    count, countAtStart = 0, -1
    t0 = now = start
    while now < deadline:
        send(message)
        data = recv(size)
        while len(data) < size:
            more = recv(size - len(data))
            if not more:
                raise BenchError("server closed the connection")
            data += more
        if data != expected:
            raise BenchError(f"echo mismatch: {data[:40]!r}")
        count += 1
        now = clock()
        if countAtStart < 0 and now >= measureFrom:
            onStart()
            countAtStart, t0 = count, clock()
    return count - countAtStart, now - t0


def echoMany(
    socks: list[socket.socket],
    message: bytes,
    expected: bytes,
    warmup: float,
    duration: float,
    onStart: Callable[[], None],
) -> tuple[int, float]:
    """
    Several connections, one ping-pong loop each, multiplexed with epoll.
    """
    size = len(expected)
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
            s.sendall(message)
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
                data = s.recv(size + 65536)
                if not data:
                    raise BenchError("server closed a connection")
                if fd in partial:
                    data = partial.pop(fd) + data
                if len(data) < size:
                    partial[fd] = data
                    continue
                if data != expected:
                    raise BenchError(f"echo mismatch: {data[:40]!r}")
                count += 1
                s.setblocking(True)
                s.sendall(message)
                s.setblocking(False)
            if countAtStart < 0 and now >= measureFrom:
                onStart()
                countAtStart, t0 = count, clock()
        return count - countAtStart, now - t0
    finally:
        poller.close()


def handshakes(
    port: int, warmup: float, duration: float, onStart: Callable[[], None]
) -> tuple[int, float]:
    """
    Connect, upgrade, close, over and over: C{(handshakes, seconds)}.
    """
    clock = time.perf_counter
    start = clock()
    measureFrom = start + warmup
    deadline = measureFrom + duration
    count, countAtStart = 0, -1
    t0 = now = start
    while now < deadline:
        s = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT)
        try:
            upgrade(s)
        finally:
            s.close()
        count += 1
        now = clock()
        if countAtStart < 0 and now >= measureFrom:
            onStart()
            countAtStart, t0 = count, clock()
    return count - countAtStart, now - t0


def load(options: argparse.Namespace) -> int:
    """
    Run one measurement (C{--kind}) against the server on C{--load}; print
    it as JSON: operations, seconds, and the CPU seconds the server used.
    """
    pinTo(options.cpu)
    meter = CpuMeter(options.server_pid)
    onStart = meter.start
    if options.kind == "handshake":
        count, elapsed = handshakes(options.load, options.warmup, options.duration, onStart)
    else:
        opcode, size = KINDS[options.kind]
        payload = (b"x" * 64 if opcode == 1 else bytes(i % 251 for i in range(size)))[:size]
        message, expected = clientFrame(opcode, payload), serverFrame(opcode, payload)
        n = options.connections[0]
        socks = connectAll(options.load, n)
        try:
            if n == 1:
                count, elapsed = echoOne(
                    socks[0], message, expected, options.warmup, options.duration, onStart
                )
            else:
                count, elapsed = echoMany(
                    socks, message, expected, options.warmup, options.duration, onStart
                )
        finally:
            for s in socks:
                s.close()
    print(json.dumps({"count": count, "seconds": elapsed, **meter.stop()}))
    return 0


# -- driver ------------------------------------------------------------------


class Server(ServerProcess):
    """
    A server subprocess: started, asked for its port and its memory,
    stopped.
    """

    late = "did not answer in time"

    def __init__(self, impl: str, cpu: int | None) -> None:
        super().__init__(__file__, impl, cpu)

    def rss(self) -> int:
        """
        The server's resident set size, after a garbage collection.
        """
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"rss\n")
        self.proc.stdin.flush()
        return int(self._readLine(b"RSS"))


def measure(
    server: Server, kind: str, connections: int, options: argparse.Namespace, cpu: int | None
) -> dict[str, float]:
    """
    Run one load generator; return C{rate} (operations per second) and
    C{server_us} (server CPU microseconds per operation).
    """
    extra = ["--kind", kind, "--connections", str(connections)]
    extra += ["--warmup", str(options.warmup), "--duration", str(options.duration)]
    timeout = options.warmup + options.duration + 60
    result, count = runLoad(__file__, server, extra, cpu, timeout, "count", stderrTail=2000)
    return {"rate": count / result["seconds"], "server_us": perOp(result["server_cpu_s"], count)}


def framingCost(kind: str, rounds: int, messages: int) -> dict[str, list[float]]:
    """
    Server CPU microseconds per echoed message with no sockets at all: each
    implementation's protocol is fed client frames directly and writes its
    answers to a transport that drops them.  This isolates what the two
    servers do per message (framing, signals, the echo call) from the
    kernel, so it stays meaningful on a busy machine.  ABBA rounds, CPU time
    of this process (C{time.process_time}).
    """
    from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
    from twisted.internet.task import Clock

    from qtwisted import QWebSocket
    from qtwisted._wshandshake import Request, parseRequest

    class Sink:
        def write(self, data: bytes) -> None:
            pass

        def loseConnection(self) -> None:
            pass

        def getPeer(self) -> None:
            return None

        def getHost(self) -> None:
            return None

        def setTcpNoDelay(self, enabled: bool) -> None:
            pass

        def unregisterProducer(self) -> None:
            pass

    def qtwistedProtocol() -> Any:
        request = parseRequest(REQUEST)
        assert isinstance(request, Request)
        ws = QWebSocket._upgraded(Clock(), Sink(), request, "", None, b"")
        ws._release()
        ws.textMessageReceived.connect(ws.sendTextMessage)
        ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
        return ws._proto

    def autobahnProtocol() -> Any:
        class Echo(WebSocketServerProtocol):
            def onMessage(self, payload: bytes, isBinary: bool) -> None:
                self.sendMessage(payload, isBinary)

        factory = WebSocketServerFactory(reactor=Clock())
        factory.protocol = Echo
        protocol = factory.buildProtocol(None)
        protocol.makeConnection(Sink())
        protocol.dataReceived(REQUEST)
        return protocol

    opcode, size = KINDS[kind]
    payload = (b"x" * 64 if opcode == 1 else bytes(i % 251 for i in range(size)))[:size]
    message = clientFrame(opcode, payload)
    makers = {"qtwisted": qtwistedProtocol, "autobahn": autobahnProtocol}
    costs: dict[str, list[float]] = {impl: [] for impl in IMPLEMENTATIONS}
    for r in range(rounds):
        order = IMPLEMENTATIONS if r % 2 == 0 else IMPLEMENTATIONS[::-1]
        for impl in order:
            feed = makers[impl]().dataReceived
            for _ in range(messages // 10):  # warm-up
                feed(message)
            t0 = time.process_time()
            for _ in range(messages):
                feed(message)
            costs[impl].append((time.process_time() - t0) / messages * 1e6)
    return costs


def measureFraming(kind: str, rounds: int, cpu: int | None) -> dict[str, list[float]]:
    """
    Run L{framingCost} in a child process on the servers' CPU.
    """
    args = [sys.executable, os.path.abspath(__file__), "--framing", kind, "--rounds", str(rounds)]
    if cpu is not None:
        args += ["--cpu", str(cpu)]
    try:
        done = subprocess.run(args, capture_output=True, timeout=600, env=childEnv())
    except subprocess.TimeoutExpired:
        raise BenchError("framing measurement timed out") from None
    if done.returncode != 0:
        raise BenchError(f"framing measurement failed: {done.stderr.decode(errors='replace')[-2000:]}")
    costs: dict[str, list[float]] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return costs


def idleMemory(impl: str, cpu: int | None, connections: int) -> dict[str, float]:
    """
    The growth of a fresh server's resident set while C{connections}
    upgraded connections sit idle, in bytes per connection.
    """
    server = Server(impl, cpu)
    try:
        warm = connectAll(server.port, 50)
        for s in warm:
            s.close()
        time.sleep(0.3)
        before = server.rss()
        socks = connectAll(server.port, connections)
        try:
            time.sleep(0.5)
            after = server.rss()
        finally:
            for s in socks:
                s.close()
    finally:
        server.stop()
    return {"per_connection": (after - before) / connections, "rss_after": after}


def runBenchmark(options: argparse.Namespace) -> dict[str, Any]:
    serverCpu = placement(options.placement, 2)[0]
    machine = MachineLoad()
    servers: dict[str, Server] = {}
    workloads = [(kind, n) for kind in KINDS for n in options.connections]
    workloads.append(("handshake", 1))
    samples: dict[str, dict[str, list[dict[str, float]]]] = {}
    try:
        for impl in IMPLEMENTATIONS:
            servers[impl] = Server(impl, serverCpu)
        for kind, n in workloads:
            key = f"{kind}/{n}" if kind != "handshake" else "handshake"
            samples[key] = {impl: [] for impl in IMPLEMENTATIONS}
            loadCpu = placement(options.placement, 2 if kind == "handshake" else n)[1]
            for r, impl in abba(options.rounds, IMPLEMENTATIONS):
                m = measure(servers[impl], kind, n, options, loadCpu)
                samples[key][impl].append(m)
                progress(
                    f"  {key:<14} round {r + 1}/{options.rounds}  {impl:<8}"
                    f"  {m['rate']:>9,.0f} /s  server {m['server_us']:7.1f} us/op"
                )
    finally:
        stopAll(servers)
    memory: dict[str, list[float]] = {impl: [] for impl in IMPLEMENTATIONS}
    for r, impl in abba(options.memory_rounds, IMPLEMENTATIONS):
        m = idleMemory(impl, serverCpu, options.idle)
        memory[impl].append(m["per_connection"])
        progress(
            f"  idle memory    round {r + 1}/{options.memory_rounds}  {impl:<8}"
            f"  {m['per_connection'] / 1024:7.2f} KiB/connection"
        )
    framing: dict[str, Any] = {}
    for kind in KINDS:
        costs = measureFraming(kind, options.rounds, serverCpu)
        mq, ma = statistics.median(costs["qtwisted"]), statistics.median(costs["autobahn"])
        framing[kind] = {
            "us_per_message": {"qtwisted": round(mq, 2), "autobahn": round(ma, 2)},
            "cpu_ratio": round(ma / mq, 4),
        }
        progress(f"  framing {kind:<10} qtwisted {mq:6.1f} us/msg  autobahn {ma:6.1f} us/msg")
    busy = machine.finish()
    results: dict[str, Any] = {}
    for key, byImpl in samples.items():
        result, rates = compare(byImpl, IMPLEMENTATIONS, "server_us_per_op", 2)
        results[key] = {**result, "samples": rounded(rates)}
    perConnection = {impl: statistics.median(memory[impl]) for impl in IMPLEMENTATIONS}
    memoryResult = {
        "bytes_per_1000": {impl: round(v * 1000) for impl, v in perConnection.items()},
        "ratio": round(perConnection["qtwisted"] / perConnection["autobahn"], 4),
        "samples_bytes_per_connection": {
            impl: [round(v) for v in memory[impl]] for impl in IMPLEMENTATIONS
        },
    }
    return {
        "bench": "ws_bench",
        "host": HOST,
        "warmup_s": options.warmup,
        "duration_s": options.duration,
        "rounds": options.rounds,
        "idle_connections": options.idle,
        "placement": options.placement,
        "target_ratio": TARGET_RATIO,
        "target_memory_ratio": TARGET_MEMORY,
        "results": results,
        "idle_memory": memoryResult,
        "framing_in_process": framing,
        "meets_target": all(r["ratio"] >= TARGET_RATIO for r in results.values())
        and memoryResult["ratio"] <= TARGET_MEMORY,
        "background_cpu_share": busy["background"],
        "steal_share": busy["steal"],
        "python": sys.version.split()[0],
        "twisted": twistedVersion(),
        "autobahn": autobahnVersion(),
    }


def autobahnVersion() -> str:
    import autobahn

    return str(autobahn.__version__)


def report(summary: dict[str, Any]) -> None:
    """
    Print the table, then the JSON line.
    """
    print(
        f"WebSocket over {summary['host']}; median of {summary['rounds']} x"
        f" {summary['duration_s']:g} s (each after {summary['warmup_s']:g} s warm-up);"
        f" Python {summary['python']}, Twisted {summary['twisted']},"
        f" Autobahn {summary['autobahn']}"
    )
    print(f"{'workload':<16}{'impl':<10}{'ops/s':>10}  {'spread':<15}  server CPU/op")
    printResults(
        summary["results"],
        IMPLEMENTATIONS,
        "server_us_per_op",
        label="{:<16}",
        implWidth="{:<10}",
        rateWidth=10,
    )
    m = summary["idle_memory"]
    per = m["bytes_per_1000"]
    verdict = "ok" if m["ratio"] <= TARGET_MEMORY else "ABOVE TARGET"
    print(
        f"idle memory per 1,000 connections: qtwisted {per['qtwisted'] / 1048576:.2f} MiB,"
        f" autobahn {per['autobahn'] / 1048576:.2f} MiB;"
        f" qtwisted/autobahn = {m['ratio']:.3f} {verdict} (target <= {TARGET_MEMORY})"
    )
    for kind, f in summary["framing_in_process"].items():
        us = f["us_per_message"]
        print(
            f"per-message server work without sockets, {kind}: qtwisted {us['qtwisted']:.1f} us,"
            f" autobahn {us['autobahn']:.1f} us; CPU-cost ratio {f['cpu_ratio']:.3f}"
        )
    printMachineLoad(summary, ratios="ratios")
    printJson(summary)


# -- command line ------------------------------------------------------------


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="WebSocket echo, handshakes and idle memory: qtwisted vs Autobahn."
    )
    addTiming(parser, "runs per implementation and load (5)")
    addConnections(parser, "comma-separated concurrent connection counts for the echo (1,50)")
    parser.add_argument("--idle", type=int, default=1000, help="idle connections for memory (1000)")
    parser.add_argument(
        "--memory-rounds", type=int, default=3, help="fresh servers per implementation (3)"
    )
    addQuick(parser)
    addPlacement(
        parser, "CPU pinning, as in tcp_echo.py (auto: same CPU for 1 connection, split for more)"
    )
    # Internal: the roles of the child processes.
    addRoles(parser, IMPLEMENTATIONS)
    parser.add_argument("--kind", choices=(*KINDS, "handshake"), help=argparse.SUPPRESS)
    parser.add_argument("--framing", choices=tuple(KINDS), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.quick:
        options.memory_rounds = 1
    checkTiming(parser, options)
    if any(n < 1 for n in options.connections) or options.idle < 1:
        parser.error("--connections and --idle must be positive")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    if options.serve:
        listen = {"qtwisted": listenQtwisted, "autobahn": listenAutobahn}[options.serve]
        return serve(listen, options.cpu, logLevel="error", onLine=onLine)
    if options.load is not None:
        return load(options)
    if options.framing is not None:
        pinTo(options.cpu)
        count = 2000 if options.framing == "text64" else 500
        print(json.dumps(framingCost(options.framing, options.rounds, count)))
        return 0
    return runDriver(lambda: report(runBenchmark(options)))


if __name__ == "__main__":
    sys.exit(main())

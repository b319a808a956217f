"""
The machinery the benchmarks in this directory share (private).

C{tcp_echo.py}, C{tls_bench.py} and C{ws_bench.py} each compare qtwisted
with another implementation by the same method (see C{bench/README.md}):
a driver starts one server subprocess per implementation, pinned to a CPU,
then runs one load generator subprocess per measurement, alternating the
implementations in ABBA order; each load generator reports the operations
it completed and the server's CPU time meanwhile (from
C{/proc/<pid>/schedstat}); the driver reports medians, spreads, ratios and
how busy the rest of the machine was, as a table and one JSON line.

This module holds the parts that do not depend on what is measured: process
spawning and cleanup, CPU pinning, the ABBA order, CPU-time accounting,
the background-load measurement, statistics, the table and JSON output, and
the common command-line options.  The scripts import it from their own
directory (they are run as C{python bench/<name>.py}).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Iterator, Sequence

HOST = "127.0.0.1"
TARGET_RATIO = 0.95
SERVER_CPU = 0
LOAD_CPU = 1
# Seconds of silence after which a load generator's socket gives up.
SOCKET_TIMEOUT = 5.0
# Seconds a server may take to start listening (or to answer a request).
STARTUP_TIMEOUT = 20.0
# Share of the CPUs used by other processes above which results are flagged.
BUSY_WARNING = 0.05

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class BenchError(Exception):
    """
    A server or load generator failed; the run's numbers are not valid.
    """


def progress(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# -- CPUs --------------------------------------------------------------------


def pinTo(cpu: int | None) -> None:
    """
    Run this process on C{cpu} only, if the machine has it.
    """
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return
    if cpu in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {cpu})


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


class CpuMeter:
    """
    The CPU time the server (and, if asked, this process) used during a
    measurement: call L{start} when the warm-up ends (it is the load
    loops' C{onStart}), then L{stop}.
    """

    def __init__(self, serverPid: int | None, client: bool = False) -> None:
        self.server = str(serverPid) if serverPid is not None else "-"
        self.client = client
        self.atStart: list[float] = []

    def _now(self) -> list[float]:
        now = [cpuSeconds(self.server)]
        if self.client:
            now.append(cpuSeconds("self"))
        return now

    def start(self) -> None:
        self.atStart[:] = self._now()

    def stop(self) -> dict[str, float | None]:
        """
        C{server_cpu_s} (and C{client_cpu_s}) since L{start}; C{None} if
        unknown.
        """
        if not self.atStart:
            raise BenchError("the measurement never started")
        names = ["server_cpu_s", "client_cpu_s"]
        result: dict[str, float | None] = {}
        for name, t1, t0 in zip(names, self._now(), self.atStart):
            used = t1 - t0
            result[name] = None if used != used else used
        return result


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


# -- servers -----------------------------------------------------------------


def serve(
    listen: Callable[[], int],
    cpu: int | None,
    *,
    logLevel: str = "warn",
    profile: str | None = None,
    onLine: Callable[[bytes], None] | None = None,
) -> int:
    """
    Run one server until standard input closes: set up logging, call
    C{listen} (which returns the port), print C{PORT <n>}, run the reactor
    (under cProfile, writing C{profile}, if given).  C{onLine} is called
    with each line read from standard input.
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
            data = os.read(0, 4096)
            if not data:
                reactor.removeReader(self)  # type: ignore[attr-defined]
                reactor.stop()  # type: ignore[attr-defined]
                return
            if onLine is not None:
                for line in data.split(b"\n"):
                    onLine(line)

        def connectionLost(self, reason: object) -> None:
            reactor.stop()  # type: ignore[attr-defined]

    # Warnings and errors (a slot that raises, say) must be seen, not
    # buffered; Twisted's informational chatter is not wanted.
    globalLogBeginner.beginLoggingTo(
        [
            FilteringLogObserver(
                textFileLogObserver(sys.stderr),
                [LogLevelFilterPredicate(defaultLogLevel=LogLevel.levelWithName(logLevel))],
            )
        ],
        redirectStandardIO=False,
    )
    port = listen()
    reactor.addReader(StdinWatcher())  # type: ignore[attr-defined]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    if profile is None:
        reactor.run()  # type: ignore[attr-defined]
        return 0
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        reactor.run()  # type: ignore[attr-defined]
    finally:
        profiler.disable()
        profiler.dump_stats(profile)
    return 0


def childEnv() -> dict[str, str]:
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = ROOT + (os.pathsep + path if path else "")
    return env


class ServerProcess:
    """
    A server subprocess running C{script --serve impl [--cpu N] *extra}:
    started, asked for its port, stopped.
    """

    # How a timeout in L{_readLine} is described.
    late = "did not start in time"

    def __init__(self, script: str, impl: str, cpu: int | None, extra: Sequence[str] = ()) -> None:
        self.impl = impl
        args = [sys.executable, os.path.abspath(script), "--serve", impl]
        if cpu is not None:
            args += ["--cpu", str(cpu)]
        args += list(extra)
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=childEnv()
        )
        try:
            self.port = int(self._readLine(b"PORT"))
        except BaseException:
            self.stop()
            raise

    def _readLine(self, tag: bytes) -> bytes:
        """
        The value of the next C{<tag> <value>} line the server prints.
        """
        assert self.proc.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"{self.impl} server {self.late}")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    raise BenchError(f"{self.impl} server exited: {self.proc.wait(5)}")
                words = line.split()
                if len(words) == 2 and words[0] == tag:
                    return words[1]

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


def stopAll(servers: dict[str, ServerProcess]) -> None:
    for server in servers.values():
        server.stop()


# -- load generators ---------------------------------------------------------


def runLoad(
    script: str,
    server: ServerProcess,
    extra: Sequence[str],
    cpu: int | None,
    timeout: float,
    countKey: str,
    stderrTail: int | None = None,
) -> tuple[dict[str, Any], int]:
    """
    Run C{script --load PORT --server-pid PID *extra [--cpu N]} against
    C{server} and return its JSON result and its count of operations
    (C{result[countKey]}), which must be positive, as must its seconds.
    """
    args = [
        sys.executable,
        os.path.abspath(script),
        "--load",
        str(server.port),
        "--server-pid",
        str(server.proc.pid),
        *extra,
    ]
    if cpu is not None:
        args += ["--cpu", str(cpu)]
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout, env=childEnv())
    except subprocess.TimeoutExpired:
        raise BenchError("load generator timed out") from None
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").strip()
        if stderrTail is not None:
            stderr = stderr[-stderrTail:]
        raise BenchError(f"load generator failed ({done.returncode}): {stderr}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    count, seconds = result[countKey], result["seconds"]
    if count <= 0 or seconds <= 0:
        raise BenchError("load generator measured nothing")
    return result, count


def perOp(cpu: float | None, count: int) -> float:
    """
    CPU microseconds per operation; C{nan} if the CPU time is unknown.
    """
    return float("nan") if cpu is None else cpu / count * 1e6


# -- the ABBA schedule and statistics ----------------------------------------


def abba(rounds: int, implementations: Sequence[str]) -> Iterator[tuple[int, str]]:
    """
    C{(round, implementation)} in the order a b, b a, a b, ...: a slow
    drift of the machine's speed cancels out instead of always favouring
    whoever goes first.
    """
    for r in range(rounds):
        order = implementations if r % 2 == 0 else implementations[::-1]
        for impl in order:
            yield r, impl


def finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v == v]


def median(values: Sequence[float]) -> float | None:
    values = finite(values)
    return statistics.median(values) if values else None


def spread(values: Sequence[float]) -> str:
    m = statistics.median(values)
    return f"{(min(values) - m) / m * 100:+5.1f}%..{(max(values) - m) / m * 100:+5.1f}%"


def compare(
    samples: dict[str, list[dict[str, float]]],
    implementations: Sequence[str],
    usKey: str,
    usDigits: int,
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """
    Summarize one workload's samples (C{rate} and C{server_us} per round,
    per implementation, qtwisted first): the median rates, their ratio,
    the median of the per-round ratios, the median server CPU per
    operation (under C{usKey}) and the CPU-cost ratio (the other's server
    CPU per operation over qtwisted's: the efficiency ratio, immune to time
    the server spends waiting or preempted).  Also return the rates.
    """
    a, b = implementations
    rates = {impl: [m["rate"] for m in samples[impl]] for impl in implementations}
    us = {impl: median([m["server_us"] for m in samples[impl]]) for impl in implementations}
    ma, mb = statistics.median(rates[a]), statistics.median(rates[b])
    paired = [x / y for x, y in zip(rates[a], rates[b])]
    result = {
        a: round(ma, 1),
        b: round(mb, 1),
        "ratio": round(ma / mb, 4),
        "paired_ratio_median": round(statistics.median(paired), 4),
        usKey: {k: None if v is None else round(v, usDigits) for k, v in us.items()},
        "cpu_ratio": None if us[a] is None or us[b] is None else round(us[b] / us[a], 4),
    }
    return result, rates


def rounded(rates: dict[str, list[float]]) -> dict[str, list[float]]:
    return {impl: [round(x, 1) for x in values] for impl, values in rates.items()}


def twistedVersion() -> str:
    import twisted

    return str(twisted.__version__)


# -- output ------------------------------------------------------------------


def printResults(
    results: dict[str, Any],
    implementations: Sequence[str],
    usKey: str,
    label: str,
    implWidth: str,
    rateWidth: int,
    suffix: Callable[[dict[str, Any]], str] = lambda r: "",
) -> None:
    """
    Print a table row per workload and implementation, then the verdict
    line of each workload.  C{label} formats the workload's name (with its
    separator), C{implWidth} the implementation's column.
    """
    a, b = implementations
    for name, r in results.items():
        for impl in implementations:
            us = r[usKey][impl]
            print(
                f"{label.format(name)}{implWidth.format(impl)}{r[impl]:>{rateWidth},.0f}"
                f"  {spread(r['samples'][impl]):<15}"
                f"  {'?' if us is None else f'{us:.1f} us'}"
            )
        verdict = "ok" if r["ratio"] >= TARGET_RATIO else "BELOW TARGET"
        cpu = "" if r["cpu_ratio"] is None else f", CPU-cost ratio {r['cpu_ratio']:.3f}"
        print(
            f"{label.format(name)}{a}/{b} = {r['ratio']:.3f} {verdict} (target >= {TARGET_RATIO};"
            f" paired median {r['paired_ratio_median']:.3f}{cpu}{suffix(r)})"
        )


def printMachineLoad(summary: dict[str, Any], ratios: str = "ratio") -> None:
    """
    Print how busy the rest of the machine was, with a warning if too busy.
    """
    background, steal = summary["background_cpu_share"], summary["steal_share"]
    if background is not None:
        warning = (
            "  WARNING: the machine was busy; rates are noisy, trust the"
            f" CPU-cost {ratios} more, or rerun"
            if background + (steal or 0) > BUSY_WARNING
            else ""
        )
        print(
            f"other processes used {background:.0%} of the CPUs during the run,"
            f" steal {steal or 0:.0%}{warning}"
        )


def printJson(summary: dict[str, Any]) -> None:
    print(json.dumps(summary, separators=(",", ":")))


# -- command line ------------------------------------------------------------


def addTiming(parser: argparse.ArgumentParser, roundsHelp: str) -> None:
    """
    C{--duration}, C{--warmup} and C{--rounds}.
    """
    parser.add_argument("--duration", type=float, default=3.0, help="seconds measured per run (3)")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds of warm-up per run (0.5)")
    parser.add_argument("--rounds", type=int, default=5, help=roundsHelp)


def addConnections(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument(
        "--connections",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 50],
        help=help,
    )


def addQuick(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 round of 0.5 s")


def addPlacement(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument(
        "--placement", choices=("auto", "same", "split", "none"), default="auto", help=help
    )


def addRoles(parser: argparse.ArgumentParser, implementations: Sequence[str]) -> None:
    """
    The internal options of the child processes' roles.
    """
    parser.add_argument("--serve", choices=implementations, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)


def checkTiming(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    """
    Apply C{--quick}, then check the timing options.
    """
    if options.quick:
        options.duration, options.warmup, options.rounds = 0.5, 0.2, 1
    if options.duration <= 0 or options.warmup < 0 or options.rounds < 1:
        parser.error("--duration must be > 0, --warmup >= 0, --rounds >= 1")


def runDriver(run: Callable[[], None]) -> int:
    """
    Run the driver's work: 0 if it ran, 1 (with a message) on L{BenchError}.
    """
    try:
        run()
    except BenchError as e:
        progress(f"benchmark failed: {e}")
        return 1
    return 0

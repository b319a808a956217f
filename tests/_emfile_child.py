"""
Run by L{tests.test_tcpserver_emfile} in a child process (never imported by
the test run): exhaust this process's descriptor table with
C{RLIMIT_NOFILE}, let clients connect to a listening L{QTcpServer}, free
the descriptors, and print what happened as one JSON object on stdout.

Usage: C{python _emfile_child.py CLIENTS EPISODE_SECONDS}
"""

from __future__ import annotations

import errno
import json
import os
import resource
import socket
import sys
import time
from typing import Any


def main(clients: int, episode: float) -> None:
    from twisted.internet import reactor

    from qtwisted import QHostAddress, QTcpServer
    from qtwisted import _listener

    # Count every accept loop run: a busy loop would make thousands.
    doReads = [0]
    original = _listener.Listener.doRead

    def countingDoRead(self: Any) -> None:
        doReads[0] += 1
        original(self)

    _listener.Listener.doRead = countingDoRead  # type: ignore[method-assign]

    result: dict[str, Any] = {}
    server = QTcpServer()
    if not server.listen(QHostAddress.SpecialAddress.LocalHost):
        print(json.dumps({"fatal": f"listen failed: {server.errorString()}"}))
        return
    port = server.serverPort()
    errors: list[list[Any]] = []
    accepted: list[float] = []
    server.acceptError.connect(
        lambda error: errors.append(
            [int(error), server.errorString(), server.isListening(), time.monotonic()]
        )
    )
    server.newConnection.connect(lambda: accepted.append(time.monotonic()))
    # Client sockets are created now, while descriptors are still free.
    peers = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(clients)]
    fillers: list[int] = []
    marks: dict[str, float] = {}

    def finish(reason: str) -> None:
        for fd in fillers:
            os.close(fd)
        fillers.clear()
        result.update(
            reason=reason,
            errors=errors,
            accepted=len(accepted),
            listeningAtEnd=server.isListening(),
            serverError=int(server.serverError()),
            errorString=server.errorString(),
            doReadsTotal=doReads[0],
        )
        if "freed" in marks and accepted:
            result["recoverySeconds"] = accepted[-1] - marks["freed"]
        print(json.dumps(result), flush=True)
        reactor.stop()  # type: ignore[attr-defined]

    def exhaust() -> None:
        highest = max(int(fd) for fd in os.listdir("/proc/self/fd"))
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 8, hard))
        while True:
            try:
                fillers.append(os.open(os.devnull, os.O_RDONLY))
            except OSError as e:
                if e.errno != errno.EMFILE:
                    raise
                break
        result["fillers"] = len(fillers)
        # The kernel completes these handshakes without accept(): the
        # connections wait in the listen backlog.
        for peer in peers:
            peer.settimeout(5)
            peer.connect(("127.0.0.1", port))
        marks["start"] = time.monotonic()
        marks["cpu"] = time.process_time()
        marks["doReads"] = doReads[0]
        reactor.callLater(episode, free)  # type: ignore[attr-defined]

    def free() -> None:
        result["episode"] = {
            "doReads": doReads[0] - marks["doReads"],
            "cpuSeconds": time.process_time() - marks["cpu"],
            "wallSeconds": time.monotonic() - marks["start"],
            "acceptErrors": len(errors),
            "accepted": len(accepted),
            "listening": server.isListening(),
        }
        for fd in fillers:
            os.close(fd)
        fillers.clear()
        marks["freed"] = time.monotonic()
        poll()

    def poll() -> None:
        if len(accepted) >= clients:
            finish("recovered")
        elif time.monotonic() - marks["freed"] > 5:
            finish("not recovered within 5 s")
        else:
            reactor.callLater(0.01, poll)  # type: ignore[attr-defined]

    # Start exhausting only once the reactor runs: its start-up may need a
    # descriptor (the SIGCHLD waker).
    reactor.callWhenRunning(exhaust)  # type: ignore[attr-defined]
    reactor.callLater(20, finish, "overall timeout")  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]
    for peer in peers:
        peer.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))

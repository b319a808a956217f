# -*- test-case-name: tests.test_tcpserver -*-
"""
A listening socket with Qt's accept loop.

Why not Twisted's L{twisted.internet.tcp.Port}?  Qt's semantics need control
that C{Port} does not give:

  - Qt checks the pending-connection limit I{before each} C{accept()}
    (B14); C{Port.doRead} accepts a whole batch (up to C{numberAccepts})
    with no hook in between, so a burst would overshoot the limit.
  - Qt reports a failed C{accept()} (out of descriptors) through
    C{acceptError} (B30); C{Port} swallows C{EMFILE} by accepting and
    immediately closing the client with a reserved descriptor, which drops
    a connection the kernel had already completed.
  - Qt's C{incomingConnection(socketDescriptor)} hook receives the raw
    descriptor; C{Port} builds its transport before anyone can intervene.

So this module keeps a listening socket in the reactor as a plain
L{IReadDescriptor} and runs the accept loop itself.  The accepted
C{socket.socket} objects wait in L{_accepted}, keyed by descriptor, for the
moment L{QAbstractSocket.setSocketDescriptor} adopts them; this spares a
C{getpeername()} and a second socket object per connection.  Transports,
reading and writing remain Twisted's (L{qtwisted._transport}).
"""

from __future__ import annotations

import socket
from typing import Any, Callable

from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.internet.interfaces import IReadDescriptor
from twisted.logger import Logger
from twisted.python.failure import Failure
from zope.interface import implementer

from ._errors import isTemporaryAcceptError

__all__ = ["Listener", "takeAccepted"]

_log = Logger(namespace="qtwisted.server")

# Sockets accepted but not yet adopted by a QAbstractSocket, by descriptor.
_accepted: dict[int, tuple[socket.socket, tuple[Any, ...]]] = {}

# Bound the work of one doRead() so that a flood of connections cannot starve
# the other descriptors of the reactor; Twisted's Port does the same.
_MAX_ACCEPTS_PER_READ = 128


def takeAccepted(fd: int) -> tuple[socket.socket, tuple[Any, ...]] | None:
    """
    Claim the socket object of a descriptor that the accept loop handed to
    C{incomingConnection}, if it is still unclaimed.
    """
    return _accepted.pop(fd, None)


@implementer(IReadDescriptor)
class Listener:
    """
    A listening socket registered with the reactor for reading.

    @ivar accepted: called with each accepted C{(socket, address)}.
    @ivar failed: called with the C{OSError} of a non-temporary failure.
    @ivar mayAccept: asked before each C{accept()}; C{False} stops the loop
        and reading (the owner resumes it with L{startReading}).
    @ivar lost: called once if the reactor drops the socket (reactor
        shutdown, a broken descriptor); the socket is closed by then.
    """

    def __init__(
        self,
        skt: socket.socket,
        reactor: Any,
        accepted: Callable[[socket.socket, tuple[Any, ...]], None],
        failed: Callable[[OSError], None],
        mayAccept: Callable[[], bool],
        lost: Callable[[], None] | None = None,
    ) -> None:
        skt.setblocking(False)
        self.socket: socket.socket | None = skt
        self._fd = skt.fileno()
        self._reactor = reactor
        self._reading = False
        self.accepted = accepted
        self.failed = failed
        self.mayAccept = mayAccept
        self.lost = lost

    def fileno(self) -> int:
        """
        The listening descriptor, or -1 once closed.
        """
        return self._fd

    def logPrefix(self) -> str:
        """
        The prefix of log lines about this descriptor.
        """
        return "QTcpServer"

    def isReading(self) -> bool:
        """
        Whether the reactor is watching for new connections.
        """
        return self._reading

    def startReading(self) -> None:
        """
        Watch for new connections.
        """
        if not self._reading and self.socket is not None:
            self._reading = True
            self._reactor.addReader(self)

    def stopReading(self) -> None:
        """
        Stop watching; the kernel still completes handshakes up to the backlog.
        """
        if self._reading:
            self._reading = False
            self._reactor.removeReader(self)

    def doRead(self) -> None:
        """
        Accept connections while the owner allows it (Qt's accept loop).
        """
        skt = self.socket
        for _ in range(_MAX_ACCEPTS_PER_READ):
            if skt is None or self.socket is not skt:
                return  # closed by a slot
            if not self.mayAccept():
                self.stopReading()
                return
            try:
                conn, addr = skt.accept()
            except BlockingIOError:
                return
            except OSError as e:
                if isTemporaryAcceptError(e):
                    continue
                self.failed(e)
                return
            self.accepted(conn, addr)

    def connectionLost(self, reason: Failure) -> None:
        """
        The reactor dropped us: close, and tell the owner.

        A reactor that stops calls this for every descriptor it still
        watches, with C{ConnectionLost}; that is an ordinary end and is not
        logged.  Anything else (the descriptor broke) is.
        """
        if self.socket is None:
            return
        if not reason.check(ConnectionLost, ConnectionDone):
            _log.failure("Listening socket lost", reason)
        self._reading = False  # the reactor no longer watches us
        self.close()
        if self.lost is not None:
            self.lost()

    def close(self) -> None:
        """
        Stop watching and close the listening socket.
        """
        self.stopReading()
        skt, self.socket = self.socket, None
        self._fd = -1
        if skt is not None:
            skt.close()

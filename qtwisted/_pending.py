# -*- test-case-name: tests.test_pending -*-
"""
The pending-connection queue and the rules for when a server may accept.

Pure state, no I/O: L{QTcpServer} (and the SSL and WebSocket servers built
on it) ask L{PendingConnections.mayAccept} before each C{accept()}, as Qt's
accept loop does, and tell it what happened.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, Iterator, TypeVar

__all__ = ["PendingConnections", "DEFAULT_MAX_PENDING"]

T = TypeVar("T")

DEFAULT_MAX_PENDING = 30
"""Qt's default C{maxPendingConnections()} (B1)."""


class PendingConnections(Generic[T]):
    """
    Sockets waiting for C{nextPendingConnection()}, plus the pause rules.

    Accepting is allowed when the server is not paused by the user
    (C{pauseAccepting}), not backing off after an accept failure (B30), and
    the queue (with the connections still in a handshake, for the SSL and
    WebSocket servers) holds fewer than C{maxPending} sockets (B14, B16).

    @ivar maxPending: the limit, stored verbatim (B15).
    @ivar userPaused: set by C{pauseAccepting()}.
    @ivar backingOff: set while waiting to retry after an accept failure.
    @ivar inProgress: connections accepted but not queued yet (handshakes).
    """

    def __init__(self) -> None:
        self._queue: deque[T] = deque()
        self.maxPending = DEFAULT_MAX_PENDING
        self.userPaused = False
        self.backingOff = False
        self.inProgress = 0

    def __len__(self) -> int:
        return len(self._queue)

    def __bool__(self) -> bool:
        return bool(self._queue)

    def __iter__(self) -> Iterator[T]:
        return iter(self._queue)

    def total(self) -> int:
        """
        Queued sockets plus those still in a handshake (Qt's
        C{totalPendingConnections()}).
        """
        return len(self._queue) + self.inProgress

    def isFull(self) -> bool:
        """
        Whether the limit is reached, so accepting must stop.
        """
        return self.total() >= self.maxPending

    def mayAccept(self) -> bool:
        """
        Whether the accept loop may call C{accept()} now.
        """
        return not (self.userPaused or self.backingOff) and not self.isFull()

    def append(self, item: T) -> None:
        """
        Queue a connection (C{addPendingConnection}).
        """
        self._queue.append(item)

    def popleft(self) -> T | None:
        """
        Take the oldest connection, or L{None}.
        """
        return self._queue.popleft() if self._queue else None

    def remove(self, item: T) -> bool:
        """
        Drop a queued connection (it died while waiting); C{True} if found.
        """
        try:
            self._queue.remove(item)
        except ValueError:
            return False
        return True

    def drain(self) -> list[T]:
        """
        Empty the queue and return what it held (C{close()}).
        """
        items = list(self._queue)
        self._queue.clear()
        return items

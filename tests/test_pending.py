"""
Tests for L{qtwisted._pending}: the pending-connection queue and the rules
that decide when a server may call C{accept()}.  Pure state, no sockets.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from qtwisted._pending import DEFAULT_MAX_PENDING, PendingConnections


class PendingConnectionsTests(SynchronousTestCase):
    """
    L{PendingConnections} keeps Qt's queue and its accept rules.
    """

    def test_defaults(self) -> None:
        """
        B1: a new queue is empty, its limit is Qt's default 30, and accepting
        is allowed.
        """
        pending: PendingConnections[str] = PendingConnections()
        self.assertEqual(DEFAULT_MAX_PENDING, 30)
        self.assertEqual(pending.maxPending, 30)
        self.assertEqual((len(pending), bool(pending), pending.total()), (0, False, 0))
        self.assertIsNone(pending.popleft())
        self.assertTrue(pending.mayAccept())

    def test_fifoOrder(self) -> None:
        """
        B13: connections come out in the order they were queued, then None.
        """
        pending: PendingConnections[str] = PendingConnections()
        for item in ("a", "b", "c"):
            pending.append(item)
        self.assertEqual(list(pending), ["a", "b", "c"])
        self.assertEqual(
            [pending.popleft(), pending.popleft(), pending.popleft(), pending.popleft()],
            ["a", "b", "c", None],
        )

    def test_limitStopsAccepting(self) -> None:
        """
        B14: with a limit of 2, accepting stops at 2 queued connections and
        resumes when one is taken.
        """
        pending: PendingConnections[str] = PendingConnections()
        pending.maxPending = 2
        pending.append("a")
        self.assertTrue(pending.mayAccept())
        pending.append("b")
        self.assertTrue(pending.isFull())
        self.assertFalse(pending.mayAccept())
        pending.popleft()
        self.assertTrue(pending.mayAccept())

    def test_limitStoredVerbatim(self) -> None:
        """
        B15 (getSetCheck): 0, INT_MIN and INT_MAX are stored unchanged.
        """
        pending: PendingConnections[str] = PendingConnections()
        for value in (0, -(2**31), 2**31 - 1, -5):
            pending.maxPending = value
            self.assertEqual(pending.maxPending, value)

    def test_zeroOrNegativeLimitNeverAccepts(self) -> None:
        """
        B16: with a limit of 0 or less, accepting is never allowed, even with
        an empty queue.
        """
        pending: PendingConnections[str] = PendingConnections()
        for value in (0, -1, -(2**31)):
            pending.maxPending = value
            self.assertFalse(pending.mayAccept(), value)

    def test_userPause(self) -> None:
        """
        B17: a user pause forbids accepting whatever the queue holds.
        """
        pending: PendingConnections[str] = PendingConnections()
        pending.userPaused = True
        self.assertFalse(pending.mayAccept())
        pending.userPaused = False
        self.assertTrue(pending.mayAccept())

    def test_backingOff(self) -> None:
        """
        B30: while backing off after an accept failure, accepting is not
        allowed.
        """
        pending: PendingConnections[str] = PendingConnections()
        pending.backingOff = True
        self.assertFalse(pending.mayAccept())
        pending.backingOff = False
        self.assertTrue(pending.mayAccept())

    def test_inProgressCounts(self) -> None:
        """
        Connections still in a handshake count towards the limit (Qt's
        totalPendingConnections()).
        """
        pending: PendingConnections[str] = PendingConnections()
        pending.maxPending = 2
        pending.append("a")
        pending.inProgress = 1
        self.assertEqual((len(pending), pending.total()), (1, 2))
        self.assertFalse(pending.mayAccept())
        pending.inProgress = 0
        self.assertTrue(pending.mayAccept())

    def test_remove(self) -> None:
        """
        remove() drops one queued connection and says whether it was there.
        """
        pending: PendingConnections[str] = PendingConnections()
        pending.append("a")
        pending.append("b")
        self.assertTrue(pending.remove("a"))
        self.assertFalse(pending.remove("a"))
        self.assertEqual(list(pending), ["b"])

    def test_drain(self) -> None:
        """
        B20: drain() empties the queue and returns what it held, in order.
        """
        pending: PendingConnections[str] = PendingConnections()
        pending.append("a")
        pending.append("b")
        self.assertEqual(pending.drain(), ["a", "b"])
        self.assertEqual((len(pending), pending.drain()), (0, []))

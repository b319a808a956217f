"""
Tests for L{qtwisted._waiting}: the Deferreds behind Qt's blocking
C{waitFor...()} calls.  Pure state on a L{Clock}, no sockets; the socket's
own waits are tested in C{tests.test_tcpsocket.WaitForTests}.
"""

from __future__ import annotations

from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from qtwisted import Signal
from qtwisted._waiting import Waiters, checkMsecs


class Device:
    """
    An owner of waits, with signals as a socket declares them.
    """

    ready: Signal[()] = Signal()
    value: Signal[int] = Signal()
    failed: Signal[()] = Signal()

    def __init__(self) -> None:
        self.clock = Clock()
        self.waiters = Waiters(self.clock)
        self.timeouts = 0

    def onTimeout(self) -> None:
        self.timeouts += 1


class WaitersTests(SynchronousTestCase):
    """
    L{Waiters.waitFor} fires with Qt's boolean result, once, and cleans up.
    """

    def setUp(self) -> None:
        self.device = Device()

    def test_success(self) -> None:
        """
        The next emission of the awaited signal fires C{True}, whatever its
        arguments; the timer is cancelled and the slot disconnected.
        """
        device = self.device
        d = device.waiters.waitFor(1000, device.value, device.onTimeout)
        self.assertNoResult(d)
        device.value.emit(7)
        self.assertIs(self.successResultOf(d), True)
        self.assertEqual(device.clock.getDelayedCalls(), [])
        self.assertFalse(device.value.disconnect())

    def test_timeout(self) -> None:
        """
        After C{msecs}, C{onTimeout} runs and then the Deferred fires
        C{False}; a later emission changes nothing.
        """
        device = self.device
        d = device.waiters.waitFor(250, device.ready, device.onTimeout)
        timeoutsWhenFired: list[int] = []

        def fired(value: bool) -> bool:
            timeoutsWhenFired.append(device.timeouts)
            return value

        d.addCallback(fired)
        device.clock.advance(0.249)
        self.assertNoResult(d)
        device.clock.advance(0.001)
        self.assertEqual(timeoutsWhenFired, [1])
        self.assertIs(self.successResultOf(d), False)
        device.ready.emit()
        self.assertFalse(device.ready.disconnect())

    def test_noTimeout(self) -> None:
        """
        A negative C{msecs} waits without a timer.
        """
        device = self.device
        d = device.waiters.waitFor(-1, device.ready, device.onTimeout)
        self.assertEqual(device.clock.getDelayedCalls(), [])
        device.ready.emit()
        self.assertIs(self.successResultOf(d), True)

    def test_end(self) -> None:
        """
        L{Waiters.end} fires every wait in progress with C{False}, without
        running C{onTimeout}; a second end does nothing.
        """
        device = self.device
        first = device.waiters.waitFor(1000, device.ready, device.onTimeout)
        second = device.waiters.waitFor(-1, device.value, device.onTimeout)
        device.waiters.end()
        self.assertIs(self.successResultOf(first), False)
        self.assertIs(self.successResultOf(second), False)
        self.assertEqual(device.timeouts, 0)
        self.assertEqual(device.clock.getDelayedCalls(), [])
        device.waiters.end()

    def test_atEnd(self) -> None:
        """
        With C{atEnd}, the awaited signal only marks success: the Deferred
        fires C{True} at the end (C{waitForDisconnected}).
        """
        device = self.device
        d = device.waiters.waitFor(1000, device.ready, device.onTimeout, atEnd=True)
        device.ready.emit()
        self.assertNoResult(d)
        device.waiters.end()
        self.assertIs(self.successResultOf(d), True)

    def test_failure(self) -> None:
        """
        An emission of a failure signal fires C{False} at once and
        disconnects every slot of the wait.
        """
        device = self.device
        d = device.waiters.waitFor(
            1000, device.ready, device.onTimeout, failures=[device.failed, device.value]
        )
        device.failed.emit()
        self.assertIs(self.successResultOf(d), False)
        self.assertEqual(device.timeouts, 0)
        self.assertEqual(device.clock.getDelayedCalls(), [])
        for signal in (device.ready, device.failed, device.value):
            self.assertFalse(signal.disconnect())

    def test_cancel(self) -> None:
        """
        Cancelling the Deferred abandons the wait: no timer, no slot, and a
        later end leaves it alone.
        """
        device = self.device
        d = device.waiters.waitFor(1000, device.ready, device.onTimeout)
        d.cancel()
        self.failureResultOf(d, CancelledError)
        self.assertEqual(device.clock.getDelayedCalls(), [])
        self.assertFalse(device.ready.disconnect())
        device.waiters.end()

    def test_waitStartedAtEnd(self) -> None:
        """
        A wait that a callback starts while the waits are ending is left for
        the next end.
        """
        device = self.device
        later: list[Deferred[bool]] = []
        first = device.waiters.waitFor(-1, device.ready, device.onTimeout)
        first.addCallback(
            lambda _: later.append(
                device.waiters.waitFor(-1, device.ready, device.onTimeout)
            )
        )
        device.waiters.end()
        self.assertNoResult(later[0])
        device.waiters.end()
        self.assertIs(self.successResultOf(later[0]), False)


class CheckMsecsTests(SynchronousTestCase):
    """
    L{checkMsecs} takes Qt's C{int} milliseconds only.
    """

    def test_int(self) -> None:
        """
        An int, negative included, is returned as it is.
        """
        self.assertEqual([checkMsecs(0), checkMsecs(-1), checkMsecs(30000)], [0, -1, 30000])

    def test_notInt(self) -> None:
        """
        A bool, a float or a str raises TypeError naming the value.
        """
        for bad in (True, 1.5, "10"):
            with self.assertRaises(TypeError) as caught:
                checkMsecs(bad)
            self.assertIn(repr(bad), str(caught.exception))

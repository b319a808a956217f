"""
Tests for L{qtwisted._signal}: L{Signal} declarations and L{BoundSignal}s.
"""

from __future__ import annotations

import gc
from typing import Any

from twisted.internet.defer import CancelledError, Deferred, TimeoutError
from twisted.internet.task import Clock
from twisted.logger import LogLevel, capturedLogs
from twisted.trial.unittest import SynchronousTestCase

from qtwisted import BoundSignal, Signal


class Emitter:
    """
    A class with signals of several shapes, as a server class declares them.
    """

    done: Signal[()] = Signal()
    value: Signal[int] = Signal()
    pair: Signal[int, str] = Signal()

    def __init__(self, reactor: Any = None) -> None:
        self._reactor = reactor


class FiveSignals:
    """
    Five declared signals, none read.
    """

    a: Signal[()] = Signal()
    b: Signal[int] = Signal()
    c: Signal[str] = Signal()
    d: Signal[int, int] = Signal()
    e: Signal[()] = Signal()


class DeclarationTests(SynchronousTestCase):
    """
    A L{Signal} is declared on the class and bound per instance, lazily.
    """

    def test_classAccessGivesDeclaration(self) -> None:
        """
        Reading a signal from the class gives the L{Signal} declaration.
        """
        self.assertIsInstance(Emitter.__dict__["value"], Signal)
        self.assertIs(Emitter.value, Emitter.__dict__["value"])
        self.assertEqual(repr(Emitter.value), "<Signal Emitter.value>")

    def test_instanceAccessGivesBoundSignal(self) -> None:
        """
        Reading a signal from an instance gives a L{BoundSignal}.
        """
        self.assertIsInstance(Emitter().value, BoundSignal)

    def test_notAllocatedBeforeFirstRead(self) -> None:
        """
        An instance whose signals were never read holds no L{BoundSignal}.
        """
        e = Emitter()
        self.assertNotIn("value", e.__dict__)
        self.assertNotIn("done", e.__dict__)

    def test_plainAttributeAfterFirstRead(self) -> None:
        """
        After the first read the bound signal is a plain instance attribute,
        and every read returns that same object.
        """
        e = Emitter()
        first = e.value
        self.assertIs(e.__dict__["value"], first)
        self.assertIs(e.value, first)
        self.assertNotIn("pair", e.__dict__)

    def test_perInstance(self) -> None:
        """
        Two instances have separate slots.
        """
        a, b = Emitter(), Emitter()
        calls: list[int] = []
        a.value.connect(calls.append)
        b.value.emit(1)
        self.assertEqual(calls, [])
        a.value.emit(2)
        self.assertEqual(calls, [2])

    def test_reprNamesSignalAndSlots(self) -> None:
        """
        A bound signal's repr names the class, the signal and the slot count.
        """
        e = Emitter()
        e.value.connect(print)
        self.assertEqual(repr(e.value), "<BoundSignal Emitter.value with 1 slot(s)>")

    def test_tenThousandObjectsAllocateNoBoundSignal(self) -> None:
        """
        10,000 objects with five declared signals each, never read, allocate
        no L{BoundSignal} at all.
        """
        gc.collect()
        before = sum(1 for o in gc.get_objects() if type(o) is BoundSignal)
        objects = [FiveSignals() for _ in range(10_000)]
        names = {"a", "b", "c", "d", "e"}
        self.assertEqual([o for o in objects if names & set(vars(o))], [])
        after = sum(1 for o in gc.get_objects() if type(o) is BoundSignal)
        self.assertEqual(after, before)


class ConnectTests(SynchronousTestCase):
    """
    C{connect}, C{disconnect} and emission order, as in Qt.
    """

    def test_emitCallsSlotWithArguments(self) -> None:
        """
        C{emit(*args)} calls each slot with those arguments.
        """
        e = Emitter()
        calls: list[tuple[int, str]] = []
        e.pair.connect(lambda n, s: calls.append((n, s)))
        e.pair.emit(1, "a")
        self.assertEqual(calls, [(1, "a")])

    def test_emitWithoutSlots(self) -> None:
        """
        Emitting a signal without slots does nothing.
        """
        Emitter().done.emit()

    def test_connectionOrder(self) -> None:
        """
        Slots run in the order they were connected.
        """
        e = Emitter()
        order: list[str] = []
        for name in "abcde":
            e.done.connect(lambda name=name: order.append(name))
        e.done.emit()
        self.assertEqual(order, list("abcde"))

    def test_connectedTwiceRunsTwice(self) -> None:
        """
        A slot connected twice is called twice per emission, as in Qt.
        """
        e = Emitter()
        calls: list[int] = []
        e.value.connect(calls.append)
        e.value.connect(calls.append)
        e.value.emit(7)
        self.assertEqual(calls, [7, 7])
        self.assertEqual(e.value.receivers(), 2)

    def test_connectReturnsNone(self) -> None:
        """
        C{connect} returns nothing.
        """
        self.assertIsNone(Emitter().done.connect(lambda: None))  # type: ignore[func-returns-value]

    def test_connectNonCallable(self) -> None:
        """
        Connecting something that is not callable raises C{TypeError}
        naming the value and the signal.
        """
        e = Emitter()
        exc = self.assertRaises(TypeError, e.value.connect, 42)
        self.assertIn("42", str(exc))
        self.assertIn("Emitter.value", str(exc))
        exc = self.assertRaises(TypeError, e.value.connect, "not a slot")
        self.assertIn("'not a slot'", str(exc))
        self.assertFalse(e.value.isConnected())

    def test_disconnectSlot(self) -> None:
        """
        C{disconnect(slot)} returns C{True} and the slot is no longer called.
        """
        e = Emitter()
        calls: list[int] = []
        e.value.connect(calls.append)
        self.assertIs(e.value.disconnect(calls.append), True)
        e.value.emit(1)
        self.assertEqual(calls, [])
        self.assertFalse(e.value.isConnected())

    def test_disconnectUnknownSlot(self) -> None:
        """
        C{disconnect(slot)} for a slot that is not connected returns
        C{False}, as Qt's C{QObject::disconnect} does.
        """
        e = Emitter()
        e.value.connect(print)
        self.assertIs(e.value.disconnect(repr), False)
        self.assertEqual(e.value.receivers(), 1)

    def test_disconnectOneOfTwoConnections(self) -> None:
        """
        A slot connected twice loses one connection per C{disconnect(slot)}.
        """
        e = Emitter()
        calls: list[int] = []
        e.value.connect(calls.append)
        e.value.connect(calls.append)
        self.assertTrue(e.value.disconnect(calls.append))
        e.value.emit(1)
        self.assertEqual(calls, [1])
        self.assertTrue(e.value.disconnect(calls.append))
        self.assertFalse(e.value.disconnect(calls.append))

    def test_disconnectKeepsOrderOfOthers(self) -> None:
        """
        Disconnecting one slot leaves the others in connection order.
        """
        e = Emitter()
        order: list[str] = []

        def a() -> None:
            order.append("a")

        def b() -> None:
            order.append("b")

        def c() -> None:
            order.append("c")

        for slot in (a, b, c):
            e.done.connect(slot)
        e.done.disconnect(b)
        e.done.emit()
        self.assertEqual(order, ["a", "c"])

    def test_disconnectBoundMethodByEquality(self) -> None:
        """
        A bound method is disconnected by a new reference to the same
        method of the same object (bound methods compare equal).
        """
        e = Emitter()
        record: list[int] = []
        e.value.connect(record.append)
        self.assertTrue(e.value.disconnect(record.append))

    def test_disconnectAll(self) -> None:
        """
        C{disconnect()} removes every slot and returns C{True}; with no
        slot connected it returns C{False}.
        """
        e = Emitter()
        calls: list[int] = []
        e.value.connect(calls.append)
        e.value.connect(lambda v: calls.append(-v))
        self.assertIs(e.value.disconnect(), True)
        e.value.emit(1)
        self.assertEqual(calls, [])
        self.assertIs(e.value.disconnect(), False)
        self.assertEqual(e.value.receivers(), 0)

    def test_isConnectedAndReceivers(self) -> None:
        """
        C{isConnected()} and C{receivers()} follow connections.
        """
        e = Emitter()
        self.assertFalse(e.done.isConnected())
        self.assertEqual(e.done.receivers(), 0)
        e.done.connect(lambda: None)
        self.assertTrue(e.done.isConnected())
        self.assertEqual(e.done.receivers(), 1)


class EmissionChangesTests(SynchronousTestCase):
    """
    Connecting and disconnecting from a slot, during an emission, behave as
    in Qt's C{QMetaObject::activate}.
    """

    def test_connectDuringEmitTakesEffectNextEmission(self) -> None:
        """
        A slot connected by a slot during an emission is first called by
        the next emission.
        """
        e = Emitter()
        calls: list[str] = []

        def late() -> None:
            calls.append("late")

        def first() -> None:
            calls.append("first")
            e.done.connect(late)

        e.done.connect(first)
        e.done.emit()
        self.assertEqual(calls, ["first"])
        e.done.emit()
        self.assertEqual(calls, ["first", "first", "late"])

    def test_connectDuringEmitWithSeveralSlots(self) -> None:
        """
        The same holds when several slots are connected.
        """
        e = Emitter()
        calls: list[str] = []
        e.done.connect(lambda: calls.append("a"))
        e.done.connect(lambda: e.done.connect(lambda: calls.append("new")))
        e.done.connect(lambda: calls.append("b"))
        e.done.emit()
        self.assertEqual(calls, ["a", "b"])

    def test_disconnectSelfDuringEmit(self) -> None:
        """
        A slot that disconnects itself finishes, the later slots of that
        emission still run, and it is not called by the next emission.
        """
        e = Emitter()
        calls: list[str] = []

        def once() -> None:
            calls.append("once")
            e.done.disconnect(once)

        e.done.connect(once)
        e.done.connect(lambda: calls.append("other"))
        e.done.emit()
        self.assertEqual(calls, ["once", "other"])
        e.done.emit()
        self.assertEqual(calls, ["once", "other", "other"])

    def test_disconnectLaterSlotDuringEmit(self) -> None:
        """
        A slot disconnected by an earlier slot of the same emission is not
        called by it, as in Qt (the emission skips a connection whose
        receiver was cleared).
        """
        e = Emitter()
        calls: list[str] = []

        def victim() -> None:
            calls.append("victim")

        def killer() -> None:
            calls.append("killer")
            e.done.disconnect(victim)

        e.done.connect(killer)
        e.done.connect(victim)
        e.done.connect(lambda: calls.append("last"))
        e.done.emit()
        self.assertEqual(calls, ["killer", "last"])

    def test_disconnectAllDuringEmit(self) -> None:
        """
        C{disconnect()} from a slot stops the rest of that emission and
        every later one.
        """
        e = Emitter()
        calls: list[str] = []
        e.done.connect(lambda: calls.append("a"))
        e.done.connect(lambda: e.done.disconnect())
        e.done.connect(lambda: calls.append("c"))
        e.done.emit()
        e.done.emit()
        self.assertEqual(calls, ["a"])

    def test_disconnectEarlierSlotDuringEmit(self) -> None:
        """
        Disconnecting a slot that has already run in this emission only
        affects the next emission.
        """
        e = Emitter()
        calls: list[str] = []

        def early() -> None:
            calls.append("early")

        e.done.connect(early)
        e.done.connect(lambda: e.done.disconnect(early))
        e.done.connect(lambda: calls.append("late"))
        e.done.emit()
        e.done.emit()
        self.assertEqual(calls, ["early", "late", "late"])

    def test_recursiveEmit(self) -> None:
        """
        A slot may emit the signal it is connected to; the nested emission
        runs every slot, then the outer one continues.
        """
        e = Emitter()
        calls: list[tuple[str, int]] = []

        def a(n: int) -> None:
            calls.append(("a", n))
            if n == 0:
                e.value.emit(1)

        e.value.connect(a)
        e.value.connect(lambda n: calls.append(("b", n)))
        e.value.emit(0)
        self.assertEqual(calls, [("a", 0), ("a", 1), ("b", 1), ("b", 0)])


class SlotErrorTests(SynchronousTestCase):
    """
    A slot that raises is logged and does not stop the others.
    """

    def test_raisingSlotLoggedOthersRun(self) -> None:
        """
        The error of a raising slot is logged through C{twisted.logger}
        with the slot and the signal named, and the remaining slots run.
        """
        e = Emitter()
        calls: list[int] = []

        def bad(v: int) -> None:
            raise ZeroDivisionError("slot failed")

        e.value.connect(calls.append)
        e.value.connect(bad)
        e.value.connect(lambda v: calls.append(v * 10))
        with capturedLogs() as events:
            e.value.emit(3)
        self.assertEqual(calls, [3, 30])
        failures = [ev for ev in events if "log_failure" in ev]
        self.assertEqual(len(failures), 1)
        event = failures[0]
        self.assertIs(event["log_level"], LogLevel.critical)
        self.assertEqual(event["log_namespace"], "qtwisted.signal")
        self.assertEqual(event["signal"], "Emitter.value")
        self.assertIs(event["slot"], bad)
        self.assertIsInstance(event["log_failure"].value, ZeroDivisionError)
        self.flushLoggedErrors(ZeroDivisionError)

    def test_singleRaisingSlotLogged(self) -> None:
        """
        With a single slot connected, its error is logged too and C{emit}
        returns normally.
        """
        e = Emitter()

        def bad() -> None:
            raise ValueError("only slot")

        e.done.connect(bad)
        with capturedLogs() as events:
            e.done.emit()
        failures = [ev for ev in events if "log_failure" in ev]
        self.assertEqual(len(failures), 1)
        self.assertIsInstance(failures[0]["log_failure"].value, ValueError)
        self.flushLoggedErrors(ValueError)

    def test_raisingSlotStaysConnected(self) -> None:
        """
        A slot that raised is still connected for the next emission.
        """
        e = Emitter()
        runs: list[int] = []

        def bad() -> None:
            runs.append(1)
            raise RuntimeError("again")

        e.done.connect(bad)
        with capturedLogs():
            e.done.emit()
            e.done.emit()
        self.assertEqual(runs, [1, 1])
        self.flushLoggedErrors(RuntimeError)


class NextEmissionTests(SynchronousTestCase):
    """
    L{BoundSignal.nextEmission} gives a Deferred for the next emission.
    """

    def test_firesWithArgumentsTuple(self) -> None:
        """
        The Deferred fires with the emission's arguments as a tuple.
        """
        e = Emitter()
        d = e.pair.nextEmission()
        self.assertNoResult(d)
        e.pair.emit(4, "four")
        self.assertEqual(self.successResultOf(d), (4, "four"))

    def test_noArguments(self) -> None:
        """
        For a signal without arguments it fires with C{()}.
        """
        e = Emitter()
        d = e.done.nextEmission()
        e.done.emit()
        self.assertEqual(self.successResultOf(d), ())

    def test_onlyNextEmission(self) -> None:
        """
        It fires once, with the first emission, then disconnects itself.
        """
        e = Emitter()
        d = e.value.nextEmission()
        self.assertEqual(e.value.receivers(), 1)
        e.value.emit(1)
        e.value.emit(2)
        self.assertEqual(self.successResultOf(d), (1,))
        self.assertEqual(e.value.receivers(), 0)

    def test_afterOtherSlots(self) -> None:
        """
        It is a slot like any other: connected last, it fires after the
        slots connected before it.
        """
        e = Emitter()
        order: list[str] = []
        e.done.connect(lambda: order.append("slot"))
        e.done.nextEmission().addCallback(lambda _: order.append("deferred"))
        e.done.emit()
        self.assertEqual(order, ["slot", "deferred"])

    def test_timeout(self) -> None:
        """
        With a timeout and no emission, the Deferred fails with
        C{TimeoutError} and is disconnected.
        """
        e = Emitter()
        clock = Clock()
        d = e.value.nextEmission(timeout=2.0, clock=clock)
        clock.advance(1.9)
        self.assertNoResult(d)
        clock.advance(0.1)
        self.failureResultOf(d, TimeoutError)
        self.assertEqual(e.value.receivers(), 0)

    def test_emissionBeforeTimeout(self) -> None:
        """
        An emission before the timeout fires the Deferred and cancels the
        timer.
        """
        e = Emitter()
        clock = Clock()
        d = e.value.nextEmission(timeout=2.0, clock=clock)
        e.value.emit(5)
        self.assertEqual(self.successResultOf(d), (5,))
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_defaultClockIsOwnersReactor(self) -> None:
        """
        Without C{clock}, the timeout runs on the owner's C{_reactor}.
        """
        clock = Clock()
        e = Emitter(reactor=clock)
        d = e.done.nextEmission(timeout=1.0)
        self.assertEqual(len(clock.getDelayedCalls()), 1)
        clock.advance(1.0)
        self.failureResultOf(d, TimeoutError)

    def test_cancelDisconnects(self) -> None:
        """
        Cancelling the Deferred disconnects it.
        """
        e = Emitter()
        d = e.value.nextEmission()
        d.cancel()
        self.failureResultOf(d, CancelledError)
        self.assertEqual(e.value.receivers(), 0)
        e.value.emit(1)

    def test_severalWaiters(self) -> None:
        """
        Several waiters all fire with the same emission.
        """
        e = Emitter()
        d1 = e.value.nextEmission()
        d2 = e.value.nextEmission()
        e.value.emit(9)
        self.assertEqual(self.successResultOf(d1), (9,))
        self.assertEqual(self.successResultOf(d2), (9,))

    def test_awaitFromCoroutine(self) -> None:
        """
        An C{async def} can C{await} the next emission through
        C{Deferred.fromCoroutine}.
        """
        e = Emitter()

        async def waitForPair() -> str:
            n, s = await e.pair.nextEmission()
            return f"{s}={n}"

        d = Deferred.fromCoroutine(waitForPair())
        self.assertNoResult(d)
        e.pair.emit(2, "two")
        self.assertEqual(self.successResultOf(d), "two=2")

    def test_awaitTimeoutFromCoroutine(self) -> None:
        """
        An C{async def} sees the timeout as a C{TimeoutError} it can catch.
        """
        e = Emitter()
        clock = Clock()

        async def waitOrGiveUp() -> str:
            try:
                await e.done.nextEmission(timeout=0.5, clock=clock)
            except TimeoutError:
                return "timed out"
            return "emitted"

        d = Deferred.fromCoroutine(waitOrGiveUp())
        clock.advance(0.5)
        self.assertEqual(self.successResultOf(d), "timed out")

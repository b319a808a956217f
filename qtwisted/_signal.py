# -*- test-case-name: tests.test_signal -*-
"""
Qt-style signals for Twisted code.

Theory of operation
===================

A L{Signal} is declared once, on a class::

    class QTcpServer:
        newConnection: Signal[()] = Signal()
        acceptError: Signal[SocketError] = Signal()

Reading the attribute from an instance gives that instance's L{BoundSignal},
which holds the connected slots.  L{Signal} is a I{non-data} descriptor: the
first read creates the L{BoundSignal} and stores it in the instance's
C{__dict__} under the same name, so every later read is a plain instance
attribute lookup with no descriptor call at all.  An object whose signals are
never read never allocates them, which matters for servers that hold
thousands of sockets.

Emission follows Qt's direct connection: slots run synchronously, in the
thread that emits (the reactor thread), in the order they were connected.
Unlike Qt, a slot that raises does not unwind into the emitter: the error is
logged through L{twisted.logger} and the remaining slots still run, so one
faulty slot can never leave a server half-way through its own bookkeeping.

For C{await}/C{yield} code, L{BoundSignal.nextEmission} gives a L{Deferred}
that fires with the arguments of the next emission.

We do not use a third-party signal library: psygnal, for instance, re-raises
slot errors into the emitter, which is exactly what a server must not do.
"""

from __future__ import annotations

import weakref
from typing import (
    Any,
    Callable,
    Generic,
    TypeVarTuple,
    Unpack,
    overload,
)

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

__all__ = ["Signal", "BoundSignal"]

Ts = TypeVarTuple("Ts")

_log = Logger(namespace="qtwisted.signal")


class BoundSignal(Generic[Unpack[Ts]]):
    """
    A signal of one object: the slots connected to it, and a way to emit.

    Instances are made by L{Signal} on first access; do not create them
    directly.
    """

    __slots__ = ("_slots", "_name", "_owner", "__weakref__")

    def __init__(self, name: str, owner: object | None = None) -> None:
        self._slots: list[Callable[..., object]] = []
        self._name = name
        self._owner: weakref.ref[Any] | None = None
        if owner is not None:
            try:
                self._owner = weakref.ref(owner)
            except TypeError:
                # An owner class with __slots__ and no __weakref__: only the
                # default clock of nextEmission() needs the owner.
                self._owner = None

    def __repr__(self) -> str:
        return f"<BoundSignal {self._name} with {len(self._slots)} slot(s)>"

    def connect(self, slot: Callable[[Unpack[Ts]], object]) -> None:
        """
        Call C{slot} with the signal's arguments on every emission.

        Mirrors C{QObject::connect} with a direct connection.  A slot
        connected twice is called twice per emission, as in Qt.

        @param slot: any callable; a bound method, a function or a lambda.
        @raise TypeError: if C{slot} is not callable.
        """
        if not callable(slot):
            raise TypeError(
                f"{self._name}.connect() needs a callable slot, not {slot!r}"
            )
        self._slots.append(slot)

    def disconnect(self, slot: Callable[[Unpack[Ts]], object] | None = None) -> bool:
        """
        Disconnect one slot, or every slot.

        Mirrors C{QObject::disconnect}: with a slot, its most recent
        connection is removed; with no argument, all connections are.

        @param slot: the slot to disconnect, or L{None} for all of them.
        @return: C{True} if anything was disconnected, like Qt.
        """
        if slot is None:
            had = bool(self._slots)
            self._slots.clear()
            return had
        slots = self._slots
        for i in range(len(slots) - 1, -1, -1):
            if slots[i] == slot:
                del slots[i]
                return True
        return False

    def isConnected(self) -> bool:
        """
        Tell whether any slot is connected.

        Mirrors C{QObject::isSignalConnected}.
        """
        return bool(self._slots)

    def receivers(self) -> int:
        """
        The number of connected slots; mirrors C{QObject::receivers}.
        """
        return len(self._slots)

    def emit(self, *args: Unpack[Ts]) -> None:
        """
        Call every connected slot with C{args}, in connection order.

        A slot connected or disconnected during the emission takes effect
        from the next emission on, as in Qt.  A slot that raises is logged
        and does not stop the others.
        """
        slots = self._slots
        if not slots:
            return
        if len(slots) == 1:
            try:
                slots[0](*args)
            except BaseException:
                _log.failure(
                    "Slot {slot!r} connected to {signal} raised",
                    slot=slots[0],
                    signal=self._name,
                )
            return
        for slot in tuple(slots):
            try:
                slot(*args)
            except BaseException:
                _log.failure(
                    "Slot {slot!r} connected to {signal} raised",
                    slot=slot,
                    signal=self._name,
                )

    def nextEmission(
        self, timeout: float | None = None, clock: IReactorTime | None = None
    ) -> Deferred[tuple[Unpack[Ts]]]:
        """
        A L{Deferred} that fires with the arguments of the next emission.

        Qt has no equivalent (C{QSignalSpy::wait} comes closest); this is
        how C{async def} and C{inlineCallbacks} code waits for a signal.
        Cancelling the Deferred disconnects it.

        @param timeout: seconds to wait at most; on expiry the Deferred fails
            with L{twisted.internet.defer.TimeoutError}.  L{None}: no limit.
        @param clock: the clock for the timeout; by default the reactor of
            the object that owns the signal, else the global reactor.
        @return: a Deferred firing with the emission's arguments as a tuple.
        """

        def cancel(d: Deferred[tuple[Unpack[Ts]]]) -> None:
            self.disconnect(fire)

        d: Deferred[tuple[Unpack[Ts]]] = Deferred(cancel)

        def fire(*args: Unpack[Ts]) -> None:
            self.disconnect(fire)
            if not d.called:
                d.callback(args)

        self.connect(fire)
        if timeout is not None:
            d.addTimeout(timeout, clock if clock is not None else self._clock())
        return d

    def _clock(self) -> IReactorTime:
        owner = self._owner() if self._owner is not None else None
        clock: IReactorTime | None = getattr(owner, "_reactor", None)
        if clock is None:
            from twisted.internet import reactor

            clock = reactor
        assert clock is not None
        return clock


class Signal(Generic[Unpack[Ts]]):
    """
    A signal declaration, the equivalent of Qt's C{signals:} section.

    Declare it as a class attribute; each instance gets its own
    L{BoundSignal}.  The type parameters are the argument types of the
    signal, so C{Signal[int, str]} is emitted as C{emit(1, "a")} and calls
    slots as C{slot(1, "a")}.
    """

    __slots__ = ("_name", "_attr")

    def __init__(self) -> None:
        self._name = "<signal>"
        self._attr = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = f"{owner.__name__}.{name}"
        self._attr = name

    @overload
    def __get__(self, instance: None, owner: type) -> Signal[Unpack[Ts]]: ...

    @overload
    def __get__(self, instance: object, owner: type) -> BoundSignal[Unpack[Ts]]: ...

    def __get__(
        self, instance: object | None, owner: type
    ) -> Signal[Unpack[Ts]] | BoundSignal[Unpack[Ts]]:
        if instance is None:
            return self
        bound: BoundSignal[Unpack[Ts]] = BoundSignal(self._name, instance)
        # Non-data descriptor: the instance attribute now shadows us, so the
        # next lookup never reaches this method (see the module docstring).
        instance.__dict__[self._attr] = bound
        return bound

    def __repr__(self) -> str:
        return f"<Signal {self._name}>"

"""
Tests for L{qtwisted.QWebSocketCorsAuthenticator} and the origin decision
of L{qtwisted._cors.authenticateOrigin} (B65, B66; section 1.4).
"""

from __future__ import annotations

import copy

from twisted.internet.defer import CancelledError, Deferred
from twisted.trial.unittest import SynchronousTestCase

from qtwisted import QWebSocketCorsAuthenticator, Signal
from qtwisted._cors import authenticateOrigin


class CorsAuthenticatorTests(SynchronousTestCase):
    """
    The value type (section 1.4).
    """

    def test_defaults(self) -> None:
        """
        origin() is as given and allowed() is True (B65).
        """
        authenticator = QWebSocketCorsAuthenticator("http://example.com")
        self.assertEqual(authenticator.origin(), "http://example.com")
        self.assertTrue(authenticator.allowed())

    def test_setAllowed(self) -> None:
        """
        setAllowed() stores the decision; it takes a bool only.
        """
        authenticator = QWebSocketCorsAuthenticator("")
        authenticator.setAllowed(False)
        self.assertFalse(authenticator.allowed())
        self.assertRaises(TypeError, authenticator.setAllowed, 0)
        self.assertRaises(TypeError, QWebSocketCorsAuthenticator, None)

    def test_copy(self) -> None:
        """
        Copy construction and copy.copy copy both fields.
        """
        authenticator = QWebSocketCorsAuthenticator("o")
        authenticator.setAllowed(False)
        for other in (QWebSocketCorsAuthenticator(authenticator), copy.copy(authenticator)):
            self.assertEqual((other.origin(), other.allowed()), ("o", False))
            self.assertIsNot(other, authenticator)

    def test_swap(self) -> None:
        """
        swap() exchanges the contents.
        """
        a = QWebSocketCorsAuthenticator("a")
        b = QWebSocketCorsAuthenticator("b")
        b.setAllowed(False)
        a.swap(b)
        self.assertEqual((a.origin(), a.allowed(), b.origin(), b.allowed()), ("b", False, "a", True))


class _Server:
    originAuthenticationRequired: Signal[QWebSocketCorsAuthenticator] = Signal()


class AuthenticateOriginTests(SynchronousTestCase):
    """
    How the server asks its slots.
    """

    def setUp(self) -> None:
        self.server = _Server()
        self.signal = self.server.originAuthenticationRequired

    def test_noSlot(self) -> None:
        """
        B66: with no slot connected every origin is allowed, at once.
        """
        self.assertIs(authenticateOrigin(self.signal, "http://evil.example"), True)

    def test_synchronousRefusal(self) -> None:
        """
        A slot calling setAllowed(False) refuses at once, as in Qt.
        """
        seen: list[str] = []

        def slot(a: QWebSocketCorsAuthenticator) -> None:
            seen.append(a.origin())
            a.setAllowed(False)

        self.signal.connect(slot)
        self.assertIs(authenticateOrigin(self.signal, "http://x"), False)
        self.assertEqual(seen, ["http://x"])

    def test_returnedBool(self) -> None:
        """
        A slot returning False refuses; True does not override a refusal.
        """
        self.signal.connect(lambda a: False)
        self.signal.connect(lambda a: True)
        self.assertIs(authenticateOrigin(self.signal, "o"), False)

    def test_deferred(self) -> None:
        """
        A slot returning a Deferred makes the decision a Deferred, firing
        with the slot's verdict.
        """
        answers: list[Deferred[bool]] = []

        def slot(a: QWebSocketCorsAuthenticator) -> Deferred[bool]:
            d: Deferred[bool] = Deferred()
            answers.append(d)
            return d

        self.signal.connect(slot)
        decision = authenticateOrigin(self.signal, "o")
        assert isinstance(decision, Deferred)
        results: list[bool] = []
        decision.addCallback(results.append)
        self.assertEqual(results, [])
        answers[0].callback(False)
        self.assertEqual(results, [False])

    def test_deferredNoneKeepsSetAllowed(self) -> None:
        """
        A Deferred firing None leaves the decision to what the slot set.
        """

        def slot(a: QWebSocketCorsAuthenticator) -> Deferred[None]:
            d: Deferred[None] = Deferred()
            d.addCallback(lambda _: a.setAllowed(False))
            self.later = d
            return d

        self.signal.connect(slot)
        decision = authenticateOrigin(self.signal, "o")
        assert isinstance(decision, Deferred)
        results: list[bool] = []
        decision.addCallback(results.append)
        self.later.callback(None)
        self.assertEqual(results, [False])

    def test_coroutine(self) -> None:
        """
        An async def slot is run to completion and awaited.
        """
        gate: Deferred[None] = Deferred()

        async def slot(a: QWebSocketCorsAuthenticator) -> bool:
            await gate
            return a.origin() == "http://good"

        self.signal.connect(slot)
        for origin, expected in (("http://good", True), ("http://bad", False)):
            decision = authenticateOrigin(self.signal, origin)
            assert isinstance(decision, Deferred)
            results: list[bool] = []
            decision.addCallback(results.append)
            if not gate.called:
                gate.callback(None)
            self.assertEqual(results, [expected])

    def test_failureRefuses(self) -> None:
        """
        A failing Deferred refuses the origin and is logged.
        """
        d: Deferred[bool] = Deferred()
        self.signal.connect(lambda a: d)
        decision = authenticateOrigin(self.signal, "o")
        assert isinstance(decision, Deferred)
        results: list[bool] = []
        decision.addCallback(results.append)
        d.errback(RuntimeError("database down"))
        self.assertEqual(results, [False])
        self.assertEqual(len(self.flushLoggedErrors(RuntimeError)), 1)

    def test_cancel(self) -> None:
        """
        Cancelling the decision cancels the slots' Deferreds.
        """
        d: Deferred[bool] = Deferred()
        self.signal.connect(lambda a: d)
        decision = authenticateOrigin(self.signal, "o")
        assert isinstance(decision, Deferred)
        decision.cancel()
        self.assertTrue(d.called)
        self.failureResultOf(decision, CancelledError)

    def test_mixed(self) -> None:
        """
        Synchronous and deferred answers combine: any refusal wins.
        """
        d: Deferred[bool] = Deferred()
        self.signal.connect(lambda a: d)
        self.signal.connect(lambda a: a.setAllowed(False))
        decision = authenticateOrigin(self.signal, "o")
        assert isinstance(decision, Deferred)
        results: list[bool] = []
        decision.addCallback(results.append)
        d.callback(True)
        self.assertEqual(results, [False])

"""
Tests for L{qtwisted._object}: parents, children and C{deleteLater()}.
"""

from __future__ import annotations

import socket

from twisted.internet import reactor as globalReactor
from twisted.internet.task import Clock, deferLater
from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase, TestCase

from qtwisted import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
from qtwisted._object import QObjectBase, resolveReactor
from qtwisted.testing import connectLoopback


class Recorder(QObjectBase):
    """
    A QObject that records its destruction.
    """

    def __init__(self, log: list[str], name: str, parent: QObjectBase | None = None,
                 reactor: object = None) -> None:
        super().__init__(parent, reactor)
        self.log = log
        self.name = name

    def _destroyed(self) -> None:
        self.log.append(self.name)


class ResolveReactorTests(SynchronousTestCase):
    """
    L{resolveReactor} picks the reactor to use.
    """

    def test_given(self) -> None:
        """
        A reactor given is used.
        """
        clock = Clock()
        self.assertIs(resolveReactor(clock), clock)

    def test_default(self) -> None:
        """
        Without one, the global reactor is used.
        """
        self.assertIs(resolveReactor(None), globalReactor)


class ParentTests(SynchronousTestCase):
    """
    C{parent()}, C{setParent()} and C{children()} as in C{QObject}.
    """

    def test_noParent(self) -> None:
        """
        A new object has no parent and no children.
        """
        o = QObjectBase(reactor=Clock())
        self.assertIsNone(o.parent())
        self.assertEqual(o.children(), [])

    def test_constructorParent(self) -> None:
        """
        A parent given to the constructor owns the child.
        """
        parent = QObjectBase(reactor=Clock())
        child = QObjectBase(parent, reactor=Clock())
        self.assertIs(child.parent(), parent)
        self.assertEqual(parent.children(), [child])

    def test_childrenOldestFirst(self) -> None:
        """
        C{children()} lists the children in the order they were added.
        """
        parent = QObjectBase(reactor=Clock())
        kids = [QObjectBase(parent) for _ in range(4)]
        self.assertEqual(parent.children(), kids)

    def test_childrenIsACopy(self) -> None:
        """
        Changing the list returned by C{children()} changes nothing.
        """
        parent = QObjectBase(reactor=Clock())
        QObjectBase(parent)
        parent.children().clear()
        self.assertEqual(len(parent.children()), 1)

    def test_setParentMoves(self) -> None:
        """
        C{setParent()} moves a child from its old parent to the new one.
        """
        a, b = QObjectBase(reactor=Clock()), QObjectBase(reactor=Clock())
        child = QObjectBase(a)
        child.setParent(b)
        self.assertIs(child.parent(), b)
        self.assertEqual(a.children(), [])
        self.assertEqual(b.children(), [child])

    def test_setParentNone(self) -> None:
        """
        C{setParent(None)} releases the child.
        """
        parent = QObjectBase(reactor=Clock())
        child = QObjectBase(parent)
        child.setParent(None)
        self.assertIsNone(child.parent())
        self.assertEqual(parent.children(), [])

    def test_setSameParentKeepsOrder(self) -> None:
        """
        Setting the parent a child already has changes nothing, as in Qt
        (the child keeps its place in C{children()}).
        """
        parent = QObjectBase(reactor=Clock())
        first, second = QObjectBase(parent), QObjectBase(parent)
        first.setParent(parent)
        self.assertEqual(parent.children(), [first, second])

    def test_setParentType(self) -> None:
        """
        A parent that is not a qtwisted object raises C{TypeError} naming it.
        """
        o = QObjectBase(reactor=Clock())
        exc = self.assertRaises(TypeError, o.setParent, "boss")
        self.assertIn("'boss'", str(exc))
        self.assertIsNone(o.parent())

    def test_serverIsParentOfItsSockets(self) -> None:
        """
        The server and socket classes take a parent like any QObject.
        """
        server = QTcpServer(reactor=MemoryReactorClock())
        sock = QTcpSocket(server, reactor=MemoryReactorClock())
        self.assertIs(sock.parent(), server)
        self.assertEqual(server.children(), [sock])


class DeleteLaterTests(SynchronousTestCase):
    """
    C{deleteLater()} destroys an object and its children on the next
    reactor turn.
    """

    def test_nextTurn(self) -> None:
        """
        Nothing happens before the reactor turns; then the object is
        destroyed.
        """
        clock, log = Clock(), []
        o = Recorder(log, "o", reactor=clock)
        o.deleteLater()
        self.assertEqual(log, [])
        clock.advance(0)
        self.assertEqual(log, ["o"])

    def test_childrenDestroyedToo(self) -> None:
        """
        The children (and theirs) are destroyed with their parent, and the
        destroyed object leaves its own parent's list.
        """
        clock, log = Clock(), []
        root = Recorder(log, "root", reactor=clock)
        mid = Recorder(log, "mid", root, reactor=clock)
        Recorder(log, "leaf", mid, reactor=clock)
        Recorder(log, "sibling", root, reactor=clock)
        mid.deleteLater()
        clock.advance(0)
        self.assertEqual(sorted(log), ["leaf", "mid"])
        self.assertEqual([c.name for c in root.children()], ["sibling"])  # type: ignore[attr-defined]

    def test_onlyOnce(self) -> None:
        """
        Calling C{deleteLater()} twice destroys the object once.
        """
        clock, log = Clock(), []
        o = Recorder(log, "o", reactor=clock)
        o.deleteLater()
        o.deleteLater()
        clock.advance(0)
        self.assertEqual(log, ["o"])

    def test_reparentedChildSurvives(self) -> None:
        """
        A child moved to another parent before the turn is not destroyed.
        """
        clock, log = Clock(), []
        a = Recorder(log, "a", reactor=clock)
        b = Recorder(log, "b", reactor=clock)
        child = Recorder(log, "child", a, reactor=clock)
        a.deleteLater()
        child.setParent(b)
        clock.advance(0)
        self.assertEqual(log, ["a"])

    def test_unconnectedSocket(self) -> None:
        """
        A socket that never connected is simply closed.
        """
        reactor = MemoryReactorClock()
        sock = QTcpSocket(reactor=reactor)
        sock.deleteLater()
        reactor.advance(0)
        self.assertIs(sock.state(), QAbstractSocket.UnconnectedState)
        self.assertFalse(sock.isOpen())

    def test_serverClosesAndAbortsChildren(self) -> None:
        """
        C{deleteLater()} on a listening server closes it on the next turn
        and aborts the sockets it still owns: a taken one and a queued one;
        both peers see the connection end.
        """
        reactor = MemoryReactorClock()
        server = QTcpServer(reactor=reactor)
        self.addCleanup(server.close)
        self.assertTrue(server.listen(QHostAddress.LocalHost, 0))
        port = server.serverPort()
        clients = []
        for _ in range(2):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            self.addCleanup(c.close)
            clients.append(c)
        # The memory reactor polls nothing: a zero wait runs the accept loop.
        self.successResultOf(server.waitForNewConnection(0))
        taken = server.nextPendingConnection()
        assert taken is not None
        self.assertTrue(server.hasPendingConnections())
        self.assertIs(taken.parent(), server)
        self.assertEqual(len(server.children()), 2)
        disconnected: list[str] = []
        taken.disconnected.connect(lambda: disconnected.append("taken"))

        server.deleteLater()
        self.assertTrue(server.isListening())
        reactor.advance(0)
        self.assertFalse(server.isListening())
        self.assertEqual(server.serverPort(), 0)
        self.assertFalse(server.hasPendingConnections())
        self.assertIs(taken.state(), QAbstractSocket.UnconnectedState)
        self.assertEqual(disconnected, ["taken"])
        self.assertEqual(server.children(), [])
        # Twisted closes aborted transports on the turn after.
        reactor.advance(0)
        for c in clients:
            try:
                self.assertEqual(c.recv(10), b"")
            except ConnectionResetError:
                pass


class DisconnectedChildTests(TestCase):
    """
    Over real sockets: a taken socket leaves its server's C{children()}
    once it is disconnected, but keeps reporting the server as its parent.
    """

    async def test_disconnectedSocketLeavesChildren(self) -> None:
        """
        After the peer closes, the socket is no longer a child of the
        server; C{parent()} still answers the server (B13).
        """
        server = QTcpServer()
        self.addCleanup(server.close)
        self.assertTrue(server.listen(QHostAddress.LocalHost, 0))
        arrived = server.newConnection.nextEmission(timeout=5)
        client = await connectLoopback(server.serverPort())
        self.addCleanup(client.abort)
        await arrived
        sock = server.nextPendingConnection()
        assert sock is not None
        self.assertIn(sock, server.children())
        gone = sock.disconnected.nextEmission(timeout=5)
        await client.close()
        await gone
        # Code after an await of nextEmission() runs inside the emission,
        # like a slot; the socket leaves the list when the emission is over.
        await deferLater(globalReactor, 0, lambda: None)
        self.assertNotIn(sock, server.children())
        self.assertIs(sock.parent(), server)


class DestroyDisconnectsTests(SynchronousTestCase):
    """
    Destroying an object removes its signals' connections, as Qt does.
    """

    def test_slotsDisconnected(self) -> None:
        """
        After deleteLater() has run, the object's signals have no slot, and the cycle a slot makes is gone.
        """
        import gc
        import weakref

        from qtwisted import QTcpSocket

        clock = Clock()
        sock = QTcpSocket(reactor=clock)
        sock.readyRead.connect(lambda: sock.readAll())
        sock.disconnected.connect(lambda: None)
        ref = weakref.ref(sock)
        sock.deleteLater()
        clock.advance(0)
        self.assertFalse(sock.readyRead.isConnected())
        self.assertFalse(sock.disconnected.isConnected())
        gc.disable()
        self.addCleanup(gc.enable)
        del sock
        self.assertIsNone(ref())

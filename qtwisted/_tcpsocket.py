# -*- test-case-name: tests.test_tcpsocket -*-
"""
C{QTcpSocket}: a L{QAbstractSocket} of type C{TcpSocket}.
"""

from __future__ import annotations

from typing import Any

from ._abstractsocket import QAbstractSocket
from ._enums import SocketType
from ._object import QObjectBase

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).


class QTcpSocket(QAbstractSocket):
    """
    A TCP connection; mirrors C{QTcpSocket}.

    Servers hand these out from L{QTcpServer.nextPendingConnection}; a client
    creates one and calls
    L{connectToHost<QAbstractSocket.connectToHost>}.  All of the API is
    L{QAbstractSocket}'s.
    """

    def __init__(self, parent: QObjectBase | None = None, reactor: Any = None) -> None:
        """
        @param parent: the owning object, if any.
        @param reactor: the reactor to use; the global one by default.
        """
        super().__init__(SocketType.TcpSocket, parent, reactor)

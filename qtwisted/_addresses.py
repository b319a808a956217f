"""
The peer and local address getters shared by L{qtwisted.QAbstractSocket}
and L{qtwisted.QWebSocket}.
"""

from __future__ import annotations

from typing import Any

from . import _transport
from ._hostaddress import QHostAddress

__all__ = ["SocketAddresses"]


class SocketAddresses:
    """
    C{peerAddress}, C{peerPort}, C{localAddress} and C{localPort}, read
    from C{_peer} and C{_local}: C{(host, port, ...)} tuples, or C{None}.
    The local one is looked up on the transport C{_rawTransport()} gives
    the first time it is asked for; a subclass may fill in C{_peer} the
    same way by overriding C{_peerTuple}.
    """

    _peer: tuple[Any, ...] | None
    _local: tuple[Any, ...] | None

    def _rawTransport(self) -> Any:
        raise NotImplementedError()

    def _peerTuple(self) -> tuple[Any, ...] | None:
        return self._peer

    def _localTuple(self) -> tuple[Any, ...] | None:
        if self._local is None:
            raw = self._rawTransport()
            if raw is not None:
                self._local = _transport.localOf(raw)
        return self._local

    def peerAddress(self) -> QHostAddress:
        """
        The peer's address, or a Null address when not connected.
        """
        peer = self._peerTuple()
        return QHostAddress() if peer is None else QHostAddress._fromSockaddr(peer[0])

    def peerPort(self) -> int:
        """
        The peer's port, or 0 when not connected.
        """
        peer = self._peerTuple()
        return 0 if peer is None else int(peer[1])

    def localAddress(self) -> QHostAddress:
        """
        The local address of the connection, or a Null address.
        """
        local = self._localTuple()
        return QHostAddress() if local is None else QHostAddress._fromSockaddr(local[0])

    def localPort(self) -> int:
        """
        The local port of the connection, or 0.
        """
        local = self._localTuple()
        return 0 if local is None else int(local[1])

# -*- test-case-name: tests.test_tcpsocket -*-
"""
Twisted TCP transports that report how many bytes reached the kernel.

Qt's C{bytesWritten(qint64)} signal and C{waitForBytesWritten()} need to know
when written data has actually been handed to the operating system.
Twisted's transports buffer writes and send them from C{doWrite()} without
telling anyone, so we subclass Twisted's own TCP transports and wrap
C{doWrite()}: the difference in the transport's buffered byte count before
and after is what was sent.  This reads three attributes of
L{twisted.internet.abstract.FileDescriptor} (C{dataBuffer}, C{offset},
C{_tempDataLen}); C{tests.test_tcpsocket.TransportInternalsTests} fails
loudly if a Twisted release renames them.

Everything else (reading, writing, closing, half-close, producer support) is
Twisted's unchanged.
"""

from __future__ import annotations

import socket
from typing import Any, Callable

from twisted.internet import tcp

__all__ = ["ServerTransport", "ClientTransport", "Connector", "bufferedBytes"]


def bufferedBytes(transport: Any) -> int:
    """
    The number of bytes written to C{transport} but not yet sent.
    """
    try:
        return (  # type: ignore[no-any-return]
            len(transport.dataBuffer) - transport.offset + transport._tempDataLen
        )
    except AttributeError:
        return 0


class _WriteReporting:
    """
    Mixin: call C{onWritten(n)} after each C{doWrite()} that sent n > 0 bytes.
    """

    onWritten: Callable[[int], None] | None = None
    dataBuffer: bytes
    offset: int
    _tempDataLen: int

    def doWrite(self) -> Any:
        before = len(self.dataBuffer) - self.offset + self._tempDataLen
        result = super().doWrite()  # type: ignore[misc]
        sent = before - (len(self.dataBuffer) - self.offset + self._tempDataLen)
        if sent > 0 and self.onWritten is not None:
            self.onWritten(sent)
        return result


class _PortInfo:
    """
    What L{tcp.Server} reads from the port that accepted it.
    """

    __slots__ = ("_realPortNumber",)

    def __init__(self, port: int) -> None:
        self._realPortNumber = port


class ServerTransport(_WriteReporting, tcp.Server):
    """
    The transport of an accepted (or adopted) TCP connection.
    """

    @classmethod
    def adopt(
        cls,
        skt: socket.socket,
        peer: tuple[Any, ...],
        protocol: Any,
        localPort: int,
        sessionno: int,
        reactor: Any,
    ) -> ServerTransport:
        """
        Wrap a connected socket (which this call takes over) in a transport
        and start reading from it.
        """
        skt.setblocking(False)
        return cls(skt, protocol, peer, _PortInfo(localPort), sessionno, reactor)  # type: ignore[arg-type]


class ClientTransport(_WriteReporting, tcp.Client):
    """
    The transport of an outgoing TCP connection.
    """


class Connector(tcp.Connector):
    """
    A connector that makes L{ClientTransport}s.
    """

    def _makeTransport(self) -> ClientTransport:
        return ClientTransport(self.host, self.port, self.bindAddress, self, self.reactor)  # type: ignore[no-untyped-call]

# -*- test-case-name: tests.test_tcpsocket -*-
"""
Host name lookup for L{QAbstractSocket.connectToHost}, through the
reactor's L{IHostnameResolver} (C{getaddrinfo} in a thread by default), so a
reactor injected for tests resolves too.
"""

from __future__ import annotations

from typing import Any, Sequence

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IResolutionReceiver
from zope.interface import implementer

from ._enums import NetworkLayerProtocol

__all__ = ["resolve"]


@implementer(IResolutionReceiver)
class _Collector:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolutionInProgress: Any) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        if isinstance(address, IPv6Address):
            host = address.host
            if address.scopeID:
                host = f"{host}%{address.scopeID}"
        elif isinstance(address, IPv4Address):
            host = address.host
        else:
            return
        if host not in self.addresses:
            self.addresses.append(host)

    def resolutionComplete(self) -> None:
        self.done.callback(self.addresses)


_TYPES: dict[NetworkLayerProtocol, Sequence[type[IAddress]] | None] = {
    NetworkLayerProtocol.IPv4Protocol: [IPv4Address],
    NetworkLayerProtocol.IPv6Protocol: [IPv6Address],
}


def resolve(
    reactor: Any, host: str, port: int, protocol: NetworkLayerProtocol
) -> Deferred[list[str]]:
    """
    Resolve C{host} to a list of address strings, in the resolver's order.

    @param protocol: restrict to IPv4 or IPv6; C{AnyIPProtocol} takes both.
    """
    collector = _Collector()
    reactor.nameResolver.resolveHostName(
        collector,
        host,
        port,
        _TYPES.get(NetworkLayerProtocol(protocol)),
        "TCP",
    )
    return collector.done

# -*- test-case-name: tests.test_proxy -*-
"""
C{QNetworkProxy}, reduced to what a server needs: no proxy at all.

qtwisted listens and connects directly.  C{NoProxy} and C{DefaultProxy}
(which, with no application proxy configured, means no proxy) are accepted;
every other proxy type makes C{listen()} / C{connectToHost()} fail with
C{UnsupportedSocketOperationError}, which is what Qt reports for a proxy that
cannot do the operation.
"""

from __future__ import annotations

import enum

__all__ = ["QNetworkProxy"]


class QNetworkProxy:
    """
    A proxy setting; mirrors C{QNetworkProxy} for C{NoProxy} and
    C{DefaultProxy}.  Other types can be represented, but servers and sockets
    refuse to use them.
    """

    class ProxyType(enum.IntEnum):
        """
        C{QNetworkProxy::ProxyType}, with Qt's values.
        """

        DefaultProxy = 0
        Socks5Proxy = 1
        NoProxy = 2
        HttpProxy = 3
        HttpCachingProxy = 4
        FtpCachingProxy = 5

    DefaultProxy = ProxyType.DefaultProxy
    Socks5Proxy = ProxyType.Socks5Proxy
    NoProxy = ProxyType.NoProxy
    HttpProxy = ProxyType.HttpProxy
    HttpCachingProxy = ProxyType.HttpCachingProxy
    FtpCachingProxy = ProxyType.FtpCachingProxy

    __slots__ = ("_type", "_hostName", "_port")

    def __init__(
        self,
        type: "QNetworkProxy.ProxyType" = ProxyType.DefaultProxy,
        hostName: str = "",
        port: int = 0,
    ) -> None:
        """
        @raise ValueError: for a value that is not a C{ProxyType}.
        """
        try:
            self._type = QNetworkProxy.ProxyType(type)
        except ValueError:
            raise ValueError(f"unknown QNetworkProxy.ProxyType {type!r}") from None
        self._hostName = hostName
        self._port = port

    def type(self) -> "QNetworkProxy.ProxyType":
        """
        The proxy type; mirrors C{QNetworkProxy::type}.
        """
        return self._type

    def hostName(self) -> str:
        """
        The proxy host; mirrors C{QNetworkProxy::hostName}.
        """
        return self._hostName

    def port(self) -> int:
        """
        The proxy port; mirrors C{QNetworkProxy::port}.
        """
        return self._port

    def isUsable(self) -> bool:
        """
        C{True} for the proxy types qtwisted can use (no proxy at all).
        """
        return self._type in (
            QNetworkProxy.ProxyType.NoProxy,
            QNetworkProxy.ProxyType.DefaultProxy,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QNetworkProxy):
            return NotImplemented
        return (self._type, self._hostName, self._port) == (
            other._type,
            other._hostName,
            other._port,
        )

    def __hash__(self) -> int:
        return hash((self._type, self._hostName, self._port))

    def __repr__(self) -> str:
        return f"QNetworkProxy({self._type.name})"

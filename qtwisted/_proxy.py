# -*- test-case-name: tests.test_proxy -*-
"""
C{QNetworkProxy}, reduced to what a server needs: no proxy at all.

qtwisted listens and connects directly.  C{NoProxy} and C{DefaultProxy}
(which, with no application proxy configured, means no proxy) are accepted;
every other proxy type makes C{listen()} / C{connectToHost()} fail with
C{UnsupportedSocketOperationError}, which is what Qt reports for a proxy that
cannot do the operation.  Qt never uses a proxy for a server listening on a
loopback address, whatever C{setProxy()} was given.

A deviation: Qt can listen through a SOCKS5 proxy and connect through SOCKS5
and HTTP C{CONNECT} proxies; qtwisted cannot (see the deviations chapter).
"""

# No __all__ here: pydoctor documents a name re-exported by
# qtwisted/__init__.py as qtwisted.QNetworkProxy only when its own module
# does not list it in __all__.

from __future__ import annotations

import enum


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
        C{QNetworkProxy(type, hostName, port)}; Qt's defaults.

        @param type: a L{QNetworkProxy.ProxyType} (or its C{int} value).
        @param hostName: the proxy's host name.
        @param port: the proxy's port, 0..65535.
        @raise TypeError: for arguments of the wrong type.
        @raise ValueError: for an C{int} that is not a C{ProxyType} value, or
            a port outside 0..65535.
        """
        given: object = type  # checked at run time, whatever the annotation
        if isinstance(given, bool) or not isinstance(given, int):
            raise TypeError(f"type must be a QNetworkProxy.ProxyType, not {given!r}")
        try:
            self._type = QNetworkProxy.ProxyType(type)
        except ValueError:
            raise ValueError(f"unknown QNetworkProxy.ProxyType {type!r}") from None
        host: object = hostName
        if not isinstance(host, str):
            raise TypeError(f"hostName must be a str, not {host!r}")
        number: object = port
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError(f"port must be an int, not {number!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be in 0..65535, not {port!r}")
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

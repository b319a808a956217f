# -*- test-case-name: tests.test_websocket -*-
"""
What a L{qtwisted.QWebSocket} knows about its connection: the opening
handshake (URL, origin, request, subprotocols), the addresses, the message
and frame size limits, and the TLS configuration.

A base class of C{QWebSocket}, kept apart from the socket's behaviour
(sending, receiving, closing: L{qtwisted._websocket}).  Its state is class
attributes until set, so that an idle server-side socket carries only what
differs from the defaults: on the server, the parsed request
(L{qtwisted._wshandshake.Request}) answers most of these questions.
"""

from __future__ import annotations

from typing import Any

from . import _transport
from ._addresses import SocketAddresses
from ._ssl import QSslConfiguration
from ._wsautobahn import (
    DEFAULT_OUTGOING_FRAME_SIZE,
    MAX_FRAME_SIZE,
    MAX_MESSAGE_SIZE,
    MAX_OUTGOING_FRAME_SIZE,
    ClientProtocol,
    ServerProtocol,
)
from ._wshandshake import Request
from ._wsprotocol import QWebSocketProtocol
from ._wsrequest import QNetworkRequest, QWebSocketHandshakeOptions

__all__ = ["WebSocketDetails"]

_Version = QWebSocketProtocol.Version


def _checkSize(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {value!r}")
    return value


class WebSocketDetails(SocketAddresses):
    """
    The getters (and limit setters) of C{QWebSocket} that describe its
    connection; see the module docstring.
    """

    _proto: ServerProtocol | ClientProtocol | None
    _transport: Any
    _handshake: Request | None = None
    _clientRequest: QNetworkRequest | None = None
    _options: QWebSocketHandshakeOptions | None = None
    _subprotocol = ""
    _origin = ""
    _resourceName = ""
    _peerName = ""
    _version = _Version.Version13
    _peer: tuple[Any, ...] | None = None
    _local: tuple[Any, ...] | None = None
    _maxFrame = MAX_FRAME_SIZE
    _maxMessage = MAX_MESSAGE_SIZE
    _outgoingFrameSize = DEFAULT_OUTGOING_FRAME_SIZE
    _sslConfiguration: QSslConfiguration | None = None

    # -- the handshake ----------------------------------------------------

    def version(self) -> QWebSocketProtocol.Version:
        """
        The protocol version; mirrors C{QWebSocket::version}.
        """
        return self._version

    def requestUrl(self) -> str:
        """
        The URL of the opening handshake; mirrors C{QWebSocket::requestUrl}.
        On the server: C{ws://} (C{wss://}), the C{Host} header and the
        request target (B89).
        """
        if self._handshake is not None:
            return self._handshake.requestUrl
        return self._clientRequest.url() if self._clientRequest is not None else ""

    def resourceName(self) -> str:
        """
        Mirrors C{QWebSocket::resourceName}: on the server, the whole
        request URL as Qt 6.12 returns it (B90); on a client, the path and
        query sent.
        """
        if self._handshake is not None:
            return self._handshake.resourceName
        return self._resourceName

    def request(self) -> QNetworkRequest:
        """
        The upgrade request; mirrors C{QWebSocket::request}.  On the server
        it carries the request URL and every header field, names
        lower-cased (B91).
        """
        if self._handshake is not None:
            return QNetworkRequest._fromFields(
                self._handshake.requestUrl, self._handshake.headers.combined()
            )
        if self._clientRequest is not None:
            return QNetworkRequest._fromFields(
                self._clientRequest.url(), self._clientRequest._headers
            )
        return QNetworkRequest()

    def handshakeOptions(self) -> QWebSocketHandshakeOptions:
        """
        Mirrors C{QWebSocket::handshakeOptions}: on the server, the
        subprotocols the client offered, in its order (B76).
        """
        options = QWebSocketHandshakeOptions(self._options)
        if self._handshake is not None:
            options.setSubprotocols(self._handshake.protocols)
        return options

    def origin(self) -> str:
        """
        The origin: on the server the request's C{Origin} header (B89), on
        a client the one given to the constructor.  Mirrors
        C{QWebSocket::origin}.
        """
        if self._handshake is not None:
            return self._handshake.origin
        return self._origin

    def subprotocol(self) -> str:
        """
        The subprotocol agreed on, or C{""}; mirrors C{QWebSocket::subprotocol}.
        """
        return self._subprotocol

    # -- addresses --------------------------------------------------------

    def _rawTransport(self) -> Any:
        return self._transport

    def _peerTuple(self) -> tuple[Any, ...] | None:
        if self._peer is None and self._transport is not None:
            self._peer = _transport.peerOf(self._transport)
        return self._peer

    def peerName(self) -> str:
        """
        The host name given to L{open()<qtwisted.QWebSocket.open>}, or C{""}.
        """
        return self._peerName

    # -- limits -----------------------------------------------------------

    def _setLimit(self, attribute: str, size: int, maximum: int) -> None:
        # Set on this socket and its protocol, which reads the same name;
        # values above the maximum are ignored, as in Qt.
        if size <= maximum:
            setattr(self, attribute, size)
            if self._proto is not None:
                setattr(self._proto, attribute, size)

    def setMaxAllowedIncomingFrameSize(self, maxAllowedIncomingFrameSize: int) -> None:
        """
        Refuse frames larger than this (close code 1009, B102); mirrors
        C{QWebSocket::setMaxAllowedIncomingFrameSize}.  Values above
        L{maxIncomingFrameSize} are ignored, as in Qt.

        @raise ValueError: for a negative size.
        """
        self._setLimit(
            "_maxFrame",
            _checkSize(maxAllowedIncomingFrameSize, "maxAllowedIncomingFrameSize"),
            MAX_FRAME_SIZE,
        )

    def maxAllowedIncomingFrameSize(self) -> int:
        """
        The frame size limit (default 2,147,483,646).
        """
        return self._maxFrame

    def setMaxAllowedIncomingMessageSize(self, maxAllowedIncomingMessageSize: int) -> None:
        """
        Refuse messages larger than this (close code 1009, B102); mirrors
        C{QWebSocket::setMaxAllowedIncomingMessageSize}.  Values above
        L{maxIncomingMessageSize} are ignored, as in Qt.

        @raise ValueError: for a negative size.
        """
        self._setLimit(
            "_maxMessage",
            _checkSize(maxAllowedIncomingMessageSize, "maxAllowedIncomingMessageSize"),
            MAX_MESSAGE_SIZE,
        )

    def maxAllowedIncomingMessageSize(self) -> int:
        """
        The message size limit (default 2,147,483,646).
        """
        return self._maxMessage

    @staticmethod
    def maxIncomingFrameSize() -> int:
        """
        The largest frame size limit: 2,147,483,646, as in Qt.
        """
        return MAX_FRAME_SIZE

    @staticmethod
    def maxIncomingMessageSize() -> int:
        """
        The largest message size limit: 2,147,483,646, as in Qt.
        """
        return MAX_MESSAGE_SIZE

    def setOutgoingFrameSize(self, outgoingFrameSize: int) -> None:
        """
        Split outgoing messages into frames of at most this many bytes
        (default 524,288); mirrors C{QWebSocket::setOutgoingFrameSize}.
        Values above L{maxOutgoingFrameSize} are ignored, as in Qt.

        @raise ValueError: for a size below 1 (Qt divides by it).
        """
        size = _checkSize(outgoingFrameSize, "outgoingFrameSize")
        if size < 1:
            raise ValueError("outgoingFrameSize must be at least 1")
        if size <= MAX_OUTGOING_FRAME_SIZE:
            self._outgoingFrameSize = size
            if self._proto is not None:
                self._proto.autoFragmentSize = size

    def outgoingFrameSize(self) -> int:
        """
        The largest frame C{sendTextMessage()} and C{sendBinaryMessage()} send.
        """
        return self._outgoingFrameSize

    @staticmethod
    def maxOutgoingFrameSize() -> int:
        """
        The largest outgoing frame size: 2,147,483,646, as in Qt.
        """
        return MAX_OUTGOING_FRAME_SIZE

    # -- TLS --------------------------------------------------------------

    def sslConfiguration(self) -> QSslConfiguration:
        """
        The TLS configuration; mirrors C{QWebSocket::sslConfiguration}.
        """
        if self._sslConfiguration is not None:
            return self._sslConfiguration
        return QSslConfiguration.defaultConfiguration()

    def setSslConfiguration(self, sslConfiguration: QSslConfiguration) -> None:
        """
        Set the TLS configuration for the next L{open()<qtwisted.QWebSocket.open>} of a C{wss} URL;
        mirrors C{QWebSocket::setSslConfiguration}.
        """
        if not isinstance(sslConfiguration, QSslConfiguration):
            raise TypeError(f"sslConfiguration must be a QSslConfiguration, not {sslConfiguration!r}")
        self._sslConfiguration = sslConfiguration

"""
The C{twistd qtwisted} plugin: one ServiceMaker pointing at L{qtwisted.tap}.

This directory must never contain an C{__init__.py} (it would shadow
Twisted's own C{twisted.plugins} package).
"""

from twisted.application.service import ServiceMaker

qtwisted = ServiceMaker(
    "qtwisted",
    "qtwisted.tap",
    "Serve Qt-style TCP, TLS and WebSocket applications (QTcpServer, QSslServer, QWebSocketServer on Twisted)",
    "qtwisted",
)

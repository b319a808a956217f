# -*- test-case-name: tests.test_sslconfiguration -*-
"""
Qt's TLS classes: the value types, the pyOpenSSL context cache, and
C{QSslSocket} / C{QSslServer} (private package).

The public names are re-exported from L{qtwisted}; import them from there.
There is no C{__all__}, so that the API reference documents them as
C{qtwisted.QSsl...} (see C{qtwisted/_signal.py}); the C{X as X} imports
are explicit re-exports for mypy.

Importing the package registers the context hooks every qtwisted TLS
context gets (L{qtwisted._ssl._context.addContextHook}): TLS-PSK
(L{qtwisted._ssl._psk}) and alert reporting (L{qtwisted._ssl._alerts}), as
Qt sets its PSK and info callbacks on every connection.
"""

from . import _alerts, _psk
from ._certificate import QSslCertificate as QSslCertificate
from ._cipher import QSslCipher as QSslCipher
from ._configuration import QSslConfiguration as QSslConfiguration
from ._context import addContextHook
from ._error import QSslError as QSslError
from ._key import QSslKey as QSslKey
from ._presharedkey import QSslPreSharedKeyAuthenticator as QSslPreSharedKeyAuthenticator
from ._qssl import QSsl as QSsl
from ._server import QSslServer as QSslServer
from ._socket import QSslSocket as QSslSocket

addContextHook(_psk.contextHook)
addContextHook(_alerts.contextHook)

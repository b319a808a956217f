# -*- test-case-name: tests.test_sslconfiguration -*-
"""
Qt's TLS value types and the pyOpenSSL context cache (private package).

The public names are re-exported from L{qtwisted}; import them from there.
There is no C{__all__}, so that the API reference documents them as
C{qtwisted.QSsl...} (see C{qtwisted/_signal.py}); the C{X as X} imports
are explicit re-exports for mypy.
"""

from ._certificate import QSslCertificate as QSslCertificate
from ._cipher import QSslCipher as QSslCipher
from ._configuration import QSslConfiguration as QSslConfiguration
from ._error import QSslError as QSslError
from ._key import QSslKey as QSslKey
from ._presharedkey import QSslPreSharedKeyAuthenticator as QSslPreSharedKeyAuthenticator
from ._qssl import QSsl as QSsl

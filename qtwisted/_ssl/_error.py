# -*- test-case-name: tests.test_sslerror -*-
"""
L{QSslError}: one certificate-verification problem, as Qt 6's C{QSslError},
and the translation from OpenSSL's X509 verification codes into it.

Strings
=======

L{QSslError.errorString} returns Qt's English text, spelled exactly as
C{QSslError::errorString()} spells it (qtbase
C{src/network/ssl/qsslerror.cpp}, Qt 6): users compare these strings.  Two
oddities are Qt's and are kept: C{NoSslSupport} has an empty string, and
C{CertificateStatusUnknown} falls through to C{"Unknown error"}.

OpenSSL codes
=============

During a handshake OpenSSL reports each problem with a chain as an
C{X509_V_ERR_*} number (C{X509_STORE_CTX_get_error}); pyOpenSSL hands it to
the verify callback as C{errno}.  L{fromX509VerifyCode} maps it the way
Qt's OpenSSL backend does (C{X509CertificateOpenSSL::openSSLErrorToQSslError}
in C{src/plugins/tls/openssl/qx509_openssl.cpp}): eighteen codes have a
C{QSslError} of their own, every other code becomes C{UnspecifiedError}
(with the certificate), and C{X509_V_OK} is C{NoError}.  The numbers are
OpenSSL 1.1/3.x's (C{include/openssl/x509_vfy.h}); C{X509_V_ERR_INVALID_CA}
is 79 since OpenSSL 1.1.0 (24 is now C{X509_V_ERR_NO_ISSUER_PUBLIC_KEY}).
"""

from __future__ import annotations

import enum
from typing import Final

from ._certificate import QSslCertificate

# No __all__ here: pydoctor moves a name re-exported by qtwisted/__init__.py
# into the public package only when its own module does not list it in
# __all__ (see qtwisted/_signal.py).


class QSslError:
    """
    Mirrors C{QSslError}: an error code and, when the error concerns one,
    the certificate.

    A value type: equal when code and certificate are equal (Qt's
    C{operator==}), hashable, and immutable in Python (Qt's C{swap()} is
    not provided; rebind the name instead).
    """

    class SslError(enum.IntEnum):
        """
        C{QSslError::SslError}, with Qt 6's numbers.
        """

        NoError = 0
        UnableToGetIssuerCertificate = 1
        UnableToDecryptCertificateSignature = 2
        UnableToDecodeIssuerPublicKey = 3
        CertificateSignatureFailed = 4
        CertificateNotYetValid = 5
        CertificateExpired = 6
        InvalidNotBeforeField = 7
        InvalidNotAfterField = 8
        SelfSignedCertificate = 9
        SelfSignedCertificateInChain = 10
        UnableToGetLocalIssuerCertificate = 11
        UnableToVerifyFirstCertificate = 12
        CertificateRevoked = 13
        InvalidCaCertificate = 14
        PathLengthExceeded = 15
        InvalidPurpose = 16
        CertificateUntrusted = 17
        CertificateRejected = 18
        SubjectIssuerMismatch = 19
        AuthorityIssuerSerialNumberMismatch = 20
        NoPeerCertificate = 21
        HostNameMismatch = 22
        NoSslSupport = 23
        CertificateBlacklisted = 24
        CertificateStatusUnknown = 25
        OcspNoResponseFound = 26
        OcspMalformedRequest = 27
        OcspMalformedResponse = 28
        OcspInternalError = 29
        OcspTryLater = 30
        OcspSigRequred = 31
        OcspUnauthorized = 32
        OcspResponseCannotBeTrusted = 33
        OcspResponseCertIdUnknown = 34
        OcspResponseExpired = 35
        OcspStatusUnknown = 36
        UnspecifiedError = -1

    # Qt's unscoped aliases (QSslError::SelfSignedCertificate, ...).
    NoError: Final = SslError.NoError
    UnableToGetIssuerCertificate: Final = SslError.UnableToGetIssuerCertificate
    UnableToDecryptCertificateSignature: Final = SslError.UnableToDecryptCertificateSignature
    UnableToDecodeIssuerPublicKey: Final = SslError.UnableToDecodeIssuerPublicKey
    CertificateSignatureFailed: Final = SslError.CertificateSignatureFailed
    CertificateNotYetValid: Final = SslError.CertificateNotYetValid
    CertificateExpired: Final = SslError.CertificateExpired
    InvalidNotBeforeField: Final = SslError.InvalidNotBeforeField
    InvalidNotAfterField: Final = SslError.InvalidNotAfterField
    SelfSignedCertificate: Final = SslError.SelfSignedCertificate
    SelfSignedCertificateInChain: Final = SslError.SelfSignedCertificateInChain
    UnableToGetLocalIssuerCertificate: Final = SslError.UnableToGetLocalIssuerCertificate
    UnableToVerifyFirstCertificate: Final = SslError.UnableToVerifyFirstCertificate
    CertificateRevoked: Final = SslError.CertificateRevoked
    InvalidCaCertificate: Final = SslError.InvalidCaCertificate
    PathLengthExceeded: Final = SslError.PathLengthExceeded
    InvalidPurpose: Final = SslError.InvalidPurpose
    CertificateUntrusted: Final = SslError.CertificateUntrusted
    CertificateRejected: Final = SslError.CertificateRejected
    SubjectIssuerMismatch: Final = SslError.SubjectIssuerMismatch
    AuthorityIssuerSerialNumberMismatch: Final = SslError.AuthorityIssuerSerialNumberMismatch
    NoPeerCertificate: Final = SslError.NoPeerCertificate
    HostNameMismatch: Final = SslError.HostNameMismatch
    NoSslSupport: Final = SslError.NoSslSupport
    CertificateBlacklisted: Final = SslError.CertificateBlacklisted
    CertificateStatusUnknown: Final = SslError.CertificateStatusUnknown
    OcspNoResponseFound: Final = SslError.OcspNoResponseFound
    OcspMalformedRequest: Final = SslError.OcspMalformedRequest
    OcspMalformedResponse: Final = SslError.OcspMalformedResponse
    OcspInternalError: Final = SslError.OcspInternalError
    OcspTryLater: Final = SslError.OcspTryLater
    OcspSigRequred: Final = SslError.OcspSigRequred
    OcspUnauthorized: Final = SslError.OcspUnauthorized
    OcspResponseCannotBeTrusted: Final = SslError.OcspResponseCannotBeTrusted
    OcspResponseCertIdUnknown: Final = SslError.OcspResponseCertIdUnknown
    OcspResponseExpired: Final = SslError.OcspResponseExpired
    OcspStatusUnknown: Final = SslError.OcspStatusUnknown
    UnspecifiedError: Final = SslError.UnspecifiedError

    __slots__ = ("_error", "_certificate")

    _error: QSslError.SslError
    _certificate: QSslCertificate

    def __init__(
        self,
        error: QSslError.SslError | int = SslError.NoError,
        certificate: QSslCertificate | None = None,
    ) -> None:
        """
        Mirrors C{QSslError()}, C{QSslError(error)} and
        C{QSslError(error, certificate)}.

        @param error: a L{QSslError.SslError} member or its number.
        @param certificate: the certificate the error is about; C{None} (or
            a null certificate) when there is none.
        @raise ValueError: C{error} is not one of Qt's codes.
        @raise TypeError: C{certificate} is not a L{QSslCertificate}.
        """
        try:
            code = QSslError.SslError(error)
        except ValueError:
            raise ValueError(f"{error!r} is not a QSslError.SslError code") from None
        if certificate is None:
            certificate = QSslCertificate()
        elif not isinstance(certificate, QSslCertificate):
            raise TypeError(
                f"certificate must be a QSslCertificate, not {type(certificate).__name__}"
            )
        object.__setattr__(self, "_error", code)
        object.__setattr__(self, "_certificate", certificate)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("QSslError is immutable")

    def error(self) -> QSslError.SslError:
        """
        Mirrors C{QSslError::error()}: the error code.
        """
        return self._error

    def errorString(self) -> str:
        """
        Mirrors C{QSslError::errorString()}: Qt's English description.
        """
        return _STRINGS.get(self._error, _UNKNOWN)

    def certificate(self) -> QSslCertificate:
        """
        Mirrors C{QSslError::certificate()}: the certificate the error is
        about, or a null certificate.
        """
        return self._certificate

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslError):
            return NotImplemented
        return self._error == other._error and self._certificate == other._certificate

    def __hash__(self) -> int:
        return hash((int(self._error), self._certificate))

    def __repr__(self) -> str:
        if self._certificate.isNull():
            return f"QSslError({self._error.name})"
        return f"QSslError({self._error.name}, {self._certificate!r})"

    def __reduce__(self) -> tuple[type[QSslError], tuple[int, QSslCertificate]]:
        return (QSslError, (int(self._error), self._certificate))


_E = QSslError.SslError
_UNKNOWN: Final = "Unknown error"

# QSslError::errorString(), Qt 6 (qsslerror.cpp).  Codes missing from this
# table (CertificateStatusUnknown, UnspecifiedError) get "Unknown error",
# Qt's default branch.
_STRINGS: Final[dict[QSslError.SslError, str]] = {
    _E.NoError: "No error",
    _E.UnableToGetIssuerCertificate: "The issuer certificate could not be found",
    _E.UnableToDecryptCertificateSignature: ("The certificate signature could not be decrypted"),
    _E.UnableToDecodeIssuerPublicKey: ("The public key in the certificate could not be read"),
    _E.CertificateSignatureFailed: "The signature of the certificate is invalid",
    _E.CertificateNotYetValid: "The certificate is not yet valid",
    _E.CertificateExpired: "The certificate has expired",
    _E.InvalidNotBeforeField: ("The certificate's notBefore field contains an invalid time"),
    _E.InvalidNotAfterField: "The certificate's notAfter field contains an invalid time",
    _E.SelfSignedCertificate: "The certificate is self-signed, and untrusted",
    _E.SelfSignedCertificateInChain: (
        "The root certificate of the certificate chain is self-signed, and untrusted"
    ),
    _E.UnableToGetLocalIssuerCertificate: (
        "The issuer certificate of a locally looked up certificate could not be found"
    ),
    _E.UnableToVerifyFirstCertificate: "No certificates could be verified",
    _E.InvalidCaCertificate: "One of the CA certificates is invalid",
    _E.PathLengthExceeded: ("The basicConstraints path length parameter has been exceeded"),
    _E.InvalidPurpose: "The supplied certificate is unsuitable for this purpose",
    _E.CertificateUntrusted: "The root CA certificate is not trusted for this purpose",
    _E.CertificateRejected: ("The root CA certificate is marked to reject the specified purpose"),
    _E.SubjectIssuerMismatch: (
        "The current candidate issuer certificate was rejected because its"
        " subject name did not match the issuer name of the current certificate"
    ),
    _E.AuthorityIssuerSerialNumberMismatch: (
        "The current candidate issuer certificate was rejected because"
        " its issuer name and serial number was present and did not match the"
        " authority key identifier of the current certificate"
    ),
    _E.NoPeerCertificate: "The peer did not present any certificate",
    _E.HostNameMismatch: (
        "The host name did not match any of the valid hosts for this certificate"
    ),
    _E.NoSslSupport: "",
    _E.CertificateBlacklisted: "The peer certificate is blacklisted",
    _E.OcspNoResponseFound: "No OCSP status response found",
    _E.OcspMalformedRequest: "The OCSP status request had invalid syntax",
    _E.OcspMalformedResponse: (
        "OCSP response contains an unexpected number of SingleResponse structures"
    ),
    _E.OcspInternalError: "OCSP responder reached an inconsistent internal state",
    _E.OcspTryLater: ("OCSP responder was unable to return a status for the requested certificate"),
    _E.OcspSigRequred: (
        "The server requires the client to sign the OCSP request in order to"
        " construct a response"
    ),
    _E.OcspUnauthorized: ("The client is not authorized to request OCSP status from this server"),
    _E.OcspResponseCannotBeTrusted: "OCSP responder's identity cannot be verified",
    _E.OcspResponseCertIdUnknown: (
        "The identity of a certificate in an OCSP response cannot be established"
    ),
    _E.OcspResponseExpired: "The certificate status response has expired",
    _E.OcspStatusUnknown: "The certificate's status is unknown",
}


class X509VerifyCode(enum.IntEnum):
    """
    The OpenSSL C{X509_V_ERR_*} verification codes that Qt translates
    (C{include/openssl/x509_vfy.h}, OpenSSL 1.1 and later), plus a few
    that are common in practice and end up as C{UnspecifiedError}.
    """

    X509_V_OK = 0
    X509_V_ERR_UNSPECIFIED = 1
    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT = 2
    X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE = 4
    X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY = 6
    X509_V_ERR_CERT_SIGNATURE_FAILURE = 7
    X509_V_ERR_CERT_NOT_YET_VALID = 9
    X509_V_ERR_CERT_HAS_EXPIRED = 10
    X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD = 13
    X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD = 14
    X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT = 18
    X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN = 19
    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
    X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21
    X509_V_ERR_CERT_CHAIN_TOO_LONG = 22
    X509_V_ERR_CERT_REVOKED = 23
    X509_V_ERR_NO_ISSUER_PUBLIC_KEY = 24
    X509_V_ERR_PATH_LENGTH_EXCEEDED = 25
    X509_V_ERR_INVALID_PURPOSE = 26
    X509_V_ERR_CERT_UNTRUSTED = 27
    X509_V_ERR_CERT_REJECTED = 28
    X509_V_ERR_SUBJECT_ISSUER_MISMATCH = 29
    X509_V_ERR_AKID_SKID_MISMATCH = 30
    X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH = 31
    X509_V_ERR_KEYUSAGE_NO_CERTSIGN = 32
    X509_V_ERR_INVALID_NON_CA = 37
    X509_V_ERR_HOSTNAME_MISMATCH = 62
    X509_V_ERR_EE_KEY_TOO_SMALL = 66
    X509_V_ERR_CA_KEY_TOO_SMALL = 67
    X509_V_ERR_CA_MD_TOO_WEAK = 68
    X509_V_ERR_INVALID_CA = 79


_V = X509VerifyCode

# X509CertificateOpenSSL::openSSLErrorToQSslError (qx509_openssl.cpp).
_FROM_X509: Final[dict[int, QSslError.SslError]] = {
    _V.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: _E.UnableToGetIssuerCertificate,
    _V.X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE: (_E.UnableToDecryptCertificateSignature),
    _V.X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: _E.UnableToDecodeIssuerPublicKey,
    _V.X509_V_ERR_CERT_SIGNATURE_FAILURE: _E.CertificateSignatureFailed,
    _V.X509_V_ERR_CERT_NOT_YET_VALID: _E.CertificateNotYetValid,
    _V.X509_V_ERR_CERT_HAS_EXPIRED: _E.CertificateExpired,
    _V.X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD: _E.InvalidNotBeforeField,
    _V.X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD: _E.InvalidNotAfterField,
    _V.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: _E.SelfSignedCertificate,
    _V.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: _E.SelfSignedCertificateInChain,
    _V.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: _E.UnableToGetLocalIssuerCertificate,
    _V.X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: _E.UnableToVerifyFirstCertificate,
    _V.X509_V_ERR_CERT_REVOKED: _E.CertificateRevoked,
    _V.X509_V_ERR_INVALID_CA: _E.InvalidCaCertificate,
    _V.X509_V_ERR_PATH_LENGTH_EXCEEDED: _E.PathLengthExceeded,
    _V.X509_V_ERR_INVALID_PURPOSE: _E.InvalidPurpose,
    _V.X509_V_ERR_CERT_UNTRUSTED: _E.CertificateUntrusted,
    _V.X509_V_ERR_CERT_REJECTED: _E.CertificateRejected,
}


def fromX509VerifyCode(code: int, certificate: QSslCertificate | None = None) -> QSslError:
    """
    The L{QSslError} that Qt's OpenSSL backend reports for an OpenSSL
    verification code (C{openSSLErrorToQSslError}).

    @param code: an C{X509_V_ERR_*} number, as given to a pyOpenSSL verify
        callback (C{errno}) or by C{X509_STORE_CTX_get_error}.
    @param certificate: the certificate at the depth where OpenSSL found
        the problem (Qt uses C{peerCertificateChain().value(depth)}).
    @return: C{QSslError()} (C{NoError}, no certificate) for C{X509_V_OK},
        which OpenSSL also reports when the peer sent no certificate; the
        mapped error for the eighteen codes Qt knows; C{UnspecifiedError}
        with the certificate for every other code.
    """
    if code == _V.X509_V_OK:
        return QSslError()
    return QSslError(_FROM_X509.get(code, _E.UnspecifiedError), certificate)

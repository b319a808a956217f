"""
Tests for L{qtwisted._ssl._error} (L{QSslError} and the OpenSSL verify-code
mapping) and for the L{QSsl} enumerations of L{qtwisted._ssl._qssl}.
"""

from __future__ import annotations

import pickle

from OpenSSL import crypto
from twisted.trial.unittest import SynchronousTestCase

from qtwisted._ssl._certificate import QSslCertificate
from qtwisted._ssl._error import QSslError, X509VerifyCode, fromX509VerifyCode
from qtwisted._ssl._qssl import PeerVerifyMode, QSsl, SslMode, toAlertType

from . import _certs

E = QSslError.SslError


class QSslErrorTests(SynchronousTestCase):
    """
    L{QSslError} is Qt's value type with Qt's codes and strings.
    """

    def test_defaultIsNoError(self) -> None:
        """
        C{QSslError()} is C{NoError} ("No error") with a null certificate (§1.6).
        """
        error = QSslError()
        self.assertIs(error.error(), E.NoError)
        self.assertEqual(error.errorString(), "No error")
        self.assertTrue(error.certificate().isNull())

    def test_codesAreQtNumbers(self) -> None:
        """
        The SslError enum runs 0..36 plus UnspecifiedError = -1, in Qt 6's order.
        """
        self.assertEqual([int(e) for e in E if e >= 0], list(range(37)))
        self.assertEqual(E.UnspecifiedError, -1)
        self.assertEqual(E.SelfSignedCertificate, 9)
        self.assertEqual(E.CertificateUntrusted, 17)
        self.assertEqual(E.NoPeerCertificate, 21)
        self.assertEqual(E.HostNameMismatch, 22)
        self.assertEqual(E.CertificateBlacklisted, 24)
        self.assertEqual(E.OcspStatusUnknown, 36)

    def test_unscopedAliases(self) -> None:
        """
        Every code is also reachable as C{QSslError.<name>}, as in C++.
        """
        for member in E:
            self.assertIs(getattr(QSslError, member.name), member)

    def test_qtStrings(self) -> None:
        """
        errorString() spells the §1.6 strings exactly as Qt 6 does.
        """
        expected = {
            E.CertificateNotYetValid: "The certificate is not yet valid",
            E.CertificateExpired: "The certificate has expired",
            E.SelfSignedCertificate: "The certificate is self-signed, and untrusted",
            E.SelfSignedCertificateInChain: (
                "The root certificate of the certificate chain is self-signed, and untrusted"
            ),
            E.UnableToGetLocalIssuerCertificate: (
                "The issuer certificate of a locally looked up certificate could not be found"
            ),
            E.UnableToVerifyFirstCertificate: "No certificates could be verified",
            E.CertificateUntrusted: "The root CA certificate is not trusted for this purpose",
            E.NoPeerCertificate: "The peer did not present any certificate",
            E.HostNameMismatch: (
                "The host name did not match any of the valid hosts for this certificate"
            ),
            E.UnspecifiedError: "Unknown error",
            E.OcspStatusUnknown: "The certificate's status is unknown",
        }
        for code, text in expected.items():
            self.assertEqual(QSslError(code).errorString(), text, code.name)

    def test_qtStringQuirks(self) -> None:
        """
        As in Qt, NoSslSupport has no text and CertificateStatusUnknown says "Unknown error".
        """
        self.assertEqual(QSslError(E.NoSslSupport).errorString(), "")
        self.assertEqual(QSslError(E.CertificateStatusUnknown).errorString(), "Unknown error")

    def test_everyCodeHasAString(self) -> None:
        """
        Every code but NoSslSupport has a non-empty string.
        """
        for code in E:
            if code is not E.NoSslSupport:
                self.assertTrue(QSslError(code).errorString(), code.name)

    def test_intCode(self) -> None:
        """
        A plain int is accepted and converted to the enum member.
        """
        self.assertIs(QSslError(21).error(), E.NoPeerCertificate)

    def test_badCode(self) -> None:
        """
        A number that is not a Qt code raises ValueError naming it.
        """
        exc = self.assertRaises(ValueError, QSslError, 99)
        self.assertIn("99", str(exc))

    def test_badCertificate(self) -> None:
        """
        A certificate argument that is not a QSslCertificate raises TypeError.
        """
        self.assertRaises(TypeError, QSslError, E.CertificateExpired, b"pem")

    def test_equalityComparesCodeAndCertificate(self) -> None:
        """
        Two errors are equal when code and certificate are equal; they hash alike.
        """
        cert = QSslCertificate(_certs.selfSigned().certificatePem())
        other = QSslCertificate(_certs.server().certificatePem())
        a = QSslError(E.SelfSignedCertificate, cert)
        self.assertEqual(
            a, QSslError(E.SelfSignedCertificate, QSslCertificate(cert.toDer(), QSsl.Der))
        )
        self.assertEqual(hash(a), hash(QSslError(9, cert)))
        self.assertNotEqual(a, QSslError(E.SelfSignedCertificate, other))
        self.assertNotEqual(a, QSslError(E.SelfSignedCertificate))
        self.assertNotEqual(a, QSslError(E.CertificateExpired, cert))
        self.assertEqual(len({a, QSslError(9, cert), QSslError()}), 2)

    def test_certificate(self) -> None:
        """
        certificate() returns the certificate given.
        """
        cert = QSslCertificate(_certs.selfSigned().certificatePem())
        self.assertEqual(QSslError(E.SelfSignedCertificate, cert).certificate(), cert)

    def test_immutable(self) -> None:
        """
        An error cannot be changed after construction.
        """
        self.assertRaises(AttributeError, setattr, QSslError(), "_error", E.CertificateExpired)

    def test_pickle(self) -> None:
        """
        An error survives pickling.
        """
        cert = QSslCertificate(_certs.selfSigned().certificatePem())
        error = QSslError(E.SelfSignedCertificate, cert)
        self.assertEqual(pickle.loads(pickle.dumps(error)), error)

    def test_repr(self) -> None:
        """
        repr() names the code.
        """
        self.assertEqual(repr(QSslError(E.NoPeerCertificate)), "QSslError(NoPeerCertificate)")


class X509VerifyCodeTests(SynchronousTestCase):
    """
    L{fromX509VerifyCode} maps OpenSSL's codes as Qt's openSSLErrorToQSslError.
    """

    def test_table(self) -> None:
        """
        The eighteen codes Qt translates map to their QSslError.
        """
        V = X509VerifyCode
        expected = {
            V.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: E.UnableToGetIssuerCertificate,
            V.X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE: E.UnableToDecryptCertificateSignature,
            V.X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: E.UnableToDecodeIssuerPublicKey,
            V.X509_V_ERR_CERT_SIGNATURE_FAILURE: E.CertificateSignatureFailed,
            V.X509_V_ERR_CERT_NOT_YET_VALID: E.CertificateNotYetValid,
            V.X509_V_ERR_CERT_HAS_EXPIRED: E.CertificateExpired,
            V.X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD: E.InvalidNotBeforeField,
            V.X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD: E.InvalidNotAfterField,
            V.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: E.SelfSignedCertificate,
            V.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: E.SelfSignedCertificateInChain,
            V.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: E.UnableToGetLocalIssuerCertificate,
            V.X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: E.UnableToVerifyFirstCertificate,
            V.X509_V_ERR_CERT_REVOKED: E.CertificateRevoked,
            V.X509_V_ERR_INVALID_CA: E.InvalidCaCertificate,
            V.X509_V_ERR_PATH_LENGTH_EXCEEDED: E.PathLengthExceeded,
            V.X509_V_ERR_INVALID_PURPOSE: E.InvalidPurpose,
            V.X509_V_ERR_CERT_UNTRUSTED: E.CertificateUntrusted,
            V.X509_V_ERR_CERT_REJECTED: E.CertificateRejected,
        }
        self.assertEqual(len(expected), 18)
        for code, qt in expected.items():
            self.assertIs(fromX509VerifyCode(code).error(), qt, code.name)

    def test_numbers(self) -> None:
        """
        The OpenSSL numbers are those of x509_vfy.h (OpenSSL 1.1 and later).
        """
        self.assertEqual(X509VerifyCode.X509_V_ERR_CERT_HAS_EXPIRED, 10)
        self.assertEqual(X509VerifyCode.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 18)
        self.assertEqual(X509VerifyCode.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20)
        self.assertEqual(X509VerifyCode.X509_V_ERR_INVALID_CA, 79)

    def test_okIsNoError(self) -> None:
        """
        X509_V_OK gives QSslError() without a certificate.
        """
        cert = QSslCertificate(_certs.selfSigned().certificatePem())
        self.assertEqual(fromX509VerifyCode(0, cert), QSslError())

    def test_otherCodesAreUnspecified(self) -> None:
        """
        Codes Qt does not name become UnspecifiedError, keeping the certificate.
        """
        cert = QSslCertificate(_certs.selfSigned().certificatePem())
        for code in (1, 22, 24, 29, 62, 66, 9999):
            error = fromX509VerifyCode(code, cert)
            self.assertIs(error.error(), E.UnspecifiedError, code)
            self.assertEqual(error.certificate(), cert)

    def test_certificateKept(self) -> None:
        """
        The mapped error carries the certificate given.
        """
        cert = QSslCertificate(_certs.selfSigned().certificatePem())
        self.assertEqual(fromX509VerifyCode(18, cert), QSslError(E.SelfSignedCertificate, cert))

    def _verify(self, leaf: bytes, *cas: bytes) -> int:
        store = crypto.X509Store()
        for ca in cas:
            store.add_cert(crypto.X509.from_cryptography(QSslCertificate(ca)._x509()))
        context = crypto.X509StoreContext(store, QSslCertificate(leaf)._openssl())
        try:
            context.verify_certificate()
        except crypto.X509StoreContextError as e:
            code = e.errors[0]
            assert isinstance(code, int)
            return code
        return 0

    def test_realOpenSSLCodes(self) -> None:
        """
        Codes produced by this OpenSSL for real chains map to Qt's errors.
        """
        ca = _certs.ca().certificatePem()
        cases = [
            (self._verify(_certs.selfSigned().certificatePem()), E.SelfSignedCertificate),
            (self._verify(_certs.expired().certificatePem(), ca), E.CertificateExpired),
            (
                self._verify(_certs.server().certificatePem()),
                E.UnableToGetLocalIssuerCertificate,
            ),
        ]
        for code, qt in cases:
            self.assertIs(fromX509VerifyCode(code).error(), qt)
        self.assertEqual(self._verify(_certs.server().certificatePem(), ca), 0)


class QSslEnumTests(SynchronousTestCase):
    """
    L{QSsl} holds Qt's enumerations with Qt's numbers.
    """

    def test_simpleEnums(self) -> None:
        """
        KeyType, EncodingFormat, KeyAlgorithm and AlternativeNameEntryType have Qt's values.
        """
        self.assertEqual((QSsl.PrivateKey, QSsl.PublicKey), (0, 1))
        self.assertEqual((QSsl.Pem, QSsl.Der), (0, 1))
        self.assertEqual(
            [QSsl.Opaque, QSsl.Rsa, QSsl.Dsa, QSsl.Ec, QSsl.Dh, QSsl.MlDsa], list(range(6))
        )
        self.assertEqual((QSsl.EmailEntry, QSsl.DnsEntry, QSsl.IpAddressEntry), (0, 1, 2))

    def test_sslProtocol(self) -> None:
        """
        SslProtocol has the §1.7 values.
        """
        P = QSsl.SslProtocol
        self.assertEqual(
            {p.name: int(p) for p in P},
            {
                "TlsV1_0": 0,
                "TlsV1_1": 1,
                "TlsV1_2": 2,
                "AnyProtocol": 3,
                "SecureProtocols": 4,
                "TlsV1_0OrLater": 5,
                "TlsV1_1OrLater": 6,
                "TlsV1_2OrLater": 7,
                "DtlsV1_0": 8,
                "DtlsV1_0OrLater": 9,
                "DtlsV1_2": 10,
                "DtlsV1_2OrLater": 11,
                "TlsV1_3": 12,
                "TlsV1_3OrLater": 13,
                "UnknownProtocol": -1,
            },
        )

    def test_unscopedAliases(self) -> None:
        """
        The unscoped C++ enums are also reachable as QSsl.<name>.
        """
        for enum in (
            QSsl.KeyType,
            QSsl.EncodingFormat,
            QSsl.KeyAlgorithm,
            QSsl.AlternativeNameEntryType,
            QSsl.SslProtocol,
            QSsl.SslOption,
        ):
            for member in enum:
                self.assertIs(getattr(QSsl, member.name), member)

    def test_enumClassesHaveNoAliases(self) -> None:
        """
        AlertLevel and AlertType are C++ enum classes: no unscoped names.
        """
        self.assertFalse(hasattr(QSsl, "Fatal"))
        self.assertFalse(hasattr(QSsl, "CloseNotify"))

    def test_sslOptionFlags(self) -> None:
        """
        SslOption values are Qt's bits and combine as flags.
        """
        self.assertEqual(QSsl.SslOptionDisableEmptyFragments, 0x01)
        self.assertEqual(QSsl.SslOptionDisableServerCipherPreference, 0x80)
        combined = QSsl.SslOptionDisableCompression | QSsl.SslOptionDisableSessionTickets
        self.assertIsInstance(combined, QSsl.SslOptions)
        self.assertEqual(combined, 0x06)

    def test_alertLevel(self) -> None:
        """
        AlertLevel is Warning=0, Fatal=1, Unknown=2.
        """
        L = QSsl.AlertLevel
        self.assertEqual((L.Warning, L.Fatal, L.Unknown), (0, 1, 2))

    def test_alertTypes(self) -> None:
        """
        AlertType carries the TLS alert numbers with Qt's names.
        """
        expected = {
            "CloseNotify": 0, "UnexpectedMessage": 10, "BadRecordMac": 20,
            "RecordOverflow": 22, "DecompressionFailure": 30, "HandshakeFailure": 40,
            "NoCertificate": 41, "BadCertificate": 42, "UnsupportedCertificate": 43,
            "CertificateRevoked": 44, "CertificateExpired": 45, "CertificateUnknown": 46,
            "IllegalParameter": 47, "UnknownCa": 48, "AccessDenied": 49,
            "DecodeError": 50, "DecryptError": 51, "ExportRestriction": 60,
            "ProtocolVersion": 70, "InsufficientSecurity": 71, "InternalError": 80,
            "InappropriateFallback": 86, "UserCancelled": 90, "NoRenegotiation": 100,
            "MissingExtension": 109, "UnsupportedExtension": 110,
            "CertificateUnobtainable": 111, "UnrecognizedName": 112,
            "BadCertificateStatusResponse": 113, "BadCertificateHashValue": 114,
            "UnknownPskIdentity": 115, "CertificateRequired": 116,
            "NoApplicationProtocol": 120, "UnknownAlertMessage": 255,
        }  # fmt: skip
        self.assertEqual({t.name: int(t) for t in QSsl.AlertType}, expected)

    def test_toAlertType(self) -> None:
        """
        toAlertType gives the member, or the number itself when Qt has no name (as Qt).
        """
        self.assertIs(toAlertType(48), QSsl.AlertType.UnknownCa)
        self.assertIs(toAlertType(0x100 | 40), QSsl.AlertType.HandshakeFailure)
        self.assertEqual(toAlertType(7), 7)
        self.assertNotIsInstance(toAlertType(7), QSsl.AlertType)

    def test_socketEnums(self) -> None:
        """
        PeerVerifyMode and SslMode carry QSslSocket's values.
        """
        self.assertEqual([int(m) for m in PeerVerifyMode], [0, 1, 2, 3])
        self.assertEqual(PeerVerifyMode.AutoVerifyPeer, 3)
        self.assertEqual(
            (SslMode.UnencryptedMode, SslMode.SslClientMode, SslMode.SslServerMode), (0, 1, 2)
        )

    def test_namespace(self) -> None:
        """
        QSsl is a namespace: instantiating it raises TypeError.
        """
        self.assertRaises(TypeError, QSsl)

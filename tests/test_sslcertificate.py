"""
Tests for L{qtwisted._ssl._certificate} (L{QSslCertificate}) and
L{qtwisted._ssl._key} (L{QSslKey}).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from twisted.trial.unittest import SynchronousTestCase

from qtwisted._ssl._certificate import QSslCertificate
from qtwisted._ssl._key import QSslKey
from qtwisted._ssl._qssl import QSsl

from . import _certs

Info = QSslCertificate.SubjectInfo


def _pem(credentials: _certs.Credentials) -> bytes:
    return credentials.certificatePem()


class QSslCertificateTests(SynchronousTestCase):
    """
    L{QSslCertificate} parses, describes and compares certificates as Qt.
    """

    def test_null(self) -> None:
        """
        QSslCertificate() is null and every query answers empty.
        """
        cert = QSslCertificate()
        self.assertTrue(cert.isNull())
        self.assertEqual(cert.version(), b"")
        self.assertEqual(cert.serialNumber(), b"")
        self.assertIsNone(cert.effectiveDate())
        self.assertIsNone(cert.expiryDate())
        self.assertEqual(cert.toPem(), b"")
        self.assertEqual(cert.toDer(), b"")
        self.assertEqual(cert.toText(), "")
        self.assertEqual(cert.subjectInfo(Info.CommonName), [])
        self.assertEqual(cert.subjectAlternativeNames(), {})
        self.assertFalse(cert.isSelfSigned())
        self.assertTrue(cert.publicKey().isNull())
        self.assertIsNone(cert.handle())
        self.assertEqual(cert, QSslCertificate(b"garbage"))

    def test_pemRoundTrip(self) -> None:
        """
        toPem() gives back the PEM a certificate was read from.
        """
        pem = _pem(_certs.server())
        cert = QSslCertificate(pem)
        self.assertFalse(cert.isNull())
        self.assertEqual(cert.toPem(), pem)
        self.assertEqual(cert.toDer(), _certs.server().certificateDer())

    def test_derRoundTrip(self) -> None:
        """
        A certificate read as DER equals the one read as PEM.
        """
        der = _certs.server().certificateDer()
        cert = QSslCertificate(der, QSsl.Der)
        self.assertEqual(cert.toDer(), der)
        self.assertEqual(cert, QSslCertificate(_pem(_certs.server())))
        self.assertTrue(QSslCertificate(der).isNull())

    def test_firstCertificate(self) -> None:
        """
        The constructor keeps the first certificate of a bundle.
        """
        bundle = _pem(_certs.server()) + _pem(_certs.ca())
        self.assertEqual(QSslCertificate(bundle), QSslCertificate(_pem(_certs.server())))

    def test_fromData(self) -> None:
        """
        fromData() returns every certificate, skipping text between blocks and broken blocks.
        """
        broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        bundle = b"# comment\n" + _pem(_certs.server()) + broken + b"x\n" + _pem(_certs.ca())
        certs = QSslCertificate.fromData(bundle)
        self.assertEqual(
            [c.subjectInfo(Info.CommonName) for c in certs],
            [["localhost"], ["qtwisted test CA"]],
        )
        self.assertEqual(QSslCertificate.fromData(b"nothing here"), [])

    def test_fromDataDer(self) -> None:
        """
        fromData() reads consecutive DER certificates and stops at garbage.
        """
        der = _certs.server().certificateDer() + _certs.ca().certificateDer()
        self.assertEqual(len(QSslCertificate.fromData(der, QSsl.Der)), 2)
        self.assertEqual(len(QSslCertificate.fromData(der + b"\x30\x03abc", QSsl.Der)), 2)
        self.assertEqual(QSslCertificate.fromData(b"\x30\x82\xff", QSsl.Der), [])

    def test_fromDevice(self) -> None:
        """
        fromDevice() and the constructor read binary file objects.
        """
        pem = _pem(_certs.ca())
        self.assertEqual(len(QSslCertificate.fromDevice(io.BytesIO(pem))), 1)
        self.assertFalse(QSslCertificate(io.BytesIO(pem)).isNull())
        self.assertRaises(TypeError, QSslCertificate, 42)

    def test_fromPathFile(self) -> None:
        """
        fromPath() with a plain file path reads every certificate of that file.
        """
        directory = self.mktemp()
        path, _ = _certs.server().write(directory, "server")
        with open(path, "ab") as f:
            f.write(_pem(_certs.ca()))
        certs = QSslCertificate.fromPath(path)
        self.assertEqual(len(certs), 2)
        self.assertEqual(certs[0], QSslCertificate(_pem(_certs.server())))
        self.assertEqual(QSslCertificate.fromFile(path), certs)

    def test_fromPathMissing(self) -> None:
        """
        fromPath() and fromFile() give an empty list for a missing file, as Qt.
        """
        missing = os.path.join(self.mktemp(), "missing.pem")
        self.assertEqual(QSslCertificate.fromPath(missing), [])
        self.assertEqual(QSslCertificate.fromFile(missing), [])
        self.assertEqual(QSslCertificate.fromPath(""), [])

    def test_fromPathWildcard(self) -> None:
        """
        fromPath() with Wildcard syntax reads every matching file.
        """
        directory = self.mktemp()
        _certs.server().write(directory, "a")
        _certs.ca().write(directory, "b")
        _certs.client().write(os.path.join(directory, "sub"), "c")
        found = QSslCertificate.fromPath(
            os.path.join(directory, "*.crt"), syntax=QSslCertificate.PatternSyntax.Wildcard
        )
        self.assertEqual(
            sorted(c.subjectInfo(Info.CommonName)[0] for c in found),
            ["localhost", "qtwisted test CA"],
        )

    def test_fromPathRegularExpression(self) -> None:
        """
        fromPath() with RegularExpression syntax matches whole paths.
        """
        directory = self.mktemp()
        _certs.server().write(directory, "a")
        _certs.ca().write(directory, "b")
        found = QSslCertificate.fromPath(
            directory + "/[a]\\.crt", syntax=QSslCertificate.PatternSyntax.RegularExpression
        )
        self.assertEqual([c.subjectInfo(Info.CommonName) for c in found], [["localhost"]])

    def test_loadNamesMissingFile(self) -> None:
        """
        load() of a missing file raises OSError naming the file.
        """
        missing = os.path.join(self.mktemp(), "nope.pem")
        exc = self.assertRaises(OSError, QSslCertificate.load, missing)
        self.assertEqual(exc.filename, missing)

    def test_loadNamesGarbageFile(self) -> None:
        """
        load() of a file without a certificate raises ValueError naming it.
        """
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b"this is not PEM\n")
        exc = self.assertRaises(ValueError, QSslCertificate.load, path)
        self.assertIn(repr(path), str(exc))
        self.assertIn("no PEM certificate", str(exc))
        self.assertRaises(ValueError, QSslCertificate.load, b"garbage")

    def test_loadRemembersFile(self) -> None:
        """
        load() returns the certificates and remembers where they came from.
        """
        path, _ = _certs.server().write(self.mktemp(), "server")
        [cert] = QSslCertificate.load(path)
        self.assertEqual(cert, QSslCertificate(_pem(_certs.server())))
        self.assertEqual(cert._describe(), repr(path))

    def test_subjectInfo(self) -> None:
        """
        subjectInfo() answers for SubjectInfo members and attribute names.
        """
        cert = QSslCertificate(_pem(_certs.server()))
        self.assertEqual(cert.subjectInfo(Info.CommonName), ["localhost"])
        self.assertEqual(cert.subjectInfo(QSslCertificate.Organization), ["qtwisted"])
        self.assertEqual(cert.subjectInfo(Info.OrganizationalUnitName), ["servers"])
        self.assertEqual(cert.subjectInfo(Info.CountryName), ["NO"])
        self.assertEqual(cert.subjectInfo(Info.LocalityName), ["Oslo"])
        self.assertEqual(cert.subjectInfo(Info.StateOrProvinceName), ["Oslo"])
        self.assertEqual(cert.subjectInfo(Info.EmailAddress), [])
        self.assertEqual(cert.subjectInfo(b"CN"), ["localhost"])
        self.assertEqual(cert.subjectInfo("2.5.4.3"), [])
        self.assertEqual(cert.subjectInfoAttributes(), [b"C", b"CN", b"L", b"O", b"OU", b"ST"])
        client = QSslCertificate(_pem(_certs.client()))
        self.assertEqual(client.subjectInfo(Info.EmailAddress), ["client@example.com"])

    def test_issuerInfo(self) -> None:
        """
        issuerInfo() describes the issuer.
        """
        cert = QSslCertificate(_pem(_certs.server()))
        self.assertEqual(cert.issuerInfo(Info.CommonName), ["qtwisted test CA"])
        self.assertEqual(cert.issuerInfo(Info.Organization), ["qtwisted"])
        self.assertEqual(cert.issuerInfoAttributes(), [b"CN", b"O"])
        self.assertEqual(cert.issuerDisplayName(), "qtwisted test CA")
        self.assertEqual(cert.subjectDisplayName(), "localhost")

    def test_subjectAlternativeNames(self) -> None:
        """
        subjectAlternativeNames() lists DNS, e-mail and IP entries.
        """
        names = QSslCertificate(_pem(_certs.server())).subjectAlternativeNames()
        self.assertEqual(
            names,
            {
                QSsl.DnsEntry: ["localhost"],
                QSsl.EmailEntry: ["admin@localhost"],
                QSsl.IpAddressEntry: ["127.0.0.1", "::1"],
            },
        )
        self.assertEqual(QSslCertificate(_pem(_certs.ca())).subjectAlternativeNames(), {})

    def test_serialAndVersion(self) -> None:
        """
        serialNumber() is colon-separated hex bytes; version() is b"3".
        """
        cert = QSslCertificate(_pem(_certs.server()))
        self.assertEqual(cert.serialNumber(), b"12:34:ab")
        self.assertEqual(cert.version(), b"3")

    def test_dates(self) -> None:
        """
        effectiveDate() and expiryDate() are the validity bounds, in UTC.
        """
        source = _certs.server().certificate
        cert = QSslCertificate(_pem(_certs.server()))
        self.assertEqual(cert.effectiveDate(), source.not_valid_before_utc)
        self.assertEqual(cert.expiryDate(), source.not_valid_after_utc)

    def test_isSelfSigned(self) -> None:
        """
        Self-signed certificates (and the CA) are; issued ones are not.
        """
        self.assertTrue(QSslCertificate(_pem(_certs.selfSigned())).isSelfSigned())
        self.assertTrue(QSslCertificate(_pem(_certs.ca())).isSelfSigned())
        self.assertFalse(QSslCertificate(_pem(_certs.server())).isSelfSigned())

    def test_digest(self) -> None:
        """
        digest() hashes the DER (MD5 by default, as Qt); unknown names raise.
        """
        cert = QSslCertificate(_pem(_certs.server()))
        der = cert.toDer()
        self.assertEqual(cert.digest(), hashlib.md5(der).digest())
        self.assertEqual(cert.digest("Sha256"), hashlib.sha256(der).digest())
        self.assertRaises(ValueError, cert.digest, "rot13")

    def test_equality(self) -> None:
        """
        Certificates compare and hash by their DER encoding.
        """
        a = QSslCertificate(_pem(_certs.server()))
        b = QSslCertificate(_certs.server().certificateDer(), QSsl.Der)
        self.assertEqual(a, b)
        self.assertEqual(hash(a), hash(b))
        self.assertNotEqual(a, QSslCertificate(_pem(_certs.ca())))
        self.assertNotEqual(a, QSslCertificate())
        self.assertEqual(len({a, b, QSslCertificate()}), 2)

    def test_publicKey(self) -> None:
        """
        publicKey() is the subject's public key as a QSslKey.
        """
        key = QSslCertificate(_pem(_certs.server())).publicKey()
        self.assertEqual(key.type(), QSsl.PublicKey)
        self.assertEqual(key.algorithm(), QSsl.Ec)
        self.assertEqual(key.length(), 256)
        public = (
            _certs.server()
            .key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        self.assertEqual(key, QSslKey(public, QSsl.Ec, type=QSsl.PublicKey))

    def test_toText(self) -> None:
        """
        toText() is OpenSSL's printout.
        """
        text = QSslCertificate(_pem(_certs.server())).toText()
        self.assertIn("Certificate:", text)
        self.assertIn("CN=localhost", text)

    def test_handles(self) -> None:
        """
        handle() is the cryptography certificate; _openssl() a pyOpenSSL X509.
        """
        cert = QSslCertificate(_pem(_certs.server()))
        self.assertIsInstance(cert.handle(), x509.Certificate)
        self.assertEqual(cert._openssl().to_cryptography(), cert.handle())
        self.assertRaises(ValueError, QSslCertificate()._x509)

    def test_immutableAndPicklable(self) -> None:
        """
        A certificate cannot be changed, and survives pickling.
        """
        cert = QSslCertificate(_pem(_certs.server()))
        self.assertRaises(AttributeError, setattr, cert, "_der", b"")
        self.assertEqual(pickle.loads(pickle.dumps(cert)), cert)

    def test_importPkcs12(self) -> None:
        """
        importPkcs12() returns key, certificate and CA certificates, or None.
        """
        creds = _certs.server()
        blob = pkcs12.serialize_key_and_certificates(
            b"srv",
            creds.key,  # type: ignore[arg-type]
            creds.certificate,
            [_certs.ca().certificate],
            serialization.BestAvailableEncryption(b"secret"),
        )
        result = QSslCertificate.importPkcs12(blob, b"secret")
        assert result is not None
        key, cert, cas = result
        self.assertEqual(cert, QSslCertificate(_pem(creds)))
        self.assertEqual(key, QSslKey(creds.keyPem()))
        self.assertEqual(cas, [QSslCertificate(_pem(_certs.ca()))])
        self.assertIsNone(QSslCertificate.importPkcs12(blob, b"wrong"))


class QSslKeyTests(SynchronousTestCase):
    """
    L{QSslKey} loads keys as Qt (null on failure) and explains failures.
    """

    def test_null(self) -> None:
        """
        QSslKey() is null: Opaque, length -1, empty encodings.
        """
        key = QSslKey()
        self.assertTrue(key.isNull())
        self.assertEqual(key.algorithm(), QSsl.Opaque)
        self.assertEqual(key.type(), QSsl.PrivateKey)
        self.assertEqual(key.length(), -1)
        self.assertEqual(key.toPem(), b"")
        self.assertEqual(key.toDer(), b"")
        self.assertIsNone(key.handle())
        self.assertEqual(key, QSslKey())

    def test_ecKey(self) -> None:
        """
        An EC private key loads with algorithm Ec and its curve size.
        """
        key = QSslKey(_certs.server().keyPem(), QSsl.Ec)
        self.assertFalse(key.isNull())
        self.assertEqual(key.algorithm(), QSsl.Ec)
        self.assertEqual(key.type(), QSsl.PrivateKey)
        self.assertEqual(key.length(), 256)

    def test_rsaKey(self) -> None:
        """
        An RSA key loads with algorithm Rsa and its size; toPem() is traditional.
        """
        pem = _certs.rsaServer().keyPem()
        key = QSslKey(pem, QSsl.Rsa)
        self.assertEqual((key.algorithm(), key.length()), (QSsl.Rsa, 2048))
        self.assertTrue(key.toPem().startswith(b"-----BEGIN RSA PRIVATE KEY-----"))
        self.assertEqual(QSslKey(key.toPem(), QSsl.Rsa), key)

    def test_wrongAlgorithmIsNull(self) -> None:
        """
        A key of another algorithm than asked for gives a null key, with the reason kept.
        """
        key = QSslKey(_certs.server().keyPem(), QSsl.Rsa)
        self.assertTrue(key.isNull())
        self.assertEqual(key._loadError, "the key data holds an EC key, not an RSA key")

    def test_anyAlgorithm(self) -> None:
        """
        algorithm=None (a qtwisted extension) accepts any key.
        """
        self.assertEqual(QSslKey(_certs.server().keyPem()).algorithm(), QSsl.Ec)

    def test_garbageIsNull(self) -> None:
        """
        Data that is not a key gives a null key; load() raises ValueError saying why.
        """
        self.assertTrue(QSslKey(b"garbage", QSsl.Rsa).isNull())
        self.assertTrue(QSslKey(b"", QSsl.Rsa).isNull())
        exc = self.assertRaises(ValueError, QSslKey.load, b"garbage", QSsl.Rsa)
        self.assertEqual(str(exc), "the key data does not hold a PEM private key")

    def test_passPhrase(self) -> None:
        """
        An encrypted key loads with the right passphrase (PEM and DER).
        """
        pem = _certs.server().keyPem(b"s3cret")
        key = QSslKey(pem, QSsl.Ec, passPhrase=b"s3cret")
        self.assertEqual(key, QSslKey(_certs.server().keyPem(), QSsl.Ec))
        der = _certs.server().key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
        self.assertEqual(QSslKey(der, QSsl.Ec, QSsl.Der, passPhrase=b"s3cret"), key)

    def test_wrongPassPhrase(self) -> None:
        """
        A wrong passphrase gives a null key; load() says so, naming the file.
        """
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(_certs.server().keyPem(b"s3cret"))
        self.assertTrue(
            QSslKey(_certs.server().keyPem(b"s3cret"), QSsl.Ec, passPhrase=b"nope").isNull()
        )
        exc = self.assertRaises(ValueError, QSslKey.load, path, QSsl.Ec, passPhrase=b"nope")
        self.assertEqual(str(exc), f"wrong passphrase for the private key in {path!r}")

    def test_missingPassPhrase(self) -> None:
        """
        An encrypted key without a passphrase gives a null key and a clear reason.
        """
        key = QSslKey(_certs.server().keyPem(b"s3cret"), QSsl.Ec)
        self.assertTrue(key.isNull())
        self.assertEqual(
            key._loadError,
            "the key data is an encrypted private key and no passphrase was given",
        )

    def test_passPhraseForClearKey(self) -> None:
        """
        A passphrase given for an unencrypted key is ignored, as OpenSSL does.
        """
        self.assertFalse(QSslKey(_certs.server().keyPem(), QSsl.Ec, passPhrase=b"x").isNull())

    def test_derRoundTrip(self) -> None:
        """
        toDer() reads back as the same key; it is empty with a passphrase (Qt).
        """
        key = QSslKey(_certs.server().keyPem(), QSsl.Ec)
        self.assertEqual(QSslKey(key.toDer(), QSsl.Ec, QSsl.Der), key)
        self.assertEqual(QSslKey(_certs.server().keyDer(), QSsl.Ec, QSsl.Der), key)
        self.assertEqual(key.toDer(b"secret"), b"")

    def test_encryptedToPem(self) -> None:
        """
        toPem(passPhrase) writes an encrypted key that reads back with it.
        """
        key = QSslKey(_certs.server().keyPem(), QSsl.Ec)
        encrypted = key.toPem(b"pw")
        self.assertIn(b"ENCRYPTED", encrypted)
        self.assertTrue(QSslKey(encrypted, QSsl.Ec).isNull())
        self.assertEqual(QSslKey(encrypted, QSsl.Ec, passPhrase=b"pw"), key)

    def test_publicKey(self) -> None:
        """
        A public key loads as PublicKey; as PrivateKey it gives a null key.
        """
        public = (
            _certs.server()
            .key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        key = QSslKey(public, QSsl.Ec, type=QSsl.PublicKey)
        self.assertEqual((key.type(), key.length()), (QSsl.PublicKey, 256))
        self.assertTrue(key.toPem().startswith(b"-----BEGIN PUBLIC KEY-----"))
        self.assertTrue(QSslKey(public, QSsl.Ec).isNull())
        self.assertNotEqual(key, QSslKey(_certs.server().keyPem(), QSsl.Ec))

    def test_opaqueKey(self) -> None:
        """
        An Ed25519 key is Opaque: length -1, no DER (as Qt), PKCS#8 PEM.
        """
        pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        key = QSslKey(pem, QSsl.Opaque)
        self.assertEqual((key.algorithm(), key.length()), (QSsl.Opaque, -1))
        self.assertEqual(key.toDer(), b"")
        self.assertEqual(QSslKey(key.toPem(), QSsl.Opaque), key)
        self.assertTrue(QSslKey(pem, QSsl.Ec).isNull())

    def test_loadFile(self) -> None:
        """
        load() reads a file and remembers it; a missing file raises OSError naming it.
        """
        _, keyPath = _certs.server().write(self.mktemp(), "server")
        key = QSslKey.load(keyPath, QSsl.Ec)
        self.assertEqual(key, QSslKey(_certs.server().keyPem(), QSsl.Ec))
        self.assertEqual(key._describe(), " " + repr(keyPath))
        missing = keyPath + ".missing"
        exc = self.assertRaises(OSError, QSslKey.load, missing)
        self.assertEqual(exc.filename, missing)

    def test_loadGarbageFileNamesIt(self) -> None:
        """
        load() of a file that holds no key names the file.
        """
        certPath, _ = _certs.server().write(self.mktemp(), "server")
        exc = self.assertRaises(ValueError, QSslKey.load, certPath)
        self.assertEqual(str(exc), f"{certPath!r} does not hold a PEM private key")

    def test_fileObject(self) -> None:
        """
        The constructor reads a binary file object (Qt's QIODevice overload).
        """
        key = QSslKey(io.BytesIO(_certs.server().keyPem()), QSsl.Ec)
        self.assertFalse(key.isNull())

    def test_equalityAndHash(self) -> None:
        """
        Keys compare by algorithm, type, length and encoding; equal keys hash alike.
        """
        a = QSslKey(_certs.server().keyPem(), QSsl.Ec)
        b = QSslKey(_certs.server().keyDer(), QSsl.Ec, QSsl.Der)
        self.assertEqual(a, b)
        self.assertEqual(hash(a), hash(b))
        self.assertNotEqual(a, QSslKey(_certs.client().keyPem(), QSsl.Ec))
        self.assertNotEqual(a, QSslKey())
        self.assertRaises(AttributeError, setattr, a, "_key", None)

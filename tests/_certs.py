"""
Throw-away certificates and keys for the TLS tests, generated with
C{cryptography} when first asked for (nothing secret is committed).

  - L{ca}: a CA; L{server} (CN=localhost, SAN DNS localhost and IP
    127.0.0.1) and L{client} (CN=client) are issued by it;
  - L{selfSigned}: a self-signed certificate (CN=self-signed);
  - L{expired}: a certificate issued by L{ca} that expired yesterday;
  - L{rsaKey}: a 2048-bit RSA key (the others are P-256 EC keys).

Each is a L{Credentials}: the C{cryptography} certificate and key, with PEM
and DER helpers.  Generation happens once per test run.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Credentials:
    """
    A certificate and its private key.
    """

    certificate: x509.Certificate
    key: CertificateIssuerPrivateKeyTypes

    def certificatePem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def certificateDer(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def keyPem(self, passPhrase: bytes = b"") -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passPhrase)
            if passPhrase
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def keyDer(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write(self, directory: str, name: str) -> tuple[str, str]:
        """
        Write C{name}.crt and C{name}.key (PEM) into C{directory}.

        @return: the two paths.
        """
        os.makedirs(directory, exist_ok=True)
        certPath = os.path.join(directory, name + ".crt")
        keyPath = os.path.join(directory, name + ".key")
        with open(certPath, "wb") as f:
            f.write(self.certificatePem())
        with open(keyPath, "wb") as f:
            f.write(self.keyPem())
        return certPath, keyPath


def _name(commonName: str, **extra: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, commonName)]
    oids = {
        "O": NameOID.ORGANIZATION_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "C": NameOID.COUNTRY_NAME,
        "L": NameOID.LOCALITY_NAME,
        "ST": NameOID.STATE_OR_PROVINCE_NAME,
        "emailAddress": NameOID.EMAIL_ADDRESS,
    }
    for key, value in extra.items():
        attributes.append(x509.NameAttribute(oids[key], value))
    return x509.Name(attributes)


def _issue(
    subject: x509.Name,
    key: CertificateIssuerPrivateKeyTypes,
    issuer: Credentials | None,
    *,
    isCA: bool = False,
    serial: int | None = None,
    notBefore: datetime.datetime | None = None,
    notAfter: datetime.datetime | None = None,
    san: list[x509.GeneralName] | None = None,
    usage: list[x509.ObjectIdentifier] | None = None,
) -> Credentials:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(notBefore or now - _DAY)
        .not_valid_after(notAfter or now + 30 * _DAY)
        .add_extension(x509.BasicConstraints(ca=isCA, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
    signer = issuer.key if issuer else key
    return Credentials(builder.sign(signer, hashes.SHA256()), key)


def _ecKey() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@lru_cache(maxsize=None)
def ca() -> Credentials:
    """
    A CA certificate (CN=qtwisted test CA, O=qtwisted).
    """
    return _issue(_name("qtwisted test CA", O="qtwisted"), _ecKey(), None, isCA=True)


@lru_cache(maxsize=None)
def server() -> Credentials:
    """
    A server certificate for localhost, issued by L{ca}.
    """
    return _issue(
        _name("localhost", O="qtwisted", OU="servers", C="NO", L="Oslo", ST="Oslo"),
        _ecKey(),
        ca(),
        serial=0x1234AB,
        san=[
            x509.DNSName("localhost"),
            x509.RFC822Name("admin@localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ],
        usage=[ExtendedKeyUsageOID.SERVER_AUTH],
    )


@lru_cache(maxsize=None)
def client() -> Credentials:
    """
    A client certificate (CN=client), issued by L{ca}.
    """
    return _issue(
        _name("client", emailAddress="client@example.com"),
        _ecKey(),
        ca(),
        usage=[ExtendedKeyUsageOID.CLIENT_AUTH],
    )


@lru_cache(maxsize=None)
def selfSigned() -> Credentials:
    """
    A self-signed certificate (CN=self-signed).
    """
    return _issue(_name("self-signed"), _ecKey(), None)


@lru_cache(maxsize=None)
def expired() -> Credentials:
    """
    A certificate issued by L{ca} that expired yesterday.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    return _issue(_name("expired"), _ecKey(), ca(), notBefore=now - 10 * _DAY, notAfter=now - _DAY)


@lru_cache(maxsize=None)
def rsaKey() -> rsa.RSAPrivateKey:
    """
    A 2048-bit RSA private key.
    """
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@lru_cache(maxsize=None)
def rsaServer() -> Credentials:
    """
    A self-signed RSA certificate (CN=rsa).
    """
    return _issue(_name("rsa"), rsaKey(), None)

"""The agency's signing certificate: what the exported case file's PAdES signature is made with.

A PDF signature that readers check (Adobe Reader, Foxit/福昕, WPS, poppler, pyHanko) needs an X.509
certificate. No certificate authority is reachable offline, so each device that exports case files issues
the agency a **self-signed** certificate: subject and issuer ``CN = O = <agency name>``, ``OU = 设备 <device
id>`` (a laptop and the office machine hold different keys for the same agency). A reader therefore shows
"signature valid, the file unchanged, identity unknown" until the user trusts this certificate after comparing
its SHA-256 fingerprint (:func:`fingerprint`) with the one the agency publishes.

Choices, and why:

- **RSA-2048, PKCS#1 v1.5 with SHA-256.** Every PDF reader accepts it (Ed25519 in PDF signatures is rare in
  readers; ECDSA is well supported but randomised), and PKCS#1 v1.5 is deterministic: the same case file
  signs to the same bytes, so a re-export stays byte-identical.
- **Valid from 2000-01-01 to 9999-12-31 23:59:59 UTC.** The file is signed at its case's last event time,
  which may be long before the certificate was issued (a case recorded before this feature, or an old case
  exported again); and case files are kept 30 years or permanently, longer than any ordinary certificate
  lives. 9999-12-31 is RFC 5280's value for "no well-defined expiration date". A certificate that must be
  withdrawn is replaced by issuing a new one (the record keeps both, so older files still verify).
- ``BasicConstraints(ca=True)`` and ``keyCertSign``: a self-signed certificate is its own trust anchor, and
  validators (pyHanko's among them) want an anchor to be a CA; ``digitalSignature`` and
  ``nonRepudiation`` (content commitment) for the signature itself.

Pure: no keystore, no database (the services keep the key and record the certificate).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_BITS = 2048
VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
VALID_TO = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def key_bytes(key: rsa.RSAPrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 DER, for the keystore (which encrypts what it keeps)."""
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_key(raw: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("执法主体签章密钥不是 RSA 密钥")
    return key


def issue(key: rsa.RSAPrivateKey, agency_name: str, device_id: str) -> bytes:
    """A self-signed certificate for ``agency_name`` over ``key``, as DER."""
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, agency_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"设备 {device_id[:16]}"),
    ])
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_TO)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def fingerprint(der: bytes) -> str:
    """The certificate's SHA-256 fingerprint as people compare it: 64 hex digits in groups of four. Readers
    show the same digits in the certificate's details, spaced their own way."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return " ".join(digest[i:i + 4] for i in range(0, 64, 4))


def subject(der: bytes) -> str:
    """The certificate's common name (the agency it names)."""
    names = x509.load_der_x509_certificate(der).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def public_key_bytes(key: rsa.RSAPrivateKey) -> bytes:
    """The public half as SubjectPublicKeyInfo DER (what a certificate carries)."""
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_of(der: bytes) -> bytes:
    """The certificate's public key as SubjectPublicKeyInfo DER."""
    return x509.load_der_x509_certificate(der).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

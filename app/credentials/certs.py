"""X.509 helpers: load DER or PEM, and the DCC key id rule."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from .errors import CredentialError

KID_LENGTH = 8


def load_certificate(data: bytes | str | x509.Certificate) -> x509.Certificate:
    """Load an X.509 certificate from DER or PEM bytes (or PEM text)."""
    if isinstance(data, x509.Certificate):
        return data
    if isinstance(data, str):
        data = data.encode("ascii")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise CredentialError(f"not an X.509 certificate: {exc}") from None


def certificate_der(cert: x509.Certificate) -> bytes:
    """The certificate in DER, the form the kid is computed over."""
    return cert.public_bytes(Encoding.DER)


def compute_kid(cert: x509.Certificate | bytes) -> bytes:
    """kid = first 8 bytes of SHA-256 over the certificate's DER (the EU DCC rule)."""
    der = cert if isinstance(cert, bytes) else certificate_der(cert)
    return hashlib.sha256(der).digest()[:KID_LENGTH]


def common_name(cert: x509.Certificate) -> str | None:
    """The subject's CN (or O) for display as the issuer's name."""
    for oid in (x509.NameOID.COMMON_NAME, x509.NameOID.ORGANIZATION_NAME):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            value = attrs[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return None

"""X.509 helpers: load DER or PEM, the DCC key id rule and the DCC key-usage OIDs."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from .errors import CredentialError

KID_LENGTH = 8

# EU DCC technical specification (volume 1, section 5.2.1): extended-key-usage OIDs that
# restrict which health-certificate types a Document Signer Certificate may sign. The
# second arc (with the extra 0) is an alternative spelling and means the same.
DCC_KEY_USAGE = {
    "1.3.6.1.4.1.1847.2021.1.1": "t",  # test
    "1.3.6.1.4.1.1847.2021.1.2": "v",  # vaccination
    "1.3.6.1.4.1.1847.2021.1.3": "r",  # recovery
    "1.3.6.1.4.1.0.1847.2021.1.1": "t",
    "1.3.6.1.4.1.0.1847.2021.1.2": "v",
    "1.3.6.1.4.1.0.1847.2021.1.3": "r",
}
_OID_EXTENDED_KEY_USAGE = x509.ObjectIdentifier("2.5.29.37")


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


def dcc_types(cert: x509.Certificate) -> frozenset[str] | None:
    """The DCC types ('v', 't', 'r') this certificate may sign; None means every type.

    A certificate whose extended key usage names none of the DCC_KEY_USAGE OIDs (no EKU
    at all, or only other OIDs such as ICAO's) is not restricted, as the specification says.
    """
    try:
        extension = cert.extensions.get_extension_for_oid(_OID_EXTENDED_KEY_USAGE)
    except x509.ExtensionNotFound:
        return None
    except (ValueError, x509.DuplicateExtension):
        # cryptography parses all extensions at once and refuses any one that breaks strict
        # DER or its ASN.1 bounds: common/CO15's EKU is an empty SEQUENCE (SIZE(1..MAX) says
        # at least one OID; "InvalidSize"), other DSCs spell out BasicConstraints' default
        # cA FALSE ("EncodedDefault"). Such certificates are in real trust lists. Treating
        # them as unrestricted would let a restricted DSC sign every type, so the EKU is read
        # from the raw DER instead, the way the JavaScript verifier always reads it; if even
        # that fails, CredentialError refuses the certificate.
        found = frozenset(_dcc_types_from_der(certificate_der(cert)))
    else:
        usages = [oid.dotted_string for oid in extension.value]  # type: ignore[attr-defined]
        found = frozenset(DCC_KEY_USAGE[oid] for oid in usages if oid in DCC_KEY_USAGE)
    return found or None


def _encode_oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    out = bytearray()
    for value in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [value & 0x7F]
        while value := value >> 7:
            chunk.append(0x80 | (value & 0x7F))
        out += bytes(reversed(chunk))
    return bytes(out)


_DCC_KEY_USAGE_DER = {_encode_oid(oid): kind for oid, kind in DCC_KEY_USAGE.items()}
_EXTENDED_KEY_USAGE_DER = _encode_oid(_OID_EXTENDED_KEY_USAGE.dotted_string)


def _dcc_types_from_der(der: bytes) -> list[str]:
    """DCC types named by the first EKU extension, read straight from the DER: Certificate
    > TBSCertificate > [3] extensions > Extension(2.5.29.37) > OCTET STRING > SEQUENCE OF
    OID. Raises CredentialError when that path is not well-formed DER."""
    try:
        (certificate,) = _children(der, 0, len(der))
        tbs = _children(der, *_expect(certificate, 0x30))[0]
        for tag, start, end in _children(der, *_expect(tbs, 0x30)):
            if tag != 0xA3:
                continue
            (extensions,) = _children(der, start, end)
            for extension in _children(der, *_expect(extensions, 0x30)):
                parts = _children(der, *_expect(extension, 0x30))
                oid_start, oid_end = _expect(parts[0], 0x06)
                if der[oid_start:oid_end] != _EXTENDED_KEY_USAGE_DER:
                    continue
                (usages,) = _children(der, *_expect(parts[-1], 0x04))
                oids = [
                    der[slice(*_expect(item, 0x06))]
                    for item in _children(der, *_expect(usages, 0x30))
                ]
                return [_DCC_KEY_USAGE_DER[oid] for oid in oids if oid in _DCC_KEY_USAGE_DER]
        return []
    except (IndexError, ValueError) as exc:
        raise CredentialError(f"unreadable certificate extensions: {exc}") from None


def _children(der: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """The DER elements between start and end, as (tag, content start, content end)."""
    out = []
    pos = start
    while pos < end:
        if pos + 2 > end:
            raise ValueError("truncated DER")
        tag, length = der[pos], der[pos + 1]
        pos += 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4 or pos + count > end:
                raise ValueError("bad DER length")
            length = int.from_bytes(der[pos : pos + count], "big")
            pos += count
        if pos + length > end:
            raise ValueError("truncated DER")
        out.append((tag, pos, pos + length))
        pos += length
    return out


def _expect(element: tuple[int, int, int], tag: int) -> tuple[int, int]:
    if element[0] != tag:
        raise ValueError(f"DER tag {element[0]:#x}, expected {tag:#x}")
    return element[1], element[2]

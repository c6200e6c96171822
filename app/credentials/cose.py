"""COSE_Sign1 (RFC 9052) with ES256 and PS256, plus a strict CBOR reader.

Only what the HC1/FG1 envelope needs: one signer, attached payload, external_aad empty.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from .errors import CborError, CoseError

ALG_ES256 = -7
ALG_PS256 = -37
ALG_NAMES = {ALG_ES256: "ES256", ALG_PS256: "PS256"}

HEADER_ALG = 1
HEADER_CONTENT_TYPE = 3
HEADER_KID = 4

TAG_COSE_SIGN1 = 18
TAG_CWT = 61

# Nesting deeper than this is never legitimate in a QR credential and only costs stack.
MAX_DEPTH = 24
_P256_BYTES = 32
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())  # stateless; built once (it shows in profiles)
_PSS_SHA256 = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def cbor_loads(data: bytes) -> Any:
    """Decode exactly one CBOR item; trailing bytes and duplicate map keys are errors.

    cbor2.loads ignores trailing data, which would let a tampered code carry garbage.
    """
    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(stream, max_depth=MAX_DEPTH, allow_duplicate_keys=False)
        value = decoder.decode()
    except Exception as exc:  # cbor2 raises several types (and ValueError from tag decoders)
        raise CborError(f"malformed CBOR: {exc}") from None
    if stream.tell() != len(data):
        raise CborError(f"{len(data) - stream.tell()} bytes of trailing data after CBOR item")
    return value


@dataclass(frozen=True)
class Sign1:
    """A decoded COSE_Sign1 message. `protected` keeps the exact bytes that were signed."""

    protected: bytes
    protected_header: dict[Any, Any]
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes
    tags: tuple[int, ...] = field(default=())

    def header(self, label: int) -> Any:
        """A header value; the protected bucket wins (a kid in the unprotected one cannot
        override a signed kid, as DCC test vectors CO21/CO22 require)."""
        if label in self.protected_header:
            return self.protected_header[label]
        return self.unprotected.get(label)

    @property
    def alg(self) -> Any:
        return self.header(HEADER_ALG)

    @property
    def kid(self) -> Any:
        return self.header(HEADER_KID)

    def to_be_signed(self) -> bytes:
        """The Sig_structure of RFC 9052 section 4.4 for COSE_Sign1."""
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def decode_sign1(data: bytes) -> Sign1:
    """Parse COSE_Sign1 bytes; raise CborError (not CBOR) or CoseError (wrong shape).

    Accepts what real issuers produce: untagged, tag 18, tag 61 (CWT) around tag 18,
    and the same tag twice.
    """
    item = cbor_loads(data)
    tags: list[int] = []
    while isinstance(item, cbor2.CBORTag):
        if item.tag not in (TAG_COSE_SIGN1, TAG_CWT) or len(tags) >= 3:
            raise CoseError(f"unexpected CBOR tag {item.tag}")
        tags.append(item.tag)
        item = item.value
    # cbor2 decodes the content of a tag as immutable types (tuple, frozendict).
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise CoseError("COSE_Sign1 must be an array of 4 elements")
    protected, unprotected, payload, signature = item
    if not isinstance(protected, bytes):
        raise CoseError("protected header must be a byte string")
    if not isinstance(unprotected, Mapping):
        raise CoseError("unprotected header must be a map")
    if not isinstance(payload, bytes):
        raise CoseError("payload must be an attached byte string")
    if not isinstance(signature, bytes):
        raise CoseError("signature must be a byte string")
    if protected:
        try:
            protected_header = cbor_loads(protected)
        except CborError as exc:
            raise CoseError(f"protected header: {exc}") from None
        if not isinstance(protected_header, Mapping):
            raise CoseError("protected header must encode a map")
    else:
        protected_header = {}  # RFC 9052: an empty bstr stands for an empty map
    return Sign1(
        protected, dict(protected_header), dict(unprotected), payload, signature, tuple(tags)
    )


def encode_sign1(
    payload: bytes,
    private_key: ec.EllipticCurvePrivateKey,
    kid: bytes,
    *,
    extra_protected: dict[int, Any] | None = None,
    tagged: bool = True,
) -> bytes:
    """Sign `payload` with ES256; protected header {1: -7, 4: kid} (+ extras)."""
    header: dict[int, Any] = {HEADER_ALG: ALG_ES256, HEADER_KID: kid}
    header.update(extra_protected or {})
    protected = cbor2.dumps(header)
    signature = sign_es256(private_key, sig_structure(protected, payload))
    message = [protected, {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(TAG_COSE_SIGN1, message) if tagged else message)


def sign_es256(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA P-256 / SHA-256 as COSE (and WebCrypto) want it: raw r || s, 64 bytes."""
    r, s = decode_dss_signature(private_key.sign(data, _ECDSA_SHA256))
    return r.to_bytes(_P256_BYTES, "big") + s.to_bytes(_P256_BYTES, "big")


def verify_signature(public_key: Any, alg: int, signature: bytes, data: bytes) -> bool:
    """True if `signature` over `data` verifies with `public_key` under COSE `alg`.

    A key of the wrong type for the algorithm simply does not verify.
    """
    try:
        if alg == ALG_ES256:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                return False
            if not isinstance(public_key.curve, ec.SECP256R1) or len(signature) != 64:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            public_key.verify(encode_dss_signature(r, s), data, _ECDSA_SHA256)
            return True
        if alg == ALG_PS256:
            if not isinstance(public_key, rsa.RSAPublicKey):
                return False
            # RFC 8230: PSS with SHA-256, MGF1-SHA-256, salt length = hash length.
            public_key.verify(signature, data, _PSS_SHA256, hashes.SHA256())
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def cbor_dumps(value: Any) -> bytes:
    """Encode CBOR with definite lengths and the preferred (shortest) integer forms."""
    return cbor2.dumps(value)

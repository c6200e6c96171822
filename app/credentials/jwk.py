"""JWK (RFC 7517) for EC P-256 and RSA public keys, and base64url helpers."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .errors import CredentialError

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64_decode_any(text: str) -> bytes:
    """Decode base64 or base64url, padded or not (kids are published in both forms)."""
    if not isinstance(text, str):
        raise CredentialError("expected a base64 string")
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise CredentialError(f"not base64: {text[:40]!r}") from None


def _int(jwk: dict[str, Any], name: str) -> int:
    return int.from_bytes(b64_decode_any(jwk[name]), "big")


def jwk_to_public_key(jwk: dict[str, Any]) -> PublicKey:
    """Public key from an EC P-256 or RSA JWK; private members are ignored."""
    try:
        kty = jwk["kty"]
        if kty == "EC":
            if jwk.get("crv") != "P-256":
                raise CredentialError(f"unsupported EC curve {jwk.get('crv')!r}")
            x, y = b64_decode_any(jwk["x"]), b64_decode_any(jwk["y"])
            if len(x) != 32 or len(y) != 32:
                raise CredentialError("P-256 coordinates must be 32 bytes")
            # from_encoded_point checks that the point is on the curve.
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
        if kty == "RSA":
            return rsa.RSAPublicNumbers(_int(jwk, "e"), _int(jwk, "n")).public_key()
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CredentialError):
            raise
        raise CredentialError(f"invalid JWK: {exc!r}") from None
    raise CredentialError(f"unsupported JWK key type {jwk.get('kty')!r}")


def public_key_to_jwk(key: PublicKey, kid: bytes | None = None) -> dict[str, Any]:
    """JWK for a P-256 or RSA public key, with kid as base64url when given."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise CredentialError("only P-256 EC keys are supported")
        numbers = key.public_numbers()
        jwk: dict[str, Any] = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": b64url_encode(numbers.y.to_bytes(32, "big")),
        }
    elif isinstance(key, rsa.RSAPublicKey):
        rsa_numbers = key.public_numbers()
        jwk = {
            "kty": "RSA",
            "n": b64url_encode(
                rsa_numbers.n.to_bytes((rsa_numbers.n.bit_length() + 7) // 8, "big")
            ),
            "e": b64url_encode(
                rsa_numbers.e.to_bytes((rsa_numbers.e.bit_length() + 7) // 8, "big")
            ),
        }
    else:
        raise CredentialError("unsupported public key type")
    if kid is not None:
        jwk["kid"] = b64url_encode(kid)
    return jwk

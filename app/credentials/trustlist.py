"""Signed trust-list documents: JSON with a detached JWS (ES256) over its canonical form.

    {"format": "fangang-trust-list", "version": 1, "issued_at": ..., "expires_at": ...,
     "keys": [TrustEntry.to_json(), ...], "signature": "<b64url header>..<b64url r||s>"}

The signed payload is the document without "signature", serialised as RFC 8785 (JCS)
canonical JSON. The document only holds objects, arrays, strings, safe integers and
ASCII keys, so JCS reduces to: keys sorted, no whitespace, JSON.stringify escaping,
UTF-8. A browser reproduces the bytes with a few lines of JavaScript and checks the
signature with WebCrypto (ECDSA P-256, SHA-256, raw r||s: the JWS form).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from . import cose
from .certs import compute_kid, load_certificate
from .errors import CredentialError, SignatureError
from .jwk import b64_decode_any, b64url_encode, jwk_to_public_key
from .timeutil import format_iso, parse_time, require_aware, to_utc
from .trust import TrustEntry, TrustStore

FORMAT = "fangang-trust-list"
VERSION = 1
_MAX_SAFE_INTEGER = 2**53 - 1


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical bytes for the subset we use (no floats, safe integers)."""
    _check_canonicalisable(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _check_canonicalisable(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise CredentialError("trust-list keys must be ASCII strings")
            _check_canonicalisable(item)
    elif isinstance(value, list):
        for item in value:
            _check_canonicalisable(item)
    elif isinstance(value, float):
        raise CredentialError("floats are not allowed in signed JSON")
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise CredentialError("integer outside JavaScript's safe range")
    elif isinstance(value, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise CredentialError("lone surrogate in string")
    elif value is not None and not isinstance(value, bool):
        raise CredentialError(f"{type(value).__name__} is not JSON")


def _signing_input(header_b64: str, payload: bytes) -> bytes:
    return (header_b64 + "." + b64url_encode(payload)).encode("ascii")


def build_trust_list(
    signer: Any,
    entries: Iterable[TrustEntry],
    now: datetime,
    *,
    valid_for: timedelta = timedelta(days=7),
) -> dict[str, Any]:
    """A signed trust-list document for `entries`, signed by `signer` (a keys.Signer)."""
    now = require_aware(now, "now")
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "issued_at": format_iso(now),
        "expires_at": format_iso(now + valid_for),
        "keys": [entry.to_json() for entry in entries],
    }
    header = {"alg": "ES256", "kid": b64url_encode(signer.kid)}
    header_b64 = b64url_encode(json.dumps(header, separators=(",", ":")).encode("ascii"))
    signature = cose.sign_es256(signer.private_key, _signing_input(header_b64, canonical_json(doc)))
    doc["signature"] = header_b64 + ".." + b64url_encode(signature)
    return doc


def _root_keys(roots: Iterable[Any]) -> list[tuple[bytes | None, Any]]:
    """(kid or None, public key) for each accepted form of root key."""
    out: list[tuple[bytes | None, Any]] = []
    for root in roots:
        if isinstance(root, TrustStore):
            out += [(e.kid, e.public_key) for e in root.entries()]
        elif isinstance(root, TrustEntry):
            out.append((root.kid, root.public_key))
        elif isinstance(root, dict):
            kid = b64_decode_any(root["kid"]) if "kid" in root else None
            out.append((kid, jwk_to_public_key(root)))
        elif isinstance(root, bytes | str | x509.Certificate):
            cert = load_certificate(root)
            out.append((compute_kid(cert), cert.public_key()))
        elif isinstance(root, ec.EllipticCurvePublicKey):
            out.append((None, root))
        elif hasattr(root, "certificate"):  # keys.Signer
            out.append((root.kid, root.certificate.public_key()))
        else:
            raise CredentialError(f"cannot use {type(root).__name__} as a root key")
    return out


def verify_trust_list(
    doc: dict[str, Any], root_keys: Iterable[Any], *, now: datetime | None = None
) -> list[TrustEntry]:
    """Check the signature (and expiry, at `now` or the current time); return the entries.

    root_keys: Signers, certificates (DER/PEM/x509), JWKs, public keys, TrustEntries or
    TrustStores. Raises SignatureError or CredentialError.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("signature"), str):
        raise CredentialError("trust list has no signature")
    parts = doc["signature"].split(".")
    if len(parts) != 3 or parts[1] != "":
        raise SignatureError("signature must be a detached compact JWS (header..signature)")
    try:
        header = json.loads(b64_decode_any(parts[0]))
        signature = b64_decode_any(parts[2])
    except ValueError as exc:
        raise SignatureError(f"unreadable JWS: {exc}") from None
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise SignatureError("trust lists must be signed with ES256")
    header_kid = b64_decode_any(header["kid"]) if "kid" in header else None
    payload = canonical_json({k: v for k, v in doc.items() if k != "signature"})
    data = _signing_input(parts[0], payload)
    roots = _root_keys(root_keys)
    if not any(
        (header_kid is None or kid is None or kid == header_kid)
        and cose.verify_signature(key, cose.ALG_ES256, signature, data)
        for kid, key in roots
    ):
        raise SignatureError("trust list signature does not verify with any root key")
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise CredentialError("unsupported trust-list format")
    moment = to_utc(now) if now is not None else datetime.now(UTC)
    try:
        expires_at = parse_time(doc["expires_at"]) if "expires_at" in doc else None
    except (TypeError, ValueError, AttributeError):
        raise CredentialError("trust list expires_at is not a timestamp") from None
    if expires_at is not None and moment > expires_at:
        raise CredentialError(f"trust list expired at {doc['expires_at']}")
    if not isinstance(doc.get("keys"), list):
        raise CredentialError("trust list has no keys")
    return [TrustEntry.from_json(item) for item in doc["keys"]]


def read_trust_list_unverified(doc: dict[str, Any]) -> list[TrustEntry]:
    """Entries without any signature check: only for debugging tools (the CLI)."""
    return [TrustEntry.from_json(item) for item in doc.get("keys", [])]

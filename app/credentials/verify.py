"""Decoding and verification of FG1 (our cards) and HC1 (EU DCC) QR texts.

Pipeline, each step with its failure reason:
    prefix (bad_prefix) -> base45 (bad_base45) -> zlib, HC1 only (bad_compression)
    -> COSE_Sign1 (bad_cbor / bad_cose) -> CWT claims (bad_cbor)
    -> alg (unsupported_alg) -> kid (unknown_kid) -> signature (bad_signature)
    -> DCC type allowed for the key, HC1 only (wrong_key_usage)
    -> EU DCC JSON schema of its `ver`, HC1 only (bad_schema)
    -> iat (not_yet_valid) -> exp (expired) -> revocation, FG1 only (revoked) -> ok

The schema comes after the signature, as in the EU verifiers: a forged code is reported as
forged, not as malformed, and only a genuine issuer's mistakes read as bad_schema.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2

from . import base45, cose
from .claims import (
    CARD_CLAIM,
    CLAIM_EXP,
    CLAIM_HCERT,
    CLAIM_IAT,
    CardClaim,
    card_info,
    dcc_type,
    numeric_date,
)
from .dccschema import check_hcert
from .errors import Base45Error, CborError, CoseError, CredentialError, SchemaError
from .jwk import b64url_encode
from .timeutil import from_epoch, to_utc
from .trust import TrustEntry, TrustStore

FG1_PREFIX = "FG1:"
HC1_PREFIX = "HC1:"

REASONS = (
    "ok",
    "bad_prefix",
    "bad_base45",
    "bad_compression",
    "bad_cbor",
    "bad_cose",
    "unsupported_alg",
    "unknown_kid",
    "bad_signature",
    "wrong_key_usage",
    "bad_schema",
    "not_yet_valid",
    "expired",
    "revoked",
)

# A version 40 QR code holds at most 4296 alphanumeric characters; anything longer did not
# come from a QR code and is refused before any decoding work.
MAX_TEXT_LENGTH = 4296
# Zlib bomb guard for HC1: real DCC payloads are 200-2000 bytes once inflated.
MAX_INFLATED = 64 * 1024
# Phones at checkpoints drift; a card issued "in the future" by this much is still accepted.
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)

_LATEST_OFFSET = timedelta(hours=14)

_ALLOWED_ALGS = {"FG1": {cose.ALG_ES256}, "HC1": {cose.ALG_ES256, cose.ALG_PS256}}


class DecodeError(CredentialError):
    """A QR text that does not decode; `reason` is one of REASONS."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    """A decoded (not verified) credential."""

    kind: str  # "FG1" or "HC1"
    cose: bytes
    sign1: cose.Sign1
    claims: dict[Any, Any]
    issued_at: datetime
    expires_at: datetime
    card: CardClaim | None = None


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of verify(). claims is set only when the signature verified."""

    valid: bool
    reason: str
    kid: bytes | None = None
    issuer: str | None = None
    claims: dict[Any, Any] | None = None
    expires_at: datetime | None = None
    issued_at: datetime | None = None
    kind: str | None = None
    region: str | None = None
    issuer_name: str | None = None
    detail: str = field(default="", compare=False)
    # HC1: the schema release used ({"version", "note"}), plus "path" and "rule" on bad_schema.
    schema: dict[str, str] | None = field(default=None, compare=False)
    # FG1: the card claim as decoding parsed it, so that `card` need not parse it again.
    card_claim: CardClaim | None = field(default=None, compare=False, repr=False)

    @property
    def card(self) -> dict[str, Any] | None:
        """Friendly card fields (FG1 with a verified signature), else None."""
        if self.kind != "FG1" or self.claims is None:
            return None
        return card_info(self.claims, self.card_claim)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (what the CLI prints)."""
        return {
            "valid": self.valid,
            "reason": self.reason,
            "detail": self.detail,
            "kind": self.kind,
            "kid": None if self.kid is None else b64url_encode(self.kid),
            "kid_hex": None if self.kid is None else self.kid.hex(),
            "issuer": self.issuer,
            "region": self.region,
            "issuer_name": self.issuer_name,
            "issued_at": jsonable(self.issued_at),
            "expires_at": jsonable(self.expires_at),
            "card": jsonable(self.card),
            "claims": jsonable(self.claims),
            "schema": self.schema,
        }


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_INFLATED)
    except zlib.error as exc:
        raise DecodeError("bad_compression", f"zlib: {exc}") from None
    if inflater.unconsumed_tail:
        raise DecodeError("bad_compression", f"inflates to more than {MAX_INFLATED} bytes")
    if not inflater.eof:
        raise DecodeError("bad_compression", "zlib stream is truncated")
    if inflater.unused_data:
        raise DecodeError("bad_compression", "data after the end of the zlib stream")
    return out


def decode(qr_text: str) -> Decoded:
    """Decode a FG1/HC1 text down to its claims, without any signature or time check.

    Raises DecodeError whose `reason` names the failing step.
    """
    if not isinstance(qr_text, str):
        raise DecodeError("bad_prefix", "QR content must be text")
    if qr_text.startswith(FG1_PREFIX):
        kind = "FG1"
    elif qr_text.startswith(HC1_PREFIX):
        kind = "HC1"
    else:
        raise DecodeError("bad_prefix", f"unknown prefix {qr_text[:4]!r}")
    if len(qr_text) > MAX_TEXT_LENGTH:
        raise DecodeError("bad_base45", "longer than any QR code can hold")
    try:
        raw = base45.decode(qr_text[len(FG1_PREFIX) :])
    except Base45Error as exc:
        raise DecodeError("bad_base45", str(exc)) from None
    # FG1 is never compressed: deflate makes payloads of ~140 bytes larger, not smaller.
    cose_bytes = _inflate(raw) if kind == "HC1" else raw
    try:
        sign1 = cose.decode_sign1(cose_bytes)
    except CborError as exc:
        raise DecodeError("bad_cbor", str(exc)) from None
    except CoseError as exc:
        raise DecodeError("bad_cose", str(exc)) from None
    if sign1.kid is not None and not isinstance(sign1.kid, bytes):
        raise DecodeError("bad_cose", "kid must be a byte string")
    try:
        claims = cose.cbor_loads(sign1.payload)
        if not isinstance(claims, Mapping):
            raise CborError("CWT claims must be a map")
        claims = dict(claims)
        iat = numeric_date(claims, CLAIM_IAT, integer_only=kind == "FG1")
        exp = numeric_date(claims, CLAIM_EXP, integer_only=kind == "FG1")
        card = None
        if kind == "FG1":
            card = CardClaim.from_cbor(claims.get(CARD_CLAIM))
        else:
            _check_hcert(claims)
    except CborError as exc:
        raise DecodeError("bad_cbor", str(exc)) from None
    return Decoded(kind, cose_bytes, sign1, claims, from_epoch(iat), from_epoch(exp), card)


def _check_hcert(claims: dict[Any, Any]) -> None:
    """HC1 must carry the DCC container: claim -260 = {1: <certificate map>}."""
    hcert = claims.get(CLAIM_HCERT)
    if not isinstance(hcert, Mapping) or not isinstance(hcert.get(1), Mapping):
        raise CborError("HC1 claims need -260 (hcert) holding a map under key 1")


def decode_payload(qr_text: str) -> dict[Any, Any]:
    """The CWT claims of a FG1/HC1 text, unverified (debugging). Raises DecodeError."""
    return decode(qr_text).claims


def verify(
    qr_text: str,
    store: TrustStore,
    now: datetime | None = None,
    *,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> VerificationResult:
    """Verify a scanned QR text at `now` (default: the current time). Never raises.

    `expired` means now > exp (exp itself is still valid); `not_yet_valid` means
    iat > now + clock_skew.
    """
    try:
        return _verify(qr_text, store, now, clock_skew)
    except Exception as exc:  # the contract is: never raise, whatever the input
        return VerificationResult(False, "bad_cose", detail=f"internal error: {exc!r}")


def _verify(
    qr_text: str, store: TrustStore, now: datetime | None, clock_skew: timedelta
) -> VerificationResult:
    moment = datetime.now(UTC) if now is None else to_utc(now)
    try:
        decoded = decode(qr_text)
    except DecodeError as exc:
        return VerificationResult(False, exc.reason, detail=exc.detail)
    sign1 = decoded.sign1
    kid = sign1.kid if isinstance(sign1.kid, bytes) else None
    base = {
        "kid": kid,
        "kind": decoded.kind,
        "issued_at": decoded.issued_at,
        "expires_at": decoded.expires_at,
    }
    kind = dcc_type(decoded.claims) if decoded.kind == "HC1" else None
    alg = sign1.alg
    if type(alg) is not int or alg not in _ALLOWED_ALGS[decoded.kind]:  # also no bool/list
        return VerificationResult(
            False, "unsupported_alg", detail=f"alg {alg!r} not allowed in {decoded.kind}", **base
        )
    card_type = int(decoded.card.card_type) if decoded.card else None
    entry, reason, detail = store.check_signature(
        sign1, alg, issued_at=decoded.issued_at, card_type=card_type
    )
    if entry is None:
        return VerificationResult(False, reason, detail=detail, **base)
    signed = {**base, **_issuer_fields(entry), "claims": decoded.claims, "card_claim": decoded.card}
    # A genuine signature by a key that may not sign this kind of certificate (its DSC's
    # extended key usage names other kinds): checked once the signature is known good.
    if kind is not None and not entry.may_sign_dcc(kind):
        allowed = ", ".join(sorted(entry.dcc_types or ()))
        return VerificationResult(
            False,
            "wrong_key_usage",
            detail=f"key may sign DCC types {allowed}, not {kind}",
            **signed,
        )
    schema = None
    if decoded.kind == "HC1":
        try:
            # A child born "today" in UTC+14 is born tomorrow in UTC: the issue day is taken
            # where it is latest.
            passed = check_hcert(
                decoded.claims[CLAIM_HCERT][1], (decoded.issued_at + _LATEST_OFFSET).date()
            )
        except SchemaError as exc:
            schema = {"version": exc.version, "path": exc.path, "rule": exc.rule}
            return VerificationResult(False, "bad_schema", detail=str(exc), schema=schema, **signed)
        schema = {"version": passed.version, "note": passed.note}
        signed["schema"] = schema
    if decoded.issued_at > moment + clock_skew:
        return VerificationResult(False, "not_yet_valid", detail="issued in the future", **signed)
    if moment > decoded.expires_at:
        return VerificationResult(False, "expired", detail="past its exp", **signed)
    if decoded.card is not None and store.is_revoked(decoded.card.card_id):
        return VerificationResult(
            False, "revoked", detail="card id is on a revocation list", **signed
        )
    return VerificationResult(True, "ok", detail=schema["note"] if schema else "", **signed)


def _issuer_fields(entry: TrustEntry) -> dict[str, Any]:
    return {
        "issuer": entry.region or entry.name,
        "region": entry.region,
        "issuer_name": entry.name,
    }


def jsonable(value: Any) -> Any:
    """Turn decoded CBOR / claims into JSON-friendly values (bytes as hex, keys as str)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, cbor2.CBORTag):
        return {"tag": value.tag, "value": jsonable(value.value)}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return repr(value)

"""Signed, compact revocation lists.

A list is a COSE_Sign1 (ES256, protected header {1: -7, 3: CONTENT_TYPE, 4: kid}) over
the CBOR map {1: 1 (version), 2: issued_at (uint seconds), 3: records (bstr)}.
`records` is a concatenation of 20-byte records sorted by hash:
    SHA-256(card_id)[:16] || card expiry as uint32 big-endian seconds since 1970
Hashes rather than card ids are published so the list is not a roster of card ids.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import cose
from .claims import CARD_ID_LENGTH
from .errors import CborError, CoseError, CredentialError
from .timeutil import MAX_EPOCH_SECONDS, epoch_seconds, from_epoch, require_aware, to_utc

CONTENT_TYPE = "application/fangang-revocation+cbor"
VERSION = 1
HASH_LENGTH = 16
_RECORD = struct.Struct(">16sI")
_MAX_UINT32 = 0xFFFFFFFF


def card_id_hash(card_id: bytes) -> bytes:
    """The revocation hash of a card id: first 16 bytes of SHA-256(card_id)."""
    return hashlib.sha256(card_id).digest()[:HASH_LENGTH]


def to_hash(card_id_or_hash: bytes) -> bytes:
    """Accept a 6-byte card id or an already computed 16-byte hash."""
    value = bytes(card_id_or_hash)
    if len(value) == CARD_ID_LENGTH:
        return card_id_hash(value)
    if len(value) == HASH_LENGTH:
        return value
    raise ValueError("expected a 6-byte card id or a 16-byte revocation hash")


@dataclass(frozen=True)
class RevocationList:
    """A parsed list: when it was issued, hash -> card expiry, and the signer's kid."""

    issued_at: datetime
    entries: dict[bytes, datetime]
    kid: bytes | None = None


def build_revocation_list(
    signer: Any, entries: Iterable[tuple[bytes, datetime]], now: datetime
) -> bytes:
    """Sign a list of (card id or hash, card expiry); cards already expired at `now` are
    dropped (an expired card fails verification anyway). Returns COSE_Sign1 bytes."""
    now = require_aware(now, "now")
    latest: dict[bytes, int] = {}
    for card, expires_at in entries:
        expires = to_utc(expires_at)
        if expires < now:
            continue
        seconds = min(epoch_seconds(expires), _MAX_UINT32)
        card_hash = to_hash(card)
        latest[card_hash] = max(seconds, latest.get(card_hash, 0))
    records = b"".join(_RECORD.pack(h, latest[h]) for h in sorted(latest))
    payload = cose.cbor_dumps({1: VERSION, 2: epoch_seconds(now), 3: records})
    return cose.encode_sign1(
        payload,
        signer.private_key,
        signer.kid,
        extra_protected={cose.HEADER_CONTENT_TYPE: CONTENT_TYPE},
    )


def parse_revocation_list(data: bytes) -> tuple[cose.Sign1, RevocationList]:
    """Parse without checking the signature (TrustStore.add_revocation_list does that)."""
    if not isinstance(data, bytes | bytearray):
        raise CredentialError("revocation list must be bytes")
    try:
        sign1 = cose.decode_sign1(bytes(data))
        body = cose.cbor_loads(sign1.payload)
    except (CborError, CoseError) as exc:
        raise CredentialError(f"malformed revocation list: {exc}") from None
    if sign1.protected_header.get(cose.HEADER_CONTENT_TYPE) != CONTENT_TYPE:
        raise CredentialError("not a revocation list (content type)")
    if not isinstance(body, dict) or body.get(1) != VERSION:
        raise CredentialError("unsupported revocation list version")
    issued, records = body.get(2), body.get(3)
    if (
        isinstance(issued, bool)
        or not isinstance(issued, int)
        or not 0 <= issued <= MAX_EPOCH_SECONDS
    ):
        raise CredentialError("revocation list issued_at must be seconds since 1970")
    if not isinstance(records, bytes) or len(records) % _RECORD.size:
        raise CredentialError("revocation records must be a multiple of 20 bytes")
    entries = {
        card_hash: from_epoch(expires) for card_hash, expires in _RECORD.iter_unpack(records)
    }
    return sign1, RevocationList(from_epoch(issued), entries)

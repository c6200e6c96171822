"""Issuing FG1 cards."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from . import base45, cose
from .claims import (
    CARD_ID_LENGTH,
    CardClaim,
    CardType,
    Status,
    card_type_of,
    encode_claims,
    status_of,
)
from .timeutil import epoch_seconds, require_aware
from .verify import FG1_PREFIX


def new_card_id() -> bytes:
    """A random 6-byte card id (48 bits: collisions stay unlikely below millions of cards;
    the id only keys revocation, it identifies no one)."""
    return secrets.token_bytes(CARD_ID_LENGTH)


def issue_card(
    signer: Any,
    *,
    card_id: bytes,
    card_type: CardType | int | str,
    status: Status | int | str,
    name_masked: str,
    id_last4: str,
    issued_at: datetime,
    expires_at: datetime,
    quarantine_until: date | None = None,
    destination: int | None = None,
    departure: date | None = None,
) -> str:
    """Sign a card and return its QR text 'FG1:<base45>'.

    `signer` is a keys.Signer. Times must be timezone-aware. Raises ValueError when a
    field breaks the format's rules (unmasked name, quarantine date on a green card,
    destination on a non-certificate, exp not after iat...).
    """
    card = CardClaim(
        card_id=bytes(card_id),
        card_type=card_type_of(card_type),
        status=status_of(status),
        name_masked=name_masked,
        id_last4=id_last4,
        quarantine_until=quarantine_until,
        destination=destination,
        departure=departure,
    )
    card.validate()
    iat = epoch_seconds(require_aware(issued_at, "issued_at"))
    exp = epoch_seconds(require_aware(expires_at, "expires_at"))
    if exp <= iat:
        raise ValueError("expires_at must be after issued_at")
    payload = encode_claims(card, iat, exp)
    message = cose.encode_sign1(payload, signer.private_key, signer.kid)
    return FG1_PREFIX + base45.encode(message)

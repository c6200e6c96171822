"""Our compact card claim and the CWT around it, plus the masking rules for personal data.

CWT claims map (CBOR, keys in this order):
    6 (iat): uint seconds   4 (exp): uint seconds   -65537: card claim (definite array)
Card claim array:
    [card_id bstr(6), card_type uint, status uint, quarantine_until days|null,
     name_masked tstr, id_last4 tstr, (destination uint|null), (departure days)]
The two trailing elements appear only on outbound health certificates.

HC1 codes carry an EU DCC under claim -260 (key 1); dcc_type() names its kind, and
dccschema.check_hcert() holds it to the EU DCC JSON schema.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

import cbor2

from .errors import CborError
from .timeutil import MAX_EPOCH_SECONDS, date_to_days, days_to_date, from_epoch

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_HCERT = -260  # EU DCC health certificate container
CARD_CLAIM = -65537  # private-use CWT claim key (RFC 8392: below -65536)

CARD_ID_LENGTH = 6
_ID_TAIL = re.compile(r"[0-9X]{4}")
_ID_NUMBER = re.compile(r"[0-9]{6,17}[0-9X]")
_MAX_MASKED_CHARS = 3
_MAX_DAYS = 2932896  # 9999-12-31 as days since 1970


class CardType(IntEnum):
    CARD = 1
    PAPER = 2
    CERTIFICATE = 3


class Status(IntEnum):
    GREEN = 1
    YELLOW = 2
    RED = 3


def card_type_of(value: CardType | int | str) -> CardType:
    """Accept CardType, its int value or its name ('card', 'paper', 'certificate')."""
    return _enum_of(CardType, value)


def status_of(value: Status | int | str) -> Status:
    """Accept Status, its int value or its name ('green', 'yellow', 'red')."""
    return _enum_of(Status, value)


def _enum_of(enum: Any, value: Any) -> Any:
    if isinstance(value, str):
        try:
            return enum[value.upper()]
        except KeyError:
            raise ValueError(f"unknown {enum.__name__}: {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"unknown {enum.__name__}: {value!r}")
    return enum(value)


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小三 -> 张*三, 欧阳娜娜 -> 欧*娜; a single character stays as it is.

    Idempotent (mask_name(mask_name(x)) == mask_name(x)), which issue_card uses to refuse
    unmasked names.
    """
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" + name[-1]


def mask_id_number(id_number: str) -> str:
    """'430702199001011234' -> '4307**********1234': first 4, stars, last 4."""
    id_number = id_number.strip().upper()
    if not _ID_NUMBER.fullmatch(id_number) or len(id_number) < 8:
        raise ValueError("not a resident ID number")
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


@dataclass(frozen=True)
class CardClaim:
    """The card claim (-65537) in Python types."""

    card_id: bytes
    card_type: CardType
    status: Status
    name_masked: str
    id_last4: str
    quarantine_until: date | None = None
    destination: int | None = None
    departure: date | None = None

    def validate(self) -> None:
        """Issuing-side rules (decoding only checks types)."""
        if len(self.card_id) != CARD_ID_LENGTH:
            raise ValueError(f"card_id must be {CARD_ID_LENGTH} bytes")
        if mask_name(self.name_masked) != self.name_masked or not self.name_masked:
            raise ValueError("name_masked must already be masked (use mask_name)")
        if not _ID_TAIL.fullmatch(self.id_last4):
            raise ValueError("id_last4 must be 4 characters of 0-9 or X")
        if self.quarantine_until is not None and self.status is not Status.YELLOW:
            raise ValueError("quarantine_until is only allowed on yellow cards")
        certificate_only = self.destination is not None or self.departure is not None
        if certificate_only and self.card_type is not CardType.CERTIFICATE:
            raise ValueError("destination/departure are only allowed on certificates")
        if self.destination is not None and not 0 < self.destination < 1_000_000:
            raise ValueError("destination must be a GB/T 2260 region code (6 digits)")

    def to_cbor(self) -> list[Any]:
        """The definite-length array, trailing optional elements left out when absent."""
        value: list[Any] = [
            self.card_id,
            int(self.card_type),
            int(self.status),
            None if self.quarantine_until is None else date_to_days(self.quarantine_until),
            self.name_masked,
            self.id_last4,
        ]
        if self.destination is not None or self.departure is not None:
            value.append(self.destination)
            if self.departure is not None:
                value.append(date_to_days(self.departure))
        return value

    @classmethod
    def from_cbor(cls, value: Any) -> CardClaim:
        """Check types and build a CardClaim; raise CborError on any mismatch."""
        if not isinstance(value, list | tuple) or not 6 <= len(value) <= 8:
            raise CborError("card claim must be an array of 6 to 8 elements")
        value = list(value) + [None] * (8 - len(value))
        card_id, card_type, status, quarantine, name, tail, destination, departure = value
        if not isinstance(card_id, bytes) or len(card_id) != CARD_ID_LENGTH:
            raise CborError("card id must be a 6-byte string")
        try:
            card_type = card_type_of(card_type)
            status = status_of(status)
        except ValueError as exc:
            raise CborError(str(exc)) from None
        if not isinstance(name, str) or len(name) > 16:
            raise CborError("masked name must be a short text string")
        if not isinstance(tail, str) or len(tail) != 4:
            raise CborError("id_last4 must be a 4-character text string")
        if destination is not None and not _is_uint(destination, 10**9):
            raise CborError("destination must be an unsigned integer")
        return cls(
            card_id=card_id,
            card_type=card_type,
            status=status,
            name_masked=name,
            id_last4=tail,
            quarantine_until=_days_or_none(quarantine, "quarantine_until"),
            destination=destination,
            departure=_days_or_none(departure, "departure"),
        )


def _is_uint(value: Any, limit: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit


def _days_or_none(value: Any, name: str) -> date | None:
    if value is None:
        return None
    if not _is_uint(value, _MAX_DAYS):
        raise CborError(f"{name} must be days since 1970 or null")
    return days_to_date(value)


def encode_claims(card: CardClaim, issued_at: int, expires_at: int) -> bytes:
    """The CWT claims map as compact CBOR bytes (iat, exp, card claim)."""
    return cbor2.dumps({CLAIM_IAT: issued_at, CLAIM_EXP: expires_at, CARD_CLAIM: card.to_cbor()})


def numeric_date(claims: dict[Any, Any], key: int, *, integer_only: bool) -> float:
    """Read iat/exp: a finite number within datetime range. Some DCC issuers write floats."""
    value = claims.get(key)
    allowed = (int,) if integer_only else (int, float)
    if isinstance(value, bool) or not isinstance(value, allowed):
        raise CborError(f"claim {key} must be a NumericDate")
    # Range first: math.isfinite() raises OverflowError on a huge bignum integer.
    if not (0 <= value <= MAX_EPOCH_SECONDS and math.isfinite(value)):
        raise CborError(f"claim {key} is out of range")
    return value


def card_info(claims: dict[Any, Any], card: CardClaim | None = None) -> dict[str, Any]:
    """Friendly view of FG1 claims: names instead of numbers, hex card id, dates.

    `card` is the claim already parsed from these claims, when the caller has it."""
    if card is None:
        card = CardClaim.from_cbor(claims.get(CARD_CLAIM))
    info: dict[str, Any] = {
        "card_id": card.card_id.hex(),
        "card_type": card.card_type.name.lower(),
        "status": card.status.name.lower(),
        "quarantine_until": card.quarantine_until,
        "name_masked": card.name_masked,
        "id_last4": card.id_last4,
        "destination": card.destination,
        "departure": card.departure,
    }
    for key, name in ((CLAIM_IAT, "issued_at"), (CLAIM_EXP, "expires_at")):
        value = claims.get(key)
        info[name] = from_epoch(value) if isinstance(value, int | float) else None
    return info


# The kinds of EU health certificate, as keys of the hcert: vaccination, test, recovery.
DCC_TYPES = ("v", "t", "r")


def dcc_type(claims: Mapping[Any, Any]) -> str | None:
    """The kind ('v', 't' or 'r') of an HC1's health certificate: the one of `v`, `t`, `r`
    that is present (a null member counts as absent: schema 1.0.0 issuers wrote the unused
    kinds as null, vectors BG/1 and BG/2); None when there is not exactly one. The key usage
    check needs it; whether the certificate is well formed is dccschema.check_hcert's to say.
    `claims[-260][1]` must already be a map (decode() checks the container)."""
    hcert = claims[CLAIM_HCERT][1]
    kinds = [kind for kind in DCC_TYPES if hcert.get(kind) is not None]
    return kinds[0] if len(kinds) == 1 else None

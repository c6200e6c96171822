"""Identity rules: resident ID numbers (GB 11643), phone numbers, masking, keyed hashing.

Pure functions with no Flask: used by validators, services, demo data and tests alike.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

# One masking rule for screens and QR codes alike: the credentials library owns it.
from app.credentials.claims import mask_id_number, mask_name

__all__ = ["mask_id_number", "mask_name"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_birth_date(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def is_valid_id_number(value: str, today: date | None = None) -> bool:
    """18 characters, a real birth date not in the future nor before 1900, right check char."""
    value = normalise_id_number(value)
    if not _ID_RE.match(value):
        return False
    born = id_birth_date(value)
    if born is None or born.year < 1900 or born > (today or date.today()):
        return False
    return id_check_char(value[:17]) == value[17]


def id_sex(id_number: str) -> str:
    """'M' or 'F' from the 17th digit (odd = male)."""
    return "M" if int(id_number[16]) % 2 else "F"


def is_valid_phone(value: str) -> bool:
    return bool(PHONE_RE.match(value))


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "*" * len(phone)


def hash_id_number(id_number: str, key: bytes) -> str:
    """Keyed hash to find a person by ID number without storing it (a leak reveals nothing)."""
    return hmac.new(key, normalise_id_number(id_number).encode(), hashlib.sha256).hexdigest()

"""Unified social credit codes (统一社会信用代码, GB 32100-2015): format and check character.

Pure functions with no Flask, used by validators, services, demo data and tests alike.

A code has 18 characters from a 31-character alphabet (digits and capitals without I, O, S, V
and Z): registration authority (1), organisation category (1), the GB/T 2260 region of
registration (6 digits), the organisation code (9, GB 11714) and a check character computed
over the first 17 with the weights 3^i mod 31.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}$")


def normalise_credit_code(value: str) -> str:
    """Upper case, without surrounding blanks (people type them in lower case too)."""
    return value.strip().upper()


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    """18 characters of the alphabet, a numeric region part, and the right check character."""
    value = normalise_credit_code(value)
    if not _CODE_RE.match(value):
        return False
    return credit_code_check_char(value[:17]) == value[17]

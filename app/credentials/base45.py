"""Base45 (RFC 9285): the QR-alphanumeric-safe byte encoding used by HC1 and FG1."""

from __future__ import annotations

import struct

from .errors import Base45Error

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# Lookup tables instead of per-character divmod: base45 sits on every issue and verify.
_PAIRS = [ALPHABET[i % 45] + ALPHABET[i // 45] for i in range(45 * 45)]
_INVALID = 0xFF
_VALUES = bytes(ALPHABET.index(chr(b)) if chr(b) in ALPHABET else _INVALID for b in range(256))


def encode(data: bytes) -> str:
    """Encode bytes: every 2 bytes (big-endian n) become 3 characters, n = c + 45 d + 2025 e;
    a trailing byte becomes 2 characters."""
    whole = len(data) // 2
    out = [
        _PAIRS[n % 2025] + ALPHABET[n // 2025]
        for n in struct.unpack(f">{whole}H", data[: 2 * whole])
    ]
    if len(data) % 2:
        out.append(_PAIRS[data[-1]])
    return "".join(out)


def decode(text: str) -> bytes:
    """Decode base45 text; raise Base45Error on any character, length or range error.

    Strict on purpose: RFC 9285 requires rejecting chunks whose value overflows, which
    also keeps the mapping text -> bytes one-to-one (no two texts decode to one payload).
    """
    if len(text) % 3 == 1:
        raise Base45Error("base45 length must not be 1 modulo 3")
    if not text.isascii():
        raise Base45Error("base45 text must be ASCII")
    values = text.encode("ascii").translate(_VALUES)
    if _INVALID in values:
        bad = text[values.index(_INVALID)]
        raise Base45Error(f"character {bad!r} is not in the base45 alphabet")
    whole = len(values) // 3
    numbers = [
        c + 45 * d + 2025 * e
        for c, d, e in zip(values[0 : 3 * whole : 3], values[1::3], values[2::3], strict=False)
    ]
    if numbers and max(numbers) > 0xFFFF:
        raise Base45Error("base45 triplet out of range")
    out = struct.pack(f">{whole}H", *numbers)
    if len(values) % 3 == 2:
        n = values[-2] + 45 * values[-1]
        if n > 0xFF:
            raise Base45Error("base45 pair out of range")
        out += bytes([n])
    return out

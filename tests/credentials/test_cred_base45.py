"""Base45 against RFC 9285's examples and its error rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.credentials import base45
from app.credentials.errors import Base45Error


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"", ""),
        (b"\x00", "00"),
        (b"\xff\xff", "FGW"),
    ],
)
def test_rfc9285_examples(raw: bytes, text: str) -> None:
    assert base45.encode(raw) == text
    assert base45.decode(text) == raw


@pytest.mark.parametrize(
    "text",
    [
        "GGW",  # 65536: one more than two bytes hold
        "ZZZ",
        "A",  # length 1 mod 3
        "ABCD",
        "AB=",  # '=' is not in the alphabet
        "ab8",  # lower case is not base45
        "BB８",  # full-width digit
    ],
)
def test_invalid_text_is_rejected(text: str) -> None:
    with pytest.raises(Base45Error):
        base45.decode(text)


def test_trailing_pair_out_of_range() -> None:
    with pytest.raises(Base45Error):
        base45.decode("::")  # 44 + 44*45 = 2024 > 255


@given(st.binary(max_size=300))
def test_round_trip(data: bytes) -> None:
    text = base45.encode(data)
    assert set(text) <= set(base45.ALPHABET)
    assert base45.decode(text) == data

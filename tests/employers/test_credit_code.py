"""Unified social credit codes (GB 32100): the check character catches every typo of one char."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.employers.credit_code import (
    ALPHABET,
    credit_code_check_char,
    is_valid_credit_code,
    normalise_credit_code,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T"])
def test_published_codes_are_valid(code):
    assert is_valid_credit_code(code)


def test_lower_case_and_blanks_are_accepted_after_normalising():
    assert normalise_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert is_valid_credit_code(" 91350100m000100y43 ")


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y431",  # 19 characters
        "9135010OM000100Y43",  # letter O in the numeric region part
        "91350100M000100I43",  # I is not in the alphabet
        "",
    ],
)
def test_malformed_codes_are_rejected(code):
    assert not is_valid_credit_code(code)


body = st.tuples(
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(body, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_any_single_changed_character_is_detected(first17, position, char):
    code = first17 + credit_code_check_char(first17)
    assert is_valid_credit_code(code)
    changed = code[:position] + char + code[position + 1 :]
    assert is_valid_credit_code(changed) == (changed == code)

"""Property-based tests: verify() never raises, and nothing but the real card verifies."""

from __future__ import annotations

import json
import zlib
from datetime import date, timedelta
from pathlib import Path

import cbor2
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.credentials import REASONS, CardClaim, CardType, Status, TrustStore, base45, mask_name
from app.credentials import verify as verify_text
from app.credentials.cose import cbor_dumps, decode_sign1

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "dcc"
SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ALPHABET = base45.ALPHABET


def _check(text, store, now):
    result = verify_text(text, store, now)
    assert result.reason in REASONS
    assert result.valid is (result.reason == "ok")
    return result


@SETTINGS
@given(text=st.text(max_size=400))
def test_any_text(text, store, now) -> None:
    _check(text, store, now)


@SETTINGS
@given(prefix=st.sampled_from(["FG1:", "HC1:"]), body=st.text(alphabet=ALPHABET, max_size=400))
def test_any_base45_body(prefix, body, store, now) -> None:
    _check(prefix + body, store, now)


@SETTINGS
@given(
    prefix=st.sampled_from(["FG1:", "HC1:"]), raw=st.binary(max_size=300), compress=st.booleans()
)
def test_any_bytes(prefix, raw, compress, store, now) -> None:
    _check(prefix + base45.encode(zlib.compress(raw) if compress else raw), store, now)


@st.composite
def mutations(draw, text: str) -> str:
    """1-4 edits (replace / insert / delete) of characters, body only or anywhere."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        position = draw(st.integers(0, len(chars) - 1))
        char = draw(st.sampled_from(ALPHABET + ":é\x00"))
        if op == "replace":
            chars[position] = char
        elif op == "insert":
            chars.insert(position, char)
        elif len(chars) > 1:
            del chars[position]
    return "".join(chars)


def _signed_parts(text: str) -> tuple:
    sign1 = decode_sign1(base45.decode(text[4:]))
    return sign1.protected, sign1.payload, sign1.signature


@SETTINGS
@given(data=st.data())
def test_mutated_card(data, make_card, store, now) -> None:
    original = make_card(status="yellow", quarantine_until=date(2020, 3, 1))
    mutated = data.draw(mutations(original))
    assume(mutated != original)
    result = _check(mutated, store, now)
    if result.valid:
        # Only bytes outside the signature could have changed (e.g. unprotected header).
        assert _signed_parts(mutated) == _signed_parts(original)


@pytest.fixture(scope="module")
def dcc_vector() -> tuple[str, TrustStore, object]:
    import base64

    from app.credentials.timeutil import parse_time

    vector = json.loads((VECTORS / "DE/2DCode/raw/1.json").read_text("utf-8"))
    trust = TrustStore()
    trust.add_certificate(base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]))
    return vector["PREFIX"], trust, parse_time(vector["TESTCTX"]["VALIDATIONCLOCK"])


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_dcc(data, dcc_vector) -> None:
    original, trust, clock = dcc_vector
    mutated = data.draw(mutations(original))
    assume(mutated != original)
    result = _check(mutated, trust, clock)
    if result.valid:
        inflated = zlib.decompress(base45.decode(mutated[4:]))
        sign1 = decode_sign1(inflated)
        reference = decode_sign1(zlib.decompress(base45.decode(original[4:])))
        assert (sign1.protected, sign1.payload, sign1.signature) == (
            reference.protected,
            reference.payload,
            reference.signature,
        )


@SETTINGS
@given(name=st.text(max_size=12))
def test_mask_name_properties(name) -> None:
    masked = mask_name(name)
    assert mask_name(masked) == masked
    assert len(masked) <= 3
    if len(name.strip()) >= 2:
        assert masked[0] == name.strip()[0] and masked[1] == "*"


@SETTINGS
@given(
    card_id=st.binary(min_size=6, max_size=6),
    card_type=st.sampled_from(CardType),
    status=st.sampled_from(Status),
    name=st.text(min_size=1, max_size=8).map(mask_name).filter(bool),
    tail=st.text(alphabet="0123456789X", min_size=4, max_size=4),
    quarantine=st.none() | st.dates(min_value=date(1970, 1, 1)),
    destination=st.none() | st.integers(1, 999999),
    departure=st.none() | st.dates(min_value=date(1970, 1, 1)),
)
def test_claim_round_trip(
    card_id, card_type, status, name, tail, quarantine, destination, departure
) -> None:
    claim = CardClaim(card_id, card_type, status, name, tail, quarantine, destination, departure)
    assert CardClaim.from_cbor(claim.to_cbor()) == claim


@SETTINGS
@given(seconds=st.integers(-(10**6), 10**9))
def test_verify_at_any_time(seconds, make_card, store, now) -> None:
    _check(make_card(), store, now + timedelta(seconds=seconds))


CBOR_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=16),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.integers(-300, 300) | st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=12,
)
# Claims that decode, so that the header checks after decoding are reached too.
_IAT = 1582185600  # 2020-02-20T08:00:00Z, the fixture clock
VALID_FG1_CLAIMS = {6: _IAT, 4: _IAT + 86400, -65537: [bytes(6), 1, 1, None, "张*", "1234"]}
_HCERT = {"ver": "1.3.0", "nam": {"fnt": "ZHANG"}, "dob": "1980", "v": [{"dn": 1}]}
VALID_HC1_CLAIMS = {6: _IAT, 4: _IAT + 86400.5, -260: {1: _HCERT}}
HEADERS = st.dictionaries(
    st.sampled_from([1, 3, 4, -1, "kid"]),
    CBOR_VALUES | st.sampled_from([-7, -37, -8, b"\x00" * 8]),
    max_size=3,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    protected=HEADERS,
    unprotected=HEADERS,
    claims=st.sampled_from([VALID_FG1_CLAIMS, VALID_HC1_CLAIMS])
    | st.dictionaries(st.sampled_from([1, 4, 6, -260, -65537]), CBOR_VALUES, max_size=4),
    signature=st.binary(max_size=80),
    prefix=st.sampled_from(["FG1:", "HC1:"]),
    tag=st.sampled_from([None, 18, 61, 98]),
)
def test_structured_garbage_is_classified(
    protected, unprotected, claims, signature, prefix, tag, store, now
) -> None:
    """Well-formed CBOR of the wrong shape gets a proper reason, never the catch-all."""
    message = [cbor_dumps(protected), unprotected, cbor_dumps(claims), signature]
    body = cbor_dumps(message if tag is None else cbor2.CBORTag(tag, message))
    text = prefix + base45.encode(zlib.compress(body) if prefix == "HC1:" else body)
    result = _check(text, store, now)
    assert "internal error" not in result.detail, result.detail

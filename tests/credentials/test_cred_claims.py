"""Masking rules, the card claim's CBOR layout and its size budget."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import cbor2
import pytest

from app.credentials import (
    CARD_CLAIM,
    CardClaim,
    CardType,
    Status,
    decode,
    decode_payload,
    mask_id_number,
    mask_name,
)
from app.credentials.claims import card_info, encode_claims
from app.credentials.errors import CborError

# QR version 10 at level Q holds 221 alphanumeric characters: "FG1:" + base45 of at most
# 144 bytes of COSE, which leaves 59 bytes for the claims after the envelope's 85.
MAX_CLAIM_BYTES = 59


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳娜娜", "欧*娜"),
        ("买买提·艾力", "买*力"),
        ("李", "李"),
        ("", ""),
        (" 王五 ", "王*"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked
    assert mask_name(masked) == masked  # idempotent: issue_card relies on it


def test_mask_id_number() -> None:
    assert mask_id_number("43070219900101123X") == "4307**********123X"
    assert mask_id_number("43070219900101123x") == "4307**********123X"
    for bad in ("", "4307", "43070219900101123A", "４３０７０２１９９００１０１１２３X"):
        with pytest.raises(ValueError):
            mask_id_number(bad)


def _claim(**overrides: object) -> CardClaim:
    fields: dict[str, object] = {
        "card_id": bytes(6),
        "card_type": CardType.CARD,
        "status": Status.GREEN,
        "name_masked": "张*三",
        "id_last4": "1234",
    }
    fields.update(overrides)
    return CardClaim(**fields)  # type: ignore[arg-type]


def test_claim_layout_is_a_compact_definite_array(now: datetime) -> None:
    iat = int(now.timestamp())
    payload = encode_claims(_claim(), iat, iat + 86400)
    # a3 = map(3); 06 1a.. iat; 04 1a.. exp; 3a 00010000 = -65537; 86 = array(6)
    assert payload[:1] == b"\xa3"
    assert payload[1:2] == b"\x06" and payload[7:8] == b"\x04"
    assert payload[13:18] == bytes.fromhex("3a00010000")
    assert payload[18:19] == b"\x86"
    claims = cbor2.loads(payload)
    assert claims[CARD_CLAIM] == [bytes(6), 1, 1, None, "张*三", "1234"]
    assert len(payload) == 42  # 18 bytes of CWT framing + 24 of card claim


def test_certificate_has_trailing_destination_and_departure() -> None:
    claim = _claim(card_type=CardType.CERTIFICATE, destination=440305, departure=date(2020, 3, 1))
    value = claim.to_cbor()
    assert value[6:] == [440305, (date(2020, 3, 1) - date(1970, 1, 1)).days]
    assert CardClaim.from_cbor(value) == claim


def test_claim_round_trip_with_quarantine() -> None:
    claim = _claim(status=Status.YELLOW, quarantine_until=date(2020, 3, 5))
    assert CardClaim.from_cbor(claim.to_cbor()) == claim


@pytest.mark.parametrize(
    "overrides",
    [
        {"name_masked": "张小三"},  # not masked
        {"name_masked": ""},
        {"id_last4": "12345"},
        {"id_last4": "12a4"},
        {"card_id": bytes(5)},
        {"quarantine_until": date(2020, 3, 5)},  # green card with a quarantine date
        {"destination": 440305},  # destination on a plain card
        {"card_type": CardType.CERTIFICATE, "destination": 1234567},
    ],
)
def test_issuing_rules(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        _claim(**overrides).validate()


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        [bytes(6), 1, 1, None, "x"],  # too short
        [bytes(6), 1, 1, None, "x", "1234", None, None, None],  # too long
        [bytes(5), 1, 1, None, "x", "1234"],
        [bytes(6), 4, 1, None, "x", "1234"],  # unknown card type
        [bytes(6), 1, 0, None, "x", "1234"],  # unknown status
        [bytes(6), True, 1, None, "x", "1234"],
        [bytes(6), 1, 1, -1, "x", "1234"],
        [bytes(6), 1, 1, None, b"x", "1234"],
        [bytes(6), 1, 1, None, "x", "123"],
        [bytes(6), 3, 1, None, "x", "1234", "440305"],
        {"card_id": bytes(6)},
    ],
)
def test_decoding_rejects_wrong_types(value: object) -> None:
    with pytest.raises(CborError):
        CardClaim.from_cbor(value)


def test_card_info_is_friendly(make_card, now: datetime) -> None:
    text = make_card(
        card_type="certificate",
        status="yellow",
        quarantine_until=date(2020, 3, 5),
        destination=440305,
        departure=date(2020, 3, 6),
    )
    info = card_info(decode_payload(text))
    assert info == {
        "card_id": "a1b2c3d4e5f6",
        "card_type": "certificate",
        "status": "yellow",
        "quarantine_until": date(2020, 3, 5),
        "name_masked": "张*三",
        "id_last4": "123X",
        "destination": 440305,
        "departure": date(2020, 3, 6),
        "issued_at": now,
        "expires_at": now + timedelta(days=14),
    }


def test_no_personal_data_beyond_the_masked_fields(make_card) -> None:
    claims = decode_payload(make_card())
    assert set(claims) == {4, 6, CARD_CLAIM}
    assert claims[CARD_CLAIM][4:] == ["张*三", "123X"]


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"card_type": "certificate", "destination": 659004, "departure": date(2020, 3, 6)},
        {
            "card_type": "certificate",
            "quarantine_until": date(2020, 3, 5),
            "destination": 659004,
            "departure": date(2106, 1, 1),
        },
    ],
    ids=["yellow-paper", "certificate", "yellow-certificate-worst-case"],
)
def test_claims_fit_the_budget(make_card, largest_card_fields, extra) -> None:
    text = make_card(**{**largest_card_fields, **extra})
    decoded = decode(text)
    assert len(decoded.sign1.payload) <= MAX_CLAIM_BYTES
    assert len(decoded.cose) <= 144
    assert len(text) <= 221

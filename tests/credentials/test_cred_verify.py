"""Issuing and verifying FG1 cards, and every way a tampered card must be rejected."""

from __future__ import annotations

import json
import zlib
from datetime import date, datetime, timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.credentials import (
    REASONS,
    DecodeError,
    Signer,
    TrustStore,
    base45,
    decode,
    decode_payload,
    verify,
)
from app.credentials.cose import cbor_dumps, sig_structure, sign_es256
from app.credentials.jwk import public_key_to_jwk

# Reasons a corrupted COSE message may produce once prefix and base45 are intact.
ENVELOPE_FAILURES = {"bad_cbor", "bad_cose", "unsupported_alg", "unknown_kid", "bad_signature"}


def _cose(text: str) -> bytes:
    return base45.decode(text[4:])


def _fg1(cose_bytes: bytes) -> str:
    return "FG1:" + base45.encode(cose_bytes)


def _parts(text: str) -> list:
    """[protected, unprotected, payload, signature] of a FG1 text."""
    return list(cbor2.loads(_cose(text)).value)


def _reassemble(parts: list, *, tag: int | None = 18) -> str:
    message = list(parts)
    return _fg1(cbor_dumps(cbor2.CBORTag(tag, message) if tag is not None else message))


def _resign(
    text: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    protected: dict | None = None,
    payload: bytes | None = None,
) -> str:
    """Re-sign a card with `key`, optionally replacing its protected header or payload."""
    parts = _parts(text)
    if protected is not None:
        parts[0] = cbor_dumps(protected)
    if payload is not None:
        parts[2] = payload
    parts[3] = sign_es256(key, sig_structure(parts[0], parts[2]))
    return _reassemble(parts)


# -- the happy path -------------------------------------------------------------------


def test_round_trip(make_card, store: TrustStore, signer: Signer, now: datetime) -> None:
    text = make_card()
    assert text.startswith("FG1:")
    result = verify(text, store, now)
    assert (result.valid, result.reason) == (True, "ok")
    assert result.kid == signer.kid
    assert result.issuer == "430702"
    assert result.region == "430702" and result.issuer_name == "武陵区卫健局"
    assert result.expires_at == now + timedelta(days=14)
    assert result.kind == "FG1"
    assert result.claims is not None and result.card is not None
    assert result.card["status"] == "green"
    assert result.card["card_id"] == "a1b2c3d4e5f6"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "red"},
        {"card_type": "paper", "status": "yellow", "quarantine_until": date(2020, 3, 5)},
        {"card_type": 3, "status": 1, "destination": 440305, "departure": date(2020, 3, 1)},
    ],
)
def test_every_card_kind_verifies(make_card, store, now, fields) -> None:
    result = verify(make_card(**fields), store, now)
    assert result.reason == "ok"


def test_the_envelope_is_the_dcc_one(make_card, signer: Signer) -> None:
    decoded = decode(make_card())
    assert decoded.sign1.tags == (18,)
    assert decoded.sign1.protected_header == {1: -7, 4: signer.kid}
    assert decoded.sign1.unprotected == {}
    assert len(decoded.sign1.signature) == 64  # raw r || s


def test_naive_datetimes_are_refused(make_card, now: datetime) -> None:
    with pytest.raises(ValueError, match="timezone"):
        make_card(issued_at=now.replace(tzinfo=None))
    with pytest.raises(ValueError):
        make_card(expires_at=now)  # not after issued_at


# -- time -----------------------------------------------------------------------------


def test_expiry_is_inclusive(make_card, store: TrustStore, now: datetime) -> None:
    text = make_card()
    exp = now + timedelta(days=14)
    assert verify(text, store, exp).reason == "ok"
    result = verify(text, store, exp + timedelta(seconds=1))
    assert (result.valid, result.reason) == (False, "expired")
    assert result.claims is not None  # signature was fine: the UI may say whose card expired


def test_not_yet_valid_with_clock_skew(make_card, store: TrustStore, now: datetime) -> None:
    text = make_card()
    assert verify(text, store, now - timedelta(minutes=4)).reason == "ok"
    assert verify(text, store, now - timedelta(minutes=6)).reason == "not_yet_valid"
    assert verify(text, store, now - timedelta(minutes=1), clock_skew=timedelta(0)).reason == (
        "not_yet_valid"
    )


def test_naive_now_is_utc(make_card, store: TrustStore, now: datetime) -> None:
    assert verify(make_card(), store, now.replace(tzinfo=None)).reason == "ok"


# -- keys -----------------------------------------------------------------------------


def test_untrusted_signer_is_unknown_kid(make_card, store, other_signer, now) -> None:
    result = verify(make_card(use_signer=other_signer), store, now)
    assert (result.valid, result.reason) == (False, "unknown_kid")
    assert result.kid == other_signer.kid
    assert result.claims is None  # nothing unverified is handed out


def test_forgery_under_a_trusted_kid(make_card, store, signer, other_signer, now) -> None:
    """An attacker signs with their own key but names our kid."""
    forged = _resign(make_card(), other_signer.private_key, protected={1: -7, 4: signer.kid})
    assert verify(forged, store, now).reason == "bad_signature"


def test_swapped_kid(make_card, store: TrustStore, signer, other_signer, now) -> None:
    parts = _parts(make_card())
    for kid, reason in ((other_signer.kid, "bad_signature"), (b"\x00" * 8, "unknown_kid")):
        store.add_signer(other_signer)
        parts[0] = cbor_dumps({1: -7, 4: kid})  # signature left as it was
        assert verify(_reassemble(parts), store, now).reason == reason


def test_kid_in_unprotected_header_cannot_override(make_card, store, other_signer, now) -> None:
    """Only a kid outside the signature may be rewritten; the protected one wins."""
    parts = _parts(make_card())
    parts[1] = {4: other_signer.kid}
    assert verify(_reassemble(parts), store, now).reason == "ok"


def test_kid_only_in_unprotected_header_is_accepted(make_card, store, signer, now) -> None:
    text = _resign(make_card(), signer.private_key, protected={1: -7})
    parts = _parts(text)
    parts[1] = {4: signer.kid}
    assert verify(_reassemble(parts), store, now).reason == "ok"
    parts[1] = {}
    assert verify(_reassemble(parts), store, now).reason == "unknown_kid"


@pytest.mark.parametrize("order", ["impostor-first", "impostor-last"])
def test_kid_collision_tries_every_key(make_card, signer, other_signer, now, order) -> None:
    """Two trusted keys share a kid: whichever verifies is the signer."""
    impostor = public_key_to_jwk(other_signer.public_key, signer.kid)
    real = public_key_to_jwk(signer.public_key, signer.kid)
    trust = TrustStore()
    for jwk in [impostor, real] if order == "impostor-first" else [real, impostor]:
        trust.add_jwk(jwk, region="430702" if jwk is real else "999999")
    assert len(trust.entries(signer.kid)) == 2
    result = verify(make_card(), trust, now)
    assert result.reason == "ok" and result.region == "430702"


def test_key_window_bounds_the_issuing_time(make_card, signer, now) -> None:
    """A retired key (not_after) verifies what it signed before, not what it signs after."""
    trust = TrustStore()
    trust.add_signer(signer, not_after=now + timedelta(days=1))
    assert verify(make_card(), trust, now).reason == "ok"
    late = make_card(issued_at=now + timedelta(days=2), expires_at=now + timedelta(days=9))
    result = verify(late, trust, now + timedelta(days=3))
    assert result.reason == "unknown_kid" and "not_after" in result.detail
    trust.add_signer(signer, not_before=now + timedelta(hours=1))
    assert verify(make_card(), trust, now).reason == "unknown_kid"


def test_card_types_restrict_a_key(make_card, signer, now) -> None:
    trust = TrustStore()
    trust.add_signer(signer, card_types=["card", "paper"])
    assert verify(make_card(card_type="paper"), trust, now).reason == "ok"
    certificate = make_card(card_type="certificate", destination=440305)
    assert verify(certificate, trust, now).reason == "unknown_kid"


# -- algorithm --------------------------------------------------------------------------


@pytest.mark.parametrize("alg", [-37, -8, -35, 0, "ES256", None, True, [-7], {1: -7}, -7.0])
def test_alg_changed(make_card, store, signer, now, alg) -> None:
    """FG1 is ES256 only: any other alg is refused, whether or not it was re-signed."""
    header = {4: signer.kid} if alg is None else {1: alg, 4: signer.kid}
    parts = _parts(make_card())
    parts[0] = cbor_dumps(header)
    assert verify(_reassemble(parts), store, now).reason == "unsupported_alg"
    resigned = _resign(make_card(), signer.private_key, protected=header)
    assert verify(resigned, store, now).reason == "unsupported_alg"


# -- corrupted bytes --------------------------------------------------------------------


def test_every_single_bit_flip_is_rejected(make_card, store, now) -> None:
    original = _cose(make_card())
    sig_start = len(original) - 64
    kid_start = original.index(decode(make_card()).sign1.kid)
    for position in range(len(original)):
        for bit in range(8):
            tampered = bytearray(original)
            tampered[position] ^= 1 << bit
            result = verify(_fg1(bytes(tampered)), store, now)
            assert not result.valid, (position, bit)
            assert result.reason in ENVELOPE_FAILURES, (position, bit, result.reason)
            if position >= sig_start:
                assert result.reason == "bad_signature", (position, bit)
            elif kid_start <= position < kid_start + 8:
                assert result.reason == "unknown_kid", (position, bit)


def test_truncation_and_trailing_bytes(make_card, store, now) -> None:
    original = _cose(make_card())
    for cut in range(len(original)):
        assert verify(_fg1(original[:cut]), store, now).reason in ENVELOPE_FAILURES
    assert verify(_fg1(original + b"\x00"), store, now).reason == "bad_cbor"


def test_changed_claims_with_valid_structure(make_card, store, signer, now) -> None:
    """Status rewritten from red to green, signature kept: bad_signature."""
    parts = _parts(make_card(status="red"))
    claims = cbor2.loads(parts[2])
    claims[-65537][2] = 1
    parts[2] = cbor_dumps(claims)
    assert verify(_reassemble(parts), store, now).reason == "bad_signature"


def test_tags_real_issuers_use_are_accepted(make_card, store, now) -> None:
    parts = _parts(make_card())
    assert verify(_reassemble(parts, tag=None), store, now).reason == "ok"
    wrapped = cbor_dumps(cbor2.CBORTag(61, cbor2.CBORTag(18, parts)))
    assert verify(_fg1(wrapped), store, now).reason == "ok"
    assert verify(_reassemble(parts, tag=98), store, now).reason == "bad_cose"  # COSE_Sign


def test_signed_but_malformed_payload_is_bad_cbor(make_card, store, signer, now) -> None:
    iat = int(now.timestamp())
    card = [bytes(6), 1, 1, None, "张*", "1234"]
    for payload in (
        cbor_dumps({6: iat, 4: iat + 60}),  # no card claim
        cbor_dumps({6: float(iat), 4: iat + 60, -65537: card}),  # FG1 times are integers
        cbor_dumps({6: iat, 4: 10**20, -65537: card}),
        cbor_dumps([iat]),
        b"\xff",
    ):
        forged = _resign(make_card(), signer.private_key, payload=payload)
        assert verify(forged, store, now).reason == "bad_cbor", payload.hex()


# -- the outer layers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "bad_prefix"),
        ("FG1", "bad_prefix"),
        ("fg1:BB8", "bad_prefix"),
        ("HC2:BB8", "bad_prefix"),
        ("https://example.org/?c=FG1:BB8", "bad_prefix"),
        ("FG1:", "bad_cbor"),
        ("FG1:BB", "bad_base45"),
        ("FG1:bb8", "bad_base45"),
        ("FG1:BB8\n", "bad_base45"),
        ("FG1:" + "0" * 5000, "bad_base45"),
        ("HC1:BB8", "bad_compression"),
        ("FG1:返岗", "bad_base45"),
    ],
)
def test_outer_layer_failures(text: str, reason: str, store: TrustStore, now) -> None:
    result = verify(text, store, now)
    assert (result.valid, result.reason) == (False, reason)


def test_fg1_body_under_hc1_prefix(make_card, store, now) -> None:
    assert verify("HC1:" + make_card()[4:], store, now).reason == "bad_compression"


@pytest.mark.parametrize("value", [None, b"FG1:", 42, ["FG1:"]])
def test_non_text_never_raises(value, store, now) -> None:
    result = verify(value, store, now)  # type: ignore[arg-type]
    assert not result.valid and result.reason in REASONS


def test_decode_payload_skips_all_checks(make_card, other_signer) -> None:
    claims = decode_payload(make_card(use_signer=other_signer))
    assert claims[-65537][0] == bytes.fromhex("a1b2c3d4e5f6")
    with pytest.raises(DecodeError) as info:
        decode_payload("FG1:BB")
    assert info.value.reason == "bad_base45"


def test_result_to_dict_is_json(make_card, store, now) -> None:
    data = verify(make_card(), store, now).to_dict()
    assert json.loads(json.dumps(data))["card"]["quarantine_until"] is None
    assert data["claims"]["-65537"][0] == "a1b2c3d4e5f6"


def test_hc1_with_our_own_key_and_ps256(now) -> None:
    """HC1 allows PS256; a hand-built, zlib-compressed DCC-style code verifies."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DSC")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    trust = TrustStore()
    kid = trust.add_certificate(cert.public_bytes(serialization.Encoding.PEM))
    iat = now.timestamp()
    recovery = {
        "tg": "840539006",
        "fr": "2020-01-20",
        "co": "CN",
        "is": "Ministry of Health",
        "df": "2020-01-30",
        "du": "2020-07-18",
        "ci": "URN:UVCI:01:CN:42",
    }
    hcert = {"ver": "1.3.0", "nam": {"fnt": "ZHANG"}, "dob": "1980", "r": [recovery]}
    payload = cbor_dumps({1: "CN", 6: iat, 4: iat + 3600.5, -260: {1: hcert}})
    protected = cbor_dumps({1: -37, 4: kid})
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    signature = key.sign(sig_structure(protected, payload), pss, hashes.SHA256())
    message = cbor_dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    text = "HC1:" + base45.encode(zlib.compress(message, 9))
    result = verify(text, trust, now)
    assert result.reason == "ok" and result.kind == "HC1" and result.issuer == "DSC"
    assert result.card is None
    assert verify(text, trust, now + timedelta(hours=2)).reason == "expired"
    # Raw (uncompressed) COSE under HC1 is refused, as the DCC specification requires.
    assert verify("HC1:" + base45.encode(message), trust, now).reason == "bad_compression"

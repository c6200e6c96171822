"""Signed revocation lists and local revocation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import cbor2
import pytest

from app.credentials import (
    CredentialError,
    SignatureError,
    TrustStore,
    base45,
    build_revocation_list,
    card_id_hash,
    verify,
)
from app.credentials.revocation import CONTENT_TYPE, parse_revocation_list

REVOKED = bytes.fromhex("a1b2c3d4e5f6")  # the default card id of make_card


@pytest.fixture
def revocation_list(signer, now) -> bytes:
    return build_revocation_list(
        signer,
        [
            (REVOKED, now + timedelta(days=14)),
            (bytes.fromhex("000000000001"), now + timedelta(days=3)),
            (bytes.fromhex("000000000002"), now - timedelta(seconds=1)),  # expired: dropped
            (card_id_hash(bytes.fromhex("000000000003")), now + timedelta(days=1)),
        ],
        now,
    )


def test_revoked_card_is_rejected(make_card, store, revocation_list, now) -> None:
    assert store.add_revocation_list(revocation_list, now=now) == 3
    result = verify(make_card(), store, now)
    assert (result.valid, result.reason) == (False, "revoked")
    assert result.claims is not None  # genuine card, so the UI may show whose it was
    other = make_card(card_id=bytes.fromhex("0000000000ff"))
    assert verify(other, store, now).reason == "ok"


def test_list_format(revocation_list, signer, now) -> None:
    sign1, parsed = parse_revocation_list(revocation_list)
    assert sign1.protected_header == {1: -7, 3: CONTENT_TYPE, 4: signer.kid}
    body = cbor2.loads(sign1.payload)
    assert body[1] == 1 and body[2] == int(now.timestamp())
    records = body[3]
    assert len(records) == 3 * 20
    hashes = [records[i : i + 16] for i in range(0, len(records), 20)]
    assert hashes == sorted(hashes)
    assert hashlib.sha256(REVOKED).digest()[:16] in hashes
    assert parsed.entries[card_id_hash(REVOKED)] == now + timedelta(days=14)
    assert parsed.issued_at == now


def test_list_needs_a_trusted_signer(revocation_list, other_signer, signer, now) -> None:
    stranger = TrustStore()
    stranger.add_signer(other_signer)
    with pytest.raises(SignatureError):
        stranger.add_revocation_list(revocation_list)
    retired = TrustStore()
    retired.add_signer(signer, not_after=now - timedelta(days=1))
    with pytest.raises(SignatureError):
        retired.add_revocation_list(revocation_list)


def test_tampered_list_raises(revocation_list, store) -> None:
    for position in range(len(revocation_list)):
        tampered = bytearray(revocation_list)
        tampered[position] ^= 0x01
        with pytest.raises(CredentialError):  # SignatureError is a CredentialError
            store.add_revocation_list(bytes(tampered))
    assert store.revoked_hashes() == {}


def test_a_card_is_not_a_revocation_list(make_card, store) -> None:
    with pytest.raises(CredentialError, match="content type"):
        store.add_revocation_list(base45.decode(make_card()[4:]))
    with pytest.raises(CredentialError):
        store.add_revocation_list("not bytes")  # type: ignore[arg-type]


def test_expired_entries_skipped_on_load(revocation_list, store, now) -> None:
    assert store.add_revocation_list(revocation_list, now=now + timedelta(days=5)) == 1
    assert store.revocation_lists[-1].kid is not None


def test_local_revoke_by_id_or_hash(make_card, store, now) -> None:
    store.revoke(card_id_hash(REVOKED))
    assert verify(make_card(), store, now).reason == "revoked"
    fresh = TrustStore()
    for entry in store.entries():
        fresh.add_entry(entry)
    fresh.revoke(REVOKED)
    assert verify(make_card(), fresh, now).reason == "revoked"
    with pytest.raises(ValueError):
        fresh.revoke(b"short")


def test_build_refuses_naive_now(signer, now) -> None:
    with pytest.raises(ValueError):
        build_revocation_list(signer, [], now.replace(tzinfo=None))

"""Signer keys on disk: file modes, loading, CA-issued certificates and rotation."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from app.credentials import (
    KeyRing,
    TrustStore,
    generate_signer,
    issue_card,
    load_certificates,
    load_signer,
    load_signers,
    save_signer,
    verify,
)


def test_save_and_load(tmp_path, signer, make_card, store, now) -> None:
    key_path = save_signer(signer, tmp_path / "keys")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert key_path.name == signer.kid.hex() + ".key.pem"
    loaded = load_signer(tmp_path / "keys", signer.kid)
    assert loaded.kid == signer.kid
    assert verify(make_card(use_signer=loaded), store, now).reason == "ok"
    assert [c.public_key() for c in load_certificates(tmp_path / "keys")] == [signer.public_key]


def test_existing_key_file_gets_0600(tmp_path, signer) -> None:
    target = tmp_path / (signer.kid.hex() + ".key.pem")
    target.write_text("old")
    target.chmod(0o644)
    save_signer(signer, tmp_path)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_password_protected_key(tmp_path, signer) -> None:
    save_signer(signer, tmp_path, password=b"correct horse")
    assert b"ENCRYPTED" in (tmp_path / (signer.kid.hex() + ".key.pem")).read_bytes()
    assert load_signer(tmp_path, signer.kid.hex(), password=b"correct horse").kid == signer.kid
    with pytest.raises((TypeError, ValueError)):
        load_signer(tmp_path, signer.kid)


def test_several_keys_load_oldest_first(tmp_path, now) -> None:
    newer = generate_signer("new", not_before=now)
    older = generate_signer("old", not_before=now - timedelta(days=90))
    for s in (newer, older):
        save_signer(s, tmp_path)
    assert [s.kid for s in load_signers(tmp_path)] == [older.kid, newer.kid]
    assert load_signers(tmp_path / "missing") == []


def test_issuer_signed_certificate(now) -> None:
    root = generate_signer("Changde CA", is_ca=True, not_before=now - timedelta(days=1))
    leaf = generate_signer("Wuling", issuer=root, not_before=now - timedelta(days=1))
    assert leaf.certificate.issuer == root.certificate.subject
    root.public_key.verify(
        leaf.certificate.signature,
        leaf.certificate.tbs_certificate_bytes,
        ec.ECDSA(hashes.SHA256()),
    )
    assert leaf.kid != root.kid


def test_signer_rejects_mismatched_certificate(signer, other_signer) -> None:
    from app.credentials import Signer

    with pytest.raises(ValueError):
        Signer(signer.private_key, other_signer.certificate)


def test_rotation_keeps_old_cards_valid(tmp_path, now) -> None:
    ring = KeyRing(tmp_path / "keys")
    first = ring.create("Wuling 2020-01", now=now - timedelta(days=10))
    assert ring.active().kid == first.kid

    def card(signer, at):
        return issue_card(
            signer,
            card_id=bytes(6),
            card_type="card",
            status="green",
            name_masked="张*",
            id_last4="1234",
            issued_at=at,
            expires_at=at + timedelta(days=14),
        )

    old_card = card(first, now - timedelta(days=1))
    second = ring.rotate("Wuling 2020-02", now=now)
    assert ring.active().kid == second.kid
    assert ring.retired_at(first.kid) == now
    assert ring.retired_at(second.kid) is None

    lifetime = timedelta(days=14)
    store = TrustStore()
    for entry in ring.trust_entries(now=now, card_lifetime=lifetime, region=430702):
        store.add_entry(entry)
    assert len(store) == 2
    assert verify(old_card, store, now).reason == "ok"
    assert verify(card(second, now), store, now).reason == "ok"
    # The retired key can no longer issue: a card it signs after retirement is refused.
    late = card(first, now + timedelta(hours=1))
    assert verify(late, store, now + timedelta(hours=2)).reason == "unknown_kid"

    # Once every card of the old key has expired, it leaves the trust list.
    later = now + lifetime + timedelta(seconds=1)
    kids = [e.kid for e in ring.trust_entries(now=later, card_lifetime=lifetime)]
    assert kids == [second.kid]


def test_empty_ring_has_no_active_signer(tmp_path) -> None:
    with pytest.raises(LookupError):
        KeyRing(tmp_path).active()

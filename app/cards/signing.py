"""Our signer keys, the trust store the server verifies with, and the documents we publish.

Keys live in KEYS_DIR (the instance folder by default), never in the repo. The active key is
re-read when `flask keys rotate` changes the key ring (looked at every second), so a running
server follows a rotation.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app import generations
from app.credentials import KeyRing, Signer, TrustEntry, TrustStore, build_revocation_list
from app.credentials import build_trust_list as sign_trust_list
from app.errors import DomainError
from app.extensions import db
from app.i18n import register_messages

_lock = threading.Lock()

register_messages(
    {
        "signing_unavailable": (
            "签发服务暂不可用（未配置签名密钥）。",
            "Card signing is unavailable (no signer key configured).",
        ),
    }
)


class SigningUnavailable(DomainError):
    status = 503
    code = "signing_unavailable"


STORE_TTL_SECONDS = 10.0
# How often a process looks at the key ring's state file for a rotation made elsewhere (the
# CLI in another process, another host): a stat per verification showed in profiles.
RING_CHECK_SECONDS = 1.0
TRUST_GENERATION = "trust-store"


@dataclass
class _Cache:
    signer: Signer | None = None
    signer_stamp: tuple[int, int] | None = None
    store: TrustStore | None = None
    store_built: float = 0.0
    store_stamp: tuple[tuple[int, int] | None, int | None] | None = None
    ring: tuple[str, float, tuple[int, int] | None] | None = None  # (dir, looked at, stamp)


def _cache() -> _Cache:
    return current_app.extensions.setdefault("card_signing", _Cache())


def keyring() -> KeyRing:
    return KeyRing(current_app.config["KEYS_DIR"])


def _ring_stamp() -> tuple[int, int] | None:
    """The key ring's state-file time, looked at again at most every RING_CHECK_SECONDS."""
    cache = _cache()
    folder = current_app.config["KEYS_DIR"]
    now = time.monotonic()
    if (
        cache.ring is not None
        and cache.ring[0] == folder
        and now - cache.ring[1] < RING_CHECK_SECONDS
    ):
        return cache.ring[2]
    try:
        state = os.stat(os.path.join(folder, KeyRing.STATE_FILE))
    except FileNotFoundError:
        stamp = None
    else:
        # The ring replaces its state file atomically: a new inode even within one clock tick.
        stamp = (state.st_ino, state.st_mtime_ns)
    cache.ring = (folder, now, stamp)
    return stamp


def forget_keys() -> None:
    """This process changed the key ring: look at it again now, not within a second."""
    _cache().ring = None


def issuer_name() -> str:
    return current_app.config["ISSUER_NAME"]


def issuer_region() -> str:
    return current_app.config["ISSUER_REGION"]


def card_lifetime() -> timedelta:
    """The longest any card we sign stays valid: how long a retired key must stay trusted."""
    config = current_app.config
    return max(
        timedelta(hours=config["CARD_VALID_HOURS"]),
        timedelta(days=config["PAPER_CARD_VALID_DAYS"]),
        timedelta(days=config["CERTIFICATE_VALID_DAYS"]),
    )


def ensure_signer(now: datetime | None = None) -> tuple[Signer, bool]:
    """The active signer, creating the first key if there is none; (signer, created)."""
    ring = keyring()
    try:
        return ring.active(), False
    except LookupError:
        signer = ring.create(issuer_name(), now=now, organization=issuer_name())
        forget_keys()
        return signer, True


def active_signer() -> Signer:
    """The key new cards are signed with (cached; reloaded after a rotation)."""
    cache = _cache()
    stamp = _ring_stamp()
    if cache.signer is None or cache.signer_stamp != stamp:
        with _lock:
            try:
                cache.signer = keyring().active()
            except LookupError:
                # No key yet: the operator has not run `flask keys ensure` (make run does).
                raise SigningUnavailable() from None
            cache.signer_stamp = stamp
            cache.store = None
    return cache.signer


def own_trust_entries(now: datetime) -> list[TrustEntry]:
    return keyring().trust_entries(
        now=now, card_lifetime=card_lifetime(), region=issuer_region(), name=issuer_name()
    )


def imported_trust_entries() -> list[TrustEntry]:
    from app.cards.models import TrustedIssuer

    entries = []
    rows = db.session.scalars(select(TrustedIssuer).where(TrustedIssuer.removed_dt.is_(None)))
    for row in rows:
        meta = {
            "region": row.region_code,
            "name": row.name,
            "not_before": row.not_before,
            "not_after": row.not_after,
            "card_types": row.card_types or None,
        }
        if row.certificate_der:
            entries.append(TrustEntry.from_certificate(row.certificate_der, **meta))
        elif row.jwk:
            entries.append(TrustEntry.from_jwk(row.jwk, **meta))
    return entries


def trust_store(now: datetime) -> TrustStore:
    """Our keys and every imported issuer, rebuilt at most every few seconds."""
    cache = _cache()
    # Another instance's change shows in the shared generation (app/generations.py) within
    # GENERATION_CHECK_SECONDS; the time-to-live is the bound when there is no Redis.
    stamp = (_ring_stamp(), generations.current(TRUST_GENERATION))
    fresh = time.monotonic() - cache.store_built < STORE_TTL_SECONDS
    if cache.store is not None and fresh and cache.store_stamp == stamp:
        return cache.store
    store = TrustStore()
    for entry in own_trust_entries(now) + imported_trust_entries():
        store.add_entry(entry)
    # Our revoked cards ride along, so a verification needs no query of its own. A revocation
    # in this process drops the cache at once; other processes follow the shared generation.
    for card_id, expires in _revoked_cards(now):
        store.revoke(bytes.fromhex(card_id), expires)
    with _lock:
        cache.store, cache.store_built, cache.store_stamp = store, time.monotonic(), stamp
    return store


def invalidate_trust_store() -> None:
    """Drop this process's trust store now, and every instance's once the change commits."""
    _cache().store = None
    generations.bump_after_commit(db.session(), TRUST_GENERATION)


def trust_list_document(now: datetime) -> dict:
    """The signed trust list other regions and the PWA verify against."""
    entries = own_trust_entries(now) + imported_trust_entries()
    return sign_trust_list(active_signer(), entries, now)


def _revoked_cards(now: datetime) -> list[tuple[str, datetime]]:
    """(card id hex, expiry) of every revoked card that has not expired yet."""
    from app.cards.models import HealthCard

    return list(
        db.session.execute(
            select(HealthCard.card_id, HealthCard.expires_dt).where(
                HealthCard.revoked_dt.is_not(None), HealthCard.expires_dt > now
            )
        )
    )


def revocation_list(now: datetime) -> bytes:
    """Signed list of revoked cards that have not expired yet."""
    return build_revocation_list(
        active_signer(), ((bytes.fromhex(cid), exp) for cid, exp in _revoked_cards(now)), now
    )

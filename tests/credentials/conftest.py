"""Fixtures for the credentials tests: fixed clock, signer keys, trust stores, a card factory.

Framework-free: nothing here touches Flask or the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.credentials import Signer, TrustStore, generate_signer, issue_card

# Changde, spring 2020: a fixed "now" keeps every test independent of the real clock.
NOW = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)
KEY_START = datetime(2020, 1, 1, tzinfo=UTC)
WULING = 430702  # GB/T 2260: 武陵区, Changde


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def signer() -> Signer:
    return generate_signer("Wuling District Health Office", not_before=KEY_START)


@pytest.fixture(scope="session")
def other_signer() -> Signer:
    return generate_signer("Dingcheng District Health Office", not_before=KEY_START)


@pytest.fixture
def store(signer: Signer) -> TrustStore:
    trust = TrustStore()
    trust.add_signer(signer, region=WULING, name="武陵区卫健局")
    return trust


CARD_DEFAULTS: dict[str, Any] = {
    "card_id": bytes.fromhex("a1b2c3d4e5f6"),
    "card_type": "card",
    "status": "green",
    "name_masked": "张*三",
    "id_last4": "123X",
    "issued_at": NOW,
    "expires_at": NOW + timedelta(days=14),
}


@pytest.fixture
def make_card(signer: Signer) -> Callable[..., str]:
    """issue_card with defaults; keyword arguments override (use_signer= picks the key)."""

    def _make(use_signer: Signer | None = None, **fields: Any) -> str:
        return issue_card(use_signer or signer, **{**CARD_DEFAULTS, **fields})

    return _make


@pytest.fixture
def largest_card_fields() -> dict[str, Any]:
    """The biggest claim the issuer can produce: yellow paper card, longest masked name
    (4-byte UTF-8 characters), quarantine date."""
    return {
        "card_type": "paper",
        "status": "yellow",
        "name_masked": "𠮷*𠮷",
        "quarantine_until": date(2020, 3, 5),
    }

"""Frozen time (before anyone logs in) and a client per person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde


@pytest.fixture(autouse=True)
def clock():
    """Frozen at 10:00 in Changde on 20 February 2020, before anyone logs in."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client_of(app, login):
    """client_of(user): a test client of its own, logged in as `user`."""

    def _client(user):
        return login(user, on=app.test_client())

    return _client

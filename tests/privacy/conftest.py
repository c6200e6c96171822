"""Privacy tests run at 10:00 in Changde on 20 February 2020 (frozen before anyone logs in)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.privacy.factories import T0


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client_of(app, login):
    """client_of(user): a test client of its own, logged in as `user`."""

    def _client(user):
        return login(user, on=app.test_client())

    return _client

"""Shared generations: bumped in Redis only when the change commits; Redis down is survivable."""

from __future__ import annotations

import random
import socket

import pytest
import redis

from app import generations
from app.extensions import db

DB = random.randint(10, 15)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def shared(app):
    client = redis.Redis(host="127.0.0.1", port=6379, db=DB)
    client.delete(generations.PREFIX + "thing")
    return client


def _value(client: redis.Redis) -> int:
    return int(client.get(generations.PREFIX + "thing") or 0)


pytestmark = pytest.mark.parametrize(
    "app",
    [{"REDIS_URL": f"redis://127.0.0.1:6379/{DB}", "GENERATION_CHECK_SECONDS": 0}],
    indirect=True,
)


def test_a_change_bumps_the_generation_when_it_commits(app, shared) -> None:
    before = generations.current("thing")
    generations.bump_after_commit(db.session(), "thing")
    assert _value(shared) == before  # not before the commit: others would rebuild stale rows
    db.session.commit()
    assert _value(shared) == before + 1
    assert generations.current("thing") == before + 1


def test_a_rolled_back_change_bumps_nothing(app, shared) -> None:
    before = _value(shared)
    generations.bump_after_commit(db.session(), "thing")
    db.session.rollback()
    db.session.commit()
    assert _value(shared) == before


def test_without_redis_there_is_no_shared_generation(app) -> None:
    app.extensions[generations.EXTENSION] = generations.Generations(None, 0)
    assert generations.current("thing") is None
    generations.bump_after_commit(db.session(), "thing")
    db.session.commit()  # nothing to bump, nothing raised


def test_with_redis_down_callers_fall_back_to_their_own_lifetime(app, caplog) -> None:
    app.extensions[generations.EXTENSION] = generations.Generations(
        f"redis://127.0.0.1:{_closed_port()}/0", 0
    )
    assert generations.current("thing") is None
    generations.bump_after_commit(db.session(), "thing")
    db.session.commit()  # the change itself is kept; only the signal to others is lost
    assert "shared generations unreachable" in caplog.text

"""SQLite busy: a write waits up to busy_timeout (5 s) for another writer, then answers 503
`database_unavailable` having saved nothing; the retry succeeds and the file stays sound."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from app.cards.models import HealthDeclaration
from app.extensions import db
from tests.factories import declaration, make_user


def test_a_write_behind_a_long_writer_fails_cleanly_and_the_retry_lands(app, client, login):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own locking (the PostgreSQL pass has row locks and 409s)")
    worker = make_user()
    login(worker)
    path = db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        busy = client.post("/api/v1/declarations", json=declaration())
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert busy.status_code == 503
    assert busy.get_json()["code"] == "database_unavailable"
    assert db.session.scalar(select(func.count(HealthDeclaration.id))) == 0  # nothing half-saved

    again = client.post("/api/v1/declarations", json=declaration())
    assert again.status_code == 201, again.get_json()
    assert db.session.scalar(select(func.count(HealthDeclaration.id))) == 1
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()

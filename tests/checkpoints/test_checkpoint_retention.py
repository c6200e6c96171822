"""`flask retention-purge`: scans and check-ins older than RETENTION_DAYS go, aggregates stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from app.checkpoints.models import CheckpointScan
from app.extensions import db
from tests.checkpoints.factories import make_checkpoint, make_volunteer, scan_item

SYNC = "/api/v1/checkpoints/sync"
THEN = datetime(2020, 2, 3, 2, 0, tzinfo=UTC)


def _scans() -> int:
    return db.session.scalar(select(func.count(CheckpointScan.id)))


def test_old_scans_are_purged_new_ones_and_the_ranked_counts_stay(client, login, runner):
    checkpoint = make_checkpoint()
    volunteer = make_volunteer(checkpoint)
    with time_machine.travel(THEN, tick=False):
        login(volunteer)
        old = [scan_item(checkpoint.id, at=THEN) for _ in range(3)]
        assert client.post(SYNC, json={"items": old}).status_code == 200
    later = THEN + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        login(volunteer)
        new = [scan_item(checkpoint.id, at=later) for _ in range(2)]
        assert client.post(SYNC, json={"items": new}).status_code == 200
        counted = db.session.scalar(
            select(func.sum(db.metadata.tables["supervision_checkpoint_days"].c.scans))
        )
        assert _scans() == 5

        result = runner.invoke(args=["retention-purge"])  # default: 28 days
        assert result.exit_code == 0, result.output
        assert "checkpoint_scans=3" in result.output and "kept 28 days" in result.output
        assert _scans() == 2
        # The per-checkpoint day counters the ranked list reads are aggregates: kept.
        assert (
            db.session.scalar(
                select(func.sum(db.metadata.tables["supervision_checkpoint_days"].c.scans))
            )
            == counted
        )
        again = runner.invoke(args=["retention-purge", "--days", "1"])
        assert "checkpoint_scans=0" in again.output  # the new ones are from today
        assert runner.invoke(args=["retention-purge", "--days", "0"]).exit_code != 0

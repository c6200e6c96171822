"""Retention: scans and self check-ins say where a person was and when, so they are kept only
for the configured days (RETENTION_DAYS, default 28: two incubation periods). What the
figures need is kept: the per-checkpoint day counters (supervision), the ledger counts and
every scan a supervision case holds as evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select

from app.checkpoints.models import CheckpointCheckIn, CheckpointScan
from app.extensions import db


def purge_before(cutoff: datetime) -> dict[str, int]:
    """Delete scans and check-ins received before `cutoff` (aware) in the current
    transaction, except scans a supervision case holds; the caller commits."""
    if cutoff.tzinfo is None:
        raise ValueError("cutoff must be an aware datetime")
    scans = delete(CheckpointScan).where(CheckpointScan.received_dt < cutoff)
    evidence = db.metadata.tables.get("supervision_case_scans")
    if evidence is not None:  # the supervision domain keeps its cases' scans
        held = select(evidence.c.scan_id).where(evidence.c.scan_id == CheckpointScan.id)
        scans = scans.where(~exists(held))
    purged = {CheckpointScan.__tablename__: int(db.session.execute(scans).rowcount or 0)}
    checkins = delete(CheckpointCheckIn).where(CheckpointCheckIn.received_dt < cutoff)
    purged[CheckpointCheckIn.__tablename__] = int(db.session.execute(checkins).rowcount or 0)
    return purged

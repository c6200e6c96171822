"""Retention: gate lookups are personal data (whose colour was asked, where and when) and are
kept only as long as supervisors need them. The retention command calls `purge_before`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from app.extensions import db
from app.supervision.models import GateLookup


def purge_before(cutoff: datetime) -> dict[str, int]:
    """Delete gate lookups made before `cutoff` (an aware datetime) in the current
    transaction; the caller commits. Returns {table: rows deleted}."""
    if cutoff.tzinfo is None:
        raise ValueError("cutoff must be an aware datetime")
    result = db.session.execute(delete(GateLookup).where(GateLookup.at_dt < cutoff))
    return {GateLookup.__tablename__: int(result.rowcount or 0)}

"""Per checkpoint and local day counts (supervision_checkpoint_days), kept by scan ingest.

Ingest adds each batch's new scans and decisions in one upsert statement; `recount` rebuilds
the rows of a day range from the scans themselves (after a bulk load that bypassed ingest, or
to check them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, select

from app.extensions import db
from app.supervision.models import CheckpointDay

FIELDS = ("scans", "passes", "admitted", "refused", "refused_valid")


class Tally:
    """Increments per (checkpoint id, day in storage form), gathered while a batch is read."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, Any], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])

    def scan(self, checkpoint_id: int, day: Any, passes: bool) -> None:
        row = self.rows[(checkpoint_id, day)]
        row[0] += 1
        if passes:
            row[1] += 1

    def decision(self, checkpoint_id: int, day: Any, refused: bool, flagged: bool) -> None:
        row = self.rows[(checkpoint_id, day)]
        if refused:
            row[3] += 1
            if flagged:
                row[4] += 1
        else:
            row[2] += 1

    def save(self) -> None:
        """One INSERT ... ON CONFLICT DO UPDATE for the whole batch (SQLite and PostgreSQL),
        through the driver like the scans themselves; keys in order, so that two uploads
        touching the same rows lock them in the same order."""
        if not self.rows:
            return
        connection = db.session.connection()
        mark = "?" if connection.dialect.name == "sqlite" else "%s"
        table = CheckpointDay.__tablename__
        values = ",".join([f"({','.join([mark] * 7)})"] * len(self.rows))
        updates = ",".join(f"{name} = {table}.{name} + excluded.{name}" for name in FIELDS)
        sql = (
            f"INSERT INTO {table} (checkpoint_id,day,{','.join(FIELDS)}) VALUES {values} "  # noqa: S608 - fixed names
            f"ON CONFLICT (checkpoint_id, day) DO UPDATE SET {updates}"
        )
        params: list[Any] = []
        for key in sorted(self.rows, key=lambda k: (k[0], str(k[1]))):
            params += [key[0], key[1], *self.rows[key]]
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql, tuple(params))
        finally:
            cursor.close()
        self.rows.clear()


def _passes(scan: Any) -> Any:
    return and_(scan.valid.is_(True), (scan.status == "green") | (scan.kind == "HC1"))


def recount(start: date | None = None, end: date | None = None) -> int:
    """Rebuild the rows of [start, end] (every day when not given) from checkpoint_scans;
    returns how many rows were written."""
    from app.checkpoints.models import CheckpointScan as s

    def ones(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    window = []
    if start is not None:
        window.append(s.scan_day >= start)
    if end is not None:
        window.append(s.scan_day <= end)
    query = (
        select(
            s.checkpoint_id,
            s.scan_day,
            func.count(s.id),
            ones(_passes(s)),
            ones(s.decision == "admit"),
            ones(s.decision == "refuse"),
            ones(s.flagged.is_(True)),
        )
        .where(*window)
        .group_by(s.checkpoint_id, s.scan_day)
    )
    rows = [
        dict(zip(("checkpoint_id", "day", *FIELDS), r, strict=True))
        for r in db.session.execute(query)
    ]
    old = []
    if start is not None:
        old.append(CheckpointDay.day >= start)
    if end is not None:
        old.append(CheckpointDay.day <= end)
    db.session.execute(delete(CheckpointDay).where(*old))
    if rows:
        db.session.execute(insert(CheckpointDay), rows)
    return len(rows)


def day_counts(
    checkpoint_ids: list[int] | None, start: date, end: date
) -> Mapping[int, dict[str, int]]:
    """{checkpoint id: summed counts over [start, end]} (checkpoints with no row are absent)."""
    c = CheckpointDay
    stmt = select(c.checkpoint_id, *(func.sum(getattr(c, name)) for name in FIELDS)).where(
        c.day >= start, c.day <= end
    )
    if checkpoint_ids is not None:
        stmt = stmt.where(c.checkpoint_id.in_(checkpoint_ids))
    out: dict[int, dict[str, int]] = {}
    for row in db.session.execute(stmt.group_by(c.checkpoint_id)):
        out[row[0]] = {name: int(value or 0) for name, value in zip(FIELDS, row[1:], strict=True)}
    return out

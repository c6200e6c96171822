"""What happened at checkpoints: counts per checkpoint and day, and refusals with reasons.

The notice forbids blocking workers with a valid card; refusals of valid passes are flagged
when they arrive (ingest.passes) so that supervisors find them in one indexed query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from app.checkpoints.models import Checkpoint, CheckpointCheckIn, CheckpointScan
from app.errors import ValidationFailed
from app.timeutil import local_today

MAX_DAYS = 31
COUNT_FIELDS = (
    "scans",
    "valid",
    "invalid",
    "green",
    "yellow",
    "red",
    "admitted",
    "refused",
    "undecided",
    "flagged",
    "checkins",
)
REFUSAL_WORDS = {
    "card_invalid": ("健康码无效或伪造", "Card not valid or forged"),
    "card_expired": ("健康码已过期", "Card expired"),
    "not_green": ("非绿码", "Not a green card"),
    "identity_mismatch": ("人证不符", "Person does not match the card"),
    "fever": ("现场测温异常", "Fever measured on site"),
    "no_card": ("无健康码", "No health card"),
    "other": ("其他", "Other"),
}


def day_window(
    start: date | None, end: date | None, today: date | None = None
) -> tuple[date, date]:
    """[start, end] in local days; a week up to today by default, 31 days at most."""
    end = end or today or local_today()
    start = start or end - timedelta(days=6)
    if start > end or (end - start).days >= MAX_DAYS:
        raise ValidationFailed(errors=[{"field": "from", "code": "date_range_invalid"}])
    return start, end


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _scan_columns() -> list[Any]:
    s = CheckpointScan
    return [
        func.count(s.id).label("scans"),
        _sum(s.valid.is_(True)).label("valid"),
        _sum(s.valid.is_(False)).label("invalid"),
        _sum(and_(s.valid.is_(True), s.status == "green")).label("green"),
        _sum(and_(s.valid.is_(True), s.status == "yellow")).label("yellow"),
        _sum(and_(s.valid.is_(True), s.status == "red")).label("red"),
        _sum(s.decision == "admit").label("admitted"),
        _sum(s.decision == "refuse").label("refused"),
        _sum(s.decision.is_(None)).label("undecided"),
        _sum(s.flagged.is_(True)).label("flagged"),
    ]


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_FIELDS, 0)


def daily_counts(
    session: Any, checkpoint_ids: Iterable[int], start: date, end: date
) -> dict[int, dict[date, dict[str, int]]]:
    """{checkpoint id: {day: counts}} for days with any scan or check-in."""
    ids = list(checkpoint_ids)
    out: dict[int, dict[date, dict[str, int]]] = defaultdict(dict)
    if not ids:
        return out
    s = CheckpointScan
    scan_rows = session.execute(
        select(s.checkpoint_id, s.scan_day, *_scan_columns())
        .where(s.checkpoint_id.in_(ids), s.scan_day >= start, s.scan_day <= end)
        .group_by(s.checkpoint_id, s.scan_day)
    )
    for row in scan_rows:
        counts = empty_counts()
        for name in COUNT_FIELDS[:-1]:
            counts[name] = int(getattr(row, name) or 0)
        out[row.checkpoint_id][row.scan_day] = counts
    c = CheckpointCheckIn
    checkin_rows = session.execute(
        select(c.checkpoint_id, c.day, func.count(c.id))
        .where(c.checkpoint_id.in_(ids), c.day >= start, c.day <= end)
        .group_by(c.checkpoint_id, c.day)
    )
    for checkpoint_id, day, count in checkin_rows:
        out[checkpoint_id].setdefault(day, empty_counts())["checkins"] = int(count)
    return out


def totals(days: Iterable[dict[str, int]]) -> dict[str, int]:
    total = empty_counts()
    for counts in days:
        for name in COUNT_FIELDS:
            total[name] += counts[name]
    return total


def refusal_reasons(session: Any, checkpoint_id: int, day: date) -> dict[str, int]:
    s = CheckpointScan
    rows = session.execute(
        select(s.refusal_reason, func.count(s.id))
        .where(s.checkpoint_id == checkpoint_id, s.scan_day == day, s.decision == "refuse")
        .group_by(s.refusal_reason)
    )
    return {reason or "other": int(count) for reason, count in rows}


def refusals(
    checkpoints: Select,
    *,
    checkpoint_id: int | None = None,
    flagged: bool | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Select:
    """Refusals at the checkpoints of `checkpoints` (a select of Checkpoint), newest first."""
    s = CheckpointScan
    ids = checkpoints.with_only_columns(Checkpoint.id).scalar_subquery()
    stmt = select(s).where(s.decision == "refuse", s.checkpoint_id.in_(ids))
    if checkpoint_id is not None:
        stmt = stmt.where(s.checkpoint_id == checkpoint_id)
    if flagged is not None:
        stmt = stmt.where(s.flagged.is_(flagged))
    if start is not None:
        stmt = stmt.where(s.scan_day >= start)
    if end is not None:
        stmt = stmt.where(s.scan_day <= end)
    return stmt


def reason_text(reason: str | None, locale: str) -> str | None:
    if reason is None:
        return None
    words = REFUSAL_WORDS.get(reason)
    if words is None:
        return reason
    return words[1] if locale == "en" else words[0]

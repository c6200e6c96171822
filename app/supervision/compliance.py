"""How well each village lets card holders through: figures per checkpoint or region, ranked.

Per unit (a checkpoint, or a village, township or county with everything beneath it) and per
rolling week (the 7 local days up to today, and the 7 before): cards scanned, passes among
them (valid green cards and health certificates, which the notice says must be let through),
admitted, refused, refused while valid, cases opened, open cases and the median time to close.

Worst first: the share of passes refused, then the number refused, then open cases. The
trend compares that share with the week before. Scan figures come from the per-day counters
(supervision_checkpoint_days) that ingest keeps, so a ranked list of the whole city reads a
few thousand rows, not every scan.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import case, func, or_, select

from app.checkpoints.models import Checkpoint
from app.errors import ValidationFailed
from app.extensions import db
from app.regions.models import Region
from app.regions.services import get_region, region_subtree, subtree_bounds
from app.supervision.counters import FIELDS
from app.supervision.models import CheckpointDay, SupervisionCase
from app.timeutil import local_midnight, local_today

LEVELS = ("checkpoint", "village", "township", "county")
SCAN_FIELDS = FIELDS  # scans, passes, admitted, refused, refused_valid


@dataclass
class Week:
    """One unit's figures for one week."""

    scans: int = 0
    passes: int = 0
    admitted: int = 0
    refused: int = 0
    refused_valid: int = 0
    cases_opened: int = 0
    open_cases: int = 0  # open at the end of the week
    closed_cases: int = 0
    close_hours: list[float] = field(default_factory=list)

    @property
    def refused_valid_share(self) -> Fraction:
        return Fraction(self.refused_valid, self.passes) if self.passes else Fraction(0)

    @property
    def refused_valid_permille(self) -> int:
        return self.refused_valid * 1000 // self.passes if self.passes else 0

    @property
    def median_close_hours(self) -> float | None:
        return round(statistics.median(self.close_hours), 1) if self.close_hours else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in SCAN_FIELDS},
            "refused_valid_permille": self.refused_valid_permille,
            "cases_opened": self.cases_opened,
            "open_cases": self.open_cases,
            "closed_cases": self.closed_cases,
            "median_close_hours": self.median_close_hours,
        }


@dataclass
class Unit:
    kind: str
    key: str  # checkpoint id, or region code
    name_zh: str
    name_en: str
    village_code: str | None = None
    this_week: Week = field(default_factory=Week)
    last_week: Week = field(default_factory=Week)

    @property
    def trend(self) -> str:
        """worse / better / same than the week before; new when it had no passes then."""
        if not self.last_week.passes:
            return "new"
        now, before = self.this_week.refused_valid_share, self.last_week.refused_valid_share
        return "worse" if now > before else "better" if now < before else "same"

    def rank_key(self) -> tuple:
        w = self.this_week
        return (
            -w.refused_valid_share,
            -w.refused_valid,
            -w.open_cases,
            -w.cases_opened,
            -w.scans,
            self.key,
        )


@dataclass(frozen=True)
class Weeks:
    """[last_start, last_end] and [this_start, today], local days."""

    today: date

    @property
    def this_start(self) -> date:
        return self.today - timedelta(days=6)

    @property
    def last_start(self) -> date:
        return self.today - timedelta(days=13)

    @property
    def last_end(self) -> date:
        return self.today - timedelta(days=7)

    def which(self, day: date) -> str | None:
        if self.this_start <= day <= self.today:
            return "this"
        if self.last_start <= day <= self.last_end:
            return "last"
        return None


def _week(unit: Unit, which: str) -> Week:
    return unit.this_week if which == "this" else unit.last_week


def default_level(scope: Region) -> str:
    """What a list of this region ranks by default: the city its counties' villages too."""
    return "checkpoint" if scope.level == "village" else "village"


def ranked(scope_code: str, level: str, today: date | None = None) -> list[Unit]:
    """Every unit of `level` in the scope that has a checkpoint or a case, worst first."""
    if level not in LEVELS:
        raise ValidationFailed(errors=[{"field": "level", "code": "invalid"}])
    scope = get_region(scope_code)
    weeks = Weeks(today or local_today())
    low, high = subtree_bounds(scope.path)
    regions = {
        r.code: r
        for r in db.session.scalars(select(Region).where(Region.path >= low, Region.path < high))
    }
    ancestor = _ancestor_at(regions, level)

    units: dict[str, Unit] = {}

    def unit_of(checkpoint_id: int | None, village_code: str, name: str | None) -> Unit | None:
        if level == "checkpoint":
            if checkpoint_id is None:
                return None
            key = str(checkpoint_id)
            if key not in units:
                units[key] = Unit("checkpoint", key, name or "", name or "", village_code)
            return units[key]
        code = ancestor(village_code)
        if code is None:
            return None
        if code not in units:
            region = regions[code]
            units[code] = Unit(level, code, region.name_zh, region.name_en)
        return units[code]

    checkpoints = {
        cid: (village, name)
        for cid, village, name in db.session.execute(
            select(Checkpoint.id, Checkpoint.village_code, Checkpoint.name).where(
                region_subtree(Checkpoint.village_code, scope.code)
            )
        )
    }
    for cid, (village, name) in checkpoints.items():
        unit_of(cid, village, name)

    # Scan figures: one grouped read of the counters, by checkpoint and week.
    c = CheckpointDay
    is_this = case((c.day >= weeks.this_start, 1), else_=0)
    rows = db.session.execute(
        select(c.checkpoint_id, is_this, *(func.sum(getattr(c, n)) for n in SCAN_FIELDS))
        .where(
            c.day >= weeks.last_start,
            c.day <= weeks.today,
            c.checkpoint_id.in_(
                select(Checkpoint.id)
                .where(region_subtree(Checkpoint.village_code, scope.code))
                .scalar_subquery()
            ),
        )
        .group_by(c.checkpoint_id, is_this)
    )
    for row in rows:
        village, name = checkpoints[row[0]]
        unit = unit_of(row[0], village, name)
        if unit is None:
            continue
        week = _week(unit, "this" if row[1] else "last")
        for name_, value in zip(SCAN_FIELDS, row[2:], strict=True):
            setattr(week, name_, getattr(week, name_) + int(value or 0))

    _add_cases(scope.code, weeks, checkpoints, unit_of)
    return sorted(units.values(), key=Unit.rank_key)


def _ancestor_at(regions: dict[str, Region], level: str) -> Any:
    """A function: village code -> the code of its region at `level` inside the scope."""
    wanted = {
        "checkpoint": (),
        "village": ("village",),
        "township": ("township",),
        "county": ("county", "zone"),
    }[level]
    by_path = {r.path: r.code for r in regions.values() if r.level in wanted}
    cache: dict[str, str | None] = {}

    def ancestor(village_code: str) -> str | None:
        if village_code not in cache:
            region = regions.get(village_code)
            found = None
            if region is not None:
                parts = region.path.strip("/").split("/")
                for depth in range(len(parts), 0, -1):
                    path = "/" + "/".join(parts[:depth]) + "/"
                    if path in by_path:
                        found = by_path[path]
                        break
            cache[village_code] = found
        return cache[village_code]

    return ancestor


def _add_cases(scope_code: str, weeks: Weeks, checkpoints: dict, unit_of: Any) -> None:
    """Cases opened per week, open at each week's end, and times to close."""
    s = SupervisionCase
    last_start_dt = local_midnight(weeks.last_start)
    this_start_dt = local_midnight(weeks.this_start)
    rows = db.session.execute(
        select(s.checkpoint_id, s.village_code, s.state, s.opened_dt, s.closed_dt).where(
            region_subtree(s.village_code, scope_code),
            or_(s.state == "open", s.closed_dt >= last_start_dt, s.opened_dt >= last_start_dt),
        )
    )
    for checkpoint_id, village_code, state, opened, closed in rows:
        name = checkpoints.get(checkpoint_id, (None, None))[1] if checkpoint_id else None
        unit = unit_of(checkpoint_id, village_code, name)
        if unit is None:
            continue
        # This week runs to now; last week to the start of this one.
        for which, start, end in (
            ("last", last_start_dt, this_start_dt),
            ("this", this_start_dt, None),
        ):
            week = _week(unit, which)
            if opened >= start and (end is None or opened < end):
                week.cases_opened += 1
            if closed is not None and closed >= start and (end is None or closed < end):
                week.closed_cases += 1
                week.close_hours.append((closed - opened).total_seconds() / 3600)
            if end is None:
                week.open_cases += state == "open"
            else:
                week.open_cases += opened < end and (closed is None or closed >= end)


def as_rows(units: list[Unit], limit: int | None = None) -> list[dict[str, Any]]:
    """The ranked units as plain dicts (rank from 1)."""
    out = []
    for rank, unit in enumerate(units[:limit] if limit else units, start=1):
        last = unit.last_week
        change = None
        if last.passes:
            change = unit.this_week.refused_valid_permille - last.refused_valid_permille
        out.append(
            {
                "rank": rank,
                "kind": unit.kind,
                "key": unit.key,
                "name_zh": unit.name_zh,
                "name_en": unit.name_en,
                "village_code": unit.village_code,
                "this_week": unit.this_week.as_dict(),
                "last_week": last.as_dict(),
                "trend": unit.trend,
                "permille_change": change,
            }
        )
    return out

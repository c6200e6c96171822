"""The ranked list counted the slow way, from every scan and case row (for tests and bench/)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import select

from app.checkpoints.models import Checkpoint, CheckpointScan
from app.extensions import db
from app.regions.models import Region
from app.supervision.models import SupervisionCase
from app.timeutil import local_midnight


def brute_force(scope: str, level: str, today: date, now: datetime) -> list[dict]:
    """The ranked list from every scan and case row, counted in Python."""
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    scope_path = regions[scope].path
    wanted = {"village": ("village",), "county": ("county", "zone"), "checkpoint": ()}[level]

    def unit_of(checkpoint: Checkpoint | None, village_code: str) -> str | None:
        if level == "checkpoint":
            return str(checkpoint.id) if checkpoint else None
        region = regions[village_code]
        while region is not None and region.level not in wanted:
            region = regions.get(region.parent_code)
        return region.code if region is not None else None

    this_start, last_start = today - timedelta(days=6), today - timedelta(days=13)
    figures: dict = defaultdict(lambda: {w: defaultdict(int) for w in ("this", "last")})
    hours: dict = defaultdict(lambda: {"this": [], "last": []})
    checkpoints = {
        c.id: c
        for c in db.session.scalars(select(Checkpoint))
        if regions[c.village_code].path.startswith(scope_path)
    }
    for c in checkpoints.values():
        figures[unit_of(c, c.village_code)]
    for s in db.session.scalars(select(CheckpointScan)):
        c = checkpoints.get(s.checkpoint_id)
        if c is None or not last_start <= s.scan_day <= today:
            continue
        f = figures[unit_of(c, c.village_code)]["this" if s.scan_day >= this_start else "last"]
        f["scans"] += 1
        passes = s.valid and (s.status == "green" or s.kind == "HC1")
        f["passes"] += passes
        f["admitted"] += s.decision == "admit"
        f["refused"] += s.decision == "refuse"
        f["refused_valid"] += s.decision == "refuse" and passes
    this_dt, last_dt = local_midnight(this_start), local_midnight(last_start)
    for case in db.session.scalars(select(SupervisionCase)):
        if not regions[case.village_code].path.startswith(scope_path):
            continue
        key = unit_of(checkpoints.get(case.checkpoint_id), case.village_code)
        if key is None:
            continue
        f = figures[key]
        f["this"]["open_cases"] += case.state == "open"
        f["last"]["open_cases"] += case.opened_dt < this_dt and (
            case.closed_dt is None or case.closed_dt >= this_dt
        )
        for week, start, end in (
            ("last", last_dt, this_dt),
            ("this", this_dt, now + timedelta(days=1)),
        ):
            f[week]["cases_opened"] += start <= case.opened_dt < end
            if case.closed_dt is not None and start <= case.closed_dt < end:
                f[week]["closed_cases"] += 1
                hours[key][week].append((case.closed_dt - case.opened_dt).total_seconds() / 3600)
    rows = []
    for key, weeks in figures.items():
        this = weeks["this"]
        share = Fraction(this["refused_valid"], this["passes"]) if this["passes"] else Fraction(0)
        rows.append(
            {
                "key": key,
                "sort": (
                    -share,
                    -this["refused_valid"],
                    -this["open_cases"],
                    -this["cases_opened"],
                    -this["scans"],
                    key,
                ),
                "weeks": {
                    w: {
                        **{
                            n: weeks[w][n]
                            for n in (
                                "scans",
                                "passes",
                                "admitted",
                                "refused",
                                "refused_valid",
                                "cases_opened",
                                "open_cases",
                                "closed_cases",
                            )
                        },
                        "median_close_hours": round(statistics.median(hours[key][w]), 1)
                        if hours[key][w]
                        else None,
                        "refused_valid_permille": weeks[w]["refused_valid"]
                        * 1000
                        // weeks[w]["passes"]
                        if weeks[w]["passes"]
                        else 0,
                    }
                    for w in ("this", "last")
                },
            }
        )
    rows.sort(key=lambda r: r["sort"])
    return rows

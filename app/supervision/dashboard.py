"""The officials' dashboard: the figures of their region, each with the list it counts.

Every figure is computed from the same query (or the same service) as the list it links to,
so the number on the dashboard is the number of rows the official finds behind it: scans
today and this week by verdict and decision, the colour of the region's people, quarantine
cases due for release, outbound intents by destination, labour demand against supply, and
open supervision cases.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, and_, func, select

from app.accounts.access import require_oversight, scope_of
from app.accounts.models import User
from app.api import API_PREFIX
from app.cards.models import HealthStatus
from app.checkpoints.models import Checkpoint, CheckpointScan
from app.errors import Forbidden
from app.extensions import db
from app.regions.models import Region
from app.regions.services import get_region, region_subtree
from app.timeutil import local_today

SCAN_FILTERS = ("all", "valid", "invalid", "admitted", "refused", "refused_valid", "undecided")
STATUSES = ("green", "yellow", "red")


@dataclass
class Figure:
    """A number and the API list whose rows it counts (or whose `sum` field it adds up)."""

    value: int
    list: str
    sum: str | None = None


@dataclass
class Dashboard:
    region: Region
    today: date
    week_start: date
    scans_today: dict[str, Figure] = field(default_factory=dict)
    scans_week: dict[str, Figure] = field(default_factory=dict)
    colours: dict[str, Figure] = field(default_factory=dict)
    quarantine_due: Figure | None = None
    intents_outbound: Figure | None = None
    destinations: list[tuple[Region | None, str, Figure]] = field(default_factory=list)
    labour: dict[str, Figure] = field(default_factory=dict)
    cases_open: Figure | None = None
    cases_unassigned: Figure | None = None


def _url(path: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    return f"{API_PREFIX}{path}" + (f"?{urlencode(query)}" if query else "")


def region_of(actor: User, region_code: str | None) -> Region:
    """The official's region, or one inside it."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    if region_code:
        get_region(region_code)
        require_oversight(actor, region_code)
        return get_region(region_code)
    return get_region(scope)


def count(stmt: Select) -> int:
    return int(db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())))


# -- the lists (shared by the dashboard and the list endpoints) -----------------------------


def scans_in(
    region_code: str,
    start: date,
    end: date,
    scan_filter: str = "all",
    checkpoint_id: int | None = None,
) -> Select:
    """Scans at the region's checkpoints on local days [start, end], by verdict or decision."""
    s = CheckpointScan
    checkpoints = select(Checkpoint.id).where(region_subtree(Checkpoint.village_code, region_code))
    stmt = select(s).where(
        s.checkpoint_id.in_(checkpoints.scalar_subquery()), s.scan_day >= start, s.scan_day <= end
    )
    if checkpoint_id is not None:
        stmt = stmt.where(s.checkpoint_id == checkpoint_id)
    conditions = {
        "valid": s.valid.is_(True),
        "invalid": s.valid.is_(False),
        "admitted": s.decision == "admit",
        "refused": s.decision == "refuse",
        "refused_valid": and_(s.decision == "refuse", s.flagged.is_(True)),
        "undecided": s.decision.is_(None),
    }
    if scan_filter in conditions:
        stmt = stmt.where(conditions[scan_filter])
    return stmt


def people_in(region_code: str, status: str | None = None) -> Select:
    """People whose (household or responsibility) region lies in the region, with a colour."""
    stmt = (
        select(HealthStatus)
        .join(User, User.id == HealthStatus.user_id)
        .where(region_subtree(User.region_code, region_code))
    )
    if status:
        stmt = stmt.where(HealthStatus.status == status)
    return stmt


# -- the dashboard --------------------------------------------------------------------------


def _scan_figures(region: Region, start: date, end: date) -> dict[str, Figure]:
    base = scans_in(region.code, start, end).subquery()
    ones = {
        "all": func.count(),
        "valid": func.count().filter(base.c.valid.is_(True)),
        "invalid": func.count().filter(base.c.valid.is_(False)),
        "admitted": func.count().filter(base.c.decision == "admit"),
        "refused": func.count().filter(base.c.decision == "refuse"),
        "refused_valid": func.count().filter(
            and_(base.c.decision == "refuse", base.c.flagged.is_(True))
        ),
        "undecided": func.count().filter(base.c.decision.is_(None)),
    }
    row = db.session.execute(select(*ones.values()).select_from(base)).one()
    return {
        name: Figure(
            int(value or 0),
            _url(
                "/supervision/scans",
                region=region.code,
                **{"from": start.isoformat()},
                to=end.isoformat(),
                filter=None if name == "all" else name,
            ),
        )
        for name, value in zip(ones, row, strict=True)
    }


def build(actor: User, region_code: str | None = None, today: date | None = None) -> Dashboard:
    """Every figure of the official's region (or a region inside it)."""
    region = region_of(actor, region_code)
    today = today or local_today()
    board = Dashboard(region=region, today=today, week_start=today - timedelta(days=6))
    board.scans_today = _scan_figures(region, today, today)
    board.scans_week = _scan_figures(region, board.week_start, today)

    colours = _colour_counts(region.code)
    board.colours = {
        status: Figure(
            colours.get(status, 0), _url("/supervision/people", region=region.code, status=status)
        )
        for status in STATUSES
    }

    from app.quarantine.services import cases_in

    board.quarantine_due = Figure(
        count(cases_in(region.code, "due", today)),
        _url("/quarantine/cases", region=region.code, filter="due"),
    )
    _add_intents(board, actor)
    _add_labour(board, actor)

    from app.supervision.services import cases_in_scope

    board.cases_open = Figure(
        count(cases_in_scope(actor, region=region.code, state="open")),
        _url("/supervision/cases", region=region.code, state="open"),
    )
    board.cases_unassigned = Figure(
        count(cases_in_scope(actor, region=region.code, state="open", unassigned=True)),
        _url("/supervision/cases", region=region.code, state="open", unassigned="true"),
    )
    return board


def _colour_counts(region_code: str) -> dict[str, int]:
    base = people_in(region_code).subquery()
    return {
        status: int(n)
        for status, n in db.session.execute(
            select(base.c.status, func.count()).select_from(base).group_by(base.c.status)
        )
    }


def _add_intents(board: Dashboard, actor: User) -> None:
    """Outbound intents in the ledger's people list, by destination city (as the ledger)."""
    from app.intents import destinations, reports

    stmt = reports.people_query(actor, reports.LedgerFilters(region=board.region.code))
    base = stmt.subquery()
    per_code = db.session.execute(
        select(base.c.destination_code, func.count())
        .select_from(base)
        .group_by(base.c.destination_code)
    ).all()
    by_key: dict[str, int] = defaultdict(int)
    for code, n in per_code:
        by_key[reports.destination_key(code, "city")] += int(n)
    total = sum(by_key.values())
    board.intents_outbound = Figure(total, _url("/ledger/people", region=board.region.code))
    names = destinations.names_for(set(by_key))
    for key, n in sorted(by_key.items(), key=lambda kv: (-kv[1], kv[0])):
        board.destinations.append(
            (
                names.get(key),
                key,
                Figure(n, _url("/ledger/people", region=board.region.code, destination=key)),
            )
        )


def _add_labour(board: Dashboard, actor: User) -> None:
    """Labour demand against supply: the sums of the demand summary's cells."""
    from app.jobs.demand import demand_summary

    summary = demand_summary(actor, board.region.code)
    link = _url("/labour-demand/summary", region=board.region.code)
    for name in ("demand", "open_positions", "supply_local", "supply_outbound"):
        board.labour[name] = Figure(
            sum(getattr(c, name) for c in summary.cells), link, sum=f"cells.{name}"
        )

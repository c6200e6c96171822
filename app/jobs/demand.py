"""The labour-demand survey (用工需求摸底): employers report, officials see demand against supply.

Demand: the headcounts employers reported, by the region of the work and the trade.
Open positions: headcount minus hires of the published postings working there.
Supply: workers from there whose employment intent (app.intents) has no job arranged yet,
wanting local work or planning to go out (those a local job might keep close to home).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select

from app.accounts.access import require_oversight, scope_of
from app.accounts.models import User
from app.audit.services import record
from app.employers.models import Employer
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.jobs.models import JobListing, JobPosting, LabourDemand
from app.jobs.trades import TRADE_CODES
from app.regions.models import Region
from app.regions.services import CITY_CODE, get_region, is_within, subtree_bounds
from app.timeutil import local_today, utcnow

register_messages(
    {
        "demand_not_found": ("未找到该用工需求。", "No such labour-demand line."),
        "start_date_past": ("开始日期不能早于今天。", "The start date cannot be in the past."),
    }
)

DEMAND_FIELDS = ("trade", "headcount", "start_date", "region_code", "note")


def _check(fields: dict[str, Any], today: date, *, new: bool) -> None:
    errors = []
    if fields["trade"] not in TRADE_CODES:
        errors.append({"field": "trade", "code": "trade_unknown"})
    if db.session.get(Region, fields["region_code"]) is None:
        errors.append({"field": "region_code", "code": "region_unknown"})
    elif not is_within(fields["region_code"], CITY_CODE):
        errors.append({"field": "region_code", "code": "region_not_local"})
    if new and fields["start_date"] < today:
        errors.append({"field": "start_date", "code": "start_date_past"})
    if errors:
        raise ValidationFailed(errors=errors)


def report_demand(
    employer: Employer,
    *,
    trade: str,
    headcount: int,
    start_date: date,
    region_code: str | None = None,
    note: str | None = None,
    actor: User,
    now: datetime | None = None,
) -> LabourDemand:
    """Add a line to the employer's survey; the work is in its own region unless told."""
    now = now or utcnow()
    fields = {
        "trade": trade,
        "headcount": headcount,
        "start_date": start_date,
        "region_code": region_code or employer.region_code,
        "note": note.strip() if note else None,
    }
    _check(fields, local_today(now), new=True)
    line = LabourDemand(
        employer_id=employer.id, reported_by_id=actor.id, reported_dt=now, updated_dt=now, **fields
    )
    db.session.add(line)
    db.session.flush()
    record(
        "labour_demand.report",
        actor=actor,
        subject_type="labour_demand",
        subject_id=line.id,
        region_code=employer.region_code,
        detail={"trade": trade, "headcount": headcount},
        now=now,
    )
    return line


def demand_line(employer: Employer, line_id: int) -> LabourDemand:
    line = db.session.get(LabourDemand, line_id)
    if line is None or line.employer_id != employer.id:
        raise NotFound("demand_not_found")
    return line


def update_demand(
    line: LabourDemand, changes: dict[str, Any], *, actor: User, now: datetime | None = None
) -> LabourDemand:
    now = now or utcnow()
    changes = {k: v for k, v in changes.items() if k in DEMAND_FIELDS}
    fields = {k: getattr(line, k) for k in DEMAND_FIELDS} | changes
    _check(fields, local_today(now), new="start_date" in changes)
    for key, value in changes.items():
        setattr(line, key, value)
    line.updated_dt = now
    record(
        "labour_demand.update",
        actor=actor,
        subject_type="labour_demand",
        subject_id=line.id,
        region_code=line.employer.region_code,
        now=now,
    )
    return line


def delete_demand(line: LabourDemand, *, actor: User) -> None:
    record(
        "labour_demand.delete",
        actor=actor,
        subject_type="labour_demand",
        subject_id=line.id,
        region_code=line.employer.region_code,
    )
    db.session.delete(line)


def demand_of(employer: Employer) -> Select:
    return select(LabourDemand).where(LabourDemand.employer_id == employer.id)


@dataclass
class DemandCell:
    """One region × trade cell of the summary."""

    region_code: str
    trade: str
    demand: int = 0
    open_positions: int = 0
    supply_local: int = 0
    supply_outbound: int = 0


@dataclass
class DemandSummary:
    region: Region
    cells: list[DemandCell] = field(default_factory=list)
    supply_known: bool = True


def _subtree_regions(region: Region) -> dict[str, str]:
    """code → the child of `region` it lies under (itself for `region`)."""
    low, high = subtree_bounds(region.path)
    rows = db.session.execute(
        select(Region.code, Region.path).where(Region.path >= low, Region.path < high)
    ).all()
    depth = len(region.path.strip("/").split("/"))
    out = {}
    for code, path in rows:
        parts = path.strip("/").split("/")
        out[code] = parts[depth] if len(parts) > depth else region.code
    return out


def _subtree_codes(region: Region) -> Select:
    low, high = subtree_bounds(region.path)
    return select(Region.code).where(Region.path >= low, Region.path < high)


def _supply(region: Region, children: dict[str, str]) -> dict[tuple[str, str, str], int] | None:
    """(child, trade, kind) → intents without a job arranged; None if intents are not there."""
    try:
        from app.intents.ledger import ANY_DAY, ANY_TRADE
        from app.intents.models import LedgerCount
    except ImportError:  # the intents domain is not installed
        return None
    rows = db.session.execute(
        select(
            LedgerCount.origin_village_code,
            LedgerCount.trade,
            LedgerCount.kind,
            func.sum(LedgerCount.intents - LedgerCount.job_arranged),
        )
        .where(
            LedgerCount.day == ANY_DAY,
            LedgerCount.trade != ANY_TRADE,
            LedgerCount.origin_village_code.in_(_subtree_codes(region)),
        )
        .group_by(LedgerCount.origin_village_code, LedgerCount.trade, LedgerCount.kind)
    )
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for village, trade, kind, count in rows:
        out[(children[village], trade, kind)] += int(count or 0)
    return out


def demand_summary(actor: User, region_code: str | None = None) -> DemandSummary:
    """Demand, open positions and supply by child region × trade, within the actor's scope."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    code = region_code or scope
    require_oversight(actor, code)
    region = get_region(code)
    children = _subtree_regions(region)
    cells: dict[tuple[str, str], DemandCell] = {}

    def cell(child: str, trade: str) -> DemandCell:
        return cells.setdefault((child, trade), DemandCell(child, trade))

    demand = db.session.execute(
        select(LabourDemand.region_code, LabourDemand.trade, func.sum(LabourDemand.headcount))
        .where(LabourDemand.region_code.in_(_subtree_codes(region)))
        .group_by(LabourDemand.region_code, LabourDemand.trade)
    )
    for where, trade, count in demand:
        cell(children[where], trade).demand += int(count or 0)

    open_rows = db.session.execute(
        select(
            JobListing.region_code,
            JobListing.trade,
            func.sum(JobPosting.headcount - JobPosting.hired_count),
        )
        .join(JobPosting, JobPosting.id == JobListing.posting_id)
        .where(
            JobListing.region_code.in_(_subtree_codes(region)),
            JobListing.valid_until >= local_today(),
        )
        .group_by(JobListing.region_code, JobListing.trade)
    )
    for where, trade, count in open_rows:
        cell(children[where], trade).open_positions += max(int(count or 0), 0)

    supply = _supply(region, children)
    for (child, trade, kind), count in (supply or {}).items():
        if trade not in TRADE_CODES:
            continue
        target = cell(child, trade)
        if kind == "local":
            target.supply_local += count
        else:
            target.supply_outbound += count

    ordered = sorted(cells.values(), key=lambda c: (c.region_code, TRADE_CODES.index(c.trade)))
    return DemandSummary(region=region, cells=ordered, supply_known=supply is not None)

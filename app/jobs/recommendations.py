"""Jobs recommended to a worker against their employment intent and home, with the reasons.

Deterministic: the same data and inputs give the same list in the same order. Each open job
near the worker's wishes scores points for every reason it meets; ties go to the better paid,
then to the newer. The reasons are machine codes; REASON_WORDS gives the words the UI shows
(同工种 · 目的地匹配 · 包住宿 · 工资达标 · 离家近).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.extensions import db
from app.jobs.models import Application, JobListing, JobPosting
from app.jobs.services import positions_left
from app.regions.models import Region
from app.regions.services import region_subtree
from app.timeutil import local_today

# code: (points, zh, en), in the order the UI lists them.
REASONS = {
    "same_trade": (40, "同工种", "Same trade"),
    "destination_match": (30, "目的地匹配", "At your destination"),
    "housing": (10, "包住宿", "Housing provided"),
    "wage_met": (15, "工资达标", "Pays what you expect"),
    "near_home": (20, "离家近", "Close to home"),
}
REASON_WORDS = {code: (zh, en) for code, (_, zh, en) in REASONS.items()}
POOL = 200  # newest open jobs read per criterion before scoring


def code_prefix(code: str) -> str | None:
    """The prefix every code under a GB/T 2260 code starts with (440000 → 44, 440300 → 4403)."""
    if not (code.isdigit() and len(code) == 6):
        return None
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def region_condition(column: ColumnElement, code: str) -> ColumnElement:
    """`column` lies in the region `code`: its subtree when we know the region, else by the
    GB/T 2260 code's prefix (any valid code may be a destination)."""
    if db.session.get(Region, code) is not None:
        return region_subtree(column, code)
    prefix = code_prefix(code)
    return column.startswith(prefix, autoescape=True) if prefix else false()


def home_area(home_region: str | None) -> str | None:
    """The county (or zone) that a home village lies in: "near home" means inside it."""
    if not home_region:
        return None
    region = db.session.get(Region, home_region)
    if region is None:
        return None
    codes = [c for c in region.path.strip("/").split("/") if c]
    levels = dict(
        db.session.execute(select(Region.code, Region.level).where(Region.code.in_(codes))).all()
    )
    for code in codes:
        if levels.get(code) in ("county", "zone"):
            return code
    return None


def _within(region_code: str, area: str | None, paths: dict[str, str]) -> bool:
    if area is None or region_code not in paths or area not in paths:
        return False
    return paths[region_code].startswith(paths[area])


def _matches_destination(region_code: str, destination: str, paths: dict[str, str]) -> bool:
    if destination in paths:
        return _within(region_code, destination, paths)
    prefix = code_prefix(destination)
    return bool(prefix) and region_code.startswith(prefix)


def recommend_jobs(
    worker: User,
    *,
    trade: str | None,
    destination_code: str | None,
    wage_expectation: int | None,
    home_region: str | None,
    limit: int = 10,
    today: date | None = None,
) -> list[tuple[JobPosting, list[str]]]:
    """Open jobs with positions left that the worker has not applied for, best first, each with
    the codes of the reasons it was chosen (keys of REASONS, in that order)."""
    today = today or local_today()
    area = home_area(home_region)
    base = select(JobListing.id).where(JobListing.valid_until >= today)
    pools = []
    if trade:
        pools.append(base.where(JobListing.trade == trade))
    if destination_code:
        pools.append(base.where(region_condition(JobListing.region_code, destination_code)))
    if area:
        pools.append(base.where(region_subtree(JobListing.region_code, area)))
    if not pools:
        pools.append(base)
    ids: set[int] = set()
    for pool in pools:
        ids.update(db.session.scalars(pool.order_by(JobListing.id.desc()).limit(POOL)))
    if not ids:
        return []
    listings = list(
        db.session.scalars(
            select(JobListing)
            .options(selectinload(JobListing.posting))
            .where(JobListing.id.in_(ids))
        )
    )
    applied = set(
        db.session.scalars(
            select(Application.posting_id).where(
                Application.user_id == worker.id,
                Application.posting_id.in_([x.posting_id for x in listings]),
            )
        )
    )
    codes = {x.region_code for x in listings} | {c for c in (area, destination_code) if c}
    paths = dict(
        db.session.execute(select(Region.code, Region.path).where(Region.code.in_(codes))).all()
    )

    scored = []
    for listing in listings:
        posting = listing.posting
        if posting.id in applied or positions_left(posting) <= 0:
            continue
        reasons = []
        if trade and posting.trade == trade:
            reasons.append("same_trade")
        if destination_code and _matches_destination(posting.region_code, destination_code, paths):
            reasons.append("destination_match")
        if posting.housing:
            reasons.append("housing")
        if wage_expectation and posting.wage_max >= wage_expectation:
            reasons.append("wage_met")
        if _within(posting.region_code, area, paths):
            reasons.append("near_home")
        score = sum(REASONS[r][0] for r in reasons)
        scored.append((-score, -posting.wage_max, -listing.id, posting, reasons))
    scored.sort(key=lambda item: item[:3])
    return [(posting, reasons) for *_, posting, reasons in scored[:limit]]

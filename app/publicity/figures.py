"""Changde's figures for the public page: live aggregates, no person, no small counts.

Each figure is counted by the household region of the people it concerns and rolled up to
counties and the city. A figure below the threshold (PUBLIC_MIN_COUNT, 10 by default) is
not shown for any area. Within a county's villages, when only one village's figure is
withheld, the next smallest is withheld too, so the county total cannot give it away.

Trips completed come from the transport domain (app/transport/figures.py) where it exists;
without it the figure is simply absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, distinct, func, select

from app import domain_module
from app.accounts.models import User
from app.cards.models import HealthCard
from app.errors import DomainError
from app.extensions import db
from app.jobs.models import Application
from app.regions.models import Region
from app.regions.services import CITY_CODE
from app.timeutil import utcnow

FIGURES = ("valid_green_cards", "certificates_issued", "trips_completed", "jobs_filled")
DEFAULT_THRESHOLD = 10


@dataclass
class Area:
    code: str
    name_zh: str
    name_en: str
    counts: dict[str, int | None] = field(default_factory=dict)
    withheld: set[str] = field(default_factory=set)

    def figure(self, name: str) -> dict[str, Any] | None:
        """{'value', 'suppressed'}; None for a figure this deployment does not have."""
        if self.counts.get(name) is None:
            return None
        if name in self.withheld:
            return {"value": None, "suppressed": True}
        return {"value": self.counts[name], "suppressed": False}


def threshold() -> int:
    return int(current_app.config.get("PUBLIC_MIN_COUNT", DEFAULT_THRESHOLD))


def _by_region(stmt: Select) -> dict[str, int]:
    return {code: int(n) for code, n in db.session.execute(stmt) if code is not None}


def _counts(now: datetime) -> dict[str, dict[str, int]]:
    """Each figure by household region code (only regions that have any)."""
    green = (
        select(User.region_code, func.count(distinct(HealthCard.user_id)))
        .join(User, User.id == HealthCard.user_id)
        .where(
            HealthCard.status == "green",
            HealthCard.card_type.in_(("card", "paper")),
            HealthCard.revoked_dt.is_(None),
            HealthCard.expires_dt > now,
        )
        .group_by(User.region_code)
    )
    certificates = (
        select(User.region_code, func.count(HealthCard.id))
        .join(User, User.id == HealthCard.user_id)
        .where(HealthCard.card_type == "certificate")
        .group_by(User.region_code)
    )
    hired = (
        select(User.region_code, func.count(Application.id))
        .join(User, User.id == Application.user_id)
        .where(Application.status == "hired")
        .group_by(User.region_code)
    )
    return {
        "valid_green_cards": _by_region(green),
        "certificates_issued": _by_region(certificates),
        "jobs_filled": _by_region(hired),
    }


def _trips() -> Any:
    """transport.figures.trips_completed, or None while that domain is not installed."""
    module = domain_module("transport", "figures")
    return getattr(module, "trips_completed", None) if module is not None else None


def _suppress(area: Area, limit: int) -> None:
    for name, value in area.counts.items():
        if value is not None and value < limit:
            area.withheld.add(name)


def _complementary(villages: list[Area]) -> None:
    """Where one village alone is withheld, withhold the next smallest as well."""
    for name in FIGURES:
        withheld = [v for v in villages if name in v.withheld]
        shown = [v for v in villages if name not in v.withheld and v.counts.get(name) is not None]
        if len(withheld) == 1 and shown:
            min(shown, key=lambda v: (v.counts[name], v.code)).withheld.add(name)


def public_figures(county: str | None = None, *, now: datetime | None = None) -> dict[str, Any]:
    """The city's figures and each county's; a county's villages when `county` is given."""
    now = now or utcnow()
    limit = threshold()
    city = db.session.get(Region, CITY_CODE)
    if city is None:  # a deployment that skipped `flask regions load`: say so, not 500
        raise DomainError("regions_not_loaded", status=503)
    regions = list(
        db.session.execute(
            select(Region.code, Region.path, Region.level, Region.name_zh, Region.name_en).where(
                Region.path.startswith(city.path)
            )
        )
    )
    depth = len([p for p in city.path.split("/") if p])
    county_of: dict[str, str] = {}
    counties: dict[str, Area] = {}
    villages: dict[str, Area] = {}
    for code, path, level, name_zh, name_en in regions:
        parts = [p for p in path.split("/") if p]
        if len(parts) > depth:
            county_of[code] = parts[depth]
        if len(parts) == depth + 1:
            counties[code] = Area(code, name_zh, name_en)
        if county is not None and level == "village" and county_of.get(code) == county:
            villages[code] = Area(code, name_zh, name_en)
    city_area = Area(city.code, city.name_zh, city.name_en)
    for area in (city_area, *counties.values(), *villages.values()):
        area.counts = {name: 0 for name in FIGURES if name != "trips_completed"}
    for name, by_region in _counts(now).items():
        for code, n in by_region.items():
            if code != CITY_CODE and code not in county_of:
                continue  # somebody from outside Changde
            city_area.counts[name] += n
            if code in county_of:
                counties[county_of[code]].counts[name] += n
            if code in villages:
                villages[code].counts[name] += n
    trips = _trips()
    for area in (city_area, *counties.values(), *villages.values()):
        area.counts["trips_completed"] = (
            int(trips(None if area is city_area else area.code)) if trips else None
        )
        _suppress(area, limit)
    village_list = sorted(villages.values(), key=lambda v: v.code)
    _complementary(village_list)
    return {
        "as_of": now,
        "threshold": limit,
        "city": _out(city_area),
        "counties": [_out(counties[code]) for code in sorted(counties)],
        "villages": [_out(v) for v in village_list],
    }


def _out(area: Area) -> dict[str, Any]:
    return {
        "code": area.code,
        "name_zh": area.name_zh,
        "name_en": area.name_en,
        **{name: area.figure(name) for name in FIGURES},
    }

"""Destination regions' rules for arriving workers, as collected and published by our officials.

The rule in force for a destination is the latest one published for its code that has not been
withdrawn and is still valid; a city without its own rule shows its province's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select

from app.accounts.access import oversees, scope_of
from app.accounts.models import User
from app.audit.services import record
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.intents import destinations
from app.intents.models import DestinationRule
from app.regions.models import Region
from app.timeutil import local_today, utcnow

register_messages(
    {
        "rule_not_found": ("未找到该政策。", "No such rule."),
        "rules_publishers_only": (
            "只有市、县（区）工作人员可以发布目的地政策。",
            "Only city and county officials may publish destination rules.",
        ),
        "rule_of_another_region": (
            "该政策由其他地区发布，只有发布地区（或其上级）的工作人员可以撤回。",
            "Another region published this rule: only officials of that region (or above it) "
            "may withdraw it.",
        ),
        "valid_until_before_source": (
            "有效期不能早于发布日期。",
            "Valid-until cannot be before the source date.",
        ),
        "source_date_in_future": (
            "发布日期不能晚于今天。",
            "The source date cannot be in the future.",
        ),
    }
)

PUBLISHER_LEVELS = ("province", "city", "county", "zone")


def may_publish(actor: User) -> bool:
    """City and county (or zone) officials, and admins."""
    if actor.has_role("admin"):
        return True
    scope = scope_of(actor)
    region = db.session.get(Region, scope) if scope else None
    return bool(region and actor.has_role("official") and region.level in PUBLISHER_LEVELS)


def publish(
    actor: User,
    *,
    destination_code: str,
    rules_text: str,
    source: str,
    source_date: date,
    valid_until: date | None,
    job_info: str | None,
    now: datetime | None = None,
) -> DestinationRule:
    """Publish a destination's rules; the newest valid one is what workers see."""
    now = now or utcnow()
    if not may_publish(actor):
        raise Forbidden("rules_publishers_only")
    code = destination_code.strip()
    if not destinations.is_gbt2260(code):
        raise ValidationFailed(
            errors=[{"field": "destination_code", "code": "destination_invalid"}]
        )
    if destinations.is_changde(code):
        raise ValidationFailed(
            errors=[{"field": "destination_code", "code": "destination_is_local"}]
        )
    if source_date > local_today(now):
        raise ValidationFailed(errors=[{"field": "source_date", "code": "source_date_in_future"}])
    if valid_until is not None and valid_until < source_date:
        raise ValidationFailed(
            errors=[{"field": "valid_until", "code": "valid_until_before_source"}]
        )
    rule = DestinationRule(
        destination_code=code,
        rules_text=rules_text.strip(),
        source=source.strip(),
        source_date=source_date,
        valid_until=valid_until,
        job_info=(job_info or "").strip() or None,
        published_by_id=actor.id,
        published_dt=now,
    )
    db.session.add(rule)
    db.session.flush()
    record(
        "rules.published",
        actor=actor,
        subject_type="destination_rule",
        subject_id=rule.id,
        region_code=scope_of(actor),
        detail={"destination": code},
        now=now,
    )
    return rule


def withdraw(actor: User, rule_id: int, *, now: datetime | None = None) -> DestinationRule:
    """Take a rule out of force: officials of the region that published it (or above), admins."""
    now = now or utcnow()
    if not may_publish(actor):
        raise Forbidden("rules_publishers_only")
    rule = db.session.get(DestinationRule, rule_id)
    if rule is None:
        raise NotFound("rule_not_found")
    # Every county publishes into one city-wide list, so being a publisher is not enough: the
    # rule must come from the actor's own region (a county's, or the city's for the city).
    publisher = db.session.get(User, rule.published_by_id)
    region = publisher.region_code if publisher else None
    if not actor.has_role("admin") and not oversees(actor, region):
        raise Forbidden("rule_of_another_region")
    if rule.withdrawn_dt is None:
        rule.withdrawn_dt = now
        rule.withdrawn_by_id = actor.id
        record(
            "rules.withdrawn",
            actor=actor,
            subject_type="destination_rule",
            subject_id=rule.id,
            region_code=scope_of(actor),
            detail={"destination": rule.destination_code},
            now=now,
        )
    return rule


def _in_force(today: date) -> list:
    return [
        DestinationRule.withdrawn_dt.is_(None),
        DestinationRule.source_date <= today,
        or_(DestinationRule.valid_until.is_(None), DestinationRule.valid_until >= today),
    ]


def rules_for(destination_code: str, *, today: date | None = None) -> list[DestinationRule]:
    """The rules a worker going to `destination_code` should read: its own, then its city's and
    its province's (the newest in force of each)."""
    today = today or local_today()
    codes = [destination_code]
    for wider in (
        destinations.city_of(destination_code),
        destinations.province_of(destination_code),
    ):
        if destinations.CODE_RE.match(destination_code) and wider not in codes:
            codes.append(wider)
    rows = db.session.scalars(
        select(DestinationRule)
        .where(DestinationRule.destination_code.in_(codes), *_in_force(today))
        .order_by(DestinationRule.id.desc())
    ).all()
    newest: dict[str, DestinationRule] = {}
    for row in rows:
        newest.setdefault(row.destination_code, row)
    return [newest[c] for c in codes if c in newest]


def rules_in_force(*, today: date | None = None) -> list[DestinationRule]:
    """The newest rule in force for every destination that has one."""
    today = today or local_today()
    rows = db.session.scalars(
        select(DestinationRule).where(*_in_force(today)).order_by(DestinationRule.id.desc())
    ).all()
    newest: dict[str, DestinationRule] = {}
    for row in rows:
        newest.setdefault(row.destination_code, row)
    return sorted(newest.values(), key=lambda r: r.destination_code)


def history(destination_code: str) -> list[DestinationRule]:
    """Every rule published for a destination, newest first (for officials)."""
    return list(
        db.session.scalars(
            select(DestinationRule)
            .where(DestinationRule.destination_code == destination_code)
            .order_by(DestinationRule.id.desc())
            .limit(50)
        )
    )

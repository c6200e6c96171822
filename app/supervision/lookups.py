"""Gate lookup: a volunteer asks the colour of someone with no phone and no paper card.

The volunteer types the resident ID number (or reads it off the ID card). The answer is the
colour and whether it is current, with the masked name, and nothing else: no history, no
reasons, no ID digits. Every lookup is logged (who, where, when, what came back) and shown to
supervisors; a person outside the counties of the volunteer's checkpoints is refused, so a
gate cannot be used to look up the whole city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, select

from app.accounts.access import require_oversight, scope_of
from app.accounts.identity import mask_name
from app.accounts.models import User
from app.accounts.services import find_by_id_number
from app.cards.models import HealthCard, HealthDeclaration, HealthStatus
from app.checkpoints.models import Checkpoint
from app.checkpoints.services import is_assigned, volunteer_checkpoints
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.i18n import register_messages
from app.regions.services import region_subtree
from app.supervision.models import GateLookup
from app.supervision.services import county_of
from app.timeutil import utcnow

register_messages(
    {
        "person_not_found": (
            "查无此人：该身份证号未登记，请协助其申报或由村（社区）代办登记。",
            "No one is registered with this ID number; help them declare, or ask the village "
            "to register them by proxy.",
        ),
        "lookup_outside_county": (
            "此人不属于本卡点所在县（市、区），不能查询。",
            "This person is outside your checkpoint's county; the lookup is refused.",
        ),
    }
)


@dataclass(frozen=True)
class LookupAnswer:
    """All a gate learns: colour, whether it is current and until when, the masked name."""

    lookup_id: int
    status: str | None
    valid: bool
    valid_until: datetime | None
    name_masked: str | None


def _counties_of(volunteer: User) -> set[str]:
    return {c for c in (county_of(cp.village_code) for cp in volunteer_checkpoints(volunteer)) if c}


def _home_counties(person: User) -> set[str]:
    """The person's household county and that of the village they last declared from."""
    latest = db.session.scalars(
        select(HealthDeclaration.current_village_code)
        .where(HealthDeclaration.user_id == person.id)
        .order_by(HealthDeclaration.declared_dt.desc())
        .limit(1)
    ).first()
    return {c for c in (county_of(person.region_code), county_of(latest)) if c}


def valid_until(person: User, status: HealthStatus, now: datetime) -> datetime:
    """Until when the colour holds: the latest live card of that colour, else as long as a
    paper card printed from the last declaration or change of colour would."""
    card_expiry = db.session.scalar(
        select(func.max(HealthCard.expires_dt)).where(
            HealthCard.user_id == person.id,
            HealthCard.status == status.status,
            HealthCard.revoked_dt.is_(None),
        )
    )
    declared = db.session.scalar(
        select(func.max(HealthDeclaration.declared_dt)).where(
            HealthDeclaration.user_id == person.id
        )
    )
    base = max(d for d in (declared, status.updated_dt) if d is not None)
    by_paper = base + timedelta(days=current_app.config["PAPER_CARD_VALID_DAYS"])
    return max(d for d in (card_expiry, by_paper) if d is not None)


def lookup(
    volunteer: User, checkpoint_id: int, id_number: str, method: str, now: datetime | None = None
) -> tuple[str, LookupAnswer]:
    """Look a person up at a checkpoint the volunteer works at now; always logged.

    Returns (outcome, answer); the caller commits the log, then refuses `outside_county`
    and `not_found`.
    """
    now = now or utcnow()
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or not checkpoint.active or not is_assigned(volunteer, checkpoint_id):
        raise Forbidden("not_assigned")
    person = find_by_id_number(id_number)
    status = db.session.get(HealthStatus, person.id) if person is not None else None
    if person is None:
        outcome = "not_found"
    elif not (_home_counties(person) & _counties_of(volunteer)):
        outcome = "outside_county"
    elif status is None:
        outcome = "no_status"
    else:
        outcome = "found"
    shown = outcome in ("found", "no_status")
    row = GateLookup(
        volunteer_id=volunteer.id,
        checkpoint_id=checkpoint.id,
        at_dt=now,
        method=method,
        outcome=outcome,
        subject_id=person.id if person is not None else None,
        status=status.status if shown and status is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    until = valid_until(person, status, now) if outcome == "found" else None
    answer = LookupAnswer(
        lookup_id=row.id,
        status=status.status if outcome == "found" else None,
        valid=until is not None and until > now,
        valid_until=until,
        name_masked=mask_name(person.name) if shown and person.name else None,
    )
    return outcome, answer


def refuse(outcome: str) -> None:
    """The refusal of an outcome that shows nothing (after its log is committed)."""
    if outcome == "outside_county":
        raise Forbidden("lookup_outside_county")
    if outcome == "not_found":
        raise NotFound("person_not_found")


def lookups_in_scope(
    actor: User,
    *,
    region: str | None = None,
    checkpoint_id: int | None = None,
    volunteer_id: int | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select:
    """Lookups at the checkpoints of an official's region, for supervisors."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    if region:
        require_oversight(actor, region)
        scope = region
    checkpoints = select(Checkpoint.id).where(region_subtree(Checkpoint.village_code, scope))
    stmt = select(GateLookup).where(GateLookup.checkpoint_id.in_(checkpoints.scalar_subquery()))
    if checkpoint_id is not None:
        stmt = stmt.where(GateLookup.checkpoint_id == checkpoint_id)
    if volunteer_id is not None:
        stmt = stmt.where(GateLookup.volunteer_id == volunteer_id)
    if outcome:
        stmt = stmt.where(GateLookup.outcome == outcome)
    if since is not None:
        stmt = stmt.where(GateLookup.at_dt >= since)
    if until is not None:
        stmt = stmt.where(GateLookup.at_dt < until)
    return stmt

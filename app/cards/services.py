"""Declaring health, deciding the colour, and signing, refreshing and revoking cards."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import insert, select, update

from app.accounts.identity import mask_name
from app.accounts.models import User
from app.accounts.services import set_identity
from app.cards import signals, signing
from app.cards.models import HealthCard, HealthDeclaration, HealthStatus, StatusChange
from app.cards.rules import HealthFacts, StatusDecision, assess, next_status
from app.credentials import issue_card, new_card_id
from app.errors import Conflict, DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.regions.models import Region
from app.timeutil import local_today, utcnow

register_messages(
    {
        "identity_required": ("请先填写姓名和身份证号码。", "Enter your name and ID number first."),
        "id_number_mismatch": (
            "身份证号码与已登记的不一致。",
            "The ID number differs from the one registered.",
        ),
        "no_declaration": ("请先完成健康申报。", "Please declare your health first."),
        "not_a_village": ("请选择村或社区。", "Choose a village or community."),
        "exposure_in_future": (
            "接触日期不能晚于今天。",
            "The exposure date cannot be in the future.",
        ),
        "symptoms_conflict": (
            "“无症状”不能与其他症状同时选择。",
            "“None” cannot be chosen with other symptoms.",
        ),
        "card_not_found": ("未找到该健康码。", "No such health card."),
        "card_revoked": ("该健康码已撤销。", "This health card has been revoked."),
        "status_not_yellow": ("当前不是黄码，无需解除隔离。", "The card is not yellow."),
        "status_not_red": ("当前不是红码。", "The card is not red."),
        "consent_required": ("代办登记须经本人同意。", "The worker's consent is required."),
    }
)

STATUS_WORDS = {"green": ("绿码", "Green"), "yellow": ("黄码", "Yellow"), "red": ("红码", "Red")}


@dataclass
class Declaration:
    """What a person (or staff on their behalf) declares; validated by the API schema."""

    temperature: Decimal
    symptoms: list[str]
    case_contact: bool
    hubei_exposure_date: date | None
    current_village_code: str
    household_region_code: str | None = None
    name: str | None = None
    id_type: str = "resident_id"
    id_number: str | None = None
    extra: dict = field(default_factory=dict)


def _check_declaration(user: User, data: Declaration, today: date) -> None:
    if "none" in data.symptoms and len(set(data.symptoms)) > 1:
        raise ValidationFailed(errors=[{"field": "symptoms", "code": "symptoms_conflict"}])
    if data.hubei_exposure_date and data.hubei_exposure_date > today:
        raise ValidationFailed(
            errors=[{"field": "hubei_exposure_date", "code": "exposure_in_future"}]
        )
    village = db.session.get(Region, data.current_village_code)
    if village is None or village.level != "village":
        raise ValidationFailed(errors=[{"field": "current_village_code", "code": "not_a_village"}])
    if data.household_region_code and db.session.get(Region, data.household_region_code) is None:
        raise ValidationFailed(
            errors=[{"field": "household_region_code", "code": "region_unknown"}]
        )


def _apply_identity(user: User, data: Declaration) -> None:
    if data.name:
        user.name = data.name.strip()
    if data.id_number:
        if user.id_hash:
            from app.accounts.services import find_by_id_number

            if find_by_id_number(data.id_number, data.id_type) is not user:
                raise Conflict("id_number_mismatch")
        else:
            set_identity(user, id_number=data.id_number, id_type=data.id_type)
    if not user.name or not user.id_masked:
        raise ValidationFailed(errors=[{"field": "id_number", "code": "identity_required"}])


def current_decision(user_id: int) -> StatusDecision | None:
    row = db.session.get(HealthStatus, user_id)
    if row is None:
        return None
    return StatusDecision(row.status, tuple(row.reasons or ()), row.quarantine_until)


def declare(
    user: User,
    data: Declaration,
    *,
    now: datetime | None = None,
    proxy_by: User | None = None,
    consent: bool = False,
) -> HealthDeclaration:
    """Record a declaration; the colour can only get worse here (see rules.next_status)."""
    now = now or utcnow()
    today = local_today(now)
    _check_declaration(user, data, today)
    _apply_identity(user, data)
    symptoms = sorted(set(data.symptoms) - {"none"})
    assessed = assess(
        HealthFacts(data.temperature, tuple(symptoms), data.case_contact, data.hubei_exposure_date),
        today,
    )
    current = current_decision(user.id)
    decided = next_status(current, assessed)
    declaration = HealthDeclaration(
        user_id=user.id,
        declared_dt=now,
        id_type=data.id_type,
        household_region_code=data.household_region_code,
        current_village_code=data.current_village_code,
        temperature=data.temperature,
        symptoms=symptoms,
        hubei_exposure_date=data.hubei_exposure_date,
        case_contact=data.case_contact,
        assessed_status=assessed.status,
        resulting_status=decided.status,
        proxy_by_id=proxy_by.id if proxy_by else None,
        consent_recorded=consent,
    )
    db.session.add(declaration)
    # The village someone lives in now decides whose officials look after them.
    user.region_code = data.current_village_code
    if current != decided:
        set_status(user, decided, cause="declaration", now=now)
    db.session.flush()
    signals.declaration_recorded.send(user, declaration=declaration, assessed=assessed, now=now)
    return declaration


def set_status(
    user: User,
    decision: StatusDecision,
    *,
    cause: str,
    now: datetime,
    actor: User | None = None,
    comment: str | None = None,
) -> None:
    """Change a person's colour; a different colour revokes every card signed for the old one."""
    row = db.session.get(HealthStatus, user.id)
    before = row.status if row else None
    if row is None:
        row = HealthStatus(user_id=user.id)
        db.session.add(row)
    row.status, row.reasons = decision.status, list(decision.reasons)
    row.quarantine_until, row.updated_dt = decision.quarantine_until, now
    db.session.add(
        StatusChange(
            user_id=user.id,
            from_status=before,
            to_status=decision.status,
            reasons=list(decision.reasons),
            cause=cause,
            actor_id=actor.id if actor else None,
            comment=comment,
            changed_dt=now,
        )
    )
    if before is not None and before != decision.status:
        for card in _live_cards(user.id, now):
            revoke(card, reason="status_changed", now=now, actor=actor)
    db.session.flush()
    signals.status_changed.send(
        user, before=before, after=decision, cause=cause, actor=actor, now=now
    )


def release_quarantine(
    user: User, *, actor: User, now: datetime | None = None, comment: str | None = None
) -> None:
    """yellow → green: the only way out of quarantine (the quarantine workflow calls this)."""
    now = now or utcnow()
    current = current_decision(user.id)
    if current is None or current.status != "yellow":
        raise Conflict("status_not_yellow")
    set_status(
        user, StatusDecision("green", ()), cause="release", now=now, actor=actor, comment=comment
    )


def release_quarantines(
    users: Sequence[User], *, actor: User, now: datetime | None = None, comment: str | None = None
) -> None:
    """yellow → green for many people at once (a bulk release): what release_quarantine does
    for each, written as sets, one query per 500 people for the statuses and the live cards
    instead of a query and a flush per person. All of them or none (409)."""
    now = now or utcnow()
    ids = list(dict.fromkeys(user.id for user in users))
    rows: dict[int, HealthStatus] = {}
    with db.session.no_autoflush:
        for part in _chunks(ids):
            stmt = select(HealthStatus).where(HealthStatus.user_id.in_(part))
            rows.update((row.user_id, row) for row in db.session.scalars(stmt))
    if any(rows.get(i) is None or rows[i].status != "yellow" for i in ids):
        raise Conflict("status_not_yellow")
    green = StatusDecision("green", ())
    for part in _chunks(ids):  # one UPDATE per 500 people; the loaded rows follow it
        db.session.execute(
            update(HealthStatus)
            .where(HealthStatus.user_id.in_(part))
            .values(status="green", reasons=[], quarantine_until=None, updated_dt=now)
            .execution_options(synchronize_session="evaluate")
        )
        db.session.execute(
            update(HealthCard)
            .where(
                HealthCard.user_id.in_(part),
                HealthCard.revoked_dt.is_(None),
                HealthCard.expires_dt > now,
            )
            .values(revoked_dt=now, revoked_reason="status_changed", revoked_by_id=actor.id)
            .execution_options(synchronize_session="fetch")
        )
    db.session.execute(
        insert(StatusChange),
        [
            {
                "user_id": user_id,
                "from_status": "yellow",
                "to_status": "green",
                "reasons": [],
                "cause": "release",
                "actor_id": actor.id,
                "comment": comment,
                "changed_dt": now,
            }
            for user_id in ids
        ],
    )
    signing.invalidate_trust_store()
    db.session.flush()
    by_id = {user.id: user for user in users}
    for user_id in ids:
        signals.status_changed.send(
            by_id[user_id], before="yellow", after=green, cause="release", actor=actor, now=now
        )


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def clear_red(
    user: User,
    *,
    actor: User,
    now: datetime | None = None,
    comment: str | None = None,
    cause: str = "clearance",
) -> StatusDecision:
    """red → green, or yellow while a quarantine still runs: a medical clearance."""
    now = now or utcnow()
    current = current_decision(user.id)
    if current is None or current.status != "red":
        raise Conflict("status_not_red")
    until = current.quarantine_until
    decision = (
        StatusDecision("yellow", ("hubei_exposure",), until)
        if until and local_today(now) < until
        else StatusDecision("green", ())
    )
    set_status(user, decision, cause=cause, now=now, actor=actor, comment=comment)
    return decision


def _live_cards(user_id: int, now: datetime) -> list[HealthCard]:
    return list(
        db.session.scalars(
            select(HealthCard).where(
                HealthCard.user_id == user_id,
                HealthCard.revoked_dt.is_(None),
                HealthCard.expires_dt > now,
            )
        )
    )


def revoke(
    card: HealthCard, *, reason: str, now: datetime | None = None, actor: User | None = None
) -> None:
    if card.revoked_dt is None:
        card.revoked_dt = now or utcnow()
        card.revoked_reason = reason
        card.revoked_by_id = actor.id if actor else None
        signing.invalidate_trust_store()


def _validity(card_type: str) -> timedelta:
    config = current_app.config
    if card_type == "paper":
        return timedelta(days=config["PAPER_CARD_VALID_DAYS"])
    if card_type == "certificate":
        return timedelta(days=config["CERTIFICATE_VALID_DAYS"])
    return timedelta(hours=config["CARD_VALID_HOURS"])


def _sign(card: HealthCard, now: datetime) -> None:
    signer = signing.active_signer()
    card.issued_dt, card.expires_dt = now, now + _validity(card.card_type)
    card.kid = signer.kid.hex()
    card.qr_text = issue_card(
        signer,
        card_id=bytes.fromhex(card.card_id),
        card_type=card.card_type,
        status=card.status,
        name_masked=card.name_masked,
        id_last4=card.id_last4,
        issued_at=card.issued_dt,
        expires_at=card.expires_dt,
        quarantine_until=card.quarantine_until if card.status == "yellow" else None,
        destination=int(card.destination_code) if card.destination_code else None,
        departure=card.departure_date,
    )


def issue(
    user: User,
    card_type: str = "card",
    *,
    now: datetime | None = None,
    issued_by: User | None = None,
    destination_code: str | None = None,
    departure_date: date | None = None,
) -> HealthCard:
    """Sign a new card of the person's current colour."""
    now = now or utcnow()
    decision = current_decision(user.id)
    if decision is None:
        raise NotFound("no_declaration")
    if not user.name or not user.id_masked:
        raise DomainError("identity_required")
    card = HealthCard(
        card_id=new_card_id().hex(),
        user_id=user.id,
        card_type=card_type,
        status=decision.status,
        reasons=list(decision.reasons),
        quarantine_until=decision.quarantine_until,
        name_masked=mask_name(user.name),
        id_last4=user.id_masked[-4:],
        issuing_region_code=signing.issuer_region(),
        destination_code=destination_code,
        departure_date=departure_date,
        issued_by_id=issued_by.id if issued_by else None,
    )
    _sign(card, now)
    db.session.add(card)
    db.session.flush()
    return card


def current_card(user: User, *, now: datetime | None = None) -> HealthCard:
    """The phone card to show now: re-signed (same id) when it nears expiry."""
    now = now or utcnow()
    decision = current_decision(user.id)
    if decision is None:
        raise NotFound("no_declaration")
    card = db.session.scalars(
        select(HealthCard)
        .where(
            HealthCard.user_id == user.id,
            HealthCard.card_type == "card",
            HealthCard.revoked_dt.is_(None),
        )
        .order_by(HealthCard.issued_dt.desc())
        .limit(1)
    ).first()
    if card is None or card.status != decision.status:
        if card is not None:
            revoke(card, reason="status_changed", now=now)
        return issue(user, "card", now=now)
    refresh = timedelta(hours=current_app.config["CARD_REFRESH_HOURS"])
    if card.expires_dt - now <= refresh:
        card.quarantine_until = decision.quarantine_until
        card.reasons = list(decision.reasons)
        _sign(card, now)
    return card


def get_card(card_id: str) -> HealthCard:
    card = db.session.scalars(
        select(HealthCard).where(HealthCard.card_id == card_id.lower())
    ).first()
    if card is None:
        raise NotFound("card_not_found")
    return card


def declarations_of(user_id: int) -> select:
    return select(HealthDeclaration).where(HealthDeclaration.user_id == user_id)


def register_by_proxy(
    staff: User,
    data: Declaration,
    *,
    id_number: str,
    name: str,
    phone: str | None,
    consent: bool,
    now: datetime | None = None,
) -> HealthCard:
    """Village or township staff register someone without a smartphone and print a card."""
    from app.accounts.access import require_oversight
    from app.accounts.services import create_user, find_by_id_number

    now = now or utcnow()
    if not consent:
        raise ValidationFailed(errors=[{"field": "consent", "code": "consent_required"}])
    require_oversight(staff, data.current_village_code)
    user = find_by_id_number(id_number)
    if user is None:
        user = create_user(
            roles=["worker"],
            phone=phone,
            name=name,
            id_number=id_number,
            region_code=data.current_village_code,
        )
    data.name, data.id_number = name, id_number
    declare(user, data, now=now, proxy_by=staff, consent=True)
    for card in _live_cards(user.id, now):
        if card.card_type == "paper":
            revoke(card, reason="reissued", now=now, actor=staff)
    return issue(user, "paper", now=now, issued_by=staff)

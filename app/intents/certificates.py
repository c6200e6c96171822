"""Outbound health certificates (健康证明): who may have one, and issuing it.

A certificate is a card of type `certificate` signed in the same FG1 format as every card, naming
the destination and the planned departure; destinations verify it offline against our public
trust list (/.well-known/fangang/trust-list.json). Staff issue it for an outbound worker whose card
is green, with no open quarantine and no Hubei exposure in the last 14 days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.audit.services import record
from app.cards import services as cards
from app.cards.models import HealthCard, HealthDeclaration, HealthStatus
from app.cards.rules import QUARANTINE_DAYS
from app.errors import Conflict
from app.extensions import db
from app.i18n import register_messages
from app.intents.destinations import is_gbt2260
from app.intents.models import EmploymentIntent, IntentChange
from app.intents.services import snapshot
from app.timeutil import local_today, utcnow

# Refusal reasons, in the order they are checked; each is a stable code with a message.
REFUSALS: dict[str, tuple[str, str]] = {
    "certificate_intent_withdrawn": ("务工意向已撤回。", "The intent was withdrawn."),
    "certificate_not_outbound": ("仅外出务工人员可开具健康证明。", "Only for outbound work."),
    "certificate_destination_invalid": (
        "目的地不是有效的行政区划代码。",
        "The destination is not a valid region code.",
    ),
    "certificate_departure_missing": (
        "请先填写计划出行日期。",
        "The planned departure date is missing.",
    ),
    "certificate_departure_past": ("计划出行日期已过。", "The planned departure has passed."),
    "certificate_too_early": (
        "离出行日期太远，证明会在出发前过期，请临近出行时再开具。",
        "Departure is too far away: the certificate would expire before it.",
    ),
    "certificate_identity_missing": (
        "缺少姓名或身份证号码。",
        "The worker's name or ID number is missing.",
    ),
    "certificate_no_declaration": ("尚未进行健康申报。", "No health declaration yet."),
    "certificate_not_green": ("健康码不是绿码。", "The health card is not green."),
    "certificate_quarantine_open": ("正在隔离观察中。", "A quarantine is still open."),
    "certificate_hubei_exposure": (
        "14天内有湖北接触史。",
        "Hubei exposure within the last 14 days.",
    ),
}

register_messages(
    {
        **REFUSALS,
        "certificate_refused": (
            "不符合开具健康证明的条件。",
            "The worker cannot be given a health certificate.",
        ),
    }
)


def validity() -> timedelta:
    return timedelta(days=current_app.config["CERTIFICATE_VALID_DAYS"])


def _open_quarantine(user_id: int, today: date) -> bool:
    row = db.session.get(HealthStatus, user_id)
    if row is not None and row.quarantine_until and row.quarantine_until > today:
        return True
    try:
        from app.quarantine.models import QuarantineCase
    except ImportError:  # the quarantine workflow is optional for this rule
        return False
    return (
        db.session.scalar(
            select(QuarantineCase.id)
            .where(QuarantineCase.user_id == user_id, QuarantineCase.state == "open")
            .limit(1)
        )
        is not None
    )


def _hubei_exposure(user_id: int, today: date) -> bool:
    """A declared Hubei exposure whose 14 days are not over yet."""
    since = today - timedelta(days=QUARANTINE_DAYS - 1)
    return (
        db.session.scalar(
            select(HealthDeclaration.id)
            .where(
                HealthDeclaration.user_id == user_id,
                HealthDeclaration.hubei_exposure_date >= since,
            )
            .limit(1)
        )
        is not None
    )


def refusals(intent: EmploymentIntent, *, now: datetime | None = None) -> list[str]:
    """Why this worker may not have a certificate now (empty: eligible)."""
    now = now or utcnow()
    today = local_today(now)
    reasons = []
    if not intent.active:
        return ["certificate_intent_withdrawn"]
    if intent.kind != "outbound":
        return ["certificate_not_outbound"]
    if not is_gbt2260(intent.destination_code):
        reasons.append("certificate_destination_invalid")
    if intent.departure_date is None:
        reasons.append("certificate_departure_missing")
    elif intent.departure_date < today:
        reasons.append("certificate_departure_past")
    elif intent.departure_date >= today + validity():
        reasons.append("certificate_too_early")
    user = db.session.get(User, intent.user_id)
    if not user.name or not user.id_masked:
        reasons.append("certificate_identity_missing")
    status = cards.current_decision(intent.user_id)
    if status is None:
        reasons.append("certificate_no_declaration")
    elif status.status != "green":
        reasons.append("certificate_not_green")
    if _open_quarantine(intent.user_id, today):
        reasons.append("certificate_quarantine_open")
    if _hubei_exposure(intent.user_id, today):
        reasons.append("certificate_hubei_exposure")
    return reasons


def certificate_of(intent: EmploymentIntent) -> HealthCard | None:
    """The certificate card the intent holds (None if none or no longer on record)."""
    if intent.certificate_card_id is None:
        return None
    return db.session.scalars(
        select(HealthCard).where(HealthCard.card_id == intent.certificate_card_id)
    ).first()


def issue_certificate(
    intent: EmploymentIntent, *, staff: User, now: datetime | None = None
) -> HealthCard:
    """Sign a certificate for the intent's destination and departure; a new one replaces any
    earlier one. Raises Conflict('certificate_refused', reasons=[...]) if not eligible."""
    now = now or utcnow()
    reasons = refusals(intent, now=now)
    if reasons:
        raise Conflict("certificate_refused", reasons=reasons)
    earlier = certificate_of(intent)
    if earlier is not None and earlier.revoked_dt is None:
        cards.revoke(earlier, reason="reissued", now=now, actor=staff)
    user = db.session.get(User, intent.user_id)
    card = cards.issue(
        user,
        "certificate",
        now=now,
        issued_by=staff,
        destination_code=intent.destination_code,
        departure_date=intent.departure_date,
    )
    intent.certificate_card_id = card.card_id
    intent.certificate_issued_dt = now
    intent.updated_dt = now
    db.session.flush()
    db.session.add(
        IntentChange(
            intent_id=intent.id,
            action="certificate_issued",
            actor_id=staff.id,
            changed_dt=now,
            snapshot=snapshot(intent),
        )
    )
    record(
        "intent.certificate_issued",
        actor=staff,
        subject_type="intent",
        subject_id=intent.id,
        region_code=intent.origin_village_code,
        detail={"card_id": card.card_id, "destination": intent.destination_code},
        now=now,
    )
    return card

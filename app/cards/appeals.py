"""Appeals: a worker disputes their colour; officials of their region decide, with reasons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from app.accounts.access import require_oversight, scope_of
from app.accounts.models import User
from app.cards.models import Appeal, AppealDecision
from app.cards.rules import StatusDecision
from app.cards.services import clear_red, current_decision, set_status
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.i18n import register_messages
from app.regions.services import region_subtree
from app.timeutil import local_today, utcnow

register_messages(
    {
        "appeal_open": ("您已有一项申诉正在处理。", "You already have an appeal being handled."),
        "appeal_closed": ("该申诉已处理完毕。", "This appeal has been decided."),
        "appeal_not_found": ("未找到该申诉。", "No such appeal."),
        "appeal_new_status": ("维持申诉须给出新的颜色。", "Upholding needs the new colour."),
    }
)


def file_appeal(user: User, reason: str, now: datetime | None = None) -> Appeal:
    decision = current_decision(user.id)
    if decision is None:
        raise NotFound("no_declaration")
    if db.session.scalars(
        select(Appeal.id).where(Appeal.user_id == user.id, Appeal.state == "open")
    ).first():
        raise Conflict("appeal_open")
    appeal = Appeal(
        user_id=user.id,
        status_at_filing=decision.status,
        reason=reason.strip(),
        filed_dt=now or utcnow(),
    )
    db.session.add(appeal)
    db.session.flush()
    return appeal


def appeals_for_official(official: User, state: str | None) -> Select:
    scope = scope_of(official)
    stmt = (
        select(Appeal)
        .join(User, User.id == Appeal.user_id)
        .where(region_subtree(User.region_code, scope))
    )
    if state:
        stmt = stmt.where(Appeal.state == state)
    return stmt


def get_appeal(appeal_id: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("appeal_not_found")
    return appeal


def decide(
    appeal: Appeal,
    official: User,
    *,
    outcome: str,
    comment: str,
    new_status: str | None = None,
    now: datetime | None = None,
) -> AppealDecision:
    """upheld (with the corrected colour), rejected, or a comment that keeps it open."""
    now = now or utcnow()
    require_oversight(official, appeal.user.region_code)
    if appeal.state != "open":
        raise Conflict("appeal_closed")
    if outcome == "upheld":
        if new_status is None:
            raise DomainError("appeal_new_status", status=422)
        _correct_status(appeal.user, new_status, official, comment, now)
    decision = AppealDecision(
        appeal_id=appeal.id,
        official_id=official.id,
        outcome=outcome,
        new_status=new_status if outcome == "upheld" else None,
        comment=comment.strip(),
        decided_dt=now,
    )
    db.session.add(decision)
    if outcome != "comment":
        appeal.state = outcome
    db.session.flush()
    return decision


def _correct_status(
    user: User, new_status: str, official: User, comment: str, now: datetime
) -> None:
    current = current_decision(user.id)
    if current is not None and current.status == "red" and new_status != "red":
        clear_red(user, actor=official, now=now, comment=comment, cause="appeal")
        current = current_decision(user.id)
    if current is not None and current.status == new_status:
        return
    until = current.quarantine_until if current else None
    if new_status == "yellow" and not (until and local_today(now) < until):
        raise DomainError("appeal_new_status", status=422)
    reasons = {"green": (), "yellow": ("hubei_exposure",), "red": ("appeal",)}[new_status]
    set_status(
        user,
        StatusDecision(new_status, reasons, until if new_status == "yellow" else None),
        cause="appeal",
        now=now,
        actor=official,
        comment=comment,
    )

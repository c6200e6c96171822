"""Recording and reading the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.regions.services import region_subtree
from app.timeutil import utcnow


def record(
    action: str,
    *,
    actor: Any | None,
    subject_type: str,
    subject_id: object,
    region_code: str | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an event to the current transaction (it commits or rolls back with the change)."""
    event = AuditEvent(
        at_dt=now or utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        region_code=region_code,
        reason=reason,
        detail=detail or {},
    )
    db.session.add(event)
    return event


def record_many(action: str, *, actor: Any | None, now: datetime, events: list[dict]) -> None:
    """Many events of one action in one INSERT (a bulk release of 1,000 cases): each dict
    holds subject_type, subject_id, region_code, reason and detail, as record() takes them."""
    if not events:
        return
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "at_dt": now,
                "actor_id": getattr(actor, "id", None),
                "action": action,
                "subject_type": e["subject_type"],
                "subject_id": str(e["subject_id"]),
                "region_code": e.get("region_code"),
                "reason": e.get("reason"),
                "detail": e.get("detail") or {},
            }
            for e in events
        ],
    )


def events_in(
    region_code: str,
    *,
    action_prefix: str | None = None,
    subject_type: str | None = None,
    subject_id: object | None = None,
) -> Select:
    """Events of a region's subtree, for officials (newest first when paginated by id)."""
    stmt = select(AuditEvent).where(region_subtree(AuditEvent.region_code, region_code))
    if action_prefix:
        stmt = stmt.where(AuditEvent.action.startswith(action_prefix))
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_id == str(subject_id))
    return stmt

"""Audit trail shapes on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.audit.models import AuditEvent


class AuditQuery(BaseModel):
    action: str | None = Field(None, max_length=64, description="Action prefix, e.g. 'quarantine.'")
    subject_type: str | None = Field(None, max_length=32)
    subject_id: str | None = Field(None, max_length=64)
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str
    region_code: str | None
    reason: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            id=event.id,
            at=event.at_dt,
            actor_id=event.actor_id,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            region_code=event.region_code,
            reason=event.reason,
            detail=event.detail or {},
        )


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None

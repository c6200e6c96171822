"""Officials read the audit trail of their region."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from app.accounts.access import scope_of
from app.api import endpoint
from app.api.pagination import keyset_page
from app.audit.models import AuditEvent
from app.audit.schemas import AuditEventOut, AuditPage, AuditQuery
from app.audit.services import events_in
from app.extensions import db

bp = Blueprint("audit", __name__)


@endpoint(
    bp,
    "/audit",
    summary="The audit trail of my region, newest first",
    query=AuditQuery,
    response=AuditPage,
    roles=("official", "admin"),
)
def list_events(query: AuditQuery) -> AuditPage:
    stmt = events_in(
        scope_of(current_user),
        action_prefix=query.action,
        subject_type=query.subject_type,
        subject_id=query.subject_id,
    )
    rows, cursor = keyset_page(
        db.session, stmt, [AuditEvent.id], query.limit, query.cursor, key=lambda e: [e.id]
    )
    return AuditPage(items=[AuditEventOut.of(e) for e in rows], next_cursor=cursor)

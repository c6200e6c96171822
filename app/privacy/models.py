"""The record that a person's data was erased: what makes a repeated request a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow


class Erasure(db.Model):
    """One erased account. The user row it points to is an empty pseudonym by then (no name,
    phone, ID hash or mask), so this row says only that *someone* asked and when.

    `summary` holds counts per category (records deleted, anonymised, cards revoked): never a
    name, number or free text.
    """

    __tablename__ = "privacy_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    erased_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)

"""Articles officials write in Markdown for workers (announcements, protection knowledge)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

ARTICLE_KINDS = ("announcement", "protection")


class Article(db.Model):
    """Shown to users within `region_code` holding one of `roles` (empty: every role), from
    `publish_dt` until `unpublish_dt`. The Markdown is kept as written and sanitised on render."""

    __tablename__ = "publicity_articles"
    __table_args__ = (
        CheckConstraint("kind IN ('announcement','protection')", name="kind_known"),
        CheckConstraint(
            "unpublish_dt IS NULL OR unpublish_dt > publish_dt", name="unpublish_after_publish"
        ),
        Index("ix_publicity_articles_publish", "publish_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    body_md: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    publish_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    unpublish_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    region = relationship("Region")

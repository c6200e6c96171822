"""Declarations, the current colour of each person, the cards signed for it, appeals, trust."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

CARD_TYPES = ("card", "paper", "certificate")
STATUSES = ("green", "yellow", "red")
ID_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "other")


class HealthDeclaration(db.Model):
    """One health declaration (GB/T 38962 elements); every one is kept as history."""

    __tablename__ = "health_declarations"
    __table_args__ = (Index("ix_health_declarations_user_declared", "user_id", "declared_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    declared_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    id_type: Mapped[str] = mapped_column(String(16), default="resident_id")
    household_region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    current_village_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    temperature: Mapped[Decimal] = mapped_column(Numeric(3, 1))
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    hubei_exposure_date: Mapped[date | None] = mapped_column(Date)
    case_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    assessed_status: Mapped[str] = mapped_column(String(8))
    resulting_status: Mapped[str] = mapped_column(String(8))
    # Set when village staff declared for someone without a smartphone.
    proxy_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent_recorded: Mapped[bool] = mapped_column(Boolean, default=False)


class HealthStatus(db.Model):
    """The colour a person has now: the single source that every card is signed from."""

    __tablename__ = "health_statuses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(8), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    quarantine_until: Mapped[date | None] = mapped_column(Date)
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StatusChange(db.Model):
    """Every change of colour: from what, to what, why, and who (None: a declaration)."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(8))
    to_status: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    cause: Mapped[str] = mapped_column(String(16))  # declaration / release / clearance / appeal
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    changed_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HealthCard(db.Model):
    """A signed card. Refreshing re-signs the same card id; a colour change makes a new one."""

    __tablename__ = "health_cards"
    __table_args__ = (
        Index("ix_health_cards_user_type", "user_id", "card_type", "revoked_dt"),
        Index("ix_health_cards_revoked", "revoked_dt", "expires_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[str] = mapped_column(String(16), unique=True)  # hex of the random id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    card_type: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    quarantine_until: Mapped[date | None] = mapped_column(Date)
    name_masked: Mapped[str] = mapped_column(String(8))
    id_last4: Mapped[str] = mapped_column(String(4))
    issued_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    kid: Mapped[str] = mapped_column(String(16))
    qr_text: Mapped[str] = mapped_column(Text)
    issuing_region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    destination_code: Mapped[str | None] = mapped_column(String(20))
    departure_date: Mapped[date | None] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])


class Appeal(db.Model):
    """A worker's request to correct their colour, decided by officials of their region."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status_at_filing: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    filed_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    decisions: Mapped[list[AppealDecision]] = relationship(
        back_populates="appeal", order_by="AppealDecision.decided_dt", lazy="selectin"
    )
    user = relationship("User")


class AppealDecision(db.Model):
    """Who decided what on an appeal, and why."""

    __tablename__ = "appeal_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(12))  # upheld / rejected / comment
    new_status: Mapped[str | None] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text)
    decided_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="decisions")


class TrustedIssuer(db.Model):
    """Another region's card signer whose cards we recognise (mutual recognition)."""

    __tablename__ = "trusted_issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(16), index=True)  # hex; collisions are allowed
    region_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    certificate_der: Mapped[bytes | None] = mapped_column(LargeBinary)
    jwk: Mapped[dict | None] = mapped_column(JSON)
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    card_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    removed_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)

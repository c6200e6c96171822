"""Checkpoints at village gates, who staffs them, and what happened there.

A scan row keeps the verdict the volunteer's phone reached offline and the decision taken,
never the holder's name or ID digits: the card id (random, hex) is enough to follow up.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String, Time, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

DECISIONS = ("admit", "refuse")
SCAN_METHODS = ("camera", "manual", "photo")
# Why a volunteer refused entry; "other" needs a note.
REFUSAL_REASONS = (
    "card_invalid",
    "card_expired",
    "not_green",
    "identity_mismatch",
    "fever",
    "no_card",
    "other",
)


class Checkpoint(db.Model):
    """A checkpoint at a village gate. `place_code_version` invalidates printed posters."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    # Local (Asia/Shanghai) opening hours; both None = open round the clock.
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    place_code_version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    village = relationship("Region", lazy="joined")


class CheckpointVolunteer(db.Model):
    """A volunteer's assignment to a checkpoint; ended assignments are kept (`ended_dt`)."""

    __tablename__ = "checkpoint_volunteers"

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    assigned_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)

    checkpoint: Mapped[Checkpoint] = relationship()
    user = relationship("User", foreign_keys=[user_id])


class CheckpointScan(db.Model):
    """One card scanned at a checkpoint, with the verdict shown and the decision taken.

    `client_uuid` is made by the phone before any upload, so a replayed batch stores nothing
    twice. `scanned_dt` is the phone's clock, `received_dt` the server's; `scan_day` is the
    local day of the scan (used by every per-day count).
    """

    __tablename__ = "checkpoint_scans"
    __table_args__ = (
        Index("ix_checkpoint_scans_checkpoint_day", "checkpoint_id", "scan_day"),
        Index("ix_checkpoint_scans_decision_id", "decision", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scanned_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    received_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    scan_day: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(8), default="camera")
    # The verdict, as the volunteer's phone reached it (never the name or the ID digits).
    valid: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str | None] = mapped_column(String(8))
    card_type: Mapped[str | None] = mapped_column(String(12))
    card_id: Mapped[str | None] = mapped_column(String(16))
    issuer_region: Mapped[str | None] = mapped_column(String(20))
    trust_stale: Mapped[bool] = mapped_column(Boolean, default=False)
    # The decision, which arrives as its own outbox item (None: not recorded).
    decision: Mapped[str | None] = mapped_column(String(8))
    decision_uuid: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    decided_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refusal_reason: Mapped[str | None] = mapped_column(String(24))
    refusal_note: Mapped[str | None] = mapped_column(String(200))
    # A refusal of someone holding a valid pass: forbidden by the notice, shown to supervisors.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)

    checkpoint: Mapped[Checkpoint] = relationship()
    volunteer = relationship("User", foreign_keys=[volunteer_id])


class CheckpointCheckIn(db.Model):
    """A worker's self check-in from a checkpoint's poster (the colour is the server's)."""

    __tablename__ = "checkpoint_checkins"
    __table_args__ = (Index("ix_checkpoint_checkins_checkpoint_day", "checkpoint_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    checked_in_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    received_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(8))

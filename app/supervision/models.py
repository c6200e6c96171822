"""Supervision of villages that block card holders: complaints, cases, gate lookups, counters.

A case gathers everything about one place (a checkpoint, or a village when the worker could
not name the gate) on one local day: the workers' complaints and the flagged refusals of valid
cards. So a second complaint about the same gate and day joins the first one's case instead of
opening another, and nothing is lost (at most one open case per place and day).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

CASE_STATES = ("open", "closed")
CASE_SOURCES = ("complaint", "refusal")
OUTCOMES = ("resolved", "unfounded")
# What the worker says happened at the gate (the PWA offers these as one tap each).
COMPLAINT_KINDS = ("refused_entry", "refused_exit", "extra_demands", "other")
NOTE_KINDS = ("contact", "note")
LOOKUP_OUTCOMES = ("found", "not_found", "no_status", "outside_county")
LOOKUP_METHODS = ("typed", "scanned")
PHOTO_TYPES = ("image/jpeg",)


class SupervisionCase(db.Model):
    """What officials act on: one place and day, assigned, followed up, closed with a resolution.

    `place_key` is 'c<checkpoint id>' or 'v<village code>'; with `day` it names the place and
    day that duplicate complaints share (a partial unique index keeps one open case each).
    """

    __tablename__ = "supervision_cases"
    __table_args__ = (
        CheckConstraint("state IN ('open','closed')", name="state_known"),
        CheckConstraint("source IN ('complaint','refusal')", name="source_known"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('resolved','unfounded')", name="outcome_known"
        ),
        Index("ix_supervision_cases_village_state", "village_code", "state"),
        Index("ix_supervision_cases_checkpoint_day", "checkpoint_id", "day"),
        Index(
            "uq_supervision_cases_open_place_day",
            "place_key",
            "day",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    place_key: Mapped[str] = mapped_column(String(24))
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    day: Mapped[date] = mapped_column(Date)  # local day of the incident
    source: Mapped[str] = mapped_column(String(12))  # what opened it
    state: Mapped[str] = mapped_column(String(8), default="open")
    opened_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(12))
    resolution: Mapped[str | None] = mapped_column(Text)

    village = relationship("Region", foreign_keys=[village_code], lazy="joined")
    checkpoint = relationship("Checkpoint", foreign_keys=[checkpoint_id], lazy="joined")
    assignee = relationship("User", foreign_keys=[assignee_id])
    complaints: Mapped[list[Complaint]] = relationship(
        back_populates="case", order_by="Complaint.id"
    )


class Complaint(db.Model):
    """A worker's report of being blocked (被拦截投诉). `duplicate` is set when it joined a case
    that an earlier complaint or a flagged refusal had opened for the same place and day."""

    __tablename__ = "supervision_complaints"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('refused_entry','refused_exit','extra_demands','other')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("supervision_cases.id"), index=True)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    occurred_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case: Mapped[SupervisionCase] = relationship(back_populates="complaints")
    user = relationship("User", foreign_keys=[user_id])
    checkpoint = relationship("Checkpoint", foreign_keys=[checkpoint_id])
    village = relationship("Region", foreign_keys=[village_code])
    photos: Mapped[list[ComplaintPhoto]] = relationship(
        back_populates="complaint", order_by="ComplaintPhoto.id", lazy="selectin"
    )


class ComplaintPhoto(db.Model):
    """A photo attached to a complaint, re-encoded (no EXIF, no location) and kept in a folder
    outside the web root under a random name (`file_key`); served only through the API."""

    __tablename__ = "supervision_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("supervision_complaints.id"), index=True)
    file_key: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="photos")


class CaseScan(db.Model):
    """A flagged refusal (a valid card refused at a gate) that belongs to a case; a scan
    belongs to one case at most."""

    __tablename__ = "supervision_case_scans"

    scan_id: Mapped[int] = mapped_column(ForeignKey("checkpoint_scans.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("supervision_cases.id"), index=True)

    scan = relationship("CheckpointScan")


class CaseNote(db.Model):
    """An official's record on a case: a contact with the village (whom, how) or a note."""

    __tablename__ = "supervision_case_notes"
    __table_args__ = (CheckConstraint("kind IN ('contact','note')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("supervision_cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(8))
    contacted: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
    at_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    author = relationship("User")


class GateLookup(db.Model):
    """One lookup of a person by ID number at a gate: who, where, when, what came back.

    The ID number itself is never stored; `subject_id` is the person found (if any), so that a
    supervisor can see whose status was looked up, masked, when a volunteer is suspected of
    browsing people."""

    __tablename__ = "supervision_gate_lookups"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('found','not_found','no_status','outside_county')", name="outcome_known"
        ),
        CheckConstraint("method IN ('typed','scanned')", name="method_known"),
        Index("ix_supervision_gate_lookups_checkpoint_at", "checkpoint_id", "at_dt"),
        Index("ix_supervision_gate_lookups_volunteer_at", "volunteer_id", "at_dt"),
        Index("ix_supervision_gate_lookups_at", "at_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    at_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(8))  # typed, or scanned from the ID card
    outcome: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str | None] = mapped_column(String(8))

    volunteer = relationship("User", foreign_keys=[volunteer_id])
    subject = relationship("User", foreign_keys=[subject_id])
    checkpoint = relationship("Checkpoint")


class CheckpointDay(db.Model):
    """Per checkpoint and local day: the counts the ranked list reads, kept by scan ingest.

    Counting 100,000 scan rows for every ranked list costs ~150 ms on SQLite; these few
    hundred rows cost a millisecond. `passes` are scans of a card the notice says must be let
    through (a valid green card or health certificate); `refused_valid` the refusals of those.
    `flask supervision recount` rebuilds them from the scans.
    """

    __tablename__ = "supervision_checkpoint_days"
    __table_args__ = (Index("ix_supervision_checkpoint_days_day", "day"),)

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    scans: Mapped[int] = mapped_column(Integer, default=0)
    passes: Mapped[int] = mapped_column(Integer, default=0)
    admitted: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    refused_valid: Mapped[int] = mapped_column(Integer, default=0)

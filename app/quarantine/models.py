"""Quarantine cases, their daily checks, and employers' daily checks of admitted workers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

CASE_STATES = ("open", "released", "transferred")
ORIGINS = ("declaration", "manual")
PLACES = ("home", "hotel", "facility")
CHECK_SOURCES = ("self", "staff", "declaration")


class QuarantineCase(db.Model):
    """One person's 14-day observation: where, who looks after it, how it ended.

    At most one open case per person (a partial unique index). `referred_dt` is set when a fever
    or symptom is recorded during observation: such a case is never due for release.
    """

    __tablename__ = "quarantine_cases"
    __table_args__ = (
        CheckConstraint("state IN ('open','released','transferred')", name="state_known"),
        CheckConstraint("place IN ('home','hotel','facility')", name="place_known"),
        Index("ix_quarantine_cases_village_state", "village_code", "state"),
        Index("ix_quarantine_cases_state_end", "state", "planned_end_date"),
        Index(
            "uq_quarantine_cases_open_person",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="open")
    origin: Mapped[str] = mapped_column(String(12))  # declaration / manual
    start_date: Mapped[date] = mapped_column(Date)  # exposure or arrival
    planned_end_date: Mapped[date] = mapped_column(Date)  # start + 14 days
    place: Mapped[str] = mapped_column(String(12), default="home")
    address: Mapped[str | None] = mapped_column(String(200))
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: automatic
    opened_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    open_reason: Mapped[str | None] = mapped_column(Text)
    referred_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    referral_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    closed_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    hospital: Mapped[str | None] = mapped_column(String(100))

    person = relationship("User", foreign_keys=[user_id])
    staff = relationship("User", foreign_keys=[staff_id])
    village = relationship("Region", foreign_keys=[village_code])


class QuarantineCheck(db.Model):
    """One temperature and symptom reading during observation (a case may have several a day)."""

    __tablename__ = "quarantine_checks"
    __table_args__ = (
        CheckConstraint("source IN ('self','staff','declaration')", name="source_known"),
        Index("ix_quarantine_checks_case_date", "case_id", "check_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("quarantine_cases.id"))
    check_date: Mapped[date] = mapped_column(Date)  # local date in Asia/Shanghai
    temperature: Mapped[Decimal] = mapped_column(Numeric(3, 1))
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    abnormal: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(12))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("health_declarations.id"))
    recorded_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WorkplaceCheck(db.Model):
    """An employer's daily reading of an admitted worker: one per employer, worker and local
    day, so the same list uploaded twice changes nothing (a corrected value replaces the old)."""

    __tablename__ = "workplace_checks"
    __table_args__ = (
        UniqueConstraint("employer_id", "user_id", "check_date", name="uq_workplace_checks_day"),
        CheckConstraint("source IN ('single','upload')", name="source_known"),
        Index("ix_workplace_checks_employer_date", "employer_id", "check_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    check_date: Mapped[date] = mapped_column(Date)  # local date in Asia/Shanghai
    temperature: Mapped[Decimal] = mapped_column(Numeric(3, 1))
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    abnormal: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(8))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

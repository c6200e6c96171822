"""Employer organisations, their staff accounts, and the roster of workers they admitted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

ADMISSION_SOURCES = ("hired", "manual")


class Employer(db.Model):
    """An organisation that recruits. Its postings go public only once officials of its region
    have verified it (`verified`, by whom and when)."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # GB 32100
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(11))
    industry: Mapped[str] = mapped_column(String(50))
    verified: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set when officials send the registration back; cleared when the employer corrects it.
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    rejected_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    region = relationship("Region", lazy="joined")

    @property
    def verification_state(self) -> str:
        """'verified', 'rejected' (sent back with a reason) or 'pending'."""
        if self.verified:
            return "verified"
        return "rejected" if self.rejected_reason else "pending"


class EmployerStaff(db.Model):
    """A user account that acts for an employer; a user belongs to at most one employer."""

    __tablename__ = "employer_staff"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, unique=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    added_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])


class EmployerWorker(db.Model):
    """A worker admitted by an employer: hired through a posting, or added by its staff."""

    __tablename__ = "employer_workers"
    __table_args__ = (
        UniqueConstraint("employer_id", "user_id", name="uq_employer_workers_employer_user"),
        CheckConstraint("source IN ('hired','manual')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    admitted_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("job_postings.id"))  # hired via
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    added_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

"""Job postings, their searchable listings, applications and the labour-demand survey."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

POSTING_STATUSES = ("draft", "pending", "published", "closed", "expired", "taken_down")
APPLICATION_STATUSES = ("submitted", "contacted", "hired", "declined", "withdrawn")


class JobPosting(db.Model):
    """A job an employer offers. Lifecycle: draft → pending (review) → published → closed or
    expired (after `valid_until`, by itself); officials may take it down with a reason, or send
    a pending one back to draft with a note."""

    __tablename__ = "job_postings"
    __table_args__ = (
        Index("ix_job_postings_employer_status", "employer_id", "status", "id"),
        Index("ix_job_postings_status_id", "status", "id"),
        CheckConstraint(
            "status IN ('draft','pending','published','closed','expired','taken_down')",
            name="status_known",
        ),
        CheckConstraint("wage_min <= wage_max", name="wage_range"),
        CheckConstraint("headcount > 0", name="headcount_positive"),
        CheckConstraint("hired_count <= headcount", name="hired_within_headcount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    title: Mapped[str] = mapped_column(String(60))
    trade: Mapped[str] = mapped_column(String(16))
    headcount: Mapped[int] = mapped_column(Integer)
    # Applications hired so far (kept by services.change_status): positions left at a glance.
    hired_count: Mapped[int] = mapped_column(Integer, default=0)
    wage_min: Mapped[int] = mapped_column(Integer)  # yuan per month
    wage_max: Mapped[int] = mapped_column(Integer)
    # Where the work is: any region, in Changde or a destination elsewhere.
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    address: Mapped[str] = mapped_column(String(200))
    housing: Mapped[bool] = mapped_column(Boolean, default=False)
    meals: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    # The employer's epidemic-prevention rules for arriving workers.
    arrival_rules: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)  # last day it is open, Changde time
    contact: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    review_note: Mapped[str | None] = mapped_column(Text)  # why it was sent back or taken down
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)  # closed, expired, taken down

    employer = relationship("Employer", lazy="joined", innerjoin=True)
    region = relationship("Region", lazy="joined", innerjoin=True)


class JobListing(db.Model):
    """A published posting as workers find it: one row per posting while it is published.

    The id grows in publication order (AUTOINCREMENT on SQLite: never reused), so "newest first"
    is id order, and it is the rowid of the FTS5 index on SQLite. The filter columns are copies
    of the posting's, so a search reads this narrow table only (a few dozen bytes a row: the
    rows a search looks up stay in the page cache); the tokens are in JobListingText.
    """

    __tablename__ = "job_listings"
    __table_args__ = (
        Index("ix_job_listings_trade", "trade", "id"),
        Index("ix_job_listings_region", "region_code", "id"),
        Index("ix_job_listings_wage", "wage_max", "id"),
        Index("ix_job_listings_valid_until", "valid_until"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id"), unique=True)
    trade: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(20))
    wage_min: Mapped[int] = mapped_column(Integer)
    wage_max: Mapped[int] = mapped_column(Integer)
    housing: Mapped[bool] = mapped_column(Boolean)
    valid_until: Mapped[date] = mapped_column(Date)

    posting: Mapped[JobPosting] = relationship()
    text: Mapped[JobListingText] = relationship(
        back_populates="listing", cascade="all, delete-orphan", passive_deletes=True
    )


class JobListingText(db.Model):
    """The search tokens of a listing (app.jobs.search.listing_text), indexed per engine by
    migration 0006: an FTS5 table on SQLite (rowid = listing_id), a GIN index on PostgreSQL."""

    __tablename__ = "job_listing_texts"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("job_listings.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    search_text: Mapped[str] = mapped_column(Text)

    listing: Mapped[JobListing] = relationship(back_populates="text")


class Application(db.Model):
    """A worker's application to a posting: submitted → contacted → hired or declined, or
    withdrawn by the worker before a decision (and then possibly submitted again).

    `share_card`: the worker lets the employer see their health-card colour (read live)."""

    __tablename__ = "job_applications"
    __table_args__ = (
        UniqueConstraint("posting_id", "user_id", name="uq_job_applications_posting_user"),
        Index("ix_job_applications_posting_status", "posting_id", "status", "id"),
        CheckConstraint(
            "status IN ('submitted','contacted','hired','declined','withdrawn')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_postings.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    share_card: Mapped[bool] = mapped_column(Boolean, default=False)
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    posting: Mapped[JobPosting] = relationship()
    user = relationship("User", foreign_keys=[user_id])


class LabourDemand(db.Model):
    """One line of an employer's labour-demand survey (用工需求摸底): how many workers of a
    trade it expects to need from when, and where."""

    __tablename__ = "labour_demands"
    __table_args__ = (Index("ix_labour_demands_region_trade", "region_code", "trade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    trade: Mapped[str] = mapped_column(String(16))
    headcount: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    note: Mapped[str | None] = mapped_column(String(200))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    employer = relationship("Employer")

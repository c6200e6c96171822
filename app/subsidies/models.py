"""Test batches and their invoices, subsidy applications, and the budgets that pay them.

Money is integer fen everywhere (1 yuan = 100 fen), never a float. A budget's `balance_fen`
can never go below zero: approvals take a row lock on it, and a CHECK constraint backs that up.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
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

APPLICATION_STATUSES = ("submitted", "approved", "refused", "paid")
ENTRY_KINDS = ("allocation", "transfer_in", "transfer_out", "approval", "payment")
INVOICE_TYPES = ("application/pdf", "image/jpeg", "image/png")

# 64-bit fen: a 32-bit INTEGER would stop at 21 million yuan, less than a county's budget.
Fen = BigInteger


class SubsidyPolicy(db.Model):
    """A county's terms for one period: so much per person tested, at most so much per employer."""

    __tablename__ = "subsidy_policies"
    __table_args__ = (
        UniqueConstraint("region_code", "starts_on", name="uq_subsidy_policies_region_start"),
        CheckConstraint("rate_fen > 0", name="rate_positive"),
        CheckConstraint("cap_fen > 0", name="cap_positive"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    rate_fen: Mapped[int] = mapped_column(Fen)  # per person tested
    cap_fen: Mapped[int] = mapped_column(Fen)  # per employer over the period
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SubsidyInvoice(db.Model):
    """An uploaded invoice file, stored outside the web root under a random name."""

    __tablename__ = "subsidy_invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(32))  # from the content, not the client
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # finds one invoice claimed twice
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TestBatch(db.Model):
    """One round of testing an employer paid for: when, where, how many people, what it cost."""

    __tablename__ = "subsidy_test_batches"
    __test__ = False  # not a pytest class, whatever its name
    __table_args__ = (
        CheckConstraint("people_count >= 1", name="people_positive"),
        CheckConstraint("counted_only >= 0", name="counted_non_negative"),
        CheckConstraint("cost_fen >= 0", name="cost_non_negative"),
        Index("ix_subsidy_test_batches_employer_day", "employer_id", "tested_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    tested_on: Mapped[date] = mapped_column(Date)
    institution: Mapped[str] = mapped_column(String(100))
    # People on the roster are linked one by one (TestBatchPerson); others only counted.
    people_count: Mapped[int] = mapped_column(Integer)
    counted_only: Mapped[int] = mapped_column(Integer, default=0)
    cost_fen: Mapped[int] = mapped_column(Fen)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_invoices.id"))
    # The application claiming it now; cleared when that application is refused.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("subsidy_applications.id"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    invoice = relationship("SubsidyInvoice")
    people: Mapped[list[TestBatchPerson]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", lazy="selectin"
    )


class TestBatchPerson(db.Model):
    """A worker of the employer's roster who was tested in a batch."""

    __tablename__ = "subsidy_test_batch_people"
    __test__ = False

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("subsidy_test_batches.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)

    batch: Mapped[TestBatch] = relationship(back_populates="people")
    user = relationship("User")


class SubsidyApplication(db.Model):
    """An employer's claim for its batches, decided by officials of its county."""

    __tablename__ = "subsidy_applications"
    __table_args__ = (
        CheckConstraint("status IN ('submitted','approved','refused','paid')", name="status_known"),
        CheckConstraint("approved_fen IS NULL OR approved_fen >= 0", name="approved_non_negative"),
        Index("ix_subsidy_applications_county_status", "county_code", "status"),
        Index("ix_subsidy_applications_employer_policy", "employer_id", "policy_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("subsidy_policies.id"))
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    batch_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # kept after a refusal
    people_count: Mapped[int] = mapped_column(Integer)
    cost_fen: Mapped[int] = mapped_column(Fen)
    requested_fen: Mapped[int] = mapped_column(Fen)  # rate x people, at most the cost
    approved_fen: Mapped[int | None] = mapped_column(Fen)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(500))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)

    employer = relationship("Employer")
    policy = relationship("SubsidyPolicy")
    county = relationship("Region")


class SubsidyBudget(db.Model):
    """The money one county (or the city) has for testing subsidies.

    balance = allocated + transferred in - transferred out - approved; payments move approved
    money out of the door and leave the balance as it is.
    """

    __tablename__ = "subsidy_budgets"
    __table_args__ = (
        CheckConstraint("balance_fen >= 0", name="balance_non_negative"),
        CheckConstraint("paid_fen <= approved_fen", name="paid_within_approved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), unique=True)
    balance_fen: Mapped[int] = mapped_column(Fen, default=0)
    allocated_fen: Mapped[int] = mapped_column(Fen, default=0)
    approved_fen: Mapped[int] = mapped_column(Fen, default=0)
    paid_fen: Mapped[int] = mapped_column(Fen, default=0)
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    region = relationship("Region")


class BudgetEntry(db.Model):
    """One line of a budget's ledger; amounts are positive, `kind` says which way they went."""

    __tablename__ = "subsidy_budget_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('allocation','transfer_in','transfer_out','approval','payment')",
            name="kind_known",
        ),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_subsidy_budget_entries_budget", "budget_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("subsidy_budgets.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(Fen)
    balance_after_fen: Mapped[int] = mapped_column(Fen)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_applications.id"))
    counterpart_budget_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_budgets.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

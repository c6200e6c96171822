"""Employment intents (one current per worker, with history), the ledger counters kept from them,
and the destinations' published rules for arriving workers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

KINDS = ("outbound", "local")
CHANGE_ACTIONS = (
    "created",
    "updated",
    "withdrawn",
    "departed",
    "certificate_issued",
    "certificate_revoked",
)


def _counted(type_: object, *args: object, **kwargs: object) -> Mapped:
    """A column the ledger counts by: setting it always loads the old value first
    (`active_history`), so the counter listener knows exactly what to take off."""
    return mapped_column(type_, *args, active_history=True, **kwargs)


class EmploymentIntent(db.Model):
    """A worker's current intention to work (locally or elsewhere); one row per worker.

    Changing it keeps its row (and writes an IntentChange); withdrawing it sets `withdrawn_dt`.
    Every column the ledger counts by is watched by app.intents.ledger, which updates the
    LedgerCount rows in the same flush, so the ledger never needs a GROUP BY over intents.
    """

    __tablename__ = "employment_intents"
    __table_args__ = (
        Index(
            "ix_employment_intents_village_destination", "origin_village_code", "destination_code"
        ),
        Index("ix_employment_intents_departure", "departure_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    kind: Mapped[str] = _counted(String(8))  # outbound / local
    # A GB/T 2260 code; outbound codes need not be in the regions table (any valid code).
    destination_code: Mapped[str] = _counted(String(20))
    # The village the worker leaves from (their village when the intent was last saved).
    origin_village_code: Mapped[str] = _counted(ForeignKey("regions.code"))
    trade: Mapped[str] = _counted(String(32))
    job_arranged: Mapped[bool] = _counted(Boolean, default=False)
    employer_name: Mapped[str | None] = mapped_column(String(200))
    job_start_date: Mapped[date | None] = mapped_column(Date)
    # A hired application of the jobs module (no foreign key: that table lives in another branch).
    application_id: Mapped[int | None] = mapped_column(Integer)
    departure_date: Mapped[date | None] = _counted(Date)
    needs_transport: Mapped[bool] = _counted(Boolean, default=False)
    needs_certificate: Mapped[bool] = _counted(Boolean, default=False)
    wage_expectation: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    departed_dt: Mapped[datetime | None] = _counted(UtcDateTime)
    certificate_card_id: Mapped[str | None] = _counted(String(16))
    certificate_issued_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_dt: Mapped[datetime | None] = _counted(UtcDateTime)
    proxy_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    @property
    def active(self) -> bool:
        return self.withdrawn_dt is None

    @property
    def departed(self) -> bool:
        return self.departed_dt is not None

    @property
    def certified(self) -> bool:
        return self.certificate_card_id is not None


class IntentChange(db.Model):
    """Every change of an intent: what it became, who changed it and when (the history)."""

    __tablename__ = "intent_changes"
    __table_args__ = (Index("ix_intent_changes_intent", "intent_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intent_id: Mapped[int] = mapped_column(ForeignKey("employment_intents.id"))
    action: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The intent's fields after the change (no name, ID number or phone).
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)


class LedgerCount(db.Model):
    """Counts of active intents for one cell of the ledger, kept up to date as intents change.

    Each intent is counted in four rows (grouping sets): its trade and its departure day, its
    trade on any day (day 0), any trade ('*') on its day, and any trade on any day. A ledger
    query then reads a few thousand rows whatever the number of intents. `day` is YYYYMMDD of
    the planned departure in Changde time, 1 when no date is known, 0 for "any day".
    """

    __tablename__ = "ledger_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    trade: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    origin_village_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    destination_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    intents: Mapped[int] = mapped_column(Integer, default=0)
    job_arranged: Mapped[int] = mapped_column(Integer, default=0)
    departed: Mapped[int] = mapped_column(Integer, default=0)
    certified: Mapped[int] = mapped_column(Integer, default=0)
    needs_transport: Mapped[int] = mapped_column(Integer, default=0)
    needs_certificate: Mapped[int] = mapped_column(Integer, default=0)


class DestinationRule(db.Model):
    """What a destination region asks of arriving workers, as published by our officials."""

    __tablename__ = "destination_rules"
    __table_args__ = (Index("ix_destination_rules_destination", "destination_code", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    destination_code: Mapped[str] = mapped_column(String(20))
    rules_text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    source_date: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    job_info: Mapped[str | None] = mapped_column(Text)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    withdrawn_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

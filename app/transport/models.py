"""Point-to-point transport (点对点) and organised labour export: batches, vehicles, trips,
seats, boarding scans and the handover on arrival.

Double booking is refused by the database itself, so two officials planning at the same moment
cannot both win: a seat is unique per trip, a person holds at most one live seat and one open
batch (partial unique indexes), and a vehicle holds one trip per local day (vehicle_bookings'
primary key). The Python checks before them only give the nicer error message.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

DIRECTIONS = ("inbound", "outbound")
REQUEST_STATES = (
    "submitted",
    "approved",
    "refused",
    "scheduled",
    "travelling",
    "arrived",
    "cancelled",
)
# A batch's worker: listed by the employer, or invited by origin officials (organised export)
# and then accepted or declined; released when the batch is refused or cancelled.
WORKER_STATES = ("listed", "invited", "accepted", "declined", "released")
LIVE_WORKER_STATES = ("listed", "accepted")
TRIP_STATES = ("planned", "travelling", "arrived", "cancelled")
PASSENGER_STATES = ("booked", "boarded", "refused", "no_show", "arrived", "missing", "removed")
LIVE_PASSENGER_STATES = ("booked", "boarded")
# Why a passenger was not let on the bus ("other" needs a note).
BOARDING_REFUSALS = (
    "not_green",
    "card_invalid",
    "no_card",
    "fever",
    "identity_mismatch",
    "not_on_manifest",
    "other",
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


class TransportRequest(db.Model):
    """One batch: an employer's request for point-to-point transport (inbound), or a charter
    organised by origin officials (outbound). `review_region_code` is the county or park whose
    officials decide an inbound request; outbound charters are created approved."""

    __tablename__ = "transport_requests"
    __table_args__ = (
        CheckConstraint(f"direction IN {_in(DIRECTIONS)}", name="direction_known"),
        CheckConstraint(f"state IN {_in(REQUEST_STATES)}", name="state_known"),
        CheckConstraint("window_start <= window_end", name="window_ordered"),
        Index("ix_transport_requests_review_state", "review_region_code", "state", "id"),
        Index("ix_transport_requests_employer", "employer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    state: Mapped[str] = mapped_column(String(12), default="submitted")
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    # Where the workers leave from: any GB/T 2260 county or city (outside Changde for inbound).
    origin_code: Mapped[str] = mapped_column(String(20), index=True)
    # Where they go: the employer's region (inbound) or any GB/T 2260 code (outbound).
    destination_code: Mapped[str] = mapped_column(String(20), index=True)
    destination_address: Mapped[str] = mapped_column(String(200))
    review_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    updated_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    employer = relationship("Employer")
    workers: Mapped[list[RequestWorker]] = relationship(
        back_populates="request", order_by="RequestWorker.id"
    )
    trips: Mapped[list[Trip]] = relationship(back_populates="request", order_by="Trip.id")


class RequestWorker(db.Model):
    """A worker of a batch. A person is in at most one live batch (partial unique index)."""

    __tablename__ = "transport_request_workers"
    __table_args__ = (
        UniqueConstraint("request_id", "user_id", name="uq_transport_request_workers_request_user"),
        CheckConstraint(f"state IN {_in(WORKER_STATES)}", name="state_known"),
        Index(
            "uq_transport_request_workers_live_person",
            "user_id",
            unique=True,
            sqlite_where=text(f"state IN {_in(LIVE_WORKER_STATES)}"),
            postgresql_where=text(f"state IN {_in(LIVE_WORKER_STATES)}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("transport_requests.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    origin_code: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default="listed")
    added_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    responded_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)

    request: Mapped[TransportRequest] = relationship(back_populates="workers")
    user = relationship("User")


class Vehicle(db.Model):
    """A coach or minibus. `layout` is its seat rows front to back, each a string of seat
    letters with '_' for the aisle ('AB_CD'); seat labels are row number + letter ('3C')."""

    __tablename__ = "transport_vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(10), unique=True)
    seats: Mapped[int] = mapped_column(Integer)
    layout: Mapped[list[str]] = mapped_column(JSON)
    operator: Mapped[str | None] = mapped_column(String(100))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Trip(db.Model):
    """One vehicle's journey for a batch, with its crew (一车一策: one plan per vehicle)."""

    __tablename__ = "transport_trips"
    __table_args__ = (
        CheckConstraint(f"state IN {_in(TRIP_STATES)}", name="state_known"),
        CheckConstraint("departure_dt < arrival_due_dt", name="times_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("transport_requests.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("transport_vehicles.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="planned")
    driver_name: Mapped[str] = mapped_column(String(50))
    driver_phone: Mapped[str] = mapped_column(String(11))
    # The crew on board: they scan at the door, so they are users (found by phone number).
    escort_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    medic_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    departure_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    departure_place: Mapped[str] = mapped_column(String(200))
    route: Mapped[str] = mapped_column(String(500), default="")
    arrival_place: Mapped[str] = mapped_column(String(200))
    arrival_due_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    # The rules the seat plan followed, kept with the trip (the configuration may change).
    seat_share: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    isolation_rows: Mapped[int] = mapped_column(Integer)
    departed_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    arrived_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handover_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handover_note: Mapped[str | None] = mapped_column(String(500))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    request: Mapped[TransportRequest] = relationship(back_populates="trips")
    vehicle: Mapped[Vehicle] = relationship(lazy="joined")
    escort = relationship("User", foreign_keys=[escort_id])
    medic = relationship("User", foreign_keys=[medic_id])
    passengers: Mapped[list[Passenger]] = relationship(
        back_populates="trip", order_by="Passenger.seat_order"
    )


class VehicleBooking(db.Model):
    """A vehicle taken for a local (Asia/Shanghai) day by a trip: one trip per vehicle per day,
    enforced by the primary key whatever the requests racing for it."""

    __tablename__ = "transport_vehicle_bookings"

    vehicle_id: Mapped[int] = mapped_column(ForeignKey("transport_vehicles.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("transport_trips.id"), index=True)


class Passenger(db.Model):
    """A worker's seat on a trip, and what happened to them: boarded (with the temperature
    taken at the door), refused (with a reason), no-show, arrived or missing at the handover."""

    __tablename__ = "transport_passengers"
    __table_args__ = (
        CheckConstraint(f"state IN {_in(PASSENGER_STATES)}", name="state_known"),
        # A seat holds one person (removed bookings give theirs back).
        Index(
            "uq_transport_passengers_trip_seat",
            "trip_id",
            "seat",
            unique=True,
            sqlite_where=text("state <> 'removed'"),
            postgresql_where=text("state <> 'removed'"),
        ),
        # A person holds one live seat, on any trip.
        Index(
            "uq_transport_passengers_live_person",
            "user_id",
            unique=True,
            sqlite_where=text(f"state IN {_in(LIVE_PASSENGER_STATES)}"),
            postgresql_where=text(f"state IN {_in(LIVE_PASSENGER_STATES)}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("transport_trips.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    request_worker_id: Mapped[int] = mapped_column(ForeignKey("transport_request_workers.id"))
    seat: Mapped[str] = mapped_column(String(6))
    seat_order: Mapped[int] = mapped_column(Integer)  # front to back, for the manifest
    state: Mapped[str] = mapped_column(String(10), default="booked")
    boarded_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    temperature: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    refusal_reason: Mapped[str | None] = mapped_column(String(20))
    refusal_note: Mapped[str | None] = mapped_column(String(200))
    arrived_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
    booked_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    trip: Mapped[Trip] = relationship(back_populates="passengers")
    user = relationship("User")


class BoardingScan(db.Model):
    """A card scanned at the bus door, as the crew's phone recorded it (offline, then synced).

    Like a checkpoint scan it keeps the verdict, never the name or ID digits. `client_uuid`
    is made on the phone before any upload: a replayed outbox stores nothing twice.
    """

    __tablename__ = "transport_boarding_scans"
    __table_args__ = (
        Index("ix_transport_boarding_scans_trip", "trip_id", "id"),
        Index("ix_transport_boarding_scans_scanned", "scanned_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("transport_trips.id"))
    passenger_id: Mapped[int | None] = mapped_column(
        ForeignKey("transport_passengers.id"), index=True
    )
    scanned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scanned_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    received_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    valid: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str | None] = mapped_column(String(8))
    card_type: Mapped[str | None] = mapped_column(String(12))
    card_id: Mapped[str | None] = mapped_column(String(16))
    trust_stale: Mapped[bool] = mapped_column(Boolean, default=False)
    temperature: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    decision: Mapped[str] = mapped_column(String(8))  # board / refuse
    refusal_reason: Mapped[str | None] = mapped_column(String(20))
    refusal_note: Mapped[str | None] = mapped_column(String(200))


class TransportEvent(db.Model):
    """What happened to a batch or one of its trips, who did it and why: both sides' history
    and the workers' timelines read it."""

    __tablename__ = "transport_events"
    __table_args__ = (Index("ix_transport_events_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("transport_requests.id"))
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("transport_trips.id"))
    action: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    actor = relationship("User")

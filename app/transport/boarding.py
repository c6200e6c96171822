"""Boarding at the bus door: the crew's phone verifies each card offline (the checkpoint
scanner's verifier), takes the temperature and records board or refuse in the same outbox as
checkpoint scans; the outbox uploads the items here later, exactly once.

Idempotency is the checkpoints' own: every item carries a UUID made on the phone before its
first upload, stored under a unique index with INSERT ... ON CONFLICT DO NOTHING
(app.checkpoints.ingest.insert_new), so a batch sent again after a lost answer changes
nothing. Only an item actually stored moves its passenger (booked → boarded or refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.cards.models import HealthCard
from app.checkpoints.ingest import (
    CREATED,
    DUPLICATE,
    REJECTED,
    Batch,
    client_time,
    insert_new,
    passes,
    storage,
)
from app.extensions import db
from app.i18n import register_messages
from app.transport.models import BoardingScan, Passenger, Trip

register_messages(
    {
        "not_crew": ("您不是该车次的随车人员。", "You are not on the crew of this trip."),
        "trip_cancelled": ("该车次已取消。", "This trip was cancelled."),
        "not_on_manifest": ("此人不在该车乘客名单上。", "This person is not on the manifest."),
        "boarding_not_allowed": (
            "只有持有效绿码且体温低于 37.3℃ 的乘客才能上车。",
            "Only passengers with a valid green card and a temperature below 37.3 °C may board.",
        ),
        "temperature_required": ("请填写体温。", "Enter the temperature."),
        "boarding_reason_required": ("拒绝上车须选择原因。", "A refused boarding needs a reason."),
    }
)

FEVER = Decimal("37.3")
# Passengers a boarding scan may still move: a late upload of a scan made before departure
# turns a no-show into a passenger; once handed over, nothing changes.
OPEN_STATES = ("booked", "refused", "no_show")

BOARDING_COLUMNS = (
    "client_uuid",
    "trip_id",
    "passenger_id",
    "scanned_by_id",
    "scanned_dt",
    "received_dt",
    "valid",
    "reason",
    "kind",
    "status",
    "card_type",
    "card_id",
    "trust_stale",
    "temperature",
    "decision",
    "refusal_reason",
    "refusal_note",
)


def may_board(verdict: dict[str, Any], temperature: Decimal | None) -> bool:
    """A valid green card (or health certificate) and no fever."""
    ok = passes(verdict["valid"], verdict.get("status"), verdict.get("kind"))
    return ok and temperature is not None and temperature < FEVER


def _passengers(trip_ids: set[int]) -> dict[int, Passenger]:
    rows = db.session.scalars(select(Passenger).where(Passenger.trip_id.in_(trip_ids)))
    return {p.id: p for p in rows}


def _card_owners(card_ids: set[str]) -> dict[str, int]:
    if not card_ids:
        return {}
    rows = db.session.execute(
        select(HealthCard.card_id, HealthCard.user_id).where(HealthCard.card_id.in_(card_ids))
    )
    return dict(rows.all())


def ingest(actor: User, items: Sequence[Any], now: datetime) -> dict[str, Any]:
    """Store a batch of boarding items (schema-validated) from `actor`'s phone."""
    batch = Batch(len(items))
    seen: set = set()
    entries = []
    for index, item in enumerate(items):
        if item.uuid in seen:
            batch.answer(index, item.uuid, DUPLICATE)
            continue
        seen.add(item.uuid)
        entries.append((index, item))
    trips = {
        t.id: t
        for t in db.session.scalars(
            select(Trip).where(Trip.id.in_({item.trip_id for _, item in entries}))
        )
    }
    passengers = _passengers(set(trips))
    by_user = {(p.trip_id, p.user_id): p for p in passengers.values() if p.state != "removed"}
    owners = _card_owners({i.verdict.get("card_id") for _, i in entries} - {None})
    store = storage()
    rows, pending = [], []
    for index, item in entries:
        trip = trips.get(item.trip_id)
        if trip is None or actor.id not in (trip.escort_id, trip.medic_id):
            batch.answer(index, item.uuid, REJECTED, "not_crew")
            continue
        if trip.state == "cancelled":
            batch.answer(index, item.uuid, REJECTED, "trip_cancelled")
            continue
        passenger = passengers.get(item.passenger_id) if item.passenger_id else None
        if item.passenger_id and (passenger is None or passenger.trip_id != trip.id):
            batch.answer(index, item.uuid, REJECTED, "not_on_manifest")
            continue
        owner = owners.get(item.verdict.get("card_id") or "")
        if passenger is None and owner is not None:
            passenger = by_user.get((trip.id, owner))
        boarding = item.decision == "board"
        if boarding and passenger is None:
            batch.answer(index, item.uuid, REJECTED, "not_on_manifest")
            continue
        if boarding and owner is not None and owner != passenger.user_id:
            batch.answer(index, item.uuid, REJECTED, "identity_mismatch")
            continue
        if boarding and not may_board(item.verdict, item.temperature):
            batch.answer(index, item.uuid, REJECTED, "boarding_not_allowed")
            continue
        scanned = client_time(item.scanned_at, now)
        v = item.verdict
        row = (
            store.uuid(item.uuid),
            trip.id,
            passenger.id if passenger else None,
            actor.id,
            store.time(scanned),
            store.time(now),
            v["valid"],
            v["reason"],
            v.get("kind"),
            v.get("status"),
            v.get("card_type"),
            v.get("card_id"),
            bool(v.get("trust_stale")),
            str(item.temperature)
            if item.temperature is not None and store.sqlite
            else item.temperature,
            item.decision,
            None if boarding else item.reason,
            None if boarding else ((item.note or "").strip() or None),
        )
        rows.append(row)
        pending.append((index, item, row[0], passenger, scanned))
    created = insert_new(BoardingScan.__table__, BOARDING_COLUMNS, rows)
    # In the order they were scanned, so "refused, then boarded after a second check" ends
    # boarded whatever order the phone sent them in.
    for index, item, key, passenger, scanned in sorted(pending, key=lambda p: p[4]):
        fresh = key in created
        batch.answer(index, item.uuid, CREATED if fresh else DUPLICATE)
        if fresh and passenger is not None:
            _apply(passenger, item, scanned)
    db.session.flush()
    return batch.summary()


def _apply(passenger: Passenger, item: Any, scanned: datetime) -> None:
    if passenger.state not in OPEN_STATES:
        return
    passenger.temperature = item.temperature
    if item.decision == "board":
        passenger.state, passenger.boarded_dt = "boarded", scanned
        passenger.refusal_reason = passenger.refusal_note = None
    else:
        passenger.state = "refused"
        passenger.refusal_reason = item.reason
        passenger.refusal_note = (item.note or "").strip() or None


def scans_of(trip: Trip) -> list[BoardingScan]:
    return list(
        db.session.scalars(
            select(BoardingScan).where(BoardingScan.trip_id == trip.id).order_by(BoardingScan.id)
        )
    )

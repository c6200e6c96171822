"""Retention: boarding scans and door temperatures are kept only as long as they serve.

Boarding scans are stored apart from checkpoint scans (transport_boarding_scans), so they are
purged here; the passenger rows stay (who travelled, on which seat) without the temperature.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from app.extensions import db
from app.transport.models import BoardingScan, Passenger, Trip


def purge_before(cutoff: datetime) -> dict[str, int]:
    """Delete boarding scans made before `cutoff` (aware) and clear the temperatures of
    passengers of trips that ended before it; returns the rows touched per table. The caller
    commits."""
    scans = db.session.execute(delete(BoardingScan).where(BoardingScan.scanned_dt < cutoff))
    ended = select(Trip.id).where(
        Trip.state.in_(("arrived", "cancelled")),
        Trip.departure_dt < cutoff,
        (Trip.arrived_dt.is_(None)) | (Trip.arrived_dt < cutoff),
    )
    temperatures = db.session.execute(
        update(Passenger)
        .where(Passenger.trip_id.in_(ended.scalar_subquery()), Passenger.temperature.is_not(None))
        .values(temperature=None)
        .execution_options(synchronize_session=False)
    )
    return {
        "transport_boarding_scans": scans.rowcount or 0,
        "transport_passenger_temperatures": temperatures.rowcount or 0,
    }

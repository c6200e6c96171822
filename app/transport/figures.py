"""Public figures of the transport service (read by the public statistics page)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.extensions import db
from app.regions.models import Region
from app.regions.services import region_subtree
from app.transport.models import TransportRequest, Trip


def trips_completed(region_code: str | None = None) -> int:
    """Trips that arrived and were handed over; with `region_code`, only those whose batch's
    destination or origin lies in that region's subtree (an unknown region: 0)."""
    stmt = (
        select(func.count(Trip.id))
        .join(TransportRequest, TransportRequest.id == Trip.request_id)
        .where(Trip.state == "arrived")
    )
    if region_code is not None:
        if db.session.get(Region, region_code) is None:
            return 0
        stmt = stmt.where(
            or_(
                region_subtree(TransportRequest.destination_code, region_code),
                region_subtree(TransportRequest.origin_code, region_code),
            )
        )
    return int(db.session.scalar(stmt) or 0)

"""Demo batches, the public figure of completed trips, and the retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.transport.figures import trips_completed
from app.transport.models import BoardingScan, Passenger, TransportRequest
from app.transport.retention import purge_before
from tests.transport.conftest import T0
from tests.transport.factories import departure
from tests.transport.test_boarding import SMALL, item, sync


def test_demo_data_makes_an_approved_batch_with_a_coach_and_one_waiting(app, runner):
    result = runner.invoke(args=["demo-data", "--workers", "20", "--employers", "3"])
    assert result.exit_code == 0, result.output
    assert "transport_batches=2" in result.output and "transport_trips=1" in result.output
    states = sorted(db.session.scalars(select(TransportRequest.state)))
    assert states == ["approved", "submitted"]


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_completed_trips_are_counted_by_region_and_old_scans_purged(client_of, setup, staff, clock):
    escort = client_of(setup["escort"])
    passenger_id, card_id = setup["greens"][0]
    sync(escort, item(setup["trip"], passenger_id, card_id))
    assert trips_completed() == 0
    clock.move_to(departure() + timedelta(minutes=1))
    escort.post(f"/api/v1/transport/trips/{setup['trip']}/depart")
    client_of(staff).post(
        f"/api/v1/transport/trips/{setup['trip']}/handover", json={"arrived": [passenger_id]}
    )
    assert trips_completed() == 1
    assert trips_completed("430702") == 1  # the destination's county
    assert trips_completed("430700") == 1  # the city above it
    assert trips_completed("430703") == 0  # another county
    assert trips_completed("nowhere") == 0
    # Thirty days on, the door scans and temperatures go; who travelled stays.
    purged = purge_before(T0 + timedelta(days=30))
    db.session.commit()
    assert purged == {"transport_boarding_scans": 1, "transport_passenger_temperatures": 1}
    assert db.session.scalar(select(func.count(BoardingScan.id))) == 0
    kept = db.session.get(Passenger, passenger_id)
    assert kept.state == "arrived" and kept.temperature is None

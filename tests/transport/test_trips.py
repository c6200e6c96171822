"""Trips of a batch: vehicle, crew, the seat plan, no double booking, changes by SMS."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.transport.models import Passenger, Trip, Vehicle
from tests.transport.factories import (
    DAY,
    crew,
    departure,
    make_request,
    make_trip,
    make_workers,
    trip_body,
)


@pytest.fixture
def batch(employer, staff, wuling_official):
    return make_request(employer, staff, make_workers(employer, 50), approve_by=wuling_official)


def test_a_53_seat_coach_seats_20_passengers_outside_the_isolation_rows(
    client_of, batch, staff, app
):
    escort, medic = crew()
    response = client_of(staff).post(
        f"/api/v1/transport/requests/{batch.id}/trips", json=trip_body(escort, medic)
    )
    assert response.status_code == 201, response.get_json()
    trip = response.get_json()
    assert trip["capacity"] == 20 and len(trip["passengers"]) == 20
    seats = {p["seat"] for p in trip["passengers"]}
    isolation = {s for row in trip["seat_map"] if row["isolation"] for s in row["seats"] if s}
    assert isolation == {"12A", "12B", "12C", "12D", "13A", "13B", "13C", "13D", "13E"}
    assert not seats & isolation
    assert trip["crew_seats"] == ["1A", "1C"] and not seats & set(trip["crew_seats"])
    assert all(p["card"]["valid"] for p in trip["passengers"])
    # Every passenger is told seat, time and place.
    first = trip["passengers"][0]
    phone = db.session.get(Passenger, first["id"]).user.phone
    text = app.extensions["sms"].last_to(phone)
    assert f"座位 {first['seat']}" in text and "湘J12345" in text and "02月24日 08:00" in text
    # The batch is not scheduled until all 50 have seats.
    detail = client_of(staff).get(f"/api/v1/transport/requests/{batch.id}").get_json()
    assert detail["state"] == "approved" and detail["unseated"] == 30


def test_three_vehicles_seat_the_whole_batch_and_schedule_it(client_of, batch, staff):
    escort, medic = crew()
    planner = client_of(staff)
    url = f"/api/v1/transport/requests/{batch.id}/trips"
    for plate in ("湘J12345", "湘J22345", "湘J32345"):
        body = trip_body(escort, medic, vehicle={"plate": plate, "seats": 53})
        assert planner.post(url, json=body).status_code == 201
    detail = planner.get(f"/api/v1/transport/requests/{batch.id}").get_json()
    assert detail["state"] == "scheduled" and detail["unseated"] == 0 and detail["seated"] == 50
    again = planner.post(
        url, json=trip_body(escort, medic, vehicle={"plate": "湘J42345", "seats": 19})
    )
    assert again.status_code == 409 and again.get_json()["code"] == "nobody_to_seat"


def test_more_people_than_the_rules_allow_are_refused(client_of, batch, staff):
    escort, medic = crew()
    ids = [w.id for w in batch.workers[:7]]
    body = trip_body(escort, medic, vehicle={"plate": "湘J19000", "seats": 19}, worker_ids=ids)
    response = client_of(staff).post(f"/api/v1/transport/requests/{batch.id}/trips", json=body)
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["code"] == "not_enough_seats" and problem["capacity"] == 6
    assert db.session.scalar(select(func.count(Trip.id))) == 0


def test_a_vehicle_is_not_booked_twice_on_the_same_day(client_of, batch, staff):
    escort, medic = crew()
    planner = client_of(staff)
    url = f"/api/v1/transport/requests/{batch.id}/trips"
    assert planner.post(url, json=trip_body(escort, medic)).status_code == 201
    later = trip_body(escort, medic, departure_at=departure(hour=14).isoformat())
    later["arrival_due_at"] = (departure(hour=14) + timedelta(hours=11)).isoformat()
    clash = planner.post(url, json=later)
    assert clash.status_code == 409 and clash.get_json()["code"] == "vehicle_booked"
    next_day = trip_body(escort, medic, departure_at=departure(DAY + timedelta(days=2)).isoformat())
    next_day["arrival_due_at"] = (
        departure(DAY + timedelta(days=2)) + timedelta(hours=11)
    ).isoformat()
    assert planner.post(url, json=next_day).status_code == 201


def test_the_database_refuses_a_second_live_seat_for_one_person(batch, staff):
    escort, medic = crew()
    trip = make_trip(staff, batch, escort, medic)
    seated = trip.passengers[0]
    db.session.add(
        Passenger(
            trip_id=trip.id,
            user_id=seated.user_id,
            request_worker_id=seated.request_worker_id,
            seat="11D",
            seat_order=99,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_a_seat_twice(batch, staff):
    escort, medic = crew()
    trip = make_trip(staff, batch, escort, medic, worker_ids=[batch.workers[0].id])
    other = batch.workers[1]
    db.session.add(
        Passenger(
            trip_id=trip.id,
            user_id=other.user_id,
            request_worker_id=other.id,
            seat=trip.passengers[0].seat,
            seat_order=1,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_change_of_time_texts_every_passenger(client_of, batch, staff, app):
    escort, medic = crew()
    trip = make_trip(staff, batch, escort, medic)
    phone = trip.passengers[0].user.phone
    new_time = departure(hour=10)
    response = client_of(staff).patch(
        f"/api/v1/transport/trips/{trip.id}",
        json={
            "departure_at": new_time.isoformat(),
            "arrival_due_at": (new_time + timedelta(hours=11)).isoformat(),
        },
    )
    assert response.status_code == 200, response.get_json()
    text = app.extensions["sms"].last_to(phone)
    assert "有变更" in text and "10:00" in text


def test_cancelling_a_trip_frees_its_seats_and_vehicle(client_of, batch, staff, app):
    escort, medic = crew()
    trip = make_trip(staff, batch, escort, medic)
    phone = trip.passengers[0].user.phone
    planner = client_of(staff)
    response = planner.post(
        f"/api/v1/transport/trips/{trip.id}/cancel", json={"reason": "车辆故障"}
    )
    assert response.status_code == 200
    assert "已取消" in app.extensions["sms"].last_to(phone)
    again = planner.post(
        f"/api/v1/transport/requests/{batch.id}/trips", json=trip_body(escort, medic)
    )
    assert again.status_code == 201  # same vehicle, same day, same people: all free again


def test_the_crew_must_have_logged_in_once(client_of, batch, staff):
    escort, _ = crew()
    body = trip_body(escort, None, escort_phone="13999999999")
    response = client_of(staff).post(f"/api/v1/transport/requests/{batch.id}/trips", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "crew_not_found"


def test_trips_wait_for_the_approval(client_of, employer, staff):
    pending = make_request(employer, staff, make_workers(employer, 50))
    escort, medic = crew()
    response = client_of(staff).post(
        f"/api/v1/transport/requests/{pending.id}/trips", json=trip_body(escort, medic)
    )
    assert response.status_code == 409 and response.get_json()["code"] == "request_not_approved"


def test_officials_of_another_county_cannot_plan(client_of, batch, other_official):
    escort, medic = crew()
    response = client_of(other_official).post(
        f"/api/v1/transport/requests/{batch.id}/trips", json=trip_body(escort, medic)
    )
    assert response.status_code == 404


# -- parallel planners (PostgreSQL: real concurrent transactions) ---------------------------


def _race(monkeypatch, target: str) -> None:
    """Both requests pass the Python check before either writes: the database decides."""
    import importlib

    module_name, name = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    original = getattr(module, name)
    barrier = threading.Barrier(2, timeout=10)

    def waiting(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(module, name, waiting)


def _parallel(posts):
    results = [None, None]

    def run(index, fn):
        try:
            results[index] = fn()
        except Exception as error:  # shown by the assertion below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


postgres_only = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="concurrent writers need PostgreSQL"
)


@postgres_only
def test_two_planners_booking_one_vehicle_at_once_get_one_trip_and_a_409(
    client_of, employer, staff, wuling_official, monkeypatch
):
    first = make_request(employer, staff, make_workers(employer, 50), approve_by=wuling_official)
    second = make_request(employer, staff, make_workers(employer, 50), approve_by=wuling_official)
    db.session.add(Vehicle(plate="湘J12345", seats=53, layout=["AB_CD"] * 12 + ["ABCDE"]))
    db.session.commit()
    escort, medic = crew()
    _race(monkeypatch, "app.transport.trips.vehicle_taken")
    a, b = client_of(staff), client_of(staff)
    # URLs and bodies made here: the threads have no app context to load ORM attributes in.
    urls = [f"/api/v1/transport/requests/{r.id}/trips" for r in (first, second)]
    body = trip_body(escort, medic)
    results = _parallel([lambda: a.post(urls[0], json=body), lambda: b.post(urls[1], json=body)])
    statuses = sorted(getattr(r, "status_code", 0) for r in results)
    assert statuses == [201, 409], [getattr(r, "get_json", lambda r=r: repr(r))() for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.get_json()["code"] == "vehicle_booked"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Trip.id))) == 1
    assert db.session.scalar(select(func.count(Passenger.id))) == 20


@postgres_only
def test_two_planners_seating_the_same_people_at_once_seat_them_once(
    client_of, batch, staff, monkeypatch
):
    for plate in ("湘J12345", "湘J22345"):
        db.session.add(Vehicle(plate=plate, seats=53, layout=["AB_CD"] * 12 + ["ABCDE"]))
    db.session.commit()
    escort, medic = crew()
    ids = [w.id for w in batch.workers[:10]]
    _race(monkeypatch, "app.transport.trips.unseated_workers")
    a, b = client_of(staff), client_of(staff)
    url = f"/api/v1/transport/requests/{batch.id}/trips"
    bodies = [
        trip_body(escort, medic, worker_ids=ids),
        trip_body(escort, medic, worker_ids=ids, vehicle={"plate": "湘J22345", "seats": 53}),
    ]
    results = _parallel([lambda: a.post(url, json=bodies[0]), lambda: b.post(url, json=bodies[1])])
    statuses = sorted(getattr(r, "status_code", 0) for r in results)
    assert statuses == [201, 409], [getattr(r, "get_json", lambda r=r: repr(r))() for r in results]
    assert next(r for r in results if r.status_code == 409).get_json()["code"] == "passenger_booked"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Passenger.id))) == 10
    assert db.session.scalar(select(func.count(Trip.id))) == 1

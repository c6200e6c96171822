"""One record per worker, door to factory, and who may read which part of it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.cards.services import issue
from app.extensions import db
from app.intents.models import EmploymentIntent, IntentChange
from app.jobs import services as jobs
from tests.factories import declaration, make_user
from tests.jobs.factories import make_posting
from tests.transport.factories import crew, departure, make_request, make_trip, make_workers
from tests.transport.test_boarding import item, sync

pytestmark = pytest.mark.parametrize("app", [{"TRANSPORT_MIN_BATCH": 3}], indirect=True)


@pytest.fixture
def journey(client_of, employer, staff, wuling_official, clock):
    """A worker who declares, states an intent, is hired, travels and is handed over."""
    worker = make_user(region_code="430702")
    assert client_of(worker).post("/api/v1/declarations", json=declaration()).status_code == 201
    intent = EmploymentIntent(
        user_id=worker.id,
        kind="local",
        destination_code="430702",
        origin_village_code=declaration()["current_village_code"],
        trade="electronics",
    )
    db.session.add(intent)
    db.session.flush()
    db.session.add(
        IntentChange(intent_id=intent.id, action="created", snapshot={"destination_code": "430702"})
    )
    posting = make_posting(employer)
    clock.shift(timedelta(hours=1))
    application = jobs.apply(posting, worker, share_card=False)
    clock.shift(timedelta(hours=1))
    jobs.change_status(posting, [application], "hired", actor=staff)
    db.session.commit()
    clock.shift(timedelta(hours=1))
    others = make_workers(employer, 2)
    batch = make_request(employer, staff, [worker, *others], approve_by=wuling_official)
    escort, medic = crew()
    trip = make_trip(staff, batch, escort, medic)
    card = issue(worker, "card")
    db.session.commit()
    passenger = next(p for p in trip.passengers if p.user_id == worker.id)
    clock.move_to(departure() - timedelta(minutes=20))
    at_door = (departure() - timedelta(minutes=15)).isoformat()
    scan = item(trip.id, passenger.id, card.card_id, temperature="36.4", scanned_at=at_door)
    sync(client_of(escort), scan)
    clock.move_to(departure() + timedelta(minutes=2))
    client_of(escort).post(f"/api/v1/transport/trips/{trip.id}/depart")
    clock.move_to(departure() + timedelta(hours=11))
    client_of(staff).post(
        f"/api/v1/transport/trips/{trip.id}/handover", json={"arrived": [passenger.id]}
    )
    return worker


def kinds(body):
    return [e["kind"] for e in body["entries"]]


def test_the_worker_sees_every_step_in_order(client_of, journey):
    body = client_of(journey).get("/api/v1/transport/timeline/me").get_json()
    assert body["view"] == "worker"
    assert kinds(body) == [
        "card",
        "intent",
        "application",
        "intent",  # the hire fills in the intent's arranged job
        "hire",
        "batch",
        "batch",
        "seat",
        "boarding",
        "departure",
        "arrival",
    ]
    boarding = next(e for e in body["entries"] if e["kind"] == "boarding")
    assert "36.4" in boarding["title"] and boarding["data"]["temperature"] == 36.4
    times = [e["at"] for e in body["entries"]]
    assert times == sorted(times)


def test_the_hiring_employer_sees_its_part_without_health_data(client_of, journey, staff):
    body = client_of(staff).get(f"/api/v1/transport/timeline/{journey.id}").get_json()
    assert body["view"] == "employer"
    assert "card" not in kinds(body) and "intent" not in kinds(body)
    assert {"hire", "seat", "boarding", "arrival"} <= set(kinds(body))
    boarding = next(e for e in body["entries"] if e["kind"] == "boarding")
    assert "temperature" not in boarding["data"] and "℃" not in boarding["title"]
    assert "*" in body["person"]["name_masked"]


def test_officials_of_the_worker_s_region_see_it_all(client_of, journey, wuling_official):
    body = client_of(wuling_official).get(f"/api/v1/transport/timeline/{journey.id}").get_json()
    assert body["view"] == "official" and "card" in kinds(body) and "arrival" in kinds(body)


def test_anyone_else_gets_not_found(client_of, journey, other_official):
    from tests.employers.factories import make_employer, owner_of

    assert (
        client_of(other_official).get(f"/api/v1/transport/timeline/{journey.id}").status_code == 404
    )
    rival = owner_of(make_employer(name="常德另一家公司"))
    assert client_of(rival).get(f"/api/v1/transport/timeline/{journey.id}").status_code == 404
    stranger = make_user()
    assert client_of(stranger).get(f"/api/v1/transport/timeline/{journey.id}").status_code == 403

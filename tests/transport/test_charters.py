"""Organised export: groups from the outbound-intent ledger, a charter at 50, invitations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.intents.models import EmploymentIntent
from app.transport.models import RequestWorker
from tests.factories import make_user, village_in
from tests.transport.factories import departure, trip_body

MONDAY = date(2020, 2, 24)


def outbound(count: int, *, destination: str = "440306", day: date = MONDAY) -> list:
    """Workers of a Wuling village who plan to leave for `destination` on `day`."""
    village = village_in("430702")
    people = []
    for n in range(count):
        user = make_user(region_code=village)
        db.session.add(
            EmploymentIntent(
                user_id=user.id,
                kind="outbound",
                destination_code=destination,
                origin_village_code=village,
                trade="manufacturing",
                departure_date=day + timedelta(days=n % 3),
                needs_transport=n % 2 == 0,
            )
        )
        people.append(user)
    db.session.commit()
    return people


@pytest.fixture
def origin_official(app):
    return make_user(roles=("official",), region_code="430702", username="wuling-export")


def test_groups_by_destination_and_week_propose_a_charter_at_50(client_of, origin_official):
    outbound(50)
    outbound(12, destination="330100")  # 杭州
    body = client_of(origin_official).get("/api/v1/transport/charter-groups").get_json()
    by_city = {g["destination"]["code"]: g for g in body["items"]}
    assert by_city["440300"]["workers"] == 50 and by_city["440300"]["proposed"] is True
    assert by_city["440300"]["week_start"] == MONDAY.isoformat()
    assert by_city["330100"]["workers"] == 12 and by_city["330100"]["proposed"] is False


def test_a_charter_invites_the_group_and_texts_those_without_the_app(
    client_of, origin_official, app
):
    people = outbound(50)
    response = client_of(origin_official).post(
        "/api/v1/transport/charters",
        json={
            "destination_code": "440300",
            "week_start": MONDAY.isoformat(),
            "destination_address": "深圳市宝安区福永街道工业园",
        },
    )
    assert response.status_code == 201, response.get_json()
    batch = response.get_json()
    assert batch["direction"] == "outbound" and batch["state"] == "approved"
    assert {w["state"] for w in batch["worker_list"]} == {"invited"}
    assert "组织包车" in app.extensions["sms"].last_to(people[0].phone)
    groups = client_of(origin_official).get("/api/v1/transport/charter-groups").get_json()
    shenzhen = next(g for g in groups["items"] if g["destination"]["code"] == "440300")
    assert shenzhen["in_batches"] == 0  # invited is not yet in: they answer first
    # A smaller group is not chartered.
    outbound(10, destination="330100")
    small = client_of(origin_official).post(
        "/api/v1/transport/charters",
        json={
            "destination_code": "330100",
            "week_start": MONDAY.isoformat(),
            "destination_address": "杭州市",
        },
    )
    assert small.status_code == 409 and small.get_json()["code"] == "charter_group_too_small"


def test_workers_accept_or_decline_and_only_those_accepting_get_seats(client_of, origin_official):
    people = outbound(50)
    official = client_of(origin_official)
    batch = official.post(
        "/api/v1/transport/charters",
        json={
            "destination_code": "440300",
            "week_start": MONDAY.isoformat(),
            "destination_address": "深圳市宝安区福永街道工业园",
        },
    ).get_json()
    for person in people[:5]:
        worker = client_of(person)
        mine = worker.get("/api/v1/transport/mine").get_json()["items"]
        assert mine[0]["state"] == "invited" and mine[0]["destination"]["code"] == "440300"
        answer = worker.post(f"/api/v1/transport/mine/{batch['id']}/answer", json={"accept": True})
        assert answer.status_code == 200 and answer.get_json()["state"] == "accepted"
    client_of(people[5]).post(
        f"/api/v1/transport/mine/{batch['id']}/answer", json={"accept": False}
    )
    escort, medic = make_user(), make_user()
    body = trip_body(
        escort,
        medic,
        departure_place="武陵区汽车站",
        arrival_place="深圳市宝安区福永街道工业园",
    )
    trip = official.post(f"/api/v1/transport/requests/{batch['id']}/trips", json=body)
    assert trip.status_code == 201, trip.get_json()
    assert len(trip.get_json()["passengers"]) == 5
    mine = client_of(people[0]).get("/api/v1/transport/mine").get_json()["items"][0]
    assert mine["seat"] and mine["plate"] == "湘J12345"
    assert mine["departure_at"].startswith(departure().isoformat()[:16])
    # Seated: the answer can no longer change.
    late = client_of(people[0]).post(
        f"/api/v1/transport/mine/{batch['id']}/answer", json={"accept": False}
    )
    assert late.status_code == 409
    accepted = db.session.scalar(
        select(func.count(RequestWorker.id)).where(RequestWorker.state == "accepted")
    )
    assert accepted == 5


def test_someone_else_s_invitation_is_not_found(client_of, origin_official):
    outbound(50)
    batch = (
        client_of(origin_official)
        .post(
            "/api/v1/transport/charters",
            json={
                "destination_code": "440300",
                "week_start": MONDAY.isoformat(),
                "destination_address": "深圳",
            },
        )
        .get_json()
    )
    outsider = make_user()
    response = client_of(outsider).post(
        f"/api/v1/transport/mine/{batch['id']}/answer", json={"accept": True}
    )
    assert response.status_code == 404

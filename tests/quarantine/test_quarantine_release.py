"""Release: never early, only by a person, one or many at once; or transfer to hospital."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select

from app.audit.models import AuditEvent
from app.cards.models import HealthCard, HealthStatus
from app.cards.services import issue
from app.extensions import db
from app.quarantine.models import QuarantineCase
from tests.factories import make_user, village_in
from tests.quarantine.factories import case_for, other_village, staff_of

START = date(2020, 2, 10)  # planned end: 24 February


def on_day(day: int, hour_local: int = 10) -> datetime:
    """That day of observation at `hour_local` o'clock in Changde, as UTC."""
    local = datetime(2020, 2, 10, hour_local) + timedelta(days=day)
    return (local - timedelta(hours=8)).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(on_day(14), tick=False) as traveller:
        yield traveller


@pytest.fixture
def village(app):
    return village_in()


@pytest.fixture
def staff(app, village):
    return staff_of(village)


def release(client, case_id, comment=None):
    return client.post(f"/api/v1/quarantine/cases/{case_id}/release", json={"comment": comment})


def status_of(case):
    return db.session.get(HealthStatus, case.user_id).status


@pytest.mark.parametrize(("day", "released"), [(13, False), (14, True), (15, True)])
def test_release_on_day_14_or_later_never_before(
    client, login, staff, village, clock, day, released
):
    case = case_for(start=START, village=village)
    clock.move_to(on_day(day))
    login(staff)
    response = release(client, case.id)
    assert (response.status_code == 200) is released, response.get_json()
    if released:
        assert response.get_json()["state"] == "released"
        assert status_of(case) == "green"
    else:
        assert response.status_code == 409
        assert response.get_json()["errors"][0]["code"] == "not_yet_due"
        assert "2020-02-24" in response.get_json()["errors"][0]["message"]
        assert status_of(case) == "yellow"


@pytest.mark.parametrize(
    ("instant", "due"),
    [
        (datetime(2020, 2, 23, 15, 59, tzinfo=UTC), False),  # 23:59 on the 23rd in Changde
        (datetime(2020, 2, 23, 16, 0, tzinfo=UTC), True),  # midnight, the 24th in Changde
    ],
)
def test_the_day_turns_at_midnight_in_changde_not_in_utc(
    client, login, staff, village, clock, instant, due
):
    case = case_for(start=START, village=village)
    clock.move_to(instant)
    login(staff)
    listed = client.get("/api/v1/quarantine/cases", query_string={"filter": "due"}).get_json()
    assert [c["id"] for c in listed["items"]] == ([case.id] if due else [])
    assert (release(client, case.id).status_code == 200) is due


def test_release_turns_the_card_green_revokes_the_yellow_one_and_tells_the_worker(
    app, client, login, staff, village
):
    worker = make_user(region_code=village)
    case = case_for(worker, start=START, village=village)
    yellow = issue(worker, "card", now=on_day(14) - timedelta(hours=1))
    db.session.commit()
    login(staff)
    response = release(client, case.id, comment="14天期满，无症状")
    assert response.status_code == 200
    assert db.session.get(HealthCard, yellow.id).revoked_dt is not None
    assert db.session.get(HealthStatus, worker.id).status == "green"
    history = response.get_json()["history"]
    assert history[-1]["action"] == "quarantine.release" and history[-1]["actor_id"] == staff.id
    assert history[-1]["reason"] == "14天期满，无症状"
    assert response.get_json()["closed_at"].startswith("2020-02-24")
    assert "已于2月24日解除" in app.extensions["sms"].last_to(worker.phone)

    login(worker)
    assert client.get("/api/v1/cards/current").get_json()["status"] == "green"
    assert client.get("/api/v1/quarantine/mine").get_json()["state"] == "released"


def test_the_due_list_holds_only_cases_that_may_go_today(client, login, staff, village, clock):
    due = case_for(start=START, village=village)
    case_for(start=START + timedelta(days=1), village=village)  # day 13
    red = case_for(start=START, village=village, status="red")
    referred = case_for(start=START, village=village)
    referred.referred_dt = on_day(10)
    closed = case_for(start=START, village=village)
    closed.state = "transferred"
    db.session.commit()
    case_for(start=START, village=other_village(village))
    login(staff)
    listed = client.get("/api/v1/quarantine/cases", query_string={"filter": "due"}).get_json()
    assert [c["id"] for c in listed["items"]] == [due.id]
    assert listed["items"][0]["eligible"] is True
    everything = client.get("/api/v1/quarantine/cases", query_string={"filter": "open"}).get_json()
    reasons = {c["id"]: c["ineligible_reason"] for c in everything["items"]}
    assert reasons[red.id] == "status_red" and reasons[referred.id] == "case_referred"


def test_bulk_release_releases_all_in_one_transaction(app, client, login, staff, village):
    cases = [case_for(start=START, village=village) for _ in range(5)]
    login(staff)
    commits = []

    def count_commit(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", count_commit)
    try:
        response = client.post(
            "/api/v1/quarantine/releases", json={"case_ids": [c.id for c in cases]}
        )
    finally:
        event.remove(db.engine, "commit", count_commit)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["released"] == 5
    assert len(commits) == 1
    assert {status_of(c) for c in cases} == {"green"}
    releases = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "quarantine.release")
    )
    assert releases == 5


def test_one_case_not_due_in_a_bulk_release_releases_none(app, client, login, staff, village):
    ready = [case_for(start=START, village=village) for _ in range(3)]
    early = case_for(start=START + timedelta(days=2), village=village)
    app.extensions["sms"].sent.clear()
    login(staff)
    response = client.post(
        "/api/v1/quarantine/releases", json={"case_ids": [c.id for c in [*ready, early]]}
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "case_not_eligible"
    assert [(e["case_id"], e["code"]) for e in body["errors"]] == [(early.id, "not_yet_due")]
    assert {status_of(c) for c in [*ready, early]} == {"yellow"}
    assert db.session.scalar(select(func.count()).where(QuarantineCase.state == "open")) == 4
    assert app.extensions["sms"].sent == []  # nobody was told anything


def test_a_case_of_another_township_in_a_bulk_release_releases_none(client, login, staff, village):
    mine = case_for(start=START, village=village)
    theirs = case_for(start=START, village=other_village(village))
    login(staff)
    response = client.post(
        "/api/v1/quarantine/releases", json={"case_ids": [mine.id, theirs.id, 987654]}
    )
    assert response.status_code == 404
    assert response.get_json()["ids"] == [theirs.id, 987654]
    assert status_of(mine) == status_of(theirs) == "yellow"


@pytest.mark.parametrize(
    "body", [{"case_ids": []}, {"case_ids": ["x"]}, {"case_ids": list(range(1, 1002))}, {}]
)
def test_bad_bulk_release_bodies_are_refused(client, login, staff, body):
    login(staff)
    assert client.post("/api/v1/quarantine/releases", json=body).status_code == 422


def test_workers_and_volunteers_cannot_release(client, login, village):
    case = case_for(start=START, village=village)
    login(make_user(roles=("worker", "volunteer"), region_code=village))
    assert release(client, case.id).status_code == 403
    assert (
        client.post("/api/v1/quarantine/releases", json={"case_ids": [case.id]}).status_code == 403
    )
    assert status_of(case) == "yellow"


def test_a_released_case_cannot_be_released_again(client, login, staff, village):
    case = case_for(start=START, village=village)
    login(staff)
    assert release(client, case.id).status_code == 200
    again = release(client, case.id)
    assert again.status_code == 409 and again.get_json()["errors"][0]["code"] == "case_closed"


def test_transfer_to_hospital_ends_the_case_with_a_reason(app, client, login, staff, village):
    case = case_for(start=START, village=village, status="red")
    login(staff)
    assert client.post(f"/api/v1/quarantine/cases/{case.id}/transfer", json={}).status_code == 422
    response = client.post(
        f"/api/v1/quarantine/cases/{case.id}/transfer",
        json={"reason": "体温38.5℃，转定点医院", "hospital": "常德市第一人民医院"},
    )
    assert response.status_code == 200
    detail = response.get_json()
    assert detail["state"] == "transferred" and detail["hospital"] == "常德市第一人民医院"
    assert detail["close_reason"] == "体温38.5℃，转定点医院"
    assert detail["history"][-1]["action"] == "quarantine.transfer"
    assert status_of(case) == "red"  # the hospital decides; the card keeps its colour
    assert "医疗机构" in app.extensions["sms"].last_to(case.person.phone)


def test_a_thousand_cases_are_released_in_one_request_and_one_transaction(client, login):
    import random

    from app.quarantine.demo import load_demo

    assert load_demo(random.Random(5), due=1000)["quarantine_cases"] == 1000
    db.session.commit()
    login(staff_of("430700"))
    due = []
    cursor = None
    while True:
        query = {"filter": "due", "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/quarantine/cases", query_string=query).get_json()
        due += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(due) == 1000
    commits = []

    def count_commit(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", count_commit)
    try:
        response = client.post("/api/v1/quarantine/releases", json={"case_ids": due})
    finally:
        event.remove(db.engine, "commit", count_commit)
    assert response.status_code == 200 and response.get_json()["released"] == 1000
    assert len(commits) == 1
    statuses = db.session.scalars(select(HealthStatus.status)).all()
    assert len(statuses) == 1000 and set(statuses) == {"green"}

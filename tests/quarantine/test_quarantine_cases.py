"""Case files open from declarations or by hand; staff see only the cases of their villages."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cards.models import HealthStatus
from app.extensions import db
from app.quarantine.models import QuarantineCase
from tests.factories import declaration, make_user, township_of, village_in
from tests.quarantine.factories import case_for, other_village, staff_of

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde, day 10 after 10 February


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def village(app):
    return village_in()


@pytest.fixture
def worker(app, login, village):
    user = make_user(name="张小三", region_code=village)
    login(user)
    return user


def declare(client, **overrides):
    return client.post("/api/v1/declarations", json=declaration(**overrides))


def cases_of(user):
    return db.session.scalars(select(QuarantineCase).where(QuarantineCase.user_id == user.id)).all()


def test_hubei_exposure_opens_a_case_and_tells_the_worker(app, client, worker, village):
    response = declare(client, hubei_exposure_date="2020-02-10", current_village_code=village)
    assert response.status_code == 201
    assert response.get_json()["card"]["status"] == "yellow"

    mine = client.get("/api/v1/quarantine/mine").get_json()
    assert mine["state"] == "open"
    assert mine["start_date"] == "2020-02-10"
    assert mine["planned_end_date"] == "2020-02-24"
    assert mine["day_number"] == 10 and mine["days_left"] == 4
    assert mine["village"]["code"] == village
    # The declaration is the reading of the day.
    assert mine["checked_today"] is True and mine["checks"][0]["source"] == "declaration"

    text = app.extensions["sms"].last_to(worker.phone)
    assert "14天隔离观察" in text and "2月10日" in text and "2月24日" in text
    opened = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "quarantine.open"))
    assert [(e.actor_id, e.region_code) for e in opened] == [(None, village)]


def test_exposure_more_than_14_days_ago_opens_nothing(client, worker):
    card = declare(client, hubei_exposure_date="2020-02-05").get_json()["card"]
    assert card["status"] == "green"
    assert cases_of(worker) == []
    assert client.get("/api/v1/quarantine/mine").status_code == 404


def test_exposure_in_the_future_is_refused_and_opens_nothing(client, worker):
    response = declare(client, hubei_exposure_date="2020-02-21")
    assert response.status_code == 422
    assert cases_of(worker) == []


def test_exposure_14_days_ago_opens_nothing_but_13_days_ago_does(client, worker):
    declare(client, hubei_exposure_date="2020-02-06")  # day 14 today: over
    assert cases_of(worker) == []
    declare(client, hubei_exposure_date="2020-02-07")  # day 13 today
    [case] = cases_of(worker)
    assert case.planned_end_date == date(2020, 2, 21)


def test_a_later_exposure_extends_the_open_case(app, client, worker):
    declare(client, hubei_exposure_date="2020-02-10")
    declare(client, hubei_exposure_date="2020-02-15")
    [case] = cases_of(worker)
    assert case.start_date == date(2020, 2, 10)
    assert case.planned_end_date == date(2020, 2, 29)  # 2020 is a leap year
    assert "2月29日" in app.extensions["sms"].last_to(worker.phone)
    # An earlier exposure changes nothing.
    declare(client, hubei_exposure_date="2020-02-12")
    assert cases_of(worker)[0].planned_end_date == date(2020, 2, 29)


def test_every_declaration_during_a_case_is_kept_as_a_reading(client, worker):
    declare(client, hubei_exposure_date="2020-02-10")
    declare(client)
    mine = client.get("/api/v1/quarantine/mine").get_json()
    assert len(mine["checks"]) == 2


# ---------------------------------------------------------------- by hand


@pytest.fixture
def staff(app, village):
    return staff_of(village, name="李四")


def open_body(person, village, **overrides):
    body = {
        "user_id": person.id,
        "village_code": village,
        "start_date": "2020-02-18",
        "place": "hotel",
        "address": "武陵区某宾馆 301",
        "reason": "自武汉返乡，未申报",
    }
    body.update(overrides)
    return body


def test_staff_open_a_case_by_hand_and_the_card_turns_yellow(app, client, login, staff, village):
    person = make_user(region_code=village)
    login(staff)
    response = client.post("/api/v1/quarantine/cases", json=open_body(person, village))
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["origin"] == "manual" and case["place"] == "hotel"
    assert case["planned_end_date"] == "2020-03-03" and case["staff_id"] == staff.id
    assert "*" in case["person"]["name_masked"] and person.name not in str(case)
    assert case["history"][0]["action"] == "quarantine.open"
    assert case["history"][0]["reason"] == "自武汉返乡，未申报"
    status = db.session.get(HealthStatus, person.id)
    assert (status.status, status.quarantine_until) == ("yellow", date(2020, 3, 3))
    assert "3月3日" in app.extensions["sms"].last_to(person.phone)


def test_staff_may_name_the_person_by_phone(client, login, staff, village):
    person = make_user(region_code=village)
    login(staff)
    body = open_body(person, village, phone=person.phone)
    del body["user_id"]
    assert client.post("/api/v1/quarantine/cases", json=body).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"reason": ""}, 422, "validation_error"),
        ({"start_date": "2020-02-21"}, 422, "validation_error"),  # in the future
        ({"start_date": "2020-02-06"}, 422, "validation_error"),  # 14 days already over
        ({"place": "tent"}, 422, "validation_error"),
        ({"user_id": None}, 422, "validation_error"),
        ({"user_id": 999999}, 404, "person_not_found"),
        ({"village_code": "430702"}, 422, "validation_error"),  # a county, not a village
        ({"extra": 1}, 422, "validation_error"),
    ],
)
def test_bad_openings_change_nothing(client, login, staff, village, overrides, status, code):
    person = make_user(region_code=village)
    login(staff)
    response = client.post("/api/v1/quarantine/cases", json=open_body(person, village, **overrides))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert db.session.scalar(select(func.count(QuarantineCase.id))) == 0
    assert db.session.get(HealthStatus, person.id) is None


def test_a_second_open_case_is_refused(client, login, staff, village):
    person = make_user(region_code=village)
    login(staff)
    assert (
        client.post("/api/v1/quarantine/cases", json=open_body(person, village)).status_code == 201
    )
    again = client.post("/api/v1/quarantine/cases", json=open_body(person, village))
    assert again.status_code == 409 and again.get_json()["code"] == "case_already_open"


def test_two_staff_opening_the_same_case_at_once_get_one_case_and_a_409(
    client, login, staff, village, monkeypatch
):
    """The second request's check ran before the first committed: the partial unique index
    has the last word, and the loser gets a conflict, not a server error."""
    person = make_user(region_code=village)
    login(staff)
    assert (
        client.post("/api/v1/quarantine/cases", json=open_body(person, village)).status_code == 201
    )
    monkeypatch.setattr("app.quarantine.services.open_case_of", lambda user_id: None)
    racing = client.post("/api/v1/quarantine/cases", json=open_body(person, village))
    assert racing.status_code == 409, racing.get_json()
    assert racing.headers["Content-Type"] == "application/problem+json"
    assert racing.get_json()["code"] == "concurrent_change"
    db.session.expire_all()
    assert [case.state for case in cases_of(person)] == ["open"]


def test_staff_cannot_open_a_case_in_another_township(client, login, staff, village):
    person = make_user(region_code=village)
    login(staff)
    body = open_body(person, village, village_code=other_village(village))
    assert client.post("/api/v1/quarantine/cases", json=body).status_code == 403
    assert cases_of(person) == []


def test_a_worker_cannot_open_cases(client, worker, village):
    response = client.post("/api/v1/quarantine/cases", json=open_body(worker, village))
    assert response.status_code == 403


def test_staff_see_only_the_cases_of_their_villages(client, login, staff, village):
    mine = case_for(start=date(2020, 2, 10), village=village)
    theirs = case_for(start=date(2020, 2, 10), village=other_village(village))
    login(staff)
    listed = client.get("/api/v1/quarantine/cases").get_json()["items"]
    assert [c["id"] for c in listed] == [mine.id]
    assert client.get(f"/api/v1/quarantine/cases/{mine.id}").status_code == 200
    assert client.get(f"/api/v1/quarantine/cases/{theirs.id}").status_code == 404
    other_region = client.get(
        "/api/v1/quarantine/cases", query_string={"region": other_village(village)}
    )
    assert other_region.status_code == 403


def test_township_staff_look_after_every_village_of_the_township(client, login, village):
    case = case_for(start=date(2020, 2, 10), village=village)
    login(staff_of(township_of(village)))
    assert client.get(f"/api/v1/quarantine/cases/{case.id}").status_code == 200


def test_lists_mask_names_and_id_numbers(client, login, staff, village):
    person = make_user(name="欧阳娜娜", region_code=village)
    case_for(person, start=date(2020, 2, 10), village=village)
    login(staff)
    body = json.dumps(client.get("/api/v1/quarantine/cases").get_json(), ensure_ascii=False)
    assert "欧阳娜娜" not in body and "欧*娜" in body
    assert person.phone not in body
    assert person.id_masked in body  # already masked: '4307**********123X'


def test_staff_change_the_place_and_it_is_audited(client, login, staff, village):
    case = case_for(start=date(2020, 2, 10), village=village)
    login(staff)
    response = client.patch(
        f"/api/v1/quarantine/cases/{case.id}", json={"place": "facility", "address": "集中隔离点"}
    )
    assert response.status_code == 200
    detail = response.get_json()
    assert detail["place"] == "facility" and detail["address"] == "集中隔离点"
    assert detail["history"][-1]["action"] == "quarantine.update"
    assert "集中隔离点" not in str(detail["history"])  # addresses stay out of the trail


def test_responsible_staff_must_look_after_the_village(client, login, staff, village):
    case = case_for(start=date(2020, 2, 10), village=village)
    elsewhere = staff_of(other_village(village))
    login(staff)
    response = client.patch(f"/api/v1/quarantine/cases/{case.id}", json={"staff_id": elsewhere.id})
    assert response.status_code == 422
    assert db.session.get(QuarantineCase, case.id).staff_id is None

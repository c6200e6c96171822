"""Daily readings: by the worker or the staff; a fever or symptom turns the card red."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app.cards.models import HealthStatus
from app.extensions import db
from app.quarantine.models import QuarantineCase, QuarantineCheck
from tests.factories import make_user, township_of, village_in
from tests.quarantine.factories import case_for, other_village, staff_of

START = date(2020, 2, 10)
DAY_10 = datetime(2020, 2, 20, 1, 0, tzinfo=UTC)  # 09:00 in Changde


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(DAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def village(app):
    return village_in()


@pytest.fixture
def worker(app, village):
    return make_user(name="王小明", region_code=village)


@pytest.fixture
def case(worker, village):
    return case_for(worker, start=START, village=village)


def check(client, temperature="36.5", symptoms=("none",), path="/api/v1/quarantine/mine/checks"):
    return client.post(path, json={"temperature": temperature, "symptoms": list(symptoms)})


def test_the_worker_records_a_daily_check_and_sees_it(client, login, worker, case):
    login(worker)
    response = check(client, "36.6")
    assert response.status_code == 201
    assert response.get_json()["check_date"] == "2020-02-20"
    mine = client.get("/api/v1/quarantine/mine").get_json()
    assert mine["checked_today"] is True
    assert [c["temperature"] for c in mine["checks"]] == ["36.6"]
    assert db.session.get(HealthStatus, worker.id).status == "yellow"


def test_a_fever_on_day_10_turns_the_card_red_and_refers_the_case(
    app, client, login, worker, case, village
):
    village_staff = staff_of(village)
    township_staff = staff_of(township_of(village))
    elsewhere = staff_of(other_village(village))
    login(worker)
    assert check(client, "38.2").status_code == 201

    status = client.get("/api/v1/status").get_json()
    assert status["status"] == "red" and status["reasons"] == ["fever"]
    assert status["history"][0]["cause"] == "daily_check"
    assert client.get("/api/v1/cards/current").get_json()["status"] == "red"
    assert db.session.get(QuarantineCase, case.id).referred_dt is not None

    sms = app.extensions["sms"]
    alert = sms.last_to(village_staff.phone)
    assert "发热（38.2℃）" in alert and "王*明" in alert and "转诊" in alert
    assert sms.last_to(township_staff.phone) == alert
    assert sms.last_to(elsewhere.phone) is None
    assert worker.id_masked[-4:] not in alert and "王小明" not in alert

    # On day 14 the case is not due: a symptom was recorded during observation.
    login(village_staff)
    with time_machine.travel(datetime(2020, 2, 24, 2, tzinfo=UTC), tick=False):
        listed = client.get("/api/v1/quarantine/cases", query_string={"filter": "due"})
        assert listed.get_json()["items"] == []
        refused = client.post(f"/api/v1/quarantine/cases/{case.id}/release", json={})
    assert refused.status_code == 409
    assert refused.get_json()["errors"][0]["code"] == "case_referred"
    assert db.session.get(HealthStatus, worker.id).status == "red"


def test_a_symptom_without_fever_also_turns_the_card_red(client, login, worker, case):
    login(worker)
    check(client, "36.5", ["cough"])
    assert db.session.get(HealthStatus, worker.id).reasons == ["symptoms"]
    assert db.session.get(HealthStatus, worker.id).quarantine_until == date(2020, 2, 24)


def test_37_2_is_normal_and_37_3_is_a_fever(client, login, worker, case):
    login(worker)
    check(client, "37.2")
    assert db.session.get(HealthStatus, worker.id).status == "yellow"
    check(client, "37.3")
    assert db.session.get(HealthStatus, worker.id).status == "red"


def test_a_fever_in_a_declaration_during_the_case_refers_it_too(client, login, worker, case):
    from tests.factories import declaration

    login(worker)
    body = declaration(temperature="38.0", current_village_code=case.village_code)
    assert client.post("/api/v1/declarations", json=body).status_code == 201
    db.session.refresh(case)
    assert case.referral_reasons == ["fever"]


def test_staff_record_a_check_for_the_person(client, login, case, village):
    staff = staff_of(village)
    login(staff)
    path = f"/api/v1/quarantine/cases/{case.id}/checks"
    response = check(client, "36.8", path=path)
    assert response.status_code == 201 and response.get_json()["source"] == "staff"
    detail = client.get(f"/api/v1/quarantine/cases/{case.id}").get_json()
    assert detail["checked_today"] is True
    assert [h["action"] for h in detail["history"]][-1] == "quarantine.check"


def test_staff_elsewhere_cannot_record_checks(client, login, case, village):
    login(staff_of(other_village(village)))
    response = check(client, path=f"/api/v1/quarantine/cases/{case.id}/checks")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(QuarantineCheck.id))) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"temperature": "50.0", "symptoms": ["none"]},
        {"temperature": "36.55", "symptoms": ["none"]},
        {"temperature": "36.5", "symptoms": []},
        {"temperature": "36.5", "symptoms": ["none", "cough"]},
        {"temperature": "36.5", "symptoms": ["sneezing"]},
        {"temperature": "hot", "symptoms": ["none"]},
        {"symptoms": ["none"]},
    ],
)
def test_bad_readings_are_refused_and_change_nothing(client, login, worker, case, body):
    login(worker)
    response = client.post("/api/v1/quarantine/mine/checks", json=body)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(QuarantineCheck.id))) == 0
    assert db.session.get(HealthStatus, worker.id).status == "yellow"


def test_a_worker_without_a_case_cannot_check_in(client, login, worker):
    login(worker)
    assert check(client).status_code == 404
    assert client.get("/api/v1/quarantine/mine").status_code == 404


def test_missing_checks_are_listed_for_the_staff_each_day(client, login, village, clock):
    checked = case_for(start=START, village=village)
    unchecked = case_for(start=START, village=village)
    staff = staff_of(village)
    login(staff)
    check(client, path=f"/api/v1/quarantine/cases/{checked.id}/checks")
    missing = client.get("/api/v1/quarantine/cases", query_string={"filter": "missing"})
    assert [c["id"] for c in missing.get_json()["items"]] == [unchecked.id]

    # 23:59 in Changde is still the same day; 00:01 is the next one, and both are missing.
    clock.move_to(datetime(2020, 2, 20, 15, 59, tzinfo=UTC))
    missing = client.get("/api/v1/quarantine/cases", query_string={"filter": "missing"})
    assert [c["id"] for c in missing.get_json()["items"]] == [unchecked.id]
    clock.move_to(datetime(2020, 2, 20, 16, 1, tzinfo=UTC))
    missing = client.get("/api/v1/quarantine/cases", query_string={"filter": "missing"})
    assert [c["id"] for c in missing.get_json()["items"]] == [checked.id, unchecked.id]


def test_a_check_late_in_the_evening_counts_for_that_local_day(client, login, worker, case, clock):
    clock.move_to(datetime(2020, 2, 20, 15, 30, tzinfo=UTC))  # 23:30 in Changde
    login(worker)
    assert check(client).get_json()["check_date"] == "2020-02-20"
    clock.move_to(datetime(2020, 2, 20, 16, 30, tzinfo=UTC))  # 00:30 on the 21st
    assert check(client).get_json()["check_date"] == "2020-02-21"


def test_no_checks_on_a_closed_case(client, login, worker, case, village):
    login(staff_of(village), on=client)
    client.post(f"/api/v1/quarantine/cases/{case.id}/transfer", json={"reason": "转医院"})
    response = check(client, path=f"/api/v1/quarantine/cases/{case.id}/checks")
    assert response.status_code == 409 and response.get_json()["code"] == "case_closed"

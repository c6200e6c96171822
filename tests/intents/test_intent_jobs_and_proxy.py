"""Jobs recommended before leaving, a hired application as the arranged job, and village staff
filling in the form for workers without a smartphone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.demo import random_id_number
from app.extensions import db
from tests.factories import make_user, township_of, village_in
from tests.intents.factories import (
    add_intent,
    application_to,
    intent_body,
    job_at,
    staff_of,
    worker_in,
)


def test_a_worker_without_a_job_is_shown_jobs_at_the_destination(client, login, app):
    shenzhen = job_at("440300", title="手机装配工")
    job_at("330100", trade="construction", title="杭州建筑工")
    worker = worker_in()
    login(worker)
    response = client.get(
        "/api/v1/intents/recommendations",
        query_string={
            "trade": "electronics",
            "destination_code": "440300",
            "wage_expectation": 5000,
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["advice"] == "settle_job_first"
    first = body["items"][0]
    assert first["job"]["id"] == shenzhen.id and first["job"]["title"] == "手机装配工"
    assert first["job"]["employer_name"] == "深圳某电子有限公司"
    assert {r["code"] for r in first["reasons"]} >= {"same_trade", "destination_match"}
    assert "同工种" in {r["text"] for r in first["reasons"]}


def test_a_hired_application_is_the_arranged_job(client, login, app):
    worker = worker_in()
    posting = job_at("440300")
    applied = application_to(posting, worker, status="submitted")
    hired = application_to(job_at("441900", employer="东莞某厂"), worker)
    login(worker)
    options = client.get("/api/v1/intents/options").get_json()
    assert [a["id"] for a in options["hired_applications"]] == [hired.id]

    refused = client.put("/api/v1/intents/mine", json=intent_body(application_id=applied.id))
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["code"] == "application_not_hired"
    saved = client.put(
        "/api/v1/intents/mine", json=intent_body(destination_code="441900", application_id=hired.id)
    )
    assert saved.status_code == 200, saved.get_json()
    intent = saved.get_json()["intent"]
    assert intent["job_arranged"] is True and intent["employer_name"] == "东莞某厂"
    assert saved.get_json()["advice"] is None

    someone_else = worker_in()
    login(someone_else, on=client)
    stolen = client.put("/api/v1/intents/mine", json=intent_body(application_id=hired.id))
    assert stolen.status_code == 422


def hire(application, employer_staff):
    from app.jobs.services import change_status

    change_status(application.posting, [application], "hired", actor=employer_staff)
    db.session.commit()


def test_when_an_employer_hires_the_worker_the_intent_names_the_job(app):
    from app.intents import ledger
    from app.intents.models import IntentChange
    from app.intents.services import active_intent

    worker = worker_in()
    add_intent(worker, destination_code="441900")
    application = application_to(job_at("441900", employer="东莞某厂"), worker, "contacted")
    employer_staff = make_user(roles=("employer",))
    before = ledger.counters(db.session)
    hire(application, employer_staff)

    intent = active_intent(worker.id)
    assert intent.job_arranged is True
    assert (intent.application_id, intent.employer_name) == (application.id, "东莞某厂")
    change = db.session.scalars(
        select(IntentChange).where(IntentChange.intent_id == intent.id).order_by(IntentChange.id)
    ).all()[-1]
    assert (change.action, change.actor_id) == ("job_hired", employer_staff.id)
    assert change.snapshot["job_arranged"] is True
    # The ledger's 已定岗 count moved with it, exactly as a recount says.
    assert ledger.counters(db.session) != before
    assert ledger.differences(db.session) == []


def test_a_hire_leaves_an_intent_that_already_names_a_job_and_creates_none(app):
    from app.intents.services import active_intent

    settled = worker_in()
    add_intent(settled, job_arranged=True, employer_name="长沙某厂")
    undecided = worker_in()  # no intent at all: registering one stays the worker's choice
    employer_staff = make_user(roles=("employer",))
    posting = job_at("441900", employer="东莞某厂")
    hire(application_to(posting, settled, "submitted"), employer_staff)
    hire(application_to(posting, undecided, "submitted"), employer_staff)

    intent = active_intent(settled.id)
    assert (intent.employer_name, intent.application_id) == ("长沙某厂", None)
    assert active_intent(undecided.id) is None


@pytest.fixture
def village_staff(app, login):
    staff = staff_of(township_of(village_in()))
    login(staff)
    return staff


def test_staff_register_a_worker_without_a_smartphone_by_proxy(client, village_staff):
    import random

    id_number = random_id_number(random.Random(3), "430702")
    body = {
        "name": "王大爷",
        "id_number": id_number,
        "origin_village_code": village_in(),
        "consent": True,
        "intent": intent_body(),
    }
    response = client.post("/api/v1/intents/proxy", json=body)
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["created"] is True and saved["name_masked"] == "王*爷"
    assert saved["intent"]["by_proxy"] is True
    person = db.session.get(User, saved["user_id"])
    assert person.region_code == village_in() and person.has_role("worker")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "intent.proxy_saved"))
    assert event.one().actor_id == village_staff.id

    found = client.get("/api/v1/intents/workers", query_string={"id_number": id_number})
    assert found.get_json()["intent"]["id"] == saved["intent"]["id"]
    again = client.post(
        "/api/v1/intents/proxy", json={**body, "intent": intent_body(trade="logistics")}
    )
    assert again.get_json()["created"] is False
    assert again.get_json()["intent"]["trade"] == "logistics"


def test_proxy_needs_consent_and_a_village_of_the_staff(client, village_staff):
    worker = worker_in()
    no_consent = client.post(
        "/api/v1/intents/proxy",
        json={"user_id": worker.id, "consent": False, "intent": intent_body()},
    )
    assert no_consent.status_code == 422
    assert no_consent.get_json()["errors"][0]["code"] == "consent_required"

    elsewhere = village_in("430703")
    outside = client.post(
        "/api/v1/intents/proxy",
        json={
            "user_id": worker.id,
            "origin_village_code": elsewhere,
            "consent": True,
            "intent": intent_body(),
        },
    )
    assert outside.status_code == 403
    assert client.get("/api/v1/intents/mine").status_code == 403  # staff have no form of their own


def test_staff_only_find_their_own_people_by_phone(client, village_staff):
    mine = worker_in()
    theirs = worker_in(village_in("430703"))
    assert (
        client.get("/api/v1/intents/workers", query_string={"phone": mine.phone}).status_code == 200
    )
    assert (
        client.get("/api/v1/intents/workers", query_string={"phone": theirs.phone}).status_code
        == 404
    )
    refused = client.post(
        "/api/v1/intents/proxy",
        json={"user_id": theirs.id, "consent": True, "intent": intent_body()},
    )
    assert refused.status_code == 404
    assert client.get("/api/v1/intents/workers", query_string={"phone": "123"}).status_code == 422


def test_workers_cannot_act_for_others(client, login, app):
    login(make_user())
    body = {"user_id": 1, "consent": True, "intent": intent_body()}
    assert client.post("/api/v1/intents/proxy", json=body).status_code == 403


def test_someone_of_another_region_found_by_id_number_shows_only_masked(client, village_staff):
    import random

    id_number = random_id_number(random.Random(9), "430703")
    elsewhere = worker_in(village_in("430703"), id_number=id_number, name="周大福")
    found = client.get("/api/v1/intents/workers", query_string={"id_number": id_number})
    assert found.status_code == 200
    body = found.get_json()
    assert body["user_id"] == elsewhere.id and body["name_masked"] == "周*福"
    assert body["village"] is None and body["intent"] is None

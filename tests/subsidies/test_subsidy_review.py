"""Employers apply; officials of their county approve an amount within the rate and the cap,
or refuse with a reason; duplicate claims are shown to the reviewer."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.subsidies.models import SubsidyApplication, TestBatch
from tests.employers.factories import make_employer, owner_of
from tests.subsidies.factories import (
    CAP,
    DINGCHENG,
    RATE,
    fund,
    make_application,
    make_batch,
    make_policy,
    official,
    png_bytes,
    roster_workers,
)


@pytest.fixture
def employer(app):
    make_policy()
    fund()
    return make_employer()


@pytest.fixture
def staff(employer, client_of):
    return client_of(owner_of(employer))


@pytest.fixture
def reviewer(app, client_of):
    return client_of(official("430702"))


def test_an_application_asks_for_rate_times_people_at_most_the_cost(employer, staff):
    a = make_batch(employer, people=10, cost_fen=100000)  # 80 yuan x 10 = 800 yuan
    b = make_batch(employer, people=5, cost_fen=20000)  # cost 200 yuan
    response = staff.post("/api/v1/subsidies/applications", json={"batch_ids": [a.id, b.id]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted"
    assert body["people_count"] == 15
    assert body["cost_fen"] == 120000
    assert body["requested_fen"] == min(15 * RATE, 120000)
    assert body["county"]["code"] == "430702"


def test_every_batch_needs_its_invoice(employer, staff):
    batch_id = staff.post(
        "/api/v1/subsidies/batches",
        json={
            "tested_on": "2020-02-18",
            "institution": "某检测机构",
            "counted_only": 3,
            "cost_fen": 1,
        },
    ).get_json()["id"]
    response = staff.post("/api/v1/subsidies/applications", json={"batch_ids": [batch_id]})
    assert response.status_code == 422
    assert response.get_json()["code"] == "batch_without_invoice"


def test_a_batch_is_claimed_once(employer, staff):
    batch = make_batch(employer)
    assert (
        staff.post("/api/v1/subsidies/applications", json={"batch_ids": [batch.id]}).status_code
        == 201
    )
    again = staff.post("/api/v1/subsidies/applications", json={"batch_ids": [batch.id]})
    assert again.status_code == 409
    assert again.get_json()["code"] == "batch_claimed"


def test_another_employers_batch_cannot_be_claimed(employer, client_of):
    batch = make_batch(employer)
    other = make_employer(name="常德另一家公司")
    response = client_of(owner_of(other)).post(
        "/api/v1/subsidies/applications", json={"batch_ids": [batch.id]}
    )
    assert response.status_code == 404


def test_no_terms_for_the_test_date_no_application(employer, staff):
    batch = make_batch(employer, tested_on=date(2020, 1, 20))  # before the period
    response = staff.post("/api/v1/subsidies/applications", json={"batch_ids": [batch.id]})
    assert response.status_code == 409
    assert response.get_json()["code"] == "subsidy_no_policy"


def test_the_county_approves_and_the_employer_sees_the_amount(app, employer, staff, reviewer):
    application = make_application(employer, [make_batch(employer, people=10, cost_fen=100000)])
    detail = reviewer.get(f"/api/v1/subsidies/applications/{application.id}").get_json()
    assert detail["limits"]["max_fen"] == 80000
    assert detail["limits"]["suggested_fen"] == 80000
    assert detail["duplicates"] == []
    response = reviewer.post(
        f"/api/v1/subsidies/applications/{application.id}/approve", json={"amount_fen": 75000}
    )
    assert response.status_code == 200, response.get_json()
    mine = staff.get("/api/v1/subsidies/applications/mine").get_json()["items"][0]
    assert (mine["status"], mine["approved_fen"]) == ("approved", 75000)
    # The employer's view of its own application has no reviewer-only figures.
    own = staff.get(f"/api/v1/subsidies/applications/{application.id}").get_json()
    assert own["limits"] is None and own["duplicates"] == []
    texted = app.extensions["sms"].last_to(employer.contact_phone)
    assert "750.00 元" in texted


@pytest.mark.parametrize("amount", [80001, 10**9])
def test_more_than_rate_times_people_is_refused(employer, reviewer, amount):
    application = make_application(employer, [make_batch(employer, people=10, cost_fen=100000)])
    response = reviewer.post(
        f"/api/v1/subsidies/applications/{application.id}/approve", json={"amount_fen": amount}
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "subsidy_over_limit"
    assert response.get_json()["max_fen"] == 80000
    assert db.session.get(SubsidyApplication, application.id).status == "submitted"


@pytest.mark.parametrize("amount", [750.0, 750.5, "75000", True, 0, -5])
def test_amounts_are_whole_positive_fen(employer, reviewer, amount):
    application = make_application(employer, [make_batch(employer)])
    response = reviewer.post(
        f"/api/v1/subsidies/applications/{application.id}/approve", json={"amount_fen": amount}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "amount_fen"


def test_the_cap_per_employer_and_period_holds_across_applications(employer, reviewer):
    # 5,000 yuan cap; each batch of 40 people may get 3,200 yuan.
    first = make_application(employer, [make_batch(employer, people=40, cost_fen=400000)])
    second = make_application(employer, [make_batch(employer, people=40, cost_fen=400000)])
    ok = reviewer.post(
        f"/api/v1/subsidies/applications/{first.id}/approve", json={"amount_fen": 320000}
    )
    assert ok.status_code == 200
    limits = reviewer.get(f"/api/v1/subsidies/applications/{second.id}").get_json()["limits"]
    assert limits["cap_left_fen"] == CAP - 320000 == limits["max_fen"]
    over = reviewer.post(
        f"/api/v1/subsidies/applications/{second.id}/approve",
        json={"amount_fen": CAP - 320000 + 1},
    )
    assert over.status_code == 409
    assert over.get_json()["code"] == "subsidy_over_limit"
    exact = reviewer.post(
        f"/api/v1/subsidies/applications/{second.id}/approve", json={"amount_fen": CAP - 320000}
    )
    assert exact.status_code == 200


def test_the_cap_starts_again_in_the_next_period(employer, reviewer, clock, client_of):
    make_policy(starts_on=date(2020, 4, 1), ends_on=date(2020, 6, 30), cap_fen=100000)
    first = make_application(employer, [make_batch(employer, people=100, cost_fen=10**7)])
    url = "/api/v1/subsidies/applications/{}/approve"
    assert reviewer.post(url.format(first.id), json={"amount_fen": CAP}).status_code == 200
    clock.move_to("2020-04-10T02:00:00Z")
    later = make_batch(employer, people=100, cost_fen=10**7, tested_on=date(2020, 4, 5))
    second = make_application(employer, [later])
    reviewer = client_of(official("430702"))  # a fresh login, seven weeks on
    limits = reviewer.get(f"/api/v1/subsidies/applications/{second.id}").get_json()["limits"]
    assert (limits["cap_fen"], limits["cap_left_fen"], limits["max_fen"]) == (100000,) * 3
    assert reviewer.post(url.format(second.id), json={"amount_fen": 100000}).status_code == 200


def test_refusal_needs_a_reason_and_frees_the_batches(employer, staff, reviewer):
    batch = make_batch(employer)
    application = make_application(employer, [batch])
    url = f"/api/v1/subsidies/applications/{application.id}/refuse"
    assert reviewer.post(url, json={"reason": ""}).status_code == 422
    response = reviewer.post(url, json={"reason": "发票抬头与企业名称不符"})
    assert response.status_code == 200
    mine = staff.get(f"/api/v1/subsidies/applications/{application.id}").get_json()
    assert (mine["status"], mine["refusal_reason"]) == ("refused", "发票抬头与企业名称不符")
    assert db.session.get(TestBatch, batch.id).application_id is None
    # Corrected invoice, new application.
    assert (
        staff.put(
            f"/api/v1/subsidies/batches/{batch.id}/invoice",
            data=png_bytes("blue"),
            content_type="image/png",
        ).status_code
        == 200
    )
    assert (
        staff.post("/api/v1/subsidies/applications", json={"batch_ids": [batch.id]}).status_code
        == 201
    )
    # A decided application stays decided.
    assert reviewer.post(url, json={"reason": "再次"}).status_code == 409


def test_only_officials_of_the_county_review(employer, client_of):
    application = make_application(employer, [make_batch(employer)])
    url = f"/api/v1/subsidies/applications/{application.id}/approve"
    for outsider in (official(DINGCHENG), owner_of(employer)):
        response = client_of(outsider).post(url, json={"amount_fen": 100})
        assert response.status_code in (403, 404)
    assert (
        client_of(official(DINGCHENG))
        .get(f"/api/v1/subsidies/applications/{application.id}")
        .status_code
        == 404
    )
    listed = client_of(official(DINGCHENG)).get("/api/v1/subsidies/applications").get_json()
    assert listed["items"] == []
    city = client_of(official("430700")).get("/api/v1/subsidies/applications").get_json()
    assert [a["id"] for a in city["items"]] == [application.id]
    assert db.session.get(SubsidyApplication, application.id).status == "submitted"


def test_duplicate_claims_are_shown_to_the_reviewer(employer, reviewer):
    workers = roster_workers(employer, 3)
    first = make_application(employer, [make_batch(employer, people=5, workers=workers)])
    # The same three people on the same day again, with the same invoice file as well.
    invoice = png_bytes("red")
    a = make_batch(employer, people=4, workers=workers, invoice=invoice, institution="另一机构")
    b = make_batch(employer, people=2, invoice=invoice, tested_on=date(2020, 2, 19))
    second = make_application(employer, [a, b])
    detail = reviewer.get(f"/api/v1/subsidies/applications/{second.id}").get_json()
    people = [d for d in detail["duplicates"] if d["kind"] == "person"]
    assert len(people) == 3
    assert {d["other_application_id"] for d in people} == {first.id}
    assert all("*" in d["person"] for d in people)  # masked names only
    invoices = [d for d in detail["duplicates"] if d["kind"] == "invoice"]
    assert [(d["batch_id"], d["other_batch_id"]) for d in invoices] == [(b.id, a.id)]
    assert detail["limits"]["duplicate_people"] == 3
    assert detail["limits"]["suggested_fen"] == 0  # an invoice used twice: look first


def test_the_same_batch_recorded_twice_is_shown(employer, reviewer):
    first = make_application(employer, [make_batch(employer, people=8)])
    second = make_application(employer, [make_batch(employer, people=8)])
    detail = reviewer.get(f"/api/v1/subsidies/applications/{second.id}").get_json()
    assert [(d["kind"], d["other_application_id"]) for d in detail["duplicates"]] == [
        ("batch", first.id)
    ]
    assert detail["limits"]["suggested_fen"] == 0
    assert detail["limits"]["max_fen"] == 8 * RATE  # the reviewer may still decide


def test_people_claimed_by_another_employer_reduce_the_suggestion(employer, reviewer):
    worker = roster_workers(employer, 1)[0]
    other = make_employer(name="常德另一家公司")
    from app.employers.services import admit_worker

    admit_worker(other, worker, on=date(2020, 2, 1), source="manual")
    db.session.commit()
    make_application(other, [make_batch(other, people=1, workers=[worker])])
    mine = make_application(employer, [make_batch(employer, people=3, workers=[worker])])
    limits = reviewer.get(f"/api/v1/subsidies/applications/{mine.id}").get_json()["limits"]
    assert limits["duplicate_people"] == 1
    assert limits["suggested_fen"] == 2 * RATE


def test_township_and_village_officials_review_no_subsidies(employer, client_of):
    from tests.factories import township_of, village_in

    application = make_application(employer, [make_batch(employer)])
    village = village_in("430702")
    for region in (village, township_of(village)):
        local = client_of(official(region))
        assert local.get("/api/v1/subsidies/applications").status_code == 403
        assert local.get("/api/v1/subsidies/budgets").status_code == 403
        assert local.get("/api/v1/subsidies/export.csv").status_code == 403
        assert local.get(f"/api/v1/subsidies/applications/{application.id}").status_code == 404

"""Complaint → case → resolution, as a worker and as officials of two regions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from app.extensions import db
from app.supervision.models import SupervisionCase
from tests.checkpoints.factories import decision_item, make_volunteer, scan_item
from tests.factories import make_user, village_in
from tests.supervision.factories import T0, complain, officials_of, wuling_gate


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def gate(app):
    return wuling_gate()


@pytest.fixture
def people(app, login, gate):
    """Two workers, the township and county officials of the gate's village, and an official
    of another county, each on their own phone."""
    officials = officials_of(gate.village_code)
    workers = {
        "zhang": make_user(roles=("worker",), name="张伟", phone="13800000101"),
        "li": make_user(roles=("worker",), name="李秀英", phone="13800000102", locale="en"),
    }
    return {
        name: login(user, on=app.test_client()) for name, user in {**workers, **officials}.items()
    } | {"users": {**workers, **officials}}


def test_a_worker_files_a_complaint_about_a_gate(people, gate):
    response = complain(people["zhang"], gate.id)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["place"]["checkpoint_name"] == "新民村东口卡点"
    assert body["place"]["village"]["code"] == gate.village_code
    assert body["day"] == "2020-02-20"
    assert body["state"] == "received"
    assert body["duplicate"] is False
    assert body["kind_text"] == "不让进村"
    mine = people["zhang"].get("/api/v1/supervision/complaints/mine").get_json()
    assert [c["id"] for c in mine["items"]] == [body["id"]]


def test_the_same_gate_and_day_joins_one_case_and_nothing_is_lost(people, gate):
    first = complain(people["zhang"], gate.id).get_json()
    second = complain(people["li"], gate.id, kind="refused_exit").get_json()
    assert second["case_id"] == first["case_id"]
    assert second["duplicate"] is True
    case = people["county"].get(f"/api/v1/supervision/cases/{first['case_id']}").get_json()
    assert case["complaints"] == 2
    assert [c["id"] for c in case["complaint_items"]] == [first["id"], second["id"]]
    assert [c["kind"] for c in case["complaint_items"]] == ["refused_entry", "refused_exit"]
    # Names and phones reach the official masked only.
    assert case["complaint_items"][0]["worker"]["name_masked"] == "张*"
    assert case["complaint_items"][0]["worker"]["phone_masked"] == "138****0101"


def test_another_day_or_another_gate_is_another_case(people, gate, clock):
    first = complain(people["zhang"], gate.id).get_json()
    other_gate = wuling_gate("新民村西口卡点")
    elsewhere = complain(people["zhang"], other_gate.id).get_json()
    clock.shift(timedelta(days=1))
    next_day = complain(people["zhang"], gate.id).get_json()
    assert len({first["case_id"], elsewhere["case_id"], next_day["case_id"]}) == 3
    # A block the worker reports the next morning belongs to the day it happened.
    late = complain(people["li"], gate.id, occurred_at=(T0).isoformat()).get_json()
    assert late["case_id"] == first["case_id"]


def test_a_village_without_a_listed_gate_can_be_named_instead(people):
    village = village_in("430702")
    body = complain(people["zhang"], village_code=village).get_json()
    assert body["place"]["checkpoint_id"] is None
    assert body["place"]["village"]["code"] == village
    again = complain(people["li"], village_code=village).get_json()
    assert again["case_id"] == body["case_id"]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({}, "checkpoint_id", "place_required"),
        ({"village_code": "430702"}, "village_code", "not_a_village"),
        ({"checkpoint_id": 999999}, "checkpoint_id", "checkpoint_not_found"),
        (
            {"occurred_at": (T0 + timedelta(hours=2)).isoformat()},
            "occurred_at",
            "occurred_in_future",
        ),
        (
            {"occurred_at": (T0 - timedelta(days=31)).isoformat()},
            "occurred_at",
            "occurred_too_long_ago",
        ),
    ],
)
def test_a_complaint_naming_no_known_place_or_time_is_refused(people, gate, overrides, field, code):
    if "occurred_at" in overrides:
        overrides = {"checkpoint_id": gate.id, **overrides}
    response = complain(people["zhang"], **overrides)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in response.get_json()["errors"]] == [(field, code)]
    assert db.session.query(SupervisionCase).count() == 0


def test_officials_of_the_township_and_county_see_the_case_another_county_sees_nothing(
    people, gate
):
    complaint = complain(people["zhang"], gate.id).get_json()
    case_id = complaint["case_id"]
    for who in ("township", "county"):
        listed = people[who].get("/api/v1/supervision/cases").get_json()
        assert [c["id"] for c in listed["items"]] == [case_id], who
        assert people[who].get(f"/api/v1/supervision/cases/{case_id}").status_code == 200
        assert (
            people[who].get(f"/api/v1/supervision/complaints/{complaint['id']}").status_code == 200
        )
    other = people["other"]
    assert other.get("/api/v1/supervision/cases").get_json()["items"] == []
    assert other.get("/api/v1/supervision/cases?state=open").get_json()["items"] == []
    for path in (
        f"/api/v1/supervision/cases/{case_id}",
        f"/api/v1/supervision/complaints/{complaint['id']}",
    ):
        response = other.get(path)
        assert response.status_code == 404
    for action, body in (
        ("assign", {}),
        ("notes", {"note": "已联系"}),
        ("close", {"resolution": "已处理"}),
    ):
        response = other.post(f"/api/v1/supervision/cases/{case_id}/{action}", json=body)
        assert response.status_code == 404, action
    # Nor may it ask for the other county's region by name.
    assert other.get("/api/v1/supervision/cases?region=430702").status_code == 403
    # The case is untouched.
    case = people["county"].get(f"/api/v1/supervision/cases/{case_id}").get_json()
    assert case["state"] == "open" and case["assignee"] is None and case["notes"] == []


def test_workers_see_only_their_own_complaints_and_no_cases(people, gate):
    mine = complain(people["zhang"], gate.id).get_json()
    assert people["li"].get(f"/api/v1/supervision/complaints/{mine['id']}").status_code == 404
    assert people["li"].get("/api/v1/supervision/complaints/mine").get_json()["items"] == []
    assert people["zhang"].get("/api/v1/supervision/cases").status_code == 403
    assert people["zhang"].get(f"/api/v1/supervision/cases/{mine['case_id']}").status_code == 403


def test_complaint_to_resolution_the_workers_follow_it_and_are_texted(app, people, gate):
    first = complain(people["zhang"], gate.id).get_json()
    complain(people["li"], gate.id)
    case_id = first["case_id"]
    township = people["township"]

    assigned = township.post(f"/api/v1/supervision/cases/{case_id}/assign", json={})
    assert assigned.status_code == 200
    assert assigned.get_json()["assignee"]["id"] == people["users"]["township"].id
    state = people["zhang"].get(f"/api/v1/supervision/complaints/{first['id']}").get_json()
    assert state["state"] == "handling"

    noted = township.post(
        f"/api/v1/supervision/cases/{case_id}/notes",
        json={"kind": "contact", "contacted": "新民村村委会", "note": "电话告知须对绿码放行"},
    )
    assert noted.status_code == 201
    assert noted.get_json()["notes"][0]["contacted"] == "新民村村委会"

    app.extensions["sms"].sent.clear()
    closed = township.post(
        f"/api/v1/supervision/cases/{case_id}/close",
        json={"outcome": "resolved", "resolution": "已责令卡点改正，绿码放行"},
    )
    assert closed.status_code == 200
    assert closed.get_json()["state"] == "closed"

    seen = people["zhang"].get(f"/api/v1/supervision/complaints/{first['id']}").get_json()
    assert seen["state"] == "closed"
    assert seen["outcome"] == "resolved"
    assert seen["resolution"] == "已责令卡点改正，绿码放行"
    texts = dict(app.extensions["sms"].sent)
    assert set(texts) == {"13800000101", "13800000102"}
    assert "新民村东口卡点" in texts["13800000101"]
    assert "已责令卡点改正" in texts["13800000101"]
    assert texts["13800000102"].startswith("[Fangang]")  # in the worker's own language

    # A closed case takes no more changes, and nobody is texted twice.
    again = township.post(f"/api/v1/supervision/cases/{case_id}/close", json={"resolution": "再次"})
    assert again.status_code == 409
    assert again.get_json()["code"] == "case_closed"
    assert len(app.extensions["sms"].sent) == 2
    # A new complaint about the same gate and day opens a new case, since this one is done.
    fresh = complain(people["zhang"], gate.id).get_json()
    assert fresh["case_id"] != case_id and fresh["duplicate"] is False


def test_a_refused_close_texts_nobody(app, people, gate):
    case_id = complain(people["zhang"], gate.id).get_json()["case_id"]
    app.extensions["sms"].sent.clear()
    response = people["other"].post(
        f"/api/v1/supervision/cases/{case_id}/close", json={"resolution": "已处理"}
    )
    assert response.status_code == 404
    assert app.extensions["sms"].sent == []


def test_a_case_is_assigned_only_to_an_official_of_its_village(people, gate):
    case_id = complain(people["zhang"], gate.id).get_json()["case_id"]
    county = people["county"]
    to_township = county.post(
        f"/api/v1/supervision/cases/{case_id}/assign",
        json={"assignee_id": people["users"]["township"].id},
    )
    assert to_township.status_code == 200
    for who in ("other", "zhang"):
        refused = county.post(
            f"/api/v1/supervision/cases/{case_id}/assign",
            json={"assignee_id": people["users"][who].id},
        )
        assert refused.status_code == 422, who
        assert refused.get_json()["errors"][0]["code"] == "assignee_not_allowed"
    mine = people["township"].get("/api/v1/supervision/cases?mine=true").get_json()
    assert [c["id"] for c in mine["items"]] == [case_id]


def test_a_refused_valid_card_opens_a_case_that_a_complaint_then_joins(app, login, people, gate):
    phone = login(make_volunteer(gate), on=app.test_client())
    scan = scan_item(gate.id)
    admitted = scan_item(gate.id)
    response = phone.post(
        "/api/v1/checkpoints/sync",
        json={
            "items": [
                scan,
                decision_item(scan["uuid"], "refuse", reason="identity_mismatch"),
                admitted,
                decision_item(admitted["uuid"], "admit"),
            ]
        },
    )
    assert response.status_code == 200
    listed = people["township"].get("/api/v1/supervision/cases?source=refusal").get_json()
    assert len(listed["items"]) == 1
    case = listed["items"][0]
    assert (case["refusals"], case["complaints"], case["day"]) == (1, 0, "2020-02-20")
    detail = people["township"].get(f"/api/v1/supervision/cases/{case['id']}").get_json()
    assert detail["refusal_items"][0]["reason"] == "identity_mismatch"
    assert detail["refusal_items"][0]["status"] == "green"

    joined = complain(people["zhang"], gate.id).get_json()
    assert joined["case_id"] == case["id"] and joined["duplicate"] is True
    # The same batch sent again adds nothing.
    phone.post("/api/v1/checkpoints/sync", json={"items": [scan]})
    detail = people["township"].get(f"/api/v1/supervision/cases/{case['id']}").get_json()
    assert (detail["refusals"], detail["complaints"]) == (1, 1)


def test_a_refusal_of_a_red_card_is_no_case(app, login, people, gate):
    phone = login(make_volunteer(gate), on=app.test_client())
    from tests.checkpoints.factories import verdict

    scan = scan_item(gate.id, verdict=verdict(status="red"))
    phone.post(
        "/api/v1/checkpoints/sync",
        json={"items": [scan, decision_item(scan["uuid"], "refuse", reason="not_green")]},
    )
    assert people["county"].get("/api/v1/supervision/cases").get_json()["items"] == []


def test_complaints_are_rate_limited_per_worker(app, people, gate):
    app.config.update(RATELIMIT_ENABLED=True, SUPERVISION_COMPLAINT_RATE="2 per hour")
    assert complain(people["zhang"], gate.id).status_code == 201
    assert complain(people["zhang"], gate.id).status_code == 201
    limited = complain(people["zhang"], gate.id)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"]
    assert complain(people["li"], gate.id).status_code == 201  # another worker is not held up

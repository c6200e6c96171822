"""A worker registers where they mean to work, changes it, withdraws it; history is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.intents.models import EmploymentIntent, IntentChange
from tests.factories import make_user
from tests.intents.factories import intent_body, worker_in


@pytest.fixture
def worker(app, login):
    user = worker_in()
    login(user)
    return user


def put(client, **overrides):
    return client.put("/api/v1/intents/mine", json=intent_body(**overrides))


def field_codes(response) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.get_json().get("errors", [])}


def intent_count() -> int:
    return db.session.scalar(select(func.count(EmploymentIntent.id)))


def test_outbound_intent_without_a_job_is_told_to_settle_a_job_first(client, worker):
    response = put(client)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["created"] is True
    assert body["advice"] == "settle_job_first"
    intent = body["intent"]
    assert intent["destination"]["name_zh"] == "深圳市" and intent["destination"]["known"]
    assert intent["origin"]["code"] == worker.region_code
    assert intent["trade_name"] == "电子装配"
    assert intent["departure_date"] == "2020-02-24"

    mine = client.get("/api/v1/intents/mine").get_json()
    assert mine["intent"]["id"] == intent["id"]
    assert mine["advice"] == "settle_job_first"
    assert mine["certificate"] is None


def test_a_job_arranged_needs_an_employer_and_ends_the_advice(client, worker):
    missing = put(client, job_arranged=True)
    assert missing.status_code == 422
    assert field_codes(missing) == {"employer_name": "employer_required"}

    response = put(
        client, job_arranged=True, employer_name="深圳富士康", job_start_date="2020-03-01"
    )
    assert response.status_code == 200
    assert response.get_json()["advice"] is None
    assert response.get_json()["intent"]["employer_name"] == "深圳富士康"


@pytest.mark.parametrize(
    ("code", "name"),
    [("440305", "广东省 440305"), ("510100", "四川省 510100"), ("310000", "上海市")],
)
def test_any_valid_gbt2260_code_is_a_destination(client, worker, code, name):
    response = put(client, destination_code=code)
    assert response.status_code == 200, response.get_json()
    destination = response.get_json()["intent"]["destination"]
    assert destination["code"] == code and destination["name_zh"] == name


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("999999", "destination_invalid"),
        ("44030", "destination_invalid"),
        ("44O300", "destination_invalid"),
        ("CD-ETDZ", "destination_is_local"),
        ("430702", "destination_is_local"),
        ("430700", "destination_is_local"),
        (None, "missing"),
    ],
)
def test_bad_destinations_are_refused_and_nothing_is_saved(client, worker, code, error):
    response = put(client, destination_code=code)
    assert response.status_code == 422
    assert field_codes(response) == {"destination_code": error}
    assert intent_count() == 0


def test_local_work_stays_inside_changde(client, worker):
    response = put(client, kind="local", destination_code="430703", needs_certificate=True)
    assert response.status_code == 200
    intent = response.get_json()["intent"]
    assert intent["destination"]["name_zh"] == "鼎城区"
    assert intent["needs_certificate"] is False  # certificates are for outbound work
    assert response.get_json()["advice"] is None

    outside = put(client, kind="local", destination_code="440300")
    assert field_codes(outside) == {"destination_code": "destination_not_local"}


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"trade": "astronaut"}, "trade", "trade_unknown"),
        ({"departure_date": "2020-02-19"}, "departure_date", "departure_in_past"),
        ({"departure_date": "2021-03-01"}, "departure_date", "departure_too_far"),
        ({"kind": "abroad"}, "kind", "literal_error"),
        ({"wage_expectation": -1}, "wage_expectation", "too_small"),
        ({"surprise": 1}, "surprise", "extra_forbidden"),
    ],
)
def test_bad_input_is_refused_per_field(client, worker, overrides, field, code):
    response = put(client, **overrides)
    assert response.status_code == 422
    codes = field_codes(response)
    assert field in codes
    if code != "literal_error":
        assert codes[field] == code
    assert intent_count() == 0


def test_changing_the_intent_keeps_one_row_and_the_history(client, worker):
    put(client)
    response = put(client, destination_code="441900", trade="manufacturing")
    assert response.get_json()["created"] is False
    assert intent_count() == 1
    history = client.get("/api/v1/intents/mine/history").get_json()["items"]
    assert [h["action"] for h in history] == ["updated", "created"]
    assert history[0]["snapshot"]["destination_code"] == "441900"
    assert history[1]["snapshot"]["destination_code"] == "440300"
    assert history[0]["by_proxy"] is False


def test_a_passed_departure_date_may_stay_while_other_fields_change(client, worker, clock):
    put(client, departure_date="2020-02-21")
    clock.move_to("2020-02-25T02:00:00Z")
    response = put(client, departure_date="2020-02-21", needs_transport=False)
    assert response.status_code == 200, response.get_json()


def test_withdrawing_removes_the_intent_but_keeps_its_history(client, worker):
    put(client)
    assert client.delete("/api/v1/intents/mine").status_code == 204
    assert client.get("/api/v1/intents/mine").get_json()["intent"] is None
    assert client.delete("/api/v1/intents/mine").status_code == 404
    again = put(client, destination_code="330100")
    assert again.get_json()["created"] is True
    actions = db.session.scalars(select(IntentChange.action).order_by(IntentChange.id)).all()
    assert actions == ["created", "withdrawn", "created"]


def test_the_worker_tells_that_they_have_left(client, worker):
    put(client)
    response = client.post("/api/v1/intents/mine/departure", json={"departed": True})
    assert response.status_code == 200
    assert response.get_json()["departed"] is True
    put(client, kind="local", destination_code="430702")
    refused = client.post("/api/v1/intents/mine/departure", json={"departed": True})
    assert refused.status_code == 409 and refused.get_json()["code"] == "intent_not_outbound"


def test_a_worker_must_have_a_village_first(client, login):
    user = make_user(region_code="430702")  # a county: no village declared yet
    login(user)
    response = put(client)
    assert response.status_code == 422
    assert field_codes(response) == {"origin_village_code": "origin_not_a_village"}


def test_the_form_options_list_destinations_provinces_and_trades(client, worker):
    options = client.get("/api/v1/intents/options").get_json()
    codes = {d["code"] for d in options["destinations"]}
    assert {"440300", "441900", "330100", "310000"} <= codes
    assert "430702" not in codes  # Changde's own regions are not destinations
    assert len(options["provinces"]) == 34
    assert {"code": "electronics", "name_zh": "电子装配", "name_en": "Electronics assembly"} in (
        options["trades"]
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/intents/mine"),
        ("PUT", "/api/v1/intents/mine"),
        ("DELETE", "/api/v1/intents/mine"),
        ("GET", "/api/v1/intents/mine/history"),
    ],
)
def test_only_workers_have_an_intent_form(client, login, method, path):
    assert client.open(path, method=method, json=intent_body()).status_code == 401
    login(make_user(roles=("official",), region_code="430702"))
    assert client.open(path, method=method, json=intent_body()).status_code == 403

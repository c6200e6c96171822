"""Officials publish destinations' rules; workers see those of where they are going."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.intents.models import DestinationRule
from tests.factories import make_user, township_of, village_in
from tests.intents.factories import add_intent, staff_of, worker_in

SHENZHEN = {
    "destination_code": "440300",
    "rules_text": "持绿码或健康证明者到达后免于隔离，须由用工企业点对点接收。",
    "source": "深圳市新冠肺炎疫情防控指挥部通告",
    "source_date": "2020-02-18",
    "valid_until": "2020-03-31",
    "job_info": "电子制造企业急需普工 2 万人。",
}


@pytest.fixture
def official(app, login):
    user = staff_of("430702")
    login(user)
    return user


def publish(client, **overrides):
    return client.post("/api/v1/destination-rules", json={**SHENZHEN, **overrides})


def test_a_county_official_publishes_and_the_worker_sees_it_on_the_intent(client, login, official):
    response = publish(client)
    assert response.status_code == 201, response.get_json()
    rule = response.get_json()
    assert rule["destination"]["name_zh"] == "深圳市" and rule["job_info"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rules.published"))
    assert event.one().actor_id == official.id

    worker = worker_in()
    add_intent(worker, destination_code="440305")  # a district of Shenzhen
    login(worker)
    mine = client.get("/api/v1/intents/mine").get_json()
    assert [r["id"] for r in mine["rules"]] == [rule["id"]]


def test_a_province_rule_covers_its_cities_and_the_newest_wins(client, official):
    publish(client, destination_code="440000", rules_text="广东全省：绿码通行。")
    old = publish(client).get_json()
    new = publish(client, rules_text="更新：到达后测温即可上岗。").get_json()
    found = client.get("/api/v1/destination-rules", query_string={"destination_code": "440300"})
    items = found.get_json()["items"]
    assert [r["id"] for r in items] == [new["id"], items[1]["id"]]
    assert items[1]["destination"]["code"] == "440000"
    assert old["id"] not in {r["id"] for r in items}
    everything = client.get("/api/v1/destination-rules").get_json()["items"]
    assert {r["destination"]["code"] for r in everything} == {"440000", "440300"}


def test_rules_past_their_validity_or_withdrawn_are_not_shown(client, official):
    publish(client, valid_until="2020-02-19", source_date="2020-02-10")
    current = publish(client, destination_code="330100").get_json()
    assert client.post(f"/api/v1/destination-rules/{current['id']}/withdraw").status_code == 200
    assert client.get("/api/v1/destination-rules").get_json()["items"] == []
    history = client.get("/api/v1/destination-rules/published").get_json()["items"]
    assert len(history) == 2 and {r["withdrawn"] for r in history} == {True, False}


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"destination_code": "430702"}, "destination_code", "destination_is_local"),
        ({"destination_code": "99"}, "destination_code", "destination_invalid"),
        ({"valid_until": "2020-02-01"}, "valid_until", "valid_until_before_source"),
        ({"source_date": "2020-02-21"}, "source_date", "source_date_in_future"),
        ({"rules_text": ""}, "rules_text", "too_short"),
    ],
)
def test_bad_rules_are_refused(client, official, overrides, field, code):
    response = publish(client, **overrides)
    assert response.status_code == 422
    assert {e["field"]: e["code"] for e in response.get_json()["errors"]} == {field: code}
    assert db.session.scalar(select(func.count(DestinationRule.id))) == 0


def test_village_staff_and_workers_do_not_publish(client, login, app):
    login(staff_of(township_of(village_in())))
    refused = publish(client)
    assert refused.status_code == 403 and refused.get_json()["code"] == "rules_publishers_only"
    login(make_user(), on=client)
    assert publish(client).status_code == 403
    assert db.session.scalar(select(func.count(DestinationRule.id))) == 0


def test_anyone_may_read_the_rules_in_force(client, official):
    publish(client)
    client.post("/api/v1/auth/logout")
    anonymous = client.application.test_client()
    assert len(anonymous.get("/api/v1/destination-rules").get_json()["items"]) == 1


def test_only_the_publishing_region_or_above_withdraws_a_rule(client, login, official):
    """The list is city-wide: another county's official may read the rule, not withdraw it."""
    rule = publish(client).get_json()
    withdraw = f"/api/v1/destination-rules/{rule['id']}/withdraw"
    login(staff_of("430703"))  # 鼎城区
    refused = client.post(withdraw)
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "rule_of_another_region"
    assert db.session.get(DestinationRule, rule["id"]).withdrawn_dt is None
    login(staff_of("430700"))  # the city
    assert client.post(withdraw).status_code == 200
    assert db.session.get(DestinationRule, rule["id"]).withdrawn_dt is not None

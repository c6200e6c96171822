"""Officials see the ledger of their own region: counts, the people behind them, filters."""

from __future__ import annotations

from datetime import date

import pytest

from app.regions.services import villages
from tests.factories import make_user, township_of
from tests.intents.factories import add_intent, staff_of, worker_in


@pytest.fixture
def people(app):
    """Three workers of Wuling (two townships) and one of Dingcheng, with intents."""
    wuling = villages("430702")
    first, other_township = (
        wuling[0].code,
        next(v.code for v in wuling if v.parent_code != wuling[0].parent_code),
    )
    dingcheng = villages("430703")[0].code
    a = worker_in(first, name="张小三")
    b = worker_in(first)
    c = worker_in(other_township)
    d = worker_in(dingcheng)
    add_intent(
        a, destination_code="440300", trade="electronics", job_arranged=True, employer_name="富士康"
    )
    add_intent(b, destination_code="440305", trade="construction")  # rolls up to Shenzhen
    add_intent(c, destination_code="330100", trade="electronics", departure_date=date(2020, 3, 2))
    add_intent(d, destination_code="440300", trade="electronics")
    return {"a": a, "b": b, "c": c, "d": d, "village": first, "dingcheng": dingcheng}


def get_ledger(client, **query):
    response = client.get("/api/v1/ledger", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_city_sees_every_county_by_destination(client, login, people):
    login(staff_of("430700"))
    body = get_ledger(client)
    assert body["group"] == "county"
    assert body["totals"]["intents"] == 4
    assert body["totals"]["job_arranged"] == 1 and body["totals"]["no_job"] == 3
    by_destination = {
        d["destination"]["code"]: d["counts"]["intents"] for d in body["destinations"]
    }
    assert by_destination == {"440300": 3, "330100": 1}
    assert {o["code"]: o["counts"]["intents"] for o in body["origins"]} == {
        "430702": 3,
        "430703": 1,
    }
    assert body["phone_visible"] is False


def test_a_county_sees_only_its_townships(client, login, people):
    login(staff_of("430702"))
    body = get_ledger(client)
    assert body["region"]["code"] == "430702" and body["group"] == "township"
    assert body["totals"]["intents"] == 3
    township = township_of(people["village"])
    cell = {(c["origin_code"], c["destination_code"]): c["counts"] for c in body["cells"]}
    assert cell[(township, "440300")]["intents"] == 2
    assert cell[(township, "440300")]["job_arranged"] == 1

    exact = get_ledger(client, destination_level="exact", group="village")
    codes = {d["destination"]["code"] for d in exact["destinations"]}
    assert codes == {"440300", "440305", "330100"}
    provinces = get_ledger(client, destination_level="province")
    assert {d["destination"]["code"] for d in provinces["destinations"]} == {"440000", "330000"}


def test_a_county_cannot_look_at_another_county(client, login, people):
    login(staff_of("430702"))
    assert client.get("/api/v1/ledger", query_string={"region": "430703"}).status_code == 403
    assert client.get("/api/v1/ledger", query_string={"region": "430700"}).status_code == 403
    assert client.get("/api/v1/ledger", query_string={"region": "nowhere"}).status_code == 404


def test_filters_by_trade_and_departure_date(client, login, people):
    login(staff_of("430700"))
    assert get_ledger(client, trade="electronics")["totals"]["intents"] == 3
    assert get_ledger(client, trade="construction")["totals"]["intents"] == 1
    march = get_ledger(client, departure_from="2020-03-01", departure_to="2020-03-31")
    assert march["totals"]["intents"] == 1
    assert march["destinations"][0]["destination"]["code"] == "330100"
    both = get_ledger(client, trade="construction", departure_from="2020-03-01")
    assert both["totals"]["intents"] == 0 and both["cells"] == []
    bad = client.get("/api/v1/ledger", query_string={"departure_from": "yesterday"})
    assert bad.status_code == 422


def test_drill_down_masks_ids_and_hides_phones_from_county_officials(client, login, people):
    login(staff_of("430702"))
    page = client.get(
        "/api/v1/ledger/people", query_string={"destination": "440300", "limit": 10}
    ).get_json()
    assert page["phone_visible"] is False
    assert {p["user_id"] for p in page["items"]} == {people["a"].id, people["b"].id}
    first = next(p for p in page["items"] if p["user_id"] == people["a"].id)
    assert first["name_masked"] == "张*三"
    assert first["id_masked"] == people["a"].id_masked and "*" in first["id_masked"]
    assert first["phone"] == people["a"].phone[:3] + "****" + people["a"].phone[-4:]
    assert first["township"]["code"] == township_of(people["village"])


def test_township_staff_responsible_for_the_people_see_their_phones(client, login, people):
    login(staff_of(township_of(people["village"])))
    page = client.get("/api/v1/ledger/people", query_string={"job_arranged": "true"}).get_json()
    assert page["phone_visible"] is True
    assert [p["phone"] for p in page["items"]] == [people["a"].phone]


def test_drill_down_pages_with_a_cursor_and_filters(client, login, people):
    login(staff_of("430700"))
    first = client.get("/api/v1/ledger/people", query_string={"limit": 3}).get_json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = client.get(
        "/api/v1/ledger/people", query_string={"limit": 3, "cursor": first["next_cursor"]}
    ).get_json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    zhejiang = client.get("/api/v1/ledger/people", query_string={"destination": "330000"})
    assert [p["user_id"] for p in zhejiang.get_json()["items"]] == [people["c"].id]
    bad = client.get("/api/v1/ledger/people", query_string={"cursor": "%%%"})
    assert bad.status_code == 422


def test_staff_mark_a_departure_and_the_counts_follow(client, login, people):
    staff = staff_of("430702")
    login(staff)
    intent_id = client.get(
        "/api/v1/ledger/people", query_string={"destination": "330100"}
    ).get_json()["items"][0]["intent_id"]
    response = client.post(f"/api/v1/ledger/people/{intent_id}/departure", json={"departed": True})
    assert response.status_code == 200
    assert response.get_json()["person"]["departed"] is True
    assert response.get_json()["history"][0]["action"] == "departed"
    assert get_ledger(client)["totals"]["departed"] == 1

    # Someone of Dingcheng is not theirs: the same answer as no such person.
    login(staff_of("430700"), on=client)
    other = client.get("/api/v1/ledger/people", query_string={"region": "430703"}).get_json()[
        "items"
    ][0]["intent_id"]
    login(staff, on=client)
    assert (
        client.post(f"/api/v1/ledger/people/{other}/departure", json={"departed": True}).status_code
        == 404
    )
    assert client.get(f"/api/v1/ledger/people/{other}").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/api/v1/ledger", "/api/v1/ledger/people", "/api/v1/ledger/charts/weeks.svg"],
)
def test_workers_and_employers_have_no_ledger(client, login, people, path):
    assert client.get(path).status_code == 401
    login(people["a"])
    assert client.get(path).status_code == 403
    login(make_user(roles=("employer",)), on=client)
    assert client.get(path).status_code == 403

"""A worker appeals their colour; officials of their region decide and every decision is kept."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import declaration, make_user, village_in

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def red_worker(app, client, login):
    worker = make_user(name="李四")
    login(worker)
    client.post("/api/v1/declarations", json=declaration(temperature="38.0"))
    return worker


@pytest.fixture
def official(app, login):
    user = make_user(roles=("official",), region_code="430702")
    return user, login(user, on=app.test_client())


def test_worker_files_an_appeal_and_officials_uphold_it(client, red_worker, official):
    response = client.post("/api/v1/appeals", json={"reason": "体温计读数错误，复测36.6"})
    assert response.status_code == 201
    appeal = response.get_json()
    assert appeal["state"] == "open" and appeal["status_at_filing"] == "red"

    user, staff = official
    listed = staff.get("/api/v1/appeals?state=open").get_json()["items"]
    assert [a["id"] for a in listed] == [appeal["id"]]
    assert listed[0]["holder"].startswith("李*")

    decided = staff.post(
        f"/api/v1/appeals/{appeal['id']}/decisions",
        json={"outcome": "upheld", "new_status": "green", "comment": "复测正常"},
    )
    assert decided.status_code == 201
    body = decided.get_json()
    assert body["state"] == "upheld"
    assert body["decisions"][0]["official_id"] == user.id
    assert body["decisions"][0]["comment"] == "复测正常"
    card = client.get("/api/v1/cards/current").get_json()
    assert card["status"] == "green"
    history = client.get("/api/v1/status").get_json()["history"]
    assert history[0]["cause"] == "appeal" and history[0]["comment"] == "复测正常"


def test_comments_keep_the_appeal_open_and_rejections_keep_the_colour(client, red_worker, official):
    appeal = client.post("/api/v1/appeals", json={"reason": "我没有发烧"}).get_json()
    _, staff = official
    staff.post(
        f"/api/v1/appeals/{appeal['id']}/decisions",
        json={"outcome": "comment", "comment": "请到村卫生室复测"},
    )
    rejected = staff.post(
        f"/api/v1/appeals/{appeal['id']}/decisions",
        json={"outcome": "rejected", "comment": "复测37.8"},
    ).get_json()
    assert rejected["state"] == "rejected"
    assert [d["outcome"] for d in rejected["decisions"]] == ["comment", "rejected"]
    assert client.get("/api/v1/cards/current").get_json()["status"] == "red"
    again = staff.post(
        f"/api/v1/appeals/{appeal['id']}/decisions",
        json={"outcome": "upheld", "comment": "x", "new_status": "green"},
    )
    assert again.status_code == 409


def test_one_open_appeal_at_a_time(client, red_worker):
    assert client.post("/api/v1/appeals", json={"reason": "错误"}).status_code == 201
    second = client.post("/api/v1/appeals", json={"reason": "再次"})
    assert second.status_code == 409 and second.get_json()["code"] == "appeal_open"


def test_officials_elsewhere_neither_see_nor_decide(app, client, red_worker, login):
    appeal = client.post("/api/v1/appeals", json={"reason": "错误"}).get_json()
    other = login(make_user(roles=("official",), region_code="430703"), on=app.test_client())
    assert other.get("/api/v1/appeals").get_json()["items"] == []
    response = other.post(
        f"/api/v1/appeals/{appeal['id']}/decisions", json={"outcome": "rejected", "comment": "x"}
    )
    assert response.status_code == 404


def test_upholding_needs_the_new_colour(client, red_worker, official):
    appeal = client.post("/api/v1/appeals", json={"reason": "错误"}).get_json()
    _, staff = official
    response = staff.post(
        f"/api/v1/appeals/{appeal['id']}/decisions", json={"outcome": "upheld", "comment": "ok"}
    )
    assert response.status_code == 422


def test_workers_cannot_list_appeals_of_others(client, red_worker):
    assert client.get("/api/v1/appeals").status_code == 403
    assert client.get("/api/v1/appeals/mine").status_code == 200


def test_village_of_the_worker_is_what_counts(app, client, login):
    worker = make_user(region_code="430703")
    login(worker)
    client.post(
        "/api/v1/declarations",
        json=declaration(temperature="38.0", current_village_code=village_in("430702")),
    )
    client.post("/api/v1/appeals", json={"reason": "错误"})
    wuling = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    assert len(wuling.get("/api/v1/appeals").get_json()["items"]) == 1

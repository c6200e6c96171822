"""Officials set up checkpoints in their region and put volunteers on them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.checkpoints.models import Checkpoint, CheckpointVolunteer
from app.extensions import db
from tests.checkpoints.factories import make_checkpoint, make_volunteer
from tests.factories import make_user, township_of, village_in

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def official(app, login):
    user = make_user(roles=("official",), region_code="430702")
    login(user)
    return user


def new_checkpoint(client, **overrides):
    body = {"name": "新民村东口卡点", "village_code": village_in("430702")}
    body.update(overrides)
    return client.post("/api/v1/checkpoints", json=body)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_official_adds_a_checkpoint_with_place_and_hours(client, official):
    response = new_checkpoint(
        client, latitude="29.031234", longitude="111.698765", opens_at="07:00", closes_at="19:00"
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "新民村东口卡点"
    assert body["village"]["code"] == village_in("430702")
    assert (body["opens_at"], body["closes_at"], body["open_now"]) == ("07:00:00", "19:00:00", True)
    assert body["latitude"] == "29.031234"
    assert body["poster_url"] == f"/api/v1/checkpoints/{body['id']}/poster.pdf"
    assert body["place_code_url"].startswith("http://localhost/c/")
    assert db.session.scalar(select(AuditEvent.action)) == "checkpoint.create"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": "x"}, "name", "too_short"),
        ({"village_code": "430702"}, "village_code", "not_a_village"),
        ({"latitude": "29.0"}, "body", "coordinates_pair"),
        ({"latitude": "91", "longitude": "111"}, "latitude", "too_large"),
        ({"opens_at": "07:00"}, "body", "hours_pair"),
        ({"opens_at": "07:00", "closes_at": "07:00"}, "body", "hours_empty"),
        ({"colour": "green"}, "colour", "extra_forbidden"),
    ],
)
def test_bad_checkpoints_are_refused_and_nothing_is_stored(
    client, official, overrides, field, code
):
    response = new_checkpoint(client, **overrides)
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert (error["field"], error["code"]) == (field, code)
    assert count(Checkpoint) == 0


def test_a_village_outside_my_region_is_forbidden(client, official):
    response = new_checkpoint(client, village_code=village_in("430703"))
    assert response.status_code == 403
    assert count(Checkpoint) == 0


@pytest.mark.parametrize("roles", [("worker",), ("volunteer",), ("employer",)])
def test_only_officials_add_checkpoints(client, login, roles):
    login(make_user(roles=roles))
    assert new_checkpoint(client).status_code == 403


def test_officials_list_only_their_regions_checkpoints(client, login, app):
    mine = make_checkpoint(name="武陵卡点")
    make_checkpoint(name="鼎城卡点", village_code=village_in("430703"))
    township = township_of(mine.village_code)
    login(make_user(roles=("official",), region_code=township))
    names = [c["name"] for c in client.get("/api/v1/checkpoints").get_json()["items"]]
    assert names == ["武陵卡点"]
    city = app.test_client()
    login(make_user(roles=("official",), region_code="430700"), on=city)
    assert len(city.get("/api/v1/checkpoints").get_json()["items"]) == 2
    narrowed = city.get("/api/v1/checkpoints?region=430703").get_json()["items"]
    assert [c["name"] for c in narrowed] == ["鼎城卡点"]
    assert client.get("/api/v1/checkpoints?region=430703").status_code == 403


def test_the_list_pages_with_a_cursor(client, official):
    for index in range(3):
        make_checkpoint(name=f"卡点{index}")
    first = client.get("/api/v1/checkpoints?limit=2").get_json()
    second = client.get(f"/api/v1/checkpoints?limit=2&cursor={first['next_cursor']}").get_json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_an_official_changes_and_closes_a_checkpoint(client, official):
    checkpoint = make_checkpoint()
    url = f"/api/v1/checkpoints/{checkpoint.id}"
    body = client.patch(url, json={"name": "新民村南口卡点"}).get_json()
    assert body["name"] == "新民村南口卡点"
    body = client.patch(url, json={"active": False}).get_json()
    assert (body["active"], body["open_now"]) == (False, False)
    assert client.patch(url, json={"opens_at": "25:00", "closes_at": "07:00"}).status_code == 422


def test_another_regions_official_cannot_see_or_change_a_checkpoint(client, login):
    checkpoint = make_checkpoint()
    login(make_user(roles=("official",), region_code="430703"))
    url = f"/api/v1/checkpoints/{checkpoint.id}"
    assert client.get(url).status_code == 404
    assert client.patch(url, json={"name": "改名"}).status_code == 404
    assert client.get(f"{url}/poster.pdf").status_code == 404
    assert db.session.get(Checkpoint, checkpoint.id).name == "新民村东口卡点"


def test_an_official_assigns_a_volunteer_by_phone(client, official):
    checkpoint = make_checkpoint()
    person = make_user(roles=("worker",), name="王芳")
    url = f"/api/v1/checkpoints/{checkpoint.id}/volunteers"
    response = client.post(url, json={"phone": person.phone})
    assert response.status_code == 201
    volunteers = response.get_json()["volunteers"]
    assert [v["volunteer"]["name_masked"] for v in volunteers] == ["王*"]
    assert (
        volunteers[0]["volunteer"]["phone_masked"] == f"{person.phone[:3]}****{person.phone[-4:]}"
    )
    db.session.refresh(person)
    assert person.has_role("volunteer")
    # assigning twice changes nothing
    assert client.post(url, json={"phone": person.phone}).status_code == 201
    assert count(CheckpointVolunteer) == 1


def test_assigning_an_unknown_phone_says_so(client, official):
    checkpoint = make_checkpoint()
    response = client.post(
        f"/api/v1/checkpoints/{checkpoint.id}/volunteers", json={"phone": "13999999999"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "volunteer_not_found"


def test_ending_an_assignment_hides_the_checkpoint_from_the_volunteer(app, client, official, login):
    checkpoint = make_checkpoint()
    volunteer = make_volunteer(checkpoint)
    phone = app.test_client()
    login(volunteer, on=phone)
    assert [c["id"] for c in phone.get("/api/v1/checkpoints/mine").get_json()["items"]] == [
        checkpoint.id
    ]
    url = f"/api/v1/checkpoints/{checkpoint.id}/volunteers/{volunteer.id}"
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    assert phone.get("/api/v1/checkpoints/mine").get_json()["items"] == []
    assert phone.get(f"/api/v1/checkpoints/{checkpoint.id}").status_code == 404


def test_a_volunteer_sees_only_their_own_checkpoints_and_the_scanner_settings(client, login, app):
    mine = make_checkpoint(name="我的卡点")
    make_checkpoint(name="别人的卡点")
    volunteer = make_volunteer(mine)
    login(volunteer)
    body = client.get("/api/v1/checkpoints/mine").get_json()
    assert [c["name"] for c in body["items"]] == ["我的卡点"]
    assert body["scanner"] == {
        "trust_warn_hours": 12.0,
        "trust_refuse_hours": 48.0,
        "auto_return_seconds": 6,
    }
    detail = client.get(f"/api/v1/checkpoints/{mine.id}").get_json()
    assert detail["volunteers"] == []  # colleagues' phones are for officials only
    assert client.get("/api/v1/checkpoints").status_code == 403


@pytest.mark.parametrize(
    ("opens", "closes", "open_at_10"),
    [
        ("07:00", "19:00", True),
        ("11:00", "19:00", False),
        ("20:00", "11:00", True),
        ("20:00", "06:00", False),
    ],
)
def test_opening_hours_are_local_and_may_pass_midnight(client, official, opens, closes, open_at_10):
    body = new_checkpoint(client, opens_at=opens, closes_at=closes).get_json()
    assert body["open_now"] is open_at_10


def test_the_poster_is_an_a4_pdf(client, official):
    checkpoint = make_checkpoint()
    response = client.get(f"/api/v1/checkpoints/{checkpoint.id}/poster.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in response.data


def test_a_new_place_code_retires_the_printed_posters(app, client, official, login):
    checkpoint = make_checkpoint()
    url = f"/api/v1/checkpoints/{checkpoint.id}"
    before = client.get(url).get_json()["place_code_url"]
    after = client.post(f"{url}/place-code").get_json()["place_code_url"]
    assert before != after
    phone = login(make_user(roles=("worker",)), on=app.test_client())
    old_token = before.rsplit("/c/", 1)[1]
    new_token = after.rsplit("/c/", 1)[1]
    assert phone.get(f"/api/v1/place-codes/{old_token}").status_code == 404
    assert phone.get(f"/api/v1/place-codes/{new_token}").get_json()["name"] == "新民村东口卡点"

"""A worker declares health and gets a signed card of the right colour."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from tests.factories import declaration, make_user, village_in

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde


@pytest.fixture(autouse=True)
def clock():
    """Frozen at 10:00 in Changde on 20 February 2020, before anyone logs in."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def worker(app, login):
    user = make_user(name="张小三")
    login(user)
    return user


def declare(client, **overrides):
    return client.post("/api/v1/declarations", json=declaration(**overrides))


def verify(client, qr):
    return client.post("/api/v1/verify", json={"qr": qr}).get_json()


def test_healthy_declaration_gives_a_green_card_that_verifies(client, worker):
    response = declare(client)
    assert response.status_code == 201, response.get_json()
    card = response.get_json()["card"]
    assert card["status"] == "green" and card["status_text"] == "绿码"
    assert card["name_masked"] == "张*三"
    assert card["id_last4"] == worker.id_masked[-4:]
    assert card["qr"].startswith("FG1:")
    verdict = verify(client, card["qr"])
    assert verdict["valid"] is True and verdict["reason"] == "ok"
    assert verdict["status"] == "green"
    assert verdict["holder"] == f"张*三（{worker.id_masked[-4:]}）"
    assert verdict["issuer_region"] == "430700"


def test_the_qr_carries_no_full_id_number_or_phone(client, worker):
    from app.credentials import decode_payload

    qr = declare(client).get_json()["card"]["qr"]
    text = repr(decode_payload(qr))
    assert worker.phone not in text
    assert worker.name not in text


@pytest.mark.parametrize(
    ("overrides", "status", "reason"),
    [
        ({"temperature": "37.3"}, "red", "fever"),
        ({"symptoms": ["cough"]}, "red", "symptoms"),
        ({"case_contact": True}, "red", "case_contact"),
        ({"hubei_exposure_date": "2020-02-10"}, "yellow", "hubei_exposure"),
    ],
)
def test_declarations_decide_the_colour(client, worker, overrides, status, reason):
    card = declare(client, **overrides).get_json()["card"]
    assert card["status"] == status
    assert reason in card["reasons"]


def test_yellow_card_shows_the_end_of_quarantine(client, worker):
    card = declare(client, hubei_exposure_date="2020-02-10").get_json()["card"]
    assert card["quarantine_until"] == "2020-02-24"
    assert card["status_text"] == "黄码"


def test_a_status_change_revokes_the_earlier_card(client, worker):
    green = declare(client).get_json()["card"]
    red = declare(client, temperature="38.2").get_json()["card"]
    assert red["card_id"] != green["card_id"]
    assert verify(client, green["qr"])["reason"] == "revoked"
    assert verify(client, red["qr"])["valid"] is True


def test_feeling_better_does_not_turn_yellow_green(client, worker, clock):
    declare(client, hubei_exposure_date="2020-02-10")
    clock.shift(timedelta(days=5))
    card = declare(client).get_json()["card"]
    assert card["status"] == "yellow"
    assert "awaiting_release" in card["reasons"]


def test_release_turns_yellow_green_and_reissues(app, client, worker, clock):
    """The transition the quarantine workflow uses (its rules live in app/quarantine)."""
    from app.cards.services import release_quarantine
    from app.extensions import db

    official = make_user(roles=("official",), region_code="430702")
    yellow = declare(client, hubei_exposure_date="2020-02-10").get_json()["card"]
    clock.shift(timedelta(hours=1))
    release_quarantine(db.session.merge(worker), actor=official, comment="14天期满")
    db.session.commit()
    card = client.get("/api/v1/cards/current").get_json()
    assert card["status"] == "green" and card["card_id"] != yellow["card_id"]
    assert verify(client, yellow["qr"])["reason"] == "revoked"
    history = client.get("/api/v1/status").get_json()["history"]
    assert [h["cause"] for h in history] == ["release", "declaration"]


def test_only_a_yellow_card_can_be_released(app, client, worker):
    from app.cards.services import release_quarantine
    from app.errors import Conflict
    from app.extensions import db

    declare(client)
    with pytest.raises(Conflict):
        release_quarantine(db.session.merge(worker), actor=worker)


def test_an_official_elsewhere_cannot_clear(app, client, worker, login):
    other = make_user(roles=("official",), region_code="430703")
    declare(client, temperature="38.4")
    staff = login(other, on=app.test_client())
    assert staff.post(f"/api/v1/people/{worker.id}/clearance", json={}).status_code == 404


def test_an_official_of_the_region_clears_a_red_card(app, client, worker, login):
    official = make_user(roles=("official",), region_code="430702")
    declare(client, temperature="38.4")
    staff = login(official, on=app.test_client())
    response = staff.post(f"/api/v1/people/{worker.id}/clearance", json={"comment": "核酸阴性"})
    assert response.status_code == 200
    assert client.get("/api/v1/cards/current").get_json()["status"] == "green"


def test_the_card_is_resigned_near_expiry_with_the_same_id(client, worker, clock):
    first = declare(client).get_json()["card"]
    clock.shift(timedelta(hours=10))
    same = client.get("/api/v1/cards/current").get_json()
    assert same["qr"] == first["qr"]
    clock.shift(timedelta(hours=9))  # 5 h before expiry
    fresh = client.get("/api/v1/cards/current").get_json()
    assert fresh["card_id"] == first["card_id"]
    assert fresh["expires_at"] > first["expires_at"]
    assert verify(client, fresh["qr"])["valid"] is True


def test_an_expired_card_is_reported_expired(client, worker, clock):
    qr = declare(client).get_json()["card"]["qr"]
    clock.shift(timedelta(hours=25))
    assert verify(client, qr)["reason"] == "expired"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"symptoms": ["none", "cough"]}, "symptoms", "symptoms_conflict"),
        ({"hubei_exposure_date": "2020-03-01"}, "hubei_exposure_date", "exposure_in_future"),
        ({"current_village_code": "430702"}, "current_village_code", "not_a_village"),
        ({"temperature": "45"}, "temperature", "too_large"),
        ({"symptoms": ["sneezing"]}, "symptoms.0", "invalid"),
        ({"id_number": "430702199001011234"}, "id_number", "id_number_invalid"),
    ],
)
def test_bad_declarations_are_refused_and_change_nothing(client, worker, overrides, field, code):
    response = declare(client, **overrides)
    assert response.status_code == 422
    errors = {e["field"]: e["code"] for e in response.get_json()["errors"]}
    assert errors.get(field) == code, errors
    assert client.get("/api/v1/declarations").get_json()["items"] == []
    assert client.get("/api/v1/cards/current").status_code == 404


def test_a_new_worker_must_give_name_and_id_number(app, client, login):
    from app.accounts.services import create_user
    from app.extensions import db

    user = create_user(roles=["worker"], phone="13912340000")
    db.session.commit()
    login(user)
    response = declare(client)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "identity_required"
    response = declare(client, name="王小明", id_number="11010519491231002X")
    assert response.status_code == 201
    assert response.get_json()["card"]["name_masked"] == "王*明"


def test_history_keeps_every_declaration_newest_first(client, worker):
    for temp in ("36.1", "36.2", "36.3"):
        declare(client, temperature=temp)
    page = client.get("/api/v1/declarations?limit=2").get_json()
    assert [d["temperature"] for d in page["items"]] == ["36.3", "36.2"]
    rest = client.get(f"/api/v1/declarations?limit=2&cursor={page['next_cursor']}").get_json()
    assert [d["temperature"] for d in rest["items"]] == ["36.1"]
    assert rest["next_cursor"] is None
    assert client.get("/api/v1/declarations?limit=101").status_code == 422


def test_the_current_village_decides_the_responsible_officials(client, worker):
    village = village_in("430703")
    declare(client, current_village_code=village)
    assert client.get("/api/v1/me").get_json()["region"]["code"] == village


def test_card_svg_is_a_qr(client, worker):
    declare(client)
    response = client.get("/api/v1/cards/current/qr.svg")
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_other_roles_cannot_declare(client, login):
    login(make_user(roles=("employer",)))
    assert declare(client).status_code == 403


def test_today_is_asia_shanghai(client, worker, clock):
    # 23:30 UTC on the 20th is already the 21st in Changde: an exposure on the 21st is not future
    clock.move_to(datetime(2020, 2, 20, 23, 30, tzinfo=UTC))
    response = declare(client, hubei_exposure_date="2020-02-21")
    assert response.status_code == 201
    assert response.get_json()["card"]["quarantine_until"] == str(date(2020, 3, 6))


def test_a_passport_holder_can_declare(app, client, login):
    from app.accounts.services import create_user
    from app.extensions import db

    user = create_user(roles=["worker"], phone="13912340001")
    db.session.commit()
    login(user)
    response = declare(client, name="王小明", id_type="passport", id_number="E12345678")
    assert response.status_code == 201, response.get_json()
    assert client.get("/api/v1/me").get_json()["id_masked"] == "E****5678"
    assert response.get_json()["card"]["id_last4"] == "5678"

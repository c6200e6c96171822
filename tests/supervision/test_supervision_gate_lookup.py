"""Gate lookup by ID number: colour, validity and masked name only; logged, rate limited,
refused outside the volunteer's county, and visible to supervisors."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.supervision.models import GateLookup
from app.supervision.retention import purge_before
from tests.checkpoints.factories import make_volunteer
from tests.factories import declaration, make_user, village_in
from tests.supervision.factories import T0, officials_of, wuling_gate


def valid_id(prefix17: str) -> str:
    from app.accounts.identity import id_check_char

    return prefix17 + id_check_char(prefix17)


WULING_ID = valid_id("43070219900101123")
DINGCHENG_ID = valid_id("43070319850202234")
UNKNOWN_ID = valid_id("43070219700303331")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def gate(app):
    return wuling_gate()


@pytest.fixture
def volunteer(app, login, gate):
    return login(make_volunteer(gate), on=app.test_client())


def declared(app, login, *, id_number, region, village):
    """A villager registered and declared healthy (their phone is not at the gate)."""
    person = make_user(roles=("worker",), name="王秀兰", id_number=id_number, region_code=region)
    phone = login(person, on=app.test_client())
    response = phone.post("/api/v1/declarations", json=declaration(current_village_code=village))
    assert response.status_code == 201, response.get_json()
    return person


@pytest.fixture
def wuling_villager(app, login):
    return declared(app, login, id_number=WULING_ID, region="430702", village=village_in("430702"))


def look(phone, checkpoint_id, id_number, **extra):
    return phone.post(
        "/api/v1/supervision/gate-lookups",
        json={"checkpoint_id": checkpoint_id, "id_number": id_number, **extra},
    )


def test_the_answer_is_the_colour_its_validity_and_the_masked_name_only(
    volunteer, gate, wuling_villager
):
    response = look(volunteer, gate.id, WULING_ID)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {
        "lookup_id",
        "status",
        "status_text",
        "valid",
        "valid_until",
        "name_masked",
    }
    assert (body["status"], body["status_text"], body["valid"]) == ("green", "绿码", True)
    assert body["name_masked"] == "王*兰"
    assert body["valid_until"].startswith("2020-02-27")  # a paper card's 7 days from today


def test_the_colour_lapses_when_nothing_was_declared_for_a_week(
    volunteer, gate, wuling_villager, clock
):
    clock.shift(timedelta(days=8))
    body = look(volunteer, gate.id, WULING_ID).get_json()
    assert (body["status"], body["valid"]) == ("green", False)


def test_someone_of_another_county_is_refused_and_the_refusal_logged(app, login, volunteer, gate):
    declared(app, login, id_number=DINGCHENG_ID, region="430703", village=village_in("430703"))
    response = look(volunteer, gate.id, DINGCHENG_ID)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["code"] == "lookup_outside_county"
    assert "name_masked" not in response.get_json() and "valid" not in response.get_json()
    (row,) = db.session.scalars(select(GateLookup)).all()
    assert (row.outcome, row.status) == ("outside_county", None)


def test_a_villager_living_in_the_county_now_is_found_whatever_their_household(
    app, login, volunteer, gate
):
    # Household registered in Dingcheng, but declared from a Wuling village: at home here now.
    declared(app, login, id_number=DINGCHENG_ID, region="430703", village=village_in("430702"))
    assert look(volunteer, gate.id, DINGCHENG_ID).status_code == 200


def test_an_unknown_number_is_not_found_and_logged(volunteer, gate):
    response = look(volunteer, gate.id, UNKNOWN_ID)
    assert response.status_code == 404
    assert response.get_json()["code"] == "person_not_found"
    assert [r.outcome for r in db.session.scalars(select(GateLookup))] == ["not_found"]


def test_a_number_that_is_no_id_number_is_refused(volunteer, gate):
    wrong = WULING_ID[:-1] + ("1" if WULING_ID[-1] != "1" else "2")  # wrong check character
    response = look(volunteer, gate.id, wrong)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "id_number_invalid"


def test_only_at_a_checkpoint_the_volunteer_works_at(app, login, gate, wuling_villager):
    elsewhere = login(make_volunteer(wuling_gate("西口卡点")), on=app.test_client())
    response = look(elsewhere, gate.id, WULING_ID)
    assert response.status_code == 403
    assert response.get_json()["code"] == "not_assigned"
    worker = login(make_user(roles=("worker",)), on=app.test_client())
    assert look(worker, gate.id, WULING_ID).status_code == 403
    assert db.session.scalars(select(GateLookup)).all() == []


def test_lookups_are_rate_limited_per_volunteer(app, login, volunteer, gate, wuling_villager):
    app.config.update(RATELIMIT_ENABLED=True, GATE_LOOKUP_RATE="3 per hour")
    number = WULING_ID
    for _ in range(3):
        assert look(volunteer, gate.id, number).status_code == 200
    limited = look(volunteer, gate.id, number)
    assert limited.status_code == 429
    assert limited.get_json()["code"] == "rate_limited"
    colleague = login(make_volunteer(gate), on=app.test_client())
    assert look(colleague, gate.id, number).status_code == 200


def test_supervisors_of_the_region_see_every_lookup_and_no_id_number_is_kept(
    app, login, volunteer, gate, wuling_villager, caplog
):
    caplog.set_level(logging.INFO)
    number = WULING_ID
    look(volunteer, gate.id, number)
    look(volunteer, gate.id, UNKNOWN_ID)
    officials = officials_of(gate.village_code)
    township = login(officials["township"], on=app.test_client())
    body = township.get("/api/v1/supervision/gate-lookups").get_json()
    assert [(i["outcome"], i["subject_name_masked"], i["status"]) for i in body["items"]] == [
        ("not_found", None, None),
        ("found", "王*兰", "green"),
    ]
    assert body["items"][0]["checkpoint_name"] == gate.name
    assert body["items"][0]["volunteer"]["name_masked"]
    by_day = township.get(
        "/api/v1/supervision/gate-lookups?from=2020-02-20&to=2020-02-20&outcome=found"
    )
    assert len(by_day.get_json()["items"]) == 1
    other = login(officials["other"], on=app.test_client())
    assert other.get("/api/v1/supervision/gate-lookups").get_json()["items"] == []
    assert volunteer.get("/api/v1/supervision/gate-lookups").status_code == 403
    # The ID number is in no log line, no lookup row and no audit event.
    logged = "\n".join(str(vars(record)) for record in caplog.records)  # with the extras
    assert "gate-lookups" in logged and number not in logged
    stored = [str(vars(r)) for r in db.session.scalars(select(GateLookup))]
    stored += [str(e.detail) + str(e.subject_id) for e in db.session.scalars(select(AuditEvent))]
    assert not any(number in text for text in stored)


def test_old_lookups_are_purged(volunteer, gate, wuling_villager, clock):
    number = WULING_ID
    look(volunteer, gate.id, number)
    clock.shift(timedelta(days=2))
    look(volunteer, gate.id, number)
    assert purge_before(T0 + timedelta(days=1)) == {"supervision_gate_lookups": 1}
    db.session.commit()
    assert len(db.session.scalars(select(GateLookup)).all()) == 1

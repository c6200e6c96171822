"""A phone's outbox reaches the server: idempotent by UUID, one answer per item."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, inspect, select

from app.checkpoints.models import CheckpointCheckIn, CheckpointScan
from app.checkpoints.services import place_code_token
from app.extensions import db
from tests.checkpoints.factories import (
    checkin_item,
    decision_item,
    make_checkpoint,
    make_volunteer,
    scan_item,
    verdict,
)
from tests.factories import declaration, make_user

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde
SYNC = "/api/v1/checkpoints/sync"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def checkpoint(app):
    return make_checkpoint()


@pytest.fixture
def volunteer(app, checkpoint, login):
    user = make_volunteer(checkpoint)
    login(user)
    return user


def sync(client, *items):
    return client.post(SYNC, json={"items": list(items)})


def scan_count() -> int:
    return db.session.scalar(select(func.count(CheckpointScan.id)))


def test_a_batch_of_scans_is_stored_and_each_item_answered(client, checkpoint, volunteer):
    items = [scan_item(checkpoint.id) for _ in range(3)]
    response = sync(client, *items)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["created"] == 3 and body["duplicates"] == 0 and body["rejected"] == 0
    assert [a["uuid"] for a in body["items"]] == [i["uuid"] for i in items]
    assert {a["result"] for a in body["items"]} == {"created"}
    assert scan_count() == 3
    row = db.session.scalars(select(CheckpointScan)).first()
    assert row.volunteer_id == volunteer.id
    assert row.received_dt == T0
    assert row.scan_day == date(2020, 2, 20)
    assert (row.valid, row.status, row.card_type, row.card_id) == (
        True,
        "green",
        "card",
        "3f9a0c7be215",
    )


def test_replaying_a_batch_stores_nothing_new_and_answers_duplicate(client, checkpoint, volunteer):
    items = [scan_item(checkpoint.id) for _ in range(2)]
    assert sync(client, *items).get_json()["created"] == 2
    again = sync(client, *items).get_json()
    assert again["created"] == 0 and again["duplicates"] == 2
    assert [a["result"] for a in again["items"]] == ["duplicate", "duplicate"]
    assert scan_count() == 2


def test_a_lost_answer_then_a_bigger_batch_only_adds_the_new_items(client, checkpoint, volunteer):
    first = [scan_item(checkpoint.id) for _ in range(2)]
    sync(client, *first)  # the phone never saw this answer (connection dropped)
    later = scan_item(checkpoint.id)
    body = sync(client, *first, later).get_json()
    assert [a["result"] for a in body["items"]] == ["duplicate", "duplicate", "created"]
    assert scan_count() == 3


def test_the_same_uuid_twice_in_one_batch_is_stored_once(client, checkpoint, volunteer):
    item = scan_item(checkpoint.id)
    body = sync(client, item, item).get_json()
    assert [a["result"] for a in body["items"]] == ["created", "duplicate"]
    assert scan_count() == 1


def test_a_replay_with_other_content_changes_nothing(client, checkpoint, volunteer):
    item = scan_item(checkpoint.id)
    sync(client, item)
    forged = {**item, "verdict": verdict(valid=False, reason="bad_signature", status=None)}
    assert sync(client, forged).get_json()["items"][0]["result"] == "duplicate"
    assert db.session.scalars(select(CheckpointScan)).one().valid is True


def test_500_items_are_accepted_and_501_are_refused_whole(client, checkpoint, volunteer):
    body = sync(client, *[scan_item(checkpoint.id) for _ in range(500)]).get_json()
    assert body["created"] == 500
    response = sync(client, *[scan_item(checkpoint.id) for _ in range(501)])
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "items"
    assert scan_count() == 500


def test_a_malformed_item_names_its_index_and_nothing_is_stored(client, checkpoint, volunteer):
    good = scan_item(checkpoint.id)
    bad = scan_item(checkpoint.id, verdict=verdict(reason="looks fine"))
    response = sync(client, good, bad)
    assert response.status_code == 422
    fields = [e["field"] for e in response.get_json()["errors"]]
    assert fields and all(f.startswith("items.1.") for f in fields)
    assert scan_count() == 0


def test_no_name_or_id_digits_can_be_uploaded(client, checkpoint, volunteer):
    item = scan_item(checkpoint.id, verdict=verdict(name_masked="张*三", id_last4="123X"))
    response = sync(client, item)
    assert response.status_code == 422
    assert {e["code"] for e in response.get_json()["errors"]} == {"extra_forbidden"}
    columns = {c.key for c in inspect(CheckpointScan).columns}
    assert not columns & {"name", "name_masked", "id_last4", "id_number", "holder", "qr"}


def test_scans_for_a_checkpoint_i_do_not_staff_are_rejected(app, client, volunteer):
    elsewhere = make_checkpoint(name="别处卡点")
    body = sync(client, scan_item(elsewhere.id)).get_json()
    assert body["items"][0] == {
        "uuid": body["items"][0]["uuid"],
        "result": "rejected",
        "code": "not_assigned",
        "message": "您不是该卡点的志愿者。",
    }
    assert scan_count() == 0


def test_scans_made_before_an_unassignment_still_count(client, checkpoint, volunteer):
    from app.checkpoints.models import CheckpointVolunteer

    row = db.session.get(CheckpointVolunteer, (checkpoint.id, volunteer.id))
    row.ended_dt = T0
    db.session.commit()
    assert sync(client, scan_item(checkpoint.id)).get_json()["created"] == 1


def test_workers_cannot_upload_scans(app, client, login, checkpoint):
    login(make_user(roles=("worker",)))
    body = sync(client, scan_item(checkpoint.id)).get_json()
    assert body["items"][0]["code"] == "forbidden"
    assert scan_count() == 0


def test_anonymous_uploads_are_refused(client, checkpoint):
    assert sync(client, scan_item(checkpoint.id)).status_code == 401


def test_the_day_of_a_scan_is_the_local_day_of_the_phone_clock(client, checkpoint, volunteer):
    late_evening = datetime(2020, 2, 19, 15, 30, tzinfo=UTC)  # 23:30 in Changde
    just_after = datetime(2020, 2, 19, 16, 0, tzinfo=UTC)  # 00:00 on the 20th
    ahead = T0 + timedelta(days=3)  # a phone clock running days ahead is not believed
    sync(
        client,
        scan_item(checkpoint.id, at=late_evening),
        scan_item(checkpoint.id, at=just_after),
        scan_item(checkpoint.id, at=ahead),
    )
    days = db.session.scalars(select(CheckpointScan.scan_day).order_by(CheckpointScan.id)).all()
    assert days == [date(2020, 2, 19), date(2020, 2, 20), date(2020, 2, 20)]


def test_a_phone_clock_that_is_not_a_time_falls_back_to_the_servers(client, checkpoint, volunteer):
    """A phone restarted with a dead battery says 1970; a broken one says year 1 at +14:00
    (which has no UTC instant): the scan and its decision are kept, on the server's day."""
    dead_battery = scan_item(checkpoint.id, scanned_at="1970-01-01T00:00:05+08:00")
    year_one = scan_item(checkpoint.id, scanned_at="0001-01-01T00:00:00+14:00")
    decision = decision_item(year_one["uuid"], decided_at="0001-01-01T00:00:00+14:00")
    response = sync(client, dead_battery, year_one, decision)
    assert response.status_code == 200, response.get_json()
    assert [a["result"] for a in response.get_json()["items"]] == ["created"] * 3
    rows = db.session.scalars(select(CheckpointScan).order_by(CheckpointScan.id)).all()
    assert [r.scan_day for r in rows] == [date(2020, 2, 20), date(2020, 2, 20)]
    assert rows[1].scanned_dt == T0 and rows[1].decided_dt == T0


def test_a_decision_follows_its_scan_in_the_same_batch(client, checkpoint, volunteer):
    scan = scan_item(checkpoint.id)
    decision = decision_item(scan["uuid"], "admit")
    body = sync(client, decision, scan).get_json()  # order inside a batch does not matter
    assert [a["result"] for a in body["items"]] == ["created", "created"]
    row = db.session.scalars(select(CheckpointScan)).one()
    assert row.decision == "admit" and row.flagged is False
    assert str(row.decision_uuid) == decision["uuid"]
    assert sync(client, decision).get_json()["items"][0]["result"] == "duplicate"


def test_refusing_a_valid_green_card_needs_a_reason_and_is_flagged(client, checkpoint, volunteer):
    scan = scan_item(checkpoint.id)
    sync(client, scan)
    no_reason = sync(client, decision_item(scan["uuid"], "refuse"))
    assert no_reason.status_code == 422
    assert no_reason.get_json()["errors"][0]["code"] == "refusal_reason_required"
    other = sync(client, decision_item(scan["uuid"], "refuse", reason="other", note="  "))
    assert other.get_json()["errors"][0]["code"] == "refusal_note_required"

    body = sync(
        client, decision_item(scan["uuid"], "refuse", reason="identity_mismatch", note="照片不符")
    ).get_json()
    assert body["created"] == 1
    row = db.session.scalars(select(CheckpointScan)).one()
    assert (row.decision, row.refusal_reason, row.refusal_note, row.flagged) == (
        "refuse",
        "identity_mismatch",
        "照片不符",
        True,
    )


@pytest.mark.parametrize(
    ("verdict_fields", "flagged"),
    [
        ({"status": "yellow"}, False),
        ({"status": "red"}, False),
        ({"valid": False, "reason": "expired"}, False),
        ({"valid": False, "reason": "bad_signature", "status": None, "kind": None}, False),
        ({"kind": "HC1", "status": None, "card_type": None, "card_id": None}, True),
    ],
)
def test_only_refusals_of_valid_passes_are_flagged(
    client, checkpoint, volunteer, verdict_fields, flagged
):
    scan = scan_item(checkpoint.id, verdict=verdict(**verdict_fields))
    sync(client, scan, decision_item(scan["uuid"], "refuse", reason="not_green"))
    assert db.session.scalars(select(CheckpointScan)).one().flagged is flagged


def test_a_second_decision_for_a_scan_is_rejected(client, checkpoint, volunteer):
    scan = scan_item(checkpoint.id)
    sync(client, scan, decision_item(scan["uuid"], "admit"))
    body = sync(client, decision_item(scan["uuid"], "refuse", reason="fever")).get_json()
    assert body["items"][0]["code"] == "already_decided"
    assert db.session.scalars(select(CheckpointScan)).one().decision == "admit"


def test_a_decision_for_an_unknown_or_someone_elses_scan_is_rejected(
    app, client, login, checkpoint, volunteer
):
    body = sync(client, decision_item(str(uuid.uuid4()))).get_json()
    assert body["items"][0]["code"] == "scan_unknown"
    scan = scan_item(checkpoint.id)
    sync(client, scan)
    colleague = make_volunteer(checkpoint)
    other = app.test_client()
    login(colleague, on=other)
    body = sync(other, decision_item(scan["uuid"], "refuse", reason="fever")).get_json()
    assert body["items"][0]["code"] == "forbidden"
    assert db.session.scalars(select(CheckpointScan)).one().decision is None


def test_a_workers_check_in_records_their_colour(app, client, login, checkpoint):
    worker = make_user(roles=("worker",))
    login(worker)
    client.post("/api/v1/declarations", json=declaration(hubei_exposure_date="2020-02-15"))
    item = checkin_item(place_code_token(checkpoint))
    body = sync(client, item).get_json()
    assert body["items"][0]["result"] == "created"
    row = db.session.scalars(select(CheckpointCheckIn)).one()
    assert (row.checkpoint_id, row.user_id, row.status, row.day) == (
        checkpoint.id,
        worker.id,
        "yellow",
        date(2020, 2, 20),
    )
    assert sync(client, item).get_json()["items"][0]["result"] == "duplicate"
    assert db.session.scalar(select(func.count(CheckpointCheckIn.id))) == 1


def test_check_ins_with_a_forged_or_outdated_place_code_are_rejected(client, login, checkpoint):
    login(make_user(roles=("worker",)))
    token = place_code_token(checkpoint)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    checkpoint.place_code_version += 1  # a new poster was printed
    db.session.commit()
    body = sync(client, checkin_item(forged), checkin_item(token)).get_json()
    assert [a["code"] for a in body["items"]] == ["place_code_invalid", "place_code_invalid"]
    assert db.session.scalar(select(func.count(CheckpointCheckIn.id))) == 0


def test_a_mixed_batch_answers_each_item_in_order(app, client, login, checkpoint):
    person = make_volunteer(checkpoint)
    person.add_role("worker")
    db.session.commit()
    login(person)
    scan = scan_item(checkpoint.id)
    items = [
        checkin_item(place_code_token(checkpoint)),
        scan,
        decision_item(scan["uuid"], "admit"),
        scan_item(make_checkpoint(name="别处卡点").id),
    ]
    body = sync(client, *items).get_json()
    assert [(a["uuid"], a["result"]) for a in body["items"]] == [
        (items[0]["uuid"], "created"),
        (items[1]["uuid"], "created"),
        (items[2]["uuid"], "created"),
        (items[3]["uuid"], "rejected"),
    ]


def test_a_clash_with_a_concurrent_upload_answers_409_and_keeps_nothing(
    client, checkpoint, volunteer, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    from app.checkpoints import ingest

    original = ingest.ingest

    def clash(*args, **kwargs):
        original(*args, **kwargs)  # the scans are written, then the batch hits a unique index
        raise IntegrityError("UPDATE checkpoint_scans", {}, Exception("unique decision_uuid"))

    monkeypatch.setattr(ingest, "ingest", clash)
    response = sync(client, scan_item(checkpoint.id))
    assert response.status_code == 409
    assert response.get_json()["code"] == "sync_conflict"
    assert scan_count() == 0

"""At the bus door: cards checked with the scanner's verdict, temperature, board or refuse,
synced later exactly once; no-shows at departure; the handover on arrival; the manifest."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.transport.models import BoardingScan, Passenger
from tests.transport.conftest import T0
from tests.transport.factories import crew, departure, make_request, make_trip, make_workers

SMALL = {"TRANSPORT_MIN_BATCH": 3}  # a batch of a few people keeps these tests short
small_app = pytest.mark.parametrize("app", [SMALL], indirect=True)


def verdict(card_id: str, status: str = "green") -> dict:
    return {
        "valid": True,
        "reason": "ok",
        "kind": "FG1",
        "status": status,
        "card_type": "card",
        "card_id": card_id,
        "issuer_region": "430700",
    }


def item(trip_id, passenger_id, card_id, *, decision="board", temperature="36.5", **kw):
    body = {
        "type": "boarding",
        "uuid": str(uuid.uuid4()),
        "trip_id": trip_id,
        "passenger_id": passenger_id,
        "scanned_at": (T0 - timedelta(minutes=5)).isoformat(),
        "verdict": kw.pop("verdict", None) or verdict(card_id),
        "temperature": temperature,
        "decision": decision,
    }
    body.update(kw)
    return body


def sync(client, *items):
    return client.post("/api/v1/transport/boarding/sync", json={"items": list(items)})


@small_app
def test_the_crew_downloads_the_list_to_match_cards_offline(client_of, setup, staff):
    escort = client_of(setup["escort"])
    body = escort.get(f"/api/v1/transport/trips/{setup['trip']}/boarding-list").get_json()
    assert len(body["passengers"]) == 4
    first = body["passengers"][0]
    assert first["card_ids"] and len(first["id_last4"]) == 4 and "*" in first["name_masked"]
    assert sorted(p["card_valid"] for p in body["passengers"]) == [False, True, True, True]
    mine = escort.get("/api/v1/transport/trips/mine").get_json()["items"]
    assert [t["id"] for t in mine] == [setup["trip"]]
    # Nobody else gets the card ids, not even the employer.
    employer_view = client_of(staff).get(f"/api/v1/transport/trips/{setup['trip']}/boarding-list")
    assert employer_view.status_code == 403


@small_app
def test_a_boarding_synced_twice_counts_once(client_of, setup):
    escort = client_of(setup["escort"])
    passenger_id, card_id = setup["greens"][0]
    scan = item(setup["trip"], passenger_id, card_id)
    first = sync(escort, scan).get_json()
    assert first["created"] == 1 and first["items"][0]["result"] == "created"
    again = sync(escort, scan).get_json()  # the answer was lost: the phone sends it again
    assert again["duplicates"] == 1 and again["created"] == 0
    assert db.session.scalar(select(func.count(BoardingScan.id))) == 1
    passenger = db.session.get(Passenger, passenger_id)
    assert passenger.state == "boarded" and str(passenger.temperature) == "36.5"
    assert passenger.boarded_dt == T0 - timedelta(minutes=5)  # the phone's time, not the upload's


@small_app
def test_a_red_card_is_refused_at_the_door_with_its_reason_on_the_manifest(client_of, setup, staff):
    escort = client_of(setup["escort"])
    passenger_id, card_id = setup["red"]
    red = verdict(card_id, status="red")
    boarded = sync(escort, item(setup["trip"], passenger_id, card_id, verdict=red)).get_json()
    assert boarded["items"][0] == {
        "uuid": boarded["items"][0]["uuid"],
        "result": "rejected",
        "code": "boarding_not_allowed",
        "message": boarded["items"][0]["message"],
    }
    refusal = item(
        setup["trip"], passenger_id, card_id, verdict=red, decision="refuse", reason="not_green"
    )
    assert sync(escort, refusal).get_json()["created"] == 1
    manifest = client_of(staff).get(f"/api/v1/transport/trips/{setup['trip']}").get_json()
    row = next(p for p in manifest["passengers"] if p["id"] == passenger_id)
    assert row["state"] == "refused" and row["refusal_text"] == "健康码非绿码"
    assert row["card"]["valid"] is False and row["card"]["status"] == "red"
    assert manifest["not_valid"] == 1 and manifest["counts"]["refused"] == 1
    csv = client_of(staff).get(f"/api/v1/transport/trips/{setup['trip']}/manifest.csv")
    assert "拒绝上车" in csv.get_data(as_text=True) and "健康码非绿码" in csv.get_data(as_text=True)


@small_app
def test_a_refusal_needs_a_reason_and_a_boarding_a_temperature(client_of, setup):
    escort = client_of(setup["escort"])
    passenger_id, card_id = setup["greens"][0]
    no_reason = item(setup["trip"], passenger_id, card_id, decision="refuse")
    assert sync(escort, no_reason).status_code == 422
    no_temperature = item(setup["trip"], passenger_id, card_id, temperature=None)
    response = sync(escort, no_temperature)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"].startswith("items.0")


@small_app
def test_a_fever_at_the_door_cannot_board(client_of, setup):
    escort = client_of(setup["escort"])
    passenger_id, card_id = setup["greens"][1]
    hot = sync(escort, item(setup["trip"], passenger_id, card_id, temperature="37.6")).get_json()
    assert hot["items"][0]["code"] == "boarding_not_allowed"
    refused = item(
        setup["trip"], passenger_id, card_id, decision="refuse", reason="fever", temperature="37.6"
    )
    assert sync(escort, refused).get_json()["created"] == 1
    assert db.session.get(Passenger, passenger_id).refusal_reason == "fever"


@small_app
def test_someone_else_s_card_or_an_unknown_trip_is_rejected(client_of, setup):
    escort = client_of(setup["escort"])
    (first, first_card), (second, _) = setup["greens"][:2]
    swapped = sync(escort, item(setup["trip"], second, first_card)).get_json()
    assert swapped["items"][0]["code"] == "identity_mismatch"
    stranger = client_of(crew()[0])
    assert (
        sync(stranger, item(setup["trip"], first, first_card)).get_json()["items"][0]["code"]
        == "not_crew"
    )


@small_app
def test_a_card_matched_on_the_server_when_the_phone_could_not(client_of, setup):
    escort = client_of(setup["escort"])
    passenger_id, card_id = setup["greens"][2]
    answer = sync(escort, item(setup["trip"], None, card_id)).get_json()
    assert answer["created"] == 1
    assert db.session.get(Passenger, passenger_id).state == "boarded"


@small_app
def test_departure_lists_no_shows_and_a_late_upload_still_counts(client_of, setup, clock):
    escort = client_of(setup["escort"])
    (first, first_card), (second, second_card), (third, _) = setup["greens"]
    sync(escort, item(setup["trip"], first, first_card))
    offline = item(setup["trip"], second, second_card)  # scanned, still on the phone
    clock.move_to(departure() + timedelta(minutes=1))
    trip = escort.post(f"/api/v1/transport/trips/{setup['trip']}/depart").get_json()
    assert trip["state"] == "travelling"
    assert trip["counts"] == {"boarded": 1, "no_show": 3}
    sync(escort, offline)  # back in signal on the motorway
    db.session.expire_all()
    assert db.session.get(Passenger, second).state == "boarded"
    assert db.session.get(Passenger, third).state == "no_show"


@small_app
def test_the_handover_flags_the_missing_to_both_sides(
    client_of, setup, staff, employer, clock, app
):
    escort = client_of(setup["escort"])
    (first, first_card), (second, second_card), _ = setup["greens"]
    sync(escort, item(setup["trip"], first, first_card), item(setup["trip"], second, second_card))
    clock.move_to(departure() + timedelta(minutes=1))
    escort.post(f"/api/v1/transport/trips/{setup['trip']}/depart")
    # The escort cannot sign for the receiving side of an inbound trip.
    url = f"/api/v1/transport/trips/{setup['trip']}/handover"
    assert escort.post(url, json={"arrived": [first]}).status_code == 403
    clock.move_to(departure() + timedelta(hours=11))
    response = client_of(staff).post(url, json={"arrived": [first], "note": "厂区门口交接"})
    assert response.status_code == 200, response.get_json()
    trip = response.get_json()
    assert trip["state"] == "arrived" and trip["missing"] == [second]
    missing_name = next(p for p in trip["passengers"] if p["id"] == second)["person"]["name_masked"]
    for phone in (employer.contact_phone, setup["escort"].phone, setup["medic"].phone):
        text = app.extensions["sms"].last_to(phone)
        assert "1 人未到" in text and missing_name in text
    batch = client_of(setup["escort"]).get(f"/api/v1/transport/requests/{setup['request']}")
    assert batch.get_json()["state"] == "arrived"  # every trip handed over, everyone seated


@small_app
def test_the_manifest_pdf_is_a4_and_every_export_is_audited(client_of, setup, staff):
    planner = client_of(staff)
    pdf = planner.get(f"/api/v1/transport/trips/{setup['trip']}/manifest.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf.data
    xlsx = planner.get(f"/api/v1/transport/trips/{setup['trip']}/manifest.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "座位" in values and any("湘J12345" in str(v) for v in values)
    exported = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "transport.manifest_exported")
    ).all()
    assert sorted(d["format"] for d in exported) == ["pdf", "xlsx"]
    assert not any(w.phone in pdf.data.decode("latin-1") for w in [setup["escort"]])


@small_app
def test_a_worker_without_a_declaration_shows_why_on_the_manifest(
    client_of, employer, staff, wuling_official
):
    people = make_workers(employer, 2) + make_workers(employer, 1, status=None)
    batch = make_request(employer, staff, people, approve_by=wuling_official)
    escort, medic = crew()
    trip = make_trip(staff, batch, escort, medic)
    body = client_of(staff).get(f"/api/v1/transport/trips/{trip.id}").get_json()
    undeclared = [p for p in body["passengers"] if not p["card"]["valid"]]
    assert len(undeclared) == 1 and undeclared[0]["card"]["reasons"] == ["no_declaration"]
    assert "未申报" in undeclared[0]["card"]["text"]

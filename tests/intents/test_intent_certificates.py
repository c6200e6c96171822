"""Staff issue outbound health certificates that destinations verify against our trust list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.cards import signing
from app.cards.rules import StatusDecision
from app.cards.services import set_status
from app.credentials import TrustStore, decode_payload, verify
from app.extensions import db
from app.quarantine.models import QuarantineCase
from tests.factories import township_of
from tests.intents.factories import T0, add_intent, declare_health, staff_of, worker_in


@pytest.fixture
def staff(app):
    return staff_of("430702", name="赵丽")


@pytest.fixture
def worker(app):
    return worker_in(name="李小梅")


def issue(client, intent_id):
    return client.post(f"/api/v1/ledger/people/{intent_id}/certificate")


def test_staff_issue_a_certificate_naming_destination_and_departure(client, login, staff, worker):
    intent = add_intent(worker, destination_code="440300", departure_date=date(2020, 2, 24))
    login(staff)
    detail = client.get(f"/api/v1/ledger/people/{intent.id}").get_json()
    assert detail["eligibility"] == {"eligible": True, "reasons": []}

    response = issue(client, intent.id)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    card = body["card"]
    assert card["card_type"] == "certificate" and card["status"] == "green"
    assert card["destination_code"] == "440300" and card["departure_date"] == "2020-02-24"
    assert datetime.fromisoformat(card["expires_at"]) - datetime.fromisoformat(
        card["issued_at"]
    ) == timedelta(days=7)
    assert body["pdf_url"].endswith("/print.pdf")
    claim = decode_payload(card["qr"])
    assert worker.name not in repr(claim) and worker.phone not in repr(claim)

    person = client.get(f"/api/v1/ledger/people/{intent.id}").get_json()
    assert person["person"]["certified"] is True
    assert person["certificate"]["card"]["card_id"] == card["card_id"]
    counts = client.get("/api/v1/ledger").get_json()["totals"]
    assert counts["certified"] == 1


def test_a_destination_verifies_it_offline_with_our_published_trust_list(
    client, login, staff, worker
):
    intent = add_intent(worker)
    login(staff)
    qr = issue(client, intent.id).get_json()["card"]["qr"]

    # At the destination: only the published document and our root certificate, no database.
    document = client.get("/.well-known/fangang/trust-list.json").get_json()
    roots = [signer.certificate for signer in signing.keyring().signers()]
    store = TrustStore.from_trust_list(document, root_keys=roots, now=T0)
    result = verify(qr, store, T0 + timedelta(hours=1))
    assert result.valid and result.region == "430700"
    assert result.card["card_type"] == "certificate"
    assert result.card["destination"] == 440300
    assert result.card["departure"] == date(2020, 2, 24)
    assert not verify(qr, store, T0 + timedelta(days=8)).valid  # expired after 7 days

    server = client.post("/api/v1/verify", json={"qr": qr}).get_json()
    assert server["valid"] is True and server["card_type"] == "certificate"


def test_the_worker_sees_and_prints_their_certificate(client, login, staff, worker):
    intent = add_intent(worker)
    login(staff)
    card_id = issue(client, intent.id).get_json()["card"]["card_id"]
    login(worker)
    mine = client.get("/api/v1/intents/mine").get_json()
    assert mine["certificate"]["card"]["card_id"] == card_id
    assert mine["intent"]["certified"] is True
    pdf = client.get(mine["certificate"]["pdf_url"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    png = client.get(mine["certificate"]["png_url"])
    assert png.status_code == 200 and png.mimetype == "image/png"


def refusal(client, intent_id):
    response = issue(client, intent_id)
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "certificate_refused"
    return set(body["reasons"])


def test_yellow_workers_with_hubei_exposure_are_refused_with_reasons(client, login, staff):
    exposed = worker_in(green=False)
    declare_health(exposed, hubei_exposure_date=date(2020, 2, 12))
    intent = add_intent(exposed)
    login(staff)
    assert refusal(client, intent.id) == {
        "certificate_not_green",
        "certificate_quarantine_open",
        "certificate_hubei_exposure",
    }
    detail = client.get(f"/api/v1/ledger/people/{intent.id}").get_json()["eligibility"]
    assert detail["eligible"] is False
    assert "健康码不是绿码。" in {r["text"] for r in detail["reasons"]}


def test_an_exposure_still_within_14_days_refuses_even_a_green_card(client, login, staff):
    person = worker_in(green=False)
    declare_health(person, hubei_exposure_date=date(2020, 2, 10))
    release = datetime(2020, 2, 20, 1, tzinfo=UTC)  # released early, by an official's decision
    set_status(person, StatusDecision("green", ()), cause="release", now=release)
    db.session.execute(
        update(QuarantineCase).where(QuarantineCase.user_id == person.id).values(state="released")
    )
    db.session.commit()
    intent = add_intent(person)
    login(staff)
    assert refusal(client, intent.id) == {"certificate_hubei_exposure"}


@pytest.mark.parametrize(
    ("overrides", "reasons"),
    [
        ({"departure_date": None}, {"certificate_departure_missing"}),
        ({"departure_date": date(2020, 2, 27)}, {"certificate_too_early"}),
        ({"kind": "local", "destination_code": "430702"}, {"certificate_not_outbound"}),
    ],
)
def test_the_intent_must_name_a_near_outbound_departure(
    client, login, staff, worker, overrides, reasons
):
    intent = add_intent(worker, **overrides)
    login(staff)
    assert refusal(client, intent.id) == reasons


def test_no_declaration_no_certificate(client, login, staff):
    person = worker_in(green=False)
    intent = add_intent(person)
    login(staff)
    assert refusal(client, intent.id) == {"certificate_no_declaration"}


def test_a_colour_change_revokes_the_certificate_and_the_ledger_follows(
    client, login, staff, worker
):
    intent = add_intent(worker)
    login(staff)
    qr = issue(client, intent.id).get_json()["card"]["qr"]
    declare_health(
        worker, temperature=Decimal("38.2"), symptoms=["fever"], at=T0 + timedelta(hours=1)
    )
    verdict = client.post("/api/v1/verify", json={"qr": qr}).get_json()
    assert verdict["valid"] is False and verdict["reason"] == "revoked"
    person = client.get(f"/api/v1/ledger/people/{intent.id}").get_json()
    assert person["person"]["certified"] is False
    assert person["history"][0]["action"] == "certificate_revoked"
    assert client.get("/api/v1/ledger").get_json()["totals"]["certified"] == 0


def test_changing_destination_revokes_the_certificate(client, login, staff, worker):
    intent = add_intent(worker)
    login(staff)
    qr = issue(client, intent.id).get_json()["card"]["qr"]
    login(worker)
    changed = client.put(
        "/api/v1/intents/mine",
        json={
            "kind": "outbound",
            "destination_code": "330100",
            "trade": "electronics",
            "departure_date": "2020-02-24",
        },
    )
    assert changed.get_json()["intent"]["certified"] is False
    assert client.post("/api/v1/verify", json={"qr": qr}).get_json()["reason"] == "revoked"


def test_reissuing_replaces_the_earlier_certificate(client, login, staff, worker):
    intent = add_intent(worker)
    login(staff)
    first = issue(client, intent.id).get_json()["card"]
    second = issue(client, intent.id).get_json()["card"]
    assert first["card_id"] != second["card_id"]
    assert client.post("/api/v1/verify", json={"qr": first["qr"]}).get_json()["reason"] == (
        "revoked"
    )
    person = client.get(f"/api/v1/ledger/people/{intent.id}").get_json()["person"]
    assert person["certificate_card_id"] == second["card_id"] and person["certified"]


def test_only_staff_of_the_workers_region_issue(client, login, worker):
    intent = add_intent(worker)
    login(staff_of("430703"))
    assert issue(client, intent.id).status_code == 404
    login(worker, on=client)
    assert issue(client, intent.id).status_code == 403
    login(staff_of(township_of(worker.region_code)), on=client)
    assert issue(client, intent.id).status_code == 201

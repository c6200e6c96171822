"""Village staff register a worker without a smartphone and print a paper card."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
import zxingcpp
from PIL import Image

from app.extensions import db
from tests.factories import declaration, make_user, township_of, village_in

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)
ID_NUMBER = "430702195501011239"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def village():
    return village_in("430702")


@pytest.fixture
def staff(app, client, login, village):
    official = make_user(roles=("official",), region_code=township_of(village))
    login(official)
    return official


def register(client, village, **overrides):
    body = {
        "name": "欧阳秀兰",
        "id_number": ID_NUMBER,
        "consent": True,
        "declaration": declaration(current_village_code=village),
    }
    body.update(overrides)
    return client.post("/api/v1/paper-cards", json=body)


def test_staff_register_a_worker_and_get_a_seven_day_paper_card(client, staff, village):
    response = register(client, village)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    card = body["card"]
    assert card["card_type"] == "paper"
    assert card["name_masked"] == "欧*兰"
    assert card["id_last4"] == "1239"
    expires = datetime.fromisoformat(card["expires_at"])
    assert expires - T0 == timedelta(days=7)
    verdict = client.post("/api/v1/verify", json={"qr": card["qr"]}).get_json()
    assert verdict["valid"] and verdict["card_type"] == "paper"


def test_consent_is_required(client, staff, village):
    response = register(client, village, consent=False)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "consent_required"


def test_the_declaration_records_who_registered_and_consent(client, staff, village):
    from sqlalchemy import select

    from app.cards.models import HealthDeclaration

    register(client, village)
    row = db.session.scalars(select(HealthDeclaration)).one()
    assert row.proxy_by_id == staff.id and row.consent_recorded is True


def test_staff_of_another_county_may_not_register_here(app, client, login, village):
    login(make_user(roles=("official",), region_code="430703"))
    assert register(client, village).status_code == 403


def test_workers_may_not_register_others(client, login, village):
    login(make_user())
    assert register(client, village).status_code == 403


def test_printed_png_decodes_to_the_signed_card(client, staff, village):
    card = register(client, village).get_json()["card"]
    png = client.get(f"/api/v1/cards/{card['card_id']}/print.png")
    assert png.mimetype == "image/png"
    image = Image.open(io.BytesIO(png.data))
    assert image.size == (620, 874)  # A6 at 150 dpi
    decoded = zxingcpp.read_barcodes(image)
    assert [d.text for d in decoded] == [card["qr"]]


def test_printed_pdf_is_one_a6_page(client, staff, village):
    card = register(client, village).get_json()["card"]
    pdf = client.get(f"/api/v1/cards/{card['card_id']}/print.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 297.6378 419.5276 ]" in pdf.data  # A6 in points
    assert ID_NUMBER.encode() not in pdf.data


def test_reprinting_revokes_the_earlier_paper_card(client, staff, village):
    first = register(client, village).get_json()["card"]
    second = register(client, village).get_json()["card"]
    assert first["card_id"] != second["card_id"]
    verdict = client.post("/api/v1/verify", json={"qr": first["qr"]}).get_json()
    assert verdict["reason"] == "revoked"


def test_staff_withdraw_a_paper_card(client, staff, village):
    card = register(client, village).get_json()["card"]
    response = client.post(f"/api/v1/cards/{card['card_id']}/revoke", json={"comment": "丢失"})
    assert response.status_code == 200 and response.get_json()["revoked"] is True
    verdict = client.post("/api/v1/verify", json={"qr": card["qr"]}).get_json()
    assert verdict["valid"] is False and verdict["reason"] == "revoked"
    assert verdict["reason_text"] == "已撤销"


def test_someone_elses_card_is_not_found(app, client, staff, village, login):
    card = register(client, village).get_json()["card"]
    outsider = login(make_user(), on=app.test_client())
    assert outsider.get(f"/api/v1/cards/{card['card_id']}").status_code == 404
    assert outsider.get(f"/api/v1/cards/{card['card_id']}/print.png").status_code == 404

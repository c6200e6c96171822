"""Employers record test batches (roster links or counts) and upload each batch's invoice."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.pwa import PWA_DIR
from app.subsidies.invoices import MAX_INVOICE_BYTES
from app.subsidies.models import SubsidyInvoice, TestBatch
from tests.employers.factories import make_employer, owner_of
from tests.factories import make_user
from tests.subsidies.factories import (
    DINGCHENG,
    jpeg_bytes,
    make_batch,
    official,
    pdf_bytes,
    png_bytes,
    roster_workers,
)


@pytest.fixture
def employer(app):
    return make_employer()


@pytest.fixture
def staff(employer, client_of):
    return client_of(owner_of(employer))


def batch_body(**overrides):
    body = {
        "tested_on": "2020-02-18",
        "institution": "常德市第一人民医院",
        "roster_user_ids": [],
        "counted_only": 12,
        "cost_fen": 96000,
    }
    body.update(overrides)
    return body


def test_a_batch_links_roster_workers_and_counts_the_others(employer, staff):
    workers = roster_workers(employer, 3)
    response = staff.post(
        "/api/v1/subsidies/batches",
        json=batch_body(roster_user_ids=[w.id for w in workers], counted_only=7),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["people_count"] == 10
    assert body["counted_only"] == 7
    assert {p["user_id"] for p in body["people"]} == {w.id for w in workers}
    assert all("*" in p["name_masked"] for p in body["people"])  # names masked
    assert body["cost_fen"] == 96000
    assert body["invoice"] is None


def test_a_worker_of_another_employer_cannot_be_linked(employer, staff):
    stranger = make_user(roles=("worker",))
    response = staff.post(
        "/api/v1/subsidies/batches", json=batch_body(roster_user_ids=[stranger.id])
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0] == {
        "field": "roster_user_ids.0",
        "code": "not_on_roster",
        "message": "该人员不在本企业花名册中。",
    }
    assert db.session.query(TestBatch).count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"cost_fen": 960.5}, "cost_fen"),  # money is integer fen, never a float
        ({"cost_fen": "96000"}, "cost_fen"),
        ({"cost_fen": -1}, "cost_fen"),
        ({"counted_only": 0}, "counted_only"),  # nobody tested
        ({"tested_on": "2020-02-21"}, "tested_on"),  # tomorrow in Changde
        ({"tested_on": "2018-01-01"}, "tested_on"),
    ],
)
def test_bad_batches_change_nothing(staff, overrides, field):
    response = staff.post("/api/v1/subsidies/batches", json=batch_body(**overrides))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field
    assert db.session.query(TestBatch).count() == 0


def test_only_employer_staff_record_batches(app, client_of):
    worker = client_of(make_user(roles=("worker",)))
    assert worker.post("/api/v1/subsidies/batches", json=batch_body()).status_code == 403


@pytest.mark.parametrize(
    "data, media_type",
    [(pdf_bytes(), "application/pdf"), (png_bytes(), "image/png"), (jpeg_bytes(), "image/jpeg")],
    ids=["pdf", "png", "jpeg"],
)
def test_invoice_type_is_read_from_the_content(employer, staff, invoice_dir, data, media_type):
    batch_id = staff.post("/api/v1/subsidies/batches", json=batch_body()).get_json()["id"]
    # The client claims something else: the bytes decide.
    response = staff.put(
        f"/api/v1/subsidies/batches/{batch_id}/invoice",
        data=data,
        content_type="application/octet-stream",
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["invoice"]["media_type"] == media_type
    invoice = db.session.query(SubsidyInvoice).one()
    stored = invoice_dir / invoice.storage_key
    assert stored.read_bytes() == data
    assert PWA_DIR not in stored.parents  # outside the web root
    assert invoice.storage_key not in response.get_data(as_text=True)  # its name stays inside
    # The employer gets the very file back, with its real type.
    download = staff.get(f"/api/v1/subsidies/batches/{batch_id}/invoice")
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == media_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 20,
        b"\x89PNG\r\n\x1a\n" + b"not really a png",
        b"%PDF-1.4 truncated",
        b"MZ\x90\x00",  # an .exe named invoice.pdf
    ],
    ids=["html", "gif", "fake-png", "truncated-pdf", "exe"],
)
def test_other_files_are_refused(staff, data):
    batch_id = staff.post("/api/v1/subsidies/batches", json=batch_body()).get_json()["id"]
    response = staff.put(
        f"/api/v1/subsidies/batches/{batch_id}/invoice", data=data, content_type="application/pdf"
    )
    assert response.status_code == 415
    assert response.get_json()["code"] == "invoice_type_refused"
    assert db.session.query(SubsidyInvoice).count() == 0


def test_an_invoice_over_10_mb_is_refused(staff, invoice_dir):
    batch_id = staff.post("/api/v1/subsidies/batches", json=batch_body()).get_json()["id"]
    too_big = b"%PDF-1.4\n" + b"0" * MAX_INVOICE_BYTES + b"\n%%EOF"
    response = staff.put(
        f"/api/v1/subsidies/batches/{batch_id}/invoice",
        data=too_big,
        content_type="application/pdf",
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "invoice_too_large"
    assert not invoice_dir.exists() or not list(invoice_dir.iterdir())  # nothing kept


def test_a_10_mb_invoice_is_accepted(staff):
    batch_id = staff.post("/api/v1/subsidies/batches", json=batch_body()).get_json()["id"]
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    exactly = head + b"0" * (MAX_INVOICE_BYTES - len(head) - len(tail)) + tail
    response = staff.put(
        f"/api/v1/subsidies/batches/{batch_id}/invoice",
        data=exactly,
        content_type="application/pdf",
    )
    assert response.status_code == 200
    assert response.get_json()["invoice"]["size_bytes"] == MAX_INVOICE_BYTES


def test_the_invoice_is_shown_to_the_employer_and_its_reviewers_only(employer, client_of):
    batch = make_batch(employer, invoice=png_bytes())
    url = f"/api/v1/subsidies/batches/{batch.id}/invoice"
    assert client_of(owner_of(employer)).get(url).status_code == 200
    assert client_of(official("430702")).get(url).status_code == 200  # Wuling reviews it
    assert client_of(official("430700")).get(url).status_code == 200  # the city oversees all
    other_employer = make_employer(region_code="430702", name="常德另一家公司")
    for outsider in (
        owner_of(other_employer),  # another employer
        official(DINGCHENG),  # another county
        make_user(roles=("official",), region_code=_village()),  # a village official
        make_user(roles=("worker",)),
    ):
        assert client_of(outsider).get(url).status_code == 404
        assert client_of(outsider).get(f"/api/v1/subsidies/batches/{batch.id}").status_code == 404


def _village() -> str:
    from tests.factories import village_in

    return village_in("430702")


def test_a_claimed_batch_keeps_its_invoice(employer, staff):
    from tests.subsidies.factories import make_application, make_policy

    make_policy()
    batch = make_batch(employer)
    make_application(employer, [batch])
    response = staff.put(
        f"/api/v1/subsidies/batches/{batch.id}/invoice", data=png_bytes(), content_type="image/png"
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "batch_claimed"
    assert staff.delete(f"/api/v1/subsidies/batches/{batch.id}").status_code == 409


def test_invoices_are_kept_in_the_instance_folder_by_default(app):
    from app.subsidies.invoices import storage_dir

    app.config.pop("SUBSIDY_INVOICE_DIR")
    folder = storage_dir()
    assert folder == Path(app.instance_path) / "invoices"
    assert PWA_DIR not in folder.parents and folder != PWA_DIR

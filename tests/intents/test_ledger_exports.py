"""Officials export the ledger (CSV, XLSX) with their name and the time; every export is audited;
the files stream row by row. The charts are SVG made on the server."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.regions.services import villages
from tests.factories import township_of
from tests.intents.factories import add_intent, staff_of, worker_in


@pytest.fixture
def ledger_people(app):
    wuling, dingcheng = villages("430702")[0].code, villages("430703")[0].code
    for index in range(5):
        add_intent(worker_in(wuling), trade="electronics" if index % 2 else "construction")
    add_intent(worker_in(dingcheng), destination_code="330100")
    return wuling


@pytest.fixture
def official(app, login):
    user = staff_of("430702", name="赵丽")
    login(user)
    return user


def exports_audited() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.exported"))
    )


def read_csv(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_streams_with_the_officials_name_and_time(client, official, ledger_people):
    response = client.get("/api/v1/ledger/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["武陵区务工意向台账（外出）"]
    assert rows[1] == ["导出人：赵丽（武陵区）"]
    assert rows[2] == ["导出时间：2020-02-20 10:00（北京时间）"]
    assert rows[4] == ["人数：5"]
    header = rows[6]
    assert header[:3] == ["姓名", "身份证号", "手机号"]
    people = rows[7:]
    assert len(people) == 5  # Dingcheng's worker is not Wuling's
    assert all("*" in row[0] and "**********" in row[1] and "****" in row[2] for row in people)
    assert {row[7] for row in people} == {"深圳市"}

    (event,) = exports_audited()
    assert event.actor_id == official.id and event.region_code == "430702"
    assert event.detail["format"] == "csv" and event.detail["rows"] == 5


def test_xlsx_export_with_filters(client, official, ledger_people):
    response = client.get("/api/v1/ledger/export.xlsx", query_string={"trade": "electronics"})
    assert response.status_code == 200 and response.is_streamed
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "武陵区务工意向台账（外出）"
    assert values[1][0] == "导出人：赵丽（武陵区）"
    assert "trade=electronics" in values[3][0]
    people = [row for row in values[7:] if row and row[0]]
    assert len(people) == 2
    assert {row[9] for row in people} == {"电子装配"}
    (event,) = exports_audited()
    assert event.detail["format"] == "xlsx"
    assert event.detail["filters"]["trade"] == "electronics"


def test_responsible_staff_export_phone_numbers_in_english(client, login, ledger_people):
    login(staff_of(township_of(ledger_people), name="Li Lei", locale="en"))
    rows = read_csv(client.get("/api/v1/ledger/export.csv"))
    assert rows[1][0].startswith("Exported by: Li Lei")
    phones = [row[2] for row in rows[7:]]
    assert len(phones) == 5 and all(len(p) == 11 and p.isdigit() for p in phones)


def test_exports_outside_the_officials_region_are_refused_and_not_audited(
    client, login, official, ledger_people
):
    assert client.get(
        "/api/v1/ledger/export.csv", query_string={"region": "430703"}
    ).status_code == (403)
    bad = client.get("/api/v1/ledger/export.xlsx", query_string={"departure_from": "someday"})
    assert bad.status_code == 422
    worker = worker_in()
    login(worker, on=client)
    assert client.get("/api/v1/ledger/export.csv").status_code == 403
    assert exports_audited() == []


def test_charts_are_svg_by_destination_and_by_week(client, official, ledger_people):
    response = client.get("/api/v1/ledger/charts/destinations.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "深圳市" in texts and any(t.startswith("5 · 定岗") for t in texts)

    weeks = client.get("/api/v1/ledger/charts/weeks.svg", query_string={"trade": "electronics"})
    root = ElementTree.fromstring(weeks.data)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2/24" in texts  # the Monday of the week everyone leaves
    assert "已开健康证明" in texts


def test_an_empty_region_gets_an_empty_chart(client, login, app):
    login(staff_of("430703"))
    root = ElementTree.fromstring(client.get("/api/v1/ledger/charts/weeks.svg").data)
    assert "暂无数据" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_xlsx_export_survives_control_characters_in_stored_text(client, official, ledger_people):
    """Rows saved before the API refused control characters still export (openpyxl would
    refuse the whole workbook), and a filter value echoed in the header too."""
    from app.intents.models import EmploymentIntent

    intent = db.session.scalars(select(EmploymentIntent)).first()
    intent.job_arranged, intent.employer_name, intent.note = True, "常德\x01某厂", "备注\x0b"
    db.session.commit()
    response = client.get(
        "/api/v1/ledger/export.xlsx", query_string={"departure_from": "2020-02-01"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "常德某厂" in cells

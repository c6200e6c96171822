"""The finance office exports applications (CSV, XLSX; audited); an employer gets its own
statement."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from tests.employers.factories import make_employer, owner_of
from tests.factories import make_user
from tests.subsidies.factories import (
    DINGCHENG,
    WULING,
    fund,
    make_application,
    make_batch,
    make_policy,
)


@pytest.fixture
def decided(app):
    """Wuling: one approved and paid, one approved, one pending, one refused."""
    make_policy()
    make_policy(DINGCHENG)
    fund(WULING, 10_000_000)
    employer = make_employer(name='=HYPERLINK("x")公司')  # a formula in a name stays text
    other = make_employer(region_code=DINGCHENG, name="鼎城某公司")
    apps = [make_application(employer, [make_batch(employer, people=n)]) for n in (10, 5, 3, 2)]
    make_application(other, [make_batch(other)])
    reviewer = make_user(roles=("official",), region_code=WULING, name="赵丽")
    from app.subsidies import services

    services.approve(apps[0].id, amount_fen=80000, actor=reviewer)
    services.mark_paid(apps[0].id, actor=reviewer)
    services.approve(apps[1].id, amount_fen=40000, actor=reviewer)
    services.refuse(apps[3].id, reason="发票不清晰", actor=reviewer)
    db.session.commit()
    return employer, reviewer, apps


def audited() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "subsidies.exported"))
    )


def test_csv_export_lists_the_countys_applications_in_yuan(decided, client_of):
    employer, reviewer, apps = decided
    response = client_of(reviewer).get("/api/v1/subsidies/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["武陵区核酸检测补贴申请"]
    assert rows[1] == ["导出人：赵丽（武陵区）"]
    assert rows[4] == ["申请数：4"]
    header = rows[6]
    table = [dict(zip(header, row, strict=True)) for row in rows[7:]]
    assert [int(r["申请编号"]) for r in table] == [a.id for a in apps]  # not Dingcheng's
    assert [r["状态"] for r in table] == ["已拨付", "已批准", "待审核", "未批准"]
    assert table[0]["批准金额（元）"] == "800.00"
    assert table[0]["企业名称"].startswith("'=")  # defused formula
    assert table[3]["未批准原因"] == "发票不清晰"
    [event] = audited()
    assert event.actor_id == reviewer.id
    assert event.detail["rows"] == 4


def test_xlsx_export_with_a_status_filter_in_english(decided, client_of):
    _, _, apps = decided
    reviewer = make_user(roles=("official",), region_code=WULING, locale="en")
    response = client_of(reviewer).get(
        "/api/v1/subsidies/export.xlsx", query_string={"status": "approved"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Wuling District: testing subsidy applications"
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Application")
    data = [r for r in rows[header_at + 1 :] if r and r[0] is not None]
    assert [(r[0], r[8], r[9]) for r in data] == [(apps[1].id, "400.00", "approved")]
    assert audited()[0].detail["filters"] == {"status": "approved"}


def test_other_counties_cannot_be_exported(decided, client_of):
    _, reviewer, _ = decided
    response = client_of(reviewer).get(
        "/api/v1/subsidies/export.csv", query_string={"county": DINGCHENG}
    )
    assert response.status_code == 403
    assert audited() == []
    worker = client_of(make_user(roles=("worker",)))
    assert worker.get("/api/v1/subsidies/export.csv").status_code == 403


def test_the_employer_statement_sums_what_was_approved_and_paid(decided, client_of):
    employer, _, apps = decided
    staff = client_of(owner_of(employer))
    body = staff.get("/api/v1/subsidies/statement").get_json()
    assert [a["id"] for a in body["items"]] == [a.id for a in apps]
    assert body["totals"] == {
        "applications": 4,
        "requested_fen": (10 + 5 + 3 + 2) * 8000,
        "approved_fen": 120000,
        "paid_fen": 80000,
    }
    statement = staff.get("/api/v1/subsidies/statement.csv").get_data(as_text=True)
    assert "已批准：1200.00 元；已拨付：800.00 元" in statement
    # Another employer's statement shows none of these.
    other = make_employer(name="别家公司")
    assert client_of(owner_of(other)).get("/api/v1/subsidies/statement").get_json()["items"] == []

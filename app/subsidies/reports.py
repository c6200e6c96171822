"""The finance office's export of applications, and an employer's own statement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.subsidies.models import SubsidyApplication
from app.subsidies.services import yuan
from app.timeutil import app_tz

STATUS_WORDS = {
    "zh-CN": {"submitted": "待审核", "approved": "已批准", "refused": "未批准", "paid": "已拨付"},
    "en": {"submitted": "pending", "approved": "approved", "refused": "refused", "paid": "paid"},
}
EXPORT_COLUMNS = {
    "zh-CN": [
        "申请编号",
        "企业名称",
        "统一社会信用代码",
        "区县",
        "提交时间",
        "受检人数",
        "检测费用（元）",
        "申请金额（元）",
        "批准金额（元）",
        "状态",
        "审核时间",
        "拨付时间",
        "未批准原因",
    ],
    "en": [
        "Application",
        "Employer",
        "Credit code",
        "County",
        "Submitted",
        "People tested",
        "Cost (yuan)",
        "Requested (yuan)",
        "Approved (yuan)",
        "Status",
        "Decided",
        "Paid",
        "Refusal reason",
    ],
}
STATEMENT_COLUMNS = {
    "zh-CN": [
        "申请编号",
        "提交时间",
        "受检人数",
        "检测费用（元）",
        "申请金额（元）",
        "批准金额（元）",
        "状态",
        "拨付时间",
    ],
    "en": [
        "Application",
        "Submitted",
        "People tested",
        "Cost (yuan)",
        "Requested (yuan)",
        "Approved (yuan)",
        "Status",
        "Paid",
    ],
}


def _local(value: datetime | None) -> str:
    return value.astimezone(app_tz()).strftime("%Y-%m-%d %H:%M") if value else ""


def _locale(locale: str) -> str:
    return "en" if locale == "en" else "zh-CN"


def export_rows(stmt: Select, locale: str) -> Iterator[list[Any]]:
    """One row per application, oldest first, read in pages so the export never sits in memory."""
    words = STATUS_WORDS[_locale(locale)]
    stmt = stmt.options(
        joinedload(SubsidyApplication.employer), joinedload(SubsidyApplication.county)
    ).order_by(SubsidyApplication.id)
    last = 0
    while True:
        page = list(
            db.session.scalars(stmt.where(SubsidyApplication.id > last).limit(500)).unique()
        )
        if not page:
            return
        for a in page:
            yield [
                a.id,
                a.employer.name,
                a.employer.credit_code,
                a.county.name("en" if locale == "en" else "zh-CN"),
                _local(a.submitted_dt),
                a.people_count,
                yuan(a.cost_fen),
                yuan(a.requested_fen),
                yuan(a.approved_fen) if a.approved_fen is not None else "",
                words[a.status],
                _local(a.decided_dt),
                _local(a.paid_dt),
                a.refusal_reason or "",
            ]
        last = page[-1].id


def statement_rows(applications: list[SubsidyApplication], locale: str) -> list[list[Any]]:
    words = STATUS_WORDS[_locale(locale)]
    return [
        [
            a.id,
            _local(a.submitted_dt),
            a.people_count,
            yuan(a.cost_fen),
            yuan(a.requested_fen),
            yuan(a.approved_fen) if a.approved_fen is not None else "",
            words[a.status],
            _local(a.paid_dt),
        ]
        for a in applications
    ]


def totals(applications: list[SubsidyApplication]) -> dict[str, int]:
    """Requested, approved (approved or paid) and paid sums, in fen."""
    return {
        "applications": len(applications),
        "requested_fen": sum(a.requested_fen for a in applications),
        "approved_fen": sum(
            a.approved_fen or 0 for a in applications if a.status in ("approved", "paid")
        ),
        "paid_fen": sum(a.approved_fen or 0 for a in applications if a.status == "paid"),
    }

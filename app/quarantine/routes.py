"""Quarantine cases for staff, aggregates for officials above them, and the worker's own case."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import date

from flask import Blueprint
from flask_login import current_user

from app.accounts.identity import mask_name, mask_phone
from app.api import endpoint
from app.api.pagination import keyset_page
from app.cards.models import HealthStatus
from app.cards.schemas import RegionName
from app.employers.models import EmployerWorker
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.quarantine import services, workplace
from app.quarantine.models import QuarantineCase
from app.quarantine.rules import day_number, days_left
from app.quarantine.schemas import (
    BulkReleaseIn,
    BulkReleaseOut,
    CaseDetail,
    CaseOpenIn,
    CaseOut,
    CasePage,
    CaseQuery,
    CaseUpdateIn,
    CheckIn,
    CheckOut,
    CountsOut,
    DaySheetItem,
    DaySheetPage,
    DaySheetQuery,
    HistoryOut,
    MyCaseOut,
    PersonOut,
    ReleaseIn,
    SummaryOut,
    SummaryQuery,
    TransferIn,
    UploadIn,
    UploadOut,
    WorkplaceCheckIn,
    WorkplaceCheckOut,
    WorkplaceReadingOut,
)
from app.quarantine.uploads import read_rows
from app.timeutil import local_today, utcnow

bp = Blueprint("quarantine", __name__)

STAFF = ("official", "admin")


def _region(region: object) -> RegionName:
    return RegionName(code=region.code, name_zh=region.name_zh, name_en=region.name_en)


def _case_fields(
    case: QuarantineCase, today: date, status: HealthStatus | None, checked: bool
) -> dict:
    why = services.ineligibility(case, today, status)
    return {
        "id": case.id,
        "person": PersonOut.of(case.person),
        "state": case.state,
        "origin": case.origin,
        "start_date": case.start_date,
        "planned_end_date": case.planned_end_date,
        "day_number": day_number(case.start_date, today),
        "days_left": days_left(case.planned_end_date, today),
        "place": case.place,
        "village": _region(case.village),
        "staff_id": case.staff_id,
        "status": status.status if status else None,
        "referred": case.referred_dt is not None,
        "referral_reasons": case.referral_reasons or [],
        "checked_today": checked,
        "eligible": why is None,
        "ineligible_reason": why,
        "opened_at": case.opened_dt,
        "closed_at": case.closed_dt,
    }


def _case_outs(cases: Sequence[QuarantineCase], today: date) -> list[CaseOut]:
    statuses = services.statuses_of(c.user_id for c in cases)
    checked = services.checked_today([c.id for c in cases], today)
    return [
        CaseOut(**_case_fields(c, today, statuses.get(c.user_id), c.id in checked)) for c in cases
    ]


def _detail(case: QuarantineCase) -> CaseDetail:
    today = local_today()
    checks = services.checks_of(case.id)
    status = db.session.get(HealthStatus, case.user_id)
    fields = _case_fields(case, today, status, any(c.check_date == today for c in checks))
    staff = case.staff
    return CaseDetail(
        **fields,
        address=case.address,
        open_reason=case.open_reason,
        close_reason=case.close_reason,
        hospital=case.hospital,
        staff_name_masked=mask_name(staff.name) if staff and staff.name else None,
        checks=[CheckOut.of(c) for c in checks],
        history=[
            HistoryOut(
                at=e.at_dt,
                action=e.action,
                actor_id=e.actor_id,
                reason=e.reason,
                detail={k: v for k, v in (e.detail or {}).items() if k != "user_id"},
            )
            for e in services.history_of(case)
        ],
    )


@endpoint(
    bp,
    "/quarantine/cases",
    summary="Cases of my villages: open, due for release today, missing today's check, ...",
    query=CaseQuery,
    response=CasePage,
    roles=STAFF,
    errors=(403, 404),
)
def list_cases(query: CaseQuery) -> CasePage:
    """`filter=due` is the 今日可解除隔离 list; `filter=missing` the people not checked today."""
    today = local_today()
    region = services.region_for(current_user, query.region)
    rows, cursor = keyset_page(
        db.session,
        services.cases_in(region, query.filter, today),
        [QuarantineCase.id],
        query.limit,
        query.cursor,
        descending=query.filter in ("closed", "all"),
        key=lambda c: [c.id],
    )
    return CasePage(items=_case_outs(rows, today), next_cursor=cursor)


@endpoint(
    bp,
    "/quarantine/cases",
    method="POST",
    summary="Open a case by hand (with a reason)",
    body=CaseOpenIn,
    response=CaseDetail,
    status=201,
    roles=STAFF,
    errors=(403, 404, 409),
)
def open_case(body: CaseOpenIn) -> CaseDetail:
    """The card turns yellow until the planned end (start + 14 days); the worker gets a text."""
    person = services.find_person(user_id=body.user_id, phone=body.phone)
    staff = services.find_person(user_id=body.staff_id) if body.staff_id else None
    case = services.open_case(
        person,
        village_code=body.village_code,
        start_date=body.start_date,
        actor=current_user,
        place=body.place,
        address=body.address,
        reason=body.reason,
        staff=staff,
    )
    db.session.commit()
    return _detail(case)


@endpoint(
    bp,
    "/quarantine/cases/<int:case_id>",
    summary="One case with its readings and history",
    response=CaseDetail,
    roles=STAFF,
    errors=(404,),
)
def get_case(case_id: int) -> CaseDetail:
    return _detail(services.case_for_staff(case_id, current_user))


@endpoint(
    bp,
    "/quarantine/cases/<int:case_id>",
    method="PATCH",
    summary="Change the place, address or responsible staff of an open case",
    body=CaseUpdateIn,
    response=CaseDetail,
    roles=STAFF,
    errors=(404, 409),
)
def update_case(case_id: int, body: CaseUpdateIn) -> CaseDetail:
    case = services.case_for_staff(case_id, current_user)
    staff = services.find_person(user_id=body.staff_id) if body.staff_id else None
    services.update_case(case, current_user, place=body.place, address=body.address, staff=staff)
    db.session.commit()
    return _detail(case)


@endpoint(
    bp,
    "/quarantine/cases/<int:case_id>/checks",
    method="POST",
    summary="Record a reading for someone under observation (staff)",
    body=CheckIn,
    response=CheckOut,
    status=201,
    roles=STAFF,
    errors=(404, 409),
)
def staff_check(case_id: int, body: CheckIn) -> CheckOut:
    """A fever (≥ 37.3 °C) or a symptom turns the card red and marks the case for referral."""
    case = services.case_for_staff(case_id, current_user)
    check = services.record_check(
        case,
        temperature=body.temperature,
        symptoms=body.symptoms,
        actor=current_user,
        source="staff",
    )
    db.session.commit()
    return CheckOut.of(check)


@endpoint(
    bp,
    "/quarantine/cases/<int:case_id>/release",
    method="POST",
    summary="Release one case (14 days complete, nothing abnormal): the card turns green",
    body=ReleaseIn,
    response=CaseDetail,
    roles=STAFF,
    errors=(404, 409),
)
def release_case(case_id: int, body: ReleaseIn) -> CaseDetail:
    case = services.case_for_staff(case_id, current_user)
    services.release_cases([case.id], actor=current_user, comment=body.comment)
    db.session.commit()
    return _detail(case)


@endpoint(
    bp,
    "/quarantine/releases",
    method="POST",
    summary="Release many cases in one action (all or none)",
    body=BulkReleaseIn,
    response=BulkReleaseOut,
    roles=STAFF,
    errors=(404, 409),
)
def release_many(body: BulkReleaseIn) -> BulkReleaseOut:
    """One transaction: if any case is not due (or not yours), nothing is released and the
    answer names each refused case with the reason."""
    cases = services.release_cases(body.case_ids, actor=current_user, comment=body.comment)
    ids = [c.id for c in cases]
    db.session.commit()
    return BulkReleaseOut(released=len(ids), case_ids=ids)


@endpoint(
    bp,
    "/quarantine/cases/<int:case_id>/transfer",
    method="POST",
    summary="End observation by transfer to hospital (with a reason)",
    body=TransferIn,
    response=CaseDetail,
    roles=STAFF,
    errors=(404, 409),
)
def transfer_case(case_id: int, body: TransferIn) -> CaseDetail:
    case = services.case_for_staff(case_id, current_user)
    services.transfer_case(case, actor=current_user, reason=body.reason, hospital=body.hospital)
    db.session.commit()
    return _detail(case)


def _counts(row: services.RegionCounts) -> CountsOut:
    return CountsOut(
        region=_region(row.region),
        level=row.region.level,
        open=row.open,
        due_today=row.due_today,
        missing_checks=row.missing_checks,
        referred=row.referred,
    )


@endpoint(
    bp,
    "/quarantine/summary",
    summary="Counts by child region: open, due today, missing checks today, referred",
    query=SummaryQuery,
    response=SummaryOut,
    roles=STAFF,
    errors=(403, 404),
)
def summary(query: SummaryQuery) -> SummaryOut:
    """For township and county officials: drill down with `region=<child code>`."""
    today = local_today()
    region = services.region_for(current_user, query.region)
    total, children = services.summary(region, today)
    return SummaryOut(today=today, total=_counts(total), children=[_counts(r) for r in children])


@endpoint(
    bp,
    "/quarantine/mine",
    summary="My quarantine case: days left and my readings",
    response=MyCaseOut,
    roles=("worker",),
    errors=(404,),
)
def my_case() -> MyCaseOut:
    case = services.latest_case_of(current_user.id)
    if case is None:
        raise NotFound("no_case")
    today = local_today()
    checks = services.checks_of(case.id)
    return MyCaseOut(
        id=case.id,
        state=case.state,
        start_date=case.start_date,
        planned_end_date=case.planned_end_date,
        day_number=day_number(case.start_date, today),
        days_left=days_left(case.planned_end_date, today),
        place=case.place,
        village=_region(case.village),
        referred=case.referred_dt is not None,
        checked_today=any(c.check_date == today for c in checks),
        closed_at=case.closed_dt,
        checks=[CheckOut.of(c) for c in checks],
    )


@endpoint(
    bp,
    "/quarantine/mine/checks",
    method="POST",
    summary="Record my daily temperature and symptoms",
    body=CheckIn,
    response=CheckOut,
    status=201,
    roles=("worker",),
    errors=(404, 409),
)
def my_check(body: CheckIn) -> CheckOut:
    case = services.open_case_of(current_user.id)
    if case is None:
        raise NotFound("no_case")
    check = services.record_check(
        case,
        temperature=body.temperature,
        symptoms=body.symptoms,
        actor=current_user,
        source="self",
    )
    db.session.commit()
    return CheckOut.of(check)


# ---------------------------------------------------------------- enterprise daily monitoring


def _reading(check: object) -> WorkplaceReadingOut:
    return WorkplaceReadingOut.of(check)


@endpoint(
    bp,
    "/workplace-checks",
    summary="Today's checklist: my admitted workers and their readings",
    query=DaySheetQuery,
    response=DaySheetPage,
    roles=("employer",),
    errors=(403, 422),
)
def day_sheet(query: DaySheetQuery) -> DaySheetPage:
    employer = workplace.employer_of(current_user)
    day = workplace.check_day(query.day, utcnow())
    rows, cursor = keyset_page(
        db.session,
        workplace.roster_page(employer),
        [EmployerWorker.id],
        query.limit,
        query.cursor,
        descending=False,
        key=lambda r: [r.id],
    )
    readings = workplace.checks_on(employer, day, [r.user_id for r in rows])
    items = []
    for row in rows:
        user, reading = row.user, readings.get(row.user_id)
        items.append(
            DaySheetItem(
                user_id=user.id,
                name_masked=mask_name(user.name) if user.name else None,
                phone_masked=mask_phone(user.phone) if user.phone else None,
                id_last4=user.id_masked[-4:] if user.id_masked else None,
                reading=_reading(reading) if reading else None,
            )
        )
    return DaySheetPage(day=day, items=items, next_cursor=cursor)


@endpoint(
    bp,
    "/workplace-checks",
    method="POST",
    summary="Record one worker's daily reading",
    body=WorkplaceCheckIn,
    response=WorkplaceCheckOut,
    roles=("employer",),
    errors=(403, 404),
)
def record_workplace_check(body: WorkplaceCheckIn) -> WorkplaceCheckOut:
    """One reading per worker and day: entering it again corrects it. A fever (≥ 37.3 °C) or a
    symptom turns the worker's card red and texts their community."""
    employer = workplace.employer_of(current_user)
    check, outcome = workplace.record_one(
        employer,
        body.user_id,
        temperature=body.temperature,
        symptoms=body.symptoms,
        actor=current_user,
        day=body.day,
    )
    result = "created" if outcome.created else "updated" if outcome.updated else "unchanged"
    db.session.commit()
    return WorkplaceCheckOut(user_id=body.user_id, outcome=result, reading=_reading(check))


def _file_bytes(text: str) -> bytes:
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]  # a data: URL from FileReader.readAsDataURL
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(errors=[{"field": "content_base64", "code": "invalid"}]) from None


@endpoint(
    bp,
    "/workplace-checks/uploads",
    method="POST",
    summary="Upload a day's list (CSV or XLSX): all rows valid, or nothing changes",
    body=UploadIn,
    response=UploadOut,
    roles=("employer",),
    errors=(403, 422),
)
def upload_workplace_checks(body: UploadIn) -> UploadOut:
    """Errors come back per row, with the line number of the spreadsheet. Uploading the same
    file again records nothing twice (readings are keyed by worker and day)."""
    employer = workplace.employer_of(current_user)
    rows = read_rows(body.filename, _file_bytes(body.content_base64))
    now = utcnow()
    outcome = workplace.upload(
        employer, rows, actor=current_user, day=body.day, now=now, dry_run=body.dry_run
    )
    if body.dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return UploadOut(
        day=body.day or local_today(now),
        rows=len(rows),
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        abnormal=outcome.abnormal,
        dry_run=body.dry_run,
    )

"""Testing subsidies: employers record batches and apply; county officials review; budgets."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, request, send_file, stream_with_context
from flask_login import current_user
from sqlalchemy import func, select

from app.api import endpoint
from app.api.pagination import PageQuery, keyset_page
from app.audit.services import record
from app.errors import NotFound
from app.extensions import db
from app.i18n import request_locale
from app.intents import exports
from app.regions.models import Region
from app.regions.services import CITY_CODE
from app.subsidies import invoices, reports, services
from app.subsidies.models import BudgetEntry, SubsidyApplication, TestBatch
from app.subsidies.schemas import (
    AllocateIn,
    ApplicationDetailOut,
    ApplicationOut,
    ApplicationPage,
    ApplicationQuery,
    ApplyIn,
    ApproveIn,
    BatchIn,
    BatchOut,
    BatchPage,
    BudgetList,
    BudgetOut,
    DuplicateOut,
    EmployerRef,
    EntryOut,
    EntryPage,
    ExportQuery,
    PolicyIn,
    PolicyList,
    PolicyOut,
    RefuseIn,
    StatementOut,
    StatementTotals,
    limits_out,
)
from app.timeutil import utcnow

bp = Blueprint("subsidies", __name__)
OFFICIALS = ("official", "admin")
TAGS = ("subsidies",)


# -- employers: batches, invoices, applications ---------------------------------------------


@endpoint(
    bp,
    "/subsidies/batches",
    method="POST",
    summary="Record a test batch of my staff",
    body=BatchIn,
    response=BatchOut,
    status=201,
    roles=("employer",),
    errors=(403, 422),
)
def record_batch(body: BatchIn) -> BatchOut:
    """Workers on the roster are linked by user id; others are only counted. The invoice is
    uploaded next (PUT .../invoice)."""
    employer = services.employer_of(current_user)
    batch = services.record_batch(
        employer,
        tested_on=body.tested_on,
        institution=body.institution,
        roster_user_ids=body.roster_user_ids,
        counted_only=body.counted_only,
        cost_fen=body.cost_fen,
        actor=current_user,
    )
    db.session.commit()
    return BatchOut.of(batch)


@endpoint(
    bp,
    "/subsidies/batches",
    summary="My organisation's test batches, newest first",
    query=PageQuery,
    response=BatchPage,
    roles=("employer",),
    errors=(403,),
)
def list_batches(query: PageQuery) -> BatchPage:
    employer = services.employer_of(current_user)
    rows, cursor = keyset_page(
        db.session,
        services.batches_of(employer),
        [TestBatch.id],
        query.limit,
        query.cursor,
        key=lambda b: [b.id],
    )
    return BatchPage(items=[BatchOut.of(b) for b in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/subsidies/batches/<int:batch_id>",
    summary="One test batch (its employer, the officials reviewing its county)",
    response=BatchOut,
    errors=(404,),
)
def get_batch(batch_id: int) -> BatchOut:
    return BatchOut.of(services.visible_batch(current_user, batch_id))


@endpoint(
    bp,
    "/subsidies/batches/<int:batch_id>",
    method="DELETE",
    summary="Delete a batch recorded by mistake (not once claimed)",
    status=204,
    roles=("employer",),
    errors=(403, 404, 409),
)
def delete_batch(batch_id: int) -> None:
    employer = services.employer_of(current_user)
    services.delete_batch(employer, batch_id, actor=current_user)
    db.session.commit()


@endpoint(
    bp,
    "/subsidies/batches/<int:batch_id>/invoice",
    method="PUT",
    summary="Upload the batch's invoice: the file itself as the body (PDF, JPEG or PNG, 10 MB)",
    response=BatchOut,
    roles=("employer",),
    errors=(403, 404, 409, 413, 415, 422),
)
def upload_invoice(batch_id: int) -> BatchOut:
    """The body is the raw file. Its type is read from its bytes, whatever Content-Type says;
    it is stored outside the web root and served only to the employer and its reviewers."""
    if (request.content_length or 0) > invoices.MAX_INVOICE_BYTES:
        raise invoices.InvoiceTooLarge()
    request.max_content_length = invoices.MAX_INVOICE_BYTES  # also for a body without a length
    employer = services.employer_of(current_user)
    data = request.get_data(cache=False)
    batch = services.attach_invoice(employer, batch_id, data, actor=current_user)
    key = batch.invoice.storage_key
    try:
        db.session.commit()
    except Exception:
        invoices.remove(key)  # no row points at it: do not keep the file
        raise
    return BatchOut.of(batch)


@endpoint(
    bp,
    "/subsidies/batches/<int:batch_id>/invoice",
    summary="The batch's invoice file (its employer, the officials reviewing its county)",
    errors=(404,),
    content_type="application/octet-stream",
)
def download_invoice(batch_id: int) -> Response:
    batch = services.visible_batch(current_user, batch_id)
    invoice = batch.invoice
    if invoice is None:
        raise NotFound("not_found")
    path = invoices.path_of(invoice.storage_key)
    if not path.is_file():
        raise NotFound("not_found")
    extension = invoices.EXTENSIONS[invoice.media_type]
    response = send_file(
        path,
        mimetype=invoice.media_type,
        download_name=f"invoice-{batch.id}.{extension}",
        as_attachment=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@endpoint(
    bp,
    "/subsidies/applications",
    method="POST",
    summary="Apply for the subsidy for some of my batches",
    body=ApplyIn,
    response=ApplicationOut,
    status=201,
    roles=("employer",),
    errors=(403, 404, 409, 422),
)
def apply(body: ApplyIn) -> ApplicationOut:
    """Every batch needs its invoice and must fall in one subsidy period of the county."""
    employer = services.employer_of(current_user)
    application = services.apply(employer, body.batch_ids, actor=current_user, note=body.note)
    db.session.commit()
    return ApplicationOut.of(application)


@endpoint(
    bp,
    "/subsidies/applications/mine",
    summary="My organisation's subsidy applications, newest first",
    query=PageQuery,
    response=ApplicationPage,
    roles=("employer",),
    errors=(403,),
)
def my_applications(query: PageQuery) -> ApplicationPage:
    employer = services.employer_of(current_user)
    rows, cursor = keyset_page(
        db.session,
        services.applications_of(employer),
        [SubsidyApplication.id],
        query.limit,
        query.cursor,
        key=lambda a: [a.id],
    )
    return ApplicationPage(items=[ApplicationOut.of(a) for a in rows], next_cursor=cursor)


def _statement_data() -> tuple[object, list[SubsidyApplication]]:
    employer = services.employer_of(current_user)
    applications = list(
        db.session.scalars(services.applications_of(employer).order_by(SubsidyApplication.id))
    )
    return employer, applications


@endpoint(
    bp,
    "/subsidies/statement",
    summary="My organisation's subsidy statement: every application and the sums",
    response=StatementOut,
    roles=("employer",),
    errors=(403,),
)
def statement() -> StatementOut:
    employer, applications = _statement_data()
    return StatementOut(
        employer=EmployerRef(id=employer.id, name=employer.name),
        items=[ApplicationOut.of(a) for a in applications],
        totals=StatementTotals(**reports.totals(applications)),
    )


@endpoint(
    bp,
    "/subsidies/statement.csv",
    summary="My organisation's subsidy statement as CSV",
    roles=("employer",),
    errors=(403,),
    content_type="text/csv",
)
def statement_csv() -> Response:
    employer, applications = _statement_data()
    locale = request_locale()
    sums = reports.totals(applications)
    en = locale == "en"
    header = (
        [
            f"{employer.name}: testing subsidy statement",
            f"Approved: {services.yuan(sums['approved_fen'])} yuan; "
            f"paid: {services.yuan(sums['paid_fen'])} yuan",
        ]
        if en
        else [
            f"{employer.name} 核酸检测补贴对账单",
            f"已批准：{services.yuan(sums['approved_fen'])} 元；"
            f"已拨付：{services.yuan(sums['paid_fen'])} 元",
        ]
    )
    columns = reports.STATEMENT_COLUMNS["en" if en else "zh-CN"]
    body = b"".join(
        exports.csv_chunks(header, columns, reports.statement_rows(applications, locale))
    )
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="subsidy-statement-{employer.id}.csv"'
    )
    return response


# -- officials: review -------------------------------------------------------------------


@endpoint(
    bp,
    "/subsidies/applications",
    summary="Applications of the counties I review, oldest pending first",
    query=ApplicationQuery,
    response=ApplicationPage,
    roles=OFFICIALS,
    errors=(403, 404),
)
def list_applications(query: ApplicationQuery) -> ApplicationPage:
    stmt = services.applications_in_scope(current_user, status=query.status, county=query.county)
    rows, cursor = keyset_page(
        db.session,
        stmt,
        [SubsidyApplication.id],
        query.limit,
        query.cursor,
        descending=False,
        key=lambda a: [a.id],
    )
    return ApplicationPage(items=[ApplicationOut.of(a) for a in rows], next_cursor=cursor)


def _detail(application: SubsidyApplication) -> ApplicationDetailOut:
    base = ApplicationOut.of(application).model_dump()
    reviewer = services.can_review(current_user, application.county_code)
    limits = None
    duplicates: list[DuplicateOut] = []
    if reviewer:
        found = services.limits_of(application)
        duplicates = [DuplicateOut(**d.__dict__) for d in found.duplicates]
        if application.status == "submitted":
            budget = services.budget_for(application.county_code)
            limits = limits_out(found, budget.balance_fen if budget else 0)
    return ApplicationDetailOut(
        **base,
        batches=[BatchOut.of(b) for b in services.batches_of_application(application)],
        policy=PolicyOut.of(application.policy),
        limits=limits,
        duplicates=duplicates,
    )


@endpoint(
    bp,
    "/subsidies/applications/<int:application_id>",
    summary="One application; reviewers also see its limits and duplicate claims",
    response=ApplicationDetailOut,
    errors=(404,),
)
def get_application(application_id: int) -> ApplicationDetailOut:
    return _detail(services.visible_application(current_user, application_id))


@endpoint(
    bp,
    "/subsidies/applications/<int:application_id>/approve",
    method="POST",
    summary="Approve an amount, drawn from the county's budget at once",
    body=ApproveIn,
    response=ApplicationDetailOut,
    roles=OFFICIALS,
    errors=(404, 409, 422),
)
def approve(application_id: int, body: ApproveIn) -> ApplicationDetailOut:
    """409 `budget_insufficient` (with `available_fen`) when the county's balance cannot pay
    it, 409 `subsidy_over_limit` (with `max_fen`) above rate x people, the cost or the cap,
    409 `application_decided` if someone decided it first. Nothing changes on a 409."""
    application = services.approve(application_id, amount_fen=body.amount_fen, actor=current_user)
    db.session.commit()
    return _detail(application)


@endpoint(
    bp,
    "/subsidies/applications/<int:application_id>/refuse",
    method="POST",
    summary="Refuse an application with the reason",
    body=RefuseIn,
    response=ApplicationDetailOut,
    roles=OFFICIALS,
    errors=(404, 409, 422),
)
def refuse(application_id: int, body: RefuseIn) -> ApplicationDetailOut:
    application = services.refuse(application_id, reason=body.reason, actor=current_user)
    db.session.commit()
    return _detail(application)


@endpoint(
    bp,
    "/subsidies/applications/<int:application_id>/paid",
    method="POST",
    summary="Record that the approved amount was paid to the employer",
    response=ApplicationDetailOut,
    roles=OFFICIALS,
    errors=(404, 409),
)
def mark_paid(application_id: int) -> ApplicationDetailOut:
    application = services.mark_paid(application_id, actor=current_user)
    db.session.commit()
    return _detail(application)


# -- policies and budgets ----------------------------------------------------------------


@endpoint(
    bp,
    "/subsidies/policies",
    summary="Subsidy terms (rate per person, cap per employer) by county and period",
    response=PolicyList,
    roles=("employer", "official", "admin"),
)
def list_policies() -> PolicyList:
    return PolicyList(items=[PolicyOut.of(p) for p in services.policies_visible(current_user)])


@endpoint(
    bp,
    "/subsidies/policies",
    method="POST",
    summary="Set a county's subsidy terms for a period",
    body=PolicyIn,
    response=PolicyOut,
    status=201,
    roles=OFFICIALS,
    errors=(403, 409, 422),
)
def set_policy(body: PolicyIn) -> PolicyOut:
    policy = services.set_policy(actor=current_user, **body.model_dump())
    db.session.commit()
    return PolicyOut.of(policy)


@endpoint(
    bp,
    "/subsidies/budgets",
    summary="The subsidy budgets I oversee (the city's and the counties')",
    response=BudgetList,
    roles=OFFICIALS,
    errors=(403,),
)
def list_budgets() -> BudgetList:
    return BudgetList(items=[BudgetOut.of(b) for b in services.budgets_in_scope(current_user)])


@endpoint(
    bp,
    "/subsidies/budgets/allocations",
    method="POST",
    summary="Allocate money to a budget, or transfer it from the city's budget",
    body=AllocateIn,
    response=BudgetOut,
    status=201,
    roles=OFFICIALS,
    errors=(403, 409, 422),
)
def allocate(body: AllocateIn) -> BudgetOut:
    budget = services.allocate(
        body.region_code,
        body.amount_fen,
        actor=current_user,
        from_city=body.from_city,
        note=body.note,
    )
    db.session.commit()
    return BudgetOut.of(budget)


@endpoint(
    bp,
    "/subsidies/budgets/<int:budget_id>/entries",
    summary="A budget's ledger: allocations, transfers, approvals, payments (newest first)",
    query=PageQuery,
    response=EntryPage,
    roles=OFFICIALS,
    errors=(403, 404),
)
def budget_entries(budget_id: int, query: PageQuery) -> EntryPage:
    budget = services.visible_budget(current_user, budget_id)
    rows, cursor = keyset_page(
        db.session,
        services.entries_of(budget),
        [BudgetEntry.id],
        query.limit,
        query.cursor,
        key=lambda e: [e.id],
    )
    return EntryPage(items=[EntryOut.of(e) for e in rows], next_cursor=cursor)


# -- exports for the finance office ------------------------------------------------------


def _export(query: ExportQuery, fmt: str) -> Response:
    stmt = services.applications_in_scope(
        current_user,
        status=query.status,
        county=query.county,
        submitted_from=query.submitted_from,
        submitted_to=query.submitted_to,
    )
    scope = query.county or services.reviewing_scope(current_user)
    region = db.session.get(Region, scope) or db.session.get(Region, CITY_CODE)
    locale = request_locale()
    en = locale == "en"
    now = utcnow()
    filters = {
        k: str(v)
        for k, v in {
            "status": query.status,
            "from": query.submitted_from,
            "to": query.submitted_to,
        }.items()
        if v is not None
    }
    count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    record(
        "subsidies.exported",
        actor=current_user,
        subject_type="subsidy_applications",
        subject_id=region.code,
        region_code=region.code,
        detail={"format": fmt, "filters": filters, "rows": count},
        now=now,
    )
    db.session.commit()
    title = (
        f"{region.name_en}: testing subsidy applications"
        if en
        else f"{region.name_zh}核酸检测补贴申请"
    )
    header = exports.header_lines(
        title=title,
        official=current_user.name or current_user.username or str(current_user.id),
        region=region.name(locale),
        at=now,
        filters=filters,
        rows=count,
        locale=locale,
    )
    header[-1] = f"Applications: {count}" if en else f"申请数：{count}"
    columns = reports.EXPORT_COLUMNS["en" if en else "zh-CN"]
    rows = reports.export_rows(stmt, locale)
    stamp = now.strftime("%Y%m%d-%H%M")
    filename = f"subsidies-{region.code}-{stamp}.{fmt}"
    chinese = f"核酸检测补贴-{region.name_zh}-{stamp}.{fmt}"
    if fmt == "csv":
        body = exports.csv_chunks(header, columns, rows)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.xlsx_chunks(header, columns, rows, sheet_title="Subsidies" if en else "补贴")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(chinese)}"
    )
    return response


@endpoint(
    bp,
    "/subsidies/export.csv",
    summary="Export applications as CSV for the finance office (recorded in the audit trail)",
    query=ExportQuery,
    roles=OFFICIALS,
    errors=(403, 404),
    content_type="text/csv",
)
def export_csv(query: ExportQuery) -> Response:
    return _export(query, "csv")


@endpoint(
    bp,
    "/subsidies/export.xlsx",
    summary="Export applications as XLSX for the finance office (recorded in the audit trail)",
    query=ExportQuery,
    roles=OFFICIALS,
    errors=(403, 404),
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def export_xlsx(query: ExportQuery) -> Response:
    return _export(query, "xlsx")

"""Employment intents, the outbound ledger, destination rules and outbound health certificates."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, stream_with_context
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.access import oversees
from app.accounts.identity import mask_name
from app.accounts.models import User
from app.api import endpoint
from app.api.pagination import keyset_page
from app.audit.services import record
from app.cards.schemas import CardOut
from app.errors import NotFound
from app.extensions import db
from app.i18n import message, request_locale
from app.intents import (
    certificates,
    charts,
    destination_rules,
    destinations,
    exports,
    reports,
    services,
)
from app.intents import ledger as ledger_counts
from app.intents.models import DestinationRule, EmploymentIntent, IntentChange
from app.intents.schemas import (
    CertificateOut,
    ChartQuery,
    Counts,
    DepartureIn,
    DestinationOut,
    DestinationRow,
    Eligibility,
    ExportQuery,
    HiredApplicationOut,
    HistoryItem,
    HistoryPage,
    HistoryQuery,
    IntentIn,
    IntentOut,
    JobSummary,
    LedgerCell,
    LedgerOut,
    LedgerQuery,
    MyIntentOut,
    OptionsOut,
    OriginRow,
    PeoplePage,
    PeopleQuery,
    PersonDetailOut,
    PersonOut,
    ProvinceOut,
    ProxyIntentIn,
    ProxySavedOut,
    Reason,
    Recommendation,
    RecommendationList,
    RecommendationQuery,
    RegionName,
    RuleIn,
    RuleList,
    RuleOut,
    RulesQuery,
    SavedIntentOut,
    TradeOut,
    WorkerLookupOut,
    WorkerLookupQuery,
)
from app.jobs.models import JobPosting
from app.jobs.recommendations import REASON_WORDS, recommend_jobs
from app.jobs.trades import trade_name
from app.regions.models import Region
from app.timeutil import local_today, utcnow

bp = Blueprint("intents", __name__)

STAFF = ("official", "admin")
SETTLE_JOB_FIRST = "settle_job_first"  # 先定岗再出行


# -- shaping -------------------------------------------------------------------------------


def _destination(code: str, names: dict[str, Region] | None = None) -> DestinationOut:
    d = destinations.describe(code, names)
    return DestinationOut(
        code=d.code,
        name_zh=d.name_zh,
        name_en=d.name_en,
        province_code=d.province_code,
        known=d.known,
    )


def _region(region: Region | None) -> RegionName | None:
    if region is None:
        return None
    return RegionName(
        code=region.code, name_zh=region.name_zh, name_en=region.name_en, level=region.level
    )


def _trade_names() -> dict[str, str]:
    en = request_locale() == "en"
    return {t.code: t.en if en else t.zh for t in services.trades()}


def _intent_out(intent: EmploymentIntent, trade_names: dict[str, str] | None = None) -> IntentOut:
    names = trade_names if trade_names is not None else _trade_names()
    return IntentOut(
        id=intent.id,
        user_id=intent.user_id,
        active=intent.active,
        kind=intent.kind,
        destination=_destination(intent.destination_code),
        origin=_region(db.session.get(Region, intent.origin_village_code)),
        trade=intent.trade,
        trade_name=names.get(intent.trade, intent.trade),
        job_arranged=intent.job_arranged,
        employer_name=intent.employer_name,
        job_start_date=intent.job_start_date,
        application_id=intent.application_id,
        departure_date=intent.departure_date,
        needs_transport=intent.needs_transport,
        needs_certificate=intent.needs_certificate,
        wage_expectation=intent.wage_expectation,
        note=intent.note,
        departed=intent.departed,
        departed_at=intent.departed_dt,
        certified=intent.certified,
        certificate_card_id=intent.certificate_card_id,
        certificate_issued_at=intent.certificate_issued_dt,
        by_proxy=intent.proxy_by_id is not None,
        created_at=intent.created_dt,
        updated_at=intent.updated_dt,
    )


def _rule_out(rule: DestinationRule) -> RuleOut:
    return RuleOut(
        id=rule.id,
        destination=_destination(rule.destination_code),
        rules_text=rule.rules_text,
        source=rule.source,
        source_date=rule.source_date,
        valid_until=rule.valid_until,
        job_info=rule.job_info,
        published_at=rule.published_dt,
        withdrawn=rule.withdrawn_dt is not None,
    )


def _certificate_out(card: object | None) -> CertificateOut | None:
    if card is None:
        return None
    base = f"/api/v1/cards/{card.card_id}"
    return CertificateOut(
        card=CardOut.of(card, request_locale()),
        png_url=f"{base}/print.png",
        pdf_url=f"{base}/print.pdf",
    )


def _advice(intent: EmploymentIntent | None) -> str | None:
    going_blind = intent is not None and intent.active and intent.kind == "outbound"
    return SETTLE_JOB_FIRST if going_blind and not intent.job_arranged else None


def _history_item(change: IntentChange, owner_id: int) -> HistoryItem:
    return HistoryItem(
        id=change.id,
        action=change.action,
        changed_at=change.changed_dt,
        by_proxy=change.actor_id is not None and change.actor_id != owner_id,
        snapshot=change.snapshot or {},
    )


def _data(body: IntentIn, origin: str | None = None) -> services.IntentData:
    return services.IntentData(**body.model_dump(), origin_village_code=origin)


# -- the worker's form ---------------------------------------------------------------------


@endpoint(
    bp,
    "/intents/options",
    summary="What the intent form offers: destinations, provinces, trades, hired jobs",
    response=OptionsOut,
    roles=("worker", *STAFF),
)
def options() -> OptionsOut:
    hired = []
    if current_user.has_role("worker"):
        hired = [
            HiredApplicationOut(
                id=a.id, title=a.posting.title, employer_name=services.employer_of(a)
            )
            for a in services.hired_applications(current_user)
        ]
    return OptionsOut(
        destinations=[
            DestinationOut(
                code=d.code,
                name_zh=d.name_zh,
                name_en=d.name_en,
                province_code=d.province_code,
                known=True,
            )
            for d in destinations.destination_list()
        ],
        provinces=[
            ProvinceOut(code=f"{prefix}0000", name_zh=zh, name_en=en)
            for prefix, (zh, en) in destinations.PROVINCES.items()
        ],
        trades=[TradeOut(code=t.code, name_zh=t.zh, name_en=t.en) for t in services.trades()],
        hired_applications=hired,
    )


@endpoint(
    bp,
    "/intents/mine",
    summary="My current employment intent, its destination's rules, my certificate",
    response=MyIntentOut,
    roles=("worker",),
)
def my_intent() -> MyIntentOut:
    """`intent` is null before the first registration or after a withdrawal. The rules are
    those of the chosen destination (its own, its city's, its province's)."""
    intent = services.active_intent(current_user.id)
    rules = destination_rules.rules_for(intent.destination_code) if intent else []
    card = certificates.certificate_of(intent) if intent else None
    return MyIntentOut(
        intent=_intent_out(intent) if intent else None,
        rules=[_rule_out(r) for r in rules],
        certificate=_certificate_out(card),
        advice=_advice(intent),
    )


@endpoint(
    bp,
    "/intents/mine",
    method="PUT",
    summary="Register or change my employment intent (history is kept)",
    body=IntentIn,
    response=SavedIntentOut,
    roles=("worker",),
    errors=(409,),
)
def save_my_intent(body: IntentIn) -> SavedIntentOut:
    """Leaving from the village of my latest health declaration. Changing the destination or the
    departure date withdraws a certificate issued for the old ones."""
    intent, created = services.save_intent(current_user, _data(body), actor=current_user)
    db.session.commit()
    return SavedIntentOut(intent=_intent_out(intent), created=created, advice=_advice(intent))


@endpoint(
    bp,
    "/intents/mine",
    method="DELETE",
    summary="Withdraw my employment intent",
    status=204,
    roles=("worker",),
    errors=(404,),
)
def withdraw_my_intent() -> None:
    intent = services.current_intent(current_user.id, lock=True)
    if intent is None:
        raise NotFound("intent_not_found")
    services.withdraw(intent, actor=current_user)
    db.session.commit()


@endpoint(
    bp,
    "/intents/mine/departure",
    method="POST",
    summary="Tell that I have left (or correct it)",
    body=DepartureIn,
    response=IntentOut,
    roles=("worker",),
    errors=(404, 409),
)
def my_departure(body: DepartureIn) -> IntentOut:
    intent = services.current_intent(current_user.id, lock=True)
    if intent is None:
        raise NotFound("intent_not_found")
    services.set_departed(intent, body.departed, actor=current_user)
    db.session.commit()
    return _intent_out(intent)


@endpoint(
    bp,
    "/intents/mine/history",
    summary="Every change of my intent, newest first",
    query=HistoryQuery,
    response=HistoryPage,
    roles=("worker",),
)
def my_history(query: HistoryQuery) -> HistoryPage:
    intent = services.current_intent(current_user.id)
    if intent is None:
        return HistoryPage(items=[], next_cursor=None)
    rows, cursor = keyset_page(
        db.session,
        services.history_of(intent.id),
        [IntentChange.id],
        query.limit,
        query.cursor,
        key=lambda r: [r.id],
    )
    return HistoryPage(items=[_history_item(r, intent.user_id) for r in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/intents/recommendations",
    summary="Jobs recommended before leaving without a job (先定岗再出行)",
    query=RecommendationQuery,
    response=RecommendationList,
    roles=("worker",),
)
def recommendations(query: RecommendationQuery) -> RecommendationList:
    """Jobs at the destination, in the trade, near the wage expected (the jobs module ranks)."""
    en = int(request_locale() == "en")
    found = recommend_jobs(
        current_user,
        trade=query.trade,
        destination_code=query.destination_code,
        wage_expectation=query.wage_expectation,
        home_region=current_user.region_code,
        limit=10,
    )
    return RecommendationList(
        items=[
            Recommendation(
                job=_job_summary(job),
                reasons=[Reason(code=c, text=REASON_WORDS[c][en]) for c in why],
            )
            for job, why in found
        ],
        advice=SETTLE_JOB_FIRST,
    )


def _job_summary(job: JobPosting) -> JobSummary:
    locale = request_locale()
    return JobSummary(
        id=job.id,
        title=job.title,
        employer_name=job.employer.name,
        region_code=job.region_code,
        region_name=job.region.name(locale),
        wage_text=f"{job.wage_min}–{job.wage_max}",
        trade=job.trade,
        trade_name=trade_name(job.trade, locale),
        housing=job.housing,
    )


# -- by proxy (village staff) --------------------------------------------------------------


def _lookup_out(user: User) -> WorkerLookupOut:
    """Someone of the staff member's region in full; anyone else (found by ID number, e.g. a
    worker who moved here) only masked, without where they live or what they intend."""
    mine = oversees(current_user, user.region_code)
    intent = services.active_intent(user.id) if mine else None
    village = db.session.get(Region, user.region_code) if mine and user.region_code else None
    return WorkerLookupOut(
        user_id=user.id,
        name_masked=mask_name(user.name or ""),
        id_masked=user.id_masked,
        village=_region(village),
        intent=_intent_out(intent) if intent else None,
    )


@endpoint(
    bp,
    "/intents/workers",
    summary="Find a worker for the proxy form (by ID number or phone)",
    query=WorkerLookupQuery,
    response=WorkerLookupOut,
    roles=STAFF,
    errors=(404,),
)
def find_worker(query: WorkerLookupQuery) -> WorkerLookupOut:
    """By ID number anyone registered (the staff hold the ID card); by phone only people of
    the staff member's region. 404 means: register them with name and ID number."""
    if not (query.id_number or query.phone):
        raise NotFound("worker_not_found")
    user = services.find_worker(current_user, id_number=query.id_number, phone=query.phone)
    if user is None:
        raise NotFound("worker_not_found")
    return _lookup_out(user)


@endpoint(
    bp,
    "/intents/proxy",
    method="POST",
    summary="Register or change a worker's intent on their behalf",
    body=ProxyIntentIn,
    response=ProxySavedOut,
    roles=STAFF,
    errors=(403, 404, 409),
)
def save_by_proxy(body: ProxyIntentIn) -> ProxySavedOut:
    user, intent, created = services.save_by_proxy(
        current_user,
        _data(body.intent, body.origin_village_code),
        consent=body.consent,
        user_id=body.user_id,
        id_number=body.id_number,
        phone=body.phone,
        name=body.name,
    )
    db.session.commit()
    return ProxySavedOut(
        intent=_intent_out(intent),
        created=created,
        advice=_advice(intent),
        user_id=user.id,
        name_masked=mask_name(user.name or ""),
        id_masked=user.id_masked,
    )


# -- the ledger ----------------------------------------------------------------------------


def _filters(query: LedgerQuery) -> reports.LedgerFilters:
    return reports.LedgerFilters(
        region=query.region,
        kind=None if query.kind == "all" else query.kind,
        trade=query.trade,
        departure_from=query.departure_from,
        departure_to=query.departure_to,
        destination=getattr(query, "destination", None),
        job_arranged=getattr(query, "job_arranged", None),
        departed=getattr(query, "departed", None),
        certified=getattr(query, "certified", None),
    )


@endpoint(
    bp,
    "/ledger",
    summary="The ledger: counts by origin × destination and status",
    query=LedgerQuery,
    response=LedgerOut,
    roles=STAFF,
    errors=(403, 404),
)
def ledger(query: LedgerQuery) -> LedgerOut:
    """For the official's region (or a part of it): how many intend to go where, with a job
    arranged or not, departed or not, with a certificate or not. Read from counters kept up to
    date as intents change (docs/ledger.md)."""
    found = reports.summary(
        current_user,
        _filters(query),
        group=query.group,
        destination_level=query.destination_level,
    )
    names = found.names
    origins = []
    for code, values in sorted(found.origins.items(), key=lambda kv: -kv[1][0]):
        region = names.get(code)
        origins.append(
            OriginRow(
                code=code,
                name_zh=region.name_zh if region else code,
                name_en=region.name_en if region else code,
                level=region.level if region else found.group,
                counts=Counts(**reports.counts_dict(values)),
            )
        )
    return LedgerOut(
        region=_region(found.region),
        group=found.group,
        destination_level=found.destination_level,
        phone_visible=reports.phone_visible(current_user),
        totals=Counts(**reports.counts_dict(found.totals)),
        destinations=[
            DestinationRow(
                destination=_destination(code, names), counts=Counts(**reports.counts_dict(v))
            )
            for code, v in sorted(found.destinations.items(), key=lambda kv: -kv[1][0])
        ],
        origins=origins,
        cells=[
            LedgerCell(
                origin_code=origin, destination_code=dest, counts=Counts(**reports.counts_dict(v))
            )
            for (origin, dest), v in sorted(found.cells.items())
        ],
    )


def _people_out(intents: list[EmploymentIntent], show_phone: bool) -> list[PersonOut]:
    villages = destinations.names_for({i.origin_village_code for i in intents})
    townships = destinations.names_for({v.parent_code for v in villages.values() if v.parent_code})
    places = destinations.names_for({i.destination_code for i in intents})
    trade_names = _trade_names()
    out = []
    for intent in intents:
        line = reports.person_line(intent, intent.user, show_phone)
        village = villages.get(intent.origin_village_code)
        out.append(
            PersonOut(
                intent_id=intent.id,
                user_id=intent.user_id,
                name_masked=line.name_masked,
                id_masked=line.id_masked,
                phone=line.phone,
                origin=_region(village),
                township=_region(townships.get(village.parent_code) if village else None),
                kind=intent.kind,
                destination=_destination(intent.destination_code, places),
                trade=intent.trade,
                trade_name=trade_names.get(intent.trade, intent.trade),
                job_arranged=intent.job_arranged,
                employer_name=intent.employer_name,
                departure_date=intent.departure_date,
                departed=intent.departed,
                certified=intent.certified,
                certificate_card_id=intent.certificate_card_id,
                needs_transport=intent.needs_transport,
                needs_certificate=intent.needs_certificate,
                updated_at=intent.updated_dt,
            )
        )
    return out


@endpoint(
    bp,
    "/ledger/people",
    summary="The people behind the counts (masked; phones for responsible staff only)",
    query=PeopleQuery,
    response=PeoplePage,
    roles=STAFF,
    errors=(403, 404),
)
def ledger_people(query: PeopleQuery) -> PeoplePage:
    stmt = reports.people_query(current_user, _filters(query)).options(
        joinedload(EmploymentIntent.user)
    )
    rows, cursor = keyset_page(
        db.session, stmt, [EmploymentIntent.id], query.limit, query.cursor, key=lambda r: [r.id]
    )
    show_phone = reports.phone_visible(current_user)
    return PeoplePage(
        items=_people_out(rows, show_phone), next_cursor=cursor, phone_visible=show_phone
    )


def _person_detail(intent: EmploymentIntent) -> PersonDetailOut:
    show_phone = reports.phone_visible(current_user)
    locale = request_locale()
    reasons = certificates.refusals(intent)
    changes = db.session.scalars(
        services.history_of(intent.id).order_by(IntentChange.id.desc()).limit(20)
    )
    return PersonDetailOut(
        person=_people_out([intent], show_phone)[0],
        eligibility=Eligibility(
            eligible=not reasons,
            reasons=[Reason(code=c, text=message(c, locale)) for c in reasons],
        ),
        certificate=_certificate_out(certificates.certificate_of(intent)),
        history=[_history_item(c, intent.user_id) for c in changes],
    )


@endpoint(
    bp,
    "/ledger/people/<int:intent_id>",
    summary="One person of the ledger: intent, certificate eligibility, history",
    response=PersonDetailOut,
    roles=STAFF,
    errors=(404,),
)
def ledger_person(intent_id: int) -> PersonDetailOut:
    return _person_detail(services.intent_in_scope(current_user, intent_id))


@endpoint(
    bp,
    "/ledger/people/<int:intent_id>/departure",
    method="POST",
    summary="Mark that a worker has left (or correct it)",
    body=DepartureIn,
    response=PersonDetailOut,
    roles=STAFF,
    errors=(404, 409),
)
def mark_departure(intent_id: int, body: DepartureIn) -> PersonDetailOut:
    intent = services.intent_in_scope(current_user, intent_id, lock=True)
    services.set_departed(intent, body.departed, actor=current_user)
    db.session.commit()
    return _person_detail(intent)


@endpoint(
    bp,
    "/ledger/people/<int:intent_id>/certificate",
    method="POST",
    summary="Issue an outbound health certificate (健康证明)",
    response=CertificateOut,
    status=201,
    roles=STAFF,
    errors=(404, 409),
)
def issue_certificate(intent_id: int) -> CertificateOut:
    """A signed card of type certificate naming the destination and the planned departure,
    valid CERTIFICATE_VALID_DAYS. 409 `certificate_refused` lists `reasons` (stable codes):
    not green, quarantine open, Hubei exposure in 14 days, departure missing or too far..."""
    intent = services.intent_in_scope(current_user, intent_id, lock=True)
    card = certificates.issue_certificate(intent, staff=current_user)
    db.session.commit()
    return _certificate_out(card)


def _export(query: ExportQuery, fmt: str) -> Response:
    filters = _filters(query)
    region = reports.region_for(current_user, filters.region)
    filters.region = region.code
    locale = request_locale()
    now = utcnow()
    expected = (
        reports.summary(current_user, filters).totals[0] if not _person_filters(filters) else None
    )
    record(
        "ledger.exported",
        actor=current_user,
        subject_type="ledger",
        subject_id=region.code,
        region_code=region.code,
        detail={"format": fmt, "filters": filters.described(), "rows": expected},
        now=now,
    )
    db.session.commit()
    en = locale == "en"
    title = _export_title(region, filters.kind, locale)
    count = expected if expected is not None else reports.count_people(current_user, filters)
    header = exports.header_lines(
        title=title,
        official=current_user.name or current_user.username or str(current_user.id),
        region=region.name(locale),
        at=now,
        filters=filters.described(),
        rows=count,
        locale=locale,
    )
    columns = reports.EXPORT_COLUMNS_EN if en else reports.EXPORT_COLUMNS_ZH
    rows = reports.export_rows(current_user, filters, locale=locale)
    stamp = now.strftime("%Y%m%d-%H%M")
    filename = f"ledger-{region.code}-{stamp}.{fmt}"
    chinese = f"务工意向台账-{region.name_zh}-{stamp}.{fmt}"
    if fmt == "csv":
        body = exports.csv_chunks(header, columns, rows)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.xlsx_chunks(
            header, columns, rows, sheet_title="台账" if not en else "Ledger"
        )
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(chinese)}"
    )
    return response


def _export_title(region: Region, kind: str | None, locale: str) -> str:
    if locale == "en":
        suffix = f" ({kind})" if kind else ""
        return f"{region.name_en}: employment intents ledger{suffix}"
    suffix = {"outbound": "（外出）", "local": "（本地）"}.get(kind or "", "")
    return f"{region.name_zh}务工意向台账{suffix}"


def _person_filters(filters: reports.LedgerFilters) -> bool:
    return any(
        v is not None
        for v in (filters.destination, filters.job_arranged, filters.departed, filters.certified)
    )


@endpoint(
    bp,
    "/ledger/export.csv",
    summary="Export the ledger's people as CSV (streamed; recorded in the audit trail)",
    query=ExportQuery,
    roles=STAFF,
    errors=(403, 404),
    content_type="text/csv",
)
def export_csv(query: ExportQuery) -> Response:
    return _export(query, "csv")


@endpoint(
    bp,
    "/ledger/export.xlsx",
    summary="Export the ledger's people as XLSX (streamed; recorded in the audit trail)",
    query=ExportQuery,
    roles=STAFF,
    errors=(403, 404),
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def export_xlsx(query: ExportQuery) -> Response:
    return _export(query, "xlsx")


def _svg(text: str) -> Response:
    response = Response(text, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def _chart_filters(query: ChartQuery) -> reports.LedgerFilters:
    return reports.LedgerFilters(
        region=query.region,
        kind=None if query.kind == "all" else query.kind,
        trade=query.trade,
        departure_from=query.departure_from,
        departure_to=query.departure_to,
    )


@endpoint(
    bp,
    "/ledger/charts/destinations.svg",
    summary="Chart: intents by destination with the job-arranged share (SVG)",
    query=ChartQuery,
    roles=STAFF,
    errors=(403, 404),
    content_type="image/svg+xml",
)
def chart_destinations(query: ChartQuery) -> Response:
    locale = request_locale()
    found = reports.summary(current_user, _chart_filters(query))
    bars = []
    for code, values in found.destinations.items():
        d = destinations.describe(code, found.names)
        counts = reports.counts_dict(values)
        bars.append(
            charts.Bar(
                d.name_en if locale == "en" else d.name_zh,
                counts["intents"],
                counts["job_arranged"],
                counts["certified"],
            )
        )
    return _svg(charts.by_destination(bars, locale=locale))


@endpoint(
    bp,
    "/ledger/charts/weeks.svg",
    summary="Chart: intents by departure week, job-arranged share, certificates (SVG)",
    query=ChartQuery,
    roles=STAFF,
    errors=(403, 404),
    content_type="image/svg+xml",
)
def chart_weeks(query: ChartQuery) -> Response:
    locale = request_locale()
    weeks = reports.weekly(current_user, _chart_filters(query))
    series: list[tuple[date, charts.Bar]] = []
    for monday, per_destination in weeks.items():
        counts = reports.counts_dict(ledger_counts.add_up(per_destination.values()))
        series.append(
            (monday, charts.Bar("", counts["intents"], counts["job_arranged"], counts["certified"]))
        )
    return _svg(charts.by_week(series, locale=locale))


# -- destination rules ---------------------------------------------------------------------


@endpoint(
    bp,
    "/destination-rules",
    summary="Destination rules in force (all, or for one destination)",
    query=RulesQuery,
    response=RuleList,
    public=True,
)
def list_rules(query: RulesQuery) -> RuleList:
    """With `destination_code`: that destination's rules, then its city's and province's."""
    today = local_today()
    if query.destination_code:
        rows = destination_rules.rules_for(query.destination_code, today=today)
    else:
        rows = destination_rules.rules_in_force(today=today)
    return RuleList(items=[_rule_out(r) for r in rows])


@endpoint(
    bp,
    "/destination-rules/published",
    summary="Every rule published, withdrawn ones too (newest first)",
    query=RulesQuery,
    response=RuleList,
    roles=STAFF,
)
def published_rules(query: RulesQuery) -> RuleList:
    stmt = select(DestinationRule).order_by(DestinationRule.id.desc()).limit(100)
    if query.destination_code:
        stmt = stmt.where(DestinationRule.destination_code == query.destination_code)
    return RuleList(items=[_rule_out(r) for r in db.session.scalars(stmt)])


@endpoint(
    bp,
    "/destination-rules",
    method="POST",
    summary="Publish a destination's rules for arriving workers",
    body=RuleIn,
    response=RuleOut,
    status=201,
    roles=STAFF,
    errors=(403,),
)
def publish_rule(body: RuleIn) -> RuleOut:
    """City and county officials (and admins). Workers see the newest rule in force."""
    rule = destination_rules.publish(current_user, **body.model_dump())
    db.session.commit()
    return _rule_out(rule)


@endpoint(
    bp,
    "/destination-rules/<int:rule_id>/withdraw",
    method="POST",
    summary="Withdraw a published rule",
    response=RuleOut,
    roles=STAFF,
    errors=(403, 404),
)
def withdraw_rule(rule_id: int) -> RuleOut:
    rule = destination_rules.withdraw(current_user, rule_id)
    db.session.commit()
    return _rule_out(rule)

"""Jobs: search and apply (workers), postings and applicants (employers), review and the
labour-demand summary (officials)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.identity import mask_name, mask_phone
from app.api import endpoint
from app.api.pagination import PageQuery, keyset_page
from app.cards.services import current_decision
from app.employers.models import Employer
from app.employers.services import employer_for_user, require_staff
from app.errors import Conflict, NotFound
from app.extensions import db
from app.i18n import request_locale
from app.jobs import demand, services
from app.jobs.models import APPLICATION_STATUSES, Application, JobPosting, LabourDemand
from app.jobs.recommendations import REASON_WORDS, recommend_jobs
from app.jobs.schemas import (
    ApplicantOut,
    ApplicantPage,
    ApplicantQuery,
    ApplicationOut,
    ApplicationPage,
    ApplyIn,
    BulkStatusIn,
    BulkStatusOut,
    ContactOut,
    DemandCellOut,
    DemandIn,
    DemandOut,
    DemandPage,
    DemandSummaryOut,
    DemandSummaryQuery,
    DemandUpdate,
    EmployerBrief,
    JobCard,
    JobDetail,
    JobPage,
    JobSearchQuery,
    PostingIn,
    PostingOut,
    PostingPage,
    PostingQuery,
    PostingUpdate,
    ReasonIn,
    Recommendation,
    RecommendationList,
    RecommendationQuery,
    ReviewQuery,
    StatusIn,
    TradeList,
    TradeOut,
)
from app.jobs.trades import TRADES, trade_name
from app.regions.models import Region
from app.regions.schemas import RegionOut

bp = Blueprint("jobs", __name__)
OFFICIALS = ("official", "admin")


@bp.before_request
def _expire_due_postings() -> None:
    """Expiry runs by itself: due postings expire before any job request is answered."""
    services.sweep_if_due()


# --- shapes --------------------------------------------------------------------------------


def _employer_brief(employer: Employer) -> EmployerBrief:
    return EmployerBrief(
        id=employer.id,
        name=employer.name,
        industry=employer.industry,
        verified=employer.verified,
        region=RegionOut.of(employer.region),
    )


def _card_fields(posting: JobPosting, application: Application | None, locale: str) -> dict:
    return {
        "id": posting.id,
        "title": posting.title,
        "trade": posting.trade,
        "trade_name": trade_name(posting.trade, locale),
        "employer_name": posting.employer.name,
        "region": RegionOut.of(posting.region),
        "address": posting.address,
        "wage_min": posting.wage_min,
        "wage_max": posting.wage_max,
        "housing": posting.housing,
        "meals": posting.meals,
        "headcount": posting.headcount,
        "positions_left": services.positions_left(posting),
        "arrival_rules": posting.arrival_rules,
        "start_date": posting.start_date,
        "valid_until": posting.valid_until,
        "published_at": posting.published_dt,
        "application_status": application.status if application else None,
    }


def _cards(postings: list[JobPosting]) -> list[JobCard]:
    """Cards for a page of postings: one query (my applications) whatever the page size."""
    applied = services.applied_postings(current_user, [p.id for p in postings])
    locale = request_locale()
    return [JobCard(**_card_fields(p, applied.get(p.id), locale)) for p in postings]


def _detail(posting: JobPosting) -> JobDetail:
    application = services.applied_postings(current_user, [posting.id]).get(posting.id)
    return JobDetail(
        **_card_fields(posting, application, request_locale()),
        status=posting.status,
        description=posting.description,
        requirements=posting.requirements,
        contact=posting.contact,
        employer=_employer_brief(posting.employer),
        application_id=application.id if application else None,
        share_card=application.share_card if application else None,
    )


def _status_counts(posting_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    ids = list(posting_ids)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if ids:
        rows = db.session.execute(
            select(Application.posting_id, Application.status, func.count())
            .where(Application.posting_id.in_(ids))
            .group_by(Application.posting_id, Application.status)
        )
        for posting_id, status, count in rows:
            counts[posting_id][status] = count
    return counts


def _postings_out(postings: list[JobPosting]) -> list[PostingOut]:
    counts = _status_counts(p.id for p in postings)
    locale = request_locale()
    out = []
    for p in postings:
        mine = {s: counts[p.id].get(s, 0) for s in APPLICATION_STATUSES}
        out.append(
            PostingOut(
                id=p.id,
                status=p.status,
                title=p.title,
                trade=p.trade,
                trade_name=trade_name(p.trade, locale),
                headcount=p.headcount,
                positions_left=services.positions_left(p),
                wage_min=p.wage_min,
                wage_max=p.wage_max,
                region=RegionOut.of(p.region),
                address=p.address,
                housing=p.housing,
                meals=p.meals,
                description=p.description,
                requirements=p.requirements,
                arrival_rules=p.arrival_rules,
                start_date=p.start_date,
                valid_until=p.valid_until,
                contact=p.contact,
                review_note=p.review_note,
                employer=_employer_brief(p.employer),
                created_at=p.created_dt,
                submitted_at=p.submitted_dt,
                published_at=p.published_dt,
                ended_at=p.ended_dt,
                applications=mine,
            )
        )
    return out


def _application_out(application: Application, card: JobCard) -> ApplicationOut:
    """One of the worker's own applications, with its job's card."""
    return ApplicationOut(
        id=application.id,
        status=application.status,
        share_card=application.share_card,
        applied_at=application.created_dt,
        status_at=application.status_dt,
        job=card,
    )


def _applicant(application: Application) -> ApplicantOut:
    user = application.user
    card = None
    if application.share_card:  # only what the worker chose to share, read live
        decision = current_decision(user.id)
        card = decision.status if decision else None
    return ApplicantOut(
        id=application.id,
        name_masked=mask_name(user.name) if user.name else None,
        phone_masked=mask_phone(user.phone) if user.phone else None,
        status=application.status,
        share_card=application.share_card,
        card_status=card,
        applied_at=application.created_dt,
        status_at=application.status_dt,
    )


def _demand_out(line: LabourDemand) -> DemandOut:
    region = db.session.get(Region, line.region_code)
    return DemandOut(
        id=line.id,
        trade=line.trade,
        trade_name=trade_name(line.trade, request_locale()),
        headcount=line.headcount,
        start_date=line.start_date,
        region=RegionOut.of(region),
        note=line.note,
        reported_at=line.reported_dt,
    )


# --- workers -------------------------------------------------------------------------------


@endpoint(bp, "/trades", summary="The fixed list of trades", response=TradeList, public=True)
def trades() -> TradeList:
    return TradeList(items=[TradeOut(code=t.code, zh=t.zh, en=t.en) for t in TRADES])


@endpoint(
    bp,
    "/jobs",
    summary="Search open jobs",
    query=JobSearchQuery,
    response=JobPage,
    errors=(422,),
)
def search_jobs(query: JobSearchQuery) -> JobPage:
    """Chinese keywords of any length (普工, 电子厂), region with its subtree, trade, minimum
    wage, housing; newest or best paid first; cursor pagination. See docs/search.md."""
    rows, cursor = services.search_listings(
        services.SearchFilters(
            keyword=query.q,
            region_code=query.region,
            trade=query.trade,
            min_wage=query.min_wage,
            housing=query.housing,
            sort=query.sort,
        ),
        limit=query.limit,
        cursor=query.cursor,
    )
    return JobPage(items=_cards([r.posting for r in rows]), next_cursor=cursor)


@endpoint(
    bp,
    "/jobs/recommended",
    summary="Jobs recommended to me, with the reasons",
    query=RecommendationQuery,
    response=RecommendationList,
    roles=("worker",),
)
def recommended(query: RecommendationQuery) -> RecommendationList:
    """Ranked against the given intent (trade, destination, expected wage) and my home."""
    found = recommend_jobs(
        current_user,
        trade=query.trade,
        destination_code=query.destination,
        wage_expectation=query.wage,
        home_region=current_user.region_code,
        limit=query.limit,
    )
    cards = _cards([posting for posting, _ in found])
    english = request_locale() == "en"
    return RecommendationList(
        items=[
            Recommendation(
                job=card,
                reasons=reasons,
                reason_words=[REASON_WORDS[r][1 if english else 0] for r in reasons],
            )
            for card, (_, reasons) in zip(cards, found, strict=True)
        ]
    )


@endpoint(bp, "/jobs/<int:posting_id>", summary="One job", response=JobDetail, errors=(404,))
def job_detail(posting_id: int) -> JobDetail:
    return _detail(services.visible_posting(posting_id, current_user))


@endpoint(
    bp,
    "/jobs/<int:posting_id>/applications",
    method="POST",
    summary="Apply for a job with one tap",
    body=ApplyIn,
    response=JobDetail,
    status=201,
    roles=("worker",),
    errors=(404, 409),
)
def apply(posting_id: int, body: ApplyIn) -> JobDetail:
    """The worker chooses whether the employer may see their health-card colour."""
    posting = services.visible_posting(posting_id, current_user)
    services.apply(posting, current_user, share_card=body.share_card)
    db.session.commit()
    return _detail(posting)


@endpoint(
    bp,
    "/applications/mine",
    summary="My applications, newest first",
    query=ApplicantQuery,
    response=ApplicationPage,
    roles=("worker",),
)
def my_applications(query: ApplicantQuery) -> ApplicationPage:
    stmt = services.applications_of(current_user).options(selectinload(Application.posting))
    if query.status:
        stmt = stmt.where(Application.status == query.status)
    rows, cursor = keyset_page(
        db.session, stmt, [Application.id], query.limit, query.cursor, key=lambda a: [a.id]
    )
    cards = _cards([a.posting for a in rows])
    return ApplicationPage(
        items=[_application_out(a, card) for a, card in zip(rows, cards, strict=True)],
        next_cursor=cursor,
    )


@endpoint(
    bp,
    "/applications/<int:application_id>/withdraw",
    method="POST",
    summary="Withdraw my application",
    response=ApplicationOut,
    roles=("worker",),
    errors=(404, 409),
)
def withdraw(application_id: int) -> ApplicationOut:
    """Before the employer decides (hired or declined). Applying again later is allowed."""
    application = services.own_application(application_id, current_user)
    services.withdraw(application, worker=current_user)
    db.session.commit()
    (card,) = _cards([application.posting])
    return _application_out(application, card)


# --- employers -----------------------------------------------------------------------------


@endpoint(
    bp,
    "/postings",
    summary="My organisation's postings, newest first",
    query=PostingQuery,
    response=PostingPage,
    roles=("employer",),
    errors=(403,),
)
def my_postings(query: PostingQuery) -> PostingPage:
    employer = require_staff(current_user)
    rows, cursor = keyset_page(
        db.session,
        services.postings_of(employer, query.status),
        [JobPosting.id],
        query.limit,
        query.cursor,
        key=lambda p: [p.id],
    )
    return PostingPage(items=_postings_out(rows), next_cursor=cursor)


@endpoint(
    bp,
    "/postings",
    method="POST",
    summary="Create a posting (a draft)",
    body=PostingIn,
    response=PostingOut,
    status=201,
    roles=("employer",),
    errors=(403, 422),
)
def create_posting(body: PostingIn) -> PostingOut:
    employer = require_staff(current_user)
    posting = services.create_posting(
        employer, services.PostingData(**body.model_dump()), actor=current_user
    )
    db.session.commit()
    return _postings_out([posting])[0]


def _posting_for(posting_id: int) -> JobPosting:
    """Its employer's staff, or officials of the employer's region."""
    posting = db.session.get(JobPosting, posting_id)
    if posting is None:
        raise NotFound("posting_not_found")
    employer = employer_for_user(current_user)
    if employer is not None and employer.id == posting.employer_id:
        return posting
    return services.official_posting(posting_id, current_user)


@endpoint(
    bp,
    "/postings/<int:posting_id>",
    summary="One posting (its employer, officials of the employer's region)",
    response=PostingOut,
    roles=("employer", *OFFICIALS),
    errors=(404,),
)
def get_posting(posting_id: int) -> PostingOut:
    return _postings_out([_posting_for(posting_id)])[0]


@endpoint(
    bp,
    "/postings/<int:posting_id>",
    method="PATCH",
    summary="Edit a posting",
    body=PostingUpdate,
    response=PostingOut,
    roles=("employer",),
    errors=(404, 409, 422),
)
def update_posting(posting_id: int, body: PostingUpdate) -> PostingOut:
    """A published posting goes back to review when it changes."""
    posting = services.staff_posting(posting_id, current_user)
    services.update_posting(posting, body.model_dump(exclude_unset=True), actor=current_user)
    db.session.commit()
    return _postings_out([posting])[0]


@endpoint(
    bp,
    "/postings/<int:posting_id>/submit",
    method="POST",
    summary="Submit a draft for review",
    response=PostingOut,
    roles=("employer",),
    errors=(404, 409, 422),
)
def submit_posting(posting_id: int) -> PostingOut:
    posting = services.staff_posting(posting_id, current_user)
    services.submit_posting(posting, actor=current_user)
    db.session.commit()
    return _postings_out([posting])[0]


@endpoint(
    bp,
    "/postings/<int:posting_id>/close",
    method="POST",
    summary="Stop recruiting",
    response=PostingOut,
    roles=("employer",),
    errors=(404, 409),
)
def close_posting(posting_id: int) -> PostingOut:
    posting = services.staff_posting(posting_id, current_user)
    services.close_posting(posting, actor=current_user)
    db.session.commit()
    return _postings_out([posting])[0]


@endpoint(
    bp,
    "/postings/<int:posting_id>/applications",
    summary="Applicants to one of my postings",
    query=ApplicantQuery,
    response=ApplicantPage,
    roles=("employer",),
    errors=(404,),
)
def applicants(posting_id: int, query: ApplicantQuery) -> ApplicantPage:
    posting = services.staff_posting(posting_id, current_user)
    rows, cursor = keyset_page(
        db.session,
        services.applicants_of(posting, query.status),
        [Application.id],
        query.limit,
        query.cursor,
        key=lambda a: [a.id],
    )
    return ApplicantPage(items=[_applicant(a) for a in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/postings/<int:posting_id>/applications/status",
    method="POST",
    summary="Change the status of many applicants at once",
    body=BulkStatusIn,
    response=BulkStatusOut,
    roles=("employer",),
    errors=(404, 409, 422),
)
def bulk_status(posting_id: int, body: BulkStatusIn) -> BulkStatusOut:
    """Those that cannot move to the status (e.g. already hired) are skipped and listed.
    Hiring more than the positions left changes nothing."""
    posting = services.staff_posting(posting_id, current_user)
    applications = services.load_applications(posting, body.ids)
    changed, skipped = services.change_status(
        posting, applications, body.status, actor=current_user
    )
    db.session.commit()
    return BulkStatusOut(changed=[a.id for a in changed], skipped=[a.id for a in skipped])


@endpoint(
    bp,
    "/applications/<int:application_id>/status",
    method="POST",
    summary="Change one applicant's status",
    body=StatusIn,
    response=ApplicantOut,
    roles=("employer",),
    errors=(404, 409, 422),
)
def set_status(application_id: int, body: StatusIn) -> ApplicantOut:
    application = services.staff_application(application_id, current_user)
    changed, _ = services.change_status(
        application.posting, [application], body.status, actor=current_user
    )
    if not changed and application.status != body.status:
        raise Conflict("status_change_not_allowed")
    db.session.commit()
    return _applicant(application)


@endpoint(
    bp,
    "/applications/<int:application_id>/contact",
    method="POST",
    summary="The applicant's phone number, to call them",
    response=ContactOut,
    roles=("employer",),
    errors=(404,),
)
def contact(application_id: int) -> ContactOut:
    """A submitted application becomes 'contacted'; every reveal is audited."""
    application = services.staff_application(application_id, current_user)
    phone = services.contact_applicant(application, actor=current_user)
    db.session.commit()
    return ContactOut(phone=phone, applicant=_applicant(application))


# --- officials -----------------------------------------------------------------------------


@endpoint(
    bp,
    "/postings/review",
    summary="Postings of employers in my region (pending review by default)",
    query=ReviewQuery,
    response=PostingPage,
    roles=OFFICIALS,
)
def review_queue(query: ReviewQuery) -> PostingPage:
    rows, cursor = keyset_page(
        db.session,
        services.postings_for_review(current_user, query.status),
        [JobPosting.id],
        query.limit,
        query.cursor,
        key=lambda p: [p.id],
    )
    return PostingPage(items=_postings_out(rows), next_cursor=cursor)


@endpoint(
    bp,
    "/postings/<int:posting_id>/approve",
    method="POST",
    summary="Publish a pending posting",
    response=PostingOut,
    roles=OFFICIALS,
    errors=(404, 409),
)
def approve(posting_id: int) -> PostingOut:
    posting = services.official_posting(posting_id, current_user)
    services.approve_posting(posting, actor=current_user)
    db.session.commit()
    return _postings_out([posting])[0]


@endpoint(
    bp,
    "/postings/<int:posting_id>/reject",
    method="POST",
    summary="Send a pending posting back to its employer with a note",
    body=ReasonIn,
    response=PostingOut,
    roles=OFFICIALS,
    errors=(404, 409, 422),
)
def reject(posting_id: int, body: ReasonIn) -> PostingOut:
    posting = services.official_posting(posting_id, current_user)
    services.reject_posting(posting, actor=current_user, reason=body.reason)
    db.session.commit()
    return _postings_out([posting])[0]


@endpoint(
    bp,
    "/postings/<int:posting_id>/take-down",
    method="POST",
    summary="Take a posting down, with the reason",
    body=ReasonIn,
    response=PostingOut,
    roles=OFFICIALS,
    errors=(404, 409, 422),
)
def take_down(posting_id: int, body: ReasonIn) -> PostingOut:
    posting = services.official_posting(posting_id, current_user)
    services.take_down_posting(posting, actor=current_user, reason=body.reason)
    db.session.commit()
    return _postings_out([posting])[0]


# --- the labour-demand survey --------------------------------------------------------------


@endpoint(
    bp,
    "/labour-demand",
    summary="My organisation's labour-demand survey",
    query=PageQuery,
    response=DemandPage,
    roles=("employer",),
    errors=(403,),
)
def my_demand(query: PageQuery) -> DemandPage:
    employer = require_staff(current_user)
    rows, cursor = keyset_page(
        db.session,
        demand.demand_of(employer),
        [LabourDemand.id],
        query.limit,
        query.cursor,
        key=lambda d: [d.id],
    )
    return DemandPage(items=[_demand_out(d) for d in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/labour-demand",
    method="POST",
    summary="Report expected labour demand",
    body=DemandIn,
    response=DemandOut,
    status=201,
    roles=("employer",),
    errors=(403, 422),
)
def report_demand(body: DemandIn) -> DemandOut:
    employer = require_staff(current_user)
    line = demand.report_demand(employer, actor=current_user, **body.model_dump())
    db.session.commit()
    return _demand_out(line)


@endpoint(
    bp,
    "/labour-demand/<int:line_id>",
    method="PATCH",
    summary="Change a line of my survey",
    body=DemandUpdate,
    response=DemandOut,
    roles=("employer",),
    errors=(403, 404, 422),
)
def update_demand(line_id: int, body: DemandUpdate) -> DemandOut:
    line = demand.demand_line(require_staff(current_user), line_id)
    demand.update_demand(line, body.model_dump(exclude_unset=True), actor=current_user)
    db.session.commit()
    return _demand_out(line)


@endpoint(
    bp,
    "/labour-demand/<int:line_id>",
    method="DELETE",
    summary="Remove a line of my survey",
    status=204,
    roles=("employer",),
    errors=(403, 404),
)
def delete_demand(line_id: int) -> None:
    line = demand.demand_line(require_staff(current_user), line_id)
    demand.delete_demand(line, actor=current_user)
    db.session.commit()


@endpoint(
    bp,
    "/labour-demand/summary",
    summary="Labour demand against supply, by region and trade (officials)",
    query=DemandSummaryQuery,
    response=DemandSummaryOut,
    roles=OFFICIALS,
    errors=(403, 404),
)
def demand_summary(query: DemandSummaryQuery) -> DemandSummaryOut:
    """Per child region of the chosen region (default: mine) and trade: reported demand, open
    positions, and workers without a job who want local work or plan to go out."""
    summary = demand.demand_summary(current_user, query.region)
    regions = {
        r.code: r
        for r in db.session.scalars(
            select(Region).where(Region.code.in_({c.region_code for c in summary.cells}))
        )
    }
    locale = request_locale()
    return DemandSummaryOut(
        region=RegionOut.of(summary.region),
        supply_known=summary.supply_known,
        cells=[
            DemandCellOut(
                region=RegionOut.of(regions[c.region_code]),
                trade=c.trade,
                trade_name=trade_name(c.trade, locale),
                demand=c.demand,
                open_positions=c.open_positions,
                supply_local=c.supply_local,
                supply_outbound=c.supply_outbound,
            )
            for c in summary.cells
        ],
    )

"""Job rules: the posting lifecycle, expiry, searchable listings, applications."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, delete, literal_column, select, update
from sqlalchemy.orm import load_only, selectinload

from app.accounts.access import oversees, scope_of
from app.accounts.models import User
from app.api.pagination import keyset_page
from app.audit.services import record
from app.employers.models import Employer
from app.employers.services import admit_worker, employer_for_user
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.jobs import search, signals
from app.jobs.models import Application, JobListing, JobListingText, JobPosting
from app.jobs.trades import TRADE_CODES, trade_name
from app.regions.models import Region
from app.regions.services import region_subtree
from app.sms import queue_sms
from app.timeutil import local_today, utcnow

register_messages(
    {
        "posting_not_found": ("未找到该岗位。", "No such job posting."),
        "posting_not_editable": (
            "该岗位已结束，不能再修改。",
            "This posting has ended and can no longer change.",
        ),
        "posting_wrong_status": (
            "岗位当前状态不允许此操作。",
            "The posting's status does not allow this.",
        ),
        "posting_not_open": ("该岗位已停止招聘。", "This job is no longer open."),
        "posting_full": ("该岗位已招满。", "This job has no positions left."),
        "employer_not_verified": (
            "企业尚未通过属地核验，岗位暂不能发布。",
            "The employer is not verified yet; its postings cannot be published.",
        ),
        "wage_range_invalid": (
            "最高工资不能低于最低工资。",
            "The highest wage cannot be below the lowest.",
        ),
        "valid_until_past": ("截止日期不能早于今天。", "The closing date cannot be in the past."),
        "trade_unknown": ("工种无效。", "Unknown trade."),
        "already_applied": ("您已报名该岗位。", "You have already applied for this job."),
        "application_decided": (
            "企业已作出录用决定，报名不能撤回。",
            "The employer has already decided; the application cannot be withdrawn.",
        ),
        "application_withdrawn": (
            "求职者已撤回报名。",
            "The applicant has withdrawn this application.",
        ),
        "application_not_found": ("未找到该报名。", "No such application."),
        "status_change_not_allowed": (
            "报名状态不能这样变更。",
            "The application cannot change to this status.",
        ),
        "reason_required": ("请填写原因。", "Give a reason."),
        "headcount_below_hired": (
            "招聘人数不能少于已录用人数。",
            "The headcount cannot be below those already hired.",
        ),
    }
)

EDITABLE_STATUSES = ("draft", "pending", "published")
ENDED_STATUSES = ("closed", "expired", "taken_down")
# Application states: submitted → contacted → hired or declined (hired and declined are final).
TRANSITIONS = {
    "submitted": ("contacted", "hired", "declined"),
    "contacted": ("hired", "declined"),
    "hired": (),
    "declined": (),
    "withdrawn": (),  # the worker's own step (withdraw); employers cannot move it
}
# The employer's decision, texted to the applicant once committed (no ID number, no name).
DECISION_TEXTS = {
    "hired": "【返岗服务】您报名的“{title}”（{employer}）已录用，请按企业约定时间到岗，"
    "出行前请在“务工意向”中查看目的地防疫要求。",
    "declined": "【返岗服务】您报名的“{title}”（{employer}）未被录用。可在“工作”中查看其他岗位。",
}


def decision_text(posting: JobPosting, status: str) -> str:
    return DECISION_TEXTS[status].format(title=posting.title, employer=posting.employer.name)


# What the worker may still take back: not a decision already made.
WITHDRAWABLE = ("submitted", "contacted")
POSTING_FIELDS = (
    "title",
    "trade",
    "headcount",
    "wage_min",
    "wage_max",
    "region_code",
    "address",
    "housing",
    "meals",
    "description",
    "requirements",
    "arrival_rules",
    "start_date",
    "valid_until",
    "contact",
)
EXPIRY_SWEEP_EVERY = timedelta(seconds=60)


# --- access --------------------------------------------------------------------------------


def get_posting(posting_id: int) -> JobPosting:
    posting = db.session.get(JobPosting, posting_id)
    if posting is None:
        raise NotFound("posting_not_found")
    return posting


def is_open(posting: JobPosting, today: date | None = None) -> bool:
    """Published and not past its last day (expiry may not have been swept yet)."""
    return posting.status == "published" and posting.valid_until >= (today or local_today())


def staff_posting(posting_id: int, user: User) -> JobPosting:
    """A posting of the user's own employer; 404 for anybody else's."""
    posting = db.session.get(JobPosting, posting_id)
    employer = employer_for_user(user)
    if posting is None or employer is None or posting.employer_id != employer.id:
        raise NotFound("posting_not_found")
    return posting


def official_posting(posting_id: int, actor: User) -> JobPosting:
    """A posting of an employer in the official's region; 404 otherwise."""
    posting = db.session.get(JobPosting, posting_id)
    if posting is None or not oversees(actor, posting.employer.region_code):
        raise NotFound("posting_not_found")
    return posting


def visible_posting(posting_id: int, user: User) -> JobPosting:
    """Open postings for everyone; any posting for its employer's staff and officials."""
    posting = db.session.get(JobPosting, posting_id)
    if posting is None:
        raise NotFound("posting_not_found")
    if is_open(posting):
        return posting
    employer = employer_for_user(user)
    if employer is not None and employer.id == posting.employer_id:
        return posting
    if oversees(user, posting.employer.region_code):
        return posting
    raise NotFound("posting_not_found")


# --- the lifecycle -------------------------------------------------------------------------


@dataclass
class PostingData:
    """A posting's content (shape validated by the API schema; rules checked here)."""

    title: str
    trade: str
    headcount: int
    wage_min: int
    wage_max: int
    region_code: str
    address: str
    valid_until: date
    contact: str
    housing: bool = False
    meals: bool = False
    description: str = ""
    requirements: str = ""
    arrival_rules: str = ""
    start_date: date | None = None

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in POSTING_FIELDS}


def _check_fields(fields: dict[str, Any], today: date) -> None:
    errors = []
    if fields["trade"] not in TRADE_CODES:
        errors.append({"field": "trade", "code": "trade_unknown"})
    if fields["wage_min"] > fields["wage_max"]:
        errors.append({"field": "wage_max", "code": "wage_range_invalid"})
    if db.session.get(Region, fields["region_code"]) is None:
        errors.append({"field": "region_code", "code": "region_unknown"})
    if fields["valid_until"] < today:
        errors.append({"field": "valid_until", "code": "valid_until_past"})
    if errors:
        raise ValidationFailed(errors=errors)


def _audit(action: str, posting: JobPosting, actor: User | None, now: datetime, **kw: Any) -> None:
    record(
        action,
        actor=actor,
        subject_type="job_posting",
        subject_id=posting.id,
        region_code=posting.employer.region_code,
        now=now,
        **kw,
    )


def create_posting(
    employer: Employer, data: PostingData, *, actor: User, now: datetime | None = None
) -> JobPosting:
    """A new posting, as a draft (nobody but the employer sees it)."""
    now = now or utcnow()
    fields = data.fields()
    _check_fields(fields, local_today(now))
    posting = JobPosting(
        employer_id=employer.id,
        status="draft",
        created_by_id=actor.id,
        created_dt=now,
        updated_dt=now,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    posting.employer = employer
    db.session.add(posting)
    db.session.flush()
    _audit("job.create", posting, actor, now)
    return posting


def update_posting(
    posting: JobPosting, changes: dict[str, Any], *, actor: User, now: datetime | None = None
) -> JobPosting:
    """Edit a draft, pending or published posting. A published one goes back to review (its
    listing is withdrawn until officials approve the new text)."""
    now = now or utcnow()
    if posting.status not in EDITABLE_STATUSES:
        raise Conflict("posting_not_editable")
    changes = {k: v for k, v in changes.items() if k in POSTING_FIELDS}
    fields = {name: getattr(posting, name) for name in POSTING_FIELDS} | changes
    _check_fields(fields, local_today(now))
    if fields["headcount"] < (posting.hired_count or 0):
        raise ValidationFailed(errors=[{"field": "headcount", "code": "headcount_below_hired"}])
    for key, value in changes.items():
        setattr(posting, key, value.strip() if isinstance(value, str) else value)
    posting.updated_dt = now
    if posting.status == "published" and changes:
        _remove_listing(posting)
        posting.status, posting.submitted_dt = "pending", now
    _audit("job.update", posting, actor, now, detail={"fields": sorted(changes)})
    return posting


def submit_posting(posting: JobPosting, *, actor: User, now: datetime | None = None) -> JobPosting:
    """draft → pending: officials of the employer's region review it."""
    now = now or utcnow()
    if posting.status != "draft":
        raise Conflict("posting_wrong_status")
    if posting.valid_until < local_today(now):
        raise ValidationFailed(errors=[{"field": "valid_until", "code": "valid_until_past"}])
    posting.status, posting.submitted_dt, posting.updated_dt = "pending", now, now
    _audit("job.submit", posting, actor, now)
    return posting


def close_posting(posting: JobPosting, *, actor: User, now: datetime | None = None) -> JobPosting:
    """The employer stops recruiting (from draft, pending or published)."""
    now = now or utcnow()
    if posting.status not in EDITABLE_STATUSES:
        raise Conflict("posting_wrong_status")
    _remove_listing(posting)
    posting.status, posting.ended_dt, posting.updated_dt = "closed", now, now
    _audit("job.close", posting, actor, now)
    return posting


def approve_posting(posting: JobPosting, *, actor: User, now: datetime | None = None) -> JobPosting:
    """pending → published, by officials of the employer's region, once the employer is verified."""
    now = now or utcnow()
    if not oversees(actor, posting.employer.region_code):
        raise NotFound("posting_not_found")
    if posting.status != "pending":
        raise Conflict("posting_wrong_status")
    if not posting.employer.verified:
        raise Conflict("employer_not_verified")
    if posting.valid_until < local_today(now):
        raise Conflict("posting_not_open")
    posting.status, posting.published_dt, posting.updated_dt = "published", now, now
    posting.reviewed_by_id, posting.review_note = actor.id, None
    _publish_listing(posting)
    _audit("job.approve", posting, actor, now)
    return posting


def reject_posting(
    posting: JobPosting, *, actor: User, reason: str, now: datetime | None = None
) -> JobPosting:
    """pending → draft with the officials' note; the employer corrects it and submits again."""
    now = now or utcnow()
    if not oversees(actor, posting.employer.region_code):
        raise NotFound("posting_not_found")
    if posting.status != "pending":
        raise Conflict("posting_wrong_status")
    _require_reason(reason)
    posting.status, posting.review_note = "draft", reason.strip()
    posting.reviewed_by_id, posting.updated_dt = actor.id, now
    _audit("job.reject", posting, actor, now, reason=reason)
    return posting


def take_down_posting(
    posting: JobPosting, *, actor: User, reason: str, now: datetime | None = None
) -> JobPosting:
    """Officials remove a pending or published posting for good, with the reason."""
    now = now or utcnow()
    if not oversees(actor, posting.employer.region_code):
        raise NotFound("posting_not_found")
    if posting.status not in ("pending", "published"):
        raise Conflict("posting_wrong_status")
    _require_reason(reason)
    _remove_listing(posting)
    posting.status, posting.review_note = "taken_down", reason.strip()
    posting.reviewed_by_id, posting.ended_dt, posting.updated_dt = actor.id, now, now
    _audit("job.take_down", posting, actor, now, reason=reason)
    return posting


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ValidationFailed(errors=[{"field": "reason", "code": "reason_required"}])


def postings_of(employer: Employer, status: str | None = None) -> Select:
    stmt = select(JobPosting).where(JobPosting.employer_id == employer.id)
    return stmt.where(JobPosting.status == status) if status else stmt


def postings_for_review(actor: User, status: str | None = "pending") -> Select:
    """Postings of employers in the official's region subtree."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    stmt = (
        select(JobPosting)
        .join(Employer, Employer.id == JobPosting.employer_id)
        .where(region_subtree(Employer.region_code, scope))
    )
    return stmt.where(JobPosting.status == status) if status else stmt


# --- expiry --------------------------------------------------------------------------------


def expire_due_postings(now: datetime | None = None, batch: int = 500) -> int:
    """Every pending or published posting past its last day becomes expired (run by itself:
    see sweep_if_due, and `flask jobs expire` for cron). Returns how many."""
    now = now or utcnow()
    today = local_today(now)
    due = list(
        db.session.scalars(select(JobListing.posting_id).where(JobListing.valid_until < today))
    )
    due += db.session.scalars(
        select(JobPosting.id).where(JobPosting.status == "pending", JobPosting.valid_until < today)
    )
    for start in range(0, len(due), batch):
        chunk = due[start : start + batch]
        _remove_listings(chunk)
        db.session.execute(
            update(JobPosting)
            .where(JobPosting.id.in_(chunk), JobPosting.status.in_(("pending", "published")))
            .values(status="expired", ended_dt=now, updated_dt=now)
            .execution_options(synchronize_session="fetch")
        )
    if due:
        record(
            "job.expire",
            actor=None,
            subject_type="job_posting",
            subject_id=due[0] if len(due) == 1 else "batch",
            detail={"count": len(due)},
            now=now,
        )
    return len(due)


def sweep_if_due(now: datetime | None = None) -> int:
    """Expire due postings at most once a minute per process (called before job requests)."""
    now = now or utcnow()
    state = current_app.extensions.setdefault("jobs_expiry_sweep", {})
    last = state.get("last")
    if last is not None and last <= now < last + EXPIRY_SWEEP_EVERY:
        return 0
    state["last"] = now
    count = expire_due_postings(now)
    if count:
        db.session.commit()
    return count


# --- listings: what workers search ---------------------------------------------------------


def search_text_of(posting: JobPosting) -> str:
    """The tokens a posting is found by: its title, trade, employer, place, description and
    requirements, then its filter tokens (trade, regions above its place, housing, wage)."""
    region = posting.region or db.session.get(Region, posting.region_code)
    return search.listing_text(
        posting.title,
        trade_name(posting.trade),
        posting.employer.name,
        region.name_zh,
        posting.description,
        posting.requirements,
        filters=search.filter_tokens(
            trade=posting.trade,
            region_path=region.path,
            housing=posting.housing,
            wage_max=posting.wage_max,
        ),
    )


def listing_values(posting: JobPosting) -> dict[str, Any]:
    return {
        "trade": posting.trade,
        "region_code": posting.region_code,
        "wage_min": posting.wage_min,
        "wage_max": posting.wage_max,
        "housing": posting.housing,
        "valid_until": posting.valid_until,
    }


def _publish_listing(posting: JobPosting) -> JobListing:
    db.session.flush()
    listing = JobListing(posting_id=posting.id, **listing_values(posting))
    listing.text = JobListingText(search_text=search_text_of(posting))
    db.session.add(listing)
    db.session.flush()
    return listing


def _remove_listings(posting_ids: list[int]) -> None:
    """Delete listings and their texts (the texts first: the FTS5 triggers fire on them)."""
    listings = select(JobListing.id).where(JobListing.posting_id.in_(posting_ids))
    db.session.execute(delete(JobListingText).where(JobListingText.listing_id.in_(listings)))
    db.session.execute(delete(JobListing).where(JobListing.posting_id.in_(posting_ids)))


def _remove_listing(posting: JobPosting) -> None:
    _remove_listings([posting.id])


def refresh_listings_of(employer: Employer) -> int:
    """Re-segment the listings of an employer whose name changed."""
    listings = db.session.scalars(
        select(JobListing)
        .join(JobPosting, JobPosting.id == JobListing.posting_id)
        .where(JobPosting.employer_id == employer.id)
    ).all()
    for listing in listings:
        listing.text.search_text = search_text_of(listing.posting)
    return len(listings)


@dataclass
class SearchFilters:
    keyword: str | None = None
    region_code: str | None = None
    trade: str | None = None
    min_wage: int | None = None
    housing: bool | None = None
    sort: str = "newest"  # or "wage" (highest first)


def search_statement(filters: SearchFilters, today: date) -> tuple[Select, list, Any]:
    """The listings query for these filters: (statement, sort columns, cursor key)."""
    if filters.region_code and db.session.get(Region, filters.region_code) is None:
        raise ValidationFailed(errors=[{"field": "region", "code": "region_unknown"}])
    stmt = (
        select(JobListing)
        .options(load_only(JobListing.id, JobListing.posting_id, JobListing.wage_max))
        .where(JobListing.valid_until >= today)
    )
    if filters.trade:
        stmt = stmt.where(JobListing.trade == filters.trade)
    if filters.region_code:
        stmt = stmt.where(region_subtree(JobListing.region_code, filters.region_code))
    if filters.min_wage:
        stmt = stmt.where(JobListing.wage_max >= filters.min_wage)
    if filters.housing:
        stmt = stmt.where(JobListing.housing.is_(True))
    order_id = JobListing.id
    terms = search.parse_query(filters.keyword)
    if terms:  # the filters join the keyword in the index (see app.jobs.search)
        terms += search.filter_terms(
            trade=filters.trade,
            region_code=filters.region_code,
            housing=filters.housing,
            min_wage=filters.min_wage,
        )
    if terms and db.engine.dialect.name == "sqlite":
        fts = search.fts_table()
        stmt = stmt.join(fts, fts.c.rowid == JobListing.id).where(
            literal_column(search.FTS_TABLE).op("MATCH")(search.fts5_query(terms))
        )
        # FTS5 walks its matches in rowid (= publication) order: newest first costs one page.
        order_id = fts.c.rowid
    elif terms:
        # MATERIALIZED: the GIN index finds the matches first. Left to itself the planner may
        # walk the ids in order and compute to_tsvector() row by row, far slower.
        matches = search.pg_matches(terms).cte("matches").prefix_with("MATERIALIZED")
        stmt = stmt.where(JobListing.id.in_(select(matches.c.listing_id)))
    if filters.sort == "wage":
        return stmt, [JobListing.wage_max, order_id], lambda r: [r.wage_max, r.id]
    return stmt, [order_id], lambda r: [r.id]


def search_listings(
    filters: SearchFilters, *, limit: int, cursor: str | None, today: date | None = None
) -> tuple[list[JobListing], str | None]:
    """One page of open jobs, newest (or best paid) first, with a cursor for the next."""
    stmt, columns, key = search_statement(filters, today or local_today())
    # The page first, then its postings (with their employers and regions) in one more query:
    # joined into the search, PostgreSQL would join every match before sorting and cutting the
    # page (普工 best paid first: 10,000 matches, 108 ms against 38 ms).
    stmt = stmt.options(selectinload(JobListing.posting))
    return keyset_page(db.session, stmt, columns, limit, cursor, key=key)


# --- applications --------------------------------------------------------------------------


def positions_left(posting: JobPosting) -> int:
    """Headcount minus those hired."""
    return max(posting.headcount - (posting.hired_count or 0), 0)


def applied_postings(user: User, posting_ids: Iterable[int]) -> dict[int, Application]:
    ids = list(set(posting_ids))
    if not ids or user is None:
        return {}
    rows = db.session.scalars(
        select(Application).where(Application.user_id == user.id, Application.posting_id.in_(ids))
    )
    return {a.posting_id: a for a in rows}


def apply(
    posting: JobPosting, worker: User, *, share_card: bool, now: datetime | None = None
) -> Application:
    """One tap: the worker applies, choosing whether the employer may see their card colour."""
    now = now or utcnow()
    if not is_open(posting, local_today(now)):
        raise Conflict("posting_not_open")
    existing = db.session.scalars(
        select(Application).where(
            Application.posting_id == posting.id, Application.user_id == worker.id
        )
    ).first()
    if existing is not None and existing.status != "withdrawn":
        raise Conflict("already_applied")
    if positions_left(posting) <= 0:
        raise Conflict("posting_full")
    if existing is not None:  # applying again after a withdrawal: the same application
        application = existing
        application.status, application.status_dt, application.status_by_id = (
            "submitted",
            now,
            worker.id,
        )
        application.share_card = share_card
    else:
        application = Application(
            posting_id=posting.id,
            user_id=worker.id,
            status="submitted",
            share_card=share_card,
            created_dt=now,
            status_dt=now,
        )
        db.session.add(application)
    db.session.flush()
    record(
        "job.apply",
        actor=worker,
        subject_type="job_application",
        subject_id=application.id,
        region_code=posting.employer.region_code,
        detail={"posting_id": posting.id, "share_card": share_card, "again": existing is not None},
        now=now,
    )
    return application


def own_application(application_id: int, worker: User) -> Application:
    """One of the worker's own applications; 404 for anybody else's."""
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != worker.id:
        raise NotFound("application_not_found")
    return application


def withdraw(application: Application, *, worker: User, now: datetime | None = None) -> None:
    """The worker takes an application back before the employer decided. The employer keeps
    the line (as 已撤回) but can no longer see the phone number or move it along."""
    now = now or utcnow()
    if application.status == "withdrawn":
        return  # a repeated tap: already done
    if application.status not in WITHDRAWABLE:
        raise Conflict("application_decided")
    before = application.status
    application.status, application.status_dt, application.status_by_id = (
        "withdrawn",
        now,
        worker.id,
    )
    record(
        "job.withdraw",
        actor=worker,
        subject_type="job_application",
        subject_id=application.id,
        region_code=application.posting.employer.region_code,
        detail={"from": before, "posting_id": application.posting_id},
        now=now,
    )
    db.session.flush()


def applications_of(user: User) -> Select:
    return select(Application).where(Application.user_id == user.id)


def applicants_of(posting: JobPosting, status: str | None = None) -> Select:
    stmt = select(Application).where(Application.posting_id == posting.id)
    return stmt.where(Application.status == status) if status else stmt


def staff_application(application_id: int, user: User) -> Application:
    """An application to a posting of the user's own employer; 404 for anybody else's."""
    application = db.session.get(Application, application_id)
    employer = employer_for_user(user)
    if application is None or employer is None or application.posting.employer_id != employer.id:
        raise NotFound("application_not_found")
    return application


def change_status(
    posting: JobPosting,
    applications: Sequence[Application],
    status: str,
    *,
    actor: User,
    now: datetime | None = None,
) -> tuple[list[Application], list[Application]]:
    """Move applications of one posting to `status`; returns (changed, skipped).

    Those that cannot move there (e.g. already hired) are skipped and reported. Hiring more
    than the positions left changes nothing (Conflict). A hire puts the worker on the roster.
    """
    now = now or utcnow()
    if status not in TRANSITIONS:
        raise ValidationFailed(errors=[{"field": "status", "code": "invalid"}])
    if any(a.posting_id != posting.id for a in applications):
        raise NotFound("application_not_found")
    movable = [a for a in applications if status in TRANSITIONS[a.status]]
    skipped = [a for a in applications if a not in movable]
    if status == "hired" and len(movable) > positions_left(posting):
        raise Conflict("posting_full")
    if status == "hired" and movable:
        posting.hired_count = (posting.hired_count or 0) + len(movable)
    for application in movable:
        before = application.status
        application.status, application.status_dt = status, now
        application.status_by_id = actor.id
        if status == "hired":
            admit_worker(
                posting.employer,
                application.user,
                on=local_today(now),
                source="hired",
                posting_id=posting.id,
                actor=actor,
            )
            signals.application_hired.send(application, actor=actor, now=now)
        if status in DECISION_TEXTS:
            queue_sms(application.user.phone, decision_text(posting, status))
        record(
            "job.application_status",
            actor=actor,
            subject_type="job_application",
            subject_id=application.id,
            region_code=posting.employer.region_code,
            detail={"from": before, "to": status, "posting_id": posting.id},
            now=now,
        )
    db.session.flush()
    return movable, skipped


def contact_applicant(application: Application, *, actor: User, now: datetime | None = None) -> str:
    """The applicant's phone for the employer to call; a submitted application becomes
    'contacted' (the worker sees it). Every reveal is in the audit trail."""
    now = now or utcnow()
    posting = application.posting
    if application.status == "withdrawn":
        raise Conflict("application_withdrawn")
    if application.status == "submitted":
        change_status(posting, [application], "contacted", actor=actor, now=now)
    record(
        "job.applicant_contact",
        actor=actor,
        subject_type="job_application",
        subject_id=application.id,
        region_code=posting.employer.region_code,
        now=now,
    )
    return application.user.phone or ""


def load_applications(posting: JobPosting, ids: Sequence[int]) -> list[Application]:
    """The applications with these ids, all of this posting (404 if any is not)."""
    wanted = set(ids)
    rows = list(
        db.session.scalars(
            select(Application)
            .options(selectinload(Application.user))
            .where(Application.id.in_(wanted), Application.posting_id == posting.id)
            .order_by(Application.id)
        )
    )
    if len(rows) != len(wanted):
        raise NotFound("application_not_found")
    return rows

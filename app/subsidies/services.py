"""Subsidy rules: batches and invoices, applications, county review, budgets and their ledger.

Approvals draw on the county's budget in one transaction: the budget row is locked
(SELECT ... FOR UPDATE on PostgreSQL) before the balance is read, so two officials approving
at the same moment queue on it and the second sees what the first left. The CHECK constraint
`balance_fen >= 0` is the last word on engines without row locks (SQLite serialises writers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, inspect, select
from sqlalchemy.exc import IntegrityError

from app.accounts.access import oversees, require_oversight, scope_of
from app.accounts.identity import mask_name
from app.accounts.models import User
from app.audit.services import record
from app.employers.models import Employer, EmployerWorker
from app.employers.services import employer_for_user, require_staff
from app.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.regions.models import Region
from app.regions.services import CITY_CODE, region_subtree
from app.sms import queue_sms
from app.subsidies import invoices
from app.subsidies.models import (
    BudgetEntry,
    SubsidyApplication,
    SubsidyBudget,
    SubsidyInvoice,
    SubsidyPolicy,
    TestBatch,
    TestBatchPerson,
)
from app.timeutil import local_midnight, local_today, utcnow

register_messages(
    {
        "batch_not_found": ("未找到该检测批次。", "No such test batch."),
        "batch_claimed": (
            "该检测批次已在一份补贴申请中。",
            "This test batch is already part of a subsidy application.",
        ),
        "batch_without_invoice": (
            "请先为每个检测批次上传发票。",
            "Upload the invoice of every test batch first.",
        ),
        "batch_in_future": ("检测日期不能晚于今天。", "The test date cannot be in the future."),
        "batch_too_old": (
            "检测日期早于一年前，不能再申报。",
            "Tests more than a year old can no longer be claimed.",
        ),
        "batch_no_people": (
            "请至少登记一名受检人员。",
            "Record at least one person tested.",
        ),
        "not_on_roster": ("该人员不在本企业花名册中。", "This person is not on your roster."),
        "duplicate_person": ("同一人重复登记。", "The same person is listed twice."),
        "subsidy_no_county": (
            "企业所在地区不属于任何区县，无法申请补贴。",
            "The employer's region belongs to no county; it cannot apply.",
        ),
        "subsidy_no_policy": (
            "所在区县在该检测日期没有补贴标准。",
            "The county has no subsidy terms for the test dates.",
        ),
        "subsidy_periods_mixed": (
            "一份申请中的检测须属于同一补贴期。",
            "The tests of one application must fall in one subsidy period.",
        ),
        "application_not_found": ("未找到该补贴申请。", "No such subsidy application."),
        "application_decided": (
            "该申请已经处理过了。",
            "This application has already been decided.",
        ),
        "application_not_approved": (
            "只有已批准的申请才能登记拨付。",
            "Only an approved application can be marked paid.",
        ),
        "subsidy_over_limit": (
            "批准金额超过上限（最多 {max_yuan} 元：按人数标准、检测费用和企业本期封顶计算）。",
            "The amount is over the limit (at most {max_yuan} yuan by the rate per person, the "
            "cost and the employer's cap for the period).",
        ),
        "budget_insufficient": (
            "区县补贴预算余额不足（可用 {available_yuan} 元），未作任何更改。",
            "The county's subsidy budget is short (available: {available_yuan} yuan); nothing "
            "was changed.",
        ),
        "budget_not_county": (
            "预算只能设在市级或区县级。",
            "Budgets belong to the city or to a county.",
        ),
        "policy_overlaps": (
            "该区县在这段时间已有补贴标准。",
            "The county already has subsidy terms for part of this period.",
        ),
        "policy_not_county": (
            "补贴标准按区县设定。",
            "Subsidy terms are set per county.",
        ),
    }
)

MAX_BATCH_AGE = timedelta(days=366)
REVIEWING_STATUSES = ("submitted",)
CLAIMING_STATUSES = ("submitted", "approved", "paid")


def yuan(fen: int) -> str:
    """'1234.50' for 123450 fen: what a person reads; arithmetic stays in integer fen."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


# -- regions -----------------------------------------------------------------------------


def county_of(region_code: str | None) -> str | None:
    """The county (or zone) a region lies in: the level just under the city."""
    if not region_code:
        return None
    region = db.session.get(Region, region_code)
    if region is None:
        return None
    parts = [p for p in region.path.split("/") if p]
    if CITY_CODE not in parts:
        return None
    index = parts.index(CITY_CODE)
    return parts[index + 1] if len(parts) > index + 1 else None


def _require_budget_region(region_code: str) -> Region:
    region = db.session.get(Region, region_code)
    if region is None or (region.code != CITY_CODE and region.parent_code != CITY_CODE):
        raise ValidationFailed(errors=[{"field": "region_code", "code": "budget_not_county"}])
    return region


def reviewing_scope(actor: User) -> str:
    """The city or the county whose subsidies an official reviews; officials of a township
    or a village review none (Forbidden)."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    if scope == CITY_CODE or county_of(scope) == scope:
        return scope
    if actor.has_role("admin"):
        return county_of(scope) or CITY_CODE
    raise Forbidden()


def can_review(actor: User, county_code: str) -> bool:
    """Officials of the county (or of the city) review its applications; admins too."""
    return oversees(actor, county_code)


# -- policies ----------------------------------------------------------------------------


def set_policy(
    *,
    region_code: str,
    starts_on: date,
    ends_on: date,
    rate_fen: int,
    cap_fen: int,
    actor: User,
) -> SubsidyPolicy:
    """Terms for a county and period; periods of one county never overlap."""
    region = db.session.get(Region, region_code)
    if region is None or region.parent_code != CITY_CODE:
        raise ValidationFailed(errors=[{"field": "region_code", "code": "policy_not_county"}])
    require_oversight(actor, region_code)
    if ends_on < starts_on:
        raise ValidationFailed(errors=[{"field": "ends_on", "code": "invalid"}])
    overlapping = db.session.scalar(
        select(SubsidyPolicy.id).where(
            SubsidyPolicy.region_code == region_code,
            SubsidyPolicy.starts_on <= ends_on,
            SubsidyPolicy.ends_on >= starts_on,
        )
    )
    if overlapping is not None:
        raise Conflict("policy_overlaps")
    policy = SubsidyPolicy(
        region_code=region_code,
        starts_on=starts_on,
        ends_on=ends_on,
        rate_fen=rate_fen,
        cap_fen=cap_fen,
        created_by_id=actor.id,
    )
    db.session.add(policy)
    db.session.flush()
    record(
        "subsidies.policy_set",
        actor=actor,
        subject_type="subsidy_policy",
        subject_id=policy.id,
        region_code=region_code,
        detail={
            "rate_fen": rate_fen,
            "cap_fen": cap_fen,
            "from": str(starts_on),
            "to": str(ends_on),
        },
    )
    return policy


def policy_for(county_code: str, day: date) -> SubsidyPolicy | None:
    return db.session.scalars(
        select(SubsidyPolicy).where(
            SubsidyPolicy.region_code == county_code,
            SubsidyPolicy.starts_on <= day,
            SubsidyPolicy.ends_on >= day,
        )
    ).first()


def policies_visible(actor: User) -> list[SubsidyPolicy]:
    """Employers see their county's terms; officials those of their scope."""
    stmt = select(SubsidyPolicy).order_by(SubsidyPolicy.region_code, SubsidyPolicy.starts_on)
    scope = scope_of(actor)
    if scope is not None:
        county = county_of(scope)
        stmt = stmt.where(
            region_subtree(SubsidyPolicy.region_code, scope)
            if county is None
            else SubsidyPolicy.region_code == county
        )
    else:
        employer = employer_for_user(actor)
        county = county_of(employer.region_code) if employer else None
        if county is None:
            return []
        stmt = stmt.where(SubsidyPolicy.region_code == county)
    return list(db.session.scalars(stmt))


# -- batches and invoices ----------------------------------------------------------------


def record_batch(
    employer: Employer,
    *,
    tested_on: date,
    institution: str,
    roster_user_ids: Iterable[int],
    counted_only: int,
    cost_fen: int,
    actor: User,
    today: date | None = None,
) -> TestBatch:
    """A batch of tests: roster workers linked one by one, others only counted."""
    today = today or local_today()
    if tested_on > today:
        raise ValidationFailed(errors=[{"field": "tested_on", "code": "batch_in_future"}])
    if tested_on < today - MAX_BATCH_AGE:
        raise ValidationFailed(errors=[{"field": "tested_on", "code": "batch_too_old"}])
    ids = list(roster_user_ids)
    errors = []
    seen: set[int] = set()
    for index, user_id in enumerate(ids):
        if user_id in seen:
            errors.append({"field": f"roster_user_ids.{index}", "code": "duplicate_person"})
        seen.add(user_id)
    on_roster = set(
        db.session.scalars(
            select(EmployerWorker.user_id).where(
                EmployerWorker.employer_id == employer.id, EmployerWorker.user_id.in_(seen)
            )
        )
    )
    for index, user_id in enumerate(ids):
        if user_id not in on_roster:
            errors.append({"field": f"roster_user_ids.{index}", "code": "not_on_roster"})
    if errors:
        raise ValidationFailed(errors=errors)
    people = len(seen) + counted_only
    if people < 1:
        raise ValidationFailed(errors=[{"field": "counted_only", "code": "batch_no_people"}])
    batch = TestBatch(
        employer_id=employer.id,
        tested_on=tested_on,
        institution=institution,
        people_count=people,
        counted_only=counted_only,
        cost_fen=cost_fen,
        created_by_id=actor.id,
        people=[TestBatchPerson(user_id=user_id) for user_id in sorted(seen)],
    )
    db.session.add(batch)
    db.session.flush()
    record(
        "subsidies.batch_recorded",
        actor=actor,
        subject_type="subsidy_batch",
        subject_id=batch.id,
        region_code=employer.region_code,
        detail={"people": people, "cost_fen": cost_fen},
    )
    return batch


def batches_of(employer: Employer) -> Select:
    return select(TestBatch).where(TestBatch.employer_id == employer.id)


def own_batch(employer: Employer, batch_id: int, *, lock: bool = False) -> TestBatch:
    """One of the employer's batches (404 for anyone else's)."""
    stmt = select(TestBatch).where(TestBatch.id == batch_id, TestBatch.employer_id == employer.id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    batch = db.session.scalars(stmt).first()
    if batch is None:
        raise NotFound("batch_not_found")
    return batch


def delete_batch(employer: Employer, batch_id: int, *, actor: User) -> None:
    """A batch recorded by mistake goes, as long as no application claims it."""
    batch = own_batch(employer, batch_id, lock=True)
    if batch.application_id is not None:
        raise Conflict("batch_claimed")
    record(
        "subsidies.batch_deleted",
        actor=actor,
        subject_type="subsidy_batch",
        subject_id=batch.id,
        region_code=employer.region_code,
    )
    db.session.delete(batch)


def attach_invoice(employer: Employer, batch_id: int, data: bytes, *, actor: User) -> TestBatch:
    """Store the invoice file and link it to the batch (replacing an earlier one).

    The file is written before the commit; the caller removes it again if the commit fails
    (`invoices.remove(batch.invoice.storage_key)`)."""
    batch = own_batch(employer, batch_id, lock=True)
    if batch.application_id is not None:
        raise Conflict("batch_claimed")
    media_type = invoices.media_type_of(data)
    key, digest = invoices.store(data, media_type)
    invoice = SubsidyInvoice(
        employer_id=employer.id,
        media_type=media_type,
        size_bytes=len(data),
        sha256=digest,
        storage_key=key,
        uploaded_by_id=actor.id,
    )
    db.session.add(invoice)
    db.session.flush()
    batch.invoice_id = invoice.id
    batch.invoice = invoice
    record(
        "subsidies.invoice_uploaded",
        actor=actor,
        subject_type="subsidy_batch",
        subject_id=batch.id,
        region_code=employer.region_code,
        detail={"media_type": media_type, "bytes": len(data)},
    )
    return batch


def visible_batch(actor: User, batch_id: int) -> TestBatch:
    """A batch its employer's staff, or the officials reviewing its county, may see."""
    batch = db.session.get(TestBatch, batch_id)
    if batch is None:
        raise NotFound("batch_not_found")
    mine = employer_for_user(actor)
    if mine is not None and mine.id == batch.employer_id:
        return batch
    employer = db.session.get(Employer, batch.employer_id)
    county = county_of(employer.region_code) if employer else None
    if county is not None and can_review(actor, county):
        return batch
    raise NotFound("batch_not_found")


# -- applications ------------------------------------------------------------------------


def apply(
    employer: Employer, batch_ids: Iterable[int], *, actor: User, note: str | None = None
) -> SubsidyApplication:
    """Claim a subsidy for some of the employer's batches (all with invoices, none claimed)."""
    ids = sorted(set(batch_ids))
    county = county_of(employer.region_code)
    if county is None:
        raise Conflict("subsidy_no_county")
    # Locked in id order, so two applications claiming the same batch never both win.
    batches = list(
        db.session.scalars(
            select(TestBatch)
            .where(TestBatch.id.in_(ids), TestBatch.employer_id == employer.id)
            .order_by(TestBatch.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if len(batches) != len(ids):
        raise NotFound("batch_not_found")
    if any(b.application_id is not None for b in batches):
        raise Conflict("batch_claimed")
    if any(b.invoice_id is None for b in batches):
        raise DomainError("batch_without_invoice", status=422)
    policies = {policy_for(county, b.tested_on) for b in batches}
    if None in policies:
        raise Conflict("subsidy_no_policy")
    if len(policies) > 1:
        raise Conflict("subsidy_periods_mixed")
    policy = policies.pop()
    people = sum(b.people_count for b in batches)
    cost = sum(b.cost_fen for b in batches)
    application = SubsidyApplication(
        employer_id=employer.id,
        county_code=county,
        policy_id=policy.id,
        status="submitted",
        batch_ids=[b.id for b in batches],
        people_count=people,
        cost_fen=cost,
        requested_fen=min(policy.rate_fen * people, cost),
        note=note,
        submitted_by_id=actor.id,
        submitted_dt=utcnow(),
    )
    db.session.add(application)
    db.session.flush()
    for batch in batches:
        batch.application_id = application.id
    record(
        "subsidies.applied",
        actor=actor,
        subject_type="subsidy_application",
        subject_id=application.id,
        region_code=county,
        detail={"batches": application.batch_ids, "requested_fen": application.requested_fen},
    )
    return application


def get_application(application_id: int, *, lock: bool = False) -> SubsidyApplication:
    stmt = select(SubsidyApplication).where(SubsidyApplication.id == application_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    application = db.session.scalars(stmt).first()
    if application is None:
        raise NotFound("application_not_found")
    return application


def visible_application(actor: User, application_id: int) -> SubsidyApplication:
    """Its employer's staff and the officials of its county (404 for everyone else)."""
    application = get_application(application_id)
    mine = employer_for_user(actor)
    if mine is not None and mine.id == application.employer_id:
        return application
    if can_review(actor, application.county_code):
        return application
    raise NotFound("application_not_found")


def reviewable_application(actor: User, application_id: int) -> SubsidyApplication:
    application = get_application(application_id)
    if not can_review(actor, application.county_code):
        raise NotFound("application_not_found")
    return application


def applications_of(employer: Employer) -> Select:
    return select(SubsidyApplication).where(SubsidyApplication.employer_id == employer.id)


def applications_in_scope(
    actor: User,
    *,
    status: str | None = None,
    county: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
) -> Select:
    """Applications officials may review: those of the counties in their scope."""
    scope = reviewing_scope(actor)
    stmt = select(SubsidyApplication)
    if scope != CITY_CODE:
        if county is not None and county != scope:
            raise Forbidden()
        stmt = stmt.where(SubsidyApplication.county_code == scope)
    elif county is not None:
        stmt = stmt.where(SubsidyApplication.county_code == county)
    if status:
        stmt = stmt.where(SubsidyApplication.status == status)
    if submitted_from:
        stmt = stmt.where(SubsidyApplication.submitted_dt >= local_midnight(submitted_from))
    if submitted_to:
        stmt = stmt.where(
            SubsidyApplication.submitted_dt < local_midnight(submitted_to + timedelta(days=1))
        )
    return stmt


def batches_of_application(application: SubsidyApplication) -> list[TestBatch]:
    if not application.batch_ids:
        return []
    return list(
        db.session.scalars(
            select(TestBatch).where(TestBatch.id.in_(application.batch_ids)).order_by(TestBatch.id)
        )
    )


@dataclass
class Duplicate:
    """One sign that something in this application was claimed before."""

    kind: str  # person (same worker, same day) / batch (same day, place and count) / invoice
    batch_id: int
    tested_on: date
    other_application_id: int | None
    other_batch_id: int
    person: str | None = None  # the worker's masked name, for `person`
    user_id: int | None = None  # for counting people once; not shown


@dataclass
class Limits:
    """What an approval may grant, and the arithmetic behind it (all fen)."""

    rate_fen: int
    cap_fen: int
    people: int
    duplicate_people: int
    by_rate_fen: int
    cost_fen: int
    cap_left_fen: int
    max_fen: int
    suggested_fen: int
    duplicates: list[Duplicate] = field(default_factory=list)


def duplicates_of(application: SubsidyApplication) -> list[Duplicate]:
    """The same worker tested the same day in another claimed batch, any employer's; another
    batch of this employer with the same day, institution and count; an invoice file claimed
    in another batch. All against batches that a live application (not refused) claims, or
    other batches of this same application."""
    batches = batches_of_application(application)
    if not batches:
        return []
    ids = [b.id for b in batches]
    found: list[Duplicate] = []
    claimed = TestBatch.application_id.is_not(None)
    other = TestBatch.id.not_in(ids)
    pairs = db.session.execute(
        select(TestBatchPerson.batch_id, TestBatchPerson.user_id).where(
            TestBatchPerson.batch_id.in_(ids)
        )
    ).all()
    days = {b.id: b.tested_on for b in batches}
    # Same worker twice on one day inside this application.
    seen: dict[tuple[int, date], int] = {}
    names: dict[int, str | None] = {}

    def masked(user_id: int) -> str | None:
        if user_id not in names:
            user = db.session.get(User, user_id)
            names[user_id] = mask_name(user.name) if user and user.name else None
        return names[user_id]

    for batch_id, user_id in sorted(pairs):
        key = (user_id, days[batch_id])
        if key in seen:
            found.append(
                Duplicate(
                    "person",
                    batch_id,
                    days[batch_id],
                    application.id,
                    seen[key],
                    masked(user_id),
                    user_id,
                )
            )
        else:
            seen[key] = batch_id
    users = {user_id for _, user_id in pairs}
    if users:
        rows = db.session.execute(
            select(
                TestBatchPerson.user_id, TestBatch.id, TestBatch.tested_on, TestBatch.application_id
            )
            .join(TestBatch, TestBatch.id == TestBatchPerson.batch_id)
            .where(
                TestBatchPerson.user_id.in_(users),
                TestBatch.tested_on.in_(set(days.values())),
                claimed,
                other,
            )
            .order_by(TestBatch.id)
        ).all()
        for user_id, other_batch, day, other_application in rows:
            for batch_id, mine in sorted(pairs):
                if mine == user_id and days[batch_id] == day:
                    found.append(
                        Duplicate(
                            "person",
                            batch_id,
                            day,
                            other_application,
                            other_batch,
                            masked(user_id),
                            user_id,
                        )
                    )
                    break
    for batch in batches:
        same = db.session.execute(
            select(TestBatch.id, TestBatch.application_id).where(
                TestBatch.employer_id == batch.employer_id,
                TestBatch.tested_on == batch.tested_on,
                TestBatch.institution == batch.institution,
                TestBatch.people_count == batch.people_count,
                TestBatch.id != batch.id,
                claimed,
            )
        ).all()
        for other_batch, other_application in same:
            if other_batch in ids and other_batch > batch.id:
                continue  # the pair inside this application is reported once, on the later one
            found.append(
                Duplicate("batch", batch.id, batch.tested_on, other_application, other_batch)
            )
    digests = {b.id: b.invoice.sha256 for b in batches if b.invoice is not None}
    if digests:
        rows = db.session.execute(
            select(TestBatch.id, TestBatch.application_id, SubsidyInvoice.sha256)
            .join(SubsidyInvoice, SubsidyInvoice.id == TestBatch.invoice_id)
            .where(SubsidyInvoice.sha256.in_(set(digests.values())), claimed)
            .order_by(TestBatch.id)
        ).all()
        for batch_id, digest in digests.items():
            for other_batch, other_application, other_digest in rows:
                if (
                    other_digest == digest
                    and other_batch != batch_id
                    and not (other_batch in ids and other_batch > batch_id)
                ):
                    found.append(
                        Duplicate(
                            "invoice", batch_id, days[batch_id], other_application, other_batch
                        )
                    )
    return found


def limits_of(application: SubsidyApplication) -> Limits:
    """The most an approval may grant: rate x people, never more than the cost, never more than
    what is left of the employer's cap for the period. The suggestion leaves out people whose
    test was already claimed."""
    policy = db.session.get(SubsidyPolicy, application.policy_id)
    granted = db.session.scalar(
        select(func.coalesce(func.sum(SubsidyApplication.approved_fen), 0)).where(
            SubsidyApplication.employer_id == application.employer_id,
            SubsidyApplication.policy_id == application.policy_id,
            SubsidyApplication.status.in_(("approved", "paid")),
            SubsidyApplication.id != application.id,
        )
    )
    duplicates = duplicates_of(application)
    # A person tested once in this application but claimed elsewhere counts once.
    duplicate_people = len({(d.batch_id, d.user_id) for d in duplicates if d.kind == "person"})
    duplicate_people = min(duplicate_people, application.people_count)
    by_rate = policy.rate_fen * application.people_count
    cap_left = max(policy.cap_fen - int(granted), 0)
    max_fen = min(by_rate, application.cost_fen, cap_left)
    suggested = min(policy.rate_fen * (application.people_count - duplicate_people), max_fen)
    if any(d.kind in ("batch", "invoice") for d in duplicates):
        suggested = 0  # a whole batch or invoice claimed twice: the reviewer must look first
    return Limits(
        rate_fen=policy.rate_fen,
        cap_fen=policy.cap_fen,
        people=application.people_count,
        duplicate_people=duplicate_people,
        by_rate_fen=by_rate,
        cost_fen=application.cost_fen,
        cap_left_fen=cap_left,
        max_fen=max_fen,
        suggested_fen=suggested,
        duplicates=duplicates,
    )


def budget_for(
    region_code: str, *, lock: bool = False, create: bool = False
) -> SubsidyBudget | None:
    """The budget of a county or the city; locked FOR UPDATE when asked (PostgreSQL)."""
    stmt = select(SubsidyBudget).where(SubsidyBudget.region_code == region_code)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    budget = db.session.scalars(stmt).first()
    if budget is None and create:
        budget = SubsidyBudget(
            region_code=region_code, balance_fen=0, allocated_fen=0, approved_fen=0, paid_fen=0
        )
        db.session.add(budget)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:  # created at the same moment by another request
            budget = db.session.scalars(stmt).one()
    return budget


def _move(
    budget: SubsidyBudget,
    *,
    balance: int = 0,
    allocated: int = 0,
    approved: int = 0,
    paid: int = 0,
) -> None:
    """Change a budget's sums in SQL (`balance_fen = balance_fen - x`), never from a value read
    earlier: even without a row lock (SQLite) no update is lost, and the CHECK sees the truth."""
    if balance:
        budget.balance_fen = SubsidyBudget.balance_fen + balance
    if allocated:
        budget.allocated_fen = SubsidyBudget.allocated_fen + allocated
    if approved:
        budget.approved_fen = SubsidyBudget.approved_fen + approved
    if paid:
        budget.paid_fen = SubsidyBudget.paid_fen + paid


def _entry(
    budget: SubsidyBudget,
    kind: str,
    amount: int,
    *,
    actor: User,
    application_id: int | None = None,
    counterpart: SubsidyBudget | None = None,
    note: str | None = None,
    now: datetime,
) -> BudgetEntry:
    """A ledger line, written after the budget's new sums are flushed (balance_after is real)."""
    entry = BudgetEntry(
        budget_id=budget.id,
        kind=kind,
        amount_fen=amount,
        balance_after_fen=budget.balance_fen,
        application_id=application_id,
        counterpart_budget_id=counterpart.id if counterpart else None,
        note=note,
        actor_id=actor.id,
        at_dt=now,
    )
    db.session.add(entry)
    budget.updated_dt = now
    return entry


class BudgetInsufficient(Conflict):
    code = "budget_insufficient"

    def __init__(self, available_fen: int) -> None:
        super().__init__(
            params={"available_yuan": yuan(available_fen)}, available_fen=available_fen
        )


def _flush_within_balance(budget: SubsidyBudget) -> None:
    """Flush; the CHECK constraint refusing a negative balance becomes a 409, not a 500.

    The whole transaction is rolled back (nothing of a refused draw may stay), then the
    balance is read afresh for the answer."""
    budget_id = inspect(budget).identity[0]  # without a load (that would flush first)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        available = db.session.scalar(
            select(SubsidyBudget.balance_fen).where(SubsidyBudget.id == budget_id)
        )
        raise BudgetInsufficient(available or 0) from None


def approve(
    application_id: int, *, amount_fen: int, actor: User, now: datetime | None = None
) -> SubsidyApplication:
    """Approve an amount; it is drawn from the county's budget in this transaction."""
    now = now or utcnow()
    application = reviewable_application(actor, application_id)
    # The budget row first: every approval in the county queues here, so the balance and the
    # employer's cap are read only once the previous approval has committed.
    budget = budget_for(application.county_code, lock=True)
    application = get_application(application_id, lock=True)
    if application.status not in REVIEWING_STATUSES:
        raise Conflict("application_decided")
    limits = limits_of(application)
    if amount_fen > limits.max_fen:
        raise Conflict(
            "subsidy_over_limit", params={"max_yuan": yuan(limits.max_fen)}, max_fen=limits.max_fen
        )
    if budget is None or amount_fen > budget.balance_fen:
        raise BudgetInsufficient(budget.balance_fen if budget is not None else 0)
    _move(budget, balance=-amount_fen, approved=amount_fen)
    _flush_within_balance(budget)
    application.status = "approved"
    application.approved_fen = amount_fen
    application.decided_by_id = actor.id
    application.decided_dt = now
    _entry(budget, "approval", amount_fen, actor=actor, application_id=application.id, now=now)
    record(
        "subsidies.approved",
        actor=actor,
        subject_type="subsidy_application",
        subject_id=application.id,
        region_code=application.county_code,
        detail={"amount_fen": amount_fen, "balance_after_fen": budget.balance_fen},
        now=now,
    )
    employer = db.session.get(Employer, application.employer_id)
    queue_sms(
        employer.contact_phone,
        f"【常德返岗】贵单位的核酸检测补贴申请（第{application.id}号）已批准，"
        f"金额 {yuan(amount_fen)} 元。",
    )
    return application


def refuse(
    application_id: int, *, reason: str, actor: User, now: datetime | None = None
) -> SubsidyApplication:
    """Refuse with a reason; the batches are free to be claimed again once corrected."""
    now = now or utcnow()
    application = reviewable_application(actor, application_id)
    application = get_application(application_id, lock=True)
    if application.status not in REVIEWING_STATUSES:
        raise Conflict("application_decided")
    application.status = "refused"
    application.refusal_reason = reason
    application.decided_by_id = actor.id
    application.decided_dt = now
    for batch in batches_of_application(application):
        if batch.application_id == application.id:
            batch.application_id = None
    record(
        "subsidies.refused",
        actor=actor,
        subject_type="subsidy_application",
        subject_id=application.id,
        region_code=application.county_code,
        reason=reason,
        now=now,
    )
    employer = db.session.get(Employer, application.employer_id)
    queue_sms(
        employer.contact_phone,
        f"【常德返岗】贵单位的核酸检测补贴申请（第{application.id}号）未获批准，原因请登录查看。",
    )
    return application


def mark_paid(
    application_id: int, *, actor: User, now: datetime | None = None
) -> SubsidyApplication:
    """Finance has paid the approved amount: the ledger records it; the balance is unchanged."""
    now = now or utcnow()
    application = reviewable_application(actor, application_id)
    budget = budget_for(application.county_code, lock=True)
    application = get_application(application_id, lock=True)
    if application.status != "approved" or budget is None:
        raise Conflict("application_not_approved")
    amount = application.approved_fen or 0
    application.status = "paid"
    application.paid_by_id = actor.id
    application.paid_dt = now
    if amount:
        _move(budget, paid=amount)
        db.session.flush()
        _entry(budget, "payment", amount, actor=actor, application_id=application.id, now=now)
    record(
        "subsidies.paid",
        actor=actor,
        subject_type="subsidy_application",
        subject_id=application.id,
        region_code=application.county_code,
        detail={"amount_fen": amount},
        now=now,
    )
    return application


# -- budgets -----------------------------------------------------------------------------


def allocate(
    region_code: str,
    amount_fen: int,
    *,
    actor: User,
    from_city: bool = False,
    note: str | None = None,
    now: datetime | None = None,
) -> SubsidyBudget:
    """Put money into a budget: the region's own funds, or a transfer out of the city's budget
    (which, like every budget, can never go below zero)."""
    now = now or utcnow()
    _require_budget_region(region_code)
    require_oversight(actor, region_code)
    if from_city:
        if region_code == CITY_CODE:
            raise ValidationFailed(errors=[{"field": "from_city", "code": "invalid"}])
        require_oversight(actor, CITY_CODE)
        budget_for(CITY_CODE, create=True)
        budget_for(region_code, create=True)
        # Always the city first, then the county: two transfers never lock in opposite orders.
        city = budget_for(CITY_CODE, lock=True)
        budget = budget_for(region_code, lock=True)
        if amount_fen > city.balance_fen:
            raise BudgetInsufficient(city.balance_fen)
        _move(city, balance=-amount_fen)
        _flush_within_balance(city)
        _move(budget, balance=amount_fen, allocated=amount_fen)
        db.session.flush()
        _entry(
            city, "transfer_out", amount_fen, actor=actor, counterpart=budget, note=note, now=now
        )
        _entry(budget, "transfer_in", amount_fen, actor=actor, counterpart=city, note=note, now=now)
    else:
        budget_for(region_code, create=True)
        budget = budget_for(region_code, lock=True)
        _move(budget, balance=amount_fen, allocated=amount_fen)
        db.session.flush()
        _entry(budget, "allocation", amount_fen, actor=actor, note=note, now=now)
    record(
        "subsidies.allocated",
        actor=actor,
        subject_type="subsidy_budget",
        subject_id=budget.id,
        region_code=region_code,
        detail={"amount_fen": amount_fen, "from_city": from_city},
        now=now,
    )
    return budget


def budgets_in_scope(actor: User) -> list[SubsidyBudget]:
    """The city's and the counties' budgets an official oversees (county officials: their own)."""
    scope = reviewing_scope(actor)
    stmt = select(SubsidyBudget).order_by(SubsidyBudget.region_code)
    if scope != CITY_CODE:
        stmt = stmt.where(SubsidyBudget.region_code == scope)
    return list(db.session.scalars(stmt))


def visible_budget(actor: User, budget_id: int) -> SubsidyBudget:
    budget = db.session.get(SubsidyBudget, budget_id)
    if budget is None or budget not in budgets_in_scope(actor):
        raise NotFound()
    return budget


def entries_of(budget: SubsidyBudget) -> Select:
    return select(BudgetEntry).where(BudgetEntry.budget_id == budget.id)


def employer_of(actor: User) -> Employer:
    return require_staff(actor)

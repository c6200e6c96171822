"""Case files: opening (from a declaration or by hand), daily checks, referral, release, transfer.

The rules (see docs/quarantine.md):
- A declaration with Hubei exposure within 14 days opens a case (start = exposure date, planned
  end = start + 14 days); a later exposure extends an open case. Staff may open one by hand.
- Every reading during observation is kept (the worker's own, the staff's, and each declaration).
  A fever (37.3 °C or more) or a symptom turns the card red, marks the case for medical referral
  and texts the responsible community.
- A case is due for release on its planned end day (Asia/Shanghai) or later, if nothing abnormal
  was recorded and the person is not red. Only a person releases, never the clock: the release
  turns the card green through the card service. A case may also end by transfer to hospital.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.accounts.access import oversees, require_oversight, scope_of
from app.accounts.models import User
from app.audit.services import record, record_many
from app.cards import signals
from app.cards.models import HealthDeclaration, HealthStatus
from app.cards.rules import StatusDecision
from app.cards.services import current_decision, release_quarantines, set_status
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.quarantine import notifications as notify
from app.quarantine.models import QuarantineCase, QuarantineCheck
from app.quarantine.rules import abnormal_reasons, is_due, planned_end
from app.regions.models import Region
from app.regions.services import get_region, region_subtree
from app.timeutil import local_today, utcnow

register_messages(
    {
        "case_not_found": ("未找到该隔离观察记录。", "No such quarantine case."),
        "no_case": ("您当前没有隔离观察记录。", "You have no quarantine case."),
        "case_already_open": (
            "该人员已有正在进行的隔离观察。",
            "This person already has an open quarantine case.",
        ),
        "case_closed": ("该隔离观察已结束。", "This quarantine case has ended."),
        "case_not_eligible": (
            "所选人员中有不符合解除条件的，未作任何解除。",
            "Some selected cases cannot be released; nothing was released.",
        ),
        "not_yet_due": (
            "隔离观察未满14天（{planned_end}期满）。",
            "The 14 days are not complete (due {planned_end}).",
        ),
        "case_referred": (
            "观察期间记录到发热或症状，须就医转诊，不能解除隔离。",
            "A fever or symptom was recorded: refer to medical care, no release.",
        ),
        "status_red": ("当前为红码，须就医转诊，不能解除隔离。", "The card is red: no release."),
        "start_in_future": ("开始日期不能晚于今天。", "The start date cannot be in the future."),
        "start_too_old": (
            "按此开始日期，14天观察期已满。",
            "With this start date the 14 days are already over.",
        ),
        "person_required": ("请指定人员（用户编号或手机号）。", "Name the person (id or phone)."),
        "person_not_found": ("未找到该人员。", "No such person."),
        "not_a_village": ("请选择村或社区。", "Choose a village or community."),
        "staff_not_responsible": (
            "该工作人员不负责此村（社区）。",
            "This staff member is not responsible for the village.",
        ),
    }
)

AUDIT_SUBJECT = "quarantine_case"


class CaseNotEligible(Conflict):
    code = "case_not_eligible"


# ---------------------------------------------------------------- reading cases


def get_case(case_id: int) -> QuarantineCase:
    case = db.session.get(QuarantineCase, case_id)
    if case is None:
        raise NotFound("case_not_found")
    return case


def case_for_staff(case_id: int, actor: User) -> QuarantineCase:
    """A case the actor looks after; someone else's is 'not found' (its existence is not told)."""
    case = db.session.get(QuarantineCase, case_id)
    if case is None or not oversees(actor, case.village_code):
        raise NotFound("case_not_found")
    return case


def open_case_of(user_id: int) -> QuarantineCase | None:
    return db.session.scalars(
        select(QuarantineCase).where(
            QuarantineCase.user_id == user_id, QuarantineCase.state == "open"
        )
    ).first()


def latest_case_of(user_id: int) -> QuarantineCase | None:
    """The open case, else the most recent one."""
    return db.session.scalars(
        select(QuarantineCase)
        .where(QuarantineCase.user_id == user_id)
        .order_by((QuarantineCase.state == "open").desc(), QuarantineCase.id.desc())
        .limit(1)
    ).first()


def checks_of(case_id: int) -> list[QuarantineCheck]:
    return list(
        db.session.scalars(
            select(QuarantineCheck)
            .where(QuarantineCheck.case_id == case_id)
            .order_by(QuarantineCheck.recorded_dt.desc(), QuarantineCheck.id.desc())
        )
    )


def ineligibility(case: QuarantineCase, today: date, status: HealthStatus | None) -> str | None:
    """Why this case cannot be released today (an error code), or None if it can."""
    if case.state != "open":
        return "case_closed"
    if case.referred_dt is not None:
        return "case_referred"
    if status is not None and status.status == "red":
        return "status_red"
    if not is_due(case.planned_end_date, today):
        return "not_yet_due"
    if (
        status is not None
        and status.quarantine_until
        and not is_due(status.quarantine_until, today)
    ):
        return "not_yet_due"  # the card's own quarantine (a later exposure) is not over either
    return None


def _due_condition(today: date) -> object:
    return and_(
        QuarantineCase.state == "open",
        QuarantineCase.referred_dt.is_(None),
        QuarantineCase.planned_end_date <= today,
        or_(HealthStatus.status.is_(None), HealthStatus.status != "red"),
        or_(HealthStatus.quarantine_until.is_(None), HealthStatus.quarantine_until <= today),
    )


def _checked_on(today: date) -> object:
    return exists().where(
        QuarantineCheck.case_id == QuarantineCase.id, QuarantineCheck.check_date == today
    )


def _missing_condition(today: date) -> object:
    return and_(
        QuarantineCase.state == "open",
        QuarantineCase.start_date <= today,
        ~_checked_on(today),
    )


CASE_FILTERS = ("open", "due", "missing", "referred", "closed", "all")


def cases_in(region_code: str, case_filter: str, today: date) -> Select:
    """Cases of a region's subtree: open, due for release today, missing today's check, ..."""
    stmt = (
        select(QuarantineCase)
        .outerjoin(HealthStatus, HealthStatus.user_id == QuarantineCase.user_id)
        .where(region_subtree(QuarantineCase.village_code, region_code))
        .options(joinedload(QuarantineCase.person), joinedload(QuarantineCase.village))
    )
    conditions = {
        "open": QuarantineCase.state == "open",
        "due": _due_condition(today),
        "missing": _missing_condition(today),
        "referred": and_(QuarantineCase.state == "open", QuarantineCase.referred_dt.is_not(None)),
        "closed": QuarantineCase.state != "open",
    }
    if case_filter in conditions:
        stmt = stmt.where(conditions[case_filter])
    return stmt


def region_for(actor: User, region_code: str | None) -> str:
    """The region an official asks about: their own scope, or a region within it."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    if region_code is None:
        return scope
    get_region(region_code)
    require_oversight(actor, region_code)
    return region_code


def statuses_of(user_ids: Iterable[int]) -> dict[int, HealthStatus]:
    """The colour rows of many people in one query (they stay in the session's identity map)."""
    ids = list(set(user_ids))
    rows: dict[int, HealthStatus] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        rows.update(
            (r.user_id, r)
            for r in db.session.scalars(select(HealthStatus).where(HealthStatus.user_id.in_(part)))
        )
    return rows


def checked_today(case_ids: Sequence[int], today: date) -> set[int]:
    if not case_ids:
        return set()
    return set(
        db.session.scalars(
            select(QuarantineCheck.case_id).where(
                QuarantineCheck.case_id.in_(list(case_ids)), QuarantineCheck.check_date == today
            )
        )
    )


@dataclass(frozen=True)
class RegionCounts:
    """One line of the aggregate view: a child region and its counts today."""

    region: Region
    open: int
    due_today: int
    missing_checks: int
    referred: int


def summary(region_code: str, today: date) -> tuple[RegionCounts, list[RegionCounts]]:
    """Counts for a region and each of its child regions (one grouped query over villages)."""
    region = get_region(region_code)
    stmt = (
        select(
            Region.path,
            func.count(QuarantineCase.id),
            func.count(QuarantineCase.id).filter(_due_condition(today)),
            func.count(QuarantineCase.id).filter(_missing_condition(today)),
            func.count(QuarantineCase.id).filter(QuarantineCase.referred_dt.is_not(None)),
        )
        .select_from(QuarantineCase)
        .join(Region, Region.code == QuarantineCase.village_code)
        .outerjoin(HealthStatus, HealthStatus.user_id == QuarantineCase.user_id)
        .where(
            QuarantineCase.state == "open", region_subtree(QuarantineCase.village_code, region_code)
        )
        .group_by(Region.path)
    )
    kids = db.session.scalars(
        select(Region).where(Region.parent_code == region.code).order_by(Region.code)
    ).all()
    per_child = {k.code: [0, 0, 0, 0] for k in kids}
    total = [0, 0, 0, 0]
    depth = region.path.count("/") - 1
    for path, *counts in db.session.execute(stmt):
        parts = path.strip("/").split("/")
        child = parts[depth] if len(parts) > depth else None
        for i, n in enumerate(counts):
            total[i] += n
            if child in per_child:
                per_child[child][i] += n
    rows = [RegionCounts(k, *per_child[k.code]) for k in kids]
    return RegionCounts(region, *total), rows


# ---------------------------------------------------------------- opening and changing cases


def _check_village(code: str) -> Region:
    village = db.session.get(Region, code)
    if village is None or village.level != "village":
        raise ValidationFailed(errors=[{"field": "village_code", "code": "not_a_village"}])
    return village


def _check_staff(staff: User, village_code: str) -> None:
    if not staff.has_role("official") or not oversees(staff, village_code):
        raise ValidationFailed(errors=[{"field": "staff_id", "code": "staff_not_responsible"}])


def find_person(*, user_id: int | None = None, phone: str | None = None) -> User:
    if user_id is None and phone is None:
        raise ValidationFailed(errors=[{"field": "user_id", "code": "person_required"}])
    if user_id is not None:
        person = db.session.get(User, user_id)
    else:
        person = db.session.scalars(select(User).where(User.phone == phone)).first()
    if person is None:
        raise NotFound("person_not_found")
    return person


def open_case(
    person: User,
    *,
    village_code: str,
    start_date: date,
    now: datetime | None = None,
    actor: User | None = None,
    origin: str = "manual",
    place: str = "home",
    address: str | None = None,
    reason: str | None = None,
    staff: User | None = None,
) -> QuarantineCase:
    """Open a case. By hand (`actor` given) the card turns yellow until the planned end."""
    now = now or utcnow()
    today = local_today(now)
    _check_village(village_code)
    if actor is not None:
        require_oversight(actor, village_code)
    end = planned_end(start_date)
    if start_date > today:
        raise ValidationFailed(errors=[{"field": "start_date", "code": "start_in_future"}])
    if origin == "manual" and is_due(end, today):
        raise ValidationFailed(errors=[{"field": "start_date", "code": "start_too_old"}])
    if staff is not None:
        _check_staff(staff, village_code)
    if open_case_of(person.id) is not None:
        raise Conflict("case_already_open")
    case = QuarantineCase(
        user_id=person.id,
        state="open",
        origin=origin,
        start_date=start_date,
        planned_end_date=end,
        place=place,
        address=address.strip() if address else None,
        village_code=village_code,
        staff_id=(staff or actor).id if (staff or actor) else None,
        opened_by_id=actor.id if actor else None,
        opened_dt=now,
        open_reason=reason.strip() if reason else None,
        referral_reasons=[],
    )
    db.session.add(case)
    db.session.flush()
    if origin == "manual":
        _hold_card_until(person, end, now=now, actor=actor, comment=reason)
    _audit(
        "quarantine.open",
        case,
        actor,
        now,
        reason=reason,
        detail={"origin": origin, "start": start_date, "planned_end": end, "place": place},
    )
    notify.queue_sms(person.phone, notify.observation_started(start_date, end))
    return case


def _hold_card_until(
    person: User, end: date, *, now: datetime, actor: User | None, comment: str | None
) -> None:
    """Observation opened by hand: yellow until `end` (a red card stays red, with that end)."""
    current = current_decision(person.id)
    if current is None or current.status == "green":
        decision = StatusDecision("yellow", ("quarantine",), end)
    elif current.quarantine_until is None or current.quarantine_until < end:
        decision = StatusDecision(current.status, current.reasons, end)
    else:
        return
    set_status(person, decision, cause="quarantine", now=now, actor=actor, comment=comment)


def update_case(
    case: QuarantineCase,
    actor: User,
    *,
    place: str | None = None,
    address: str | None = None,
    staff: User | None = None,
    now: datetime | None = None,
) -> QuarantineCase:
    """Change where observation happens or who is responsible (open cases only)."""
    now = now or utcnow()
    require_oversight(actor, case.village_code)
    if case.state != "open":
        raise Conflict("case_closed")
    changes: dict[str, object] = {}
    if place is not None and place != case.place:
        changes["place"], case.place = [case.place, place], place
    if address is not None and address.strip() != (case.address or ""):
        changes["address"] = True  # not copied into the trail: it can identify a home
        case.address = address.strip() or None
    if staff is not None and staff.id != case.staff_id:
        _check_staff(staff, case.village_code)
        changes["staff_id"], case.staff_id = [case.staff_id, staff.id], staff.id
    if changes:
        _audit("quarantine.update", case, actor, now, detail=changes)
    db.session.flush()
    return case


def _on_declaration(
    sender: User, *, declaration: HealthDeclaration, assessed: StatusDecision, now: datetime
) -> None:
    """A declaration with recent Hubei exposure opens (or extends) a case; during a case, every
    declaration also counts as a reading of that day."""
    case = open_case_of(sender.id)
    exposure = declaration.hubei_exposure_date
    if assessed.quarantine_until is not None and exposure is not None:
        if case is None:
            case = open_case(
                sender,
                village_code=declaration.current_village_code,
                start_date=exposure,
                now=now,
                origin="declaration",
            )
        elif assessed.quarantine_until > case.planned_end_date:
            before = case.planned_end_date
            case.planned_end_date = assessed.quarantine_until
            _audit(
                "quarantine.extend",
                case,
                None,
                now,
                detail={"from": before, "to": case.planned_end_date, "exposure": exposure},
            )
            notify.queue_sms(sender.phone, notify.observation_extended(case.planned_end_date))
    if case is not None:
        _add_check(
            case,
            temperature=declaration.temperature,
            symptoms=list(declaration.symptoms or ()),
            source="declaration",
            actor=None,
            now=now,
            declaration_id=declaration.id,
        )


signals.declaration_recorded.connect(_on_declaration)


# ---------------------------------------------------------------- daily checks and referral


def record_check(
    case: QuarantineCase,
    *,
    temperature: Decimal,
    symptoms: Sequence[str],
    actor: User,
    source: str,
    now: datetime | None = None,
) -> QuarantineCheck:
    """A reading by the person (source 'self') or by the responsible staff ('staff')."""
    now = now or utcnow()
    if source == "staff":
        require_oversight(actor, case.village_code)
    elif case.user_id != actor.id:
        raise NotFound("case_not_found")
    if case.state != "open":
        raise Conflict("case_closed")
    if "none" in symptoms and len(set(symptoms)) > 1:
        raise ValidationFailed(errors=[{"field": "symptoms", "code": "symptoms_conflict"}])
    return _add_check(
        case, temperature=temperature, symptoms=symptoms, source=source, actor=actor, now=now
    )


def _add_check(
    case: QuarantineCase,
    *,
    temperature: Decimal,
    symptoms: Sequence[str],
    source: str,
    actor: User | None,
    now: datetime,
    declaration_id: int | None = None,
) -> QuarantineCheck:
    symptoms = sorted(set(symptoms) - {"none"})
    reasons = abnormal_reasons(temperature, symptoms)
    check = QuarantineCheck(
        case_id=case.id,
        check_date=local_today(now),
        temperature=temperature,
        symptoms=symptoms,
        abnormal=bool(reasons),
        source=source,
        recorded_by_id=actor.id if actor else None,
        declaration_id=declaration_id,
        recorded_dt=now,
    )
    db.session.add(check)
    db.session.flush()
    _audit(
        "quarantine.check",
        case,
        actor,
        now,
        detail={
            "check_id": check.id,
            "source": source,
            "temperature": str(temperature),
            "symptoms": symptoms,
        },
    )
    if reasons:
        abnormal_reading(case.person, reasons, temperature, now=now, actor=actor, case=case)
    return check


def abnormal_reading(
    person: User,
    reasons: tuple[str, ...],
    temperature: Decimal,
    *,
    now: datetime,
    actor: User | None,
    case: QuarantineCase | None = None,
    village_code: str | None = None,
) -> None:
    """Fever or symptoms in a daily check: the card turns red, an open case is marked for
    medical referral, and the responsible community gets a text."""
    case = case or open_case_of(person.id)
    current = current_decision(person.id)
    if current is None or current.status != "red":
        until = current.quarantine_until if current else None
        if case is not None and case.state == "open":
            until = max(d for d in (until, case.planned_end_date) if d)
        if until is not None and is_due(until, local_today(now)):
            until = None
        set_status(
            person,
            StatusDecision("red", reasons, until),
            cause="daily_check",
            now=now,
            actor=actor,
        )
    if case is not None and case.state == "open":
        village_code = case.village_code
        if case.referred_dt is None:
            case.referred_dt = now
            case.referral_reasons = list(reasons)
            _audit("quarantine.referral", case, actor, now, detail={"reasons": list(reasons)})
    village_code = village_code or person.region_code
    if village_code is None:
        return
    village = db.session.get(Region, village_code)
    text = notify.referral_alert(
        village.name_zh if village else "", person.name, reasons, f"{temperature}"
    )
    for phone in notify.staff_phones(village_code):
        notify.queue_sms(phone, text)


# ---------------------------------------------------------------- release and transfer


def release_cases(
    case_ids: Sequence[int],
    *,
    actor: User,
    now: datetime | None = None,
    comment: str | None = None,
) -> list[QuarantineCase]:
    """Release one or many cases at once: all of them, or none (409 naming the ones that
    cannot go, 404 if one is unknown or not the actor's). The caller commits once."""
    now = now or utcnow()
    today = local_today(now)
    ids = list(dict.fromkeys(case_ids))
    cases: dict[int, QuarantineCase] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        cases.update(
            (c.id, c)
            for c in db.session.scalars(
                select(QuarantineCase)
                .where(QuarantineCase.id.in_(part))
                .options(joinedload(QuarantineCase.person))
            )
        )
    unknown = [i for i in ids if i not in cases or not oversees(actor, cases[i].village_code)]
    if unknown:
        raise NotFound("case_not_found", ids=unknown)
    statuses = statuses_of(c.user_id for c in cases.values())
    refused = []
    for case_id in ids:
        case = cases[case_id]
        why = ineligibility(case, today, statuses.get(case.user_id))
        if why:
            refused.append(
                {
                    "field": "case_ids",
                    "code": why,
                    "case_id": case_id,
                    "params": {"planned_end": case.planned_end_date.isoformat()},
                }
            )
    if refused:
        raise CaseNotEligible(errors=refused)
    released = [cases[case_id] for case_id in ids]
    # Case rows and audit events first: the card service's next flush writes them in batches.
    closing = {"state": "released", "closed_dt": now, "closed_by_id": actor.id}
    closing["close_reason"] = comment.strip() if comment else None
    for chunk in range(0, len(ids), 500):  # one UPDATE per 500 cases; loaded rows follow
        db.session.execute(
            update(QuarantineCase)
            .where(QuarantineCase.id.in_(ids[chunk : chunk + 500]))
            .values(**closing)
            .execution_options(synchronize_session="evaluate")
        )
    record_many(  # one INSERT: 1,000 ORM objects cost a fifth of the request on PostgreSQL
        "quarantine.release",
        actor=actor,
        now=now,
        events=[
            {
                "subject_type": AUDIT_SUBJECT,
                "subject_id": case.id,
                "region_code": case.village_code,
                "reason": comment,
                "detail": {"user_id": case.user_id},
            }
            for case in released
        ],
    )
    for case in released:
        notify.queue_sms(case.person.phone, notify.observation_released(today))
    yellow = [  # green already: nothing to lift
        case.person
        for case in released
        if (status := statuses.get(case.user_id)) is not None and status.status == "yellow"
    ]
    if yellow:
        release_quarantines(yellow, actor=actor, now=now, comment=comment)
    db.session.flush()
    return released


def transfer_case(
    case: QuarantineCase,
    *,
    actor: User,
    reason: str,
    hospital: str | None = None,
    now: datetime | None = None,
) -> QuarantineCase:
    """End observation by transfer to hospital (the card keeps its colour)."""
    now = now or utcnow()
    require_oversight(actor, case.village_code)
    if case.state != "open":
        raise Conflict("case_closed")
    case.hospital = hospital.strip() if hospital else None
    _close(case, "transferred", actor, now, reason)
    _audit("quarantine.transfer", case, actor, now, reason=reason, detail={"hospital": hospital})
    notify.queue_sms(case.person.phone, notify.observation_transferred(local_today(now)))
    db.session.flush()
    return case


def _close(
    case: QuarantineCase, state: str, actor: User, now: datetime, reason: str | None
) -> None:
    case.state, case.closed_dt, case.closed_by_id = state, now, actor.id
    case.close_reason = reason.strip() if reason else None


def _audit(
    action: str,
    case: QuarantineCase,
    actor: User | None,
    now: datetime,
    *,
    reason: str | None = None,
    detail: dict | None = None,
) -> None:
    record(
        action,
        actor=actor,
        subject_type=AUDIT_SUBJECT,
        subject_id=case.id,
        region_code=case.village_code,
        reason=reason,
        detail={
            "user_id": case.user_id,
            **{k: v.isoformat() if isinstance(v, date) else v for k, v in (detail or {}).items()},
        },
        now=now,
    )


def history_of(case: QuarantineCase) -> list:
    """The case's audit trail, oldest first."""
    from app.audit.models import AuditEvent

    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == AUDIT_SUBJECT, AuditEvent.subject_id == str(case.id))
            .order_by(AuditEvent.id)
        )
    )


# ---------------------------------------------------------------- the staff's daily digest


def send_daily_digest(today: date, *, now: datetime | None = None, force: bool = False) -> int:
    """Text each village's staff how many people missed today's check and how many are due for
    release. Once per village and day (recorded in the audit trail) unless `force`; villages
    with nothing to report get no text. Returns the number of messages queued."""
    now = now or utcnow()
    stmt = (
        select(
            QuarantineCase.village_code,
            func.count(QuarantineCase.id).filter(_missing_condition(today)),
            func.count(QuarantineCase.id).filter(_due_condition(today)),
        )
        .outerjoin(HealthStatus, HealthStatus.user_id == QuarantineCase.user_id)
        .where(QuarantineCase.state == "open")
        .group_by(QuarantineCase.village_code)
        .order_by(QuarantineCase.village_code)
    )
    done: set[str] = set()
    if not force:
        from app.audit.models import AuditEvent

        done = set(
            db.session.scalars(
                select(AuditEvent.subject_id).where(
                    AuditEvent.action == "quarantine.digest",
                    AuditEvent.subject_type == "village",
                    AuditEvent.reason == today.isoformat(),
                )
            )
        )
    queued = 0
    for village_code, missing, due in db.session.execute(stmt).all():
        if village_code in done or not (missing or due):
            continue
        village = db.session.get(Region, village_code)
        phones = notify.staff_phones(village_code)
        text = notify.digest(village.name_zh, today, missing, due)
        for phone in phones:
            notify.queue_sms(phone, text)
        queued += len(phones)
        record(
            "quarantine.digest",
            actor=None,
            subject_type="village",
            subject_id=village_code,
            region_code=village_code,
            reason=today.isoformat(),
            detail={"missing": missing, "due": due, "recipients": len(phones)},
            now=now,
        )
    return queued

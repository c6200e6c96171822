"""Complaints and cases: the rules. Plain arguments, no request objects.

A worker files a complaint about a gate (or a village) and a time; it joins the open case of
that place and day, or opens one. Flagged refusals of valid cards (checkpoint ingest) join or
open cases the same way. Officials of the village's township, county and city see the case,
assign it, record their contacts with the village and close it with a resolution; the workers
who complained are texted when it closes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.access import oversees, require_oversight, scope_of
from app.accounts.models import User
from app.audit.services import record
from app.checkpoints import signals as checkpoint_signals
from app.checkpoints.models import Checkpoint, CheckpointScan
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.regions.models import Region
from app.regions.services import region_subtree
from app.sms import queue_sms
from app.supervision.models import (
    CaseNote,
    CaseScan,
    Complaint,
    SupervisionCase,
)
from app.timeutil import app_tz, local_today, utcnow

register_messages(
    {
        "complaint_not_found": ("未找到该投诉。", "No such complaint."),
        "case_not_found": ("未找到该督办案件。", "No such case."),
        "case_closed": ("该案件已办结。", "This case is closed."),
        "place_required": (
            "请选择卡点或村（社区）。",
            "Choose a checkpoint or a village.",
        ),
        "occurred_in_future": ("时间不能晚于现在。", "The time cannot be in the future."),
        "occurred_too_long_ago": (
            "只能投诉 {days} 天内发生的拦截。",
            "Only blocks within the last {days} days can be reported.",
        ),
        "assignee_not_allowed": (
            "只能指派给负责该村的工作人员。",
            "Assign to an official responsible for this village.",
        ),
        "resolution_required": ("请填写处理结果。", "Describe the resolution."),
    }
)

SIGNATURE = "【返岗服务】"
MAX_AGE_DAYS = 30  # a complaint about a block older than this cannot be followed up
CLOCK_SLACK = timedelta(minutes=10)
KIND_WORDS = {
    "refused_entry": ("不让进村", "Not let into the village"),
    "refused_exit": ("不让出村", "Not let out of the village"),
    "extra_demands": ("额外要求证明", "Asked for extra papers"),
    "other": ("其他", "Other"),
}


@dataclass(frozen=True)
class Place:
    """Where an incident happened: a checkpoint (its village follows) or a village."""

    village_code: str
    checkpoint_id: int | None = None

    @property
    def key(self) -> str:
        return f"c{self.checkpoint_id}" if self.checkpoint_id else f"v{self.village_code}"


def place_of(checkpoint_id: int | None, village_code: str | None) -> Place:
    """The place a worker named; ValidationFailed when it names nothing we know."""
    if checkpoint_id is not None:
        checkpoint = db.session.get(Checkpoint, checkpoint_id)
        if checkpoint is None:
            raise ValidationFailed(
                errors=[{"field": "checkpoint_id", "code": "checkpoint_not_found"}]
            )
        return Place(checkpoint.village_code, checkpoint.id)
    if village_code:
        village = db.session.get(Region, village_code)
        if village is None or village.level != "village":
            raise ValidationFailed(errors=[{"field": "village_code", "code": "not_a_village"}])
        return Place(village.code)
    raise ValidationFailed(errors=[{"field": "checkpoint_id", "code": "place_required"}])


def open_case_for(
    place: Place, day: date, source: str, now: datetime
) -> tuple[SupervisionCase, bool]:
    """The open case of this place and day, made if there is none; (case, made).

    Two complaints arriving together both try to make it: the partial unique index lets one
    win, and the other (in a savepoint) takes the winner's case.
    """
    stmt = select(SupervisionCase).where(
        SupervisionCase.place_key == place.key,
        SupervisionCase.day == day,
        SupervisionCase.state == "open",
    )
    case = db.session.scalars(stmt).first()
    if case is not None:
        return case, False
    case = SupervisionCase(
        place_key=place.key,
        village_code=place.village_code,
        checkpoint_id=place.checkpoint_id,
        day=day,
        source=source,
        state="open",
        opened_dt=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(case)
    except IntegrityError:
        case = db.session.scalars(stmt).first()
        if case is None:  # pragma: no cover - the winner was closed in between
            raise
        return case, False
    record(
        "supervision.case_open",
        actor=None,
        subject_type="supervision_case",
        subject_id=case.id,
        region_code=place.village_code,
        detail={"source": source},
        now=now,
    )
    return case, True


def file_complaint(
    worker: User,
    *,
    place: Place,
    occurred_at: datetime | None,
    kind: str,
    description: str | None,
    now: datetime | None = None,
) -> Complaint:
    """A worker reports being blocked; the complaint joins (or opens) its place's case."""
    now = now or utcnow()
    occurred = occurred_at or now
    if occurred > now + CLOCK_SLACK:
        raise ValidationFailed(errors=[{"field": "occurred_at", "code": "occurred_in_future"}])
    if occurred < now - timedelta(days=MAX_AGE_DAYS):
        raise ValidationFailed(
            errors=[
                {
                    "field": "occurred_at",
                    "code": "occurred_too_long_ago",
                    "params": {"days": MAX_AGE_DAYS},
                }
            ]
        )
    occurred = min(occurred, now)
    day = occurred.astimezone(app_tz()).date()
    case, made = open_case_for(place, day, "complaint", now)
    complaint = Complaint(
        user_id=worker.id,
        case_id=case.id,
        checkpoint_id=place.checkpoint_id,
        village_code=place.village_code,
        occurred_dt=occurred,
        day=day,
        kind=kind,
        description=(description or "").strip() or None,
        duplicate=not made,
        filed_dt=now,
    )
    db.session.add(complaint)
    db.session.flush()
    record(
        "supervision.complaint",
        actor=worker,
        subject_type="supervision_case",
        subject_id=case.id,
        region_code=place.village_code,
        detail={"complaint_id": complaint.id, "kind": kind, "linked": not made},
        now=now,
    )
    return complaint


def cases_from_refusals(scan_ids: Iterable[int], now: datetime) -> int:
    """Put each flagged refusal in the open case of its checkpoint and day (made if needed);
    returns how many scans were added. A scan already in a case is left where it is."""
    ids = sorted(set(scan_ids))
    if not ids:
        return 0
    taken = set(db.session.scalars(select(CaseScan.scan_id).where(CaseScan.scan_id.in_(ids))))
    rows = db.session.execute(
        select(
            CheckpointScan.id,
            CheckpointScan.checkpoint_id,
            CheckpointScan.scan_day,
            Checkpoint.village_code,
        )
        .join(Checkpoint, Checkpoint.id == CheckpointScan.checkpoint_id)
        .where(CheckpointScan.id.in_(ids), CheckpointScan.flagged.is_(True))
    ).all()
    added = 0
    for scan_id, checkpoint_id, day, village_code in rows:
        if scan_id in taken:
            continue
        case, _ = open_case_for(Place(village_code, checkpoint_id), day, "refusal", now)
        db.session.add(CaseScan(scan_id=scan_id, case_id=case.id))
        added += 1
    db.session.flush()
    return added


def _on_valid_cards_refused(
    sender: Any, *, scan_ids: Sequence[int], now: datetime, **_: Any
) -> None:
    cases_from_refusals(scan_ids, now)


checkpoint_signals.valid_cards_refused.connect(_on_valid_cards_refused)


# -- reading --------------------------------------------------------------------------------


def cases_in_scope(
    actor: User,
    *,
    region: str | None = None,
    state: str | None = None,
    source: str | None = None,
    assignee_id: int | None = None,
    checkpoint_id: int | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    unassigned: bool = False,
) -> Select:
    """Cases of the villages an official oversees (optionally one region of theirs)."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    if region:
        require_oversight(actor, region)
        scope = region
    stmt = select(SupervisionCase).where(region_subtree(SupervisionCase.village_code, scope))
    if state:
        stmt = stmt.where(SupervisionCase.state == state)
    if source:
        stmt = stmt.where(SupervisionCase.source == source)
    if assignee_id is not None:
        stmt = stmt.where(SupervisionCase.assignee_id == assignee_id)
    if checkpoint_id is not None:
        stmt = stmt.where(SupervisionCase.checkpoint_id == checkpoint_id)
    if unassigned:
        stmt = stmt.where(SupervisionCase.assignee_id.is_(None))
    if day_from is not None:
        stmt = stmt.where(SupervisionCase.day >= day_from)
    if day_to is not None:
        stmt = stmt.where(SupervisionCase.day <= day_to)
    return stmt


def case_for_official(actor: User, case_id: int) -> SupervisionCase:
    """A case of the official's region (404 for any other: do not confirm that it exists)."""
    case = db.session.get(SupervisionCase, case_id)
    if case is None or not oversees(actor, case.village_code):
        raise NotFound("case_not_found")
    return case


def complaint_for_viewer(actor: User, complaint_id: int) -> Complaint:
    """The worker's own complaint, or one of an official's region."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("complaint_not_found")
    if complaint.user_id == actor.id or oversees(actor, complaint.village_code):
        return complaint
    raise NotFound("complaint_not_found")


def complaints_of(user: User) -> Select:
    return select(Complaint).where(Complaint.user_id == user.id)


def counts_of(case_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{case id: (complaints, refusals)}."""
    if not case_ids:
        return {}
    out = dict.fromkeys(case_ids, (0, 0))
    for case_id, count in db.session.execute(
        select(Complaint.case_id, func.count(Complaint.id))
        .where(Complaint.case_id.in_(case_ids))
        .group_by(Complaint.case_id)
    ):
        out[case_id] = (int(count), 0)
    for case_id, count in db.session.execute(
        select(CaseScan.case_id, func.count(CaseScan.scan_id))
        .where(CaseScan.case_id.in_(case_ids))
        .group_by(CaseScan.case_id)
    ):
        out[case_id] = (out[case_id][0], int(count))
    return out


def refusals_of(case: SupervisionCase) -> list[CheckpointScan]:
    return list(
        db.session.scalars(
            select(CheckpointScan)
            .join(CaseScan, CaseScan.scan_id == CheckpointScan.id)
            .where(CaseScan.case_id == case.id)
            .order_by(CheckpointScan.scanned_dt)
        )
    )


def notes_of(case: SupervisionCase) -> list[CaseNote]:
    return list(
        db.session.scalars(
            select(CaseNote)
            .where(CaseNote.case_id == case.id)
            .order_by(CaseNote.at_dt, CaseNote.id)
        )
    )


def worker_state(case: SupervisionCase) -> str:
    """What the worker is told: received (nobody on it yet), handling, or closed."""
    if case.state == "closed":
        return "closed"
    return "handling" if case.assignee_id is not None else "received"


# -- acting on a case -----------------------------------------------------------------------


def _require_open(case: SupervisionCase) -> None:
    if case.state != "open":
        raise Conflict("case_closed")


def assign(
    actor: User, case: SupervisionCase, assignee_id: int | None, now: datetime | None = None
) -> None:
    """Give the case to an official responsible for its village (default: the actor)."""
    require_oversight(actor, case.village_code)
    _require_open(case)
    assignee = actor if assignee_id is None else db.session.get(User, assignee_id)
    if (
        assignee is None
        or not assignee.active
        or not assignee.has_any_role(("official", "admin"))
        or not oversees(assignee, case.village_code)
    ):
        raise ValidationFailed(errors=[{"field": "assignee_id", "code": "assignee_not_allowed"}])
    now = now or utcnow()
    case.assignee_id, case.assigned_dt = assignee.id, now
    record(
        "supervision.assign",
        actor=actor,
        subject_type="supervision_case",
        subject_id=case.id,
        region_code=case.village_code,
        detail={"assignee_id": assignee.id},
        now=now,
    )


def add_note(
    actor: User,
    case: SupervisionCase,
    *,
    kind: str,
    note: str,
    contacted: str | None,
    now: datetime | None = None,
) -> CaseNote:
    """Record a contact with the village (whom, what was said) or a plain note."""
    require_oversight(actor, case.village_code)
    _require_open(case)
    now = now or utcnow()
    row = CaseNote(
        case_id=case.id,
        author_id=actor.id,
        kind=kind,
        contacted=(contacted or "").strip() or None,
        note=note.strip(),
        at_dt=now,
    )
    db.session.add(row)
    db.session.flush()
    if case.assignee_id is None:  # whoever follows a case up is handling it
        case.assignee_id, case.assigned_dt = actor.id, now
    record(
        f"supervision.{kind}",
        actor=actor,
        subject_type="supervision_case",
        subject_id=case.id,
        region_code=case.village_code,
        detail={"note_id": row.id},
        now=now,
    )
    return row


def closed_message(
    case: SupervisionCase, complaint: Complaint, outcome: str, resolution: str, locale: str
) -> str:
    """The SMS a complainant gets when their case closes (no names, no ID digits)."""
    place = complaint.checkpoint.name if complaint.checkpoint else complaint.village.name_zh
    day = complaint.day
    if locale == "en":
        verdict = "resolved" if outcome == "resolved" else "closed: not confirmed"
        return (
            f"[Fangang] Your complaint about {place} on {day.month}/{day.day} is {verdict}. "
            f"{resolution}"
        )
    verdict = "已处理" if outcome == "resolved" else "已办结（经核查未发现拦截）"
    return f"{SIGNATURE}您{day.month}月{day.day}日关于{place}的拦截投诉{verdict}：{resolution}"


def close(
    actor: User,
    case: SupervisionCase,
    *,
    outcome: str,
    resolution: str,
    now: datetime | None = None,
) -> int:
    """Close the case with a resolution; every complainant is texted after the commit.
    Returns how many messages were queued."""
    require_oversight(actor, case.village_code)
    _require_open(case)
    text = resolution.strip()
    if not text:
        raise ValidationFailed(errors=[{"field": "resolution", "code": "resolution_required"}])
    now = now or utcnow()
    case.state, case.closed_dt, case.closed_by_id = "closed", now, actor.id
    case.outcome, case.resolution = outcome, text
    if case.assignee_id is None:
        case.assignee_id, case.assigned_dt = actor.id, now
    sent: set[int] = set()
    for complaint in case.complaints:
        person = complaint.user
        if person.id in sent or not person.phone:
            continue
        sent.add(person.id)
        queue_sms(person.phone, closed_message(case, complaint, outcome, text, person.locale))
    record(
        "supervision.close",
        actor=actor,
        subject_type="supervision_case",
        subject_id=case.id,
        region_code=case.village_code,
        detail={"outcome": outcome, "texted": len(sent)},
        now=now,
    )
    return len(sent)


# -- where a worker may complain about ------------------------------------------------------


def nearby_checkpoints(
    user: User, *, latitude: float | None, longitude: float | None, limit: int = 20
) -> list[tuple[Checkpoint, float | None]]:
    """Active checkpoints nearest to the worker (with a distance in metres), or without a
    position those of the worker's county, by name."""
    stmt = select(Checkpoint).where(Checkpoint.active.is_(True))
    if latitude is not None and longitude is not None:
        box = 0.25  # about 25 km: a county's gates, not the province's
        near = stmt.where(
            Checkpoint.latitude.between(latitude - box, latitude + box),
            Checkpoint.longitude.between(longitude - box, longitude + box),
        )
        rows = list(db.session.scalars(near.limit(2000)))
        placed = [
            (c, distance_m(latitude, longitude, float(c.latitude), float(c.longitude)))
            for c in rows
        ]
        placed.sort(key=lambda pair: (pair[1], pair[0].id))
        if placed:
            return placed[:limit]
    county = county_of(user.region_code)
    if county is None:
        return []
    stmt = stmt.where(region_subtree(Checkpoint.village_code, county))
    return [
        (c, None)
        for c in db.session.scalars(stmt.order_by(Checkpoint.name, Checkpoint.id).limit(limit))
    ]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; a gate's position is good to metres)."""
    from math import asin, cos, radians, sin, sqrt

    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * 6_371_000 * asin(sqrt(a))


def county_of(region_code: str | None) -> str | None:
    """The county (or zone) a region lies in, if it is one of Changde's."""
    if not region_code:
        return None
    region = db.session.get(Region, region_code)
    while region is not None and region.level not in ("county", "zone"):
        region = db.session.get(Region, region.parent_code) if region.parent_code else None
    return region.code if region is not None else None


def week_start(today: date | None = None) -> date:
    """The first day of the rolling week that ends today (7 local days)."""
    return (today or local_today()) - timedelta(days=6)

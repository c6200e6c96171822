"""Batches (point-to-point requests and organised charters): the 50-worker rule, who sees and
decides what, and the state machine

    submitted → approved / refused → scheduled → travelling → arrived
    (submitted, approved or scheduled → cancelled, with who and why)

`scheduled` means every worker of the batch has a seat; it falls back to `approved` when a
seat is given up. Trips, seats, boarding and the handover are in app/transport/trips.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, or_, select

from app.accounts.access import oversees, scope_of
from app.accounts.models import User
from app.audit.services import record
from app.employers.models import Employer, EmployerWorker
from app.employers.services import employer_for_user
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.intents.destinations import MUNICIPALITIES, describe, is_changde, is_gbt2260
from app.regions.models import Region
from app.regions.services import region_subtree
from app.sms import queue_sms
from app.timeutil import local_today, utcnow
from app.transport.models import (
    LIVE_PASSENGER_STATES,
    LIVE_WORKER_STATES,
    Passenger,
    RequestWorker,
    TransportEvent,
    TransportRequest,
    Trip,
)

register_messages(
    {
        "transport_request_not_found": ("未找到该运输申请。", "No such transport request."),
        "batch_too_small": (
            "点对点运输须同一出发地至少 {minimum} 人同批返岗：{origin} 目前 {count} 人，"
            "还差 {missing} 人。",
            "Point-to-point transport needs at least {minimum} workers from the same origin "
            "in one batch: {origin} has {count}, {missing} missing.",
        ),
        "batch_mixed_too_small": (
            "名单来自 {groups} 个出发地，点对点运输须同一出发地至少 {minimum} 人："
            "人数最多的 {origin} 有 {count} 人，还差 {missing} 人。",
            "The list has workers from {groups} origins; point-to-point transport needs at "
            "least {minimum} from the same one: the largest, {origin}, has {count}, "
            "{missing} missing.",
        ),
        "origin_group_too_small": (
            "{origin}：{count} 人，还差 {missing} 人。",
            "{origin}: {count} workers, {missing} missing.",
        ),
        "origin_invalid": (
            "出发地须为国家标准（GB/T 2260）的县级或市级行政区划代码。",
            "The origin must be a GB/T 2260 county or city code.",
        ),
        "origin_in_changde": (
            "点对点运输接回的是从常德市外返岗的务工人员，出发地不能在常德市内。",
            "Point-to-point transport brings workers back from outside Changde: the origin "
            "cannot be in Changde.",
        ),
        "window_invalid": (
            "出发时间段须从今天或以后开始，最长 {max_days} 天。",
            "The departure window must start today or later and last {max_days} days at most.",
        ),
        "employer_not_verified": (
            "企业通过属地核验后才能申请点对点运输。",
            "The employer must be verified by its local officials before requesting transport.",
        ),
        "worker_not_on_roster": (
            "该务工人员不在本企业的花名册或已录用名单中。",
            "This worker is not on the employer's roster or hired list.",
        ),
        "worker_listed_twice": (
            "该务工人员在名单中重复出现（第一次在第 {first_line} 行）。",
            "This worker is listed twice (first on line {first_line}).",
        ),
        "worker_in_other_batch": (
            "该务工人员已在另一批点对点运输中。",
            "This worker is already in another transport batch.",
        ),
        "workers_missing": ("请选择务工人员或上传名单。", "Pick workers or upload a list."),
        "request_not_pending": (
            "该申请已处理，不能再审核。",
            "This request has already been decided.",
        ),
        "request_not_cancellable": (
            "该申请已出发、完成或结束，不能取消。",
            "This request has left, finished or ended: it cannot be cancelled.",
        ),
        "reason_required": ("请填写原因。", "Give a reason."),
        "upload_invalid_workers": (
            "名单有 {error_count} 处错误，未作任何更改。请修改后重新上传。",
            "The list has {error_count} error(s); nothing was changed. Fix it and upload again.",
        ),
    }
)

MAX_WINDOW_DAYS = 14
ACTIVE_STATES = ("submitted", "approved", "scheduled", "travelling")
CANCELLABLE = ("submitted", "approved", "scheduled")


# -- settings -------------------------------------------------------------------------------


def min_batch() -> int:
    """The notice's rule: 50 or more workers from the same area in one batch."""
    return int(current_app.config.get("TRANSPORT_MIN_BATCH", 50))


def seat_share() -> Decimal:
    share = Decimal(str(current_app.config.get("TRANSPORT_SEAT_SHARE", "0.5")))
    if not Decimal("0") < share <= Decimal("1"):
        raise RuntimeError("TRANSPORT_SEAT_SHARE must be in (0, 1]")
    return share


def isolation_rows() -> int:
    return int(current_app.config.get("TRANSPORT_ISOLATION_ROWS", 2))


# -- origins and regions --------------------------------------------------------------------


def origin_name(code: str) -> str:
    return describe(code).name_zh


def check_origin(code: str, *, inbound: bool = True, field: str = "origin_code") -> str:
    """A GB/T 2260 county- or city-level code (a municipality counts as a city); outside
    Changde for an inbound batch."""
    code = (code or "").strip()
    is_city_level = not code.endswith("0000") or code[:2] in MUNICIPALITIES
    if not is_gbt2260(code) or not is_city_level:
        raise ValidationFailed(errors=[{"field": field, "code": "origin_invalid"}])
    if inbound and is_changde(code):
        raise ValidationFailed(errors=[{"field": field, "code": "origin_in_changde"}])
    return code


def county_of(region_code: str) -> str:
    """The county or zone (the officials who decide) above a region of Changde."""
    region = db.session.get(Region, region_code)
    if region is None:
        return region_code
    parts = [p for p in region.path.split("/") if p]
    # /430000/430700/<county>/<township>/<village>/
    return parts[2] if len(parts) > 2 else region.code


def check_window(start: date, end: date, today: date) -> None:
    if start < today or end < start or (end - start).days > MAX_WINDOW_DAYS:
        raise ValidationFailed(
            errors=[
                {
                    "field": "window_start",
                    "code": "window_invalid",
                    "params": {"max_days": MAX_WINDOW_DAYS},
                }
            ]
        )


# -- who sees and who decides ---------------------------------------------------------------


def is_staff_of(actor: User, request: TransportRequest) -> bool:
    employer = employer_for_user(actor)
    return employer is not None and employer.id == request.employer_id


def is_reviewer(actor: User, request: TransportRequest) -> bool:
    """Officials of the county or park that decides (outbound: the origin's officials)."""
    return oversees(actor, request.review_region_code)


def is_crew(actor: User, request: TransportRequest) -> bool:
    return any(actor.id in (t.escort_id, t.medic_id) for t in request.trips)


def sees(actor: User, request: TransportRequest) -> bool:
    """Both sides: the employer, the deciding officials, officials of the origin and of the
    destination, and the crew of its trips."""
    return (
        is_staff_of(actor, request)
        or is_reviewer(actor, request)
        or oversees(actor, request.origin_code)
        or oversees(actor, request.destination_code)
        or is_crew(actor, request)
    )


def request_for(actor: User, request_id: int, *, lock: bool = False) -> TransportRequest:
    """A batch the actor may see (404 for any other: do not confirm it exists)."""
    stmt = select(TransportRequest).where(TransportRequest.id == request_id)
    if lock:
        stmt = stmt.with_for_update()
    request = db.session.scalars(stmt).first()
    if request is None or not sees(actor, request):
        raise NotFound("transport_request_not_found")
    return request


def requests_visible(actor: User, state: str | None = None) -> Select:
    """The batches an actor may list: an employer's own, or those of an official's region
    (deciding, origin or destination side)."""
    stmt = select(TransportRequest)
    conditions = []
    employer = employer_for_user(actor)
    if employer is not None:
        conditions.append(TransportRequest.employer_id == employer.id)
    scope = scope_of(actor)
    if scope is not None:
        conditions += [
            region_subtree(TransportRequest.review_region_code, scope),
            region_subtree(TransportRequest.origin_code, scope),
            region_subtree(TransportRequest.destination_code, scope),
        ]
    if not conditions:
        raise Forbidden()
    stmt = stmt.where(or_(*conditions))
    if state:
        stmt = stmt.where(TransportRequest.state == state)
    return stmt


# -- the batch and its workers --------------------------------------------------------------


@dataclass
class RequestData:
    """What an employer asks for (shape validated by the API schema)."""

    origin_code: str
    window_start: date
    window_end: date
    destination_address: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class WorkerPick:
    """A worker named for a batch: from the picker (line None) or a file's line."""

    user_id: int
    origin_code: str | None = None
    line: int | None = None


def _where(pick: WorkerPick, index: int) -> dict[str, Any]:
    return {"line": pick.line} if pick.line is not None else {"field": f"workers.{index}"}


def live_batch_of(user_ids: Iterable[int], *, exclude_request: int | None = None) -> set[int]:
    """Which of these people are already in a live batch."""
    ids = list(user_ids)
    if not ids:
        return set()
    stmt = select(RequestWorker.user_id).where(
        RequestWorker.user_id.in_(ids), RequestWorker.state.in_(LIVE_WORKER_STATES)
    )
    if exclude_request is not None:
        stmt = stmt.where(RequestWorker.request_id != exclude_request)
    return set(db.session.scalars(stmt))


def check_picks(employer: Employer, picks: Sequence[WorkerPick], default_origin: str) -> None:
    """Every worker on the employer's roster (hired applicants are on it), once, in no other
    live batch, with a valid origin; ValidationFailed listing each bad line or item."""
    if not picks:
        raise ValidationFailed(errors=[{"field": "workers", "code": "workers_missing"}])
    roster = set(
        db.session.scalars(
            select(EmployerWorker.user_id).where(EmployerWorker.employer_id == employer.id)
        )
    )
    busy = live_batch_of([p.user_id for p in picks])
    errors: list[dict[str, Any]] = []
    first: dict[int, int] = {}
    for index, pick in enumerate(picks):
        where = _where(pick, index)
        if pick.user_id not in roster:
            errors.append({**where, "code": "worker_not_on_roster"})
        elif pick.user_id in first:
            errors.append(
                {
                    **where,
                    "code": "worker_listed_twice",
                    "params": {"first_line": first[pick.user_id]},
                }
            )
        elif pick.user_id in busy:
            errors.append({**where, "code": "worker_in_other_batch"})
        first.setdefault(pick.user_id, pick.line if pick.line is not None else index + 1)
        if pick.origin_code and pick.origin_code != default_origin:
            try:
                check_origin(pick.origin_code)
            except ValidationFailed as error:
                errors += [{**where, "code": e["code"]} for e in error.errors]
    if errors:
        raise ValidationFailed(
            "upload_invalid_workers" if any("line" in e for e in errors) else "validation_error",
            errors=errors[:200],
            error_count=len(errors),
        )


def group_by_origin(
    picks: Sequence[WorkerPick], default_origin: str
) -> dict[str, list[WorkerPick]]:
    groups: dict[str, list[WorkerPick]] = {}
    for pick in picks:
        groups.setdefault(pick.origin_code or default_origin, []).append(pick)
    return groups


def check_batch_size(groups: dict[str, Sequence[object]], minimum: int) -> None:
    """The notice's rule: each origin's group reaches `minimum`; the refusal says how many
    are missing (for mixed origins, per origin and for the largest group)."""
    small = {origin: len(people) for origin, people in groups.items() if len(people) < minimum}
    if not small:
        return
    largest = max(groups, key=lambda origin: (len(groups[origin]), origin))
    count = len(groups[largest])
    params = {
        "minimum": minimum,
        "origin": origin_name(largest),
        "origin_code": largest,
        "count": count,
        "missing": max(minimum - count, 0),
        "groups": len(groups),
    }
    errors = [
        {
            "field": "workers",
            "code": "origin_group_too_small",
            "params": {
                "origin": origin_name(origin),
                "origin_code": origin,
                "count": n,
                "missing": minimum - n,
                "minimum": minimum,
            },
        }
        for origin, n in sorted(small.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    code = "batch_too_small" if len(groups) == 1 else "batch_mixed_too_small"
    if len(groups) > 1 and count >= minimum:
        # The largest group is big enough; name the first one that is not.
        origin, n = min(small.items(), key=lambda kv: (-kv[1], kv[0]))
        params.update(origin=origin_name(origin), origin_code=origin, count=n, missing=minimum - n)
    # The figures go in the body too, so a client can show "20 more" without parsing text.
    raise ValidationFailed(code, errors=errors, **params)


def add_event(
    request: TransportRequest,
    action: str,
    *,
    actor: User | None,
    trip: Trip | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    db.session.add(
        TransportEvent(
            request_id=request.id,
            trip_id=trip.id if trip is not None else None,
            action=action,
            actor_id=actor.id if actor is not None else None,
            reason=reason,
            detail=detail or {},
            at_dt=now or utcnow(),
        )
    )


def _audit(action: str, request: TransportRequest, actor: User | None, **detail: Any) -> None:
    record(
        f"transport.{action}",
        actor=actor,
        subject_type="transport_request",
        subject_id=request.id,
        region_code=request.review_region_code,
        detail=detail,
    )


def submit_request(
    actor: User,
    data: RequestData,
    picks: Sequence[WorkerPick],
    *,
    now: datetime | None = None,
) -> list[TransportRequest]:
    """An employer's request for point-to-point transport: one batch per origin, each of at
    least min_batch() workers; a list with any error changes nothing."""
    now = now or utcnow()
    employer = employer_for_user(actor)
    if employer is None:
        raise Forbidden("not_employer_staff")
    if not employer.verified:
        raise Forbidden("employer_not_verified")
    origin = check_origin(data.origin_code)
    check_window(data.window_start, data.window_end, local_today(now))
    check_picks(employer, picks, origin)
    groups = group_by_origin(picks, origin)
    check_batch_size(groups, min_batch())
    made = []
    for group_origin, people in groups.items():
        request = TransportRequest(
            direction="inbound",
            state="submitted",
            employer_id=employer.id,
            origin_code=group_origin,
            destination_code=employer.region_code,
            destination_address=(data.destination_address or employer.address).strip(),
            review_region_code=county_of(employer.region_code),
            window_start=data.window_start,
            window_end=data.window_end,
            note=(data.note or "").strip() or None,
            created_by_id=actor.id,
            created_dt=now,
            updated_dt=now,
        )
        db.session.add(request)
        for pick in people:
            request.workers.append(
                RequestWorker(
                    user_id=pick.user_id,
                    origin_code=group_origin,
                    state="listed",
                    added_dt=now,
                )
            )
        db.session.flush()
        add_event(request, "submitted", actor=actor, detail={"workers": len(people)}, now=now)
        _audit("request_submitted", request, actor, workers=len(people))
        made.append(request)
    db.session.flush()
    return made


def live_workers(request: TransportRequest) -> list[RequestWorker]:
    return [w for w in request.workers if w.state in LIVE_WORKER_STATES]


def worker_counts(request_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per batch: workers by state, and how many hold a live seat."""
    out: dict[int, dict[str, int]] = {i: {} for i in request_ids}
    if not request_ids:
        return out
    rows = db.session.execute(
        select(RequestWorker.request_id, RequestWorker.state, func.count())
        .where(RequestWorker.request_id.in_(request_ids))
        .group_by(RequestWorker.request_id, RequestWorker.state)
    )
    for request_id, state, n in rows:
        out[request_id][state] = n
    seated = db.session.execute(
        select(Trip.request_id, func.count(Passenger.id))
        .join(Passenger, Passenger.trip_id == Trip.id)
        .where(
            Trip.request_id.in_(request_ids),
            Passenger.state.in_((*LIVE_PASSENGER_STATES, "arrived", "missing")),
        )
        .group_by(Trip.request_id)
    )
    for request_id, n in seated:
        out[request_id]["seated"] = n
    return out


def _employer_phone(request: TransportRequest) -> str | None:
    return request.employer.contact_phone if request.employer is not None else None


def decide(
    actor: User,
    request: TransportRequest,
    *,
    approve: bool,
    reason: str | None,
    now: datetime | None = None,
) -> TransportRequest:
    """Officials of the receiving county or park approve, or refuse with a reason."""
    now = now or utcnow()
    if not is_reviewer(actor, request):
        raise Forbidden()
    if request.state != "submitted":
        raise Conflict("request_not_pending")
    reason = (reason or "").strip() or None
    if not approve and not reason:
        raise ValidationFailed(errors=[{"field": "reason", "code": "reason_required"}])
    request.state = "approved" if approve else "refused"
    request.decided_by_id, request.decided_dt = actor.id, now
    request.decision_reason = reason
    request.updated_dt = now
    if not approve:
        for worker in request.workers:
            worker.state = "released"
    action = "approved" if approve else "refused"
    add_event(request, action, actor=actor, reason=reason, now=now)
    _audit(f"request_{action}", request, actor)
    origin = origin_name(request.origin_code)
    if approve:
        text = (
            f"【返岗服务】贵单位从{origin}接回 {len(request.workers)} 名务工人员的点对点运输"
            "申请已获批准，请安排车辆和随车人员。"
        )
    else:
        text = f"【返岗服务】贵单位从{origin}接回务工人员的点对点运输申请未获批准。原因：{reason}"
    queue_sms(_employer_phone(request), text)
    db.session.flush()
    return request


def may_cancel(actor: User, request: TransportRequest) -> bool:
    return is_reviewer(actor, request) or (
        request.direction == "inbound" and is_staff_of(actor, request)
    )


def cancel(
    actor: User, request: TransportRequest, *, reason: str, now: datetime | None = None
) -> TransportRequest:
    """The employer or the officials call a batch off before it leaves: its planned trips are
    cancelled, seats and vehicles given back, passengers told."""
    from app.transport.trips import cancel_trip

    now = now or utcnow()
    if not may_cancel(actor, request):
        raise Forbidden()
    if request.state not in CANCELLABLE or any(t.state == "travelling" for t in request.trips):
        raise Conflict("request_not_cancellable")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors=[{"field": "reason", "code": "reason_required"}])
    for trip in request.trips:
        if trip.state == "planned":
            cancel_trip(actor, trip, reason=reason, now=now, refresh=False)
    request.state = "cancelled"
    request.cancelled_by_id, request.cancelled_dt, request.cancel_reason = actor.id, now, reason
    request.updated_dt = now
    for worker in request.workers:
        if worker.state in LIVE_WORKER_STATES or worker.state == "invited":
            worker.state = "released"
    add_event(request, "cancelled", actor=actor, reason=reason, now=now)
    _audit("request_cancelled", request, actor)
    if not is_staff_of(actor, request):
        queue_sms(
            _employer_phone(request),
            f"【返岗服务】点对点运输（批次 {request.id}）已取消。原因：{reason}",
        )
    db.session.flush()
    return request


def refresh_state(request: TransportRequest, *, now: datetime | None = None) -> None:
    """Recompute the state that follows from the trips: scheduled when everyone has a seat,
    travelling once a vehicle left, arrived when every vehicle has handed over."""
    if request.state in ("submitted", "refused", "cancelled", "arrived"):
        return
    db.session.flush()
    trips = [t for t in request.trips if t.state != "cancelled"]
    before = request.state
    if trips and all(t.state == "arrived" for t in trips):
        # Done once every worker had a seat, whether they boarded, were refused or missed it.
        unseated = _unseated_count(request, ever=True)
        request.state = "arrived" if unseated == 0 else "travelling"
    elif any(t.state in ("travelling", "arrived") for t in trips):
        request.state = "travelling"
    else:
        live = live_workers(request)
        unseated = _unseated_count(request)
        request.state = "scheduled" if live and unseated == 0 else "approved"
    if request.state != before:
        request.updated_dt = now or utcnow()
        add_event(request, request.state, actor=None, now=now)


def seated_worker_ids(request: TransportRequest, *, ever: bool = False) -> set[int]:
    """Request workers holding a seat (live, or already travelled) on its trips; `ever`:
    also those refused at the door or who did not show up."""
    states = (*LIVE_PASSENGER_STATES, "arrived", "missing")
    if ever:
        states += ("refused", "no_show")
    return set(
        db.session.scalars(
            select(Passenger.request_worker_id)
            .join(Trip, Trip.id == Passenger.trip_id)
            .where(Trip.request_id == request.id, Passenger.state.in_(states))
        )
    )


def _unseated_count(request: TransportRequest, *, ever: bool = False) -> int:
    seated = seated_worker_ids(request, ever=ever)
    return sum(1 for w in live_workers(request) if w.id not in seated)


def unseated_workers(request: TransportRequest) -> list[RequestWorker]:
    seated = seated_worker_ids(request)
    return [w for w in live_workers(request) if w.id not in seated]


def events_of(request: TransportRequest) -> list[TransportEvent]:
    return list(
        db.session.scalars(
            select(TransportEvent)
            .where(TransportEvent.request_id == request.id)
            .order_by(TransportEvent.id)
        )
    )


def candidates(actor: User) -> list[tuple[User, bool]]:
    """The employer's roster (hired applicants included), each with whether they are free
    (in no live batch)."""
    employer = employer_for_user(actor)
    if employer is None:
        raise Forbidden("not_employer_staff")
    users = list(
        db.session.scalars(
            select(User)
            .join(EmployerWorker, EmployerWorker.user_id == User.id)
            .where(EmployerWorker.employer_id == employer.id)
            .order_by(EmployerWorker.id)
        )
    )
    busy = live_batch_of([u.id for u in users])
    return [(u, u.id not in busy) for u in users]


def window_days(request: TransportRequest) -> list[date]:
    days, day = [], request.window_start
    while day <= request.window_end:
        days.append(day)
        day += timedelta(days=1)
    return days

"""Organised labour export (组织劳务输出, part 二.4): from the outbound-intent ledger, groups of
workers leaving for the same destination in the same week; at 50 the origin's officials charter
a batch and invite them; each worker accepts or declines on the PWA (or by SMS prompt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.intents import reports
from app.intents.destinations import CODE_RE, MUNICIPALITIES, city_of, is_gbt2260
from app.intents.models import EmploymentIntent
from app.regions.models import Region
from app.regions.services import region_subtree
from app.sms import queue_sms
from app.timeutil import local_today, utcnow
from app.transport.models import LIVE_WORKER_STATES, RequestWorker, TransportRequest
from app.transport.services import (
    add_event,
    live_batch_of,
    min_batch,
    origin_name,
)

register_messages(
    {
        "charter_group_too_small": (
            "该目的地本周外出人数不足 {minimum} 人（目前 {count} 人），暂不组织包车。",
            "Fewer than {minimum} workers leave for this destination that week ({count}): "
            "no charter yet.",
        ),
        "invitation_not_found": ("未找到该包车邀请。", "No such charter invitation."),
        "invitation_closed": (
            "该包车已出发、结束或您已有座位，不能再更改。",
            "This charter has left or ended, or you already have a seat: it cannot change.",
        ),
        "destination_invalid": ("目的地代码无效。", "The destination code is not valid."),
    }
)

# An app opened in the last day counts as "has the app": others are told by SMS as well.
APP_RECENT = timedelta(days=1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Group:
    destination_code: str  # city level
    week_start: date
    workers: int  # outbound, not yet departed
    needs_transport: int
    in_batches: int

    def free(self) -> int:
        return self.workers - self.in_batches


def groups(
    actor: User, region_code: str | None = None, *, today: date | None = None
) -> tuple[Region, list[Group]]:
    """Groups by destination city and departure week from the ledger's counters, for the
    official's region, this week on; with how many are already in a live batch."""
    today = today or local_today()
    region = reports.region_for(actor, region_code)
    filters = reports.LedgerFilters(
        region=region.code, kind="outbound", departure_from=_monday(today)
    )
    weekly = reports.weekly(actor, filters)
    out = []
    for week, per_destination in weekly.items():
        for code, values in per_destination.items():
            counts = reports.counts_dict(values)
            left = counts["intents"] - counts["departed"]
            if left <= 0:
                continue
            out.append(Group(code, week, left, counts["needs_transport"], 0))
    busy = _busy_by_group(region, {g.week_start for g in out})
    for group in out:
        group.in_batches = busy.get((group.destination_code, group.week_start), 0)
    out.sort(key=lambda g: (-g.free(), g.week_start, g.destination_code))
    return region, out


def _busy_by_group(region: Region, weeks: set[date]) -> dict[tuple[str, date], int]:
    if not weeks:
        return {}
    rows = db.session.execute(
        select(EmploymentIntent.destination_code, EmploymentIntent.departure_date)
        .join(RequestWorker, RequestWorker.user_id == EmploymentIntent.user_id)
        .where(
            RequestWorker.state.in_(LIVE_WORKER_STATES),
            EmploymentIntent.kind == "outbound",
            EmploymentIntent.withdrawn_dt.is_(None),
            EmploymentIntent.departed_dt.is_(None),
            EmploymentIntent.departure_date >= min(weeks),
            region_subtree(EmploymentIntent.origin_village_code, region.code),
        )
    )
    out: dict[tuple[str, date], int] = {}
    for code, day in rows:
        key = (city_of(code), _monday(day))
        out[key] = out.get(key, 0) + 1
    return out


def members(region: Region, destination_code: str, week_start: date) -> list[EmploymentIntent]:
    """The intents of one group: outbound to that city, leaving that week, not yet gone."""
    prefix = (
        destination_code[:2] if destination_code[:2] in MUNICIPALITIES else destination_code[:4]
    )
    rows = db.session.scalars(
        select(EmploymentIntent)
        .where(
            EmploymentIntent.kind == "outbound",
            EmploymentIntent.withdrawn_dt.is_(None),
            EmploymentIntent.departed_dt.is_(None),
            EmploymentIntent.destination_code.startswith(prefix),
            EmploymentIntent.departure_date >= week_start,
            EmploymentIntent.departure_date < week_start + timedelta(days=7),
            region_subtree(EmploymentIntent.origin_village_code, region.code),
        )
        .order_by(EmploymentIntent.origin_village_code, EmploymentIntent.id)
    )
    return [i for i in rows if city_of(i.destination_code) == destination_code]


def create_charter(
    actor: User,
    *,
    destination_code: str,
    week_start: date,
    destination_address: str,
    note: str | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> TransportRequest:
    """A charter batch for a group of 50 or more; its workers are invited (and texted)."""
    now = now or utcnow()
    region = reports.region_for(actor, region_code)
    if not CODE_RE.match(destination_code) or not is_gbt2260(destination_code):
        raise ValidationFailed(
            errors=[{"field": "destination_code", "code": "destination_invalid"}]
        )
    week_start = _monday(week_start)
    if week_start < _monday(local_today(now)):
        raise ValidationFailed(
            errors=[{"field": "week_start", "code": "window_invalid", "params": {"max_days": 7}}]
        )
    intents = members(region, destination_code, week_start)
    busy = live_batch_of([i.user_id for i in intents])
    invited = [i for i in intents if i.user_id not in busy]
    minimum = min_batch()
    if len(invited) < minimum:
        raise Conflict("charter_group_too_small", minimum=minimum, count=len(invited))
    request = TransportRequest(
        direction="outbound",
        state="approved",  # the origin's officials organise it themselves
        employer_id=None,
        origin_code=region.code,
        destination_code=destination_code,
        destination_address=destination_address.strip(),
        review_region_code=region.code,
        window_start=week_start,
        window_end=week_start + timedelta(days=6),
        note=(note or "").strip() or None,
        created_by_id=actor.id,
        created_dt=now,
        decided_by_id=actor.id,
        decided_dt=now,
        updated_dt=now,
    )
    db.session.add(request)
    for intent in invited:
        request.workers.append(
            RequestWorker(
                user_id=intent.user_id, origin_code=region.code, state="invited", added_dt=now
            )
        )
    db.session.flush()
    add_event(request, "chartered", actor=actor, detail={"invited": len(invited)}, now=now)
    destination = origin_name(destination_code)
    text = (
        f"【返岗服务】{region.name_zh}组织包车前往{destination}（{week_start:%m月%d日}当周出发），"
        "统一防疫、医护随车。请打开返岗服务确认是否参加。"
    )
    for intent in invited:
        user = intent.user
        if user.last_login_dt is None or now - user.last_login_dt > APP_RECENT:
            queue_sms(user.phone, text)
    from app.audit.services import record

    record(
        "transport.charter_created",
        actor=actor,
        subject_type="transport_request",
        subject_id=request.id,
        region_code=region.code,
        detail={"destination": destination_code, "invited": len(invited)},
    )
    db.session.flush()
    return request


def invitations_of(user: User) -> list[RequestWorker]:
    """Every batch the worker is in (invited, listed, accepted...), newest first."""
    return list(
        db.session.scalars(
            select(RequestWorker)
            .where(RequestWorker.user_id == user.id)
            .order_by(RequestWorker.id.desc())
        )
    )


def answer(
    user: User, request_id: int, *, accept: bool, now: datetime | None = None
) -> RequestWorker:
    """The worker accepts or declines a charter invitation (and may change their mind until
    they have a seat)."""
    from app.transport.services import seated_worker_ids

    now = now or utcnow()
    row = db.session.scalars(
        select(RequestWorker).where(
            RequestWorker.request_id == request_id, RequestWorker.user_id == user.id
        )
    ).first()
    if row is None or row.request.direction != "outbound":
        raise NotFound("invitation_not_found")
    if (
        row.request.state not in ("approved", "scheduled")
        or row.state not in ("invited", "accepted", "declined")
        or row.id in seated_worker_ids(row.request)
    ):
        raise Conflict("invitation_closed")
    if accept and row.state != "accepted" and live_batch_of([user.id], exclude_request=request_id):
        raise Conflict("worker_in_other_batch")
    row.state = "accepted" if accept else "declined"
    row.responded_dt = now
    add_event(
        row.request,
        "invitation_accepted" if accept else "invitation_declined",
        actor=user,
        detail={"worker_id": row.id},
        now=now,
    )
    db.session.flush()
    return row

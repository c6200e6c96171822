"""One record per worker, door to factory: card colour changes, intent, application and hire,
batch, trip and seat, boarding (with the temperature), departure, arrival and handover.

Who sees what:
* the worker: everything of their own;
* officials of the worker's household region, or of a batch's origin, destination or deciding
  county: everything (names masked as everywhere);
* the hiring employer (the worker is on its roster, or in one of its batches): its own
  applications and hire, its batches, the seat, whether they boarded or were refused and the
  handover; never the card's colour history, the intent or a temperature (health data the
  employer does not need to receive the worker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.accounts.access import oversees
from app.accounts.models import User
from app.cards.models import StatusChange
from app.employers.models import EmployerWorker
from app.employers.services import employer_for_user
from app.errors import NotFound
from app.extensions import db
from app.i18n import message, register_messages
from app.intents.destinations import describe
from app.intents.models import EmploymentIntent, IntentChange
from app.jobs.models import Application, JobPosting
from app.timeutil import app_tz
from app.transport.manifest import refusal_text
from app.transport.models import BoardingScan, Passenger, RequestWorker, TransportEvent, Trip

register_messages(
    {
        "timeline.card": ("健康码：{from_word}→{to_word}", "Health card: {from_word} → {to_word}"),
        "timeline.card_first": ("首次申报健康信息：{to_word}", "First declaration: {to_word}"),
        "timeline.intent": (
            "务工意向：{action}（{destination}）",
            "Intent: {action} ({destination})",
        ),
        "timeline.applied": ("投递简历：{title}", "Applied: {title}"),
        "timeline.hired": ("被录用：{employer}", "Hired by {employer}"),
        "timeline.listed": ("列入点对点返岗批次 {request}", "Listed in transport batch {request}"),
        "timeline.invited": ("受邀参加包车 {request}", "Invited to charter {request}"),
        "timeline.accepted": ("确认参加包车", "Accepted the charter"),
        "timeline.declined": ("谢绝参加包车", "Declined the charter"),
        "timeline.batch_approved": ("批次已获批准", "The batch was approved"),
        "timeline.batch_refused": ("批次未获批准：{reason}", "The batch was refused: {reason}"),
        "timeline.batch_cancelled": ("批次已取消：{reason}", "The batch was cancelled: {reason}"),
        "timeline.seat": (
            "座位 {seat}（{plate}），{time} 于{place}上车",
            "Seat {seat} ({plate}), boarding {time} at {place}",
        ),
        "timeline.boarded": ("已上车，体温 {temperature}℃", "Boarded, {temperature} °C"),
        "timeline.boarded_plain": ("已上车", "Boarded"),
        "timeline.refused": ("拒绝上车：{reason}", "Boarding refused: {reason}"),
        "timeline.departed": ("车辆出发", "The vehicle left"),
        "timeline.no_show": ("未按时上车", "Did not board"),
        "timeline.arrived": ("到达并完成交接：{place}", "Arrived and handed over: {place}"),
        "timeline.missing": ("交接时未到，已通知双方", "Missing at the handover; both sides told"),
    }
)

COLOUR_WORDS = {"green": ("绿码", "green"), "yellow": ("黄码", "yellow"), "red": ("红码", "red")}
INTENT_ACTIONS = {
    "created": ("登记", "registered"),
    "updated": ("更新", "updated"),
    "withdrawn": ("撤回", "withdrawn"),
    "departed": ("已出发", "departed"),
    "certificate_issued": ("开具健康证明", "certificate issued"),
    "certificate_revoked": ("健康证明作废", "certificate revoked"),
}
EMPLOYER_KINDS = {"application", "hire", "batch", "seat", "boarding", "departure", "arrival"}


@dataclass
class Entry:
    at: datetime
    kind: str
    title: str
    detail: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _word(table: dict[str, tuple[str, str]], key: str | None, locale: str) -> str:
    zh, en = table.get(key or "", (key or "-", key or "-"))
    return en if locale == "en" else zh


def _local(moment: datetime) -> str:
    return moment.astimezone(app_tz()).strftime("%m-%d %H:%M")


def view_of(actor: User, worker: User) -> str:
    """'worker', 'official' or 'employer': which timeline the actor may read (NotFound else)."""
    if actor.id == worker.id:
        return "worker"
    batches = list(
        db.session.scalars(select(RequestWorker).where(RequestWorker.user_id == worker.id))
    )
    if oversees(actor, worker.region_code) or any(
        oversees(actor, code)
        for b in batches
        for code in (
            b.request.origin_code,
            b.request.destination_code,
            b.request.review_region_code,
        )
    ):
        return "official"
    employer = employer_for_user(actor)
    if employer is not None:
        on_roster = db.session.scalars(
            select(EmployerWorker.id).where(
                EmployerWorker.employer_id == employer.id, EmployerWorker.user_id == worker.id
            )
        ).first()
        if on_roster or any(b.request.employer_id == employer.id for b in batches):
            return "employer"
    raise NotFound("worker_not_found")


def timeline(actor: User, worker: User, locale: str) -> tuple[str, list[Entry]]:
    view = view_of(actor, worker)
    employer = employer_for_user(actor) if view == "employer" else None
    entries: list[Entry] = []
    if view != "employer":
        entries += _card_changes(worker, locale) + _intent_changes(worker, locale)
    entries += _applications(worker, locale, employer.id if employer else None)
    entries += _transport(worker, locale, employer.id if employer else None, view)
    entries.sort(key=lambda e: e.at)
    return view, entries


def _card_changes(worker: User, locale: str) -> list[Entry]:
    rows = db.session.scalars(
        select(StatusChange).where(StatusChange.user_id == worker.id).order_by(StatusChange.id)
    )
    return [
        Entry(
            r.changed_dt,
            "card",
            message(
                "timeline.card" if r.from_status else "timeline.card_first",
                locale,
                from_word=_word(COLOUR_WORDS, r.from_status, locale) if r.from_status else "",
                to_word=_word(COLOUR_WORDS, r.to_status, locale),
            ),
            None,
            {"status": r.to_status, "cause": r.cause},
        )
        for r in rows
    ]


def _intent_changes(worker: User, locale: str) -> list[Entry]:
    rows = db.session.scalars(
        select(IntentChange)
        .join(EmploymentIntent, EmploymentIntent.id == IntentChange.intent_id)
        .where(EmploymentIntent.user_id == worker.id)
        .order_by(IntentChange.id)
    )
    out = []
    for change in rows:
        code = (change.snapshot or {}).get("destination_code") or ""
        place = describe(code) if code else None
        name = (place.name_en if locale == "en" else place.name_zh) if place else "-"
        out.append(
            Entry(
                change.changed_dt,
                "intent",
                message(
                    "timeline.intent",
                    locale,
                    action=_word(INTENT_ACTIONS, change.action, locale),
                    destination=name,
                ),
                None,
                {"action": change.action, "destination_code": code or None},
            )
        )
    return out


def _applications(worker: User, locale: str, employer_id: int | None) -> list[Entry]:
    stmt = (
        select(Application, JobPosting)
        .join(JobPosting, JobPosting.id == Application.posting_id)
        .where(Application.user_id == worker.id)
    )
    if employer_id is not None:  # an employer sees applications to its own postings only
        stmt = stmt.where(JobPosting.employer_id == employer_id)
    out = []
    for application, posting in db.session.execute(stmt.order_by(Application.id)):
        out.append(
            Entry(
                application.created_dt,
                "application",
                message("timeline.applied", locale, title=posting.title),
                None,
                {"posting_id": posting.id},
            )
        )
        if application.status == "hired":
            out.append(
                Entry(
                    application.status_dt,
                    "hire",
                    message("timeline.hired", locale, employer=posting.employer.name),
                    None,
                    {"posting_id": posting.id},
                )
            )
    return out


def _transport(worker: User, locale: str, employer_id: int | None, view: str) -> list[Entry]:
    rows = list(
        db.session.scalars(
            select(RequestWorker)
            .where(RequestWorker.user_id == worker.id)
            .order_by(RequestWorker.id)
        )
    )
    out: list[Entry] = []
    for row in rows:
        request = row.request
        if employer_id is not None and request.employer_id != employer_id:
            continue
        data = {"request_id": request.id}
        first = "timeline.invited" if request.direction == "outbound" else "timeline.listed"
        out.append(
            Entry(row.added_dt, "batch", message(first, locale, request=request.id), None, data)
        )
        if row.responded_dt and row.state in ("accepted", "declined"):
            out.append(
                Entry(
                    row.responded_dt, "batch", message(f"timeline.{row.state}", locale), None, data
                )
            )
        events = db.session.scalars(
            select(TransportEvent).where(
                TransportEvent.request_id == request.id,
                TransportEvent.action.in_(("approved", "refused", "cancelled")),
            )
        )
        for event in events:
            out.append(
                Entry(
                    event.at_dt,
                    "batch",
                    message(f"timeline.batch_{event.action}", locale, reason=event.reason or "-"),
                    None,
                    data,
                )
            )
        passengers = db.session.scalars(
            select(Passenger).where(Passenger.request_worker_id == row.id).order_by(Passenger.id)
        )
        for passenger in passengers:
            out += _journey(passenger, locale, view)
    return out


def _journey(passenger: Passenger, locale: str, view: str) -> list[Entry]:
    trip: Trip = passenger.trip
    data = {"trip_id": trip.id, "seat": passenger.seat, "plate": trip.vehicle.plate}
    out = [
        Entry(
            passenger.booked_dt,
            "seat",
            message(
                "timeline.seat",
                locale,
                seat=passenger.seat,
                plate=trip.vehicle.plate,
                time=_local(trip.departure_dt),
                place=trip.departure_place,
            ),
            None,
            dict(data),
        )
    ]
    if passenger.state == "removed":
        return out
    scans = db.session.scalars(
        select(BoardingScan)
        .where(BoardingScan.passenger_id == passenger.id)
        .order_by(BoardingScan.scanned_dt)
    )
    for scan in scans:
        health = view != "employer"
        if scan.decision == "board":
            title = (
                message("timeline.boarded", locale, temperature=scan.temperature)
                if health and scan.temperature is not None
                else message("timeline.boarded_plain", locale)
            )
        else:
            title = message(
                "timeline.refused", locale, reason=refusal_text(scan.refusal_reason, locale)
            )
        extra = {"decision": scan.decision, "reason": scan.refusal_reason}
        if health:
            extra["temperature"] = float(scan.temperature) if scan.temperature is not None else None
        out.append(Entry(scan.scanned_dt, "boarding", title, None, {**data, **extra}))
    if trip.departed_dt and passenger.state in ("boarded", "arrived", "missing"):
        out.append(
            Entry(
                trip.departed_dt,
                "departure",
                message("timeline.departed", locale),
                None,
                dict(data),
            )
        )
    if trip.departed_dt and passenger.state == "no_show":
        out.append(
            Entry(
                trip.departed_dt, "departure", message("timeline.no_show", locale), None, dict(data)
            )
        )
    if passenger.state == "arrived" and passenger.arrived_dt:
        out.append(
            Entry(
                passenger.arrived_dt,
                "arrival",
                message("timeline.arrived", locale, place=trip.arrival_place),
                None,
                dict(data),
            )
        )
    if passenger.state == "missing" and trip.arrived_dt:
        out.append(
            Entry(trip.arrived_dt, "arrival", message("timeline.missing", locale), None, dict(data))
        )
    return out

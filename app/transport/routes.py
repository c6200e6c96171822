"""Point-to-point transport: batches, trips and seats, boarding, manifests, the handover."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.accounts.identity import mask_name, mask_phone
from app.accounts.models import User
from app.api import endpoint
from app.api.pagination import keyset_page
from app.audit.services import record
from app.checkpoints.schemas import SyncOut
from app.employers.services import employer_for_user
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import request_locale
from app.intents.destinations import describe
from app.intents.exports import csv_chunks, xlsx_chunks
from app.timeutil import utcnow
from app.transport import boarding, charters, manifest, services, timeline, trips, uploads
from app.transport.models import BOARDING_REFUSALS, RequestWorker, TransportRequest, Trip
from app.transport.schemas import (
    AnswerIn,
    BoardingList,
    BoardingPassenger,
    BoardingSyncIn,
    CandidateList,
    CandidateOut,
    CardState,
    CharterIn,
    CrewOut,
    DecisionIn,
    EventOut,
    GroupList,
    GroupOut,
    GroupQuery,
    HandoverIn,
    InvitationList,
    InvitationOut,
    MyTrips,
    PassengerOut,
    PersonOut,
    PlaceOut,
    ReasonIn,
    RequestDetail,
    RequestIn,
    RequestList,
    RequestOut,
    RequestPage,
    RequestQuery,
    RequestUploadIn,
    SeatMapRow,
    SeatsIn,
    TimelineEntry,
    TimelineOut,
    TripBrief,
    TripIn,
    TripOut,
    TripUpdate,
    WorkerOut,
)

bp = Blueprint("transport", __name__)
OFFICIALS = ("official", "admin")
SIDES = ("employer", "official", "admin")


# -- shapes ---------------------------------------------------------------------------------


def place(code: str) -> PlaceOut:
    found = describe(code)
    return PlaceOut(code=code, name_zh=found.name_zh, name_en=found.name_en)


def person(user: User) -> PersonOut:
    return PersonOut(
        user_id=user.id,
        name_masked=mask_name(user.name or ""),
        phone_masked=mask_phone(user.phone) if user.phone else None,
        id_masked=user.id_masked,
    )


def request_out(request: TransportRequest, counts: dict[str, int] | None = None) -> RequestOut:
    counts = counts if counts is not None else services.worker_counts([request.id])[request.id]
    workers = sum(counts.get(state, 0) for state in ("listed", "accepted"))
    return RequestOut(
        id=request.id,
        direction=request.direction,
        state=request.state,
        employer_name=request.employer.name if request.employer else None,
        origin=place(request.origin_code),
        destination=place(request.destination_code),
        destination_address=request.destination_address,
        review_region=place(request.review_region_code),
        window_start=request.window_start,
        window_end=request.window_end,
        note=request.note,
        workers=workers,
        seated=counts.get("seated", 0),
        created_at=request.created_dt,
        decided_at=request.decided_dt,
        decision_reason=request.decision_reason,
        cancelled_at=request.cancelled_dt,
        cancel_reason=request.cancel_reason,
        may_decide=request.state == "submitted" and services.is_reviewer(current_user, request),
        may_plan=request.state in ("approved", "scheduled")
        and trips.may_plan(current_user, request),
        may_cancel=request.state in services.CANCELLABLE
        and services.may_cancel(current_user, request),
    )


def trip_brief(trip: Trip) -> TripBrief:
    return TripBrief(
        id=trip.id,
        state=trip.state,
        plate=trip.vehicle.plate,
        seats=trip.vehicle.seats,
        departure_at=trip.departure_dt,
        departure_place=trip.departure_place,
        arrival_place=trip.arrival_place,
        passengers=len(manifest.shown_passengers(trip)),
        capacity=trips.plan_of(trip).capacity,
    )


def request_detail(request: TransportRequest) -> RequestDetail:
    seats = {}
    for trip in request.trips:
        for p in trip.passengers:
            if p.state != "removed":
                seats[p.request_worker_id] = (p.seat, trip.id)
    names = {}
    for event in services.events_of(request):
        if event.actor_id and event.actor_id not in names:
            names[event.actor_id] = mask_name(event.actor.name or "") if event.actor else None
    return RequestDetail(
        **request_out(request).model_dump(),
        worker_list=[
            WorkerOut(
                id=w.id,
                person=person(w.user),
                origin=place(w.origin_code),
                state=w.state,
                seat=seats.get(w.id, (None, None))[0],
                trip_id=seats.get(w.id, (None, None))[1],
            )
            for w in request.workers
        ],
        trips=[trip_brief(t) for t in request.trips],
        events=[
            EventOut(
                action=e.action,
                at=e.at_dt,
                actor=names.get(e.actor_id) if e.actor_id else None,
                reason=e.reason,
                trip_id=e.trip_id,
            )
            for e in services.events_of(request)
        ],
        unseated=len(services.unseated_workers(request))
        if request.state in ("approved", "scheduled")
        else 0,
    )


def seat_map(trip: Trip) -> list[SeatMapRow]:
    rows = trip.vehicle.layout
    first_isolated = len(rows) - trip.isolation_rows + 1
    return [
        SeatMapRow(
            row=index,
            seats=[f"{index}{c}" if c != "_" else "" for c in row],
            isolation=index >= first_isolated,
        )
        for index, row in enumerate(rows, start=1)
    ]


def trip_out(trip: Trip) -> TripOut:
    locale = request_locale()
    shown = manifest.shown_passengers(trip)
    checks = manifest.card_checks([p.user_id for p in shown])
    counts: dict[str, int] = {}
    for p in shown:
        counts[p.state] = counts.get(p.state, 0) + 1
    crew = [
        CrewOut(
            role="escort",
            name_masked=mask_name(trip.escort.name or ""),
            phone_masked=mask_phone(trip.escort.phone) if trip.escort.phone else None,
        )
    ]
    if trip.medic is not None:
        crew.append(
            CrewOut(
                role="medic",
                name_masked=mask_name(trip.medic.name or ""),
                phone_masked=mask_phone(trip.medic.phone) if trip.medic.phone else None,
            )
        )
    plan = trips.plan_of(trip)
    return TripOut(
        id=trip.id,
        request_id=trip.request_id,
        state=trip.state,
        plate=trip.vehicle.plate,
        seats=trip.vehicle.seats,
        capacity=plan.capacity,
        seat_share=trip.seat_share,
        isolation_rows=trip.isolation_rows,
        driver_name=mask_name(trip.driver_name),
        driver_phone_masked=mask_phone(trip.driver_phone),
        crew=crew,
        departure_at=trip.departure_dt,
        departure_place=trip.departure_place,
        route=trip.route,
        arrival_place=trip.arrival_place,
        arrival_due_at=trip.arrival_due_dt,
        departed_at=trip.departed_dt,
        arrived_at=trip.arrived_dt,
        handover_note=trip.handover_note,
        passengers=[
            PassengerOut(
                id=p.id,
                worker_id=p.request_worker_id,
                person=person(p.user),
                seat=p.seat,
                state=p.state,
                card=CardState(
                    valid=checks[p.user_id].valid,
                    status=checks[p.user_id].status,
                    reasons=list(checks[p.user_id].reasons),
                    text=checks[p.user_id].text(locale),
                ),
                boarded_at=p.boarded_dt,
                temperature=p.temperature,
                refusal_reason=p.refusal_reason,
                refusal_text=manifest.refusal_text(p.refusal_reason, locale),
                refusal_note=p.refusal_note,
                arrived_at=p.arrived_dt,
            )
            for p in shown
        ],
        seat_map=seat_map(trip),
        crew_seats=[s.label for s in plan.crew_seats],
        counts=counts,
        not_valid=sum(1 for p in shown if not checks[p.user_id].valid),
        missing=[p.id for p in shown if p.state == "missing"],
        may_plan=trip.state == "planned" and trips.may_plan(current_user, trip.request),
        may_board=trip.state == "planned" and current_user.id in (trip.escort_id, trip.medic_id),
        may_receive=trip.state == "travelling" and trips.may_receive(current_user, trip),
    )


def _file_bytes(text: str) -> bytes:
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(errors=[{"field": "content_base64", "code": "invalid"}]) from None


# -- requests (employer) ---------------------------------------------------------------------


@endpoint(
    bp,
    "/transport/candidates",
    summary="Workers an employer may put in a batch (roster and hired applicants)",
    response=CandidateList,
    roles=("employer",),
    errors=(403,),
)
def candidates() -> CandidateList:
    return CandidateList(
        items=[
            CandidateOut(person=person(u), free=free)
            for u, free in services.candidates(current_user)
        ],
        minimum=services.min_batch(),
    )


def _submitted(made: list[TransportRequest]) -> RequestList:
    db.session.commit()
    counts = services.worker_counts([r.id for r in made])
    return RequestList(items=[request_out(r, counts[r.id]) for r in made])


@endpoint(
    bp,
    "/transport/requests",
    method="POST",
    summary="Request point-to-point transport for a batch of 50+ workers from one origin",
    body=RequestIn,
    response=RequestList,
    status=201,
    roles=("employer",),
    errors=(403, 422),
)
def submit_request(body: RequestIn) -> RequestList:
    """One batch per origin; any origin with fewer than 50 workers refuses the whole list
    (422 batch_too_small / batch_mixed_too_small, with `missing`)."""
    data = services.RequestData(
        body.origin_code, body.window_start, body.window_end, body.destination_address, body.note
    )
    picks = [services.WorkerPick(w.user_id, w.origin_code) for w in body.workers]
    return _submitted(services.submit_request(current_user, data, picks))


@endpoint(
    bp,
    "/transport/requests/upload",
    method="POST",
    summary="Request transport with the workers as a CSV/XLSX list (all lines valid, or nothing)",
    body=RequestUploadIn,
    response=RequestList,
    status=201,
    roles=("employer",),
    errors=(403, 422),
)
def submit_request_file(body: RequestUploadIn) -> RequestList:
    employer = employer_for_user(current_user)
    if employer is None:
        raise Forbidden("not_employer_staff")
    picks = uploads.picks_from_file(employer, body.filename, _file_bytes(body.content_base64))
    data = services.RequestData(
        body.origin_code, body.window_start, body.window_end, body.destination_address, body.note
    )
    return _submitted(services.submit_request(current_user, data, picks))


@endpoint(
    bp,
    "/transport/requests",
    summary="Batches I may see: my employer's, or my region's (deciding, origin, destination)",
    query=RequestQuery,
    response=RequestPage,
    roles=SIDES,
    errors=(403,),
)
def list_requests(query: RequestQuery) -> RequestPage:
    stmt = services.requests_visible(current_user, query.state)
    rows, cursor = keyset_page(
        db.session,
        stmt,
        [TransportRequest.id],
        query.limit,
        query.cursor,
        key=lambda r: [r.id],
    )
    counts = services.worker_counts([r.id for r in rows])
    return RequestPage(items=[request_out(r, counts[r.id]) for r in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/transport/requests/<int:request_id>",
    summary="One batch with its workers, trips and history",
    response=RequestDetail,
    errors=(404,),
)
def get_request(request_id: int) -> RequestDetail:
    return request_detail(services.request_for(current_user, request_id))


@endpoint(
    bp,
    "/transport/requests/<int:request_id>/decision",
    method="POST",
    summary="Approve, or refuse with a reason (officials of the receiving county or park)",
    body=DecisionIn,
    response=RequestDetail,
    roles=OFFICIALS,
    errors=(403, 404, 409, 422),
)
def decide(request_id: int, body: DecisionIn) -> RequestDetail:
    request = services.request_for(current_user, request_id, lock=True)
    services.decide(current_user, request, approve=body.approve, reason=body.reason)
    db.session.commit()
    return request_detail(request)


@endpoint(
    bp,
    "/transport/requests/<int:request_id>/cancel",
    method="POST",
    summary="Call a batch off before it leaves (who and why are kept)",
    body=ReasonIn,
    response=RequestDetail,
    errors=(403, 404, 409, 422),
)
def cancel_request(request_id: int, body: ReasonIn) -> RequestDetail:
    request = services.request_for(current_user, request_id, lock=True)
    services.cancel(current_user, request, reason=body.reason)
    db.session.commit()
    return request_detail(request)


# -- trips ----------------------------------------------------------------------------------


@endpoint(
    bp,
    "/transport/requests/<int:request_id>/trips",
    method="POST",
    summary="Plan a vehicle for the batch: crew, times, and seats under the epidemic rules",
    body=TripIn,
    response=TripOut,
    status=201,
    errors=(403, 404, 409, 422),
)
def create_trip(request_id: int, body: TripIn) -> TripOut:
    """At most half the seats, the last two rows empty, nobody side by side. A vehicle, a seat
    or a person already taken answers 409 (vehicle_booked, passenger_booked), also when two
    planners submit at the same moment."""
    request = services.request_for(current_user, request_id)
    data = trips.TripData(
        vehicle=trips.VehicleData(
            body.vehicle.plate, body.vehicle.seats, body.vehicle.layout, body.vehicle.operator
        ),
        driver_name=body.driver_name,
        driver_phone=body.driver_phone,
        escort_phone=body.escort_phone,
        medic_phone=body.medic_phone,
        departure_dt=body.departure_at,
        departure_place=body.departure_place,
        arrival_place=body.arrival_place,
        arrival_due_dt=body.arrival_due_at,
        route=body.route,
    )
    trip = trips.create_trip(current_user, request, data, body.worker_ids)
    _commit()
    return trip_out(trip)


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # A constraint refused what a concurrent request took first (seat, person, vehicle).
        db.session.rollback()
        raise Conflict("concurrent_change") from None


@endpoint(
    bp,
    "/transport/trips/mine",
    summary="Trips I travel with as escort or medic",
    response=MyTrips,
)
def my_trips() -> MyTrips:
    return MyTrips(items=[trip_brief(t) for t in trips.crew_trips(current_user)])


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>",
    summary="A trip: seat map, manifest with card validity, boarding and handover",
    response=TripOut,
    errors=(404,),
)
def get_trip(trip_id: int) -> TripOut:
    return trip_out(trips.trip_for(current_user, trip_id))


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>",
    method="PATCH",
    summary="Change time, place or route of a planned trip (passengers are texted)",
    body=TripUpdate,
    response=TripOut,
    errors=(403, 404, 409, 422),
)
def update_trip(trip_id: int, body: TripUpdate) -> TripOut:
    trip = trips.trip_for(current_user, trip_id)
    changes = body.model_dump(exclude_unset=True)
    mapping = {"departure_at": "departure_dt", "arrival_due_at": "arrival_due_dt"}
    trips.update_trip(current_user, trip, {mapping.get(k, k): v for k, v in changes.items()})
    _commit()
    return trip_out(trip)


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/seats",
    method="POST",
    summary="Seat more workers of the batch on a planned trip",
    body=SeatsIn,
    response=TripOut,
    errors=(403, 404, 409, 422),
)
def add_seats(trip_id: int, body: SeatsIn) -> TripOut:
    trip = trips.trip_for(current_user, trip_id)
    trips.add_passengers(current_user, trip, body.worker_ids)
    _commit()
    return trip_out(trip)


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/passengers/<int:passenger_id>",
    method="DELETE",
    summary="Give a booked seat back (the worker stays in the batch)",
    status=204,
    errors=(403, 404, 409),
)
def remove_passenger(trip_id: int, passenger_id: int) -> None:
    trip = trips.trip_for(current_user, trip_id)
    trips.remove_passenger(current_user, trip, trips.passenger_of(trip, passenger_id))
    db.session.commit()


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/cancel",
    method="POST",
    summary="Cancel a planned trip (seats and vehicle freed, passengers texted)",
    body=ReasonIn,
    response=TripOut,
    errors=(403, 404, 409, 422),
)
def cancel_trip(trip_id: int, body: ReasonIn) -> TripOut:
    trip = trips.trip_for(current_user, trip_id)
    trips.cancel_trip(current_user, trip, reason=body.reason)
    db.session.commit()
    return trip_out(trip)


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/depart",
    method="POST",
    summary="The vehicle leaves: passengers not boarded become no-shows",
    response=TripOut,
    errors=(403, 404, 409),
)
def depart(trip_id: int) -> TripOut:
    trip = trips.trip_for(current_user, trip_id)
    trips.depart(current_user, trip)
    db.session.commit()
    return trip_out(trip)


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/handover",
    method="POST",
    summary="Confirm who arrived (receiving employer or community); the rest are flagged missing",
    body=HandoverIn,
    response=TripOut,
    errors=(403, 404, 409, 422),
)
def handover(trip_id: int, body: HandoverIn) -> TripOut:
    trip = trips.trip_for(current_user, trip_id)
    trips.handover(current_user, trip, body.arrived, note=body.note)
    db.session.commit()
    return trip_out(trip)


# -- boarding -------------------------------------------------------------------------------


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/boarding-list",
    summary="The passengers as the crew's phone keeps them for boarding offline",
    response=BoardingList,
    errors=(404,),
)
def boarding_list(trip_id: int) -> BoardingList:
    """Only the trip's escort and medic: seat, masked name, ID last 4 and the ids of the cards
    each passenger may show, so the phone matches a scanned card with no network."""
    trip = trips.trip_for(current_user, trip_id)
    if current_user.id not in (trip.escort_id, trip.medic_id):
        raise Forbidden()
    shown = manifest.shown_passengers(trip)
    ids = [p.user_id for p in shown]
    cards = manifest.live_card_ids(ids)
    checks = manifest.card_checks(ids)
    return BoardingList(
        trip_id=trip.id,
        plate=trip.vehicle.plate,
        departure_at=trip.departure_dt,
        departure_place=trip.departure_place,
        state=trip.state,
        passengers=[
            BoardingPassenger(
                id=p.id,
                seat=p.seat,
                name_masked=mask_name(p.user.name or ""),
                id_last4=p.user.id_masked[-4:] if p.user.id_masked else None,
                card_ids=cards[p.user_id],
                state=p.state,
                card_valid=checks[p.user_id].valid,
            )
            for p in shown
        ],
        refusal_reasons=list(BOARDING_REFUSALS),
    )


@endpoint(
    bp,
    "/transport/boarding/sync",
    method="POST",
    summary="Upload boarding scans from the crew's outbox (idempotent by UUID)",
    body=BoardingSyncIn,
    response=SyncOut,
    errors=(409,),
)
def boarding_sync(body: BoardingSyncIn) -> dict[str, Any]:
    """Each item answers created, duplicate (already stored: nothing changes) or rejected
    with a code (not_crew, not_on_manifest, boarding_not_allowed, identity_mismatch...)."""
    try:
        result = boarding.ingest(current_user._get_current_object(), body.items, utcnow())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("sync_conflict") from None
    return result


# -- manifest: PDF and exports --------------------------------------------------------------


def _manifest_trip(trip_id: int, fmt: str) -> Trip:
    trip = trips.trip_for(current_user, trip_id)
    record(
        "transport.manifest_exported",
        actor=current_user,
        subject_type="transport_trip",
        subject_id=trip.id,
        region_code=trip.request.review_region_code,
        detail={"format": fmt, "rows": len(manifest.shown_passengers(trip))},
    )
    db.session.commit()
    return trip


def _attachment(response: Response, trip: Trip, fmt: str, *, inline: bool = False) -> Response:
    name = f"manifest-{trip.id}.{fmt}"
    chinese = f"乘客名单-{trip.vehicle.plate}.{fmt}"
    kind = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f"{kind}; filename=\"{name}\"; filename*=UTF-8''{quote(chinese)}"
    )
    return response


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/manifest.pdf",
    summary="The printable manifest (A4, Chinese; recorded in the audit trail)",
    errors=(404,),
    content_type="application/pdf",
)
def manifest_pdf(trip_id: int) -> Response:
    trip = _manifest_trip(trip_id, "pdf")
    return _attachment(
        Response(manifest.manifest_pdf(trip), mimetype="application/pdf"), trip, "pdf", inline=True
    )


def _export(trip_id: int, fmt: str) -> Response:
    trip = _manifest_trip(trip_id, fmt)
    locale = request_locale()
    columns = manifest.COLUMNS_EN if locale == "en" else manifest.COLUMNS_ZH
    header = manifest.header(trip)
    rows = list(manifest.rows(trip, locale))
    if fmt == "csv":
        body = b"".join(csv_chunks(header, columns, rows))
        mimetype = "text/csv; charset=utf-8"
    else:
        body = b"".join(xlsx_chunks(header, columns, rows, sheet_title="乘客名单"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(Response(body, mimetype=mimetype), trip, fmt)


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/manifest.csv",
    summary="The manifest as CSV (recorded in the audit trail)",
    errors=(404,),
    content_type="text/csv",
)
def manifest_csv(trip_id: int) -> Response:
    return _export(trip_id, "csv")


@endpoint(
    bp,
    "/transport/trips/<int:trip_id>/manifest.xlsx",
    summary="The manifest as XLSX (recorded in the audit trail)",
    errors=(404,),
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def manifest_xlsx(trip_id: int) -> Response:
    return _export(trip_id, "xlsx")


# -- organised export (origin side) ---------------------------------------------------------


@endpoint(
    bp,
    "/transport/charter-groups",
    summary="Outbound workers by destination and departure week; groups of 50+ are proposed",
    query=GroupQuery,
    response=GroupList,
    roles=OFFICIALS,
    errors=(403, 404),
)
def charter_groups(query: GroupQuery) -> GroupList:
    """From the intents ledger of my region: workers not yet departed, per destination city and
    week (Monday), and how many are already in a batch. `proposed`: 50 or more are free."""
    region, found = charters.groups(current_user, query.region)
    minimum = services.min_batch()
    return GroupList(
        items=[
            GroupOut(
                destination=place(g.destination_code),
                week_start=g.week_start,
                workers=g.workers,
                needs_transport=g.needs_transport,
                in_batches=g.in_batches,
                proposed=g.free() >= minimum,
            )
            for g in found
        ],
        minimum=minimum,
        region=PlaceOut(code=region.code, name_zh=region.name_zh, name_en=region.name_en),
    )


@endpoint(
    bp,
    "/transport/charters",
    method="POST",
    summary="Charter a batch for a group of 50+ and invite its workers",
    body=CharterIn,
    response=RequestDetail,
    status=201,
    roles=OFFICIALS,
    errors=(403, 404, 409, 422),
)
def create_charter(body: CharterIn) -> RequestDetail:
    request = charters.create_charter(
        current_user,
        destination_code=body.destination_code,
        week_start=body.week_start,
        destination_address=body.destination_address,
        note=body.note,
        region_code=body.region,
    )
    _commit()
    return request_detail(request)


def invitation_out(row: RequestWorker) -> InvitationOut:
    request = row.request
    seat = next(
        (
            (p, t)
            for t in request.trips
            for p in t.passengers
            if p.request_worker_id == row.id and p.state != "removed"
        ),
        None,
    )
    passenger, trip = seat if seat else (None, None)
    return InvitationOut(
        request_id=request.id,
        worker_id=row.id,
        direction=request.direction,
        request_state=request.state,
        state=row.state,
        origin=place(request.origin_code),
        destination=place(request.destination_code),
        destination_address=request.destination_address,
        window_start=request.window_start,
        window_end=request.window_end,
        trip_id=trip.id if trip else None,
        seat=passenger.seat if passenger else None,
        passenger_state=passenger.state if passenger else None,
        departure_at=trip.departure_dt if trip else None,
        departure_place=trip.departure_place if trip else None,
        plate=trip.vehicle.plate if trip else None,
    )


@endpoint(
    bp,
    "/transport/mine",
    summary="My batches: charter invitations to answer, and my seat, time and place",
    response=InvitationList,
    roles=("worker",),
)
def my_batches() -> InvitationList:
    return InvitationList(items=[invitation_out(r) for r in charters.invitations_of(current_user)])


@endpoint(
    bp,
    "/transport/mine/<int:request_id>/answer",
    method="POST",
    summary="Accept or decline a charter invitation",
    body=AnswerIn,
    response=InvitationOut,
    roles=("worker",),
    errors=(404, 409),
)
def answer_invitation(request_id: int, body: AnswerIn) -> InvitationOut:
    row = charters.answer(current_user, request_id, accept=body.accept)
    _commit()
    return invitation_out(row)


# -- one record per worker ------------------------------------------------------------------


def _timeline(worker: User) -> TimelineOut:
    view, entries = timeline.timeline(current_user, worker, request_locale())
    return TimelineOut(
        person=person(worker),
        view=view,
        entries=[
            TimelineEntry(at=e.at, kind=e.kind, title=e.title, detail=e.detail, data=e.data)
            for e in entries
        ],
    )


@endpoint(
    bp,
    "/transport/timeline/me",
    summary="My record from card to factory: card, intent, hire, batch, seat, boarding, arrival",
    response=TimelineOut,
    roles=("worker",),
)
def my_timeline() -> TimelineOut:
    return _timeline(current_user._get_current_object())


@endpoint(
    bp,
    "/transport/timeline/<int:user_id>",
    summary="A worker's record, as my role allows (officials of their regions, hiring employer)",
    response=TimelineOut,
    roles=SIDES,
    errors=(404,),
)
def worker_timeline(user_id: int) -> TimelineOut:
    """Officials of the worker's household region or of a batch's origin, destination or
    deciding county see it all; the hiring employer its own part, without card colours, intents
    or temperatures; anyone else gets 404."""
    worker = db.session.get(User, user_id)
    if worker is None:
        raise NotFound("worker_not_found")
    return _timeline(worker)

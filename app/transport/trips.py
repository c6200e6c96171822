"""Trips of a batch: vehicle and crew, the seat plan, changes, departure and the handover.

Every passenger is told by SMS of their seat, time and place, and again of any change; texts
go out only once the change is committed (app.sms.queue_sms).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.accounts.access import oversees
from app.accounts.identity import mask_name
from app.accounts.models import User
from app.audit.services import record
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.sms import queue_sms
from app.timeutil import app_tz, utcnow
from app.transport import seating
from app.transport.models import (
    LIVE_PASSENGER_STATES,
    Passenger,
    RequestWorker,
    TransportRequest,
    Trip,
    Vehicle,
    VehicleBooking,
)
from app.transport.services import (
    add_event,
    is_reviewer,
    is_staff_of,
    isolation_rows,
    refresh_state,
    seat_share,
    sees,
    unseated_workers,
)

register_messages(
    {
        "trip_not_found": ("未找到该车次。", "No such trip."),
        "request_not_approved": (
            "申请获批后才能安排车辆。",
            "Vehicles can be planned once the request is approved.",
        ),
        "vehicle_booked": (
            "该车辆在这段时间已安排了其他车次。",
            "This vehicle is already planned for another trip on these days.",
        ),
        "vehicle_seats_differ": (
            "该车牌已登记为 {seats} 座，与填写的座位数不符。",
            "This plate is registered with {seats} seats, not the number given.",
        ),
        "vehicle_seats_invalid": ("座位数须在 5 到 120 之间。", "Seats must be 5 to 120."),
        "layout_invalid": (
            "座位布局无效：每排为座位字母，过道用 _ 表示（如 AB_CD）。",
            "The seat layout is not valid: one string of seat letters per row, '_' for the "
            "aisle (e.g. AB_CD).",
        ),
        "layout_seats_differ": (
            "座位布局共 {layout_seats} 座，与座位数 {seats} 不符。",
            "The layout has {layout_seats} seats, not {seats}.",
        ),
        "crew_not_found": (
            "没有使用该手机号的用户，请先让随车人员登录一次。",
            "No user has this phone number; ask the crew member to log in once first.",
        ),
        "crew_same_person": ("押运员和随车医护不能是同一人。", "Escort and medic must differ."),
        "trip_times_invalid": (
            "出发须在申请的时间段内、晚于现在，到达须晚于出发且在 3 天内。",
            "Departure must fall in the requested window and in the future; arrival after "
            "departure, within 3 days.",
        ),
        "not_enough_seats": (
            "按防疫要求该车最多载客 {capacity} 人，所选 {wanted} 人坐不下。",
            "Under the epidemic rules this vehicle takes {capacity} passengers; {wanted} do "
            "not fit.",
        ),
        "nobody_to_seat": (
            "本批次人员都已安排座位。",
            "Everyone in this batch already has a seat.",
        ),
        "worker_not_in_batch": (
            "该人员不在本批次，或已有座位。",
            "This person is not in the batch, or already has a seat.",
        ),
        "passenger_booked": (
            "该人员已在另一车次有座位。",
            "This person already has a seat on another trip.",
        ),
        "trip_not_planned": (
            "车辆已出发或已取消，不能再更改。",
            "The vehicle has left or was cancelled: it cannot change.",
        ),
        "trip_not_travelling": (
            "车辆尚未出发或已交接。",
            "The vehicle has not left, or was already handed over.",
        ),
        "passenger_not_found": ("该车次没有这位乘客。", "No such passenger on this trip."),
        "passenger_not_on_board": (
            "只有已上车的乘客才能交接。",
            "Only passengers who boarded can be handed over.",
        ),
    }
)

PLATE_RE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-HJ-NP-Z0-9]{5,6}$"
)
MAX_TRIP = timedelta(days=3)


@dataclass
class VehicleData:
    plate: str
    seats: int
    layout: list[str] | None = None
    operator: str | None = None


@dataclass
class TripData:
    """A trip as the planner enters it (shape validated by the API schema)."""

    vehicle: VehicleData
    driver_name: str
    driver_phone: str
    escort_phone: str
    medic_phone: str | None
    departure_dt: datetime
    departure_place: str
    arrival_place: str
    arrival_due_dt: datetime
    route: str = ""


# -- access ---------------------------------------------------------------------------------


def may_plan(actor: User, request: TransportRequest) -> bool:
    """The deciding officials, and for an inbound batch the employer's staff."""
    return is_reviewer(actor, request) or (
        request.direction == "inbound" and is_staff_of(actor, request)
    )


def may_receive(actor: User, trip: Trip) -> bool:
    """The receiving side confirms the handover: the employer or the officials of the
    destination (the community); for an organised export, whose destination is elsewhere,
    the crew or the origin's officials record it."""
    request = trip.request
    if request.direction == "inbound":
        return is_staff_of(actor, request) or oversees(actor, request.destination_code)
    return actor.id in (trip.escort_id, trip.medic_id) or is_reviewer(actor, request)


def trip_for(actor: User, trip_id: int) -> Trip:
    """A trip whose batch the actor may see (404 otherwise)."""
    trip = db.session.get(Trip, trip_id)
    if trip is None or not sees(actor, trip.request):
        raise NotFound("trip_not_found")
    return trip


def crew_trips(actor: User) -> list[Trip]:
    """The trips the actor is escort or medic of, not yet handed over."""
    return list(
        db.session.scalars(
            select(Trip)
            .where(
                (Trip.escort_id == actor.id) | (Trip.medic_id == actor.id),
                Trip.state.in_(("planned", "travelling")),
            )
            .order_by(Trip.departure_dt, Trip.id)
        )
    )


# -- vehicles -------------------------------------------------------------------------------


def _vehicle(data: VehicleData, actor: User) -> Vehicle:
    """The registered vehicle with this plate, or a new one; its layout describes its seats."""
    plate = data.plate.strip().upper()
    layout = list(data.layout) if data.layout else None
    try:
        layout = layout or seating.default_layout(data.seats)
        seating.parse_layout(layout)
    except seating.LayoutError as error:
        raise ValidationFailed(errors=[{"field": "vehicle", "code": error.code}]) from None
    if seating.seat_count(layout) != data.seats:
        raise ValidationFailed(
            errors=[
                {
                    "field": "vehicle.layout",
                    "code": "layout_seats_differ",
                    "params": {"layout_seats": seating.seat_count(layout), "seats": data.seats},
                }
            ]
        )
    vehicle = db.session.scalars(select(Vehicle).where(Vehicle.plate == plate)).first()
    if vehicle is not None:
        if vehicle.seats != data.seats:
            raise ValidationFailed(
                errors=[
                    {
                        "field": "vehicle.seats",
                        "code": "vehicle_seats_differ",
                        "params": {"seats": vehicle.seats},
                    }
                ]
            )
        if data.layout:
            vehicle.layout = layout
        return vehicle
    vehicle = Vehicle(
        plate=plate,
        seats=data.seats,
        layout=layout,
        operator=(data.operator or "").strip() or None,
        added_by_id=actor.id,
        added_dt=utcnow(),
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts,
        # and a failure there would roll back the whole transaction.
        with db.session.begin_nested():
            db.session.add(vehicle)
            db.session.flush()
    except IntegrityError:  # registered by a concurrent request a moment ago
        vehicle = db.session.scalars(select(Vehicle).where(Vehicle.plate == plate)).one()
    return vehicle


def _crew(phone: str | None, field: str) -> User | None:
    if not phone:
        return None
    user = db.session.scalars(select(User).where(User.phone == phone)).first()
    if user is None or not user.active:
        raise ValidationFailed(errors=[{"field": field, "code": "crew_not_found"}])
    return user


def trip_days(departure: datetime, arrival: datetime) -> list[date]:
    """The local days a trip spans (each one books the vehicle)."""
    tz = app_tz()
    day, last = departure.astimezone(tz).date(), arrival.astimezone(tz).date()
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days


def _check_times(
    request: TransportRequest, departure: datetime, arrival: datetime, now: datetime
) -> None:
    local = departure.astimezone(app_tz()).date()
    if (
        departure <= now
        or arrival <= departure
        or arrival - departure > MAX_TRIP
        or not request.window_start <= local <= request.window_end
    ):
        raise ValidationFailed(errors=[{"field": "departure_at", "code": "trip_times_invalid"}])


def vehicle_taken(vehicle_id: int, days: Sequence[date], trip_id: int | None = None) -> bool:
    """Whether another trip has the vehicle on one of these days (committed so far)."""
    taken = db.session.scalars(
        select(VehicleBooking.day).where(
            VehicleBooking.vehicle_id == vehicle_id,
            VehicleBooking.day.in_(list(days)),
            VehicleBooking.trip_id != (trip_id or 0),
        )
    ).first()
    return taken is not None


def _book_vehicle(trip: Trip, days: Sequence[date]) -> None:
    """Take the vehicle for each day; the primary key refuses a day already taken, also by a
    request committing at this very moment."""
    if vehicle_taken(trip.vehicle_id, days, trip.id):
        raise Conflict("vehicle_booked")
    try:
        with db.session.begin_nested():
            for day in days:
                db.session.add(VehicleBooking(vehicle_id=trip.vehicle_id, day=day, trip_id=trip.id))
            db.session.flush()
    except IntegrityError:
        raise Conflict("vehicle_booked") from None


def _free_vehicle(trip: Trip) -> None:
    db.session.execute(delete(VehicleBooking).where(VehicleBooking.trip_id == trip.id))


# -- seats ----------------------------------------------------------------------------------


def plan_of(trip: Trip) -> seating.Plan:
    crew = 1 + (1 if trip.medic_id else 0)
    return seating.plan_vehicle(
        trip.vehicle.layout,
        crew=crew,
        share=trip.seat_share,
        isolation_rows=trip.isolation_rows,
    )


def _local_text(moment: datetime) -> str:
    return moment.astimezone(app_tz()).strftime("%m月%d日 %H:%M")


def seat_text(trip: Trip, passenger: Passenger, *, changed: bool = False) -> str:
    head = "【返岗服务】点对点专车有变更：" if changed else "【返岗服务】您已安排点对点专车："
    return (
        f"{head}{_local_text(trip.departure_dt)} 在{trip.departure_place}上车，"
        f"车牌 {trip.vehicle.plate}，座位 {passenger.seat}。请出示绿码，途中全程佩戴口罩。"
    )


def _seat(trip: Trip, workers: Sequence[RequestWorker], now: datetime) -> list[Passenger]:
    taken = {p.seat for p in trip.passengers if p.state != "removed"}
    free = [s for s in plan_of(trip).passenger_seats if s.label not in taken]
    if len(workers) > len(free):
        raise Conflict("not_enough_seats", capacity=len(free), wanted=len(workers))
    made = [
        Passenger(
            user_id=worker.user_id,
            request_worker_id=worker.id,
            seat=seat.label,
            seat_order=seat.order,
            state="booked",
            booked_dt=now,
        )
        for worker, seat in zip(workers, free, strict=False)
    ]
    db.session.flush()  # the trip itself, before the savepoint
    try:
        with db.session.begin_nested():
            trip.passengers.extend(made)
            db.session.flush()
    except IntegrityError:
        # Another planner seated one of these people (or took the seat) a moment ago.
        raise Conflict("passenger_booked") from None
    phones = phones_of([p.user_id for p in made])
    for passenger in made:
        queue_sms(phones.get(passenger.user_id), seat_text(trip, passenger))
    return made


def phones_of(user_ids: Sequence[int]) -> dict[int, str | None]:
    """Phone numbers by user, in one query (not one lazy load per passenger)."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.phone).where(User.id.in_(list(user_ids))))
    return dict(rows.all())


def _chosen(request: TransportRequest, worker_ids: Sequence[int] | None) -> list[RequestWorker]:
    unseated = unseated_workers(request)
    if worker_ids is None:
        return unseated
    by_id = {w.id: w for w in unseated}
    chosen = []
    for index, worker_id in enumerate(worker_ids):
        if worker_id not in by_id:
            raise ValidationFailed(
                errors=[{"field": f"worker_ids.{index}", "code": "worker_not_in_batch"}]
            )
        chosen.append(by_id.pop(worker_id))
    return chosen


def create_trip(
    actor: User,
    request: TransportRequest,
    data: TripData,
    worker_ids: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
) -> Trip:
    """A vehicle for the batch with its crew; seats the workers given (default: as many of
    the unseated as the rules let this vehicle carry)."""
    now = now or utcnow()
    if not may_plan(actor, request):
        raise Forbidden()
    if request.state not in ("approved", "scheduled"):
        raise Conflict("request_not_approved")
    _check_times(request, data.departure_dt, data.arrival_due_dt, now)
    escort = _crew(data.escort_phone, "escort_phone")
    medic = _crew(data.medic_phone, "medic_phone")
    if medic is not None and medic.id == escort.id:
        raise ValidationFailed(errors=[{"field": "medic_phone", "code": "crew_same_person"}])
    vehicle = _vehicle(data.vehicle, actor)
    workers = _chosen(request, worker_ids)
    if not workers:
        raise Conflict("nobody_to_seat")
    trip = Trip(
        request_id=request.id,
        vehicle_id=vehicle.id,
        state="planned",
        driver_name=data.driver_name.strip(),
        driver_phone=data.driver_phone,
        escort_id=escort.id,
        medic_id=medic.id if medic else None,
        departure_dt=data.departure_dt,
        departure_place=data.departure_place.strip(),
        route=(data.route or "").strip(),
        arrival_place=data.arrival_place.strip(),
        arrival_due_dt=data.arrival_due_dt,
        seat_share=seat_share(),
        isolation_rows=isolation_rows(),
        created_by_id=actor.id,
        created_dt=now,
    )
    trip.vehicle = vehicle
    trip.request = request
    db.session.add(trip)
    db.session.flush()
    _book_vehicle(trip, trip_days(trip.departure_dt, trip.arrival_due_dt))
    capacity = plan_of(trip).capacity
    if worker_ids is None:
        workers = workers[:capacity]
    _seat(trip, workers, now)
    add_event(
        request,
        "trip_planned",
        actor=actor,
        trip=trip,
        detail={"plate": vehicle.plate, "passengers": len(workers)},
        now=now,
    )
    _audit("trip_planned", trip, actor, plate=vehicle.plate, passengers=len(workers))
    refresh_state(request, now=now)
    db.session.flush()
    return trip


def add_passengers(
    actor: User, trip: Trip, worker_ids: Sequence[int] | None, *, now: datetime | None = None
) -> list[Passenger]:
    """Seat more workers of the batch on a planned trip (seats left under the rules)."""
    now = now or utcnow()
    request = trip.request
    if not may_plan(actor, request):
        raise Forbidden()
    if trip.state != "planned":
        raise Conflict("trip_not_planned")
    workers = _chosen(request, worker_ids)
    if not workers:
        raise Conflict("nobody_to_seat")
    if worker_ids is None:
        taken = {p.seat for p in trip.passengers if p.state != "removed"}
        room = sum(1 for s in plan_of(trip).passenger_seats if s.label not in taken)
        workers = workers[:room]
        if not workers:
            raise Conflict("not_enough_seats", capacity=0, wanted=len(unseated_workers(request)))
    made = _seat(trip, workers, now)
    add_event(
        request, "seats_added", actor=actor, trip=trip, detail={"passengers": len(made)}, now=now
    )
    refresh_state(request, now=now)
    return made


def _audit(action: str, trip: Trip, actor: User | None, **detail: object) -> None:
    record(
        f"transport.{action}",
        actor=actor,
        subject_type="transport_trip",
        subject_id=trip.id,
        region_code=trip.request.review_region_code,
        detail={"request_id": trip.request_id, **detail},
    )


TRIP_CHANGES = ("departure_dt", "departure_place", "arrival_place", "arrival_due_dt", "route")


def update_trip(
    actor: User, trip: Trip, changes: dict[str, object], *, now: datetime | None = None
) -> Trip:
    """Change time, place or route of a planned trip; every passenger is told."""
    now = now or utcnow()
    if not may_plan(actor, trip.request):
        raise Forbidden()
    if trip.state != "planned":
        raise Conflict("trip_not_planned")
    changed = {}
    for key in TRIP_CHANGES:
        if key in changes and changes[key] is not None and getattr(trip, key) != changes[key]:
            value = changes[key].strip() if isinstance(changes[key], str) else changes[key]
            setattr(trip, key, value)
            changed[key] = str(value)
    if not changed:
        return trip
    _check_times(trip.request, trip.departure_dt, trip.arrival_due_dt, now)
    if {"departure_dt", "arrival_due_dt"} & changed.keys():
        _free_vehicle(trip)
        _book_vehicle(trip, trip_days(trip.departure_dt, trip.arrival_due_dt))
    phones = phones_of([p.user_id for p in trip.passengers if p.state == "booked"])
    for passenger in trip.passengers:
        if passenger.state == "booked":
            queue_sms(phones.get(passenger.user_id), seat_text(trip, passenger, changed=True))
    add_event(trip.request, "trip_changed", actor=actor, trip=trip, detail=changed, now=now)
    _audit("trip_changed", trip, actor, fields=sorted(changed))
    db.session.flush()
    return trip


def passenger_of(trip: Trip, passenger_id: int) -> Passenger:
    passenger = db.session.get(Passenger, passenger_id)
    if passenger is None or passenger.trip_id != trip.id:
        raise NotFound("passenger_not_found")
    return passenger


def remove_passenger(
    actor: User, trip: Trip, passenger: Passenger, *, now: datetime | None = None
) -> None:
    """Give a booked seat back (the worker stays in the batch, to be seated again)."""
    now = now or utcnow()
    if not may_plan(actor, trip.request):
        raise Forbidden()
    if trip.state != "planned" or passenger.state != "booked":
        raise Conflict("trip_not_planned")
    passenger.state = "removed"
    queue_sms(
        passenger.user.phone,
        f"【返岗服务】您在 {trip.vehicle.plate} 的座位 {passenger.seat} 已取消，"
        "工作人员会另行安排，请留意短信。",
    )
    add_event(
        trip.request,
        "seat_removed",
        actor=actor,
        trip=trip,
        detail={"passenger_id": passenger.id, "user_id": passenger.user_id},
        now=now,
    )
    refresh_state(trip.request, now=now)


def cancel_trip(
    actor: User,
    trip: Trip,
    *,
    reason: str,
    now: datetime | None = None,
    refresh: bool = True,
) -> None:
    """Call a planned trip off: seats and vehicle days given back, passengers told."""
    now = now or utcnow()
    if not may_plan(actor, trip.request):
        raise Forbidden()
    if trip.state != "planned":
        raise Conflict("trip_not_planned")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(errors=[{"field": "reason", "code": "reason_required"}])
    trip.state = "cancelled"
    trip.cancelled_by_id, trip.cancel_reason = actor.id, reason
    phones = phones_of([p.user_id for p in trip.passengers if p.state == "booked"])
    for passenger in trip.passengers:
        if passenger.state == "booked":
            passenger.state = "removed"
            queue_sms(
                phones.get(passenger.user_id),
                f"【返岗服务】您 {_local_text(trip.departure_dt)} 的点对点专车"
                f"（{trip.vehicle.plate}）已取消。原因：{reason}",
            )
    _free_vehicle(trip)
    add_event(trip.request, "trip_cancelled", actor=actor, trip=trip, reason=reason, now=now)
    _audit("trip_cancelled", trip, actor)
    if refresh:
        refresh_state(trip.request, now=now)


def depart(actor: User, trip: Trip, *, now: datetime | None = None) -> Trip:
    """The vehicle leaves: whoever has not boarded is a no-show (their seat stays empty)."""
    now = now or utcnow()
    if actor.id not in (trip.escort_id, trip.medic_id) and not may_plan(actor, trip.request):
        raise Forbidden()
    if trip.state != "planned":
        raise Conflict("trip_not_planned")
    trip.state, trip.departed_dt = "travelling", now
    no_shows = []
    for passenger in trip.passengers:
        if passenger.state == "booked":
            passenger.state = "no_show"
            no_shows.append(passenger.id)
    add_event(
        trip.request,
        "departed",
        actor=actor,
        trip=trip,
        detail={
            "boarded": sum(1 for p in trip.passengers if p.state == "boarded"),
            "no_shows": no_shows,
        },
        now=now,
    )
    _audit("trip_departed", trip, actor, no_shows=len(no_shows))
    refresh_state(trip.request, now=now)
    db.session.flush()
    return trip


def handover(
    actor: User,
    trip: Trip,
    arrived_ids: Sequence[int],
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> list[Passenger]:
    """The receiving side confirms who arrived; anyone who boarded and is not among them is
    missing, flagged to both sides. Returns the missing passengers."""
    now = now or utcnow()
    if not may_receive(actor, trip):
        raise Forbidden()
    if trip.state != "travelling":
        raise Conflict("trip_not_travelling")
    aboard = {p.id: p for p in trip.passengers if p.state == "boarded"}
    for index, passenger_id in enumerate(arrived_ids):
        if passenger_id not in aboard:
            raise ValidationFailed(
                errors=[{"field": f"arrived.{index}", "code": "passenger_not_on_board"}]
            )
    arrived = set(arrived_ids)
    missing = []
    for passenger in aboard.values():
        if passenger.id in arrived:
            passenger.state, passenger.arrived_dt = "arrived", now
        else:
            passenger.state = "missing"
            missing.append(passenger)
    trip.state, trip.arrived_dt = "arrived", now
    trip.handover_by_id = actor.id
    trip.handover_note = (note or "").strip() or None
    request = trip.request
    add_event(
        request,
        "handed_over",
        actor=actor,
        trip=trip,
        reason=trip.handover_note,
        detail={"arrived": len(arrived), "missing": [p.id for p in missing]},
        now=now,
    )
    _audit("trip_handed_over", trip, actor, arrived=len(arrived), missing=len(missing))
    if missing:
        names = "、".join(mask_name(p.user.name or "") for p in missing[:10])
        text = (
            f"【返岗服务】{trip.vehicle.plate} 交接时有 {len(missing)} 人未到：{names}。"
            "请立即核实去向。"
        )
        # Both sides: the receiving employer and the crew who travelled with them.
        phones = {request.employer.contact_phone if request.employer else None}
        phones |= {trip.escort.phone, trip.medic.phone if trip.medic else None}
        for phone in sorted(p for p in phones if p):
            queue_sms(phone, text)
    refresh_state(request, now=now)
    db.session.flush()
    return missing


def live_seat_of(user_id: int) -> Passenger | None:
    return db.session.scalars(
        select(Passenger).where(
            Passenger.user_id == user_id, Passenger.state.in_(LIVE_PASSENGER_STATES)
        )
    ).first()

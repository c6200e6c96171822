"""Batches, trips and passengers in a line or two."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from app.accounts.identity import hash_id_number, mask_id_number
from app.accounts.models import User, UserRole
from app.accounts.services import id_hash_key
from app.cards.models import HealthStatus
from app.demo import random_id_number, random_name
from app.employers.models import Employer, EmployerWorker
from app.extensions import db
from app.timeutil import utcnow
from app.transport import services, trips
from app.transport.models import TransportRequest, Trip
from tests.factories import make_user

_rng = random.Random(112020)
_phones = itertools.count(13600000000)
SHENZHEN = "440306"  # 深圳市宝安区: where many of Changde's workers spent the winter working
DONGGUAN = "441900"
DAY = date(2020, 2, 24)  # a Monday, four days after the frozen clock


def make_workers(
    employer: Employer, count: int, *, status: str | None = "green", region: str = "430702"
) -> list[User]:
    """`count` workers on the employer's roster, with a health status (None: no declaration)."""
    key = id_hash_key()
    rows = []
    for _ in range(count):
        id_number = random_id_number(_rng, "430702")
        rows.append(
            {
                "phone": str(next(_phones)),
                "name": random_name(_rng),
                "id_hash": hash_id_number(id_number, key),
                "id_masked": mask_id_number(id_number),
                "region_code": region,
                "locale": "zh-CN",
                "active": True,
            }
        )
    ids = db.session.scalars(insert(User).returning(User.id), rows).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "worker"} for i in ids])
    db.session.execute(
        insert(EmployerWorker),
        [
            {
                "employer_id": employer.id,
                "user_id": i,
                "admitted_on": date(2020, 2, 18),
                "source": "manual",
                "added_dt": utcnow(),
            }
            for i in ids
        ],
    )
    if status:
        db.session.execute(
            insert(HealthStatus),
            [{"user_id": i, "status": status, "reasons": [], "updated_dt": utcnow()} for i in ids],
        )
    db.session.commit()
    return [db.session.get(User, i) for i in ids]


def request_body(workers: list[User], *, origin: str = SHENZHEN, **overrides: object) -> dict:
    body = {
        "origin_code": origin,
        "window_start": DAY.isoformat(),
        "window_end": (DAY + timedelta(days=3)).isoformat(),
        "workers": [{"user_id": w.id} for w in workers],
    }
    body.update(overrides)
    return body


def make_request(
    employer: Employer,
    staff: User,
    workers: list[User],
    *,
    origin: str = SHENZHEN,
    approve_by: User | None = None,
) -> TransportRequest:
    """A submitted batch (approved if `approve_by` is an official); committed."""
    data = services.RequestData(origin, DAY, DAY + timedelta(days=3))
    picks = [services.WorkerPick(w.id) for w in workers]
    (request,) = services.submit_request(staff, data, picks)
    if approve_by is not None:
        services.decide(approve_by, request, approve=True, reason=None)
    db.session.commit()
    return request


def crew(**kw: object) -> tuple[User, User]:
    """An escort and a medic (they log in like anyone; no special role)."""
    return make_user(roles=("worker",), **kw), make_user(roles=("worker",))


def departure(day: date = DAY, hour: int = 8) -> datetime:
    """`hour` o'clock in Changde on `day`, as UTC."""
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)


def trip_body(escort: User, medic: User | None, **overrides: object) -> dict:
    body = {
        "vehicle": {"plate": "湘J12345", "seats": 53},
        "driver_name": "刘师傅",
        "driver_phone": "13711112222",
        "escort_phone": escort.phone,
        "medic_phone": medic.phone if medic else None,
        "departure_at": departure().isoformat(),
        "departure_place": "深圳市宝安区西乡汽车站",
        "route": "G4 京港澳高速",
        "arrival_place": "常德经开区德山大道88号厂区",
        "arrival_due_at": (departure() + timedelta(hours=11)).isoformat(),
    }
    body.update(overrides)
    return body


def make_trip(
    planner: User,
    request: TransportRequest,
    escort: User,
    medic: User | None = None,
    *,
    plate: str = "湘J12345",
    seats: int = 53,
    worker_ids: list[int] | None = None,
) -> Trip:
    data = trips.TripData(
        vehicle=trips.VehicleData(plate, seats),
        driver_name="刘师傅",
        driver_phone="13711112222",
        escort_phone=escort.phone,
        medic_phone=medic.phone if medic else None,
        departure_dt=departure(),
        departure_place="深圳市宝安区西乡汽车站",
        arrival_place="常德经开区德山大道88号厂区",
        arrival_due_dt=departure() + timedelta(hours=11),
    )
    trip = trips.create_trip(planner, request, data, worker_ids)
    db.session.commit()
    return trip

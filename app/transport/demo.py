"""Demo transport: the demo employer's point-to-point batch from 深圳市宝安区, approved by the
city official 刘明, with a coach planned for tomorrow (escort: the demo volunteer 王芳, so her
phone shows the door scanner), and a second batch waiting for a decision. Dates are relative
to today."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from app.accounts.identity import hash_id_number, id_sex, mask_id_number
from app.accounts.models import User, UserRole
from app.accounts.services import id_hash_key
from app.cards.models import HealthStatus
from app.demo import random_id_number, random_name, random_phones
from app.employers.models import Employer, EmployerStaff, EmployerWorker
from app.extensions import db
from app.timeutil import local_today, utcnow
from app.transport import services, trips

DEMO_ORIGIN = "440306"  # 深圳市宝安区


def roster_workers(
    employer: Employer, count: int, rng: random.Random, *, status: str | None = "green"
) -> list[int]:
    """`count` new workers (bulk insert) on the employer's roster, with a health status."""
    key = id_hash_key()
    taken = set(db.session.scalars(select(User.phone).where(User.phone.is_not(None))))
    used = set(db.session.scalars(select(User.id_hash).where(User.id_hash.is_not(None))))
    phones = random_phones(rng, count, taken)
    rows = []
    for _ in range(count):
        id_number = random_id_number(rng, "430702")
        while hash_id_number(id_number, key) in used:
            id_number = random_id_number(rng, "430702")
        used.add(hash_id_number(id_number, key))
        rows.append(
            {
                "phone": next(phones),
                "name": random_name(rng),
                "sex": id_sex(id_number),
                "id_hash": hash_id_number(id_number, key),
                "id_masked": mask_id_number(id_number),
                "region_code": employer.region_code,
                "locale": "zh-CN",
                "active": True,
            }
        )
    ids = list(db.session.scalars(insert(User).returning(User.id), rows))
    now = utcnow()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "worker"} for i in ids])
    db.session.execute(
        insert(EmployerWorker),
        [
            {
                "employer_id": employer.id,
                "user_id": i,
                "admitted_on": local_today(now) - timedelta(days=3),
                "source": "manual",
                "added_dt": now,
            }
            for i in ids
        ],
    )
    if status:
        db.session.execute(
            insert(HealthStatus),
            [{"user_id": i, "status": status, "reasons": [], "updated_dt": now} for i in ids],
        )
    return ids


def _at(day: date, hour: int) -> datetime:
    """`hour` o'clock in Changde on `day`."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)


def load_demo(rng: random.Random, *, batches: int = 2) -> dict[str, int]:
    """Up to `batches` demo batches for the demo employer (none without it or the officials)."""
    staff = db.session.scalars(select(User).where(User.phone == "13800000020")).first()
    official = db.session.scalars(select(User).where(User.phone == "13800000030")).first()
    escort = db.session.scalars(select(User).where(User.phone == "13800000010")).first()
    employer = db.session.scalars(
        select(Employer)
        .join(EmployerStaff)
        .where(EmployerStaff.user_id == (staff.id if staff else 0))
    ).first()
    if not (batches and staff and official and escort and employer):
        return {"transport_batches": 0, "transport_trips": 0}
    employer.verified = True
    today = local_today()
    minimum = services.min_batch()
    made = trips_made = 0
    for index in range(batches):
        ids = roster_workers(employer, minimum + 5, rng)
        db.session.flush()
        data = services.RequestData(
            DEMO_ORIGIN, today + timedelta(days=1), today + timedelta(days=4), note="春节后返岗"
        )
        picks = [services.WorkerPick(i) for i in ids]
        (request,) = services.submit_request(staff, data, picks)
        made += 1
        if index == 0:
            services.decide(official, request, approve=True, reason=None)
            departure = _at(today + timedelta(days=1), 8)
            trips.create_trip(
                staff,
                request,
                trips.TripData(
                    vehicle=trips.VehicleData(f"湘J{rng.randrange(10000, 99999)}", 53),
                    driver_name="刘师傅",
                    driver_phone="13711112222",
                    escort_phone=escort.phone,
                    medic_phone=None,
                    departure_dt=departure,
                    departure_place="深圳市宝安区西乡汽车站",
                    arrival_place=request.destination_address,
                    arrival_due_dt=departure + timedelta(hours=11),
                    route="G4 京港澳高速 → G5513 长张高速",
                ),
            )
            trips_made += 1
    db.session.flush()
    return {"transport_batches": made, "transport_trips": trips_made}

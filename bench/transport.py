"""Seat planning and the manifest PDF of point-to-point transport.

Run by hand:  .venv/bin/python bench/transport.py [--runs 5]

Prints:
  * plan (pure)    app.transport.seating.plan_batch for 1,000 passengers in 20 coaches of 53
                   seats (and, for comparison, in 50 coaches, where everyone fits);
  * plan (service) the same through the service on a temporary SQLite file: one batch of 1,000
                   workers, 20 trips planned with create_trip (seat rows inserted, bookings,
                   SMS queued), committed;
  * manifest PDF   app.transport.manifest.manifest_pdf of a 53-seat coach as the rules fill it
                   (escort and medic: 20 passengers), and with every one of its 53 seats on the
                   manifest (the longest a 53-seat manifest can be).
Under the epidemic rules (half the seats, last two rows free, nobody side by side) a 53-seat
coach carries 20 passengers with two crew on board: 20 coaches seat 400 of 1,000, and the
planner reports the 600 who need 30 more.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.database import create_schema  # noqa: E402
from app.extensions import db  # noqa: E402
from app.transport import seating  # noqa: E402

CREDIT_CODE = "91430702000000001"  # first 17 characters; the check character is computed


def timed(func, runs: int) -> tuple[float, object]:  # noqa: ANN001
    """Median wall time in ms over `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def pure(runs: int) -> None:
    layout = tuple(seating.default_layout(53))
    people = list(range(1000))
    for coaches in (20, 50):
        vehicles = [seating.VehicleSlot(key=n, layout=layout, crew=2) for n in range(coaches)]
        ms, (placed, left) = timed(lambda v=vehicles: seating.plan_batch(people, v), runs)
        print(
            f"plan (pure)     1,000 passengers, {coaches} coaches of 53: {ms:8.2f} ms"
            f"  seated {len(placed)}, left {len(left)}"
        )


def build_app(folder: Path):  # noqa: ANN201
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder / "instance"),
    )
    create_schema(app)
    return app


def service(app, runs: int) -> None:  # noqa: ANN001
    from app.accounts.services import create_user
    from app.employers.credit_code import credit_code_check_char
    from app.employers.services import EmployerData, register_employer
    from app.regions.services import load_demo_townships, load_reference_regions
    from app.timeutil import local_today
    from app.transport import manifest, services, trips
    from app.transport.demo import roster_workers
    from app.transport.models import Passenger

    rng = random.Random(7)
    with app.app_context():
        load_reference_regions()
        load_demo_townships()
        owner = create_user(
            roles=["worker"], phone="13800000020", name="陈建国", region_code="430702"
        )
        employer = register_employer(
            owner,
            EmployerData(
                name="常德华信电子有限公司",
                credit_code=CREDIT_CODE + credit_code_check_char(CREDIT_CODE),
                region_code="430702",
                address="常德经开区德山大道88号",
                contact_name="王经理",
                contact_phone="13700000001",
                industry="电子制造",
            ),
        )
        employer.verified = True
        official = create_user(roles=["official"], phone="13800000031", region_code="430702")
        crew = [create_user(roles=["worker"], phone=f"1380000{n:04d}") for n in range(100, 140)]
        db.session.commit()
        day = local_today() + timedelta(days=1)
        timings = []
        for run in range(runs):
            ids = roster_workers(employer, 1000, rng)
            db.session.commit()
            data = services.RequestData("440306", day, day + timedelta(days=3))
            (request,) = services.submit_request(owner, data, [services.WorkerPick(i) for i in ids])
            services.decide(official, request, approve=True, reason=None)
            db.session.commit()
            departure = datetime(day.year, day.month, day.day, 0, tzinfo=UTC)  # 08:00 Beijing
            start = time.perf_counter()
            for n in range(20):
                trips.create_trip(
                    owner,
                    request,
                    trips.TripData(
                        vehicle=trips.VehicleData(f"湘J{run}{n:04d}", 53),
                        driver_name="刘师傅",
                        driver_phone="13711112222",
                        escort_phone=crew[2 * n].phone,
                        medic_phone=crew[2 * n + 1].phone,
                        departure_dt=departure,
                        departure_place="深圳市宝安区西乡汽车站",
                        arrival_place="常德经开区德山大道88号",
                        arrival_due_dt=departure + timedelta(hours=11),
                    ),
                )
            db.session.commit()
            timings.append((time.perf_counter() - start) * 1000)
            seated = len(services.seated_worker_ids(request))
            services.cancel(owner, request, reason="bench")  # frees vehicles and people
            db.session.commit()
        print(
            "plan (service)  1,000 workers, 20 trips of 53 seats:  "
            f"{statistics.median(timings):8.1f} ms  seated {seated} (SQLite, committed)"
        )

        # The manifest PDF of one planned coach, then with all 53 seats on it.
        ids = roster_workers(employer, 60, rng)
        db.session.commit()
        data = services.RequestData("440306", day, day + timedelta(days=3))
        (request,) = services.submit_request(owner, data, [services.WorkerPick(i) for i in ids])
        services.decide(official, request, approve=True, reason=None)
        trip = trips.create_trip(
            owner,
            request,
            trips.TripData(
                vehicle=trips.VehicleData("湘J99999", 53),
                driver_name="刘师傅",
                driver_phone="13711112222",
                escort_phone=crew[0].phone,
                medic_phone=crew[1].phone,
                departure_dt=departure + timedelta(days=1),
                departure_place="深圳市宝安区西乡汽车站",
                arrival_place="常德经开区德山大道88号",
                arrival_due_dt=departure + timedelta(days=1, hours=11),
            ),
        )
        db.session.commit()
        ms, pdf = timed(lambda: manifest.manifest_pdf(trip), runs)
        print(
            f"manifest PDF    53-seat coach, {len(manifest.shown_passengers(trip))} passengers:"
            f"      {ms:8.1f} ms  ({len(pdf) / 1024:.0f} KiB)"
        )
        taken = {p.seat for p in trip.passengers}
        free = [
            w for w in request.workers if w.id not in {p.request_worker_id for p in trip.passengers}
        ]
        labels = [
            f"{r}{c}"
            for r, row in enumerate(trip.vehicle.layout, start=1)
            for c in row
            if c != "_" and f"{r}{c}" not in taken
        ]
        for order, (label, worker) in enumerate(zip(labels, free, strict=False), start=100):
            trip.passengers.append(
                Passenger(
                    user_id=worker.user_id,
                    request_worker_id=worker.id,
                    seat=label,
                    seat_order=order,
                )
            )
        db.session.commit()
        ms, pdf = timed(lambda: manifest.manifest_pdf(trip), runs)
        print(
            f"manifest PDF    53-seat coach, all {len(manifest.shown_passengers(trip))} seats "
            f"listed:  {ms:8.1f} ms  ({len(pdf) / 1024:.0f} KiB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pure(max(args.runs, 20))
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        service(app, args.runs)


if __name__ == "__main__":
    main()

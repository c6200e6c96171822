"""The outbound ledger at scale: 1,000,000 intents, the ledger through the API, the exports.

Run by hand:  .venv/bin/python bench/ledger.py [--intents 1000000] [--repeat 20]
              [--townships 2 --villages 3] [--keep /tmp/ledger.db]

Builds a temporary SQLite database (or, with DATABASE_URL=postgresql://..., fills that
PostgreSQL database: an empty one; run again, it reuses the data) with the migrations, the
demo region tree, `--intents` demo workers (app.demo.add_random_workers) and one demo intent
each (app.intents.demo.add_intents,
bulk insert), then rebuilds the counters once, as `flask demo-data` does. It prints:
  * load times (workers, intents, counter rebuild) and the counter table's size
  * GET /api/v1/ledger for the whole city (city official) and for one county (county official),
    unfiltered and with trade / departure-date filters: median and 95th percentile, in ms
  * the plain GROUP BY over the intents the counters replace, for comparison
  * that the counters equal the GROUP BY (the brute-force check at full size)
  * the first page of people, both charts, and a ~100,000-row CSV and XLSX export (time and
    peak Python memory while streaming)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

TARGET_MS = 100.0


def timed(label: str, fn: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = fn()
    print(f"{label:<44} {time.perf_counter() - start:8.1f} s")
    return result


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and 95th percentile of wall time, and median CPU time, in ms over `repeat` calls
    (after one warm-up call). CPU time shows our own cost when other work shares the cores."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    p95 = wall[min(len(wall) - 1, int(len(wall) * 0.95))]
    return statistics.median(wall), p95, statistics.median(cpu)


def report(label: str, fn: Callable[[], object], repeat: int, target: float | None = None) -> None:
    median, p95, cpu = measure(fn, repeat)
    verdict = ""
    if target is not None:
        verdict = "  ok" if median <= target else f"  OVER {target:.0f} ms"
    print(f"{label:<40} median {median:6.1f} ms  p95 {p95:6.1f} ms  cpu {cpu:6.1f} ms{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--townships", type=int, default=2, help="demo townships per county")
    parser.add_argument("--villages", type=int, default=3, help="demo villages per township")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="database file to create (default: a temporary one)")
    parser.add_argument("--no-history", action="store_true", help="skip the 'created' history")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fangang-ledger-"))
    db_path = Path(args.keep) if args.keep else folder / "ledger.db"
    from app import create_app
    from app.database import create_schema

    url = os.environ.get("DATABASE_URL", "").replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{db_path}",
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder / "instance"),
    )
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("app.access").setLevel(logging.WARNING)  # one line per request otherwise
    if url or not db_path.exists() or not args.keep:
        create_schema(app)  # a no-op on a database migrated before
    with app.app_context():
        run(app, args)


def add_workers(count: int, rng: random.Random, batch: int = 20000) -> int:
    """Workers in the demo villages, bulk-inserted with distinct phones.

    Not app.demo.add_random_workers: its random ID numbers repeat (UNIQUE users.id_hash fails
    from about 50,000 workers on). These carry a masked ID number and no hash, which is all the
    ledger reads.
    """
    from sqlalchemy import insert

    from app.accounts.identity import id_sex, mask_id_number
    from app.accounts.models import User, UserRole
    from app.demo import random_id_number, random_name
    from app.extensions import db
    from app.regions.models import Region

    villages = db.session.scalars(select(Region.code).where(Region.level == "village")).all()
    start = 10_000_000 + (db.session.scalar(select(func.max(User.id))) or 0)
    made = 0
    while made < count:
        rows = []
        for offset in range(min(batch, count - made)):
            home = rng.choice(villages)
            id_number = random_id_number(rng, home if home[:6].isdigit() else "430702")
            rows.append(
                {
                    "phone": f"1{start + made + offset:010d}",
                    "name": random_name(rng),
                    "sex": id_sex(id_number),
                    "id_masked": mask_id_number(id_number),
                    "region_code": home,
                    "locale": "zh-CN",
                    "active": True,
                }
            )
        ids = db.session.scalars(insert(User).returning(User.id), rows).all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "worker"} for i in ids])
        made += len(rows)
    return made


def run(app: object, args: argparse.Namespace) -> None:
    from app.accounts.models import User
    from app.extensions import db
    from app.intents import ledger
    from app.intents.demo import add_intents, add_rules
    from app.intents.models import EmploymentIntent, LedgerCount
    from app.regions.services import load_demo_townships, load_reference_regions
    from tests.factories import make_user

    if db.engine.dialect.name == "sqlite":
        engine = f"SQLite {db.session.execute(select(func.sqlite_version())).scalar()}"
    else:
        engine = db.session.execute(select(func.version())).scalar().split(" on ")[0]
    print(
        f"{engine}, {args.intents:,} intents, {args.townships}×{args.villages} villages per county"
    )
    rng = random.Random(args.seed)
    have = db.session.scalar(select(func.count(EmploymentIntent.id))) or 0
    if have < args.intents:
        load_reference_regions()
        load_demo_townships(args.townships, args.villages, seed=args.seed)
        db.session.commit()
        need = args.intents - have
        timed(f"workers: bulk insert ({need:,})", lambda: add_workers(need, rng))
        db.session.commit()
        made = timed(
            "intents: bulk insert" + ("" if args.no_history else " (+ history rows)"),
            lambda: add_intents(rng, need, history=not args.no_history),
        )
        print(f"{'':<44} {made:,} intents")
        rows = timed("counters: rebuild from the intents", lambda: ledger.rebuild(db.session))
        add_rules()
        db.session.commit()
        print(f"{'':<44} {rows:,} counter rows")
        from app.database import refresh_statistics

        timed("planner statistics (ANALYZE on PostgreSQL)", refresh_statistics)
    counters = db.session.scalar(select(func.count()).select_from(LedgerCount))
    total = db.session.scalar(select(func.count(EmploymentIntent.id)))
    print(f"{'intents / counter rows':<44} {total:,} / {counters:,}")

    city = db.session.scalar(select(User).where(User.username == "bench-city"))
    if city is None:
        city = make_user(roles=("official",), region_code="430700", username="bench-city")
        make_user(roles=("official",), region_code="430702", username="bench-wuling")
    county = db.session.scalar(select(User).where(User.username == "bench-wuling"))

    def client_for(user: object) -> object:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client

    as_city, as_county = client_for(city), client_for(county)

    def get(client: object, path: str, **query: object) -> Callable[[], object]:
        def call() -> object:
            response = client.get(path, query_string=query)
            assert response.status_code == 200, (path, response.status_code, response.data[:300])
            return response

        return call

    print("\nThe ledger through the API (GET /api/v1/ledger):")
    repeat = args.repeat
    report("city, all", get(as_city, "/api/v1/ledger"), repeat, TARGET_MS)
    report("county 430702, all", get(as_county, "/api/v1/ledger"), repeat, TARGET_MS)
    report("city, by village", get(as_city, "/api/v1/ledger", group="village"), repeat)
    report("city, trade=electronics", get(as_city, "/api/v1/ledger", trade="electronics"), repeat)
    month = {"departure_from": "2020-02-24", "departure_to": "2020-03-22"}
    report("city, departures 24 Feb – 22 Mar", get(as_city, "/api/v1/ledger", **month), repeat)
    report(
        "county, trade + departures",
        get(as_county, "/api/v1/ledger", trade="construction", **month),
        repeat,
    )

    print("\nThe GROUP BY the counters replace (same answer, straight from the intents):")
    i = EmploymentIntent

    def group_by(where: list) -> dict:
        stmt = (
            select(i.origin_village_code, i.destination_code, func.count())
            .where(i.withdrawn_dt.is_(None), i.kind == "outbound", *where)
            .group_by(i.origin_village_code, i.destination_code)
        )
        return {(v, d): n for v, d, n in db.session.execute(stmt)}

    from app.regions.services import region_subtree

    wuling = [region_subtree(i.origin_village_code, "430702")]
    report("GROUP BY intents, city", lambda: group_by([]), max(3, repeat // 4))
    report("GROUP BY intents, county", lambda: group_by(wuling), max(3, repeat // 4))
    from_counters = ledger.summed(
        db.session, village_codes=None, kind="outbound", trade=None, day_from=None, day_to=None
    )
    brute = group_by([])
    same = Counter({k: v[0] for k, v in from_counters.items()}) == Counter(brute)
    print(f"{'counters == GROUP BY (city, per cell)':<44} {same}  ({len(brute):,} cells)")
    assert same

    print("\nPeople, charts:")
    report("people, first page (city)", get(as_city, "/api/v1/ledger/people"), repeat)
    report(
        "people, Shenzhen, no job (county)",
        get(as_county, "/api/v1/ledger/people", destination="440300", job_arranged="false"),
        repeat,
    )
    report(
        "chart by destination (city)",
        get(as_city, "/api/v1/ledger/charts/destinations.svg"),
        repeat,
    )
    report("chart by week (city)", get(as_city, "/api/v1/ledger/charts/weeks.svg"), repeat)

    print("\nExports (streamed):")
    trades = db.session.execute(
        select(i.trade, func.count()).where(i.withdrawn_dt.is_(None)).group_by(i.trade)
    ).all()
    trade, rows = min(trades, key=lambda t: abs(t[1] - 100_000))
    query = {"kind": "all", "trade": trade}
    for fmt in ("csv", "xlsx"):

        def consume(path: str = f"/api/v1/ledger/export.{fmt}") -> int:
            response = as_city.get(path, query_string=query)
            size = 0
            for chunk in response.response:
                size += len(chunk)
            response.close()
            return size

        start, start_cpu = time.perf_counter(), time.process_time()
        size = consume()
        seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        tracemalloc.start()
        consume()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{fmt.upper():<4} export, {rows:,} rows (trade={trade}): {seconds:.1f} s "
            f"(cpu {cpu:.1f} s), {size / 1e6:.1f} MB, peak Python memory {peak / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()

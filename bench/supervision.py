"""Supervision figures: the ranked list of villages on 100,000 demo scans, and its correctness.

Run by hand:  .venv/bin/python bench/supervision.py [--scans 100000] [--complaints 300]
              [--rounds 20] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

A fresh database (a SQLite file in a temporary folder, or a new database on the PostgreSQL
server given, dropped at the end) gets the demo regions, accounts and checkpoints, `--scans`
scans over 14 days (the checkpoints' bulk demo loader), the per-day counters rebuilt from them,
the cases of their flagged refusals and `--complaints` complaints. Then:

1. correctness: GET /api/v1/supervision/compliance for a county and for the city, at every
   level, is compared row by row with a brute-force count over every scan and case row;
2. time: the median and the 95th percentile of `--rounds` requests of the city's and a
   county's ranked list through the app (routing, session, JSON included; in-process WSGI,
   no sockets), and of the ranking service alone. Target: under 100 ms.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _database(url: str | None, folder: Path) -> tuple[str, object]:
    if not url:
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    import psycopg

    name = f"fangang_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base = url.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}", drop


def _timings(fn, rounds: int) -> tuple[float, float]:  # noqa: ANN001
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scans", type=int, default=100_000)
    parser.add_argument("--complaints", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to use")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from app import create_app
    from app.database import create_schema
    from app.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="fangang-bench-supervision-"))
    url, drop = _database(args.database_url, folder)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder),
    )
    try:
        create_schema(app)
        _run(app, db, args)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


def _run(app, db, args) -> None:  # noqa: ANN001
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.cards.signing import issuer_name, keyring
    from app.checkpoints import demo as checkpoints_demo
    from app.checkpoints.models import Checkpoint, CheckpointScan
    from app.demo import load_demo_data
    from app.supervision import compliance
    from app.supervision import demo as supervision_demo
    from app.timeutil import local_today, utcnow
    from tests.supervision.bruteforce import brute_force

    with app.app_context():
        keyring().create(issuer_name(), now=datetime(2019, 6, 1, tzinfo=UTC))
        began = time.perf_counter()
        load_demo_data(workers=200, seed=7)
        rng = random.Random(7)
        checkpoints_demo.load_demo(rng, scans=args.scans, days=14)
        db.session.commit()
        supervision_demo.load_demo(rng, complaints=args.complaints, days=14)
        db.session.commit()
        scans = db.session.scalar(select(func.count(CheckpointScan.id)))
        gates = db.session.scalar(select(func.count(Checkpoint.id)))
        city = db.session.scalars(select(User).where(User.username == "city")).one()
        county = db.session.scalars(select(User).where(User.username == "wuling")).one()
        engine = db.engine.dialect.name
        print(
            f"{engine}: {scans:,} scans at {gates} checkpoints over 14 days, "
            f"{args.complaints} complaints (loaded in {time.perf_counter() - began:.0f} s)"
        )

    def client_for(user_id: int):  # noqa: ANN202
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        return client

    city_phone, county_phone = client_for(city.id), client_for(county.id)
    now = utcnow()
    ok = True
    for phone, region, levels in (
        (county_phone, "430702", ("village", "checkpoint")),
        (city_phone, "430700", ("village", "checkpoint", "county")),
    ):
        for level in levels:
            body = phone.get(
                "/api/v1/supervision/compliance",
                query_string={"region": region, "level": level, "limit": 1000},
            ).get_json()
            with app.app_context():
                expected = brute_force(region, level, local_today(now), now)
            same = [i["key"] for i in body["items"]] == [r["key"] for r in expected] and all(
                item[w] == row["weeks"][n]
                for item, row in zip(body["items"], expected, strict=True)
                for w, n in (("this_week", "this"), ("last_week", "last"))
            )
            ok &= same
            print(
                f"  {region} by {level:<10} {body['total']:>4} ranked; brute force agrees: "
                f"{'yes' if same else 'NO'}"
            )

    print("ranked list (ms)                     median     p95")
    for label, phone, query in (
        ("city, villages (API)", city_phone, {}),
        ("city, counties (API)", city_phone, {"level": "county"}),
        ("county, villages (API)", county_phone, {}),
        ("county, checkpoints (API)", county_phone, {"level": "checkpoint"}),
    ):

        def request(phone=phone, query=query) -> None:  # noqa: ANN001
            response = phone.get("/api/v1/supervision/compliance", query_string=query)
            assert response.status_code == 200

        request()
        median, p95 = _timings(request, args.rounds)
        print(f"  {label:<32} {median:>7.1f} {p95:>7.1f}")
    with app.app_context():
        today = local_today()
        median, p95 = _timings(lambda: compliance.ranked("430700", "village", today), args.rounds)
        print(f"  {'city, villages (service only)':<32} {median:>7.1f} {p95:>7.1f}")
    print(f"target < 100 ms; brute force agrees everywhere: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()

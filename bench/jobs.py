"""Latency of job search through the API on 100,000 postings.

Run by hand:  .venv/bin/python bench/jobs.py [--postings 100000] [--rounds 40] [--keep DIR]

Builds its own app on a temporary SQLite file (migrations, Changde's regions, demo employers
and postings with app.jobs.demo), logs a worker in, then times GET /api/v1/jobs through the
Flask test client (routing, login, validation, the query, JSON) for:

  * each two-character keyword (普工 电工 司机 保安 厨师) with two filters, cycling through
    (trade + region subtree), (region subtree + minimum wage), (housing + minimum wage);
  * the same keywords alone, a longer keyword (电子厂普工), the next page by cursor,
    best-paid-first, and filters without a keyword,

and prints p50, p95 and max in milliseconds, and how many rows matched, per case. The target
is p95 at most 50 ms on SQLite for "keyword + two filters".

Set DATABASE_URL=postgresql://... to run the same against a PostgreSQL database instead (an
empty one: the script migrates it and loads the data; run again, it reuses them).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.database import create_schema  # noqa: E402
from app.extensions import db  # noqa: E402

KEYWORDS = ("普工", "电工", "司机", "保安", "厨师")
BENCH_PHONE = "13800009999"
COUNTIES = ("430702", "430703", "430721", "430725", "440300", "441900")


def build(args: argparse.Namespace, folder: Path):  # noqa: ANN201
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder / "instance"),
    )
    logging.getLogger("app.access").setLevel(logging.WARNING)  # one line per request otherwise
    create_schema(app)  # a no-op on a database migrated before
    with app.app_context():
        from app.accounts.models import User

        earlier = db.session.scalars(select(User).where(User.phone == BENCH_PHONE)).first()
        if earlier is not None:  # --keep DIR (or the same DATABASE_URL) of an earlier run
            print("reusing the data of an earlier run")
            return app, earlier.id
    with app.app_context():
        from app.accounts.services import create_user
        from app.employers.demo import load_demo as load_employers
        from app.jobs.demo import load_demo as load_jobs
        from app.jobs.models import JobListing
        from app.regions.services import load_demo_townships, load_reference_regions

        load_reference_regions()
        load_demo_townships(townships_per_county=4, villages_per_township=5)
        worker = create_user(roles=["worker"], phone=BENCH_PHONE, region_code="430702")
        db.session.commit()
        rng = random.Random(args.seed)
        start = time.perf_counter()
        load_employers(rng, employers=max(args.postings // 50, 20))
        counts = load_jobs(rng, postings=args.postings, applications=0, demand_lines=0)
        db.session.commit()
        loaded = time.perf_counter() - start
        db.session.execute(db.text("ANALYZE"))  # planner statistics, as after a real load
        db.session.commit()
        listings = db.session.scalar(select(func.count(JobListing.id)))
        print(
            f"{db.engine.dialect.name}: {counts['postings']:,} postings "
            f"({listings:,} published) loaded in {loaded:.1f} s"
        )
        return app, worker.id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(client, path: str, rounds: int) -> tuple[list[float], dict]:  # noqa: ANN001
    client.get(path)  # warm the statement cache
    times, body = [], {}
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        body = response.get_json()
        assert response.status_code == 200, body
    return times, body


def report(label: str, times: list[float], items: int) -> None:
    print(
        f"{label:<44} p50 {statistics.median(times):6.1f}  p95 {percentile(times, 0.95):6.1f}"
        f"  max {max(times):6.1f} ms   {items:>2} rows"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="requests per case")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", default=None, help="folder to keep the database in")
    args = parser.parse_args()

    folder = Path(args.keep or tempfile.mkdtemp(prefix="fangang-bench-jobs-"))
    folder.mkdir(parents=True, exist_ok=True)
    app, worker_id = build(args, folder)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(worker_id)
        session["_fresh"] = True

    filters = (
        ("trade+region", "trade={trade}&region={county}"),
        ("region+min_wage", "region={county}&min_wage=5000"),
        ("housing+min_wage", "housing=true&min_wage=5000"),
    )
    trades = {"普工": "electronics", "电工": "construction", "司机": "logistics"}
    trades |= {"保安": "security", "厨师": "catering"}
    all_times: list[float] = []
    print(f"\nkeyword + two filters, {args.rounds} requests each, limit 20:")
    for i, keyword in enumerate(KEYWORDS):
        for j, (name, template) in enumerate(filters):
            county = COUNTIES[(i + j) % len(COUNTIES)]
            query = template.format(trade=trades[keyword], county=county)
            times, body = timed(client, f"/api/v1/jobs?q={keyword}&{query}", args.rounds)
            all_times += times
            report(f"{keyword} {name} ({county})", times, len(body["items"]))
    print(
        f"{'ALL keyword + two filters':<44} p50 {statistics.median(all_times):6.1f}  "
        f"p95 {percentile(all_times, 0.95):6.1f}  max {max(all_times):6.1f} ms"
    )

    print("\nother shapes:")
    for keyword in KEYWORDS:
        times, body = timed(client, f"/api/v1/jobs?q={keyword}", args.rounds)
        report(f"{keyword} alone", times, len(body["items"]))
    for label, path in (
        ("电子厂普工 (5 characters, a phrase)", "/api/v1/jobs?q=电子厂普工"),
        ("厂 (one character)", "/api/v1/jobs?q=厂&region=430702"),
        ("普工 best paid first", "/api/v1/jobs?q=普工&sort=wage"),
        ("普工 + region, best paid first", "/api/v1/jobs?q=普工&region=430702&sort=wage"),
        ("no keyword, trade + region", "/api/v1/jobs?trade=catering&region=430703"),
        ("no keyword, best paid first", "/api/v1/jobs?sort=wage"),
    ):
        times, body = timed(client, path, args.rounds)
        report(label, times, len(body["items"]))
    first = client.get("/api/v1/jobs?q=普工&region=430702").get_json()
    if first.get("next_cursor"):
        times, body = timed(
            client, f"/api/v1/jobs?q=普工&region=430702&cursor={first['next_cursor']}", args.rounds
        )
        report("普工 + region, second page", times, len(body["items"]))
    if not args.keep:
        print(f"\n(database in {folder}; removed: pass --keep DIR to keep it)")
        with app.app_context():
            db.engine.dispose()
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()


if __name__ == "__main__":
    main()

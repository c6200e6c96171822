"""Bulk release through the API: 1,000 eligible cases in one request, one transaction.

Run by hand:  .venv/bin/python bench/quarantine.py [--cases 1000] [--runs 3]

Builds an app on a temporary SQLite file (migrations, regions, a signer key), adds `--cases`
cases due for release today (app.quarantine.demo) and signs each person a yellow card. Then a
city official selects them all and POSTs /api/v1/quarantine/releases through the test client.
Prints the request's wall time and, to prove the result: the number of database commits during
the request, how many statuses are green, how many yellow cards were revoked, and whether a
freshly fetched card of a sample of them is green. Each run uses a fresh set of cases.

--profile prints the request's cProfile to stderr (PROFILE_SORT=tottime for own time).

Set DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run it on PostgreSQL: the
script makes a database of its own on that server and drops it at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import logging
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.accounts.services import create_user  # noqa: E402
from app.cards.models import HealthCard, HealthStatus  # noqa: E402
from app.cards.services import current_card, issue  # noqa: E402
from app.database import create_schema  # noqa: E402
from app.extensions import db  # noqa: E402
from app.quarantine.demo import load_demo  # noqa: E402
from app.quarantine.models import QuarantineCase  # noqa: E402


def database_url(folder: Path) -> tuple[str, object]:
    """SQLite in `folder`, or a new database on the DATABASE_URL server; and its dropper."""
    server = os.environ.get("DATABASE_URL")
    if not server:
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"fangang_bench_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


def build_app(folder: Path, url: str):  # noqa: ANN201
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder / "instance"),
    )
    create_schema(app)
    with app.app_context():
        from app.cards.signing import issuer_name, keyring
        from app.regions.services import load_demo_townships, load_reference_regions

        load_reference_regions()
        load_demo_townships()
        keyring().create(issuer_name(), now=datetime(2019, 6, 1, tzinfo=UTC))
        official = create_user(roles=["official"], phone="13800000030", region_code="430700")
        db.session.commit()
        app.config["BENCH_OFFICIAL"] = official.id
    return app


def prepare(app, count: int, seed: int) -> tuple[list[int], list[int]]:  # noqa: ANN001
    """`count` due cases, each person holding a signed yellow card; returns case and card ids."""
    with app.app_context():
        load_demo(random.Random(seed), due=count)
        cases = db.session.scalars(
            select(QuarantineCase).where(QuarantineCase.state == "open").order_by(QuarantineCase.id)
        ).all()
        users = {
            u.id: u
            for u in db.session.scalars(select(User).where(User.id.in_([c.user_id for c in cases])))
        }
        cards = [issue(users[c.user_id], "card").id for c in cases]
        db.session.commit()
        return [c.id for c in cases], cards


def run_once(app, count: int, seed: int, profile: bool = False) -> float:  # noqa: ANN001
    case_ids, card_ids = prepare(app, count, seed)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(app.config["BENCH_OFFICIAL"])
        session["_fresh"] = True
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]

    with app.app_context():
        engine = db.engine
    commits: list[object] = []

    def on_commit(connection: object) -> None:
        commits.append(connection)

    # As gunicorn.conf.py does for a worker: what was alive before the request (here also the
    # bench's own set-up) is frozen, so a collection during the request walks only its objects.
    gc.collect()
    gc.freeze()
    event.listen(engine, "commit", on_commit)
    profiler = cProfile.Profile() if profile else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    response = client.post(
        "/api/v1/quarantine/releases",
        json={"case_ids": case_ids, "comment": "14天期满，无症状"},
        headers={"X-CSRF-Token": token},
    )
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler:
        order = os.environ.get("PROFILE_SORT", "cumulative")  # or tottime
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(35)
    event.remove(engine, "commit", on_commit)
    assert response.status_code == 200, response.get_json()

    with app.app_context():
        users = db.session.scalars(
            select(QuarantineCase.user_id).where(QuarantineCase.id.in_(case_ids))
        ).all()
        green = db.session.scalar(
            select(func.count()).where(
                HealthStatus.user_id.in_(users), HealthStatus.status == "green"
            )
        )
        revoked = db.session.scalar(
            select(func.count()).where(
                HealthCard.id.in_(card_ids), HealthCard.revoked_dt.is_not(None)
            )
        )
        released = db.session.scalar(
            select(func.count()).where(
                QuarantineCase.id.in_(case_ids), QuarantineCase.state == "released"
            )
        )
        sample = [db.session.get(User, uid) for uid in users[:: max(1, len(users) // 20)]]
        fresh = {current_card(u).status for u in sample}
        db.session.rollback()
    ok = green == revoked == released == count and fresh == {"green"} and len(commits) == 1
    print(
        f"released {response.get_json()['released']:>5} cases in {elapsed * 1000:8.1f} ms "
        f"(CPU {cpu * 1000:.0f} ms; {elapsed * 1000 / count:.2f} ms per case)\n"
        f"  commits={len(commits)}  green={green}  "
        f"yellow cards revoked={revoked}  released={released}  "
        f"fresh cards green={'yes' if fresh == {'green'} else fresh}  {'OK' if ok else 'FAILED'}"
    )
    if not ok:
        raise SystemExit(1)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases per request (max 1000)")
    parser.add_argument("--runs", type=int, default=3, help="requests to time")
    parser.add_argument("--profile", action="store_true", help="cProfile each request (stderr)")
    args = parser.parse_args()
    # One line per request and per text message otherwise (the console SMS backend logs each).
    logging.getLogger("app.access").setLevel(logging.WARNING)
    logging.getLogger("app.sms").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url, drop = database_url(Path(folder))
        try:
            app = build_app(Path(folder), url)
            engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite file"
            print(f"Python {sys.version.split()[0]}, {engine}, {args.cases} cases per request")
            times = [
                run_once(app, args.cases, seed, args.profile) for seed in range(1, args.runs + 1)
            ]
            with app.app_context():
                db.engine.dispose()
        finally:
            drop()
        print(f"median {statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

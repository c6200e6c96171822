"""The public figures page at scale, and how long it takes on a weak connection.

Run by hand:  .venv/bin/python bench/publicity.py [--workers 100000] [--repeat 20]

Builds a temporary SQLite database with the migrations and the demo region tree, bulk-inserts
`--workers` workers in the demo villages, each with a green card (a tenth of them also with an
outbound certificate), then prints for /changde, /changde?county=430702, /changde/poster and
/api/v1/public/figures: median and 95th percentile server time (ms), the size sent (bytes, and
gzipped as nginx would send it), and the time to load page + stylesheet over a weak 2G/3G link
(RTT 400 ms, 50 kB/s down: one round trip for the connection, one per file).
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RTT_S = 0.4
BYTES_PER_S = 50_000


def add_people(count: int, rng: random.Random) -> None:
    from sqlalchemy import insert, select

    from app.accounts.models import User
    from app.cards.models import HealthCard
    from app.extensions import db
    from app.regions.models import Region
    from app.timeutil import utcnow

    villages = db.session.scalars(select(Region.code).where(Region.level == "village")).all()
    now = utcnow()
    for start in range(0, count, 20000):
        n = min(20000, count - start)
        db.session.execute(
            insert(User),
            [
                {"phone": f"15{start + i:09d}", "region_code": rng.choice(villages),
                 "locale": "zh-CN", "active": True, "created_dt": now}
                for i in range(n)
            ],
        )  # fmt: skip
    ids = db.session.scalars(select(User.id)).all()
    cards = []
    for user_id in ids:
        for kind in ("card", "certificate") if user_id % 10 == 0 else ("card",):
            cards.append(
                {"card_id": f"{kind[:2]}{user_id:014x}", "user_id": user_id, "card_type": kind,
                 "status": "green", "reasons": [], "name_masked": "张*", "id_last4": "0000",
                 "issued_dt": now, "expires_dt": now + timedelta(hours=24), "kid": "k",
                 "qr_text": "FG1:"}
            )  # fmt: skip
    for start in range(0, len(cards), 20000):
        db.session.execute(insert(HealthCard), cards[start : start + 20000])
    db.session.commit()


def measure(client, url: str, repeat: int) -> None:
    client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    times.sort()
    body = response.data
    zipped = len(gzip.compress(body))
    print(
        f"{url:<34} median {statistics.median(times):7.1f} ms  p95 "
        f"{times[int(len(times) * 0.95) - 1]:7.1f} ms  {len(body):7d} B  gzip {zipped:6d} B"
    )
    return zipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fangang-publicity-"))
    from app import create_app
    from app.database import create_schema

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder / "instance"),
    )
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("app.access").setLevel(logging.WARNING)
    create_schema(app)
    with app.app_context():
        from app.extensions import db
        from app.regions.services import load_demo_townships, load_reference_regions

        load_reference_regions()
        load_demo_townships(townships_per_county=4, villages_per_township=8)
        db.session.commit()
        start = time.perf_counter()
        add_people(args.workers, random.Random(1))
        print(f"{args.workers} workers with cards loaded in {time.perf_counter() - start:.1f} s")
    client = app.test_client()
    css = measure(client, "/changde/static/figures.css", args.repeat)
    for url in ("/changde", "/changde?county=430702", "/changde/poster", "/api/v1/public/figures"):
        zipped = measure(client, url, args.repeat)
        if url.startswith("/changde") and "static" not in url:
            weak = RTT_S * 3 + (zipped + css) / BYTES_PER_S
            print(f"{'':<34} weak link (RTT 400 ms, 50 kB/s): page + stylesheet ~{weak:.2f} s")


if __name__ == "__main__":
    main()

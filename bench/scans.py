"""Checkpoint figures: outbox batch ingest through the API, and POST /api/v1/verify under gunicorn.

Run by hand:  .venv/bin/python bench/scans.py [--scans 20000] [--seconds 5] [--skip-http]
              [--skip-ingest]   (REDIS_URL=redis://... keeps the rate-limit counters in Redis)

1. Ingest. The same scans (new UUIDs each time) are stored two ways on the same SQLite file,
   in the same run, 500 a batch:
     * through the API: POST /api/v1/checkpoints/sync with a logged-in volunteer (routing,
       session, CSRF, pydantic validation, the per-item answers, one commit per batch), driven
       in-process through the WSGI app (no sockets, so the figure is the server's own cost);
     * SQLAlchemy core: insert(checkpoint_scans) executemany of the same rows, one
       transaction per batch (the floor: no validation, no idempotency check, no answers).
   Targets: API >= 0.5 x core, and >= 20,000 scans/s.
2. Verify. gunicorn with production's gunicorn.conf.py (preloaded app, heap frozen before the
   fork), narrowed to 1 gthread worker of 4 threads (--server-threads), keep-alive, on
   127.0.0.1, serves this app plus a bare JSON route added by this script's own WSGI factory
   (`wsgi_app()`); a bounded load generator (threads, http.client keep-alive, fixed
   duration) posts a valid card to /api/v1/verify and the same body to the bare route,
   alternating, twice each. Requests per second, and the server's CPU time per request (from
   /proc), are compared. Target (issue 14): >= 0.8, >= 0.7 with Redis.
   Loopback only; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 500


# -- part 1: ingest ---------------------------------------------------------------------------


def _make_app(folder: Path) -> Flask:
    from app import create_app
    from app.database import create_schema

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
    # Access lines are still formatted and written (a real cost of each request), not shown.
    logging.getLogger("app").handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115
    return app


def _setup(app: Flask) -> tuple[int, int]:
    """A volunteer assigned to a checkpoint at a demo village; (user id, checkpoint id)."""
    from app.accounts.services import create_user
    from app.checkpoints.models import Checkpoint, CheckpointVolunteer
    from app.extensions import db
    from app.regions.services import load_demo_townships, load_reference_regions, villages
    from app.timeutil import utcnow

    with app.app_context():
        load_reference_regions()
        load_demo_townships()
        user = create_user(
            roles=["volunteer"],
            phone="13900000001",
            name="王芳",
            id_number="11010519491231002X",
            region_code="430702",
        )
        checkpoint = Checkpoint(
            name="新民村东口卡点",
            village_code=villages("430702")[0].code,
            active=True,
            place_code_version=1,
            created_dt=utcnow(),
        )
        db.session.add(checkpoint)
        db.session.flush()
        db.session.add(CheckpointVolunteer(checkpoint_id=checkpoint.id, user_id=user.id))
        db.session.commit()
        return user.id, checkpoint.id


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7), as the PWA's outbox makes them."""
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC variant
    return uuid.UUID(int=value)


def _items(checkpoint_id: int, count: int, start: datetime) -> list[dict]:
    """Scans as the phone sends them: 90 % green, the rest spread over the other verdicts."""
    verdicts = [
        {"valid": True, "reason": "ok", "kind": "FG1", "status": "green", "card_type": "card"},
    ] * 9 + [{"valid": False, "reason": "expired", "kind": "FG1", "status": "green"}]
    out = []
    for index in range(count):
        verdict = dict(verdicts[index % len(verdicts)])
        verdict.update(card_id=f"{index:012x}", issuer_region="430700")
        out.append(
            {
                "type": "scan",
                "uuid": str(uuid7()),
                "checkpoint_id": checkpoint_id,
                "scanned_at": (start + timedelta(seconds=index)).isoformat(),
                "method": "camera",
                "verdict": verdict,
            }
        )
    return out


def _core_rows(items: list[dict], volunteer_id: int, now: datetime) -> list[dict]:
    """The same scans as table rows, for the executemany baseline."""
    from app.timeutil import app_tz

    rows = []
    for item in items:
        verdict = item["verdict"]
        scanned = datetime.fromisoformat(item["scanned_at"])
        rows.append(
            {
                "client_uuid": uuid.UUID(item["uuid"]),
                "checkpoint_id": item["checkpoint_id"],
                "volunteer_id": volunteer_id,
                "scanned_dt": scanned,
                "received_dt": now,
                "scan_day": scanned.astimezone(app_tz()).date(),
                "method": item["method"],
                "valid": verdict["valid"],
                "reason": verdict["reason"],
                "kind": verdict.get("kind"),
                "status": verdict.get("status"),
                "card_type": verdict.get("card_type"),
                "card_id": verdict.get("card_id"),
                "issuer_region": verdict.get("issuer_region"),
                "trust_stale": False,
                "flagged": False,
            }
        )
    return rows


def bench_ingest(scans: int) -> dict[str, float]:
    from sqlalchemy import func, insert, select

    from app.checkpoints.models import CheckpointScan
    from app.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="fangang-bench-scans-"))
    app = _make_app(folder)
    volunteer_id, checkpoint_id = _setup(app)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(volunteer_id)
        session["_fresh"] = True
    client.get("/api/v1/auth/csrf")
    csrf = client.get_cookie("fg_csrf").value
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    start = datetime.now(UTC) - timedelta(days=1)
    batches = max(1, scans // BATCH)

    def api_round() -> float:
        bodies = [
            json.dumps({"items": _items(checkpoint_id, BATCH, start)}).encode()
            for _ in range(batches)
        ]
        began, cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            response = client.post("/api/v1/checkpoints/sync", data=body, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            assert response.get_json()["created"] == BATCH
        rows = batches * BATCH
        return rows / (time.perf_counter() - began), rows / (time.process_time() - cpu)

    def core_round() -> float:
        now = datetime.now(UTC)
        row_batches = [
            _core_rows(_items(checkpoint_id, BATCH, start), volunteer_id, now)
            for _ in range(batches)
        ]
        table = CheckpointScan.__table__
        with app.app_context():
            engine = db.engine
            began, cpu = time.perf_counter(), time.process_time()
            for rows in row_batches:
                with engine.begin() as connection:
                    connection.execute(insert(table), rows)
            count = batches * BATCH
            return count / (time.perf_counter() - began), count / (time.process_time() - cpu)

    def replay_round() -> float:
        body = json.dumps({"items": _items(checkpoint_id, BATCH, start)}).encode()
        client.post("/api/v1/checkpoints/sync", data=body, headers=headers)
        began = time.perf_counter()
        for _ in range(batches):
            response = client.post("/api/v1/checkpoints/sync", data=body, headers=headers)
            assert response.get_json()["duplicates"] == BATCH
        return batches * BATCH / (time.perf_counter() - began)

    api_round()  # warm up: imports, first queries, SQLite page cache
    core_round()
    api_rates, core_rates = [], []
    for _ in range(3):  # interleaved, so both see the same machine and the same table size
        api_rates.append(api_round())
        core_rates.append(core_round())
    replay = replay_round()
    with app.app_context():
        total = db.session.scalar(select(func.count(CheckpointScan.id)))
        db.engine.dispose()
    return {
        "api": statistics.median(r[0] for r in api_rates),
        "core": statistics.median(r[0] for r in core_rates),
        "api_cpu": statistics.median(r[1] for r in api_rates),
        "core_cpu": statistics.median(r[1] for r in core_rates),
        "replay": replay,
        "rows": total,
        "batches": batches,
    }


# -- part 2: verify under gunicorn ------------------------------------------------------------


def wsgi_app() -> Flask:
    """gunicorn 'scans:wsgi_app()': the real app plus a bare JSON route to compare with."""
    from flask import jsonify, request

    from app import create_app

    app = create_app()

    @app.post("/bench/bare")
    def bare() -> Response:
        """Reads the same JSON body, answers a small JSON document: the framework's floor."""
        request.get_json()
        return jsonify({"valid": True})

    return app


def _prepare_server_files(folder: Path) -> str:
    """Database, signing key and one valid card; returns the card's QR text."""
    from app import create_app
    from app.cards import signing
    from app.credentials import issue_card, new_card_id
    from app.database import create_schema

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'verify.db'}",
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder / "instance"),
    )
    create_schema(app)
    with app.app_context():
        signer, _ = signing.ensure_signer()
        now = datetime.now(UTC)
        qr = issue_card(
            signer,
            card_id=new_card_id(),
            card_type="card",
            status="green",
            name_masked="张*三",
            id_last4="123X",
            issued_at=now,
            expires_at=now + timedelta(hours=24),
        )
    return qr


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _worker_cpu(master_pid: int) -> float:
    """CPU seconds (user + system) of the gunicorn worker processes of `master_pid`."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _load(port: int, path: str, body: bytes, seconds: float, threads: int) -> tuple[int, int]:
    """Post `body` to `path` from `threads` keep-alive connections for `seconds`; (ok, errors)."""
    deadline = time.monotonic() + seconds
    counts = [0, 0]
    lock = threading.Lock()

    def run() -> None:
        ok = bad = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        while time.monotonic() < deadline:
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    ok += 1
                else:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.close()
        with lock:
            counts[0] += ok
            counts[1] += bad

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counts[0], counts[1]


def bench_verify(seconds: float, threads: int, server_threads: int = 4) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="fangang-bench-verify-"))
    qr = _prepare_server_files(folder)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'verify.db'}",
        "FANGANG_KEYS_DIR": str(folder / "keys"),
        "SECRET_KEY": "bench-only-secret",
        "ID_HASH_KEY": "bench-only-id-hash-key",
        "VERIFY_RATE": "100000000 per minute",  # rate limiting stays on, but never refuses here
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
    }
    env.pop("FLASK_DEBUG", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        # Production's settings (preloaded app, frozen heap, JSON logs), then the bench's own.
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--max-requests",
        "0",  # no worker recycling in the middle of a run
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        str(server_threads),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "scans:wsgi_app()",
    ]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT / "bench", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        body = json.dumps({"qr": qr}).encode()
        check = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        check.request(
            "POST", "/api/v1/verify", body=body, headers={"Content-Type": "application/json"}
        )
        answer = json.loads(check.getresponse().read())
        assert answer["valid"] is True and answer["status"] == "green", answer
        _load(port, "/api/v1/verify", body, 1.0, threads)  # warm up both routes
        _load(port, "/bench/bare", body, 1.0, threads)
        results: dict[str, list[tuple[float, float]]] = {"verify": [], "bare": []}
        for _ in range(2):
            for name, path in (("verify", "/api/v1/verify"), ("bare", "/bench/bare")):
                cpu_before = _worker_cpu(server.pid)
                began = time.monotonic()
                ok, bad = _load(port, path, body, seconds, threads)
                elapsed = time.monotonic() - began
                cpu = _worker_cpu(server.pid) - cpu_before
                assert bad == 0, f"{bad} failed requests on {path}"
                results[name].append((ok / elapsed, cpu / ok * 1e6))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    best = {name: max(runs) for name, runs in results.items()}
    return {
        "verify_rps": best["verify"][0],
        "bare_rps": best["bare"][0],
        "verify_cpu_us": min(r[1] for r in results["verify"]),
        "bare_cpu_us": min(r[1] for r in results["bare"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=20000, help="scans per ingest round")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per load run")
    parser.add_argument("--threads", type=int, default=4, help="load generator connections")
    parser.add_argument(
        "--server-threads", type=int, default=4, help="gunicorn threads (production: 4)"
    )
    parser.add_argument("--skip-http", action="store_true", help="only the ingest figures")
    parser.add_argument("--skip-ingest", action="store_true", help="only the verify figures")
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, SQLite file database")
    if not args.skip_ingest:
        report_ingest(args.scans)
    if not args.skip_http:
        report_verify(args.seconds, args.threads, args.server_threads)


def report_ingest(scans: int) -> None:
    ingest = bench_ingest(scans)
    ratio = ingest["api"] / ingest["core"]
    cpu_ratio = ingest["api_cpu"] / ingest["core_cpu"]
    print(f"ingest, {ingest['batches']} batches of {BATCH} a round (median of 3 rounds):")
    print("                                        wall clock   per CPU second")
    print(
        f"  API  POST /api/v1/checkpoints/sync   {ingest['api']:>9,.0f}/s   "
        f"{ingest['api_cpu']:>9,.0f}/s"
    )
    print(
        f"  core insert executemany              {ingest['core']:>9,.0f}/s   "
        f"{ingest['core_cpu']:>9,.0f}/s"
    )
    print(f"  API replay (all duplicates)          {ingest['replay']:>9,.0f} scans/s")
    print(
        f"  API / core = {ratio:.2f} wall, {cpu_ratio:.2f} CPU (target >= 0.5); "
        f"API >= 20,000/s: {'yes' if ingest['api'] >= 20000 else 'NO'} wall, "
        f"{'yes' if ingest['api_cpu'] >= 20000 else 'NO'} CPU  ({ingest['rows']:,} rows stored)"
    )


def report_verify(seconds: float, threads: int, server_threads: int = 4) -> None:
    figures = bench_verify(seconds, threads, server_threads)
    storage = "Redis" if os.environ.get("REDIS_URL") else "memory"
    print(
        f"verify under gunicorn (1 gthread worker x {server_threads} threads, {threads} keep-alive "
        f"connections, {seconds:g} s runs, best of 2; rate-limit counters in {storage}):"
    )
    print(
        f"  POST /api/v1/verify   {figures['verify_rps']:>7,.0f} req/s   "
        f"{figures['verify_cpu_us']:>6,.0f} µs server CPU each"
    )
    print(
        f"  POST /bench/bare      {figures['bare_rps']:>7,.0f} req/s   "
        f"{figures['bare_cpu_us']:>6,.0f} µs server CPU each"
    )
    print(
        f"  verify / bare: {figures['verify_rps'] / figures['bare_rps']:.2f} by throughput, "
        f"{figures['bare_cpu_us'] / figures['verify_cpu_us']:.2f} by server CPU "
        f"(issue 14's target >= {0.7 if storage == 'Redis' else 0.8})"
    )


if __name__ == "__main__":
    main()

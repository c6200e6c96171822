"""Load on loopback with wrk: the busiest routes beside a bare route of the same server.

Run by hand (needs wrk: `apt-get install wrk`):

    .venv/bin/python bench/load.py [--connections 64] [--duration 60] [--only verify,jobs]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_load .venv/bin/python bench/load.py

Builds a database (a temporary SQLite file, or the empty PostgreSQL database DATABASE_URL
names: migrated and filled with `flask demo-data` sized by --workers/--postings/--intents),
starts gunicorn with gunicorn.conf.py (workers from the CPU count, as `make serve` does) on
this app plus a bare JSON route, logs in a worker, a volunteer and an official, and drives each
case for --duration seconds at --connections connections:

  bare     GET  /bench/bare                      the framework's floor, same server, same run
  card     GET  /api/v1/cards/current            a worker fetching their card
  verify   POST /api/v1/verify                   a checkpoint verifying a real card online
  sync     POST /api/v1/checkpoints/sync         outbox batches of 20 scans, new UUIDs each
  jobs     GET  /api/v1/jobs?q=普工&…            job search: keyword plus two filters
  ledger   GET  /api/v1/ledger                   the city official's ledger

It prints req/s, p50/p99 latency, socket errors and responses by status class. Rate limits are
raised for the run: every request comes from 127.0.0.1, one caller in the limiter's eyes.
wrk shares the machine's cores with the server, so the absolute figures are the machine's
floor; the bare route in the same run is the yardstick.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = ("bare", "card", "verify", "sync", "jobs", "ledger")
HIGH = "1000000 per minute"


def wsgi_app():  # noqa: ANN201 - gunicorn 'bench.load:wsgi_app()'
    """The real app plus a bare JSON route, with the app's own middleware around both."""
    from flask import jsonify

    from app import create_app

    app = create_app()

    @app.get("/bench/bare")
    def bare():  # noqa: ANN202
        return jsonify({"ok": True})

    return app


# -- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(folder: Path) -> dict[str, str]:
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'load.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "FLASK_"))}
    env.update(
        {
            "DATABASE_URL": database,
            "FANGANG_INSTANCE_PATH": str(folder / "instance"),
            "FANGANG_KEYS_DIR": str(folder / "keys"),
            "SECRET_KEY": "bench-load-secret",
            "ID_HASH_KEY": "bench-load-id-hash",
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
            "FLASK_APP": "wsgi",
        }
    )
    for setting in (
        "VERIFY_RATE",
        "LOGIN_RATE_PER_IP",
        "OTP_RATE_PER_PHONE",
        "PASSWORD_RATE_PER_USER",
        "PUBLIC_FIGURES_RATE",
    ):
        env[setting] = HIGH
    (folder / "metrics").mkdir(exist_ok=True)
    return env


def prepare_database(env: dict[str, str], args: argparse.Namespace) -> None:
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(
        [
            *flask,
            "demo-data",
            "--if-empty",
            f"--workers={args.workers}",
            f"--postings={args.postings}",
            f"--intents={args.intents}",
            f"--applications={args.postings // 10}",
            f"--scans={args.workers}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    print(f"data: {done.stdout.strip().splitlines()[-1]} ({time.perf_counter() - started:.0f} s)")


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "bench.load:wsgi_app()"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# -- the callers -------------------------------------------------------------------------------


class Caller:
    """Cookies kept by hand: the session cookie is Secure, and this is plain HTTP on loopback."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, body: object = None) -> dict:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if method != "GET":
            if "fg_csrf" not in self.cookies:
                self.call("GET", "/api/v1/auth/csrf")
            headers["X-CSRF-Token"] = self.cookies["fg_csrf"]
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            response = urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{method} {path}: {error.code} {error.read()[:300]!r}") from None
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            raw = response.read()
        return json.loads(raw) if raw else {}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def staff_login(self, username: str) -> Caller:
        from app.demo import DEMO_PASSWORD

        self.call(
            "POST", "/api/v1/auth/password-login", {"username": username, "password": DEMO_PASSWORD}
        )
        return self

    def worker_login(self, phone: str, instance: Path) -> Caller:
        self.call("POST", "/api/v1/auth/otp", {"phone": phone})
        outbox, texts = instance / "sms-outbox.log", []
        for _ in range(100):  # the SMS goes out after the answer, from a queue
            lines = outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []
            texts = [json.loads(line)["text"] for line in lines if json.loads(line)["to"] == phone]
            if texts:
                break
            time.sleep(0.05)
        text = texts[-1]
        code = re.search(r"\d{6}", text).group()
        self.call("POST", "/api/v1/auth/login", {"phone": phone, "code": code})
        return self


# -- wrk ---------------------------------------------------------------------------------------

LUA_COMMON = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {0, 0, 0, 0, 0} end
function response(status, headers, body)
  local class = math.floor(status / 100)
  if class >= 1 and class <= 5 then counts[class] = counts[class] + 1 end
end
function done(summary, latency, requests)
  local by = {0, 0, 0, 0, 0}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for i = 1, 5 do by[i] = by[i] + c[i] end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, '
    .. '"p99_ms": %.2f, "max_ms": %.2f, "connect": %d, "read": %d, "write": %d, '
    .. '"timeout": %d, "2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    e.connect, e.read, e.write, e.timeout, by[2], by[3], by[4], by[5]))
end
"""

LUA_SYNC = r"""
local checkpoint = CHECKPOINT
local headers = HEADERS
local seed_done = false
local function uuid4()
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x",
    math.random(0, 0xffffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    math.random(0x8000, 0xbfff), math.random(0, 0xffff), math.random(0, 0xffffffff))
end
request = function()
  if not seed_done then
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
    seed_done = true
  end
  local items = {}
  local now = os.date("!%Y-%m-%dT%H:%M:%S+00:00")
  for i = 1, 20 do
    items[i] = string.format('{"type":"scan","uuid":"%s","checkpoint_id":%d,'
      .. '"scanned_at":"%s","method":"camera","verdict":{"valid":true,"reason":"ok",'
      .. '"kind":"FG1","status":"green","card_type":"card","card_id":"%012x",'
      .. '"issuer_region":"430700"}}', uuid4(), checkpoint, now, math.random(0, 0xffffffff))
  end
  return wrk.format("POST", "/api/v1/checkpoints/sync", headers,
    '{"items":[' .. table.concat(items, ",") .. ']}')
end
"""


def lua_static(method: str, headers: dict[str, str], body: str | None) -> str:
    lines = [f"wrk.method = {json.dumps(method)}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body, ensure_ascii=False)}")
    return "\n".join(lines) + "\n" + LUA_COMMON


def lua_table(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()) + "}"


def run_wrk(url: str, script: str, args: argparse.Namespace, folder: Path) -> dict:
    path = folder / "case.lua"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"^RESULT (.*)$", done.stdout, re.M)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    return json.loads(found.group(1))


def scripts(base: str, folder: Path) -> dict[str, tuple[str, str]]:
    """(path with query, Lua script) per case, with the callers logged in."""
    from sqlalchemy import select

    worker = Caller(base).worker_login("13800000001", folder / "instance")
    card = worker.call("GET", "/api/v1/cards/current")
    volunteer = Caller(base).staff_login("volunteer")
    city = Caller(base).staff_login("city")
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}

    os.environ.update(server_env(folder))
    from app import create_app
    from app.accounts.models import User
    from app.checkpoints.models import CheckpointVolunteer
    from app.extensions import db

    app = create_app(instance_path=str(folder / "instance"))
    with app.app_context():
        checkpoint_id = db.session.scalar(
            select(CheckpointVolunteer.checkpoint_id)
            .join(User, User.id == CheckpointVolunteer.user_id)
            .where(User.username == "volunteer")
        )
        db.engine.dispose()
    sync_headers = {
        **json_headers,
        "Cookie": volunteer.cookie_header(),
        "X-CSRF-Token": volunteer.cookies["fg_csrf"],
    }
    jobs_query = urllib.parse.urlencode({"q": "普工", "region": "430702", "min_wage": 4000})
    return {
        "bare": ("/bench/bare", lua_static("GET", json_headers, None)),
        "card": (
            "/api/v1/cards/current",
            lua_static("GET", {**json_headers, "Cookie": worker.cookie_header()}, None),
        ),
        "verify": (
            "/api/v1/verify",
            lua_static("POST", json_headers, json.dumps({"qr": card["qr"]})),
        ),
        "sync": (
            "/api/v1/checkpoints/sync",
            LUA_SYNC.replace("CHECKPOINT", str(checkpoint_id)).replace(
                "HEADERS", lua_table(sync_headers)
            )
            + LUA_COMMON,
        ),
        "jobs": (
            f"/api/v1/jobs?{jobs_query}",
            lua_static("GET", {**json_headers, "Cookie": worker.cookie_header()}, None),
        ),
        "ledger": (
            "/api/v1/ledger",
            lua_static("GET", {**json_headers, "Cookie": city.cookie_header()}, None),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=60, help="seconds per case")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2000, help="demo workers")
    parser.add_argument("--postings", type=int, default=5000)
    parser.add_argument("--intents", type=int, default=20000)
    parser.add_argument("--only", default=",".join(CASES), help="comma-separated cases")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    folder = Path(tempfile.mkdtemp(prefix="fangang-load-"))
    env = server_env(folder)
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    prepare_database(env, args)
    port = _free_port()
    server = start_server(env, port, folder / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:
        cases = scripts(base, folder)
        workers = len(re.findall(r"Booting worker", (folder / "gunicorn.log").read_text()))
        print(
            f"{engine}, gunicorn {workers} workers, wrk {args.threads} threads "
            f"{args.connections} connections {args.duration} s per case"
        )
        print(
            f"{'case':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'5xx':>5} "
            f"{'4xx':>5} {'vs bare':>8}"
        )
        bare_rate = None
        for name in args.only.split(","):
            path, script = cases[name]
            result = run_wrk(base + path, script, args, folder)
            rate = result["requests"] / result["seconds"]
            errors = sum(result[k] for k in ("connect", "read", "write", "timeout"))
            bare_rate = rate if name == "bare" else bare_rate
            ratio = f"{rate / bare_rate:.2f}" if bare_rate else "-"
            print(
                f"{name:8} {rate:8.0f} {result['p50_ms']:8.1f} {result['p99_ms']:8.1f} "
                f"{errors:7d} {result['5xx']:5d} {result['4xx']:5d} {ratio:>8}",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        if "DATABASE_URL" not in os.environ or os.environ["DATABASE_URL"].startswith("sqlite"):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Real app servers for tests: gunicorn processes on loopback ports, and a client with cookies."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_db() -> int:
    """A Redis database of this run's own, emptied, so no other test's counters show."""
    import redis

    number = random.randint(10, 15)
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number, socket_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:  # pragma: no cover - the machine's Redis is a given
        pytest.fail(f"Redis at {REDIS_HOST}:{REDIS_PORT} is required: {exc}")
    return number


class Phone:
    """One client's cookies, kept by hand: the session cookie is Secure and the test talks
    plain HTTP on loopback, as the TLS proxy does to the instances."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def call(
        self,
        base: str,
        method: str,
        path: str,
        body: object = None,
        *,
        csrf: str | None = None,
    ) -> tuple[int, dict, dict]:
        headers = {"Accept": "application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=15)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            raw = response.read()
            payload = json.loads(raw) if raw else {}
            return response.status, payload, dict(response.headers)

    def csrf(self, base: str) -> str:
        return self.call(base, "GET", "/api/v1/auth/csrf")[1]["csrf_token"]


def start_gunicorn(name: str, port: int, env: dict[str, str], folder: Path) -> subprocess.Popen:
    instance = folder / name
    instance.mkdir(exist_ok=True)
    log = (folder / f"{name}.log").open("a")
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        start_new_session=True,  # its own process group, so kill_hard reaches the workers
        cwd=ROOT,
        env={
            **env,
            "FANGANG_INSTANCE_PATH": str(instance),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"instance exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)  # starting up: a poll, not a timed assertion
    pytest.fail(f"instance did not start: {log.read_text()[-2000:]}")


def server_env(app: object, database_url: str, **more: str) -> dict[str, str]:
    """The environment of an instance of the test's app: same database, secrets and keys."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GUNICORN_", "FLASK_", "FANGANG_"))
    }
    env.update(
        {
            "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://", 1),
            "SECRET_KEY": "test-servers-shared-secret",
            # The test's own app hashed the ID numbers of the people it made with this key.
            "ID_HASH_KEY": app.config["ID_HASH_KEY"],
            "FANGANG_KEYS_DIR": app.config["KEYS_DIR"],
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            **more,
        }
    )
    return env


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the server and its workers at once: no graceful shutdown, no atexit."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)

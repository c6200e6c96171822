"""`make serve`: gunicorn with gunicorn.conf.py serves the app, several processes, JSON logs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path, database_url):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "KEYS_DIR": str(tmp_path / "keys"),
        "SECRET_KEY": "test-only-secret",
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)  # the server is starting: poll, not a timed assertion
    yield url, log
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_gunicorn_serves_the_app_with_json_request_lines(gunicorn) -> None:
    url, log = gunicorn
    with urllib.request.urlopen(f"{url}/healthz?token=secret-in-query", timeout=5) as response:
        assert response.status == 200
        assert json.load(response) == {"status": "ok", "database": "ok"}
    with urllib.request.urlopen(f"{url}/", timeout=5) as response:
        assert response.status == 200 and b"<html" in response.read().lower()
    time.sleep(0.2)  # let the worker's line reach the file (not a timing assertion)
    log.seek(0)
    text = log.read()
    assert "Booting worker" in text and text.count("Booting worker") == 2
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "app.access"]
    assert any(r["route"] == "/healthz" and r["status"] == 200 for r in requests)
    assert "secret-in-query" not in text  # query strings never reach the logs

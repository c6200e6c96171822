"""PostgreSQL restarted under traffic: requests fail cleanly (503 problem+json,
`database_unavailable`, nothing half-saved) and the same app recovers when the server is back.

A private PostgreSQL server (initdb into a temporary folder, a free port): the shared one on
5432 is never stopped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_test_app

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # No pipes: the server pg_ctl starts would hold them open; it logs to a file (-l).
    subprocess.run(
        [*prefix, *command],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[tuple[str, callable, callable]]:
    if BIN is None:
        pytest.fail("PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin)")
    folder = Path(tempfile.mkdtemp(prefix="fangang-pg-", dir="/tmp"))
    data, port = folder / "data", _free_port()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    _as_postgres(str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start() -> None:
        _as_postgres(
            str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options,
            "-w", "start",
        )  # fmt: skip

    def stop() -> None:
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    start()
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", start, stop
    finally:
        subprocess.run(
            [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
             str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def test_a_restart_answers_503_then_the_app_recovers_by_itself(private_postgres, tmp_path):
    from app.database import create_schema

    url, start, stop = private_postgres
    app = make_test_app(url, tmp_path)
    create_schema(app)
    with app.app_context():
        from app.extensions import db
        from app.regions.services import load_reference_regions

        load_reference_regions()
        db.session.commit()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/public/figures").status_code == 200

    stop()
    down = client.get("/api/v1/public/figures", headers={"Accept-Language": "en"})
    assert down.status_code == 503
    assert down.content_type.startswith("application/problem+json")
    body = down.get_json()
    assert body["code"] == "database_unavailable" and "nothing was saved" in body["detail"]
    assert down.headers["Retry-After"] == "5"
    zh = client.get("/api/v1/public/figures").get_json()
    assert zh["code"] == "database_unavailable" and "未被保存" in zh["detail"]
    assert client.get("/healthz").status_code == 503

    start()
    assert client.get("/api/v1/public/figures").status_code == 200  # same app, no restart
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()

"""The server SIGKILLed in the middle of scan batches: the phone retries, nothing lost or doubled.

A checkpoint phone empties its outbox batch after batch and keeps a batch until the server has
answered it. Here the server (gunicorn, master and worker) is killed outright while batches are
in flight, several times, and started again; the client keeps retrying what got no answer.
Whatever the server had half-written is rolled back by the database; what it had committed
answers `duplicate` on the retry.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
import urllib.error

from sqlalchemy import func, select

from app.checkpoints.models import CheckpointScan
from app.extensions import db
from tests.checkpoints.factories import make_checkpoint, make_volunteer, scan_item
from tests.servers import (
    Phone,
    free_port,
    kill_hard,
    server_env,
    start_gunicorn,
    stop,
    wait_until_up,
)

BATCHES, ITEMS = 24, 400
KILL_AFTER = (3, 9, 15)  # answered batches before each kill


def _cut_off(exc: BaseException) -> bool:
    """The connection died under a request (not refused before it): killed mid-request."""
    return isinstance(
        exc, (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead)
    ) or (isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, ConnectionResetError))


def test_a_server_killed_mid_batch_loses_and_doubles_nothing(app, database_url, tmp_path) -> None:
    checkpoint = make_checkpoint()
    make_volunteer(checkpoint, username="kadian-kill", password="卡点!2020kill")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(app, database_url)
    server = {"process": start_gunicorn("server", port, env, tmp_path)}
    wait_until_up(url, server["process"], tmp_path / "server.log")

    phone = Phone()
    phone.call(
        url,
        "POST",
        "/api/v1/auth/password-login",
        {"username": "kadian-kill", "password": "卡点!2020kill"},
        csrf=phone.csrf(url),
    )
    csrf = phone.cookies["fg_csrf"]
    outbox = [[scan_item(checkpoint.id) for _ in range(ITEMS)] for _ in range(BATCHES)]
    answers: list[dict] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def empty_the_outbox() -> None:
        pending = list(outbox)
        while pending:
            batch = pending[0]
            try:
                status, body, _ = phone.call(
                    url, "POST", "/api/v1/checkpoints/sync", {"items": batch}, csrf=csrf
                )
            except (OSError, http.client.HTTPException) as exc:
                failures.append(exc)
                time.sleep(0.05)  # the phone's back-off before the retry (not an assertion)
                continue
            assert status == 200, body
            answers.append(body)
            pending.pop(0)
        done.set()

    client = threading.Thread(target=empty_the_outbox)
    client.start()
    rng = random.Random(14)
    try:
        for landed in KILL_AFTER:
            # The phone sends the next batch as soon as one is answered: pull the plug just
            # after an answer, while the next batch is being stored.
            while len(answers) < landed and not done.is_set():
                time.sleep(0.002)  # polling the client's progress (not an assertion)
            time.sleep(rng.uniform(0.005, 0.03))
            kill_hard(server["process"])
            server["process"] = start_gunicorn("server", port, env, tmp_path)
            wait_until_up(url, server["process"], tmp_path / "server.log")
        assert done.wait(timeout=120), "the outbox never emptied"
    finally:
        client.join(timeout=5)
        stop(server["process"])

    assert any(_cut_off(exc) for exc in failures), failures  # a kill did land mid-request
    db.session.remove()
    stored = db.session.scalar(select(func.count(CheckpointScan.id)))
    assert stored == BATCHES * ITEMS  # nothing lost, nothing doubled
    uuids = db.session.scalars(select(CheckpointScan.client_uuid)).all()
    assert len(set(map(str, uuids))) == BATCHES * ITEMS
    # Every batch got an answer in the end; a retried one answers duplicate for what had landed.
    assert len(answers) == BATCHES
    assert sum(a["created"] for a in answers) + sum(a["duplicates"] for a in answers) == (
        BATCHES * ITEMS
    )

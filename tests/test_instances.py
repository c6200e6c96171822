"""Two app instances (separate gunicorn processes on two ports) on one database and one Redis.

What a proxy in front may do (send each request of one phone to either instance) must not show:
a login, a CSRF token, a rate limit, the trust list and an outbox batch behave the same through
both, and a batch sent to both at once is recorded once. Runs on the suite's database (SQLite in
the first pass, PostgreSQL in the second) and the machine's Redis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.checkpoints.models import CheckpointScan
from app.credentials import generate_signer
from app.extensions import db
from tests.cards.test_trust import other_region_card
from tests.checkpoints.factories import make_checkpoint, make_volunteer, scan_item
from tests.factories import make_user
from tests.servers import (
    REDIS_HOST,
    REDIS_PORT,
    Phone,
    free_port,
    redis_db,
    server_env,
    start_gunicorn,
    stop,
    wait_until_up,
)

VERIFY_LIMIT = 6


@pytest.fixture
def instances(app, database_url, instance_path, tmp_path) -> Iterator[tuple[str, str]]:
    """Two instances as two hosts would run them: own instance folders, shared secrets, keys,
    database and Redis."""
    env = server_env(
        app,
        database_url,
        REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db()}",
        VERIFY_RATE=f"{VERIFY_LIMIT} per minute",
        # Look for another instance's change on every request (production: every second).
        GENERATION_CHECK_SECONDS="0",
    )
    ports = [free_port(), free_port()]
    processes = [
        start_gunicorn(name, port, env, tmp_path) for name, port in zip("ab", ports, strict=True)
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process, name in zip(urls, processes, "ab", strict=True):
            wait_until_up(url, process, tmp_path / f"{name}.log")
        yield urls[0], urls[1]
    finally:
        for process in processes:
            stop(process)


def _sms_code(instance_folder: Path, phone: str) -> str:
    lines = (instance_folder / "sms-outbox.log").read_text(encoding="utf-8").splitlines()
    text = [json.loads(line)["text"] for line in lines if json.loads(line)["to"] == phone][-1]
    return re.search(r"\d{6}", text).group()


def test_a_login_made_on_one_instance_holds_on_the_other(instances, tmp_path) -> None:
    a, b = instances
    phone = Phone()
    number = "13907361234"
    status, _, _ = phone.call(a, "POST", "/api/v1/auth/otp", {"phone": number}, csrf=phone.csrf(a))
    assert status == 202
    code = _sms_code(tmp_path / "a", number)
    # The code sent by A is checked by B: it lives in the shared database, not in A's memory.
    status, body, _ = phone.call(
        b, "POST", "/api/v1/auth/login", {"phone": number, "code": code}, csrf=phone.csrf(b)
    )
    assert status == 200, body
    me_a = phone.call(a, "GET", "/api/v1/me")
    me_b = phone.call(b, "GET", "/api/v1/me")
    assert me_a[0] == me_b[0] == 200
    assert me_a[1]["id"] == me_b[1]["id"] == body["user"]["id"]

    # Logging out through B ends the session for A too (the cookie is the session).
    csrf = phone.cookies["fg_csrf"]
    assert phone.call(b, "POST", "/api/v1/auth/logout", {}, csrf=csrf)[0] == 204
    assert phone.call(a, "GET", "/api/v1/me")[0] == 401


def test_a_csrf_token_from_one_instance_is_honoured_and_checked_by_the_other(
    instances,
) -> None:
    a, b = instances
    make_user(roles=("official",), username="wuling-01", password="长德2020返岗!")
    phone = Phone()
    token = phone.csrf(a)
    status, body, _ = phone.call(
        b,
        "POST",
        "/api/v1/auth/password-login",
        {"username": "wuling-01", "password": "长德2020返岗!"},
        csrf=token,
    )
    assert status == 200, body
    token = phone.cookies["fg_csrf"]  # rotated at login
    for base in (a, b):
        status, body, _ = phone.call(base, "PATCH", "/api/v1/me", {"locale": "en"}, csrf=token)
        assert status == 200 and body["locale"] == "en", body
        status, body, headers = phone.call(
            base, "PATCH", "/api/v1/me", {"locale": "zh-CN"}, csrf="forged" + token[6:]
        )
        assert status == 403 and body["code"] == "csrf_failed"
        assert headers["Content-Type"].startswith("application/problem+json")


def test_a_rate_limit_counts_requests_through_both_instances(instances) -> None:
    a, b = instances
    phone = Phone()
    answers = [
        phone.call(a if i % 2 else b, "POST", "/api/v1/verify", {"qr": "FG1:not-a-card"})
        for i in range(VERIFY_LIMIT + 2)
    ]
    statuses = [status for status, _, _ in answers]
    assert statuses[:VERIFY_LIMIT] == [200] * VERIFY_LIMIT, statuses
    # Spread over two instances, the caller still gets only VERIFY_LIMIT a minute.
    assert statuses[VERIFY_LIMIT:] == [429, 429]
    _, problem, headers = answers[-1]
    assert problem["code"] == "rate_limited" and int(headers["Retry-After"]) >= 1


def test_a_trust_list_change_on_one_instance_applies_on_the_other_at_once(instances) -> None:
    a, b = instances
    make_user(roles=("admin",), region_code="430700", username="trust-admin", password="长德!2020a")
    guangdong = generate_signer("广东省健康码")
    qr = other_region_card(guangdong)
    volunteer = Phone()
    # B has built and cached its trust store before the change.
    assert volunteer.call(b, "POST", "/api/v1/verify", {"qr": qr})[1]["reason"] == "unknown_kid"

    admin = Phone()
    admin.call(
        a,
        "POST",
        "/api/v1/auth/password-login",
        {"username": "trust-admin", "password": "长德!2020a"},
        csrf=admin.csrf(a),
    )
    csrf = admin.cookies["fg_csrf"]
    pem = guangdong.certificate_pem.decode()
    body = {"certificate": pem, "region_code": "440000", "name": "广东省"}
    status, issuer, _ = admin.call(a, "POST", "/api/v1/trust/issuers", body, csrf=csrf)
    assert status == 201, issuer
    verdict = volunteer.call(b, "POST", "/api/v1/verify", {"qr": qr})[1]
    assert verdict["valid"] is True and verdict["issuer_region"] == "440000"

    assert admin.call(a, "DELETE", f"/api/v1/trust/issuers/{issuer['id']}", csrf=csrf)[0] == 204
    assert volunteer.call(b, "POST", "/api/v1/verify", {"qr": qr})[1]["reason"] == "unknown_kid"


def test_an_outbox_batch_sent_to_both_instances_at_once_is_recorded_once(instances) -> None:
    a, b = instances
    checkpoint = make_checkpoint()
    make_volunteer(checkpoint, username="kadian-01", password="卡点!2020abc")
    phone = Phone()
    phone.call(
        a,
        "POST",
        "/api/v1/auth/password-login",
        {"username": "kadian-01", "password": "卡点!2020abc"},
        csrf=phone.csrf(a),
    )
    csrf = phone.cookies["fg_csrf"]
    batch = {"items": [scan_item(checkpoint.id) for _ in range(200)]}

    def send(base: str) -> tuple[int, dict, dict]:
        return phone.call(base, "POST", "/api/v1/checkpoints/sync", batch, csrf=csrf)

    # The phone's retry after a dropped answer lands on the other instance at the same time.
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(send, [a, b]))
    assert [status for status, _, _ in answers] == [200, 200], answers
    for item in range(200):
        results = {answer[1]["items"][item]["result"] for answer in answers}
        assert results <= {"created", "duplicate"} and "created" in results
    assert sum(answer[1]["created"] for answer in answers) == 200
    db.session.remove()
    assert db.session.scalar(select(func.count(CheckpointScan.id))) == 200

    again = send(b)[1]
    assert again["created"] == 0 and again["duplicates"] == 200

"""app/ratelimit: fixed windows per key, in memory or in Redis, answered as 429 problems."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.errors import TooManyRequests
from app.ratelimit import RateLimit, init_app

T0 = datetime(2020, 2, 20, 9, 0, 30, tzinfo=UTC)


def hits(app, limit: RateLimit, count: int) -> list[str]:
    """`count` requests through `limit`: "ok" or the Retry-After seconds of a refusal."""
    out = []
    for _ in range(count):
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.7"}):
            try:
                limit.check()
                out.append("ok")
            except TooManyRequests as refused:
                out.append(refused.extra["retry_after"])
    return out


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "TEST_RATE": "2 per minute"}], indirect=True
)
def test_a_window_refuses_past_its_limit_and_opens_again(app):
    limit = RateLimit("test", "TEST_RATE")
    with time_machine.travel(T0, tick=False) as clock:
        # the window opens with the first request and lasts a minute
        assert hits(app, limit, 3) == ["ok", "ok", 60]
        clock.shift(timedelta(seconds=45))
        assert hits(app, limit, 1) == [15]
        clock.shift(timedelta(seconds=16))
        assert hits(app, limit, 2) == ["ok", "ok"]


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "TEST_RATE": "1 per minute"}], indirect=True
)
def test_scopes_and_keys_count_apart(app):
    first, second = RateLimit("first", "TEST_RATE"), RateLimit("second", "TEST_RATE")
    per_caller = RateLimit("caller", "TEST_RATE", key=lambda: str(uuid.uuid4()))
    with time_machine.travel(T0, tick=False):
        assert hits(app, first, 2) == ["ok", 60]
        assert hits(app, second, 1) == ["ok"]
        assert hits(app, per_caller, 3) == ["ok", "ok", "ok"]


def test_switched_off_it_never_refuses(app):
    assert app.config["RATELIMIT_ENABLED"] is False  # the suite's default
    assert hits(app, RateLimit("test", "VERIFY_RATE"), 500) == ["ok"] * 500


@pytest.mark.parametrize(
    "app",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "TEST_RATE": "2 per hour",
        }
    ],
    indirect=True,
)
def test_counts_live_in_redis_when_configured(app):
    """Several server processes share one count: a second app on the same Redis sees it."""
    scope = f"test-{uuid.uuid4().hex}"  # runs of the suite must not share counters
    limit = RateLimit(scope, "TEST_RATE")
    assert hits(app, limit, 2) == ["ok", "ok"]
    init_app(app)  # a fresh connection, as another worker process would have
    refused = hits(app, limit, 1)[0]
    assert isinstance(refused, int) and 0 < refused <= 3600


def _otp_from(client, address: str, phone: str) -> int:
    return client.post(
        "/api/v1/auth/otp", json={"phone": phone}, headers={"X-Forwarded-For": address}
    ).status_code


@pytest.mark.parametrize(
    "app",
    [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_PER_IP": "2 per minute", "PROXY_HOPS": 1}],
    indirect=True,
)
def test_behind_one_proxy_each_caller_has_its_own_count(client):
    statuses = [_otp_from(client, "10.1.0.1", f"1391234560{i}") for i in range(3)]
    assert statuses == [202, 202, 429]
    assert _otp_from(client, "10.1.0.2", "13912345609") == 202  # another phone, its own count


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_PER_IP": "2 per minute"}], indirect=True
)
def test_without_a_trusted_proxy_the_header_cannot_pick_a_new_address(client):
    statuses = [_otp_from(client, f"10.2.0.{i}", f"1391234561{i}") for i in range(3)]
    assert statuses == [202, 202, 429]


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.mark.parametrize(
    "app",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}/0",
            "VERIFY_RATE": "3 per minute",
        }
    ],
    indirect=True,
)
def test_with_redis_down_the_app_serves_and_limits_per_process(app, caplog):
    """The documented fallback: counting in this process's memory, never failing open or shut."""
    client = app.test_client()
    answers = [client.post("/api/v1/verify", json={"qr": "x"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert any("rate-limit storage unreachable" in r.getMessage() for r in caplog.records)


def test_memory_counters_forget_windows_that_are_over(monkeypatch):
    """Counters in memory stay bounded: past PRUNE_AT keys, those whose window ended go."""
    from limits import parse

    from app.ratelimit import LocalWindows

    counters = LocalWindows()
    monkeypatch.setattr(LocalWindows, "PRUNE_AT", 3)
    minute, hour = parse("1 per minute"), parse("1 per hour")
    with time_machine.travel(T0, tick=False) as clock:
        assert counters.hit(hour, "sms", "13800000001")
        assert counters.hit(minute, "verify", "10.0.0.1")
        assert counters.hit(minute, "verify", "10.0.0.2")
        assert not counters.hit(minute, "verify", "10.0.0.2")  # its window still counts
        clock.shift(timedelta(minutes=2))
        assert counters.hit(minute, "verify", "10.0.0.3")  # the fourth key: prune
        assert len(counters.counts) == 2  # the hour's window and the new one
        assert not counters.hit(hour, "sms", "13800000001")  # forgotten it was not

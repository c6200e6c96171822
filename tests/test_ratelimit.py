"""app/ratelimit: fixed windows per key, in memory or in Redis, answered as 429 problems."""

import time
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


REDIS_URI = "redis://127.0.0.1:6379/0"


def _batched(interval: float = 3600.0):
    from app.ratelimit import BatchedWindows

    return BatchedWindows(REDIS_URI, interval)


def test_a_batched_limit_sends_its_counts_to_redis_in_one_go():
    """The public verifier's limit: counted in the process, added to Redis every interval."""
    from limits import parse

    scope = f"test-{uuid.uuid4().hex}"
    item = parse("1000 per minute")
    here, elsewhere = _batched(), _batched()
    here.sent_at = elsewhere.sent_at = time.monotonic()  # the interval has just begun
    assert all(here.hit(item, scope, "10.0.0.7") for _ in range(40))
    redis_key = here.PREFIX + item.key_for(scope, "10.0.0.7")
    assert here.client.get(redis_key) is None  # nothing sent yet: no round trip per request
    here.send()
    assert int(here.client.get(redis_key)) == 40
    assert 0 < here.client.ttl(redis_key) <= 60  # the window closes by itself
    # Another process learns the city-wide count at its own next send.
    assert elsewhere.hit(item, scope, "10.0.0.7")
    elsewhere.send()
    stats = elsewhere.get_window_stats(item, scope, "10.0.0.7")
    assert stats.remaining == 1000 - 41


def test_a_process_that_knows_nothing_admits_at_most_a_tenth_beyond_the_limit():
    from limits import parse

    scope = f"test-{uuid.uuid4().hex}"
    item = parse("100 per minute")
    busy, late = _batched(), _batched()
    busy.sent_at = late.sent_at = time.monotonic()
    assert [busy.hit(item, scope, "10.0.0.8") for _ in range(101)] == [True] * 100 + [False]
    busy.send()
    # `late` has not heard of those 101: it admits until a tenth of the limit is gathered,
    # sends at once, learns the count and refuses from then on.
    answers = [late.hit(item, scope, "10.0.0.8") for _ in range(15)]
    assert answers == [True] * 9 + [False] * 6


@pytest.mark.parametrize(
    "app",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URI, "TEST_RATE": "3 per hour"}],
    indirect=True,
)
def test_a_small_batched_limit_is_exact_across_processes(app):
    """Below ten a minute every hit is sent at once: two processes never admit a fourth."""
    scope = f"test-{uuid.uuid4().hex}"
    limit = RateLimit(scope, "TEST_RATE", batched=True)
    assert hits(app, limit, 2) == ["ok", "ok"]
    init_app(app)  # another worker process, with empty memory
    assert hits(app, limit, 1) == ["ok"]
    init_app(app)
    refused = hits(app, limit, 1)[0]
    assert isinstance(refused, int) and 0 < refused <= 3600


def test_a_batched_limit_with_redis_down_counts_in_the_process_and_loses_nothing(caplog):
    from limits import parse

    from app.ratelimit import BatchedWindows

    scope = f"test-{uuid.uuid4().hex}"
    item = parse("5 per minute")
    counter = BatchedWindows(f"redis://127.0.0.1:{_closed_port()}/0", 0.0)
    assert [counter.hit(item, scope, "10.0.0.9") for _ in range(6)] == [True] * 5 + [False]
    assert any("rate-limit storage unreachable" in r.getMessage() for r in caplog.records)
    # Redis answers again: the six hits counted meanwhile are all sent with the next batch.
    counter.client = _batched().client
    counter.down_until = 0.0
    counter.send()
    assert int(counter.client.get(counter.PREFIX + item.key_for(scope, "10.0.0.9"))) == 6

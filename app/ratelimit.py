"""Rate limits: one counter hit per limit and request, in memory or in Redis.

Built on the `limits` library (fixed windows, the storage named by RATELIMIT_STORAGE_URI) with
no per-request resolution of limits: the public verifier is the busiest endpoint, and a
decorator that re-evaluated its limits on every request cost more than half of its own work.

A limit declared `batched` (the public verifier's) does not ask Redis on every request: each
process counts in memory and sends its counts to Redis in one pipeline every
RATELIMIT_BATCH_SECONDS, or at once when one key has gathered a tenth of its limit. A Redis
round trip cost a verification as much as its signature check. The price is a bounded
overshoot: between two sends a process admits at most a tenth of the limit beyond what it
knows of the others. Login, SMS and every other limit stay exact.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from functools import lru_cache

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from limits.util import WindowStats

from app.errors import TooManyRequests

EXTENSION = "ratelimit"


def client_address() -> str:
    """The caller's address as the WSGI server saw it (a proxy in front sets it with ProxyFix)."""
    return request.remote_addr or "unknown"


# With Redis down, each process counts in its own memory until Redis answers again (retried
# every RETRY_SECONDS): the limits still bite, per process instead of across the city, and
# the service keeps answering. Refusing everyone would close every checkpoint's verifier;
# counting nothing would open the login and SMS limits to brute force. docs/deploy.md.
RETRY_SECONDS = 30
log = logging.getLogger("app.ratelimit")


class LocalWindows:
    """Fixed-window counters in this process's memory, with the interface of limits'
    FixedWindowRateLimiter (hit, get_window_stats). Not limits' memory storage: under load it
    starts a timer thread every 10 ms to expire keys, a fifth of a verify's cost."""

    PRUNE_AT = 100_000  # keys; those whose window is over are dropped past this

    def __init__(self) -> None:
        self.counts: dict[str, tuple[float, int]] = {}  # key -> (its window's end, hits)
        self.lock = threading.Lock()

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        # As limits' storages count: a window opens with a key's first hit, for the expiry.
        now = time.time()
        key = item.key_for(*identifiers)
        with self.lock:
            ends, hits = self.counts.get(key, (0.0, 0))
            if now >= ends:
                ends, hits = now + item.get_expiry(), 0
            self.counts[key] = (ends, hits + 1)
            if len(self.counts) > self.PRUNE_AT:
                self.counts = {k: v for k, v in self.counts.items() if v[0] > now}
        return hits + 1 <= item.amount

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        now = time.time()
        ends, hits = self.counts.get(item.key_for(*identifiers), (0.0, 0))
        if now >= ends:
            return WindowStats(now, item.amount)
        return WindowStats(ends, max(0, item.amount - hits))


class BatchedWindows:
    """Fixed windows shared through Redis, counted here and sent in batches (module docstring).

    Each key's window is the Redis key's lifetime, which opens with the first hit any process
    sends. While Redis is unreachable the counts stay in this process: a limit per process,
    as the exact limits fall back to (Limiter).
    """

    PREFIX = "fangang:ratelimit:"
    PRUNE_AT = LocalWindows.PRUNE_AT

    def __init__(self, uri: str, interval: float) -> None:
        import redis

        self.client = redis.Redis.from_url(uri, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.interval = interval
        # key -> [its window's end, hits Redis has counted (ours included), hits not sent yet]
        self.windows: dict[str, list] = {}
        self.expiry: dict[str, int] = {}  # key -> its window in seconds, for the send
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.sent_at = 0.0
        self.down_until = 0.0

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        now = time.time()
        key = item.key_for(*identifiers)
        with self.lock:
            window = self.windows.get(key)
            if window is None or now >= window[0]:
                window = self.windows[key] = [now + item.get_expiry(), 0, 0]
                self.expiry[key] = item.get_expiry()
            window[2] += 1
            due = window[2] >= max(1, item.amount // 10) or (
                time.monotonic() - self.sent_at >= self.interval
            )
        if due and time.monotonic() >= self.down_until:
            self.send()
        with self.lock:
            return window[1] + window[2] <= item.amount

    def send(self) -> None:
        """Add every unsent count to Redis in one round trip and learn the city-wide counts."""
        with self.send_lock:
            with self.lock:
                self.sent_at = time.monotonic()
                batch = [(key, w, w[2]) for key, w in self.windows.items() if w[2]]
                for _, window, count in batch:  # counted as known until Redis answers
                    window[1], window[2] = window[1] + count, 0
                self._prune()
            if not batch:
                return
            pipe = self.client.pipeline()  # MULTI/EXEC: no window left without its expiry
            for key, _, count in batch:
                pipe.incrby(self.PREFIX + key, count)
                pipe.expire(self.PREFIX + key, self.expiry[key], nx=True)
                pipe.pttl(self.PREFIX + key)
            try:
                answers = pipe.execute()
            except Exception as exc:  # noqa: BLE001 - redis-py raises several types
                with self.lock:  # not lost: sent again with the next batch
                    for _, window, count in batch:
                        window[1], window[2] = window[1] - count, window[2] + count
                self.down_until = time.monotonic() + RETRY_SECONDS
                log.warning(
                    "rate-limit storage unreachable; counting in this process",
                    extra={"error_type": type(exc).__name__},
                )
                return
            now = time.time()
            with self.lock:
                for index, (_, window, _count) in enumerate(batch):
                    total, ttl = answers[3 * index], answers[3 * index + 2]
                    window[1] = int(total)
                    if ttl and ttl > 0:
                        window[0] = now + ttl / 1000

    def _prune(self) -> None:
        if len(self.windows) > self.PRUNE_AT:
            now = time.time()
            self.windows = {k: w for k, w in self.windows.items() if w[0] > now or w[2]}
            self.expiry = {k: self.expiry[k] for k in self.windows}

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        now = time.time()
        with self.lock:
            window = self.windows.get(item.key_for(*identifiers))
            if window is None or now >= window[0]:
                return WindowStats(now, item.amount)
            return WindowStats(window[0], max(0, item.amount - window[1] - window[2]))


class Limiter:
    """The configured storage, with a per-process memory fallback while it is unreachable."""

    def __init__(self, uri: str, batch_seconds: float = 0.1) -> None:
        self.remote = not uri.startswith("memory://")
        self.local = LocalWindows()
        shared = FixedWindowRateLimiter(storage_from_string(uri)) if self.remote else None
        self.shared = shared or self.local
        self.batched = BatchedWindows(uri, batch_seconds) if self.remote else self.local
        self.down_until = 0.0

    def _call(self, method: str, *args: object) -> object:
        if self.remote and time.monotonic() >= self.down_until:
            try:
                return getattr(self.shared, method)(*args)
            except Exception as exc:  # noqa: BLE001 - redis-py and limits raise several types
                self.down_until = time.monotonic() + RETRY_SECONDS
                log.warning(
                    "rate-limit storage unreachable; counting in this process",
                    extra={"error_type": type(exc).__name__},
                )
        return getattr(self.local if self.remote else self.shared, method)(*args)

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        return bool(self._call("hit", item, *identifiers))

    def get_window_stats(self, item: RateLimitItem, *identifiers: str):  # noqa: ANN201
        return self._call("get_window_stats", item, *identifiers)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_BATCH_SECONDS", 0.1)
    app.extensions[EXTENSION] = Limiter(
        app.config["RATELIMIT_STORAGE_URI"], float(app.config["RATELIMIT_BATCH_SECONDS"])
    )


@lru_cache(maxsize=64)
def _item(text: str) -> RateLimitItem:
    return parse(text)


class RateLimit:
    """A limit read from the config key `setting` ("5 per minute"), counted per `key()`.

    `scope` keeps the counters of different limits apart when they share a key. `batched`
    counts through BatchedWindows: for a busy public limit, never for one against brute force.
    """

    def __init__(
        self,
        scope: str,
        setting: str,
        key: Callable[[], str] = client_address,
        *,
        batched: bool = False,
    ) -> None:
        self.scope = scope
        self.setting = setting
        self.key = key
        self.batched = batched

    def check(self) -> None:
        """Count this request; raise TooManyRequests (with retry_after) past the limit."""
        app = current_app
        if not app.config["RATELIMIT_ENABLED"]:
            return
        limiter: Limiter = app.extensions[EXTENSION]
        strategy = limiter.batched if self.batched else limiter
        item = _item(app.config[self.setting])
        key = self.key()
        if strategy.hit(item, self.scope, key):
            return
        reset_at = strategy.get_window_stats(item, self.scope, key).reset_time
        raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))

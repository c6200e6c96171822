"""Rate limits: one counter hit per limit and request, in memory or in Redis.

Built on the `limits` library (fixed windows, the storage named by RATELIMIT_STORAGE_URI) with
no per-request resolution of limits: the public verifier is the busiest endpoint, and a
decorator that re-evaluated its limits on every request cost more than half of its own work.
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


class Limiter:
    """The configured storage, with a per-process memory fallback while it is unreachable."""

    def __init__(self, uri: str) -> None:
        self.remote = not uri.startswith("memory://")
        self.local = LocalWindows()
        shared = FixedWindowRateLimiter(storage_from_string(uri)) if self.remote else None
        self.shared = shared or self.local
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
    app.extensions[EXTENSION] = Limiter(app.config["RATELIMIT_STORAGE_URI"])


@lru_cache(maxsize=64)
def _item(text: str) -> RateLimitItem:
    return parse(text)


class RateLimit:
    """A limit read from the config key `setting` ("5 per minute"), counted per `key()`.

    `scope` keeps the counters of different limits apart when they share a key.
    """

    def __init__(self, scope: str, setting: str, key: Callable[[], str] = client_address) -> None:
        self.scope = scope
        self.setting = setting
        self.key = key

    def check(self) -> None:
        """Count this request; raise TooManyRequests (with retry_after) past the limit."""
        app = current_app
        if not app.config["RATELIMIT_ENABLED"]:
            return
        strategy: Limiter = app.extensions[EXTENSION]
        item = _item(app.config[self.setting])
        key = self.key()
        if strategy.hit(item, self.scope, key):
            return
        reset_at = strategy.get_window_stats(item, self.scope, key).reset_time
        raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))

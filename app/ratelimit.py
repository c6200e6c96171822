"""Rate limits: one counter hit per limit and request, in memory or in Redis.

Built on the `limits` library (fixed windows, the storage named by RATELIMIT_STORAGE_URI) with
no per-request resolution of limits: the public verifier is the busiest endpoint, and a
decorator that re-evaluated its limits on every request cost more than half of its own work.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import lru_cache

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.errors import TooManyRequests

EXTENSION = "ratelimit"


def client_address() -> str:
    """The caller's address as the WSGI server saw it (a proxy in front sets it with ProxyFix)."""
    return request.remote_addr or "unknown"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION] = FixedWindowRateLimiter(storage)


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
        strategy: FixedWindowRateLimiter = app.extensions[EXTENSION]
        item = _item(app.config[self.setting])
        key = self.key()
        if strategy.hit(item, self.scope, key):
            return
        reset_at = strategy.get_window_stats(item, self.scope, key).reset_time
        raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))

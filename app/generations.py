"""Generation numbers in Redis, so a cache one app instance drops is dropped by all of them.

A process caches what every request needs (the trust store: our keys, imported issuers and
revoked cards). When one instance changes it, the others must not keep verifying with the old
one for the whole cache lifetime. The instance that changed it bumps a counter in Redis once
its transaction has committed (before that, another instance would rebuild from the old rows
and keep them); every process reads the counter at most every GENERATION_CHECK_SECONDS and
rebuilds when it moved. Without REDIS_URL (one instance) or with Redis down, `current` answers
None and callers fall back to their own time-to-live.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

EXTENSION = "generations"
PREFIX = "fangang:generation:"
RETRY_SECONDS = 30
log = logging.getLogger("app.generations")


class Generations:
    def __init__(self, redis_url: str | None, check_seconds: float) -> None:
        self.client = None
        if redis_url:
            import redis

            self.client = redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        self.check_seconds = check_seconds
        self.seen: dict[str, tuple[float, int]] = {}
        self.down_until = 0.0

    def current(self, name: str) -> int | None:
        """The shared generation of `name`, read at most every check_seconds; None without Redis."""
        if self.client is None:
            return None
        now = time.monotonic()
        checked = self.seen.get(name)
        if checked is not None and now - checked[0] < self.check_seconds:
            return checked[1]
        if now < self.down_until:
            return None
        try:
            value = int(self.client.get(PREFIX + name) or 0)
        except Exception as exc:  # noqa: BLE001 - redis-py raises several types
            self._down(exc)
            return None
        self.seen[name] = (now, value)
        return value

    def bump(self, name: str) -> None:
        if self.client is None:
            return
        try:
            self.client.incr(PREFIX + name)
        except Exception as exc:  # noqa: BLE001
            self._down(exc)
        self.seen.pop(name, None)  # this process sees its own change at once

    def _down(self, exc: Exception) -> None:
        self.down_until = time.monotonic() + RETRY_SECONDS
        log.warning(
            "shared generations unreachable; caches fall back to their lifetime",
            extra={"error_type": type(exc).__name__},
        )


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Generations(
        app.config.get("REDIS_URL"), float(app.config.get("GENERATION_CHECK_SECONDS", 1.0))
    )


def current(name: str) -> int | None:
    return current_app.extensions[EXTENSION].current(name)


def bump_after_commit(session: Session, name: str) -> None:
    """Bump `name` for every instance once `session` commits (never if it rolls back)."""
    if not session.in_transaction():
        session.begin()  # so that a rollback, too, ends a transaction and forgets the bump
    session.info.setdefault("bump_generations", set()).add(name)


@event.listens_for(Session, "after_commit")
def _bump_committed(session: Session) -> None:
    names = session.info.pop("bump_generations", None)
    if names and has_app_context():
        generations: Generations = current_app.extensions[EXTENSION]
        for name in sorted(names):
            generations.bump(name)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "parent", None) is None:  # not a savepoint's rollback
        session.info.pop("bump_generations", None)

"""Sending text messages through a pluggable backend.

`console` (the default) writes each message to the log (phone masked) and appends it, with the
full number, to `sms-outbox.log` in the instance folder, so a developer or a test can read a code.
A real provider is another class with the same `send` method, chosen by SMS_BACKEND.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Protocol

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.identity import mask_phone
from app.timeutil import utcnow

log = logging.getLogger("app.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleSmsBackend:
    """Development backend: the log and a file instead of a carrier."""

    def __init__(self, outbox_path: Path) -> None:
        self.outbox_path = outbox_path
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def send(self, phone: str, message: str) -> None:
        with self._lock:
            self.sent.append((phone, message))
            with open(self.outbox_path, "a", encoding="utf-8") as f:
                f.write(
                    json.dumps(
                        {"at": utcnow().isoformat(), "to": phone, "text": message},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        log.info("sms sent", extra={"to": mask_phone(phone), "text": message})

    def last_to(self, phone: str) -> str | None:
        """The newest message sent to `phone` (for tests and the demo)."""
        for to, message in reversed(self.sent):
            if to == phone:
                return message
        return None


BACKENDS = {"console": ConsoleSmsBackend}


def init_app(app: Flask) -> None:
    name = app.config["SMS_BACKEND"]
    if name not in BACKENDS:
        raise RuntimeError(f"unknown SMS_BACKEND {name!r}; known: {', '.join(BACKENDS)}")
    app.extensions["sms"] = BACKENDS[name](Path(app.instance_path) / "sms-outbox.log")


def send_sms(phone: str, message: str) -> None:
    from flask import current_app

    current_app.extensions["sms"].send(phone, message)


# -- sent only once the change is committed --------------------------------------------------
# Services queue messages on the database session; they go out after the commit and a
# rollback drops them, so a refused change never texts anyone.

OUTBOX_KEY = "sms_outbox"


def queue_sms(phone: str | None, message: str) -> None:
    """Send `message` to `phone` after the current transaction commits (no phone: nothing)."""
    from app.extensions import db

    if phone:
        db.session().info.setdefault(OUTBOX_KEY, []).append((phone, message))


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    outbox = session.info.pop(OUTBOX_KEY, None)
    for phone, message in outbox or ():
        try:
            send_sms(phone, message)
        except Exception:  # a carrier failure must not undo a committed change
            log.exception("queued sms failed")


@event.listens_for(Session, "after_rollback")
def _drop_queued(session: Session) -> None:
    session.info.pop(OUTBOX_KEY, None)

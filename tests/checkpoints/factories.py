"""Checkpoint test data in one line: make_checkpoint(), assign(), scan_item(), ..."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from app.checkpoints.models import Checkpoint, CheckpointVolunteer
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import make_user, village_in


def make_checkpoint(
    *,
    name: str = "新民村东口卡点",
    village_code: str | None = None,
    opens_at: time | None = None,
    closes_at: time | None = None,
    active: bool = True,
) -> Checkpoint:
    """A checkpoint in a demo village of Wuling district (committed)."""
    checkpoint = Checkpoint(
        name=name,
        village_code=village_code or village_in("430702"),
        opens_at=opens_at,
        closes_at=closes_at,
        active=active,
        place_code_version=1,
        created_dt=utcnow(),
    )
    db.session.add(checkpoint)
    db.session.commit()
    return checkpoint


def assign(user: Any, checkpoint: Checkpoint) -> None:
    db.session.add(
        CheckpointVolunteer(checkpoint_id=checkpoint.id, user_id=user.id, assigned_dt=utcnow())
    )
    db.session.commit()


def make_volunteer(checkpoint: Checkpoint | None = None, **kwargs: Any) -> Any:
    """A volunteer, assigned to `checkpoint` if given."""
    user = make_user(roles=("volunteer",), **kwargs)
    if checkpoint is not None:
        assign(user, checkpoint)
    return user


def iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat()


def verdict(**overrides: Any) -> dict[str, Any]:
    """A valid green FG1 card, as the scanner reports it."""
    body = {
        "valid": True,
        "reason": "ok",
        "kind": "FG1",
        "status": "green",
        "card_type": "card",
        "card_id": "3f9a0c7be215",
        "issuer_region": "430700",
    }
    body.update(overrides)
    return body


def scan_item(checkpoint_id: int, *, at: datetime | None = None, **overrides: Any) -> dict:
    item = {
        "type": "scan",
        "uuid": str(uuid.uuid4()),
        "checkpoint_id": checkpoint_id,
        "scanned_at": iso(at),
        "method": "camera",
        "verdict": verdict(),
    }
    item.update(overrides)
    return item


def decision_item(scan_uuid: str, decision: str = "admit", **overrides: Any) -> dict:
    item = {
        "type": "decision",
        "uuid": str(uuid.uuid4()),
        "scan_uuid": scan_uuid,
        "decision": decision,
        "decided_at": iso(),
    }
    item.update(overrides)
    return item


def checkin_item(token: str, **overrides: Any) -> dict:
    item = {
        "type": "checkin",
        "uuid": str(uuid.uuid4()),
        "token": token,
        "checked_in_at": iso(),
    }
    item.update(overrides)
    return item

"""Demo checkpoints at the demo villages, the demo volunteer's assignment, a week of scans."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import insert, select

from app.accounts.models import User, UserRole
from app.checkpoints.ingest import passes
from app.checkpoints.models import Checkpoint, CheckpointScan, CheckpointVolunteer
from app.extensions import db
from app.regions.models import Region
from app.timeutil import app_tz, utcnow

DEMO_VOLUNTEER_PHONE = "13800000010"
GATES = ("东口", "西口", "南口", "北口", "村委会", "大桥头")
# (weight, valid, reason, status): what a week at village gates looks like, roughly.
OUTCOMES = (
    (84, True, "ok", "green"),
    (5, True, "ok", "yellow"),
    (2, True, "ok", "red"),
    (4, False, "expired", None),
    (2, False, "bad_signature", None),
    (2, False, "unknown_kid", None),
    (1, False, "bad_base45", None),
)
STOP_REASONS = {
    "yellow": "not_green",
    "red": "not_green",
    "expired": "card_expired",
    "bad_signature": "card_invalid",
    "unknown_kid": "card_invalid",
    "bad_base45": "card_invalid",
}


def load_demo(
    rng: random.Random, *, checkpoints_per_village: int = 1, scans: int = 2000, days: int = 7
) -> dict[str, int]:
    """Checkpoints at every demo village, the demo volunteer on those of their district, and
    `scans` scans with decisions over the last `days` days (bulk inserts)."""
    now = utcnow()
    villages = db.session.scalars(
        select(Region)
        .where(Region.level == "village", Region.is_demo.is_(True))
        .order_by(Region.code)
    ).all()
    existing = set(db.session.scalars(select(Checkpoint.village_code)))
    added = []
    for village in villages:
        if village.code in existing:
            continue
        for gate in rng.sample(GATES, min(checkpoints_per_village, len(GATES))):
            added.append(
                Checkpoint(
                    name=f"{village.name_zh}{gate}卡点",
                    village_code=village.code,
                    opens_at=time(6, 0) if rng.random() < 0.5 else None,
                    closes_at=time(22, 0) if rng.random() < 0.5 else None,
                    active=True,
                    place_code_version=1,
                    created_dt=now,
                )
            )
    for checkpoint in added:  # hours come in pairs
        if (checkpoint.opens_at is None) != (checkpoint.closes_at is None):
            checkpoint.opens_at = checkpoint.closes_at = None
    db.session.add_all(added)
    db.session.flush()

    volunteers = list(
        db.session.scalars(
            select(User).join(UserRole).where(UserRole.role == "volunteer").order_by(User.id)
        )
    )
    demo = next((v for v in volunteers if v.phone == DEMO_VOLUNTEER_PHONE), None)
    assigned = 0
    if demo is not None and demo.region_code:
        home = db.session.get(Region, demo.region_code)
        mine = [c for c in added if home and c.village.path.startswith(home.path)]
        for checkpoint in mine[:2]:
            db.session.add(
                CheckpointVolunteer(checkpoint_id=checkpoint.id, user_id=demo.id, assigned_dt=now)
            )
            assigned += 1
    db.session.flush()

    made = 0
    if volunteers and added and scans:
        made = _add_scans(rng, added, volunteers, scans, days, now)
    return {"checkpoints": len(added), "assignments": assigned, "scans": made}


def _add_scans(
    rng: random.Random,
    checkpoints: list[Checkpoint],
    volunteers: list[User],
    count: int,
    days: int,
    now: datetime,
) -> int:
    weights = [o[0] for o in OUTCOMES]
    rows = []
    for _ in range(count):
        checkpoint = rng.choice(checkpoints)
        volunteer = rng.choice(volunteers)
        scanned = now - timedelta(seconds=rng.randrange(days * 86400))
        _, valid, reason, status = rng.choices(OUTCOMES, weights)[0]
        stop = status in ("yellow", "red") or not valid
        decision = "refuse" if stop else "admit"
        if not stop and rng.random() < 0.01:
            decision = "refuse"  # the rare refusal of a green card that supervisors must see
        refusal = None
        if decision == "refuse":
            refusal = STOP_REASONS.get(status or reason, "identity_mismatch")
        if rng.random() < 0.05:
            decision, refusal = None, None  # the volunteer went back to scanning
        rows.append(
            {
                "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                "checkpoint_id": checkpoint.id,
                "volunteer_id": volunteer.id,
                "scanned_dt": scanned,
                "received_dt": scanned + timedelta(seconds=rng.randrange(5, 3600)),
                "scan_day": scanned.astimezone(app_tz()).date(),
                "method": "camera" if rng.random() < 0.95 else "manual",
                "valid": valid,
                "reason": reason,
                "kind": "FG1" if reason not in ("bad_base45",) else None,
                "status": status if valid or reason == "expired" else None,
                "card_type": "card" if valid else None,
                "card_id": f"{rng.getrandbits(48):012x}" if valid else None,
                "issuer_region": "430700" if valid else None,
                "trust_stale": False,
                "decision": decision,
                "decision_uuid": uuid.UUID(int=rng.getrandbits(128), version=4)
                if decision
                else None,
                "decided_dt": scanned + timedelta(seconds=4) if decision else None,
                "refusal_reason": refusal,
                "refusal_note": None,
                "flagged": decision == "refuse" and passes(valid, status, "FG1"),
            }
        )
        if len(rows) >= 5000:
            db.session.execute(insert(CheckpointScan), rows)
            rows = []
    if rows:
        db.session.execute(insert(CheckpointScan), rows)
    return count

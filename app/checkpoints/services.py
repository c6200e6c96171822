"""Checkpoints, volunteer assignments, opening hours and place codes (the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from app.accounts.access import oversees, require_oversight, scope_of
from app.accounts.models import User
from app.audit.services import record
from app.checkpoints import placecode
from app.checkpoints.models import Checkpoint, CheckpointVolunteer
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.regions.models import Region
from app.regions.services import region_subtree
from app.timeutil import app_tz, utcnow

register_messages(
    {
        "checkpoint_not_found": ("未找到该卡点。", "No such checkpoint."),
        "checkpoint_closed": ("该卡点已停用。", "This checkpoint is closed."),
        "not_a_village": ("请选择村或社区。", "Choose a village or community."),
        "volunteer_not_found": (
            "没有使用该手机号的用户，请先让志愿者登录一次。",
            "No user with this phone number; ask the volunteer to log in once first.",
        ),
        "coordinates_pair": ("经度和纬度需同时填写。", "Give both latitude and longitude."),
        "hours_pair": ("开放和关闭时间需同时填写。", "Give both opening and closing time."),
        "hours_empty": ("开放和关闭时间不能相同。", "Opening and closing time are the same."),
        "refusal_reason_required": ("拒绝通行须选择原因。", "A refusal needs a reason."),
        "refusal_note_required": ("请填写具体原因。", "Say why in the note."),
        "reason_only_for_refusal": ("放行无需填写原因。", "Only refusals have a reason."),
        "not_assigned": ("您不是该卡点的志愿者。", "You are not a volunteer at this checkpoint."),
        "scan_unknown": ("找不到对应的扫码记录。", "The scan this decision refers to is unknown."),
        "already_decided": ("该扫码记录已有处理结果。", "This scan already has a decision."),
        "sync_conflict": (
            "上传与另一次上传冲突，请稍后重试。",
            "This upload clashed with another one; try again shortly.",
        ),
        "date_range_invalid": (
            "日期范围无效（最长 31 天）。",
            "The date range is not valid (31 days at most).",
        ),
    }
)

# Scanner defaults: the trust list and revocations are refreshed whenever the phone is online.
DEFAULT_TRUST_WARN_HOURS = 12.0
DEFAULT_TRUST_REFUSE_HOURS = 48.0
DEFAULT_AUTO_RETURN_SECONDS = 6


@dataclass
class Place:
    """Where and when a checkpoint operates (validated by the API schema)."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    opens_at: time | None = None
    closes_at: time | None = None


def scanner_settings() -> dict[str, Any]:
    config = current_app.config
    return {
        "trust_warn_hours": float(config.get("TRUST_LIST_WARN_HOURS", DEFAULT_TRUST_WARN_HOURS)),
        "trust_refuse_hours": float(
            config.get("TRUST_LIST_REFUSE_HOURS", DEFAULT_TRUST_REFUSE_HOURS)
        ),
        "auto_return_seconds": int(
            config.get("SCANNER_AUTO_RETURN_SECONDS", DEFAULT_AUTO_RETURN_SECONDS)
        ),
    }


def is_open(checkpoint: Checkpoint, now: datetime | None = None) -> bool:
    """Open now, by its local opening hours (hours past midnight, e.g. 20:00-06:00, work)."""
    if not checkpoint.active:
        return False
    if checkpoint.opens_at is None or checkpoint.closes_at is None:
        return True
    local = (now or utcnow()).astimezone(app_tz()).time()
    opens, closes = checkpoint.opens_at, checkpoint.closes_at
    if opens < closes:
        return opens <= local < closes
    return local >= opens or local < closes


def _village(code: str) -> Region:
    village = db.session.get(Region, code)
    if village is None or village.level != "village":
        raise ValidationFailed(errors=[{"field": "village_code", "code": "not_a_village"}])
    return village


def create_checkpoint(actor: User, *, name: str, village_code: str, place: Place) -> Checkpoint:
    """An official adds a checkpoint in a village of their region."""
    village = _village(village_code)
    require_oversight(actor, village.code)
    checkpoint = Checkpoint(
        name=name.strip(),
        village_code=village.code,
        latitude=place.latitude,
        longitude=place.longitude,
        opens_at=place.opens_at,
        closes_at=place.closes_at,
        active=True,
        place_code_version=1,
        created_by_id=actor.id,
        created_dt=utcnow(),
    )
    db.session.add(checkpoint)
    db.session.flush()
    record(
        "checkpoint.create",
        actor=actor,
        subject_type="checkpoint",
        subject_id=checkpoint.id,
        region_code=village.code,
    )
    return checkpoint


def update_checkpoint(actor: User, checkpoint: Checkpoint, changes: dict[str, Any]) -> None:
    """Change the fields given (already validated); closing one keeps its history."""
    require_oversight(actor, checkpoint.village_code)
    allowed = {"name", "latitude", "longitude", "opens_at", "closes_at", "active"}
    changed = {}
    for key, value in changes.items():
        if key not in allowed or (key in ("name", "active") and value is None):
            continue
        if key == "name":
            value = value.strip()
        if getattr(checkpoint, key) != value:
            setattr(checkpoint, key, value)
            changed[key] = str(value) if value is not None else None
    if changed:
        record(
            "checkpoint.update",
            actor=actor,
            subject_type="checkpoint",
            subject_id=checkpoint.id,
            region_code=checkpoint.village_code,
            detail=changed,
        )


def get_checkpoint(checkpoint_id: int) -> Checkpoint:
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None:
        raise NotFound("checkpoint_not_found")
    return checkpoint


def checkpoint_for_official(actor: User, checkpoint_id: int) -> Checkpoint:
    """A checkpoint of the official's region (404 for any other: do not confirm it exists)."""
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or not oversees(actor, checkpoint.village_code):
        raise NotFound("checkpoint_not_found")
    return checkpoint


def is_assigned(user: User, checkpoint_id: int) -> bool:
    row = db.session.get(CheckpointVolunteer, (checkpoint_id, user.id))
    return row is not None and row.ended_dt is None


def checkpoint_for_viewer(actor: User, checkpoint_id: int) -> Checkpoint:
    """Officials of the region, or a volunteer assigned there now."""
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None:
        raise NotFound("checkpoint_not_found")
    if oversees(actor, checkpoint.village_code):
        return checkpoint
    if actor.has_role("volunteer") and is_assigned(actor, checkpoint.id):
        return checkpoint
    raise NotFound("checkpoint_not_found")


def checkpoints_in_scope(
    actor: User, *, region: str | None = None, active: bool | None = None
) -> Select:
    """Checkpoints an official oversees, optionally narrowed to a region they oversee."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    if region:
        require_oversight(actor, region)
        scope = region
    stmt = select(Checkpoint).where(region_subtree(Checkpoint.village_code, scope))
    if active is not None:
        stmt = stmt.where(Checkpoint.active.is_(active))
    return stmt


def volunteer_checkpoints(user: User) -> list[Checkpoint]:
    """The checkpoints a volunteer works at now (and only those)."""
    return list(
        db.session.scalars(
            select(Checkpoint)
            .join(CheckpointVolunteer, CheckpointVolunteer.checkpoint_id == Checkpoint.id)
            .where(
                CheckpointVolunteer.user_id == user.id,
                CheckpointVolunteer.ended_dt.is_(None),
                Checkpoint.active.is_(True),
            )
            .order_by(Checkpoint.name, Checkpoint.id)
        )
    )


def assignments(checkpoint: Checkpoint) -> list[CheckpointVolunteer]:
    return list(
        db.session.scalars(
            select(CheckpointVolunteer)
            .where(CheckpointVolunteer.checkpoint_id == checkpoint.id)
            .order_by(CheckpointVolunteer.ended_dt.is_not(None), CheckpointVolunteer.assigned_dt)
        )
    )


def assign_volunteer(actor: User, checkpoint: Checkpoint, phone: str) -> CheckpointVolunteer:
    """Put the person with this phone number on the checkpoint (granting the volunteer role)."""
    require_oversight(actor, checkpoint.village_code)
    if not checkpoint.active:
        raise ValidationFailed(errors=[{"field": "checkpoint", "code": "checkpoint_closed"}])
    person = db.session.scalars(select(User).where(User.phone == phone)).first()
    if person is None or not person.active:
        raise ValidationFailed(errors=[{"field": "phone", "code": "volunteer_not_found"}])
    if not person.has_role("volunteer"):
        person.add_role("volunteer")
    row = db.session.get(CheckpointVolunteer, (checkpoint.id, person.id))
    now = utcnow()
    if row is None:
        row = CheckpointVolunteer(
            checkpoint_id=checkpoint.id, user_id=person.id, assigned_dt=now, assigned_by_id=actor.id
        )
        db.session.add(row)
    elif row.ended_dt is not None:
        row.ended_dt, row.assigned_dt, row.assigned_by_id = None, now, actor.id
    else:
        return row
    db.session.flush()
    record(
        "checkpoint.assign",
        actor=actor,
        subject_type="checkpoint",
        subject_id=checkpoint.id,
        region_code=checkpoint.village_code,
        detail={"volunteer_id": person.id},
    )
    return row


def end_assignment(actor: User, checkpoint: Checkpoint, user_id: int) -> None:
    require_oversight(actor, checkpoint.village_code)
    row = db.session.get(CheckpointVolunteer, (checkpoint.id, user_id))
    if row is None or row.ended_dt is not None:
        raise NotFound("volunteer_not_found")
    row.ended_dt = utcnow()
    record(
        "checkpoint.unassign",
        actor=actor,
        subject_type="checkpoint",
        subject_id=checkpoint.id,
        region_code=checkpoint.village_code,
        detail={"volunteer_id": user_id},
    )


def place_code_token(checkpoint: Checkpoint) -> str:
    return placecode.make_token(checkpoint.id, checkpoint.place_code_version, checkpoint.name)


def renew_place_code(actor: User, checkpoint: Checkpoint) -> None:
    """A new poster: every earlier print (and any photo of it) stops working."""
    require_oversight(actor, checkpoint.village_code)
    checkpoint.place_code_version += 1
    record(
        "checkpoint.place_code",
        actor=actor,
        subject_type="checkpoint",
        subject_id=checkpoint.id,
        region_code=checkpoint.village_code,
        detail={"version": checkpoint.place_code_version},
    )


def checkpoint_of_token(token: str) -> Checkpoint:
    """The active checkpoint a poster's token names, if the token is genuine and current."""
    code = placecode.read_token(token)
    checkpoint = db.session.get(Checkpoint, code.checkpoint_id)
    if checkpoint is None or checkpoint.place_code_version != code.version:
        raise placecode.PlaceCodeInvalid()
    if not checkpoint.active:
        raise placecode.PlaceCodeInvalid("checkpoint_closed")
    return checkpoint

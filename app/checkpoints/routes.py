"""Checkpoints: officials' admin and supervision, the volunteer's scanner data, the outbox."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.accounts.identity import mask_name, mask_phone
from app.accounts.models import User
from app.api import endpoint
from app.api.pagination import keyset_page
from app.checkpoints import ingest, placecode, services, supervision
from app.checkpoints.models import Checkpoint, CheckpointScan, CheckpointVolunteer
from app.checkpoints.poster import poster_pdf
from app.checkpoints.schemas import (
    AssignIn,
    AssignmentOut,
    CheckpointDetail,
    CheckpointIn,
    CheckpointOut,
    CheckpointPage,
    CheckpointQuery,
    CheckpointStats,
    CheckpointUpdate,
    Counts,
    DayCounts,
    MyCheckpoints,
    PlaceCodeOut,
    RefusalOut,
    RefusalPage,
    RefusalQuery,
    RegionBrief,
    ScannerSettings,
    StatsPage,
    StatsQuery,
    SyncIn,
    SyncOut,
    TodayOut,
    UserBrief,
    VerdictOut,
)
from app.errors import Conflict
from app.extensions import db
from app.i18n import request_locale
from app.timeutil import local_today, utcnow

bp = Blueprint("checkpoints", __name__)
OFFICIALS = ("official", "admin")


def _region(checkpoint: Checkpoint) -> RegionBrief:
    village = checkpoint.village
    return RegionBrief(code=village.code, name_zh=village.name_zh, name_en=village.name_en)


def _out(checkpoint: Checkpoint) -> CheckpointOut:
    return CheckpointOut(
        id=checkpoint.id,
        name=checkpoint.name,
        village=_region(checkpoint),
        latitude=checkpoint.latitude,
        longitude=checkpoint.longitude,
        opens_at=checkpoint.opens_at,
        closes_at=checkpoint.closes_at,
        open_now=services.is_open(checkpoint),
        active=checkpoint.active,
        created_at=checkpoint.created_dt,
    )


def _person(user: User) -> UserBrief:
    return UserBrief(
        id=user.id,
        name_masked=mask_name(user.name or ""),
        phone_masked=mask_phone(user.phone) if user.phone else None,
    )


def _assignment(row: CheckpointVolunteer) -> AssignmentOut:
    return AssignmentOut(
        volunteer=_person(row.user), assigned_at=row.assigned_dt, ended_at=row.ended_dt
    )


def _detail(checkpoint: Checkpoint, *, with_volunteers: bool = True) -> CheckpointDetail:
    token = services.place_code_token(checkpoint)
    return CheckpointDetail(
        **_out(checkpoint).model_dump(),
        volunteers=[_assignment(r) for r in services.assignments(checkpoint)]
        if with_volunteers
        else [],
        poster_url=url_for("checkpoints.poster", checkpoint_id=checkpoint.id),
        place_code_url=placecode.place_code_url(token),
    )


# -- officials: checkpoints and volunteers --------------------------------------------------


@endpoint(
    bp,
    "/checkpoints",
    method="POST",
    summary="Add a checkpoint in a village of my region",
    body=CheckpointIn,
    response=CheckpointDetail,
    status=201,
    roles=OFFICIALS,
)
def create_checkpoint(body: CheckpointIn) -> CheckpointDetail:
    checkpoint = services.create_checkpoint(
        current_user,
        name=body.name,
        village_code=body.village_code,
        place=services.Place(body.latitude, body.longitude, body.opens_at, body.closes_at),
    )
    db.session.commit()
    return _detail(checkpoint)


@endpoint(
    bp,
    "/checkpoints",
    summary="Checkpoints of my region",
    query=CheckpointQuery,
    response=CheckpointPage,
    roles=OFFICIALS,
)
def list_checkpoints(query: CheckpointQuery) -> CheckpointPage:
    stmt = services.checkpoints_in_scope(current_user, region=query.region, active=query.active)
    rows, cursor = keyset_page(
        db.session, stmt, [Checkpoint.id], query.limit, query.cursor, key=lambda c: [c.id]
    )
    return CheckpointPage(items=[_out(c) for c in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/checkpoints/mine",
    summary="The checkpoints I volunteer at, and the scanner's settings",
    response=MyCheckpoints,
    roles=("volunteer",),
)
def my_checkpoints() -> MyCheckpoints:
    return MyCheckpoints(
        items=[_out(c) for c in services.volunteer_checkpoints(current_user)],
        scanner=ScannerSettings(**services.scanner_settings()),
    )


@endpoint(
    bp,
    "/checkpoints/<int:checkpoint_id>",
    summary="One checkpoint (officials of its region, or its volunteers)",
    response=CheckpointDetail,
    errors=(404,),
)
def get_checkpoint(checkpoint_id: int) -> CheckpointDetail:
    checkpoint = services.checkpoint_for_viewer(current_user, checkpoint_id)
    official = current_user.has_any_role(OFFICIALS)
    return _detail(checkpoint, with_volunteers=official)


@endpoint(
    bp,
    "/checkpoints/<int:checkpoint_id>",
    method="PATCH",
    summary="Change a checkpoint (name, place, hours; active=false closes it)",
    body=CheckpointUpdate,
    response=CheckpointDetail,
    roles=OFFICIALS,
    errors=(404,),
)
def update_checkpoint(checkpoint_id: int, body: CheckpointUpdate) -> CheckpointDetail:
    checkpoint = services.checkpoint_for_official(current_user, checkpoint_id)
    services.update_checkpoint(current_user, checkpoint, body.model_dump(exclude_unset=True))
    db.session.commit()
    return _detail(checkpoint)


@endpoint(
    bp,
    "/checkpoints/<int:checkpoint_id>/volunteers",
    method="POST",
    summary="Assign a volunteer (by phone number) to a checkpoint",
    body=AssignIn,
    response=CheckpointDetail,
    status=201,
    roles=OFFICIALS,
    errors=(404,),
)
def assign_volunteer(checkpoint_id: int, body: AssignIn) -> CheckpointDetail:
    """The person must have logged in once; they get the volunteer role if they lack it."""
    checkpoint = services.checkpoint_for_official(current_user, checkpoint_id)
    services.assign_volunteer(current_user, checkpoint, body.phone)
    db.session.commit()
    return _detail(checkpoint)


@endpoint(
    bp,
    "/checkpoints/<int:checkpoint_id>/volunteers/<int:user_id>",
    method="DELETE",
    summary="End a volunteer's assignment",
    status=204,
    roles=OFFICIALS,
    errors=(404,),
)
def end_assignment(checkpoint_id: int, user_id: int) -> None:
    checkpoint = services.checkpoint_for_official(current_user, checkpoint_id)
    services.end_assignment(current_user, checkpoint, user_id)
    db.session.commit()


@endpoint(
    bp,
    "/checkpoints/<int:checkpoint_id>/place-code",
    method="POST",
    summary="Issue a new place code: every earlier poster stops working",
    response=CheckpointDetail,
    roles=OFFICIALS,
    errors=(404,),
)
def renew_place_code(checkpoint_id: int) -> CheckpointDetail:
    checkpoint = services.checkpoint_for_official(current_user, checkpoint_id)
    services.renew_place_code(current_user, checkpoint)
    db.session.commit()
    return _detail(checkpoint)


@endpoint(
    bp,
    "/checkpoints/<int:checkpoint_id>/poster.pdf",
    summary="The checkpoint's A4 poster with its place code",
    roles=OFFICIALS,
    errors=(404,),
    content_type="application/pdf",
)
def poster(checkpoint_id: int) -> Response:
    checkpoint = services.checkpoint_for_official(current_user, checkpoint_id)
    url = placecode.place_code_url(services.place_code_token(checkpoint))
    response = Response(poster_pdf(checkpoint, url, utcnow()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="checkpoint-{checkpoint.id}.pdf"'
    return response


# -- the phone's outbox ---------------------------------------------------------------------


@endpoint(
    bp,
    "/checkpoints/sync",
    method="POST",
    summary="Upload a batch of scans, decisions and check-ins (idempotent by UUID)",
    body=SyncIn,
    response=SyncOut,
    errors=(409,),
)
def sync(body: SyncIn) -> dict[str, Any]:
    """Up to 500 items. Each gets an answer: created, duplicate (the server already had it:
    nothing changes) or rejected with a code. A malformed item makes the whole batch 422 with
    the item's index in each error's `field` (`items.<n>.…`)."""
    try:
        result = ingest.ingest(current_user._get_current_object(), body.items, utcnow())
        db.session.commit()
    except IntegrityError:
        # Only a concurrent upload reusing one decision UUID for two scans gets here: nothing
        # of this batch is kept, and sending it again gets an answer per item.
        db.session.rollback()
        raise Conflict("sync_conflict") from None
    return result


# -- the volunteer's day and the worker's place code ----------------------------------------


@endpoint(
    bp,
    "/checkpoints/<int:checkpoint_id>/today",
    summary="Today's scans at a checkpoint, by verdict and decision",
    response=TodayOut,
    errors=(404,),
)
def today(checkpoint_id: int) -> TodayOut:
    checkpoint = services.checkpoint_for_viewer(current_user, checkpoint_id)
    day = local_today()
    by_day = supervision.daily_counts(db.session, [checkpoint.id], day, day)
    counts = by_day.get(checkpoint.id, {}).get(day) or supervision.empty_counts()
    return TodayOut(
        checkpoint=_out(checkpoint),
        day=day,
        counts=Counts(**counts),
        refusal_reasons=supervision.refusal_reasons(db.session, checkpoint.id, day),
    )


@endpoint(
    bp,
    "/place-codes/<path:token>",
    summary="The checkpoint a poster's place code names",
    response=PlaceCodeOut,
    roles=("worker",),
    errors=(404, 410),
)
def read_place_code(token: str) -> PlaceCodeOut:
    checkpoint = services.checkpoint_of_token(token)
    return PlaceCodeOut(
        checkpoint_id=checkpoint.id,
        name=checkpoint.name,
        village=_region(checkpoint),
        open_now=services.is_open(checkpoint),
    )


# -- supervision ----------------------------------------------------------------------------


@endpoint(
    bp,
    "/checkpoints/stats",
    summary="Scans per checkpoint per day in my region",
    query=StatsQuery,
    response=StatsPage,
    roles=OFFICIALS,
)
def stats(query: StatsQuery) -> StatsPage:
    """Local (Asia/Shanghai) days; a page of checkpoints, each with its days that had scans."""
    start, end = supervision.day_window(query.from_, query.to)
    stmt = services.checkpoints_in_scope(current_user, region=query.region)
    if query.checkpoint_id is not None:
        stmt = stmt.where(Checkpoint.id == query.checkpoint_id)
    rows, cursor = keyset_page(
        db.session, stmt, [Checkpoint.id], query.limit, query.cursor, key=lambda c: [c.id]
    )
    by_day = supervision.daily_counts(db.session, [c.id for c in rows], start, end)
    items = []
    for checkpoint in rows:
        days = by_day.get(checkpoint.id, {})
        items.append(
            CheckpointStats(
                checkpoint=_out(checkpoint),
                days=[DayCounts(day=day, **days[day]) for day in sorted(days, reverse=True)],
                totals=Counts(**supervision.totals(days.values())),
            )
        )
    return StatsPage(start=start, end=end, items=items, next_cursor=cursor)


@endpoint(
    bp,
    "/checkpoints/refusals",
    summary="Refusals at checkpoints of my region, with reasons (flagged: valid passes)",
    query=RefusalQuery,
    response=RefusalPage,
    roles=OFFICIALS,
)
def refusals(query: RefusalQuery) -> RefusalPage:
    start, end = (
        supervision.day_window(query.from_, query.to) if query.from_ or query.to else (None, None)
    )
    stmt = supervision.refusals(
        services.checkpoints_in_scope(current_user, region=query.region),
        checkpoint_id=query.checkpoint_id,
        flagged=query.flagged,
        start=start,
        end=end,
    )
    rows, cursor = keyset_page(
        db.session, stmt, [CheckpointScan.id], query.limit, query.cursor, key=lambda s: [s.id]
    )
    locale = request_locale()
    return RefusalPage(
        items=[
            RefusalOut(
                id=s.id,
                checkpoint=_out(s.checkpoint),
                volunteer=_person(s.volunteer),
                scanned_at=s.scanned_dt,
                day=s.scan_day,
                method=s.method,
                verdict=VerdictOut(
                    valid=s.valid,
                    reason=s.reason,
                    kind=s.kind,
                    status=s.status,
                    card_type=s.card_type,
                    card_id=s.card_id,
                    issuer_region=s.issuer_region,
                    trust_stale=s.trust_stale,
                ),
                reason=s.refusal_reason,
                reason_text=supervision.reason_text(s.refusal_reason, locale),
                note=s.refusal_note,
                flagged=s.flagged,
                decided_at=s.decided_dt,
            )
            for s in rows
        ],
        next_cursor=cursor,
    )

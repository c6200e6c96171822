"""Accepting a phone's outbox: scans, decisions and check-ins in batches, idempotently.

Every item carries a UUID the phone made before its first upload attempt. An item whose UUID
the server already holds is answered "duplicate" and changes nothing, so a batch can be sent
again after a lost answer, a closed app or a restarted server: nothing is lost, nothing doubled.
Each item gets its own answer; "created" and "duplicate" both tell the phone it may delete the
item, "rejected" (with a code) that resending it will never help.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import Table, select, update

from app.accounts.models import User
from app.cards.services import current_decision
from app.checkpoints import placecode, signals
from app.checkpoints.models import (
    Checkpoint,
    CheckpointCheckIn,
    CheckpointScan,
    CheckpointVolunteer,
)
from app.checkpoints.schemas import CheckInItem, DecisionItem, ScanItem
from app.errors import DomainError
from app.extensions import db
from app.i18n import message
from app.supervision.counters import Tally
from app.timeutil import app_tz

# A phone clock running ahead by more than this is not believed for the day of a scan.
CLOCK_SLACK = timedelta(minutes=10)
# Nor one before the service existed (a cheap phone whose battery ran out restarts in 1970).
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)


def client_time(value: datetime, now: datetime) -> datetime:
    """A phone's time in UTC; the server's when it is not a time at all (year 1 at +14:00
    has no UTC instant Python can hold)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return now


CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"


def sqlite_time(value: datetime) -> str:
    """UtcDateTime as SQLAlchemy stores it in SQLite: naive UTC text with microseconds."""
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


class Storage:
    """Values as SQLAlchemy's own types store them, for the driver-level insert below.

    SQLite keeps UUIDs as 32 hex digits, UtcDateTime as naive UTC text, dates as ISO text and
    booleans as 0/1 (so the ORM reads these rows back unchanged); psycopg adapts the Python
    values itself on PostgreSQL.
    """

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def uuid(self, value: uuid.UUID) -> Any:
        return value.hex if self.sqlite else value

    def time(self, value: datetime) -> Any:
        return sqlite_time(value) if self.sqlite else value

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value


def storage() -> Storage:
    return Storage(db.session.connection().dialect.name)


def insert_new(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> set:
    """INSERT rows (values already in `Storage` form), skipping those whose client_uuid is
    stored already (also when another upload of the same batch races this one); returns the
    client_uuid values (storage form) actually inserted.

    One multi-row statement through the driver: for 500 scans it is several times faster than
    the ORM or an executemany, which convert every value in Python first.
    """
    if not rows:
        return set()
    connection = db.session.connection()
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    placeholders = "(" + ",".join([mark] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {table.name} ({','.join(columns)}) VALUES "  # noqa: S608 - fixed names
        + ",".join([placeholders] * len(rows))
        + " ON CONFLICT (client_uuid) DO NOTHING RETURNING client_uuid"
    )
    # The driver's own cursor, in the session's transaction: reading 500 RETURNING rows
    # through SQLAlchemy's result objects would cost more than the insert itself.
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, tuple(chain.from_iterable(rows)))
        return {key for (key,) in cursor.fetchall()}
    finally:
        cursor.close()


def _local_day(moment: datetime, now: datetime, tz: Any) -> date:
    """The local day of a phone's time (already in UTC), if the time is believable."""
    believed = moment if EARLIEST <= moment <= now + CLOCK_SLACK else now
    return believed.astimezone(tz).date()


class Batch:
    """The answers to one batch, in the order of its items (every item gets one)."""

    def __init__(self, count: int) -> None:
        self.answers: list[dict[str, Any] | None] = [None] * count
        self.counts = {CREATED: 0, DUPLICATE: 0, REJECTED: 0}

    def answer(
        self, index: int, item_uuid: uuid.UUID, result: str, code: str | None = None
    ) -> None:
        entry: dict[str, Any] = {"uuid": str(item_uuid), "result": result}
        if code is not None:
            entry["code"] = code
            entry["message"] = message(code)
        self.answers[index] = entry
        self.counts[result] += 1

    def summary(self) -> dict[str, Any]:
        return {
            "items": self.answers,
            "created": self.counts[CREATED],
            "duplicates": self.counts[DUPLICATE],
            "rejected": self.counts[REJECTED],
        }


def ingest(actor: User, items: Sequence[Any], now: datetime) -> dict[str, Any]:
    """Store a batch (already schema-validated) for `actor`; returns the per-item answers.

    Scans go first so that a decision may follow its scan in the same batch.
    """
    batch = Batch(len(items))
    scans, decisions, checkins = [], [], []
    for index, item in enumerate(items):
        if isinstance(item, ScanItem):
            scans.append((index, item))
        elif isinstance(item, DecisionItem):
            decisions.append((index, item))
        else:
            checkins.append((index, item))
    if scans:
        _ingest_scans(actor, scans, now, batch)
        _observe(scans, now)
    if decisions:
        _ingest_decisions(actor, decisions, now, batch)
    if checkins:
        _ingest_checkins(actor, checkins, now, batch)
    return batch.summary()


def _observe(scans: list[tuple[int, ScanItem]], now: datetime) -> None:
    """The device verifiers' verdicts by reason, and how long scans waited in outboxes."""
    from app.metrics import OUTBOX_LAG, VERDICTS

    reasons = Counter(item.verdict["reason"] for _, item in scans)
    for reason, count in reasons.items():
        VERDICTS.labels("device", reason).inc(count)
    for _, item in scans:
        OUTBOX_LAG.observe(max(0.0, (now - client_time(item.scanned_at, now)).total_seconds()))


def _first_of_each(entries: list[tuple[int, Any]], batch: Batch) -> list[tuple[int, Any]]:
    """Keep the first item of each UUID; later copies in the same batch are duplicates."""
    seen: set[uuid.UUID] = set()
    unique = []
    for index, item in entries:
        if item.uuid in seen:
            batch.answer(index, item.uuid, DUPLICATE)
        else:
            seen.add(item.uuid)
            unique.append((index, item))
    return unique


SCAN_COLUMNS = (
    "client_uuid",
    "checkpoint_id",
    "volunteer_id",
    "scanned_dt",
    "received_dt",
    "scan_day",
    "method",
    "valid",
    "reason",
    "kind",
    "status",
    "card_type",
    "card_id",
    "issuer_region",
    "trust_stale",
    "flagged",
)


def _scan_row(store: Storage, volunteer_id: int, now: datetime, tz: Any) -> Any:
    """A function making the table row (SCAN_COLUMNS, storage form) of a scan item.

    The hot loop of an upload: written out per engine rather than through Storage's methods.
    """
    limit = now + CLOCK_SLACK
    if store.sqlite:
        received = sqlite_time(now)
        # The local day, by UTC quarter-hour: every zone's offset is a multiple of 15 minutes
        # and changes only at such boundaries, so all instants of a slot share their day.
        days: dict[tuple, str] = {}

        def row(item: ScanItem) -> tuple:
            v = item.verdict
            get = v.get
            utc = client_time(item.scanned_at, now)
            believed = utc if EARLIEST <= utc <= limit else now
            slot = (
                believed.year,
                believed.month,
                believed.day,
                believed.hour,
                believed.minute // 15,
            )
            day = days.get(slot)
            if day is None:
                day = days[slot] = believed.astimezone(tz).date().isoformat()
            return (
                item.uuid.hex,
                item.checkpoint_id,
                volunteer_id,
                utc.isoformat(" ", "microseconds")[:26],
                received,
                day,
                item.method,
                1 if v["valid"] else 0,
                v["reason"],
                get("kind"),
                get("status"),
                get("card_type"),
                get("card_id"),
                get("issuer_region"),
                1 if get("trust_stale") else 0,
                0,
            )

        return row

    def row(item: ScanItem) -> tuple:  # PostgreSQL: psycopg adapts the values
        v = item.verdict
        get = v.get
        scanned = client_time(item.scanned_at, now)
        return (
            item.uuid,
            item.checkpoint_id,
            volunteer_id,
            scanned,
            now,
            _local_day(scanned, now, tz),
            item.method,
            v["valid"],
            v["reason"],
            get("kind"),
            get("status"),
            get("card_type"),
            get("card_id"),
            get("issuer_region"),
            bool(get("trust_stale")),
            False,
        )

    return row


def _ingest_scans(
    actor: User, entries: list[tuple[int, ScanItem]], now: datetime, batch: Batch
) -> None:
    if not actor.has_role("volunteer"):
        for index, item in entries:
            batch.answer(index, item.uuid, REJECTED, "forbidden")
        return
    # Any assignment, ended or not: a scan made offline before an unassignment still counts.
    allowed = set(
        db.session.scalars(
            select(CheckpointVolunteer.checkpoint_id).where(CheckpointVolunteer.user_id == actor.id)
        )
    )
    make_row = _scan_row(storage(), actor.id, now, app_tz())
    rows, pending, seen = [], [], set()
    for index, item in entries:
        if item.uuid in seen:  # the same item twice in one batch
            batch.answer(index, item.uuid, DUPLICATE)
            continue
        seen.add(item.uuid)
        if item.checkpoint_id not in allowed:
            batch.answer(index, item.uuid, REJECTED, "not_assigned")
            continue
        row = make_row(item)
        rows.append(row)
        pending.append((index, item.uuid, row[0]))
    created = insert_new(CheckpointScan.__table__, SCAN_COLUMNS, rows)
    for index, item_uuid, key in pending:
        batch.answer(index, item_uuid, CREATED if key in created else DUPLICATE)
    # The per checkpoint and day counters of the ranked list (supervision): rows of the same
    # batch are counted here, in the same transaction, so they never drift from the scans.
    tally = Tally()
    for row in rows:
        if row[0] in created:  # checkpoint_id, scan_day, valid, kind, status (SCAN_COLUMNS)
            tally.scan(row[1], row[5], bool(row[7]) and (row[10] == "green" or row[9] == "HC1"))
    tally.save()


def passes(valid: bool, status: str | None, kind: str | None) -> bool:
    """A card the notice says must be let through: a valid green card or health certificate."""
    return valid and (status == "green" or kind == "HC1")


def _ingest_decisions(
    actor: User, entries: list[tuple[int, DecisionItem]], now: datetime, batch: Batch
) -> None:
    entries = _first_of_each(entries, batch)
    scan_uuids = {item.scan_uuid for _, item in entries}
    decision_uuids = {item.uuid for _, item in entries}
    by_scan = {
        row.client_uuid: row
        for row in db.session.execute(
            select(
                CheckpointScan.id,
                CheckpointScan.client_uuid,
                CheckpointScan.checkpoint_id,
                CheckpointScan.scan_day,
                CheckpointScan.volunteer_id,
                CheckpointScan.decision_uuid,
                CheckpointScan.valid,
                CheckpointScan.status,
                CheckpointScan.kind,
            ).where(CheckpointScan.client_uuid.in_(scan_uuids))
        )
    }
    # A decision UUID already applied to some scan: a replay (or a client bug).
    used = dict(
        db.session.execute(
            select(CheckpointScan.decision_uuid, CheckpointScan.client_uuid).where(
                CheckpointScan.decision_uuid.in_(decision_uuids)
            )
        ).all()
    )
    tally, store, flagged_ids = Tally(), storage(), []
    for index, item in entries:
        if item.uuid in used:
            same = used[item.uuid] == item.scan_uuid
            batch.answer(
                index,
                item.uuid,
                DUPLICATE if same else REJECTED,
                None if same else "already_decided",
            )
            continue
        scan = by_scan.get(item.scan_uuid)
        if scan is None:
            batch.answer(index, item.uuid, REJECTED, "scan_unknown")
            continue
        if scan.volunteer_id != actor.id:
            batch.answer(index, item.uuid, REJECTED, "forbidden")
            continue
        if scan.decision_uuid is not None:
            batch.answer(index, item.uuid, REJECTED, "already_decided")
            continue
        refused = item.decision == "refuse"
        flagged = refused and passes(scan.valid, scan.status, scan.kind)
        result = db.session.execute(
            update(CheckpointScan)
            .where(CheckpointScan.id == scan.id, CheckpointScan.decision_uuid.is_(None))
            .values(
                decision=item.decision,
                decision_uuid=item.uuid,
                decided_dt=client_time(item.decided_at, now),
                refusal_reason=item.reason if refused else None,
                refusal_note=(item.note or "").strip() or None if refused else None,
                flagged=flagged,
            )
        )
        if result.rowcount != 1:  # decided meanwhile by a concurrent upload
            batch.answer(index, item.uuid, REJECTED, "already_decided")
            continue
        batch.answer(index, item.uuid, CREATED)
        used[item.uuid] = item.scan_uuid
        tally.decision(scan.checkpoint_id, store.day(scan.scan_day), refused, flagged)
        if flagged:
            flagged_ids.append(scan.id)
    tally.save()
    if flagged_ids:  # forbidden by the notice: supervision opens a case for each gate and day
        signals.valid_cards_refused.send(actor, scan_ids=flagged_ids, now=now)


CHECKIN_COLUMNS = (
    "client_uuid",
    "checkpoint_id",
    "user_id",
    "checked_in_dt",
    "received_dt",
    "day",
    "status",
)


def _ingest_checkins(
    actor: User, entries: list[tuple[int, CheckInItem]], now: datetime, batch: Batch
) -> None:
    entries = _first_of_each(entries, batch)
    if not actor.has_role("worker"):
        for index, item in entries:
            batch.answer(index, item.uuid, REJECTED, "forbidden")
        return
    decision = current_decision(actor.id)
    status = decision.status if decision else None
    tz, store = app_tz(), storage()
    checkpoints: dict[int, Checkpoint] = {}
    rows, pending = [], []
    for index, item in entries:
        try:
            code = placecode.read_token(item.token)
        except DomainError as error:
            batch.answer(index, item.uuid, REJECTED, error.code)
            continue
        if code.checkpoint_id not in checkpoints:
            checkpoints[code.checkpoint_id] = db.session.get(Checkpoint, code.checkpoint_id)
        checkpoint = checkpoints[code.checkpoint_id]
        if checkpoint is None or checkpoint.place_code_version != code.version:
            batch.answer(index, item.uuid, REJECTED, "place_code_invalid")
            continue
        key = store.uuid(item.uuid)
        checked_in = client_time(item.checked_in_at, now)
        rows.append(
            (
                key,
                checkpoint.id,
                actor.id,
                store.time(checked_in),
                store.time(now),
                store.day(_local_day(checked_in, now, tz)),
                status,
            )
        )
        pending.append((index, item.uuid, key))
    created = insert_new(CheckpointCheckIn.__table__, CHECKIN_COLUMNS, rows)
    for index, item_uuid, key in pending:
        batch.answer(index, item_uuid, CREATED if key in created else DUPLICATE)

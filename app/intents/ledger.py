"""The outbound ledger's counters: kept up to date as intents change, rebuilt in bulk, checked.

Every active intent is counted in four LedgerCount rows, one per grouping set:

    (trade, day)   (trade, any day)   (any trade, day)   (any trade, any day)

where `day` is the planned departure as YYYYMMDD (1 = not known yet, 0 = any day) and "any
trade" is '*'. Each row also carries the village the worker leaves from, the destination and
the kind (outbound / local), and counts the intents, those with a job arranged, departed, with a
certificate, needing transport and needing a certificate. The ledger for any region, trade and
date range is then a sum over a few thousand counter rows instead of a GROUP BY over every intent.

The counters change in the same flush as the intents (a `before_flush` listener reading each
intent's old and new values), so they commit or roll back with the change. Bulk loads write
intents with Core inserts and call `rebuild()`. `brute_force()` recounts from the intents in
Python, the reference that tests compare the counters with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, cast, delete, event, extract, func, insert, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.intents.models import EmploymentIntent, IntentChange, LedgerCount

ANY_TRADE = "*"
ANY_DAY = 0
UNKNOWN_DAY = 1
FLAGS = ("job_arranged", "departed", "certified", "needs_transport", "needs_certificate")
MEASURES = ("intents", *FLAGS)
# The intent columns the counters depend on (all declared with active_history).
COUNTED = (
    "kind",
    "destination_code",
    "origin_village_code",
    "trade",
    "departure_date",
    "job_arranged",
    "departed_dt",
    "certificate_card_id",
    "needs_transport",
    "needs_certificate",
    "withdrawn_dt",
)
KEY = ("trade", "day", "origin_village_code", "destination_code", "kind")
Key = tuple[str, int, str, str, str]


def day_number(day: date | None) -> int:
    """20200224 for 24 February 2020; UNKNOWN_DAY when there is no date."""
    return day.year * 10000 + day.month * 100 + day.day if day else UNKNOWN_DAY


@dataclass(frozen=True)
class Cell:
    """Where one active intent is counted, and as what."""

    kind: str
    destination_code: str
    origin_village_code: str
    trade: str
    day: int
    flags: tuple[int, ...]  # in FLAGS order, 0 or 1

    def keys(self) -> list[Key]:
        place = (self.origin_village_code, self.destination_code, self.kind)
        return [
            (self.trade, self.day, *place),
            (self.trade, ANY_DAY, *place),
            (ANY_TRADE, self.day, *place),
            (ANY_TRADE, ANY_DAY, *place),
        ]


def cell_of(values: Mapping[str, Any]) -> Cell | None:
    """The cell of an intent given its counted values; None if it is not counted (withdrawn)."""
    if values["withdrawn_dt"] is not None:
        return None
    flags = (
        int(bool(values["job_arranged"])),
        int(values["departed_dt"] is not None),
        int(values["certificate_card_id"] is not None),
        int(bool(values["needs_transport"])),
        int(bool(values["needs_certificate"])),
    )
    return Cell(
        kind=values["kind"],
        destination_code=values["destination_code"],
        origin_village_code=values["origin_village_code"],
        trade=values["trade"],
        day=day_number(values["departure_date"]),
        flags=flags,
    )


def _add(deltas: dict[Key, list[int]], cell: Cell | None, sign: int) -> None:
    if cell is None:
        return
    for key in cell.keys():
        row = deltas.setdefault(key, [0] * len(MEASURES))
        row[0] += sign
        for index, flag in enumerate(cell.flags, start=1):
            row[index] += sign * flag


def pending_deltas(session: Session) -> dict[Key, list[int]]:
    """What the intents about to be flushed change in the counters."""
    from sqlalchemy import inspect

    deltas: dict[Key, list[int]] = {}
    for collection, kind in ((session.new, "new"), (session.dirty, "dirty")):
        for obj in collection:
            if not isinstance(obj, EmploymentIntent):
                continue
            state = inspect(obj)
            if kind == "dirty" and not any(n in state.committed_state for n in COUNTED):
                continue
            old = None if kind == "new" else cell_of(_committed_values(obj, state))
            new = cell_of({name: getattr(obj, name) for name in COUNTED})
            if old != new:
                _add(deltas, old, -1)
                _add(deltas, new, +1)
    for obj in session.deleted:
        if isinstance(obj, EmploymentIntent):
            _add(deltas, cell_of(_committed_values(obj, inspect(obj))), -1)
    return {k: v for k, v in deltas.items() if any(v)}


def _committed_values(obj: EmploymentIntent, state: Any) -> dict[str, Any]:
    committed = state.committed_state
    return {name: committed[name] if name in committed else getattr(obj, name) for name in COUNTED}


def _upsert(session: Session, deltas: Mapping[Key, list[int]]) -> None:
    if not deltas:
        return
    connection = session.connection()
    table = LedgerCount.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[name] for name in KEY],
        set_={name: table.c[name] + stmt.excluded[name] for name in MEASURES},
    )
    rows = [
        {**dict(zip(KEY, key, strict=True)), **dict(zip(MEASURES, values, strict=True))}
        for key, values in sorted(deltas.items())  # one lock order for concurrent writers
    ]
    connection.execute(stmt, rows)


def _sync_revoked_certificates(session: Session) -> None:
    """A certificate card revoked by any path (colour change, official) no longer counts."""
    from sqlalchemy import inspect

    from app.cards.models import HealthCard

    revoked = [
        obj.card_id
        for obj in session.dirty
        if isinstance(obj, HealthCard)
        and obj.card_type == "certificate"
        and obj.revoked_dt is not None
        and "revoked_dt" in inspect(obj).committed_state
    ]
    if not revoked:
        return
    with session.no_autoflush:
        holders = session.execute(
            select(EmploymentIntent.id, EmploymentIntent.certificate_card_id).where(
                EmploymentIntent.certificate_card_id.in_(revoked)
            )
        ).all()
        for intent_id, card_id in holders:
            intent = session.identity_map.get(identity_key(EmploymentIntent, intent_id))
            if intent is None or not session.is_modified(intent):
                # Not being changed here: read it afresh (an object loaded earlier may be stale).
                intent = session.get(EmploymentIntent, intent_id, populate_existing=True)
            if intent.certificate_card_id != card_id:
                continue  # already replaced or dropped in this transaction
            intent.certificate_card_id = None
            intent.certificate_issued_dt = None
            session.add(
                IntentChange(
                    intent_id=intent.id,
                    action="certificate_revoked",
                    actor_id=None,
                    snapshot={"certificate_card_id": card_id},
                )
            )


@event.listens_for(Session, "before_flush")
def _keep_counters(session: Session, _context: object, _instances: object) -> None:
    """Counters move with the intents, inside the same transaction."""
    watched = (EmploymentIntent, _card_type())
    if not any(isinstance(o, watched) for o in session.dirty) and not any(
        isinstance(o, EmploymentIntent) for o in (*session.new, *session.deleted)
    ):
        return
    _sync_revoked_certificates(session)
    with session.no_autoflush:
        deltas = pending_deltas(session)
    _upsert(session, deltas)


def _card_type() -> type:
    from app.cards.models import HealthCard

    return HealthCard


# -- bulk ----------------------------------------------------------------------------------


def _day_expression() -> Any:
    d = EmploymentIntent.departure_date
    number = cast(
        extract("year", d) * 10000 + extract("month", d) * 100 + extract("day", d), Integer
    )
    return func.coalesce(number, UNKNOWN_DAY)


def _flag_sums() -> list[Any]:
    i = EmploymentIntent
    conditions = (
        i.job_arranged.is_(True),
        i.departed_dt.is_not(None),
        i.certificate_card_id.is_not(None),
        i.needs_transport.is_(True),
        i.needs_certificate.is_(True),
    )
    return [
        cast(func.sum(case((cond, 1), else_=0)), Integer).label(name)
        for cond, name in zip(conditions, FLAGS, strict=True)
    ]


def rebuild(session: Session) -> int:
    """Recount every counter from the intents (after bulk loads); returns the rows written."""
    i = EmploymentIntent
    session.execute(delete(LedgerCount))
    for trade, day in (
        (i.trade, _day_expression()),
        (i.trade, literal(ANY_DAY)),
        (literal(ANY_TRADE), _day_expression()),
        (literal(ANY_TRADE), literal(ANY_DAY)),
    ):
        query = (
            select(
                trade.label("trade"),
                day.label("day"),
                i.origin_village_code,
                i.destination_code,
                i.kind,
                cast(func.count(), Integer).label("intents"),
                *_flag_sums(),
            )
            .where(i.withdrawn_dt.is_(None))
            .group_by(trade, day, i.origin_village_code, i.destination_code, i.kind)
        )
        session.execute(insert(LedgerCount).from_select([*KEY, *MEASURES], query))
    # Counted, not summed from rowcount: psycopg reports -1 for INSERT ... SELECT.
    return session.scalar(select(func.count()).select_from(LedgerCount)) or 0


def brute_force(intents: Iterable[Mapping[str, Any]]) -> dict[Key, tuple[int, ...]]:
    """The counters recomputed from intents' values in plain Python: the reference."""
    deltas: dict[Key, list[int]] = {}
    for values in intents:
        _add(deltas, cell_of(values), +1)
    return {k: tuple(v) for k, v in deltas.items() if any(v)}


def intents_as_values(session: Session) -> list[dict[str, Any]]:
    """Every intent's counted values, read straight from the table."""
    columns = [getattr(EmploymentIntent, name) for name in COUNTED]
    return [dict(zip(COUNTED, row, strict=True)) for row in session.execute(select(*columns))]


def counters(session: Session) -> dict[Key, tuple[int, ...]]:
    """The counter rows that are not all zero."""
    table = LedgerCount.__table__
    rows = session.execute(select(*[table.c[n] for n in (*KEY, *MEASURES)]))
    out = {}
    for row in rows:
        values = tuple(row[len(KEY) :])
        if any(values):
            out[tuple(row[: len(KEY)])] = values
    return out


def differences(session: Session) -> list[tuple[Key, tuple[int, ...] | None, tuple | None]]:
    """Counter rows that differ from a brute-force recount: (key, counter, recount)."""
    kept, recount = counters(session), brute_force(intents_as_values(session))
    return [
        (key, kept.get(key), recount.get(key))
        for key in sorted(set(kept) | set(recount))
        if kept.get(key) != recount.get(key)
    ]


# -- reading -------------------------------------------------------------------------------


def summed(
    session: Session,
    *,
    village_codes: Any | None,
    kind: str | None,
    trade: str | None,
    day_from: int | None,
    day_to: int | None,
    by: tuple[str, ...] = ("origin_village_code", "destination_code"),
) -> dict[tuple, tuple[int, ...]]:
    """Sum the counters of the matching cells, grouped by `by` (LedgerCount columns).

    village_codes: a SQL expression or list restricting origin villages (None: all).
    Without dates, the any-day rows are read; with dates, the day rows in that range.
    """
    c = LedgerCount
    where = [c.trade == (trade or ANY_TRADE)]
    if day_from is None and day_to is None:
        where.append(c.day == ANY_DAY)
    else:
        where.append(c.day >= max(day_from or 0, UNKNOWN_DAY + 1))
        if day_to is not None:
            where.append(c.day <= day_to)
    if kind:
        where.append(c.kind == kind)
    if village_codes is not None:
        where.append(c.origin_village_code.in_(village_codes))
    group = [getattr(c, name) for name in by]
    sums = [cast(func.sum(getattr(c, m)), Integer) for m in MEASURES]
    out: dict[tuple, tuple[int, ...]] = {}
    for row in session.execute(select(*group, *sums).where(*where).group_by(*group)):
        values = tuple(int(v or 0) for v in row[len(group) :])
        if values[0]:
            out[tuple(row[: len(group)])] = values
    return out


def add_up(rows: Iterable[tuple[int, ...]]) -> tuple[int, ...]:
    total = [0] * len(MEASURES)
    for row in rows:
        for index, value in enumerate(row):
            total[index] += value
    return tuple(total)


def regroup(cells: Mapping[tuple, tuple[int, ...]], key: Any) -> dict[Any, tuple[int, ...]]:
    """Sum `cells` under key(cell_key)."""
    groups: dict[Any, list[tuple[int, ...]]] = defaultdict(list)
    for cell_key, values in cells.items():
        groups[key(cell_key)].append(values)
    return {k: add_up(v) for k, v in groups.items()}

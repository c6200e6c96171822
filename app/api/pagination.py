"""One pagination convention for every list: keyset cursors, `limit` capped at PAGE_SIZE_MAX.

A cursor is the opaque, URL-safe encoding of the last row's sort key, so pages stay stable
while rows are added (no OFFSET drift) and each page is an index range scan.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, or_, tuple_

from app.errors import ValidationFailed

T = TypeVar("T")


class PageQuery(BaseModel):
    """Query parameters every list endpoint accepts."""

    limit: int = Field(20, ge=1, le=100, description="Items per page (at most 100).")
    cursor: str | None = Field(
        None, max_length=200, description="`next_cursor` of the previous page."
    )


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


INT64 = 2**63 - 1


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(errors=[{"field": "cursor", "code": "cursor_invalid"}])


def _python_type(column: Any) -> type | None:
    try:
        return column.type.python_type
    except (AttributeError, NotImplementedError):
        return None


def _cursor_value(value: Any, column: Any) -> Any:
    """A cursor value checked against its sort column's type (a forged cursor must not reach
    the database as a value the engine cannot compare or bind)."""
    kind = _python_type(column)
    if kind is bool or isinstance(value, bool):
        raise _invalid_cursor()
    if kind is int or (kind is None and type(value) is int):  # None: an untyped column
        if type(value) is not int or not -INT64 <= value <= INT64:
            raise _invalid_cursor()
        return value
    if kind in (datetime, date):
        if not isinstance(value, str):
            raise _invalid_cursor()
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _invalid_cursor() from None
        return parsed if kind is datetime else parsed.date()
    if kind is str or kind is None:
        if not isinstance(value, str) or "\x00" in value:
            raise _invalid_cursor()
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _invalid_cursor() from None
        return value
    raise _invalid_cursor()


def decode_cursor(cursor: str, columns: Sequence[Any]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _invalid_cursor() from exc
    if not isinstance(values, list) or len(values) != len(columns):
        raise _invalid_cursor()
    return [_cursor_value(v, c) for v, c in zip(values, columns, strict=True)]


def keyset_page(
    session: Any,
    stmt: Select,
    sort_columns: Sequence[Any],
    limit: int,
    cursor: str | None,
    *,
    descending: bool = True,
    key: Callable[[Any], Sequence[Any]],
) -> tuple[list[Any], str | None]:
    """Run `stmt` ordered by `sort_columns` (the last one unique) from `cursor` on.

    `key(row)` gives the row's values for the sort columns, to build the next cursor.
    """
    if cursor:
        values = decode_cursor(cursor, sort_columns)
        if len(sort_columns) == 1:
            col = sort_columns[0]
            cond = col < values[0] if descending else col > values[0]
        elif descending:
            cond = tuple_(*sort_columns) < tuple_(*values)
        else:
            cond = tuple_(*sort_columns) > tuple_(*values)
        if len(sort_columns) == 2:
            # Row values comparisons are not used by every engine's planner; spell it out.
            a, b = sort_columns
            if descending:
                cond = or_(a < values[0], and_(a == values[0], b < values[1]))
            else:
                cond = or_(a > values[0], and_(a == values[0], b > values[1]))
        stmt = stmt.where(cond)
    order = [c.desc() if descending else c.asc() for c in sort_columns]
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    next_cursor = encode_cursor(key(rows[limit - 1])) if len(rows) > limit else None
    return rows[:limit], next_cursor

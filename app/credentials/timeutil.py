"""Time helpers: every instant is handled as an aware UTC datetime, dates as days since 1970."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

EPOCH_DATE = date(1970, 1, 1)
# The largest instant a datetime can hold; CWT times beyond it are rejected as malformed.
MAX_EPOCH_SECONDS = 253402300799


def to_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def require_aware(moment: datetime, name: str) -> datetime:
    """Refuse naive datetimes where a wrong guess (UTC vs. Beijing time) would shift by 8 h."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def epoch_seconds(moment: datetime) -> int:
    """Whole seconds since 1970-01-01T00:00:00Z (fractions are truncated)."""
    return int(to_utc(moment).timestamp())


def from_epoch(value: float) -> datetime:
    """UTC datetime for a CWT NumericDate (int or float seconds)."""
    return datetime.fromtimestamp(value, UTC)


def date_to_days(day: date) -> int:
    """Days since 1970-01-01 (the compact form of dates inside the card claim)."""
    if isinstance(day, datetime):
        day = day.date()
    return (day - EPOCH_DATE).days


def days_to_date(days: int) -> date:
    """Inverse of date_to_days."""
    return EPOCH_DATE + timedelta(days=days)


_FRACTION = re.compile(r"(\.\d{6})\d+")
_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_time(text: str) -> datetime:
    """Parse ISO 8601 as written by real tools ('Z', '+0000', 7 fraction digits, no zone = UTC).

    Plain digits are read as epoch seconds.
    """
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return from_epoch(float(text))
    text = _FRACTION.sub(r"\1", text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _OFFSET_NO_COLON.sub(r"\1:\2", text)
    return to_utc(datetime.fromisoformat(text))


def format_iso(moment: datetime) -> str:
    """UTC, whole seconds, 'Z' suffix: the one timestamp form in our JSON documents."""
    return to_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")

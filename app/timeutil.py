"""Time: stored in UTC, every day boundary in the app's time zone (Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TZ = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


def app_tz() -> ZoneInfo:
    name = current_app.config.get("APP_TIMEZONE", DEFAULT_TZ) if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def local_today(now: datetime | None = None) -> date:
    """Today's date where the users are, not on the server's clock."""
    return (now or utcnow()).astimezone(app_tz()).date()


def local_midnight(day: date) -> datetime:
    """The UTC instant at which `day` starts in the app's time zone."""
    return datetime.combine(day, time.min, tzinfo=app_tz()).astimezone(UTC)


def day_range(day: date) -> tuple[datetime, datetime]:
    return local_midnight(day), local_midnight(day + timedelta(days=1))


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; treat them as the UTC they were stored as."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

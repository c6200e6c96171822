"""The day rules of observation, in one place (pure functions, no database).

Day 0 is the start date (the date of exposure or of arrival). Observation lasts 14 full days:
the planned end is start + 14 days (`app.cards.rules.quarantine_end`), which is also the first
day the card may turn green. So on day 13 a case is not due; on day 14 and later it is, if no
fever or symptom was recorded. "Today" is always the date in Asia/Shanghai (app.timeutil).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from app.cards.rules import FEVER_THRESHOLD, SYMPTOMS, quarantine_end

__all__ = [
    "abnormal_reasons",
    "day_number",
    "days_left",
    "is_due",
    "planned_end",
]


def planned_end(start: date) -> date:
    """The day observation is complete: start + 14 days (the card's quarantine_until)."""
    return quarantine_end(start)


def day_number(start: date, today: date) -> int:
    """Which day of observation today is (day 0 is the start date; negative before it)."""
    return (today - start).days


def days_left(end: date, today: date) -> int:
    """Whole days until the planned end (0 once it is reached)."""
    return max((end - today).days, 0)


def is_due(end: date, today: date) -> bool:
    """Nothing releases early: due on the planned end day or later."""
    return today >= end


def abnormal_reasons(temperature: Decimal, symptoms: Iterable[str]) -> tuple[str, ...]:
    """('fever',), ('symptoms',), both, or () for a normal reading (37.3 °C or more is fever)."""
    reasons: list[str] = []
    if temperature >= FEVER_THRESHOLD:
        reasons.append("fever")
    if any(s in SYMPTOMS for s in symptoms):
        reasons.append("symptoms")
    return tuple(reasons)

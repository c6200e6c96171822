"""The 14-day rule at its edges, without a database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.quarantine.rules import abnormal_reasons, day_number, days_left, is_due, planned_end

START = date(2020, 2, 10)


def test_planned_end_is_start_plus_14_days():
    assert planned_end(START) == date(2020, 2, 24)
    assert planned_end(date(2020, 2, 20)) == date(2020, 3, 5)  # across 29 February 2020


@pytest.mark.parametrize(
    ("day", "due"), [(0, False), (10, False), (13, False), (14, True), (15, True)]
)
def test_a_case_is_due_on_day_14_and_never_before(day, due):
    today = START + timedelta(days=day)
    assert day_number(START, today) == day
    assert is_due(planned_end(START), today) is due


@pytest.mark.parametrize(("day", "left"), [(0, 14), (10, 4), (13, 1), (14, 0), (20, 0)])
def test_days_left_counts_down_to_zero(day, left):
    assert days_left(planned_end(START), START + timedelta(days=day)) == left


@pytest.mark.parametrize(
    ("temperature", "symptoms", "reasons"),
    [
        ("36.5", [], ()),
        ("37.2", ["none"], ()),
        ("37.3", [], ("fever",)),
        ("39.0", ["cough"], ("fever", "symptoms")),
        ("36.6", ["sore_throat"], ("symptoms",)),
    ],
)
def test_fever_starts_at_37_3_and_any_symptom_counts(temperature, symptoms, reasons):
    assert abnormal_reasons(Decimal(temperature), symptoms) == reasons

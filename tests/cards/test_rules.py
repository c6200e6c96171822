"""The colour rules, as a table."""

from datetime import date
from decimal import Decimal

import pytest

from app.cards.rules import HealthFacts, StatusDecision, assess, next_status

TODAY = date(2020, 2, 20)


def facts(temp="36.5", symptoms=(), contact=False, exposure=None):
    return HealthFacts(Decimal(temp), tuple(symptoms), contact, exposure)


@pytest.mark.parametrize(
    ("case", "expected_status", "expected_reasons", "until"),
    [
        (facts(), "green", (), None),
        (facts("37.2"), "green", (), None),
        (facts("37.3"), "red", ("fever",), None),
        (facts("39.0"), "red", ("fever",), None),
        (facts(symptoms=["cough"]), "red", ("symptoms",), None),
        (facts(symptoms=["diarrhoea", "fatigue"]), "red", ("symptoms",), None),
        (facts(contact=True), "red", ("case_contact",), None),
        (facts("38", ["cough"], True), "red", ("fever", "symptoms", "case_contact"), None),
        # exposure 13 days ago: still one day to go; until = exposure + 14
        (facts(exposure=date(2020, 2, 7)), "yellow", ("hubei_exposure",), date(2020, 2, 21)),
        (facts(exposure=date(2020, 2, 20)), "yellow", ("hubei_exposure",), date(2020, 3, 5)),
        # exposure 14 days ago: the 14 days are over
        (facts(exposure=date(2020, 2, 6)), "green", (), None),
        (facts(exposure=date(2020, 1, 1)), "green", (), None),
        # fever while in quarantine: red, and the quarantine end is kept
        (
            facts("37.5", exposure=date(2020, 2, 15)),
            "red",
            ("fever", "hubei_exposure"),
            date(2020, 2, 29),
        ),
    ],
)
def test_assess(case, expected_status, expected_reasons, until):
    assert assess(case, TODAY) == StatusDecision(expected_status, expected_reasons, until)


GREEN = StatusDecision("green", ())
YELLOW = StatusDecision("yellow", ("hubei_exposure",), date(2020, 3, 1))
RED = StatusDecision("red", ("fever",))


@pytest.mark.parametrize(
    ("current", "assessed", "expected"),
    [
        (None, GREEN, GREEN),
        (GREEN, YELLOW, YELLOW),
        (GREEN, RED, RED),
        (YELLOW, RED, RED),
        # better never happens by itself
        (
            YELLOW,
            GREEN,
            StatusDecision("yellow", ("hubei_exposure", "awaiting_release"), date(2020, 3, 1)),
        ),
        (RED, GREEN, StatusDecision("red", ("fever", "awaiting_clearance"))),
        (RED, YELLOW, StatusDecision("red", ("fever", "awaiting_clearance"))),
        # a later exposure extends the quarantine
        (
            YELLOW,
            StatusDecision("yellow", ("hubei_exposure",), date(2020, 3, 5)),
            StatusDecision("yellow", ("hubei_exposure",), date(2020, 3, 5)),
        ),
    ],
)
def test_next_status(current, assessed, expected):
    assert next_status(current, assessed) == expected

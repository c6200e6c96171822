"""Demo intents load in bulk with their counters, and use only real trades and destinations."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from app.demo import load_demo_data
from app.extensions import db
from app.intents import ledger
from app.intents.demo import OUTBOUND, TRADE_WEIGHTS, load_demo
from app.intents.destinations import is_gbt2260
from app.intents.models import DestinationRule, EmploymentIntent
from app.jobs.trades import TRADE_CODES


def test_demo_intents_come_with_correct_counters(app):
    load_demo_data(workers=300, seed=5)
    counts = load_demo(random.Random(5), intents=250)
    assert counts["intents"] == 250
    assert counts["destination_rules"] >= 5
    assert db.session.scalar(select(func.count(EmploymentIntent.id))) == 250
    assert ledger.differences(db.session) == []
    again = load_demo(random.Random(6), intents=5000)  # only workers without an intent
    assert again["intents"] > 0 and again["destination_rules"] == 0
    assert db.session.scalar(select(func.count(EmploymentIntent.id))) == 250 + again["intents"]
    assert load_demo(random.Random(7), intents=10)["intents"] == 0
    assert db.session.scalar(select(func.count(DestinationRule.id))) == counts["destination_rules"]


def test_demo_rules_show_whatever_day_the_demo_runs(app):
    from datetime import date

    from app.intents.destination_rules import rules_for

    load_demo_data(workers=20, seed=3)
    load_demo(random.Random(3), intents=5)
    for today in (date(2020, 2, 24), date(2026, 11, 29)):
        assert [r.destination_code for r in rules_for("440300", today=today)] == [
            "440300",
            "440000",
        ]


def test_demo_uses_known_trades_and_valid_destinations():
    assert set(TRADE_WEIGHTS) <= set(TRADE_CODES)
    assert all(is_gbt2260(code) for code in OUTBOUND)


def test_demo_history_rows_carry_a_snapshot(app):
    from app.intents.models import IntentChange

    load_demo_data(workers=20, seed=2)
    load_demo(random.Random(2), intents=5)
    change = db.session.scalars(select(IntentChange)).first()
    intent = db.session.get(EmploymentIntent, change.intent_id)
    assert change.action == "created"
    assert change.snapshot["destination_code"] == intent.destination_code
    assert change.snapshot["trade"] == intent.trade


def test_the_cli_checks_and_rebuilds_the_counters(app, runner):
    from app.intents.models import LedgerCount

    load_demo_data(workers=30, seed=3)
    load_demo(random.Random(3), intents=20)
    assert "match" in runner.invoke(args=["intents", "check-ledger"]).output
    db.session.query(LedgerCount).delete()  # counters lost: the check must notice
    db.session.commit()
    broken = runner.invoke(args=["intents", "check-ledger"])
    assert broken.exit_code == 1 and "differ" in broken.output
    assert "rebuilt" in runner.invoke(args=["intents", "rebuild-ledger"]).output
    assert runner.invoke(args=["intents", "check-ledger"]).exit_code == 0

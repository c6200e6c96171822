"""Demo data: cases at every stage, fast."""

import random
from datetime import UTC, datetime

import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.quarantine.demo import load_demo
from app.quarantine.models import QuarantineCase
from app.quarantine.services import cases_in, summary
from app.timeutil import local_today


def test_demo_cases_fill_every_list(app):
    with time_machine.travel(datetime(2020, 2, 24, 8, tzinfo=UTC), tick=False):
        counts = load_demo(random.Random(3), cases=120, due=30)
        db.session.commit()
        today = local_today()
        assert counts["quarantine_cases"] == 150 and counts["quarantine_checks"] > 1000
        due = db.session.scalar(
            select(func.count()).select_from(cases_in("430700", "due", today).subquery())
        )
        assert due == 30  # ongoing cases are on days 0 to 13: never due
        total, children = summary("430700", today)
        assert total.open == 150 and total.due_today == due
        assert total.missing_checks > 0 and total.referred == counts["quarantine_referred"]
        assert sum(row.open for row in children) == 150
        assert db.session.scalar(select(func.count(QuarantineCase.id))) == 150

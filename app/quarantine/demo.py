"""Demo quarantine cases: people at every stage of observation, with their daily readings.

`load_demo(rng, cases=200, due=50)` adds `cases` open cases between day 0 and day 13 (a few with
a fever and referred, a few with today's check missing) and `due` cases past day 14 with clean
readings, i.e. the 今日可解除隔离 list. Bulk inserts; workers are taken from those who have no
colour yet, and added (app.demo.add_random_workers) when there are too few.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from app.accounts.models import User, UserRole
from app.cards.models import HealthStatus
from app.extensions import db
from app.quarantine.models import QuarantineCase, QuarantineCheck
from app.quarantine.rules import planned_end
from app.regions.models import Region
from app.timeutil import local_midnight, local_today, utcnow

BATCH = 2000


def _free_workers(count: int, rng: random.Random) -> list[tuple[int, str]]:
    """(user id, village code) of `count` workers living in a village who have no colour yet."""
    from app.demo import add_random_workers

    def query() -> list[tuple[int, str]]:
        rows = db.session.execute(
            select(User.id, User.region_code)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Region, Region.code == User.region_code)
            .outerjoin(HealthStatus, HealthStatus.user_id == User.id)
            .where(
                UserRole.role == "worker", Region.level == "village", HealthStatus.user_id.is_(None)
            )
            .order_by(User.id)
            .limit(count)
        ).all()
        return [(r[0], r[1]) for r in rows]

    found = query()
    if len(found) < count:
        add_random_workers(count - len(found), rng)
        found = query()
    return found


def _reading(rng: random.Random) -> Decimal:
    return Decimal(f"{rng.uniform(36.0, 37.1):.1f}")


def load_demo(rng: random.Random, *, cases: int = 0, due: int = 0) -> dict[str, int]:
    """Add `cases` ongoing and `due` releasable cases; returns the counts added."""
    now = utcnow()
    today = local_today(now)
    people = _free_workers(cases + due, rng)
    plan = [(uid, village, rng.randint(0, 13), False) for uid, village in people[:cases]]
    plan += [(uid, village, rng.randint(14, 16), True) for uid, village in people[cases:]]
    added = {"quarantine_cases": 0, "quarantine_checks": 0, "quarantine_referred": 0}
    for start_index in range(0, len(plan), BATCH):
        part = plan[start_index : start_index + BATCH]
        case_rows, status_rows, fevers = [], [], {}
        for uid, village, days_ago, is_due in part:
            start = today - timedelta(days=days_ago)
            fever_day = None
            if not is_due and days_ago > 0 and rng.random() < 0.03:
                fever_day = start + timedelta(days=rng.randint(1, days_ago))
            fevers[uid] = fever_day
            case_rows.append(
                {
                    "user_id": uid,
                    "state": "open",
                    "origin": "declaration",
                    "start_date": start,
                    "planned_end_date": planned_end(start),
                    "place": rng.choice(("home", "home", "home", "hotel", "facility")),
                    "village_code": village,
                    "opened_dt": local_midnight(start) + timedelta(hours=rng.randint(8, 20)),
                    "referred_dt": local_midnight(fever_day) + timedelta(hours=9)
                    if fever_day
                    else None,
                    "referral_reasons": ["fever"] if fever_day else [],
                }
            )
            status_rows.append(
                {
                    "user_id": uid,
                    "status": "red" if fever_day else "yellow",
                    "reasons": ["fever"] if fever_day else ["hubei_exposure"],
                    "quarantine_until": planned_end(start),
                    "updated_dt": now,
                }
            )
        ids = db.session.scalars(
            insert(QuarantineCase).returning(QuarantineCase.id, sort_by_parameter_order=True),
            case_rows,
        )
        db.session.execute(insert(HealthStatus), status_rows)
        check_rows = []
        for case_id, row in zip(ids.all(), case_rows, strict=True):
            fever_day = fevers[row["user_id"]]
            day = row["start_date"]
            while day <= today:
                if day < today and rng.random() < 0.1 and not row["planned_end_date"] <= today:
                    day += timedelta(days=1)  # a missed day
                    continue
                if day == today and rng.random() < 0.4:
                    break  # not checked yet today
                abnormal = day == fever_day
                check_rows.append(
                    {
                        "case_id": case_id,
                        "check_date": day,
                        "temperature": Decimal("38.3") if abnormal else _reading(rng),
                        "symptoms": [],
                        "abnormal": abnormal,
                        "source": rng.choice(("self", "self", "staff")),
                        "recorded_dt": min(local_midnight(day) + timedelta(hours=9), now),
                    }
                )
                if abnormal:
                    break
                day += timedelta(days=1)
        if check_rows:
            db.session.execute(insert(QuarantineCheck), check_rows)
        added["quarantine_cases"] += len(case_rows)
        added["quarantine_checks"] += len(check_rows)
        added["quarantine_referred"] += sum(1 for f in fevers.values() if f)
    db.session.flush()
    return added

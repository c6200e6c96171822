"""The ledger counters equal a brute-force count of the intents, whatever happened to them.

Random workers register, change, withdraw and re-register intents, leave, get certificates
and lose them when their colour changes; after all of it (on SQLite and on PostgreSQL) every
counter row equals a recount in plain Python, a bulk rebuild writes the same rows, and the
ledger API answers what a brute-force aggregation of the intents answers.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.cards.rules import StatusDecision
from app.cards.services import set_status
from app.errors import DomainError
from app.extensions import db
from app.intents import ledger
from app.intents.certificates import issue_certificate
from app.intents.destinations import city_of
from app.intents.models import EmploymentIntent
from app.intents.services import IntentData, save_intent, set_departed, withdraw
from app.regions.models import Region
from app.regions.services import villages
from tests.intents.factories import T0, TODAY, staff_of, worker_in

DESTINATIONS = ("440300", "441900", "440100", "330100", "320500", "310000", "440305", "510100")
TRADES = ("electronics", "construction", "manufacturing", "logistics")


def random_form(rng: random.Random) -> IntentData:
    local = rng.random() < 0.15
    arranged = rng.random() < 0.5
    return IntentData(
        kind="local" if local else "outbound",
        destination_code=rng.choice(("430702", "430703")) if local else rng.choice(DESTINATIONS),
        trade=rng.choice(TRADES),
        job_arranged=arranged,
        employer_name="某电子厂" if arranged else None,
        departure_date=None if rng.random() < 0.2 else TODAY + timedelta(days=rng.randrange(0, 9)),
        needs_transport=rng.random() < 0.4,
        needs_certificate=rng.random() < 0.6,
    )


@pytest.fixture
def history(app):
    """40 workers in nine villages and 250 random changes, committed."""
    rng = random.Random(7)
    places = [v.code for v in villages("430702")] + [v.code for v in villages("430703")][:3]
    staff = staff_of("430700")
    workers = [worker_in(rng.choice(places)) for _ in range(40)]
    now = T0
    for step in range(250):
        now += timedelta(minutes=7)
        user = rng.choice(workers)
        intent = db.session.scalars(
            select(EmploymentIntent).where(EmploymentIntent.user_id == user.id)
        ).first()
        action = rng.random()
        try:
            if intent is None or not intent.active or action < 0.35:
                save_intent(user, random_form(rng), actor=user, now=now)
            elif action < 0.5:
                withdraw(intent, actor=user, now=now)
            elif action < 0.65:
                set_departed(intent, rng.random() < 0.8, actor=staff, now=now)
            elif action < 0.92:
                issue_certificate(intent, staff=staff, now=now)
            else:  # the colour changes: any certificate is revoked with the card
                colour = rng.choice(("red", "green"))
                reasons = ("fever",) if colour == "red" else ()
                set_status(user, StatusDecision(colour, reasons), cause="clearance", now=now)
            db.session.commit()
        except DomainError:
            db.session.rollback()
        if step % 100 == 99:  # a failed transaction in the middle must leave no trace
            save_intent(user, random_form(rng), actor=user, now=now)
            db.session.rollback()
    return staff


def test_counters_equal_a_brute_force_recount(history):
    kept = ledger.counters(db.session)
    recount = ledger.brute_force(ledger.intents_as_values(db.session))
    assert kept == recount
    assert ledger.differences(db.session) == []
    # The history really exercised every status.
    totals = dict(
        zip(
            ledger.MEASURES,
            ledger.add_up(
                v for k, v in kept.items() if k[0] == ledger.ANY_TRADE and k[1] == ledger.ANY_DAY
            ),
            strict=True,
        )
    )
    assert totals["intents"] > 15
    assert all(totals[flag] > 0 for flag in ledger.FLAGS), totals

    written = ledger.rebuild(db.session)  # what a bulk load does: the same rows
    db.session.commit()
    assert ledger.counters(db.session) == kept
    assert written == len(kept)  # the figure `flask ledger rebuild` prints, on either engine


def brute_ledger(region: str, *, trade=None, start=None, end=None) -> Counter:
    """Outbound intents per (township, city-level destination), counted from the intents."""
    region_row = db.session.get(Region, region)
    paths = dict(db.session.execute(select(Region.code, Region.path)).all())
    out: Counter = Counter()
    for intent in db.session.scalars(select(EmploymentIntent)):
        if not intent.active or intent.kind != "outbound":
            continue
        if not paths[intent.origin_village_code].startswith(region_row.path):
            continue
        if trade and intent.trade != trade:
            continue
        if (start or end) and intent.departure_date is None:
            continue
        if start and intent.departure_date < start or end and intent.departure_date > end:
            continue
        township = paths[intent.origin_village_code].strip("/").split("/")[3]
        out[(township, city_of(intent.destination_code))] += 1
    return out


QUERIES = [
    ("430700", {}),
    ("430702", {}),
    ("430702", {"trade": "electronics"}),
    ("430700", {"start": date(2020, 2, 22), "end": date(2020, 3, 1)}),
    ("430702", {"trade": "construction", "start": date(2020, 2, 25)}),
]


def test_the_ledger_api_answers_what_brute_force_answers(history, client, login):
    login(history)  # the city official
    for region, params in QUERIES:
        query = {"region": region, "group": "township"}
        if "trade" in params:
            query["trade"] = params["trade"]
        if "start" in params:
            query["departure_from"] = params["start"].isoformat()
        if "end" in params:
            query["departure_to"] = params["end"].isoformat()
        body = client.get("/api/v1/ledger", query_string=query).get_json()
        answered = Counter(
            {
                (c["origin_code"], c["destination_code"]): c["counts"]["intents"]
                for c in body["cells"]
            }
        )
        expected = brute_ledger(region, **params)
        assert answered == expected, (region, params)
        assert body["totals"]["intents"] == sum(expected.values())

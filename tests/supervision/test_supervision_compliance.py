"""The ranked list: its figures equal a brute-force count of the scans and cases themselves,
worst first, with the week-on-week trend; the counters ingest keeps never drift."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.checkpoints.demo import load_demo
from app.checkpoints.models import Checkpoint, CheckpointScan
from app.extensions import db
from app.regions.models import Region
from app.supervision import counters
from app.supervision.models import CheckpointDay
from app.timeutil import app_tz
from tests.checkpoints.factories import decision_item, make_volunteer, scan_item, verdict
from tests.factories import make_user
from tests.supervision.bruteforce import brute_force
from tests.supervision.factories import T0, complain, wuling_gate

TODAY = T0.astimezone(app_tz()).date()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def counter_rows() -> dict:
    return {
        (r.checkpoint_id, r.day): tuple(getattr(r, n) for n in counters.FIELDS)
        for r in db.session.scalars(select(CheckpointDay))
    }


def test_the_counters_ingest_keeps_equal_a_recount_of_the_scans(app, login, clock):
    gate, other = wuling_gate(), wuling_gate("新民村西口卡点")
    volunteer = make_volunteer(gate)
    from tests.checkpoints.factories import assign

    assign(volunteer, other)
    phone = login(volunteer, on=app.test_client())
    rng = random.Random(5)
    sent = []
    for day in range(3):
        items = []
        for _ in range(40):
            status = rng.choice(["green", "green", "green", "yellow", "red"])
            kind = rng.choice(["FG1", "FG1", "HC1"])
            valid = rng.random() > 0.1
            item = scan_item(
                rng.choice([gate.id, other.id]),
                at=T0 - timedelta(days=day, hours=rng.randrange(8)),
                verdict=verdict(
                    valid=valid, status=status, kind=kind, reason="ok" if valid else "expired"
                ),
            )
            items.append(item)
            choice = rng.random()
            if choice < 0.4:
                items.append(decision_item(item["uuid"], "admit"))
            elif choice < 0.8:
                items.append(decision_item(item["uuid"], "refuse", reason="identity_mismatch"))
        sent += items
        assert phone.post("/api/v1/checkpoints/sync", json={"items": items}).status_code == 200
    # A lost answer: the phone sends everything again; nothing may be counted twice.
    assert phone.post("/api/v1/checkpoints/sync", json={"items": sent[:200]}).status_code == 200
    kept = counter_rows()
    assert sum(v[0] for v in kept.values()) == 120
    counters.recount()
    db.session.commit()
    assert counter_rows() == kept
    # And the recount is what the scans say.
    scans = db.session.scalars(select(CheckpointScan)).all()
    assert sum(v[3] + v[2] for v in kept.values()) == sum(s.decision is not None for s in scans)
    assert sum(v[4] for v in kept.values()) == sum(s.flagged for s in scans)


@pytest.fixture
def a_fortnight(app, login, clock):
    """Demo scans at every demo village over 14 days, and complaints, some closed."""
    make_volunteer()
    load_demo(random.Random(3), scans=4000, days=14)
    counters.recount()
    db.session.commit()
    gates = db.session.scalars(select(Checkpoint).order_by(Checkpoint.id)).all()
    clock.move_to(T0 - timedelta(days=13))  # a session signed "in the future" is refused
    worker = login(make_user(roles=("worker",)), on=app.test_client())
    city = login(make_user(roles=("official",), region_code="430700"), on=app.test_client())
    rng = random.Random(4)
    for back in (12, 9, 5, 3, 1, 0):
        clock.move_to(T0 - timedelta(days=back))
        for gate in rng.sample(gates, 8):
            filed = complain(worker, gate.id).get_json()
            assert "case_id" in filed, filed
            case_id = filed["case_id"]
            if back and rng.random() < 0.5:  # the clock only goes forward: sessions are signed
                clock.shift(timedelta(hours=rng.randrange(1, 3), minutes=rng.randrange(60)))
                response = city.post(
                    f"/api/v1/supervision/cases/{case_id}/close", json={"resolution": "已处理"}
                )
                assert response.status_code in (200, 409), response.get_json()
    return city


@pytest.mark.parametrize(
    ("scope", "level"),
    [("430702", "village"), ("430702", "checkpoint"), ("430700", "village"), ("430700", "county")],
)
def test_the_ranked_list_equals_a_brute_force_count(app, login, a_fortnight, scope, level):
    official = (
        a_fortnight
        if scope == "430700"
        else login(make_user(roles=("official",), region_code=scope), on=app.test_client())
    )
    response = official.get(
        "/api/v1/supervision/compliance",
        query_string={"region": scope, "level": level, "limit": 1000},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    expected = brute_force(scope, level, TODAY, T0)
    assert body["total"] == len(expected) > 0
    assert [i["key"] for i in body["items"]] == [r["key"] for r in expected]
    for item, row in zip(body["items"], expected, strict=True):
        for week, name in (("this_week", "this"), ("last_week", "last")):
            assert item[week] == row["weeks"][name], (item["key"], week)
    assert body["this_week"] == {"start": "2020-02-14", "end": "2020-02-20"}
    assert body["last_week"] == {"start": "2020-02-07", "end": "2020-02-13"}
    assert any(i["this_week"]["refused_valid"] for i in body["items"])
    assert any(i["this_week"]["median_close_hours"] for i in body["items"])


def test_worst_first_with_the_trend(app, login, clock):
    good, bad = wuling_gate("东口卡点"), wuling_gate("西口卡点")
    bad.village_code = db.session.scalars(
        select(Region.code)
        .where(Region.level == "village", Region.code.startswith("430702"))
        .order_by(Region.code.desc())
    ).first()
    db.session.commit()
    volunteer = make_volunteer(good)
    from tests.checkpoints.factories import assign

    assign(volunteer, bad)
    phone = login(volunteer, on=app.test_client())

    def day_at(gate, at, refused, admitted):
        items = []
        for n in range(refused + admitted):
            item = scan_item(gate.id, at=at)
            items += [
                item,
                decision_item(
                    item["uuid"],
                    "refuse" if n < refused else "admit",
                    reason="identity_mismatch" if n < refused else None,
                ),
            ]
        phone.post("/api/v1/checkpoints/sync", json={"items": items})

    last_week = T0 - timedelta(days=8)
    day_at(good, last_week, refused=2, admitted=8)  # 20 % refused last week
    day_at(good, T0, refused=1, admitted=9)  # 10 % this week: better
    day_at(bad, last_week, refused=1, admitted=9)  # 10 % last week
    day_at(bad, T0, refused=3, admitted=7)  # 30 % this week: worse
    county = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    body = county.get("/api/v1/supervision/compliance").get_json()
    assert body["level"] == "village"
    first, second = body["items"][:2]
    assert first["key"] == bad.village_code
    assert (
        first["this_week"]["refused_valid_permille"],
        first["trend"],
        first["permille_change"],
    ) == (300, "worse", 200)
    assert (
        second["this_week"]["refused_valid_permille"],
        second["trend"],
        second["permille_change"],
    ) == (100, "better", -100)
    assert first["rank"] == 1 and second["rank"] == 2


def test_an_official_ranks_only_their_own_region(app, login):
    county = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    assert county.get("/api/v1/supervision/compliance?region=430703").status_code == 403
    assert county.get("/api/v1/supervision/compliance?region=430700").status_code == 403
    worker = login(make_user(roles=("worker",)), on=app.test_client())
    assert worker.get("/api/v1/supervision/compliance").status_code == 403

"""Erasure leaves the aggregates intact: the ledger's counts by region, the checkpoints' day
counters, subsidy totals, transport counts and the public figures read the same before and
after, on both engines.

Two live figures move, by exactly the erased person, because they count *valid cards* and the
cards are revoked: valid green cards on the public page, and the ledger's "with a certificate"
column (a revoked certificate no longer counts there, whatever revoked it). docs/privacy.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.cards.services import current_card
from app.checkpoints.supervision import daily_counts
from app.extensions import db
from app.intents import ledger
from app.jobs.models import JobPosting
from app.privacy import services
from app.publicity.figures import public_figures
from app.quarantine.models import QuarantineCase
from app.subsidies.models import SubsidyBudget, TestBatch, TestBatchPerson
from app.supervision.models import CheckpointDay
from app.transport.figures import trips_completed
from app.transport.models import Passenger, TransportRequest
from app.transport.services import worker_counts
from tests.intents.factories import add_intent, worker_in
from tests.privacy.factories import T0, erasure_code, worker_with_everything


def aggregates(checkpoint_ids: list[int]) -> dict[str, Any]:
    """Every count the officials, the ranked list and the public page are made from."""
    day = T0.date()
    requests = list(db.session.scalars(select(TransportRequest.id)))
    return {
        "ledger": ledger.counters(db.session),
        "checkpoint_days": sorted(
            (d.checkpoint_id, d.day, d.scans, d.passes, d.admitted, d.refused, d.refused_valid)
            for d in db.session.scalars(select(CheckpointDay))
        ),
        "checkpoint_stats": {
            k: dict(v) for k, v in daily_counts(db.session, checkpoint_ids, day, day).items()
        },
        "subsidy_batches": sorted(
            (b.id, b.people_count, b.cost_fen, len(b.people))
            for b in db.session.scalars(select(TestBatch))
        ),
        "subsidy_people": db.session.scalar(select(func.count()).select_from(TestBatchPerson)),
        "budgets": sorted(
            (b.region_code, b.balance_fen, b.approved_fen, b.paid_fen)
            for b in db.session.scalars(select(SubsidyBudget))
        ),
        "trips_completed": (trips_completed(None), trips_completed("430702")),
        "batches": worker_counts(requests),
        "passengers": dict(
            db.session.execute(
                select(Passenger.state, func.count()).group_by(Passenger.state)
            ).all()
        ),
        "hired_count": sorted(
            db.session.execute(select(JobPosting.id, JobPosting.hired_count)).tuples()
        ),
        "quarantine": sorted(
            db.session.execute(
                select(QuarantineCase.village_code, QuarantineCase.state, func.count()).group_by(
                    QuarantineCase.village_code, QuarantineCase.state
                )
            ).all()
        ),
        "public": public_figures(),
        "public_wuling": public_figures("430702"),
    }


def _without(figures: dict[str, Any], name: str) -> dict[str, Any]:
    """The public figures with one figure left out of every area."""

    def area(a: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in a.items() if k != name}

    return {
        "city": area(figures["city"]),
        "counties": [area(c) for c in figures["counties"]],
        "villages": [area(v) for v in figures["villages"]],
    }


def test_erasure_leaves_every_aggregate_as_it_was(app, client_of):
    app.config["PUBLIC_MIN_COUNT"] = 1  # show every count, however small
    worker = worker_with_everything(client_of)
    neighbour = worker_in(worker.user.region_code, name="赵国强")  # someone else counted too
    add_intent(neighbour)
    current_card(neighbour, now=T0)
    db.session.commit()
    checkpoints = [worker.checkpoint.id]
    before = aggregates(checkpoints)
    assert before["checkpoint_days"] and before["subsidy_people"] == 1
    assert before["trips_completed"] == (1, 1) and before["passengers"] == {"arrived": 1}

    services.send_erasure_code(worker.user)
    services.erase(worker.user, erasure_code(app, worker.phone))
    db.session.commit()
    db.session.expire_all()
    after = aggregates(checkpoints)

    for name in (
        "checkpoint_days",
        "checkpoint_stats",
        "subsidy_batches",
        "subsidy_people",
        "budgets",
        "trips_completed",
        "batches",
        "passengers",
        "hired_count",
        "quarantine",
    ):
        assert after[name] == before[name], name

    # The ledger: the same intents in the same cells; only the revoked certificate stops
    # counting as "with a certificate", in the four cells of that one intent.
    certified = ledger.MEASURES.index("certified")
    changed = {k for k in before["ledger"] if before["ledger"][k] != after["ledger"].get(k)}
    assert len(changed) == 4 and set(after["ledger"]) == set(before["ledger"])
    for key in changed:
        b, a = before["ledger"][key], after["ledger"][key]
        assert a[certified] == b[certified] - 1
        assert a[:certified] + a[certified + 1 :] == b[:certified] + b[certified + 1 :]
    assert ledger.differences(db.session) == []  # the counters still equal a recount

    # The public page: certificates issued, jobs filled and trips completed are unchanged;
    # valid green cards drop by the one card that is no longer valid.
    for key in ("public", "public_wuling"):
        assert _without(after[key], "valid_green_cards") == _without(
            before[key], "valid_green_cards"
        )
    green_before = before["public"]["city"]["valid_green_cards"]["value"]
    assert green_before == 2
    assert after["public"]["city"]["valid_green_cards"]["value"] == green_before - 1
    assert after["public"]["city"]["certificates_issued"]["value"] == 1
    assert after["public"]["city"]["jobs_filled"]["value"] == 1

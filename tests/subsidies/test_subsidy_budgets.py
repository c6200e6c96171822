"""Budgets per county and for the city, with a ledger; an approval can never overdraw one,
at its exact edge, one yuan over it, or with two officials approving at the same moment."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.subsidies import services
from app.subsidies.models import BudgetEntry, SubsidyApplication, SubsidyBudget
from tests.employers.factories import make_employer
from tests.factories import make_user
from tests.subsidies.factories import (
    DINGCHENG,
    WULING,
    fund,
    make_application,
    make_batch,
    make_policy,
    official,
)


@pytest.fixture
def employer(app):
    make_policy()
    return make_employer()


@pytest.fixture
def reviewer(app, client_of):
    return client_of(official(WULING))


def budget(region_code: str = WULING) -> SubsidyBudget:
    db.session.expire_all()
    return db.session.scalars(
        select(SubsidyBudget).where(SubsidyBudget.region_code == region_code)
    ).one()


def entries(region_code: str = WULING) -> list[tuple[str, int, int]]:
    b = budget(region_code)
    rows = db.session.scalars(
        select(BudgetEntry).where(BudgetEntry.budget_id == b.id).order_by(BudgetEntry.id)
    )
    return [(e.kind, e.amount_fen, e.balance_after_fen) for e in rows]


def application_of(employer, yuan_asked: int):
    """An application that may get exactly `yuan_asked` yuan (rate 80 yuan a person)."""
    assert yuan_asked % 80 == 0
    people = yuan_asked // 80
    return make_application(employer, [make_batch(employer, people=people, cost_fen=10**8)])


def approve(client, application, amount_fen):
    return client.post(
        f"/api/v1/subsidies/applications/{application.id}/approve",
        json={"amount_fen": amount_fen},
    )


def test_an_approval_that_exhausts_the_budget_exactly_is_paid_in_full(employer, reviewer):
    fund(WULING, 80000)
    application = application_of(employer, 800)
    assert approve(reviewer, application, 80000).status_code == 200
    assert budget().balance_fen == 0
    assert entries() == [("allocation", 80000, 80000), ("approval", 80000, 0)]


def test_one_yuan_over_the_balance_is_refused_and_changes_nothing(employer, reviewer):
    fund(WULING, 79900)  # 799 yuan left; the claim is 800
    application = application_of(employer, 800)
    response = approve(reviewer, application, 80000)
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "budget_insufficient"
    assert body["available_fen"] == 79900
    assert "799.00" in body["detail"]
    assert budget().balance_fen == 79900
    assert entries() == [("allocation", 79900, 79900)]
    assert db.session.get(SubsidyApplication, application.id).status == "submitted"
    # The reviewer may still grant what is there.
    assert approve(reviewer, application, 79900).status_code == 200
    assert budget().balance_fen == 0


def test_a_county_without_a_budget_approves_nothing(employer, reviewer):
    response = approve(reviewer, application_of(employer, 80), 8000)
    assert response.status_code == 409
    assert response.get_json()["available_fen"] == 0


def test_the_check_constraint_refuses_a_negative_balance_on_its_own(app):
    fund(WULING, 100)
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE subsidy_budgets SET balance_fen = -1 WHERE region_code = :r"),
            {"r": WULING},
        )
        db.session.flush()
    db.session.rollback()
    assert budget().balance_fen == 100


def test_an_overdraft_reaching_the_database_is_a_409_not_a_500(app):
    """The last guard, for when the balance read before the lock was stale (SQLite)."""
    b = fund(WULING, 100)
    services._move(b, balance=-101)
    with pytest.raises(services.BudgetInsufficient) as refused:
        services._flush_within_balance(b)
    assert refused.value.extra["available_fen"] == 100
    db.session.rollback()
    assert budget().balance_fen == 100


def test_payment_is_recorded_and_leaves_the_balance(employer, reviewer):
    fund(WULING, 100000)
    application = application_of(employer, 800)
    approve(reviewer, application, 80000)
    response = reviewer.post(f"/api/v1/subsidies/applications/{application.id}/paid")
    assert response.status_code == 200
    assert response.get_json()["status"] == "paid"
    b = budget()
    assert (b.balance_fen, b.approved_fen, b.paid_fen) == (20000, 80000, 80000)
    assert entries()[-1] == ("payment", 80000, 20000)
    again = reviewer.post(f"/api/v1/subsidies/applications/{application.id}/paid")
    assert again.status_code == 409


def test_the_city_transfers_to_a_county_and_never_below_zero(app, client_of):
    city = client_of(official("430700"))
    assert (
        city.post(
            "/api/v1/subsidies/budgets/allocations",
            json={"region_code": "430700", "amount_fen": 1_000_000, "note": "市级财政"},
        ).status_code
        == 201
    )
    moved = city.post(
        "/api/v1/subsidies/budgets/allocations",
        json={"region_code": WULING, "amount_fen": 600_000, "from_city": True},
    )
    assert moved.status_code == 201
    assert moved.get_json()["balance_fen"] == 600_000
    over = city.post(
        "/api/v1/subsidies/budgets/allocations",
        json={"region_code": DINGCHENG, "amount_fen": 400_001, "from_city": True},
    )
    assert over.status_code == 409
    assert over.get_json()["code"] == "budget_insufficient"
    assert budget("430700").balance_fen == 400_000
    assert entries("430700") == [
        ("allocation", 1_000_000, 1_000_000),
        ("transfer_out", 600_000, 400_000),
    ]
    assert entries(WULING) == [("transfer_in", 600_000, 600_000)]
    listed = city.get("/api/v1/subsidies/budgets").get_json()["items"]
    # The refused transfer left nothing behind, not even an empty budget for Dingcheng.
    assert {b["region"]["code"]: b["balance_fen"] for b in listed} == {
        "430700": 400_000,
        WULING: 600_000,
    }


def test_county_officials_fund_and_see_only_their_own_budget(app, client_of):
    fund(DINGCHENG, 5000)
    county = client_of(official(WULING))
    ok = county.post(
        "/api/v1/subsidies/budgets/allocations", json={"region_code": WULING, "amount_fen": 5000}
    )
    assert ok.status_code == 201
    for body in (
        {"region_code": DINGCHENG, "amount_fen": 5000},
        {"region_code": WULING, "amount_fen": 5000, "from_city": True},
    ):
        assert county.post("/api/v1/subsidies/budgets/allocations", json=body).status_code == 403
    listed = county.get("/api/v1/subsidies/budgets").get_json()["items"]
    assert [b["region"]["code"] for b in listed] == [WULING]
    other = budget(DINGCHENG)
    assert county.get(f"/api/v1/subsidies/budgets/{other.id}/entries").status_code == 404
    own = county.get(f"/api/v1/subsidies/budgets/{budget(WULING).id}/entries").get_json()
    assert [e["kind"] for e in own["items"]] == ["allocation"]
    worker = client_of(make_user(roles=("worker",)))
    assert worker.get("/api/v1/subsidies/budgets").status_code == 403


@pytest.mark.parametrize("amount", [0, -100, 1.5, "100"])
def test_allocations_are_whole_positive_fen(app, client_of, amount):
    city = client_of(official("430700"))
    response = city.post(
        "/api/v1/subsidies/budgets/allocations",
        json={"region_code": WULING, "amount_fen": amount},
    )
    assert response.status_code == 422


def test_budgets_belong_to_the_city_or_a_county(app, client_of):
    from tests.factories import village_in

    city = client_of(official("430700"))
    response = city.post(
        "/api/v1/subsidies/budgets/allocations",
        json={"region_code": village_in(WULING), "amount_fen": 100},
    )
    assert response.status_code == 422


def test_two_approvals_racing_for_the_last_money_one_wins_one_gets_409(
    app, employer, client_of, monkeypatch
):
    """Both requests have read the application and the budget before either draws on it: the
    row lock makes the second wait, then see what the first left."""
    fund(WULING, 100_000)  # 1,000 yuan; each claim wants 800
    first, second = application_of(employer, 800), application_of(employer, 800)
    clients = [client_of(official(WULING)), client_of(official(WULING))]
    both_read = threading.Barrier(2, timeout=20)
    original = services.reviewable_application

    def read_then_wait(actor, application_id):
        found = original(actor, application_id)
        services.budget_for(found.county_code)  # each has seen the full balance
        both_read.wait()
        return found

    monkeypatch.setattr(services, "reviewable_application", read_then_wait)
    results: dict[int, object] = {}

    def run(index, application_id):
        results[index] = clients[index].post(
            f"/api/v1/subsidies/applications/{application_id}/approve", json={"amount_fen": 80000}
        )

    ids = (first.id, second.id)
    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [200, 409], [r.get_json() for r in results.values()]
    loser = next(r for r in results.values() if r.status_code == 409)
    assert loser.get_json()["code"] == "budget_insufficient"
    b = budget()
    assert b.balance_fen == 20_000 >= 0
    assert b.approved_fen == 80_000
    assert [kind for kind, *_ in entries()] == ["allocation", "approval"]
    decided = db.session.scalars(
        select(SubsidyApplication.status).order_by(SubsidyApplication.id)
    ).all()
    assert sorted(decided) == ["approved", "submitted"]

"""Transport tests: frozen time (10:00 in Changde on 20 February 2020) and a client per person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client_of(app, login):
    """client_of(user): a test client of its own, logged in as `user`."""

    def _client(user):
        return login(user, on=app.test_client())

    return _client


@pytest.fixture
def employer(app):
    from tests.employers.factories import make_employer

    return make_employer(region_code="430702")


@pytest.fixture
def staff(employer):
    from tests.employers.factories import owner_of

    return owner_of(employer)


@pytest.fixture
def wuling_official(app):
    from tests.factories import make_user

    return make_user(roles=("official",), region_code="430702", username="wuling-official")


@pytest.fixture
def other_official(app):
    """An official of another county (鼎城区): not the deciding side of Wuling's requests."""
    from tests.factories import make_user

    return make_user(roles=("official",), region_code="430703", username="dingcheng-official")


@pytest.fixture
def setup(employer, staff, wuling_official):
    """A trip with 3 green passengers and one red, each holding a phone card."""
    from app.cards.services import issue
    from app.extensions import db
    from tests.transport.factories import crew, make_request, make_trip, make_workers

    greens = make_workers(employer, 3)
    red = make_workers(employer, 1, status="red")[0]
    batch = make_request(employer, staff, greens + [red], approve_by=wuling_official)
    escort, medic = crew()
    trip = make_trip(staff, batch, escort, medic)
    cards = {w.id: issue(w, "card").card_id for w in greens + [red]}
    db.session.commit()
    by_user = {p.user_id: p.id for p in trip.passengers}
    return {
        "trip": trip.id,
        "request": batch.id,
        "escort": escort,
        "medic": medic,
        "greens": [(by_user[w.id], cards[w.id]) for w in greens],
        "red": (by_user[red.id], cards[red.id]),
    }

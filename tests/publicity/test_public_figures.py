"""The public page: no login, live aggregates only, no figure below the threshold for any
village (nor one a county total would give away), trips from the transport domain if any."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.cards.models import HealthCard
from app.extensions import db
from app.regions.services import villages
from app.timeutil import utcnow
from tests.factories import make_user

WULING = "430702"


def card_holders(village: str, count: int, *, card_type: str = "card", status: str = "green"):
    """`count` people of a village, each holding a signed card (rows made directly)."""
    now = utcnow()
    people = []
    for _ in range(count):
        user = make_user(roles=("worker",), region_code=village)
        db.session.add(
            HealthCard(
                card_id=f"{user.id:016x}",
                user_id=user.id,
                card_type=card_type,
                status=status,
                reasons=[],
                name_masked="张*",
                id_last4="1234",
                issued_dt=now,
                expires_dt=now + timedelta(hours=24),
                kid="k",
                qr_text="FG1:x",
            )
        )
        people.append(user)
    db.session.commit()
    return people


@pytest.fixture
def wuling_villages(app):
    found = [v.code for v in villages(WULING)]
    assert len(found) >= 3
    return found


def figure(area, name):
    return area[name]["value"] if not area[name]["suppressed"] else None


def test_the_page_needs_no_login_and_shows_aggregates(client, wuling_villages):
    card_holders(wuling_villages[0], 12)
    card_holders(wuling_villages[1], 11, card_type="certificate")
    response = client.get("/api/v1/public/figures")
    assert response.status_code == 200
    body = response.get_json()
    assert figure(body["city"], "valid_green_cards") == 12
    assert figure(body["city"], "certificates_issued") == 11
    wuling = next(c for c in body["counties"] if c["code"] == WULING)
    assert figure(wuling, "valid_green_cards") == 12
    assert body["city"]["jobs_filled"] == {"value": None, "suppressed": True}  # 0 < 10
    page = client.get("/changde")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "<script" not in page.get_data(as_text=True)  # nothing to run on a weak phone
    assert 'data-figure="valid_green_cards"' in page.get_data(as_text=True)


def test_no_personal_data_reaches_the_page(client, wuling_villages):
    people = card_holders(wuling_villages[0], 12)
    text = client.get(f"/changde?county={WULING}").get_data(as_text=True)
    text += client.get("/api/v1/public/figures").get_data(as_text=True)
    for person in people:
        assert person.name not in text and person.phone not in text
        assert person.name[0] + "*" not in text  # not even a masked name


def test_a_village_below_the_threshold_is_withheld_and_so_is_its_cover(client, wuling_villages):
    a, b, c = wuling_villages[:3]
    card_holders(a, 30)
    card_holders(b, 15)
    card_holders(c, 3)  # below 10
    body = client.get("/api/v1/public/figures").get_json()
    county = next(x for x in body["counties"] if x["code"] == WULING)
    assert figure(county, "valid_green_cards") == 48
    page = client.get(f"/changde?county={WULING}").get_data(as_text=True)
    assert re.search(rf'data-area="{c}">.*?&lt;10', page, re.S)
    # Other villages of the county are withheld (0 people): C is not alone, so totals can't
    # reveal it. Were it alone, the smallest shown would go as well (below).
    from app.publicity.figures import Area, _complementary

    areas = [Area("a", "", ""), Area("b", "", ""), Area("c", "", "")]
    for area, n in zip(areas, (30, 15, 3), strict=True):
        area.counts = {"valid_green_cards": n}
    areas[2].withheld.add("valid_green_cards")
    _complementary(areas)
    assert [x.code for x in areas if x.withheld] == ["b", "c"]


def test_no_village_figure_below_the_threshold_is_ever_shown(client, wuling_villages):
    for index, village in enumerate(wuling_villages):
        card_holders(village, index * 4 + 1)  # 1, 5, 9, 13, ...
    page = client.get(f"/changde?county={WULING}").get_data(as_text=True)
    numbers = [int(n.replace(",", "")) for n in re.findall(r"<td>([\d,]+)</td>", page)]
    assert numbers and all(n >= 10 for n in numbers)


def test_trips_come_from_the_transport_domain(client, monkeypatch, app):
    from app.transport import figures

    body = client.get("/api/v1/public/figures").get_json()
    # No trip has arrived yet: a count below the threshold is not shown.
    assert body["city"]["trips_completed"] == {"value": None, "suppressed": True}

    asked = []

    def trips_completed(region_code=None):
        asked.append(region_code)
        return 120 if region_code is None else 12

    monkeypatch.setattr(figures, "trips_completed", trips_completed)
    body = client.get("/api/v1/public/figures").get_json()
    assert body["city"]["trips_completed"] == {"value": 120, "suppressed": False}
    assert body["counties"][0]["trips_completed"]["value"] == 12
    assert None in asked and WULING in asked
    assert 'data-figure="trips_completed"' in client.get("/changde").get_data(as_text=True)


def test_the_poster_prints_the_figures_with_a_qr_code(client, wuling_villages):
    card_holders(wuling_villages[0], 10)
    response = client.get("/changde/poster")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html and "<script" not in html
    assert re.search(r'data-figure="valid_green_cards">\s*<b>10</b>', html)
    css = client.get("/changde/static/figures.css").get_data(as_text=True)
    assert "@media print" in css and "size:A4" in css


def test_the_page_is_small(client, wuling_villages):
    """What a phone fetches on a weak connection: the page and one stylesheet."""
    card_holders(wuling_villages[0], 10)
    page = client.get("/changde")
    css = client.get("/changde/static/figures.css")
    assert len(page.data) + len(css.data) < 20_000
    assert "max-age=60" in page.headers["Cache-Control"]


def test_an_unknown_county_is_not_found(client, app):
    assert client.get("/changde?county=999999").status_code == 404
    assert client.get("/changde?county=430702001").status_code == 404  # a township


def test_without_regions_loaded_the_figures_say_so(client, monkeypatch):
    """A deployment that skipped `flask regions load` gets a clear 503, never a 500."""
    from app.publicity import figures

    monkeypatch.setattr(figures, "CITY_CODE", "439999")  # a city this database does not hold
    for url in ("/api/v1/public/figures", "/changde"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["code"] == "regions_not_loaded"
        assert "行政区划" in problem["title"] + problem.get("detail", "")

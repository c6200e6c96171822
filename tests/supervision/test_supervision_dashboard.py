"""The officials' dashboard: scoped to their region, and every figure equal to the list it
links to (all pages counted, or the field it sums added up). Run on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from tests.factories import make_user, township_of, village_in
from tests.supervision.factories import T0


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(
        args=[
            "demo-data",
            "--workers",
            "150",
            "--scans",
            "1500",
            "--intents",
            "120",
            "--cases",
            "20",
            "--due",
            "8",
            "--complaints",
            "30",
            "--postings",
            "60",
        ]
    )
    assert result.exit_code == 0, result.output


def everything_behind(client, figure) -> int:
    """What the official finds behind a figure: every row of the list, or its sum."""
    url = figure["list"]
    if figure["sum"]:
        container, name = figure["sum"].split(".")
        body = client.get(url).get_json()
        return sum(row[name] for row in body[container])
    path, _, query = url.partition("?")
    params = dict(parse_qsl(query))
    total, cursor = 0, None
    while True:
        page = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, query_string=page)
        assert response.status_code == 200, (url, response.get_json())
        body = response.get_json()
        total += len(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return total


def figures_of(board: dict) -> dict[str, dict]:
    found = {}
    for group in ("scans_today", "scans_week", "colours", "labour"):
        for name, figure in board[group].items():
            found[f"{group}.{name}"] = figure
    for name in ("quarantine_due", "intents_outbound", "cases_open", "cases_unassigned"):
        found[name] = board[name]
    for row in board["destinations"]:
        found[f"destination.{row['code']}"] = row["figure"]
    return found


@pytest.mark.parametrize("region", ["430700", "430702", "township"])
def test_every_figure_equals_the_list_it_links_to(app, login, demo, region):
    if region == "township":
        region = township_of(village_in("430702"))
    official = login(make_user(roles=("official",), region_code=region), on=app.test_client())
    response = official.get("/api/v1/supervision/dashboard")
    assert response.status_code == 200, response.get_json()
    board = response.get_json()
    assert board["region"]["code"] == region
    figures = figures_of(board)
    for name, figure in figures.items():
        assert f"region={region}" in figure["list"], name
        assert everything_behind(official, figure) == figure["value"], name
    if region == "430700":  # the demo data gives every kind of figure something to count
        empty = [
            n for n, f in figures.items() if not f["value"] and not n.startswith("scans_today.")
        ]
        assert set(empty) <= {"colours.red", "scans_week.undecided", "labour.supply_local"}, empty
        assert board["destinations"] and 1000 < board["scans_week"]["all"]["value"] <= 1500


def test_a_county_sees_its_own_figures_not_the_citys(app, login, demo):
    city = login(make_user(roles=("official",), region_code="430700"), on=app.test_client())
    wuling = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    whole = city.get("/api/v1/supervision/dashboard").get_json()
    part = wuling.get("/api/v1/supervision/dashboard").get_json()
    assert 0 < part["scans_week"]["all"]["value"] < whole["scans_week"]["all"]["value"]
    assert part["cases_open"]["value"] <= whole["cases_open"]["value"]
    # The city may look at Wuling's board, and sees the same figures.
    narrowed = city.get("/api/v1/supervision/dashboard?region=430702").get_json()
    assert narrowed["scans_week"] == part["scans_week"] and narrowed["colours"] == part["colours"]
    # Wuling may not look at Dingcheng's, nor at the city's.
    for other in ("430703", "430700"):
        assert wuling.get(f"/api/v1/supervision/dashboard?region={other}").status_code == 403
        assert wuling.get(f"/api/v1/supervision/scans?region={other}").status_code == 403
        assert wuling.get(f"/api/v1/supervision/people?region={other}").status_code == 403


def test_only_officials_have_a_dashboard(app, login, demo):
    worker = db.session.scalars(select(User).where(User.phone == "13800000001")).one()
    assert (
        login(worker, on=app.test_client()).get("/api/v1/supervision/dashboard").status_code == 403
    )
    assert app.test_client().get("/api/v1/supervision/dashboard").status_code == 401


def test_the_people_list_shows_masked_names_only(app, login, demo):
    official = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    items = official.get("/api/v1/supervision/people?status=green&limit=100").get_json()["items"]
    assert items
    for item in items:
        assert set(item) == {"user_id", "name_masked", "region", "status", "updated_at"}
        assert "*" in item["name_masked"]

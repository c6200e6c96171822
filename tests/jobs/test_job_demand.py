"""The labour-demand survey: employers report, officials see it by region and trade vs supply."""

import pytest

from app.extensions import db
from tests.employers.factories import make_employer, owner_of
from tests.factories import make_user, township_of, village_in
from tests.jobs.factories import make_posting


@pytest.fixture
def employer(app):
    return make_employer(region_code=township_of(village_in("430702")))


@pytest.fixture
def staff(employer, client_of):
    return client_of(owner_of(employer))


def report(client, **overrides):
    body = {"trade": "electronics", "headcount": 50, "start_date": "2020-03-01"}
    body.update(overrides)
    return client.post("/api/v1/labour-demand", json=body)


def test_an_employer_reports_and_edits_its_demand(employer, staff):
    response = report(staff)
    assert response.status_code == 201
    line = response.get_json()
    assert line["region"]["code"] == employer.region_code  # its own region by default
    assert line["trade_name"] == "电子装配"
    changed = staff.patch(f"/api/v1/labour-demand/{line['id']}", json={"headcount": 80})
    assert changed.get_json()["headcount"] == 80
    assert [x["headcount"] for x in staff.get("/api/v1/labour-demand").get_json()["items"]] == [80]
    assert staff.delete(f"/api/v1/labour-demand/{line['id']}").status_code == 204
    assert staff.get("/api/v1/labour-demand").get_json()["items"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"headcount": 0}, "headcount"),
        ({"trade": "pilot"}, "trade"),
        ({"start_date": "2020-02-01"}, "start_date"),
        ({"region_code": "440300"}, "region_code"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_demand_lines_are_422(staff, overrides, field):
    response = report(staff, **overrides)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert staff.get("/api/v1/labour-demand").get_json()["items"] == []


def test_another_employer_cannot_touch_the_lines(staff, client_of):
    line = report(staff).get_json()
    other = client_of(owner_of(make_employer()))
    assert (
        other.patch(f"/api/v1/labour-demand/{line['id']}", json={"headcount": 1}).status_code == 404
    )
    assert other.delete(f"/api/v1/labour-demand/{line['id']}").status_code == 404
    assert other.get("/api/v1/labour-demand").get_json()["items"] == []


def test_officials_see_demand_and_open_positions_by_region_and_trade(employer, staff, client_of):
    report(staff, trade="electronics", headcount=50)
    report(staff, trade="electronics", headcount=30)
    report(staff, trade="catering", headcount=10)
    make_posting(employer, trade="electronics", region_code=employer.region_code, headcount=20)
    make_posting(employer, trade="electronics", region_code="440300", headcount=99)  # elsewhere
    official = client_of(make_user(roles=("official",), region_code="430702"))
    summary = official.get("/api/v1/labour-demand/summary").get_json()
    assert summary["region"]["code"] == "430702"
    cells = {(c["region"]["code"], c["trade"]): c for c in summary["cells"]}
    township = employer.region_code
    assert cells[(township, "electronics")]["demand"] == 80
    assert cells[(township, "electronics")]["open_positions"] == 20
    assert cells[(township, "catering")]["demand"] == 10
    assert all(code != "440300" for code, _ in cells)
    city = client_of(make_user(roles=("official",), region_code="430700"))
    by_county = {
        (c["region"]["code"], c["trade"]): c["demand"]
        for c in city.get("/api/v1/labour-demand/summary").get_json()["cells"]
    }
    assert by_county[("430702", "electronics")] == 80


def test_supply_comes_from_workers_intents(employer, client_of):
    intents = pytest.importorskip("app.intents.models")
    village = village_in("430702")
    for kind, trade in (
        ("local", "electronics"),
        ("local", "electronics"),
        ("outbound", "catering"),
    ):
        worker = make_user(roles=("worker",), region_code=village)
        db.session.add(
            intents.EmploymentIntent(
                user_id=worker.id,
                kind=kind,
                destination_code="430702" if kind == "local" else "440300",
                origin_village_code=village,
                trade=trade,
            )
        )
    db.session.commit()
    official = client_of(make_user(roles=("official",), region_code="430702"))
    summary = official.get("/api/v1/labour-demand/summary").get_json()
    if not summary["supply_known"]:
        pytest.skip("the intents domain keeps no counts here")
    cells = {(c["region"]["code"], c["trade"]): c for c in summary["cells"]}
    township = township_of(village)
    assert cells[(township, "electronics")]["supply_local"] == 2
    assert cells[(township, "catering")]["supply_outbound"] == 1


def test_only_officials_of_the_region_see_the_summary(client_of):
    worker = client_of(make_user(roles=("worker",)))
    assert worker.get("/api/v1/labour-demand/summary").status_code == 403
    county = client_of(make_user(roles=("official",), region_code="430702"))
    assert county.get("/api/v1/labour-demand/summary?region=430703").status_code == 403
    assert county.get("/api/v1/labour-demand/summary?region=nowhere").status_code == 403

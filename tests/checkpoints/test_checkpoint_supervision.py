"""What volunteers and officials see of the scans: today's counts, daily counts, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.checkpoints.factories import (
    decision_item,
    make_checkpoint,
    make_volunteer,
    scan_item,
    verdict,
)
from tests.factories import make_user, township_of, village_in

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde
YESTERDAY_EVENING = datetime(2020, 2, 19, 15, 0, tzinfo=UTC)  # 23:00 in Changde


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def checkpoint(app):
    return make_checkpoint(name="新民村东口卡点")


@pytest.fixture
def volunteer(app, login, checkpoint):
    return login(make_volunteer(checkpoint), on=app.test_client())


def upload(phone, *items):
    response = phone.post("/api/v1/checkpoints/sync", json={"items": list(items)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def a_day_at_the_gate(phone, checkpoint_id):
    """Yesterday 1 green admitted; today 2 green admitted, 1 green refused (flagged),
    1 red refused, 1 forged refused, 1 yellow undecided."""
    items = []

    def scan(at=None, decision=None, reason=None, **fields):
        item = scan_item(checkpoint_id, at=at, verdict=verdict(**fields))
        items.append(item)
        if decision:
            items.append(decision_item(item["uuid"], decision, reason=reason))

    scan(at=YESTERDAY_EVENING, decision="admit")
    scan(decision="admit")
    scan(decision="admit")
    scan(decision="refuse", reason="identity_mismatch")
    scan(decision="refuse", reason="not_green", status="red")
    forged = verdict(valid=False, reason="bad_signature", status=None, card_type=None)
    item = scan_item(checkpoint_id, verdict={**forged, "card_id": None, "issuer_region": None})
    items += [item, decision_item(item["uuid"], "refuse", reason="card_invalid")]
    scan(status="yellow")
    return upload(phone, *items)


def test_the_volunteer_sees_todays_counts_by_verdict_and_decision(volunteer, checkpoint):
    a_day_at_the_gate(volunteer, checkpoint.id)
    body = volunteer.get(f"/api/v1/checkpoints/{checkpoint.id}/today").get_json()
    assert body["day"] == "2020-02-20"
    assert body["counts"] == {
        "scans": 6,
        "valid": 5,
        "invalid": 1,
        "green": 3,
        "yellow": 1,
        "red": 1,
        "admitted": 2,
        "refused": 3,
        "undecided": 1,
        "flagged": 1,
        "checkins": 0,
    }
    assert body["refusal_reasons"] == {"identity_mismatch": 1, "not_green": 1, "card_invalid": 1}


def test_a_volunteer_elsewhere_cannot_see_this_checkpoints_day(app, login, checkpoint):
    other = login(make_volunteer(make_checkpoint(name="别处")), on=app.test_client())
    assert other.get(f"/api/v1/checkpoints/{checkpoint.id}/today").status_code == 404


def test_officials_see_scans_per_checkpoint_per_day(app, login, volunteer, checkpoint):
    a_day_at_the_gate(volunteer, checkpoint.id)
    make_checkpoint(name="鼎城卡点", village_code=village_in("430703"))
    official = login(
        make_user(roles=("official",), region_code=township_of(checkpoint.village_code)),
        on=app.test_client(),
    )
    body = official.get("/api/v1/checkpoints/stats").get_json()
    assert (body["start"], body["end"]) == ("2020-02-14", "2020-02-20")
    assert [item["checkpoint"]["name"] for item in body["items"]] == ["新民村东口卡点"]
    days = body["items"][0]["days"]
    assert [(d["day"], d["scans"], d["admitted"]) for d in days] == [
        ("2020-02-20", 6, 2),
        ("2020-02-19", 1, 1),
    ]
    assert body["items"][0]["totals"]["scans"] == 7
    only_today = official.get("/api/v1/checkpoints/stats?from=2020-02-20&to=2020-02-20")
    assert [d["day"] for d in only_today.get_json()["items"][0]["days"]] == ["2020-02-20"]


def test_stats_refuse_long_or_reversed_ranges(app, login):
    official = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    for query in ("from=2020-01-01&to=2020-02-20", "from=2020-02-20&to=2020-02-19"):
        response = official.get(f"/api/v1/checkpoints/stats?{query}")
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["code"] == "date_range_invalid"


def test_officials_see_refusals_with_reasons_and_the_flagged_ones(
    app, login, volunteer, checkpoint
):
    a_day_at_the_gate(volunteer, checkpoint.id)
    official = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    refusals = official.get("/api/v1/checkpoints/refusals").get_json()["items"]
    assert [r["reason"] for r in refusals] == ["card_invalid", "not_green", "identity_mismatch"]
    assert [r["reason_text"] for r in refusals] == ["健康码无效或伪造", "非绿码", "人证不符"]
    flagged = official.get("/api/v1/checkpoints/refusals?flagged=true").get_json()["items"]
    assert len(flagged) == 1
    item = flagged[0]
    assert item["flagged"] is True
    assert item["verdict"]["status"] == "green" and item["verdict"]["valid"] is True
    assert item["verdict"]["card_id"] == "3f9a0c7be215"
    assert item["checkpoint"]["name"] == "新民村东口卡点"
    assert "*" in item["volunteer"]["name_masked"]
    page = official.get("/api/v1/checkpoints/refusals?limit=2").get_json()
    rest = official.get(f"/api/v1/checkpoints/refusals?limit=2&cursor={page['next_cursor']}")
    assert len(page["items"]) + len(rest.get_json()["items"]) == 3


def test_officials_elsewhere_see_no_refusals_here(app, login, volunteer, checkpoint):
    a_day_at_the_gate(volunteer, checkpoint.id)
    elsewhere = login(make_user(roles=("official",), region_code="430703"), on=app.test_client())
    assert elsewhere.get("/api/v1/checkpoints/refusals").get_json()["items"] == []
    assert elsewhere.get("/api/v1/checkpoints/stats").get_json()["items"] == []
    assert elsewhere.get("/api/v1/checkpoints/refusals?region=430702").status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/checkpoints/stats", "/api/v1/checkpoints/refusals"])
def test_volunteers_and_workers_cannot_supervise(app, login, path):
    for roles in (("volunteer",), ("worker",)):
        phone = login(make_user(roles=roles), on=app.test_client())
        assert phone.get(path).status_code == 403


def test_a_late_upload_counts_on_the_day_of_the_scan(app, login, volunteer, checkpoint, clock):
    clock.move_to(T0 + timedelta(days=2))
    upload(volunteer, scan_item(checkpoint.id, at=T0))
    body = volunteer.get(f"/api/v1/checkpoints/{checkpoint.id}/today").get_json()
    assert body["counts"]["scans"] == 0
    official = login(make_user(roles=("official",), region_code="430702"), on=app.test_client())
    days = official.get("/api/v1/checkpoints/stats").get_json()["items"][0]["days"]
    assert [(d["day"], d["scans"]) for d in days] == [("2020-02-20", 1)]

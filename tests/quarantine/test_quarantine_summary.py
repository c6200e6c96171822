"""Township and county officials see counts and drill down; the digest texts village staff."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from app.extensions import db
from app.quarantine.models import QuarantineCheck
from app.quarantine.services import send_daily_digest
from app.regions.models import Region
from app.regions.services import villages
from tests.factories import make_user, township_of
from tests.quarantine.factories import case_for, staff_of

START = date(2020, 2, 10)
DAY_14 = datetime(2020, 2, 24, 8, 0, tzinfo=UTC)  # 16:00 in Changde


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(DAY_14, tick=False) as traveller:
        yield traveller


@pytest.fixture
def two_villages(app):
    """Two villages of one township of Wuling district, and one village of another township."""
    wuling = villages("430702")
    first = wuling[0]
    same = next(v for v in wuling if v.parent_code == first.parent_code and v.code != first.code)
    other = next(v for v in wuling if v.parent_code != first.parent_code)
    return first.code, same.code, other.code


@pytest.fixture
def cases(two_villages):
    a, b, c = two_villages
    due = case_for(start=START, village=a)
    checked = case_for(start=date(2020, 2, 15), village=a)
    db.session.add(
        QuarantineCheck(
            case_id=checked.id,
            check_date=date(2020, 2, 24),
            temperature="36.5",
            symptoms=[],
            abnormal=False,
            source="staff",
            recorded_dt=DAY_14,
        )
    )
    referred = case_for(start=date(2020, 2, 15), village=b)
    referred.referred_dt = DAY_14
    case_for(start=START, village=c)
    db.session.commit()
    return due, checked, referred


def counts(row):
    return (row["open"], row["due_today"], row["missing_checks"], row["referred"])


def test_county_officials_see_counts_by_township(client, login, two_villages, cases):
    a, b, c = two_villages
    login(staff_of("430702"))
    body = client.get("/api/v1/quarantine/summary").get_json()
    assert body["today"] == "2020-02-24"
    assert counts(body["total"]) == (4, 2, 3, 1)
    by_code = {row["region"]["code"]: row for row in body["children"]}
    assert counts(by_code[township_of(a)]) == (3, 1, 2, 1)
    assert counts(by_code[township_of(c)]) == (1, 1, 1, 0)
    assert all(row["level"] == "township" for row in body["children"])


def test_officials_drill_down_to_villages_and_then_to_the_cases(client, login, two_villages, cases):
    a, b, _ = two_villages
    login(staff_of("430702"))
    body = client.get("/api/v1/quarantine/summary", query_string={"region": township_of(a)})
    by_code = {row["region"]["code"]: row for row in body.get_json()["children"]}
    assert counts(by_code[a]) == (2, 1, 1, 0)
    assert counts(by_code[b]) == (1, 0, 1, 1)
    listed = client.get("/api/v1/quarantine/cases", query_string={"region": a, "filter": "missing"})
    assert [c["id"] for c in listed.get_json()["items"]] == [cases[0].id]


def test_the_city_sees_every_county(client, login, cases):
    login(staff_of("430700"))
    body = client.get("/api/v1/quarantine/summary").get_json()
    assert counts(body["total"]) == (4, 2, 3, 1)
    assert {row["level"] for row in body["children"]} <= {"county", "zone"}


def test_summaries_stay_within_the_official_s_region(client, login, two_villages, cases):
    a, _, c = two_villages
    login(staff_of(township_of(a)))
    assert client.get("/api/v1/quarantine/summary", query_string={"region": c}).status_code == 403
    assert (
        client.get("/api/v1/quarantine/summary", query_string={"region": "nope"}).status_code == 404
    )
    login(make_user(region_code=a))
    assert client.get("/api/v1/quarantine/summary").status_code == 403


def test_the_digest_texts_each_village_s_staff_once_a_day(app, runner, two_villages, cases):
    a, b, c = two_villages
    staff_a, staff_b = staff_of(a), staff_of(b)
    township = staff_of(township_of(a))
    sms = app.extensions["sms"]
    sms.sent.clear()
    result = runner.invoke(args=["quarantine", "digest"])
    assert result.exit_code == 0, result.output
    assert "digest 2020-02-24" in result.output
    assert sms.last_to(staff_a.phone) == (
        "【返岗服务】2月24日"
        + db.session.get(Region, a).name_zh
        + "：隔离观察人员今日未测体温1人，今日可解除隔离1人。请登录“返岗服务”处理。"
    )
    assert "今日未测体温1人，今日可解除隔离0人" in sms.last_to(staff_b.phone)
    assert len([to for to, _ in sms.sent if to == township.phone]) == 2  # one per village
    for person in (c.person for c in cases):
        assert not [m for _, m in sms.sent if person.id_masked[-4:] in m]

    before = len(sms.sent)
    assert runner.invoke(args=["quarantine", "digest"]).exit_code == 0
    assert len(sms.sent) == before  # once a day
    assert runner.invoke(args=["quarantine", "digest", "--force"]).exit_code == 0
    assert len(sms.sent) > before


def test_a_village_with_nothing_to_report_gets_no_digest(app, two_villages):
    a, _, _ = two_villages
    staff = staff_of(a)
    case = case_for(start=date(2020, 2, 20), village=a)
    db.session.add(
        QuarantineCheck(
            case_id=case.id,
            check_date=date(2020, 2, 24),
            temperature="36.5",
            symptoms=[],
            abnormal=False,
            source="self",
            recorded_dt=DAY_14,
        )
    )
    db.session.commit()
    assert send_daily_digest(date(2020, 2, 24)) == 0
    db.session.commit()
    assert app.extensions["sms"].last_to(staff.phone) is None


def test_the_digest_refuses_a_bad_date(runner):
    result = runner.invoke(args=["quarantine", "digest", "--date", "24/02/2020"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output

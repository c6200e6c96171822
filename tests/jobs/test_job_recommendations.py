"""Jobs recommended against a worker's intent and home: ranked, explained, deterministic."""

import pytest

from app.extensions import db
from app.jobs import services
from app.jobs.recommendations import recommend_jobs
from tests.employers.factories import make_employer
from tests.factories import make_user, village_in
from tests.jobs.factories import make_posting


@pytest.fixture
def worker(app):
    return make_user(roles=("worker",), region_code=village_in("430702"))


@pytest.fixture
def jobs(app, worker):
    employer = make_employer()
    made = {
        "shenzhen_kitchen": make_posting(
            employer, title="深圳酒店厨师", trade="catering", region_code="440300", wage_max=6000
        ),
        "home_kitchen": make_posting(
            employer,
            title="武陵餐馆帮厨",
            trade="catering",
            region_code=village_in("430702"),
            housing=False,
            wage_max=4500,
        ),
        "shenzhen_factory": make_posting(
            employer, title="深圳电子厂", trade="electronics", region_code="440300", wage_max=7000
        ),
        "far_guard": make_posting(
            employer,
            title="鼎城保安",
            trade="security",
            region_code="430703",
            housing=False,
            wage_min=3000,
            wage_max=3000,
        ),
        "full": make_posting(
            employer, title="满员厨师", trade="catering", region_code="440300", headcount=1
        ),
        "applied": make_posting(
            employer, title="已报名厨师", trade="catering", region_code="440300"
        ),
    }
    hired = make_user(roles=("worker",))
    application = services.apply(made["full"], hired, share_card=False)
    services.change_status(made["full"], [application], "hired", actor=hired)
    services.apply(made["applied"], worker, share_card=False)
    db.session.commit()
    return made


def recommend(worker, **overrides):
    args = {
        "trade": "catering",
        "destination_code": "440000",
        "wage_expectation": 5000,
        "home_region": worker.region_code,
    }
    args.update(overrides)
    return [(p.title, reasons) for p, reasons in recommend_jobs(worker, **args)]


def test_ranked_with_reasons(worker, jobs):
    assert recommend(worker) == [
        ("深圳酒店厨师", ["same_trade", "destination_match", "housing", "wage_met"]),
        ("武陵餐馆帮厨", ["same_trade", "near_home"]),
        ("深圳电子厂", ["destination_match", "housing", "wage_met"]),
    ]


def test_the_same_inputs_give_the_same_list(worker, jobs):
    assert recommend(worker) == recommend(worker) == recommend(worker)


def test_full_jobs_and_jobs_applied_for_are_left_out(worker, jobs):
    found = [title for title, _ in recommend(worker)]
    assert "满员厨师" not in found and "已报名厨师" not in found


def test_ties_go_to_the_better_paid_then_the_newer(worker, app):
    employer = make_employer()
    make_posting(employer, title="甲", trade="garment", region_code="440300", wage_max=5000)
    make_posting(employer, title="乙", trade="garment", region_code="440300", wage_max=6000)
    make_posting(employer, title="丙", trade="garment", region_code="440300", wage_max=6000)
    titles = [t for t, _ in recommend(worker, trade="garment", wage_expectation=None)]
    assert titles == ["丙", "乙", "甲"]


def test_limit_and_no_wishes(worker, jobs):
    assert len(recommend(worker, limit=1)) == 1
    everything = recommend(
        worker, trade=None, destination_code=None, wage_expectation=None, home_region=None
    )
    assert {t for t, _ in everything} == {"深圳酒店厨师", "武陵餐馆帮厨", "深圳电子厂", "鼎城保安"}


def test_a_destination_outside_the_region_list_is_matched_by_its_code(worker, jobs):
    assert recommend(worker, trade=None, destination_code="440300")[0][1][0] == "destination_match"
    assert recommend(worker, trade=None, destination_code="450100", home_region=None) == []


def test_the_api_shows_the_reasons_as_words(worker, jobs, client_of):
    response = client_of(worker).get(
        "/api/v1/jobs/recommended",
        query_string={"trade": "catering", "destination": "440000", "wage": 5000},
    )
    assert response.status_code == 200
    first = response.get_json()["items"][0]
    assert first["job"]["title"] == "深圳酒店厨师"
    assert first["reason_words"] == ["同工种", "目的地匹配", "包住宿", "工资达标"]
    english = client_of(worker).get(
        "/api/v1/jobs/recommended",
        query_string={"trade": "catering"},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 200


def test_bad_recommendation_input_is_422(worker, client_of):
    client = client_of(worker)
    assert client.get("/api/v1/jobs/recommended?trade=pilot").status_code == 422
    assert client.get("/api/v1/jobs/recommended?wage=-5").status_code == 422

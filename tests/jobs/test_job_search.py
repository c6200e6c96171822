"""Workers find open jobs by Chinese keywords of any length, filters, sort and cursor pages."""

from datetime import timedelta

import pytest

from tests.employers.factories import make_employer
from tests.factories import make_user, village_in
from tests.jobs.factories import make_posting


@pytest.fixture
def worker(client, login):
    user = make_user(roles=("worker",), region_code=village_in("430702"))
    login(user)
    return user


def titles(client, **params):
    response = client.get("/api/v1/jobs", query_string=params)
    assert response.status_code == 200, response.get_json()
    return [job["title"] for job in response.get_json()["items"]]


@pytest.fixture
def jobs(app):
    employer = make_employer(name="常德恒安物业有限公司")
    make_posting(employer, title="电子厂普工招聘", trade="electronics", region_code="430702")
    make_posting(
        employer,
        title="小区保安",
        trade="security",
        region_code=village_in("430703"),
        wage_max=4000,
    )
    make_posting(employer, title="深圳电子厂普工", trade="electronics", region_code="440300")
    make_posting(employer, title="物流园货车司机", trade="logistics", region_code="430702")
    make_posting(employer, title="酒店厨师", trade="catering", region_code="430702", housing=False)
    make_posting(employer, title="CNC操作工", trade="other", region_code="430702")
    return employer


@pytest.mark.parametrize(
    ("keyword", "found"),
    [
        ("普工", ["深圳电子厂普工", "电子厂普工招聘"]),  # two characters: what workers type
        ("司机", ["物流园货车司机"]),
        ("保安", ["小区保安"]),
        ("厨师", ["酒店厨师"]),
        ("厂", ["深圳电子厂普工", "电子厂普工招聘"]),  # one character
        ("电子厂普工", ["深圳电子厂普工", "电子厂普工招聘"]),  # a phrase
        ("厂普工招", ["电子厂普工招聘"]),  # any substring of a title
        ("普工 深圳", ["深圳电子厂普工"]),  # every keyword must match
        ("cnc", ["CNC操作工"]),  # Latin words, any case
        ("普电", []),  # the characters, but not next to each other
        ("招聘普工", []),  # the bigrams, in the wrong order
    ],
)
def test_chinese_keywords_of_any_length(client, worker, jobs, keyword, found):
    assert titles(client, q=keyword) == found


def test_the_employer_name_and_the_trade_are_searched_too(client, worker, jobs):
    assert len(titles(client, q="恒安")) == 6
    assert titles(client, q="餐饮") == ["酒店厨师"]


def test_a_keyword_of_punctuation_only_lists_everything(client, worker, jobs):
    assert len(titles(client, q="，。")) == 6


def test_trade_filter(client, worker, jobs):
    assert titles(client, trade="electronics") == ["深圳电子厂普工", "电子厂普工招聘"]
    assert titles(client, q="普工", trade="logistics") == []


def test_region_filter_takes_the_subtree(client, worker, jobs):
    wuling = titles(client, region="430702")
    assert "小区保安" not in wuling and "电子厂普工招聘" in wuling and len(wuling) == 4
    assert titles(client, region="430703") == ["小区保安"]  # a village of Dingcheng
    assert titles(client, region="440000", q="普工") == ["深圳电子厂普工"]  # Guangdong
    assert titles(client, q="普工", region="430700") == ["电子厂普工招聘"]  # Changde


def test_minimum_wage_and_housing(client, worker, jobs):
    assert "小区保安" not in titles(client, min_wage=5000)
    assert "酒店厨师" not in titles(client, housing="true")
    assert len(titles(client, housing="false")) == 6  # false: no filter


def test_each_result_shows_what_a_worker_decides_on(client, worker, jobs):
    job = client.get("/api/v1/jobs", query_string={"q": "司机"}).get_json()["items"][0]
    assert job["wage_min"] == 4000 and job["wage_max"] == 6000
    assert job["region"]["name_zh"] == "武陵区" and job["address"]
    assert job["housing"] is True and job["positions_left"] == 10
    assert job["arrival_rules"] == "持绿码到岗，到岗测温登记"
    assert job["employer_name"] == "常德恒安物业有限公司"
    assert job["trade_name"] == "物流运输"
    assert job["application_status"] is None


def test_best_paid_first(client, worker, app):
    employer = make_employer()
    for wage in (5000, 9000, 7000):
        make_posting(employer, title=f"普工{wage}", wage_min=3000, wage_max=wage)
    assert titles(client, q="普工", sort="wage") == ["普工9000", "普工7000", "普工5000"]


@pytest.mark.parametrize("sort", ["newest", "wage"])
def test_cursor_pages_are_stable_while_new_jobs_appear(client, worker, app, sort):
    employer = make_employer()
    for i in range(25):
        make_posting(employer, title=f"普工第{i}号", wage_max=5000 + 100 * (i % 3))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": "普工", "limit": 10, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/jobs", query_string=params).get_json()
        seen += [job["id"] for job in body["items"]]
        if pages == 0:
            make_posting(employer, title="新的普工", wage_max=6000)  # sorts before page one
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 25 and pages == 3
    if sort == "newest":
        assert seen == sorted(seen, reverse=True)


def test_only_open_jobs_are_found(client, worker, clock, app):
    employer = make_employer()
    for status in ("draft", "pending", "closed", "taken_down"):
        make_posting(employer, title=f"普工{status}", status=status)
    unverified = make_employer(verified=False)
    make_posting(unverified, title="普工未核验", status="pending")
    make_posting(employer, title="普工明天截止", valid_until="2020-02-21")
    assert titles(client, q="普工") == ["普工明天截止"]
    clock.shift(timedelta(days=2))
    assert titles(client, q="普工") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"q": "普" * 41}, "q"),
        ({"trade": "astronaut"}, "trade"),
        ({"min_wage": -1}, "min_wage"),
        ({"sort": "oldest"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"region": "999999"}, "region"),
    ],
)
def test_bad_search_parameters_are_422(client, worker, params, field):
    response = client.get("/api/v1/jobs", query_string=params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_searching_needs_a_login(client):
    assert client.get("/api/v1/jobs").status_code == 401


def test_a_keyword_does_not_match_across_punctuation(client, worker, app):
    make_posting(make_employer(), title="招聘电子，厂区门卫")
    assert titles(client, q="电子厂") == []
    assert titles(client, q="电子") == ["招聘电子，厂区门卫"]

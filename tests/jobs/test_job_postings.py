"""A posting's life: draft → pending review → published → closed or expired; take-downs."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.jobs.models import JobListing, JobPosting
from tests.employers.factories import make_employer, owner_of
from tests.factories import make_user
from tests.jobs.factories import make_posting, posting_body


@pytest.fixture
def employer(app):
    return make_employer(region_code="430702")


@pytest.fixture
def staff(employer, client_of):
    return client_of(owner_of(employer))


@pytest.fixture
def official(client_of):
    return client_of(make_user(roles=("official",), region_code="430702"))


@pytest.fixture
def worker(client_of):
    return client_of(make_user(roles=("worker",)))


def found(client, keyword="普工"):
    return [
        j["id"] for j in client.get("/api/v1/jobs", query_string={"q": keyword}).get_json()["items"]
    ]


def test_draft_review_publish(staff, official, worker):
    created = staff.post("/api/v1/postings", json=posting_body())
    assert created.status_code == 201, created.get_json()
    posting = created.get_json()
    assert posting["status"] == "draft" and posting["positions_left"] == 10
    assert worker.get(f"/api/v1/jobs/{posting['id']}").status_code == 404
    assert official.get("/api/v1/postings/review").get_json()["items"] == []

    submitted = staff.post(f"/api/v1/postings/{posting['id']}/submit").get_json()
    assert submitted["status"] == "pending"
    queue = official.get("/api/v1/postings/review").get_json()["items"]
    assert [p["id"] for p in queue] == [posting["id"]]
    assert found(worker) == []

    approved = official.post(f"/api/v1/postings/{posting['id']}/approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "published"
    assert found(worker) == [posting["id"]]
    detail = worker.get(f"/api/v1/jobs/{posting['id']}").get_json()
    assert detail["description"] == "流水线装配，两班倒" and detail["contact"] == "人事部 王经理"


def test_postings_of_an_unverified_employer_are_not_published(client_of, official):
    employer = make_employer(verified=False, region_code="430702")
    posting = make_posting(employer, status="pending")
    response = official.post(f"/api/v1/postings/{posting.id}/approve")
    assert response.status_code == 409
    assert response.get_json()["code"] == "employer_not_verified"
    assert db.session.get(JobPosting, posting.id).status == "pending"


def test_officials_elsewhere_cannot_review(employer, client_of):
    posting = make_posting(employer, status="pending")
    other = client_of(make_user(roles=("official",), region_code="430703"))
    assert other.get("/api/v1/postings/review").get_json()["items"] == []
    assert other.post(f"/api/v1/postings/{posting.id}/approve").status_code == 404
    assert (
        other.post(f"/api/v1/postings/{posting.id}/take-down", json={"reason": "不实"}).status_code
        == 404
    )
    assert db.session.get(JobPosting, posting.id).status == "pending"


def test_sent_back_with_a_note(employer, staff, official):
    posting = make_posting(employer, status="pending")
    response = official.post(
        f"/api/v1/postings/{posting.id}/reject", json={"reason": "工资写法不规范"}
    )
    assert response.get_json()["status"] == "draft"
    mine = staff.get(f"/api/v1/postings/{posting.id}").get_json()
    assert mine["review_note"] == "工资写法不规范"


def test_taken_down_with_a_reason(employer, official, worker):
    posting = make_posting(employer)
    assert found(worker) == [posting.id]
    assert official.post(f"/api/v1/postings/{posting.id}/take-down", json={}).status_code == 422
    response = official.post(
        f"/api/v1/postings/{posting.id}/take-down", json={"reason": "虚假招聘信息"}
    )
    assert response.status_code == 200 and response.get_json()["status"] == "taken_down"
    assert found(worker) == []
    assert worker.get(f"/api/v1/jobs/{posting.id}").status_code == 404
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.take_down")).one()
    assert event.reason == "虚假招聘信息" and event.subject_id == str(posting.id)


def test_editing_a_published_posting_sends_it_back_to_review(employer, staff, worker):
    posting = make_posting(employer)
    response = staff.patch(f"/api/v1/postings/{posting.id}", json={"wage_max": 7000})
    assert response.get_json()["status"] == "pending"
    assert found(worker) == []
    assert db.session.scalar(select(func.count(JobListing.id))) == 0


def test_editing_a_draft_keeps_it_a_draft(employer, staff):
    posting = make_posting(employer, status="draft")
    response = staff.patch(
        f"/api/v1/postings/{posting.id}", json={"title": "电子厂操作工", "start_date": None}
    )
    assert response.status_code == 200
    assert response.get_json()["title"] == "电子厂操作工"
    assert response.get_json()["status"] == "draft"


def test_closed_postings_leave_the_search_and_cannot_change(employer, staff, worker):
    posting = make_posting(employer)
    assert staff.post(f"/api/v1/postings/{posting.id}/close").get_json()["status"] == "closed"
    assert found(worker) == []
    assert staff.patch(f"/api/v1/postings/{posting.id}", json={"headcount": 5}).status_code == 409
    assert staff.post(f"/api/v1/postings/{posting.id}/submit").status_code == 409


def test_postings_expire_by_themselves(employer, staff, worker, clock):
    posting = make_posting(employer, valid_until="2020-02-22")
    waiting = make_posting(employer, status="pending", valid_until="2020-02-22")
    assert found(worker) == [posting.id]
    clock.shift(timedelta(days=3))
    assert found(worker) == []  # the request itself swept the expired ones
    assert staff.get(f"/api/v1/postings/{posting.id}").get_json()["status"] == "expired"
    assert staff.get(f"/api/v1/postings/{waiting.id}").get_json()["status"] == "expired"


def test_the_expire_command(app, employer, clock):
    posting = make_posting(employer, valid_until="2020-02-22")
    clock.shift(timedelta(days=3))
    result = app.test_cli_runner().invoke(args=["jobs", "expire"])
    assert "postings expired: 1" in result.output
    db.session.expire_all()
    assert db.session.get(JobPosting, posting.id).status == "expired"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"wage_min": 7000, "wage_max": 5000}, "wage_max", "wage_range_invalid"),
        ({"valid_until": "2020-02-19"}, "valid_until", "valid_until_past"),
        ({"region_code": "000000"}, "region_code", "region_unknown"),
        ({"trade": "astronaut"}, "trade", "invalid"),
        ({"headcount": 0}, "headcount", "too_small"),
        ({"title": "普" * 61}, "title", "too_long"),
        ({"salary": 1}, "salary", "extra_forbidden"),
    ],
)
def test_bad_postings_change_nothing(staff, overrides, field, code):
    response = staff.post("/api/v1/postings", json=posting_body(**overrides))
    assert response.status_code == 422
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.get_json()["errors"]
    ]
    assert db.session.scalar(select(func.count(JobPosting.id))) == 0


def test_a_bad_edit_changes_nothing(employer, staff):
    posting = make_posting(employer, status="draft")
    response = staff.patch(f"/api/v1/postings/{posting.id}", json={"wage_min": 9000})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(JobPosting, posting.id).wage_min == 4000
    assert staff.patch(f"/api/v1/postings/{posting.id}", json={"title": None}).status_code == 422


def test_another_employer_cannot_see_or_touch_the_posting(employer, client_of):
    posting = make_posting(employer, status="draft")
    other = client_of(owner_of(make_employer()))
    assert other.get(f"/api/v1/postings/{posting.id}").status_code == 404
    assert other.patch(f"/api/v1/postings/{posting.id}", json={"headcount": 1}).status_code == 404
    assert other.post(f"/api/v1/postings/{posting.id}/submit").status_code == 404
    assert other.post(f"/api/v1/postings/{posting.id}/close").status_code == 404
    assert other.get("/api/v1/postings").get_json()["items"] == []


def test_workers_cannot_post_or_review(worker, employer):
    posting = make_posting(employer, status="pending")
    assert worker.post("/api/v1/postings", json=posting_body()).status_code == 403
    assert worker.post(f"/api/v1/postings/{posting.id}/approve").status_code == 403
    assert worker.get("/api/v1/postings/review").status_code == 403


def test_my_postings_by_status(employer, staff):
    draft = make_posting(employer, status="draft")
    published = make_posting(employer)
    all_ids = [p["id"] for p in staff.get("/api/v1/postings").get_json()["items"]]
    assert all_ids == [published.id, draft.id]
    drafts = staff.get("/api/v1/postings", query_string={"status": "draft"}).get_json()["items"]
    assert [p["id"] for p in drafts] == [draft.id]


def test_the_search_index_follows_every_change(employer, staff, official, clock):
    from sqlalchemy import text

    from app.jobs.models import JobListingText

    kept = make_posting(employer, title="留下的普工")
    closed = make_posting(employer)
    taken = make_posting(employer)
    edited = make_posting(employer)
    expiring = make_posting(employer, valid_until="2020-02-21")
    staff.post(f"/api/v1/postings/{closed.id}/close")
    official.post(f"/api/v1/postings/{taken.id}/take-down", json={"reason": "不实"})
    staff.patch(f"/api/v1/postings/{edited.id}", json={"title": "改过的普工"})
    official.post(f"/api/v1/postings/{edited.id}/approve")
    clock.shift(timedelta(days=2))
    staff.get("/api/v1/jobs")  # the sweep expires the last one
    assert db.session.scalar(select(func.count()).select_from(JobListingText)) == 2
    assert {p["title"] for p in staff.get("/api/v1/jobs?q=普工").get_json()["items"]} == {
        "留下的普工",
        "改过的普工",
    }
    assert expiring.id and kept.id
    if db.engine.dialect.name == "sqlite":  # FTS5 checks its index against job_listing_texts
        db.session.execute(
            text("INSERT INTO job_listings_fts(job_listings_fts) VALUES ('integrity-check')")
        )

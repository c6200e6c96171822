"""One-tap applications, what employers see of applicants, and status changes."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.employers.services import roster_of
from app.extensions import db
from app.jobs.models import Application
from tests.employers.factories import make_employer, owner_of
from tests.factories import declaration, make_user
from tests.jobs.factories import make_posting


@pytest.fixture
def employer(app):
    return make_employer()


@pytest.fixture
def posting(employer):
    return make_posting(employer, headcount=2)


@pytest.fixture
def staff(employer, client_of):
    return client_of(owner_of(employer))


def apply(client, posting, share_card=True):
    return client.post(f"/api/v1/jobs/{posting.id}/applications", json={"share_card": share_card})


def applicants(client, posting, **params):
    response = client.get(f"/api/v1/postings/{posting.id}/applications", query_string=params)
    assert response.status_code == 200
    return response.get_json()["items"]


def test_one_tap_apply_and_the_employer_sees_the_card_colour(posting, staff, client_of):
    person = make_user(roles=("worker",), name="李秀英", phone="13911112001")
    worker = client_of(person)
    assert worker.post("/api/v1/declarations", json=declaration()).status_code == 201
    response = apply(worker, posting, share_card=True)
    assert response.status_code == 201
    assert response.get_json()["application_status"] == "submitted"
    assert response.get_json()["share_card"] is True
    [seen] = applicants(staff, posting)
    assert seen["name_masked"] == "李*英" and seen["phone_masked"] == "139****2001"
    assert seen["card_status"] == "green" and seen["status"] == "submitted"


def test_without_sharing_the_employer_sees_no_colour(posting, staff, client_of):
    worker = client_of(make_user(roles=("worker",)))
    worker.post("/api/v1/declarations", json=declaration())
    apply(worker, posting, share_card=False)
    [seen] = applicants(staff, posting)
    assert seen["card_status"] is None and seen["share_card"] is False


def test_applying_twice_or_to_a_closed_job_is_refused(employer, posting, client_of):
    worker = client_of(make_user(roles=("worker",)))
    assert apply(worker, posting).status_code == 201
    again = apply(worker, posting)
    assert again.status_code == 409 and again.get_json()["code"] == "already_applied"
    draft = make_posting(employer, status="draft")
    assert apply(worker, draft).status_code == 404
    closed = make_posting(employer, status="closed")
    assert apply(worker, closed).status_code == 404
    assert apply(worker, posting, share_card="maybe").status_code == 422


def test_only_workers_apply(posting, client_of):
    official = client_of(make_user(roles=("official",), region_code="430702"))
    assert apply(official, posting).status_code == 403


def test_another_employer_never_sees_the_applicants(posting, client_of):
    worker = client_of(make_user(roles=("worker",)))
    apply(worker, posting)
    application = db.session.scalars(select(Application)).one()
    other = client_of(owner_of(make_employer(name="别家公司")))
    assert other.get(f"/api/v1/postings/{posting.id}/applications").status_code == 404
    assert (
        other.post(
            f"/api/v1/postings/{posting.id}/applications/status",
            json={"ids": [application.id], "status": "declined"},
        ).status_code
        == 404
    )
    assert (
        other.post(
            f"/api/v1/applications/{application.id}/status", json={"status": "hired"}
        ).status_code
        == 404
    )
    assert other.post(f"/api/v1/applications/{application.id}/contact").status_code == 404
    db.session.refresh(application)
    assert application.status == "submitted"


def test_the_worker_sees_the_status_change(posting, staff, client_of):
    worker = client_of(make_user(roles=("worker",)))
    apply(worker, posting)
    mine = worker.get("/api/v1/applications/mine").get_json()["items"]
    assert [a["status"] for a in mine] == ["submitted"]
    assert mine[0]["job"]["title"] == "电子厂普工招聘"
    staff.post(f"/api/v1/applications/{mine[0]['id']}/status", json={"status": "contacted"})
    assert worker.get("/api/v1/applications/mine").get_json()["items"][0]["status"] == "contacted"
    staff.post(f"/api/v1/applications/{mine[0]['id']}/status", json={"status": "hired"})
    mine = worker.get("/api/v1/applications/mine").get_json()["items"]
    assert mine[0]["status"] == "hired" and mine[0]["job"]["positions_left"] == 1


def test_a_final_status_cannot_change_back(posting, staff, client_of):
    worker = client_of(make_user(roles=("worker",)))
    apply(worker, posting)
    application = db.session.scalars(select(Application)).one()
    staff.post(f"/api/v1/applications/{application.id}/status", json={"status": "declined"})
    response = staff.post(
        f"/api/v1/applications/{application.id}/status", json={"status": "contacted"}
    )
    assert response.status_code == 409
    bad = staff.post(f"/api/v1/applications/{application.id}/status", json={"status": "submitted"})
    assert bad.status_code == 422


def test_bulk_changes_hire_onto_the_roster_and_skip_what_cannot_move(
    employer, posting, staff, client_of
):
    people = [make_user(roles=("worker",)) for _ in range(3)]
    for person in people:
        apply(client_of(person), posting)
    ids = [a["id"] for a in applicants(staff, posting)]
    declined = staff.post(
        f"/api/v1/postings/{posting.id}/applications/status",
        json={"ids": ids[:1], "status": "declined"},
    )
    assert declined.get_json() == {"changed": ids[:1], "skipped": []}

    hired = staff.post(
        f"/api/v1/postings/{posting.id}/applications/status", json={"ids": ids, "status": "hired"}
    )
    assert hired.status_code == 200
    assert sorted(hired.get_json()["changed"]) == sorted(ids[1:])
    assert hired.get_json()["skipped"] == ids[:1]
    roster = roster_of(employer)
    assert {u.id for u in roster} == {
        a.user_id
        for a in db.session.scalars(select(Application).where(Application.status == "hired"))
    }
    assert len(roster) == 2
    assert staff.get(f"/api/v1/postings/{posting.id}").get_json()["positions_left"] == 0


def test_hiring_beyond_the_positions_left_changes_nothing(posting, staff, client_of):
    for _ in range(3):
        apply(client_of(make_user(roles=("worker",))), posting)
    ids = [a["id"] for a in applicants(staff, posting)]
    response = staff.post(
        f"/api/v1/postings/{posting.id}/applications/status", json={"ids": ids, "status": "hired"}
    )
    assert response.status_code == 409 and response.get_json()["code"] == "posting_full"
    assert [a["status"] for a in applicants(staff, posting)] == ["submitted"] * 3


def test_a_full_job_takes_no_more_applications(posting, staff, client_of):
    for _ in range(2):
        apply(client_of(make_user(roles=("worker",))), posting)
    ids = [a["id"] for a in applicants(staff, posting)]
    staff.post(
        f"/api/v1/postings/{posting.id}/applications/status", json={"ids": ids, "status": "hired"}
    )
    late = apply(client_of(make_user(roles=("worker",))), posting)
    assert late.status_code == 409 and late.get_json()["code"] == "posting_full"


def test_bulk_input_is_checked(posting, staff, client_of):
    apply(client_of(make_user(roles=("worker",))), posting)
    url = f"/api/v1/postings/{posting.id}/applications/status"
    assert staff.post(url, json={"ids": [], "status": "hired"}).status_code == 422
    assert staff.post(url, json={"ids": [1], "status": "lost"}).status_code == 422
    assert staff.post(url, json={"ids": [999999], "status": "hired"}).status_code == 404


def test_contacting_reveals_the_phone_marks_contacted_and_is_audited(posting, staff, client_of):
    apply(client_of(make_user(roles=("worker",), phone="13911112002")), posting)
    application = db.session.scalars(select(Application)).one()
    response = staff.post(f"/api/v1/applications/{application.id}/contact")
    assert response.get_json()["phone"] == "13911112002"
    assert response.get_json()["applicant"]["status"] == "contacted"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(application.id))
    ).all()
    assert "job.applicant_contact" in actions
    assert all("13911112002" not in str(e.detail) for e in db.session.scalars(select(AuditEvent)))


def test_applicants_filtered_by_status(posting, staff, client_of):
    for _ in range(2):
        apply(client_of(make_user(roles=("worker",))), posting)
    first = applicants(staff, posting)[-1]["id"]
    staff.post(f"/api/v1/applications/{first}/status", json={"status": "declined"})
    assert [a["id"] for a in applicants(staff, posting, status="declined")] == [first]
    assert len(applicants(staff, posting, status="submitted")) == 1


def test_the_headcount_cannot_drop_below_those_hired(posting, staff, client_of):
    for _ in range(2):
        apply(client_of(make_user(roles=("worker",))), posting)
    ids = [a["id"] for a in applicants(staff, posting)]
    staff.post(
        f"/api/v1/postings/{posting.id}/applications/status", json={"ids": ids, "status": "hired"}
    )
    response = staff.patch(f"/api/v1/postings/{posting.id}", json={"headcount": 1})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "headcount_below_hired"
    assert staff.get(f"/api/v1/postings/{posting.id}").get_json()["headcount"] == 2


def withdraw(client, application_id):
    return client.post(f"/api/v1/applications/{application_id}/withdraw")


def test_a_worker_withdraws_before_the_decision_and_the_employer_cannot_call(
    posting, staff, client_of
):
    worker = client_of(make_user(roles=("worker",), phone="13911112003"))
    apply(worker, posting)
    [mine] = worker.get("/api/v1/applications/mine").get_json()["items"]
    staff.post(f"/api/v1/applications/{mine['id']}/status", json={"status": "contacted"})

    response = withdraw(worker, mine["id"])
    assert response.status_code == 200
    assert response.get_json()["status"] == "withdrawn"
    assert response.get_json()["job"]["application_status"] == "withdrawn"
    assert withdraw(worker, mine["id"]).status_code == 200  # a second tap changes nothing

    [seen] = applicants(staff, posting)
    assert seen["status"] == "withdrawn"
    call = staff.post(f"/api/v1/applications/{mine['id']}/contact")
    assert call.status_code == 409 and call.get_json()["code"] == "application_withdrawn"
    assert "13911112003" not in call.get_data(as_text=True)
    hire = staff.post(f"/api/v1/applications/{mine['id']}/status", json={"status": "hired"})
    assert hire.status_code == 409
    assert staff.get(f"/api/v1/postings/{posting.id}").get_json()["applications"] == {
        "submitted": 0,
        "contacted": 0,
        "hired": 0,
        "declined": 0,
        "withdrawn": 1,
    }
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(mine["id"]))
    ).all()
    assert "job.withdraw" in actions


def test_a_decided_application_cannot_be_withdrawn(posting, staff, client_of):
    worker = client_of(make_user(roles=("worker",)))
    apply(worker, posting)
    application = db.session.scalars(select(Application)).one()
    staff.post(f"/api/v1/applications/{application.id}/status", json={"status": "hired"})
    response = withdraw(worker, application.id)
    assert response.status_code == 409 and response.get_json()["code"] == "application_decided"
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "hired"


def test_nobody_withdraws_someone_elses_application(posting, staff, client_of):
    apply(client_of(make_user(roles=("worker",))), posting)
    application = db.session.scalars(select(Application)).one()
    other = client_of(make_user(roles=("worker",)))
    assert withdraw(other, application.id).status_code == 404
    assert withdraw(staff, application.id).status_code == 404  # not the employer's to take back
    assert withdraw(other, 999999).status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "submitted"


def test_after_withdrawing_the_worker_may_apply_again(posting, staff, client_of):
    worker = client_of(make_user(roles=("worker",)))
    apply(worker, posting, share_card=True)
    application = db.session.scalars(select(Application)).one()
    withdraw(worker, application.id)
    detail = worker.get(f"/api/v1/jobs/{posting.id}").get_json()
    assert detail["application_status"] == "withdrawn"

    again = apply(worker, posting, share_card=False)
    assert again.status_code == 201
    assert again.get_json()["application_status"] == "submitted"
    assert again.get_json()["share_card"] is False
    [seen] = applicants(staff, posting)
    assert seen["id"] == application.id and seen["status"] == "submitted"
    assert seen["card_status"] is None  # the new choice: not shared


def test_the_applicant_is_texted_the_decision_once_it_is_saved(app, posting, staff, client_of):
    hired_person = make_user(roles=("worker",), phone="13911112010")
    declined_person = make_user(roles=("worker",), phone="13911112011")
    for person in (hired_person, declined_person):
        apply(client_of(person), posting)
    hired, declined = (a["id"] for a in sorted(applicants(staff, posting), key=lambda a: a["id"]))
    sent = app.extensions["sms"].sent
    sent.clear()
    staff.post(f"/api/v1/applications/{hired}/contact")  # a call, not a decision: no text
    assert sent == []
    staff.post(f"/api/v1/applications/{hired}/status", json={"status": "hired"})
    staff.post(f"/api/v1/applications/{declined}/status", json={"status": "declined"})
    assert [phone for phone, _ in sent] == ["13911112010", "13911112011"]
    assert "“电子厂普工招聘”" in sent[0][1] and "已录用" in sent[0][1]
    assert "未被录用" in sent[1][1]
    assert all("李" not in message for _, message in sent)  # no name, no ID number


def test_a_refused_hire_texts_nobody(app, posting, staff, client_of):
    for _ in range(3):
        apply(client_of(make_user(roles=("worker",))), posting)
    ids = [a["id"] for a in applicants(staff, posting)]
    app.extensions["sms"].sent.clear()
    response = staff.post(
        f"/api/v1/postings/{posting.id}/applications/status", json={"ids": ids, "status": "hired"}
    )
    assert response.status_code == 409  # 3 hires for 2 positions: nothing changes
    assert app.extensions["sms"].sent == []

"""An employer registers, officials of its region verify it, and only they can."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.employers.models import Employer, EmployerStaff
from app.extensions import db
from tests.employers.factories import credit_code, employer_body, make_employer
from tests.factories import make_user


def count_employers():
    return db.session.scalar(select(func.count(Employer.id)))


def test_a_worker_registers_an_employer_and_becomes_its_staff(client, login):
    user = make_user(roles=("worker",))
    login(user)
    response = client.post("/api/v1/employers", json=employer_body(name="常德华信电子有限公司"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["verification_state"] == "pending" and body["verified"] is False
    assert body["region"]["name_zh"] == "武陵区"
    me = client.get("/api/v1/me").get_json()
    assert "employer" in me["roles"]
    assert client.get("/api/v1/employers/mine").get_json()["id"] == body["id"]
    staff = db.session.scalars(select(EmployerStaff)).one()
    assert staff.user_id == user.id and staff.is_owner


def test_the_credit_code_is_normalised(client, login):
    login(make_user())
    code = credit_code()
    body = client.post("/api/v1/employers", json=employer_body(credit_code=code.lower())).get_json()
    assert body["credit_code"] == code


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"credit_code": "91350100M000100Y44"}, "credit_code", "credit_code_invalid"),
        ({"contact_phone": "12345"}, "contact_phone", "phone_invalid"),
        ({"name": ""}, "name", "too_short"),
        ({"region_code": "999999"}, "region_code", "region_unknown"),
        ({"region_code": "440300"}, "region_code", "region_not_local"),
        ({"owner": "me"}, "owner", "extra_forbidden"),
    ],
)
def test_bad_registrations_change_nothing(client, login, overrides, field, code):
    login(make_user())
    response = client.post("/api/v1/employers", json=employer_body(**overrides))
    assert response.status_code == 422
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in response.get_json()["errors"]
    ]
    assert count_employers() == 0


def test_a_credit_code_registers_once(client, login):
    make_employer()
    taken = db.session.scalars(select(Employer.credit_code)).one()
    login(make_user())
    response = client.post("/api/v1/employers", json=employer_body(credit_code=taken))
    assert response.status_code == 409
    assert response.get_json()["code"] == "credit_code_taken"


def test_staff_cannot_register_a_second_employer(client, login):
    employer = make_employer()
    from tests.employers.factories import owner_of

    login(owner_of(employer))
    response = client.post("/api/v1/employers", json=employer_body())
    assert response.status_code == 409
    assert count_employers() == 1


def test_officials_of_its_region_verify_it(client_of):
    employer = make_employer(verified=False, region_code="430702")
    county = client_of(make_user(roles=("official",), region_code="430702"))
    pending = county.get("/api/v1/employers?state=pending").get_json()["items"]
    assert [e["id"] for e in pending] == [employer.id]
    response = county.post(f"/api/v1/employers/{employer.id}/verify")
    assert response.status_code == 200
    assert response.get_json()["verification_state"] == "verified"
    assert county.get("/api/v1/employers?state=pending").get_json()["items"] == []
    again = county.post(f"/api/v1/employers/{employer.id}/verify")
    assert again.status_code == 409
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "employer")
    ).all() == ["employer.register", "employer.verify"]


def test_officials_elsewhere_neither_see_nor_verify_it(client_of):
    employer = make_employer(verified=False, region_code="430702")
    other = client_of(make_user(roles=("official",), region_code="430703"))
    assert other.get("/api/v1/employers").get_json()["items"] == []
    assert other.get(f"/api/v1/employers/{employer.id}").status_code == 404
    assert other.post(f"/api/v1/employers/{employer.id}/verify").status_code == 403
    db.session.refresh(employer)
    assert employer.verified is False


def test_workers_cannot_list_or_verify_employers(client_of):
    employer = make_employer(verified=False)
    worker = client_of(make_user(roles=("worker",)))
    assert worker.get("/api/v1/employers").status_code == 403
    assert worker.post(f"/api/v1/employers/{employer.id}/verify").status_code == 403


def test_a_registration_sent_back_is_pending_again_once_corrected(client_of):
    from tests.employers.factories import owner_of

    employer = make_employer(verified=False)
    official = client_of(make_user(roles=("official",), region_code="430700"))
    response = official.post(
        f"/api/v1/employers/{employer.id}/reject", json={"reason": "营业执照地址不符"}
    )
    assert response.get_json()["verification_state"] == "rejected"
    owner = client_of(owner_of(employer))
    mine = owner.get("/api/v1/employers/mine").get_json()
    assert mine["rejected_reason"] == "营业执照地址不符"
    fixed = owner.patch("/api/v1/employers/mine", json={"address": "武陵区常德大道1号"})
    assert fixed.get_json()["verification_state"] == "pending"
    assert official.post(f"/api/v1/employers/{employer.id}/reject", json={}).status_code == 422


def test_a_verified_employer_keeps_its_name_but_may_change_its_contact(client_of):
    from tests.employers.factories import owner_of

    employer = make_employer(verified=True)
    owner = client_of(owner_of(employer))
    renamed = owner.patch("/api/v1/employers/mine", json={"name": "别的公司"})
    assert renamed.status_code == 409
    assert renamed.get_json()["code"] == "employer_verified_locked"
    moved = owner.patch("/api/v1/employers/mine", json={"contact_phone": "13911112222"})
    assert moved.status_code == 200 and moved.get_json()["contact_phone"] == "13911112222"
    assert moved.get_json()["verified"] is True
    assert owner.patch("/api/v1/employers/mine", json={"name": None}).status_code == 422


def test_people_without_an_employer_have_no_mine(client_of):
    user = make_user(roles=("employer",))
    assert client_of(user).get("/api/v1/employers/mine").status_code == 403

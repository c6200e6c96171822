"""Staff join by a signed, expiring link for their phone; the roster of admitted workers."""

from datetime import timedelta

from itsdangerous import URLSafeTimedSerializer

from app.employers import services
from app.timeutil import local_today
from tests.employers.factories import make_employer, owner_of
from tests.factories import make_user


def invite(client, phone):
    return client.post("/api/v1/employers/mine/invitations", json={"phone": phone})


def test_the_invited_phone_joins_the_staff(app, client_of):
    employer = make_employer()
    owner = client_of(owner_of(employer))
    newcomer = make_user(roles=("worker",), phone="13911110001")
    response = invite(owner, "13911110001")
    assert response.status_code == 201
    body = response.get_json()
    assert "/#/recruit/join?token=" in body["url"]
    phone, message = app.extensions["sms"].sent[-1]
    assert phone == "13911110001" and body["token"] in message
    joined = client_of(newcomer).post(
        "/api/v1/employer-invitations/accept", json={"token": body["token"]}
    )
    assert joined.status_code == 200 and joined.get_json()["id"] == employer.id
    me = client_of(newcomer).get("/api/v1/me").get_json()
    assert "employer" in me["roles"]
    staff = owner.get("/api/v1/employers/mine/staff").get_json()["items"]
    assert [s["is_owner"] for s in staff] == [True, False]
    assert staff[1]["phone_masked"] == "139****0001"
    # Opening the link again changes nothing.
    again = client_of(newcomer).post(
        "/api/v1/employer-invitations/accept", json={"token": body["token"]}
    )
    assert again.status_code == 200
    assert len(owner.get("/api/v1/employers/mine/staff").get_json()["items"]) == 2


def test_someone_else_cannot_use_the_link(client_of):
    employer = make_employer()
    token = invite(client_of(owner_of(employer)), "13911110002").get_json()["token"]
    stranger = client_of(make_user(phone="13911110003"))
    response = stranger.post("/api/v1/employer-invitations/accept", json={"token": token})
    assert response.status_code == 403
    assert response.get_json()["code"] == "invitation_other_phone"
    assert stranger.get("/api/v1/employers/mine").status_code == 403


def test_the_link_expires_after_three_days(clock, client_of):
    employer = make_employer()
    invitee = make_user(phone="13911110004")
    token = invite(client_of(owner_of(employer)), "13911110004").get_json()["token"]
    clock.shift(timedelta(days=3, minutes=1))
    response = client_of(invitee).post("/api/v1/employer-invitations/accept", json={"token": token})
    assert response.status_code == 410
    assert response.get_json()["code"] == "invitation_expired"


def test_a_tampered_token_or_one_of_another_purpose_is_refused(app, client_of):
    employer = make_employer()
    invitee = make_user(phone="13911110005")
    token = invite(client_of(owner_of(employer)), "13911110005").get_json()["token"]
    other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else").dumps(
        {"employer": employer.id, "phone": "13911110005"}
    )
    client = client_of(invitee)
    for bad in (token[:-2] + "xx", other_purpose):
        response = client.post("/api/v1/employer-invitations/accept", json={"token": bad})
        assert response.status_code == 400
        assert response.get_json()["code"] == "invitation_invalid"


def test_staff_of_one_employer_cannot_join_another(client_of):
    first, second = make_employer(), make_employer()
    person = owner_of(first)
    token = invite(client_of(owner_of(second)), person.phone).get_json()["token"]
    response = client_of(person).post("/api/v1/employer-invitations/accept", json={"token": token})
    assert response.status_code == 409


def test_the_roster_add_list_and_remove(client_of):
    employer = make_employer()
    owner = client_of(owner_of(employer))
    worker = make_user(roles=("worker",), phone="13911110006", name="张小三")
    added = owner.post("/api/v1/employers/mine/workers", json={"phone": "13911110006"})
    assert added.status_code == 201
    entry = added.get_json()
    assert entry["name_masked"] == "张*三" and entry["phone_masked"] == "139****0006"
    assert entry["source"] == "manual" and entry["admitted_on"] == "2020-02-20"
    assert [
        e["user_id"] for e in owner.get("/api/v1/employers/mine/workers").get_json()["items"]
    ] == [worker.id]
    assert services.roster_of(employer) == [worker]
    assert owner.delete(f"/api/v1/employers/mine/workers/{worker.id}").status_code == 204
    assert owner.get("/api/v1/employers/mine/workers").get_json()["items"] == []
    assert owner.delete(f"/api/v1/employers/mine/workers/{worker.id}").status_code == 404


def test_an_unknown_phone_or_a_bad_one_adds_nobody(client_of):
    owner = client_of(owner_of(make_employer()))
    unknown = owner.post("/api/v1/employers/mine/workers", json={"phone": "13911119999"})
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "worker_not_found"
    assert owner.post("/api/v1/employers/mine/workers", json={"phone": "1391"}).status_code == 422
    assert owner.get("/api/v1/employers/mine/workers").get_json()["items"] == []


def test_each_employer_sees_only_its_own_roster(client_of):
    first, second = make_employer(), make_employer()
    worker = make_user(phone="13911110007")
    services.admit_worker(first, worker, on=local_today(), source="manual")
    assert (
        client_of(owner_of(second)).get("/api/v1/employers/mine/workers").get_json()["items"] == []
    )


def test_admitting_twice_keeps_one_entry(app):
    employer = make_employer()
    worker = make_user()
    first = services.admit_worker(employer, worker, on=local_today(), source="hired")
    second = services.admit_worker(employer, worker, on=local_today(), source="manual")
    assert first is second and second.source == "hired"
    assert services.roster_of(employer) == [worker]
    assert services.employer_for_user(owner_of(employer)) is employer
    assert services.employer_for_user(worker) is None

"""The API of a worker's own data: only ever their own, refused to everyone else, hostile input
refused with nothing changed, and erasure ending in a logged-out, refused card."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cards.models import HealthCard
from app.extensions import db
from app.privacy.models import Erasure
from app.quarantine.models import QuarantineCase
from tests.factories import make_user
from tests.privacy.factories import erasure_code, green_worker, worker_with_everything

MINE = "/api/v1/privacy/mine"
EXPORT = "/api/v1/privacy/export.json"
CODE = "/api/v1/privacy/erasure/code"
ERASE = "/api/v1/privacy/erasure"


def test_my_data_shows_my_categories_masked(app, client_of):
    worker = worker_with_everything(client_of)
    body = client_of(worker.user).get(MINE).get_json()
    assert body["subject"]["name_masked"] == "王*兰"
    assert body["subject"]["phone_masked"] == worker.phone[:3] + "****" + worker.phone[-4:]
    text = json.dumps(body, ensure_ascii=False)
    assert "王秀兰" not in text and worker.phone not in text  # masked on screen
    cards = next(c for c in body["categories"] if c["key"] == "cards")
    assert (cards["count"], cards["fate"], cards["title"]) == (2, "revoked", "健康码和健康证明")
    assert body["total"] == sum(c["count"] for c in body["categories"])
    assert body["erasure"]["possible"] is True and body["erasure"]["cards_to_revoke"] == 2


def test_my_data_speaks_english_when_asked(app, client_of):
    user, _ = green_worker()
    user.locale = "en"
    db.session.commit()
    body = client_of(user).get(MINE).get_json()
    cards = next(c for c in body["categories"] if c["key"] == "cards")
    assert cards["title"] == "Health cards and certificates"
    assert cards["fate_text"] == "Revoked" and "revocation list" in cards["why"]


def test_each_worker_sees_and_exports_only_their_own(app, client_of):
    alice, alice_card = green_worker("王秀兰")
    bob, bob_card = green_worker("赵国强")
    for path in (MINE, EXPORT, MINE + f"?user_id={bob.id}", EXPORT + f"?user_id={bob.id}"):
        text = client_of(alice).get(path).get_data(as_text=True)
        assert alice_card.card_id[:8] in text
        assert bob_card.card_id[:8] not in text and "赵" not in text and bob.phone not in text


@pytest.mark.parametrize("role", ["volunteer", "employer", "official", "admin"])
def test_other_roles_are_refused(app, client_of, role):
    staff = client_of(make_user(roles=(role,)))
    for method, path in (("get", MINE), ("get", EXPORT), ("post", CODE), ("post", ERASE)):
        response = getattr(staff, method)(path, json={"code": "123456"} if path == ERASE else None)
        assert response.status_code == 403, (method, path)
        assert response.get_json()["code"] == "forbidden"


def test_nobody_signed_in_is_refused(app, client):
    for method, path in (("get", MINE), ("get", EXPORT), ("post", CODE), ("post", ERASE)):
        assert getattr(client, method)(path).status_code == 401


def test_the_export_is_a_utf8_json_attachment_and_audited(app, client_of):
    worker = worker_with_everything(client_of)
    response = client_of(worker.user).get(EXPORT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="fangang-my-data-20200220.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.data.decode("utf-8"))
    assert document["format"] == "fangang-personal-data" and document["version"] == 1
    assert "王秀兰" in response.data.decode("utf-8")  # UTF-8 text, not \\u escapes
    assert document["categories"]["declarations"]["records"][0]["temperature"] == "36.5"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.export")
    ).one()
    assert event.actor_id == worker.user.id
    assert event.detail == {"records": document["record_count"], "format_version": 1}


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "PRIVACY_EXPORT_RATE": "2 per hour"}], indirect=True
)
def test_exports_are_rate_limited_per_person(app, client_of):
    alice, _ = green_worker()
    bob, _ = green_worker("赵国强")
    mine = client_of(alice)
    assert [mine.get(EXPORT).status_code for _ in range(2)] == [200, 200]
    third = mine.get(EXPORT)
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    assert third.get_json()["code"] == "rate_limited"
    assert client_of(bob).get(EXPORT).status_code == 200  # someone else's budget is their own
    exports = select(func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.export")
    assert db.session.scalar(exports) == 3


def _erasure(app, client, phone):
    assert client.post(CODE).status_code == 202
    return client.post(ERASE, json={"code": erasure_code(app, phone)})


def test_erasure_logs_out_and_the_old_card_is_refused_by_verify(app, client_of):
    worker = worker_with_everything(client_of)
    phone, card_qr, certificate_qr = worker.phone, worker.card.qr_text, worker.certificate.qr_text
    me = client_of(worker.user)
    sent = me.post(CODE)
    assert (
        sent.status_code == 202
        and sent.get_json()["phone_masked"] == phone[:3] + "****" + phone[-4:]
    )
    done = me.post(ERASE, json={"code": erasure_code(app, phone)})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["erased"] is True and done.get_json()["cards_revoked"] == 2
    assert me.get("/api/v1/me").status_code == 401
    anyone = app.test_client()
    for qr in (card_qr, certificate_qr):
        verdict = anyone.post("/api/v1/verify", json={"qr": qr}).get_json()
        assert (verdict["valid"], verdict["reason"]) == (False, "revoked")


def test_repeating_the_erasure_is_a_401_not_a_500_and_doubles_nothing(app, client_of):
    user, _ = green_worker()
    me = client_of(user)
    with me.session_transaction() as kept:  # a copy of the session cookie, as a retry sends
        stale = dict(kept)
    assert _erasure(app, me, user.phone).status_code == 200
    # The session (and its CSRF token) is gone: as the PWA does, fetch a fresh token first.
    assert me.post(ERASE, json={"code": "123456"}).get_json()["code"] == "csrf_failed"
    me.delete_cookie("fg_csrf")
    assert me.post(ERASE, json={"code": "123456"}).status_code == 401
    retry = app.test_client()
    with retry.session_transaction() as session:
        session.update(stale)
    assert retry.post(ERASE, json={"code": "123456"}).status_code == 401
    assert retry.post(CODE).status_code == 401
    assert db.session.scalar(select(func.count(Erasure.id))) == 1


def test_a_remembered_login_does_not_survive_erasure(app):
    """A real phone login (with its remember-me cookie), then erasure: neither the session nor
    the remember cookie lets anyone back in as that person."""
    user, _ = green_worker()
    phone = app.test_client()
    phone.post("/api/v1/auth/otp", json={"phone": user.phone})
    code = app.extensions["sms"].last_to(user.phone).split("验证码是 ")[1][:6]
    assert (
        phone.post("/api/v1/auth/login", json={"phone": user.phone, "code": code}).status_code
        == 200
    )
    remember = phone.get_cookie("remember_token")
    assert remember is not None
    assert _erasure(app, phone, user.phone).status_code == 200
    other_device = app.test_client()
    other_device.set_cookie("remember_token", remember.value)
    assert other_device.get("/api/v1/me").status_code == 401


def test_a_held_erasure_is_a_409_that_says_why_and_when(app, client_of):
    from datetime import date

    user, _ = green_worker()
    db.session.add(
        QuarantineCase(
            user_id=user.id,
            origin="manual",
            start_date=date(2020, 2, 15),
            planned_end_date=date(2020, 2, 29),
            village_code=user.region_code,
        )
    )
    db.session.commit()
    me = client_of(user)
    sent = len(app.extensions["sms"].sent)
    for request in (lambda: me.post(CODE), lambda: me.post(ERASE, json={"code": "123456"})):
        response = request()
        assert response.status_code == 409
        assert response.headers["Content-Type"] == "application/problem+json"
        body = response.get_json()
        assert body["code"] == "erasure_held"
        assert "2020-02-29" in body["detail"] and "传染病防治法" in body["detail"]
        assert body["title"].startswith("Your personal data cannot be erased yet")
        (hold,) = body["holds"]
        assert (hold["code"], hold["until"]) == ("erasure_quarantine_open", "2020-02-29")
        assert hold["message"] in body["detail"]
    assert len(app.extensions["sms"].sent) == sent
    user.locale = "en"
    db.session.commit()
    english = me.post(CODE).get_json()
    assert english["detail"] == english["title"]  # in English when the user chose English
    assert "releases you" in english["holds"][0]["message"]
    preview = me.get(MINE).get_json()["erasure"]
    assert preview["possible"] is False
    assert preview["holds"][0]["until"] == "2020-02-29"
    assert db.session.get(User, user.id).name is not None


def test_a_second_code_within_a_minute_is_refused(app, client_of):
    user, _ = green_worker()
    me = client_of(user)
    assert me.post(CODE).status_code == 202
    again = me.post(CODE)
    assert again.status_code == 429 and again.get_json()["code"] == "otp_resend_too_soon"


def test_wrong_codes_change_nothing_and_run_out(app, client_of):
    user, card = green_worker()
    me = client_of(user)
    me.post(CODE)
    right = erasure_code(app, user.phone)
    wrong = "000000" if right != "000000" else "111111"
    codes = [me.post(ERASE, json={"code": wrong}).get_json()["code"] for _ in range(5)]
    assert codes == ["otp_invalid"] * 4 + ["otp_too_many_attempts"]
    assert me.post(ERASE, json={"code": right}).get_json()["code"] == "otp_too_many_attempts"
    db.session.expire_all()
    assert db.session.get(HealthCard, card.id).revoked_dt is None
    assert db.session.get(User, user.id).active is True


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": 123456},
        {"code": "12345"},
        {"code": "12345\x00"},
        {"code": "١٢٣٤٥٦"},  # Arabic-Indic digits
        {"code": "1" * 5000},
        {"code": ["123456"]},
        {"code": "123456", "user_id": 1},  # no other person can be named
        [],
    ],
    ids=["empty", "number", "short", "nul", "arabic-digits", "huge", "list", "extra", "array"],
)
def test_hostile_erasure_bodies_are_refused_and_change_nothing(app, client_of, body):
    user, card = green_worker()
    other, other_card = green_worker("赵国强")
    me = client_of(user)
    me.post(CODE)
    if isinstance(body, dict) and body.get("user_id"):
        body["user_id"] = other.id
        body["code"] = erasure_code(app, user.phone)
    response = me.post(ERASE, json=body)
    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"] == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True
    assert db.session.get(User, other.id).name == "赵国强"
    assert db.session.get(HealthCard, other_card.id).revoked_dt is None


def test_malformed_json_is_a_400(app, client_of):
    user, _ = green_worker()
    response = client_of(user).post(ERASE, data="{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["code"] == "malformed_json"


def test_erasure_without_the_csrf_token_is_refused(app, client_of):
    user, _ = green_worker()
    response = client_of(user).post(ERASE, json={"code": "123456"}, no_csrf=True)
    assert response.status_code == 403 and response.get_json()["code"] == "csrf_failed"

"""One error contract: every failure is problem+json with a stable code, never HTML or a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_user

PROBLEM = "application/problem+json"


def assert_problem(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"]
    return body


def test_unknown_api_path_is_a_problem_not_a_page(client):
    assert_problem(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/auth/csrf")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/otp", data="{not json", content_type="application/json")
    assert_problem(response, 400, "malformed_json")


def test_form_encoded_body_is_415(client):
    response = client.post("/api/v1/auth/otp", data={"phone": "13800000001"})
    assert_problem(response, 415, "unsupported_media_type")


def test_body_over_the_limit_is_413(app, client):
    response = client.post(
        "/api/v1/auth/otp",
        data="x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="application/json",
    )
    assert_problem(response, 413, "payload_too_large")


def test_validation_errors_name_each_field_in_chinese_by_default(client):
    body = assert_problem(
        client.post("/api/v1/auth/login", json={"phone": "12345"}), 422, "validation_error"
    )
    fields = {e["field"]: e for e in body["errors"]}
    assert fields["phone"]["code"] == "phone_invalid"
    assert fields["phone"]["message"] == "请输入 11 位中国大陆手机号。"
    assert fields["code"]["code"] == "missing"
    assert body["detail"] == "提交的内容有误，请检查标出的项目。"


def test_messages_follow_accept_language(client):
    response = client.post(
        "/api/v1/auth/login",
        json={"phone": "12345", "code": "12"},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    body = assert_problem(response, 422, "validation_error")
    assert {e["message"] for e in body["errors"]} == {
        "Enter an 11-digit mainland mobile number.",
        "Enter the 6-digit code.",
    }


def test_unknown_fields_are_refused(client):
    body = assert_problem(
        client.post("/api/v1/auth/otp", json={"phone": "13800000001", "admin": True}),
        422,
        "validation_error",
    )
    assert body["errors"] == [
        {"field": "admin", "code": "extra_forbidden", "message": "不允许的字段。"}
    ]


def test_login_required_is_401_problem(client):
    assert_problem(client.get("/api/v1/me"), 401, "unauthenticated")


def test_a_crash_is_a_problem_with_request_id(app, client):
    @app.get("/api/v1/_boom")
    def boom():
        raise RuntimeError("boom")

    body = assert_problem(client.get("/api/v1/_boom"), 500, "internal_error")
    assert body["request_id"]
    assert "boom" not in json.dumps(body)


def test_a_crash_after_a_failed_flush_is_still_a_problem(app, client, login):
    """The answer reads the user's language through the session the failed flush broke."""
    from flask_login import current_user
    from sqlalchemy.exc import IntegrityError

    from app.accounts.models import User
    from app.extensions import db
    from tests.factories import make_user

    @app.get("/api/v1/_flush_then_boom")
    def flush_then_boom():
        assert current_user.is_authenticated
        db.session.add(User(phone=current_user.phone))  # the same phone twice: refused
        try:
            db.session.flush()
        except IntegrityError:
            raise RuntimeError("boom after a failed flush") from None

    login(make_user(roles=("worker",), locale="en"))
    body = assert_problem(client.get("/api/v1/_flush_then_boom"), 500, "internal_error")
    assert body["request_id"]


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.rule, method


HOSTILE_BODIES = [
    b"",
    b"null",
    b"[]",
    b"123",
    b'"text"',
    b"{",
    b'{"phone": null}',
    b'{"phone": 13800000001}',
    b'{"phone": ["13800000001"]}',
    b'{"phone": "\\u0000"}',
    b'{"locale": {"$gt": ""}}',
    b'{"code": "' + b"9" * 5000 + b'"}',
    b'{"username": "\' OR 1=1 --"}',
    b"\xff\xfe\xfd",
    b'{"a":' * 200 + b"1" + b"}" * 200,
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_bodies_never_cause_a_500(app, client, login, body):
    login(make_user(roles=("worker", "official", "admin")))
    for rule, method in _api_rules(app):
        path = rule.replace("<code>", "430702").replace("<int:", "<").split("<")[0]
        response = client.open(path, method=method, data=body, content_type="application/json")
        assert response.status_code < 500, (method, path, response.get_data(as_text=True))
        if response.status_code >= 400:
            assert response.headers["Content-Type"] == PROBLEM


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    query=st.text(max_size=40),
)
def test_random_paths_and_queries_never_cause_a_500(client, path, query):
    from urllib.parse import quote

    url = "/api/v1/" + quote(path, safe="/") + "?" + quote(query, safe="=&")
    response = client.get(url)
    assert response.status_code < 500


def test_only_races_count_as_conflicts():
    """Unique and foreign-key violations come from concurrent requests (409); a NOT NULL or
    CHECK violation is a bug of ours and stays a logged 500."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    from app.api.problems import is_race

    def wrapped(text: str) -> IntegrityError:
        return IntegrityError("INSERT ...", {}, sqlite3.IntegrityError(text))

    assert is_race(wrapped("UNIQUE constraint failed: quarantine_cases.user_id"))
    assert is_race(wrapped("FOREIGN KEY constraint failed"))
    assert not is_race(wrapped("NOT NULL constraint failed: users.phone"))
    assert not is_race(wrapped("CHECK constraint failed: positive"))

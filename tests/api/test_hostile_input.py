"""Input no client of ours sends, found by fuzzing the API: each gets a clear 4xx (or, where
the input is only read, its normal answer), never a 500, and changes nothing."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from tests.factories import make_user


def cursor_of(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def worker(app, client, login):
    user = make_user(roles=("worker",))
    login(user)
    return user


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/jobs/99999999999999999999",
        "/api/v1/jobs/2147483648",  # one past PostgreSQL's INTEGER
        "/api/v1/employers/99999999999999999999",
        "/api/v1/checkpoints/99999999999999999999",
    ],
)
def test_ids_no_column_can_hold_are_simply_not_found(client, worker, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "values",
    [[True], ["\ud800"], [2**63], ["12"], [1.5], [[1]], [1, 2]],
    ids=["bool", "lone-surrogate", "beyond-int64", "text-for-an-id", "float", "list", "width"],
)
def test_forged_cursors_are_refused(client, worker, values):
    response = client.get("/api/v1/declarations", query_string={"cursor": cursor_of(values)})
    assert response.status_code == 422
    assert response.get_json()["errors"][0] == {
        "field": "cursor",
        "code": "cursor_invalid",
        "message": response.get_json()["errors"][0]["message"],
    }


def test_a_cursor_of_ours_still_pages(client, worker):
    assert (
        client.get("/api/v1/declarations", query_string={"cursor": cursor_of([5])}).status_code
        == 200
    )


def test_json_nested_beyond_reason_is_malformed_not_a_crash(client, worker):
    for path, method in (("/api/v1/me", "patch"), ("/api/v1/auth/otp", "post")):
        response = getattr(client, method)(
            path, data="[" * 100_000, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.get_json()["code"] == "malformed_json"


@pytest.mark.parametrize("text", ["a\x00b", "a\x01b", "a\x1bb", "\ud800"])
def test_control_characters_and_lone_surrogates_are_refused_by_field(client, text):
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post("/api/v1/auth/password-login", json={"username": text, "password": "x"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {
            "field": "username",
            "code": "invalid_characters",
            "message": "含有不允许的字符（如控制字符）。",
        }
    ]
    assert db.session.scalar(select(func.count(User.id))) == before


def test_tabs_newlines_and_emoji_are_ordinary_text(client):
    response = client.post(
        "/api/v1/auth/password-login", json={"username": "王\t芳\n😀", "password": "x"}
    )
    assert response.status_code == 401  # read as a (wrong) username, not refused


def test_query_parameters_are_checked_too(client, worker):
    response = client.get("/api/v1/jobs", query_string={"q": "普工\x00"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "invalid_characters"


def test_the_verifier_answers_any_scanned_text(client):
    response = client.post("/api/v1/verify", json={"qr": "HC1:\x00\x1b"})
    assert response.status_code == 200
    assert response.get_json()["valid"] is False


def test_dates_beyond_any_calendar_arithmetic_are_out_of_range(client, login):
    login(make_user(roles=("official",), region_code="430702"))
    response = client.get("/api/v1/checkpoints/stats", query_string={"to": "0001-01-01"})
    assert response.status_code == 422
    assert response.get_json()["code"] == "out_of_range"


def test_ids_in_bodies_are_bounded(client, login):
    login(make_user(roles=("official",), region_code="430702"))
    response = client.post("/api/v1/quarantine/releases", json={"case_ids": [10**20]})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "case_ids.0"

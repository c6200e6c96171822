"""POST /api/v1/verify: public, and no input makes it answer 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.credentials import REASONS
from tests.factories import declaration, make_user

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def valid_qr(app, client, login):
    login(make_user())
    return client.post("/api/v1/declarations", json=declaration()).get_json()["card"]["qr"]


def check(client, qr):
    response = client.post("/api/v1/verify", json={"qr": qr})
    if len(qr) > 5000:
        assert response.status_code == 422
        return None
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["reason"] in REASONS
    assert body["valid"] is (body["reason"] == "ok")
    return body


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text(client, text):
    check(client, text)


@FUZZ
@given(text=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=400))
def test_random_base45_after_each_prefix(client, text):
    for prefix in ("FG1:", "HC1:"):
        check(client, prefix + text)


@FUZZ
@given(data=st.data())
def test_mutated_valid_codes_are_never_valid_unless_untouched(client, valid_qr, data):
    position = data.draw(st.integers(min_value=4, max_value=len(valid_qr) - 1))
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    replacement = data.draw(st.sampled_from(alphabet))
    mutated = valid_qr[:position] + replacement + valid_qr[position + 1 :]
    body = check(client, mutated)
    if mutated != valid_qr:
        assert body["valid"] is False


def test_verdicts_are_in_the_users_language(app):
    client = app.test_client()
    zh = client.post("/api/v1/verify", json={"qr": "XYZ"}).get_json()
    en = client.post(
        "/api/v1/verify", json={"qr": "XYZ"}, headers={"Accept-Language": "en"}
    ).get_json()
    assert zh["reason"] == en["reason"] == "bad_prefix"
    assert zh["reason_text"].startswith("无法识别")
    assert en["reason_text"].startswith("Not recognised")


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "VERIFY_RATE": "3 per minute"}], indirect=True
)
def test_verify_is_rate_limited(app):
    anonymous = app.test_client()
    answers = [anonymous.post("/api/v1/verify", json={"qr": "x"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60

"""Headers every response carries, and what the shell is served with."""

import pytest


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1/auth/csrf", "/api/v1/nope"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Request-Id"]


def test_api_answers_are_not_cached(client):
    assert client.get("/api/v1/auth/csrf").headers["Cache-Control"] == "no-store"


def test_request_id_is_taken_from_the_caller_when_sane(client):
    assert (
        client.get("/healthz", headers={"X-Request-Id": "abc12345"}).headers["X-Request-Id"]
        == "abc12345"
    )
    assert (
        client.get("/healthz", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
        != "<script>"
    )


def test_logs_are_json_lines_without_personal_data(app, client):
    import io
    import json
    import logging

    stream = io.StringIO()
    handler = logging.getLogger("app").handlers[0]
    old = handler.setStream(stream)
    try:
        client.post("/api/v1/auth/otp", json={"phone": "13800000001"})
    finally:
        handler.setStream(old)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    assert lines, "nothing logged"
    assert all("request_id" in line for line in lines)
    assert "13800000001" not in json.dumps(lines)


def test_secret_key_is_generated_into_the_instance_folder(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    again = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == again.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0

"""The OpenAPI document is valid 3.1 and lists every API route."""

from openapi_spec_validator import validate

from app.api.openapi import openapi_path


def test_document_is_valid_openapi_31(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_api_route_is_documented(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = openapi_path(rule.rule)
        assert path in spec["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], (method, path)


def test_errors_are_documented_as_problems(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert login["responses"]["422"]["content"]["application/problem+json"]
    assert "requestBody" in login

"""/metrics: Prometheus text for a scraper with the token or an admin, nobody else."""

from __future__ import annotations

import pytest

from tests.factories import make_user


def _value(text: str, prefix: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix)
    )


@pytest.mark.parametrize("app", [{"METRICS_TOKEN": "scrape-secret"}], indirect=True)
def test_metrics_count_requests_by_route_and_verdicts_by_reason(app, client, login):
    scraper = app.test_client()
    before = scraper.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert before.status_code == 200
    assert before.content_type.startswith("text/plain")
    verdict = 'fangang_verify_verdicts_total{reason="bad_prefix",source="server"}'
    start = _value(before.get_data(as_text=True), verdict)

    assert client.post("/api/v1/verify", json={"qr": "nonsense"}).status_code == 200
    assert client.get("/api/v1/cards/987654").status_code in (401, 404)
    text = scraper.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).get_data(
        as_text=True
    )
    assert _value(text, verdict) == start + 1
    assert 'route="/api/v1/verify"' in text and "fangang_http_request_seconds_bucket" in text
    assert "987654" not in text  # route patterns, never paths
    assert "fangang_outbox_lag_seconds" in text


@pytest.mark.parametrize("app", [{"METRICS_TOKEN": "scrape-secret"}], indirect=True)
def test_metrics_are_not_public(app, client, login):
    nobody = app.test_client()
    assert nobody.get("/metrics").status_code == 401
    wrong = nobody.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 403
    assert wrong.get_json()["code"] == "forbidden"
    login(make_user(roles=("official",), region_code="430700"))
    assert client.get("/metrics").status_code == 403
    login(make_user(roles=("admin",), region_code="430700"))
    assert client.get("/metrics").status_code == 200

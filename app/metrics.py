"""Prometheus metrics at /metrics: requests and latency by route, verify verdicts by reason,
the outbox lag of uploaded scans. Not public: a scraper sends `Authorization: Bearer
<METRICS_TOKEN>`, or an admin is signed in; anyone else gets 401/403.

Labels are route patterns (`/api/v1/cards/<int:card_id>`), never paths, so no id or ID
number reaches a label and the series stay bounded. Under gunicorn with several processes,
set PROMETHEUS_MULTIPROC_DIR to an empty folder (docs/deploy.md): each process writes its
counts there and /metrics adds them up.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_login import current_user
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from app.errors import Forbidden, NotAuthenticated

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "fangang_http_requests", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "fangang_http_request_seconds",
    "Time to answer a request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
VERDICTS = Counter(
    "fangang_verify_verdicts",
    "Verification verdicts: source server (POST /verify) or device (uploaded scans)",
    ["source", "reason"],
    registry=REGISTRY,
)
OUTBOX_LAG = Histogram(
    "fangang_outbox_lag_seconds",
    "From a scan on the phone to its arrival at the server (offline scans wait longer)",
    buckets=(1, 5, 30, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400),
    registry=REGISTRY,
)

bp = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "(unmatched)"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        return response


def _allowed() -> None:
    token = current_app.config.get("METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer "):
        if hmac.compare_digest(sent[7:].encode(), token.encode()):
            return
        raise Forbidden()
    if not current_user.is_authenticated:
        raise NotAuthenticated()
    if not current_user.has_any_role(("admin",)):
        raise Forbidden()


@bp.get("/metrics")
def metrics() -> Response:
    _allowed()
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

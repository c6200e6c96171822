"""Liveness and readiness: GET /healthz answers 200 only when the database does."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger("app.health")


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("database check failed")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")

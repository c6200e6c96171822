"""Every API error as application/problem+json (RFC 9457) with a stable code.

No handler here ever returns HTML or a stack trace: unknown exceptions become a logged
`internal_error` with the request id, so the client has something to quote.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, json, request
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StatementError,
)
from werkzeug.exceptions import HTTPException

from app.errors import DomainError
from app.i18n import message

log = logging.getLogger("app.errors")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


def problem(
    status: int,
    code: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build one problem+json response."""
    body: dict[str, Any] = {
        "type": f"https://fangang.example/problems/{code}",
        "title": message(code, "en", **(params or {})),
        "status": status,
        "code": code,
        "detail": message(code, **(params or {})),
    }
    if errors:
        body["errors"] = [
            {**err, "message": message(err["code"], **err.get("params", {}))}
            if "message" not in err
            else err
            for err in errors
        ]
        for err in body["errors"]:
            err.pop("params", None)
    if "request_id" in g:
        body["request_id"] = g.request_id
    body.update(extra)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def is_race(error: IntegrityError) -> bool:
    """A unique or foreign-key violation (what a concurrent request causes), on either engine."""
    sqlstate = getattr(error.orig, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate in ("23505", "23503")
    text = str(error.orig)
    return text.startswith(("UNIQUE constraint failed", "FOREIGN KEY constraint failed"))


def register_problem_handlers(app: Flask) -> None:
    """Map domain errors, HTTP errors and crashes to problem+json."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        headers = {}
        if "retry_after" in error.extra:
            headers["Retry-After"] = str(error.extra["retry_after"])
        params = {**error.params, **error.extra}
        return problem(
            error.status,
            error.code,
            errors=error.errors,
            params=params,
            headers=headers,
            **error.extra,
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        code = HTTP_CODES.get(status, "bad_request" if status < 500 else "internal_error")
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return problem(status, code, headers=headers)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError) -> Response:
        # Two requests racing past the same check: the database's constraint had the last
        # word and nothing of this request was kept. Any other violation is a bug: 500.
        from app.extensions import db

        db.session.rollback()
        if not is_race(error):
            log.exception("integrity error", extra={"error_type": "IntegrityError"})
            return problem(500, "internal_error")
        log.warning("concurrent change refused", extra={"error_type": "IntegrityError"})
        return problem(409, "concurrent_change")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error: Exception) -> Response:
        # The server restarting, the network to it gone, SQLite busy past its timeout: the
        # request changed nothing; say so and when to try again. The pool's pre-ping gives
        # the next request a fresh connection, so the app recovers without a restart.
        from app.extensions import db
        from app.i18n import best_locale

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is what failed
            log.warning("rollback with the database unavailable failed")
        if "locale" not in g:  # not from the signed-in user: that needs the database
            g.locale = best_locale(request.headers.get("Accept-Language"))
        log.warning("database unavailable", extra={"error_type": type(error).__name__})
        return problem(503, "database_unavailable", headers={"Retry-After": "5"})

    @app.errorhandler(OverflowError)
    @app.errorhandler(StatementError)
    def _unstorable(error: Exception) -> Response:
        # A number or text the database cannot hold (an id beyond its integer type, a date
        # before year 1 once shifted to UTC...) that no schema bound caught: bad input, 422.
        # Other database errors (the server gone, a bug in a statement) stay a logged 500.
        from app.extensions import db

        db.session.rollback()
        orig = getattr(error, "orig", error)
        if isinstance(error, (OverflowError, DataError)) or isinstance(orig, OverflowError):
            log.warning("unstorable value refused", extra={"error_type": type(orig).__name__})
            return problem(422, "out_of_range")
        log.exception("unhandled error", extra={"error_type": type(error).__name__})
        return problem(500, "internal_error")

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> Response:
        log.exception("unhandled error", extra={"error_type": type(error).__name__})
        # A failed flush leaves the session unusable, and answering reads the user's locale
        # through it: without this the answer itself crashed into a bare 500.
        from app.extensions import db

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the database may be what failed
            log.warning("rollback after an unhandled error failed")
        return problem(500, "internal_error")

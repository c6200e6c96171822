"""Domain errors raised by services. Only the API layer maps them to HTTP.

Each error carries a stable machine `code`; its human message (zh-CN and en) lives in
app/i18n.py under the same code, so a client can rely on the code and show the message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain was not met; nothing was changed."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        *,
        status: int | None = None,
        params: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> None:
        if code:
            self.code = code
        if status:
            self.status = status
        self.params = params or {}
        self.errors = errors or []
        self.extra = extra
        super().__init__(self.code)


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"


class NotAuthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"

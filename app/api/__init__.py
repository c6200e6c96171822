"""The /api/v1 wiring: one decorator that validates, authorises and documents each endpoint.

Domain route modules declare endpoints with `endpoint(...)`; the same declaration feeds
request validation (pydantic), role checks, CSRF exemption and the OpenAPI document.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from app.errors import DomainError, Forbidden, NotAuthenticated, ValidationFailed
from app.i18n import MESSAGES
from app.ratelimit import RateLimit

API_PREFIX = "/api/v1"


@dataclass
class Operation:
    """What the OpenAPI document says of one endpoint."""

    blueprint: str
    rule: str
    method: str
    view_name: str
    summary: str
    description: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    roles: tuple[str, ...]
    public: bool
    tags: tuple[str, ...]
    errors: tuple[int, ...] = field(default_factory=tuple)
    content_type: str = "application/json"


OPERATIONS: list[Operation] = []


def _error_code(err: dict[str, Any]) -> str:
    kind = err.get("type", "invalid")
    if kind in MESSAGES:
        return kind
    if kind in ("string_too_long", "too_long"):
        return "too_long"
    if kind in ("string_too_short", "too_short"):
        return "too_short"
    if kind.startswith("less_than"):
        return "too_large"
    if kind.startswith("greater_than"):
        return "too_small"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "wrong_type"
    return "invalid"


def validation_errors(exc: PydanticValidationError) -> list[dict[str, Any]]:
    """pydantic errors as our per-field errors (no input values echoed back)."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(part) for part in err.get("loc", ()) if part != "__root__"]
        out.append(
            {
                "field": ".".join(loc) or "body",
                "code": _error_code(err),
                "params": err.get("ctx") or {},
            }
        )
    return out


def parse_model(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate plain data against a model, raising our ValidationFailed."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationFailed(errors=validation_errors(exc)) from None


def _json_body() -> Any:
    if not request.is_json:
        if request.content_length:
            raise UnsupportedMediaType()
        return {}
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise DomainError("malformed_json")
    return data


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


def _query_data(model: type[BaseModel]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        origin = typing.get_origin(info.annotation)
        args = typing.get_args(info.annotation)
        is_list = origin is list or any(typing.get_origin(a) is list for a in args)
        data[key] = request.args.getlist(key) if is_list else request.args.get(key)
    return data


def render(result: Any, status: int) -> Response:
    """Turn a view's return value into a JSON response."""
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status=204)
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", by_alias=True)
    response = jsonify(result)
    response.status_code = status
    return response


def endpoint(
    bp: Blueprint,
    rule: str,
    *,
    method: str = "GET",
    summary: str,
    description: str = "",
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    roles: Iterable[str] = (),
    public: bool = False,
    csrf: bool = True,
    tags: Iterable[str] = (),
    errors: Iterable[int] = (),
    content_type: str = "application/json",
    rate_limits: Iterable[RateLimit] = (),
) -> Callable:
    """Declare an API endpoint.

    The view receives `body=` and/or `query=` as validated models plus the URL arguments.
    Unless `public`, the caller must be logged in, and hold one of `roles` when given.
    """
    roles = tuple(roles)
    limits = tuple(rate_limits)

    def decorator(fn: Callable) -> Callable:
        @wraps(fn)
        def view(**kwargs: Any) -> Response:
            for limit in limits:
                limit.check()
            if not public:
                if not current_user.is_authenticated:
                    raise NotAuthenticated()
                if roles and not current_user.has_any_role(roles):
                    raise Forbidden()
            if body is not None:
                kwargs["body"] = parse_model(body, _json_body())
            if query is not None:
                kwargs["query"] = parse_model(query, _query_data(query))
            return render(fn(**kwargs), status)

        view.csrf_exempt = not csrf  # type: ignore[attr-defined]
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        OPERATIONS.append(
            Operation(
                blueprint=bp.name,
                rule=rule,
                method=method,
                view_name=fn.__name__,
                summary=summary,
                description=description or (fn.__doc__ or "").strip(),
                body=body,
                query=query,
                response=response,
                status=status,
                roles=roles,
                public=public,
                tags=tuple(tags) or (bp.name,),
                errors=tuple(errors),
                content_type=content_type,
            )
        )
        return view

    return decorator

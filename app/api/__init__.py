"""The /api/v1 wiring: one decorator that validates, authorises and documents each endpoint.

Domain route modules declare endpoints with `endpoint(...)`; the same declaration feeds
request validation (pydantic), role checks, CSRF exemption and the OpenAPI document.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from werkzeug.routing import IntegerConverter

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


# Characters no field may hold: C0 controls other than tab, newline and carriage return
# (PostgreSQL text cannot store NUL, XLSX cannot hold the others) and lone UTF-16
# surrogates (not encodable as UTF-8).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# The same characters as a JSON text writes them (a raw control character is not valid JSON):
# a cheap test of the whole body before any walk through the parsed data.
ESCAPED_FORBIDDEN = re.compile(rb"\\u00[01][0-9a-fA-F]|\\u[dD][89a-fA-F]")


def forbidden_characters(data: Any, path: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Per-field errors for every string in `data` holding a forbidden character."""
    if isinstance(data, str):
        if FORBIDDEN_CHARACTERS.search(data):
            return [{"field": ".".join(path) or "body", "code": "invalid_characters", "params": {}}]
        return []
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += forbidden_characters(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += forbidden_characters(value, (*path, str(index)))
    return found


def parse_model(model: type[BaseModel], data: Any, *, check_characters: bool = True) -> BaseModel:
    """Validate plain data against a model, raising our ValidationFailed."""
    if check_characters:
        bad = forbidden_characters(data)
        if bad:
            raise ValidationFailed(errors=bad)
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationFailed(errors=validation_errors(exc)) from None


def _json_body() -> Any:
    if not request.is_json:
        if request.content_length:
            raise UnsupportedMediaType()
        return {}
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than any of our bodies
        data = None
    if data is None:
        raise DomainError("malformed_json")
    return data


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every URL: only values an id column can hold (PostgreSQL INTEGER), so
    /jobs/99999999999999999999 is a 404 instead of an integer overflow in the driver."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


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
        # pydantic writes the JSON itself (UTF-8, the model's field order): a third of the
        # cost of dumping to Python objects and encoding those again.
        return Response(
            result.model_dump_json(by_alias=True), status=status, mimetype="application/json"
        )
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
    any_characters: bool = False,
) -> Callable:
    """Declare an API endpoint.

    The view receives `body=` and/or `query=` as validated models plus the URL arguments.
    Unless `public`, the caller must be logged in, and hold one of `roles` when given.
    Strings with control characters or lone surrogates are refused (422) unless
    `any_characters`: for a body that is only read, never stored (a scanned QR text).
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
                data = _json_body()
                # Only a body that spells such a character can hold one: most skip the walk.
                suspicious = not any_characters and (
                    ESCAPED_FORBIDDEN.search(request.get_data(cache=True)) is not None
                )
                kwargs["body"] = parse_model(body, data, check_characters=suspicious)
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

"""The OpenAPI 3.1 document, generated from the endpoint declarations and pydantic models."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app
from pydantic import BaseModel

from app.api import OPERATIONS, Operation, endpoint

bp = Blueprint("openapi", __name__)

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable machine-readable error code."},
        "detail": {"type": "string", "description": "Message in the request's language."},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def openapi_path(rule: str) -> str:
    """Flask's `<int:id>` placeholders as OpenAPI's `{id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _schema_ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    name = model.__name__
    if name not in components:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for def_name, definition in schema.pop("$defs", {}).items():
            components.setdefault(def_name, definition)
        components[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(op: Operation, full_rule: str, components: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": f"{op.blueprint}.{op.view_name}",
        "summary": op.summary,
        "tags": list(op.tags),
    }
    if op.description:
        doc["description"] = op.description
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{([^}]+)}", openapi_path(full_rule))
    ]
    if op.query is not None:
        query_schema = op.query.model_json_schema()
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    if params:
        doc["parameters"] = params
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(op.body, components)}},
        }
    success: dict[str, Any] = {"description": "Success"}
    if op.response is not None:
        success["content"] = {op.content_type: {"schema": _schema_ref(op.response, components)}}
    elif op.status != 204 and op.content_type != "application/json":
        success["content"] = {op.content_type: {"schema": {"type": "string", "format": "binary"}}}
    responses: dict[str, Any] = {str(op.status): success}
    problem = {
        "description": "Error",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    codes = {422} if (op.body or op.query) else set()
    if not op.public:
        codes |= {401}
    if op.roles:
        codes |= {403}
    codes |= set(op.errors)
    for code in sorted(codes):
        responses[str(code)] = problem
    responses["default"] = problem
    doc["responses"] = responses
    if op.public:
        doc["security"] = []
    else:
        doc["x-roles"] = list(op.roles)
    return doc


def build_openapi(app: Flask) -> dict[str, Any]:
    """Build the whole document from the app's registered API rules."""
    components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, Any] = {}
    by_view = {(op.blueprint, op.view_name): op for op in OPERATIONS}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        blueprint, _, view_name = rule.endpoint.rpartition(".")
        op = by_view.get((blueprint, view_name))
        if op is None:
            continue
        path = openapi_path(rule.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, rule.rule, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Fangang 返岗 API",
            "version": "1.0.0",
            "description": "Return-to-work services for migrant workers of Changde. "
            "Errors are application/problem+json with a stable `code`.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
        "security": [{"session": []}],
    }


@endpoint(
    bp,
    "/openapi.json",
    summary="This API's OpenAPI 3.1 document",
    public=True,
    csrf=False,
    tags=("meta",),
)
def openapi_document() -> Any:
    """The OpenAPI 3.1 document of this API, built once per app."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_openapi(current_app)
    return current_app.extensions["openapi"]

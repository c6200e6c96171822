"""The role matrix, generated from the registered routes: every API endpoint × every role
(and nobody signed in) is allowed or denied exactly as its `endpoint(...)` declaration says.

A route added without the decorator has no declaration and fails the first test; a
declaration the role gate does not honour fails the second.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.accounts.models import ROLES
from app.api import API_PREFIX, OPERATIONS
from tests.factories import make_user

# Placeholders for URL arguments: ids that match no row, and a text no code uses.
_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _url(rule: str) -> str:
    def fill(match: re.Match[str]) -> str:
        converter = match.group(1) or "string"
        return "987654" if converter == "int" else "430702" if "code" in match.group(2) else "zz"

    return _ARGUMENT.sub(fill, rule)


def _declared() -> dict[tuple[str, str], object]:
    return {(API_PREFIX + op.rule, op.method): op for op in OPERATIONS}


def test_every_api_route_has_a_declaration(app: Flask) -> None:
    declared = _declared()
    missing = [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (rule.rule, method) not in declared
    ]
    assert missing == [], f"API routes without an endpoint(...) declaration: {missing}"
    assert len(declared) > 100  # every domain's routes are in the matrix


def _call(client, method: str, url: str):  # noqa: ANN001, ANN202
    unsafe = method in ("POST", "PUT", "PATCH", "DELETE")
    if unsafe:  # a fresh CSRF token each time: a logout or login route may have reset it
        client.delete_cookie("fg_csrf")
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    response = client.open(url, method=method, **kwargs)
    response.get_data()  # read streamed exports to the end, so their context closes
    response.close()
    return response


def test_each_endpoint_admits_exactly_the_roles_it_declares(app: Flask, client, login) -> None:
    users = {role: make_user(roles=(role,), region_code="430702") for role in ROLES}
    nobody = app.test_client()  # an ApiClient (the client fixture set the class)
    wrong: list[str] = []
    for (url_rule, method), op in sorted(_declared().items()):
        url = _url(url_rule)
        anonymous = _call(nobody, method, url)
        if anonymous.status_code >= 500:
            wrong.append(f"{method} {url_rule} anonymous: {anonymous.status_code}")
        elif not op.public and anonymous.status_code != 401:
            wrong.append(f"{method} {url_rule} anonymous: {anonymous.status_code}, not 401")
        if op.public:
            continue
        for role, user in users.items():
            login(user)
            response = _call(client, method, url)
            code = (response.get_json(silent=True) or {}).get("code")
            allowed = not op.roles or role in op.roles
            if response.status_code >= 500 or response.status_code == 401:
                wrong.append(f"{method} {url_rule} as {role}: {response.status_code}")
            elif not allowed and (response.status_code, code) != (403, "forbidden"):
                wrong.append(f"{method} {url_rule} as {role}: {response.status_code} {code}")
    assert wrong == [], "\n".join(wrong[:40])


@pytest.mark.parametrize("role", ROLES)
def test_a_role_outside_every_declaration_is_refused_with_a_stable_problem(client, login, role):
    """The refusal is problem+json with code `forbidden`, in both languages."""
    op = next(o for o in OPERATIONS if o.roles and role not in o.roles and o.method == "GET")
    login(make_user(roles=(role,), region_code="430702"))
    response = client.get(_url(API_PREFIX + op.rule))
    assert response.status_code == 403
    assert response.content_type.startswith("application/problem+json")
    assert response.get_json()["code"] == "forbidden"

"""Who may act on whom: officials within their region's subtree, admins everywhere."""

from __future__ import annotations

from app.accounts.models import User
from app.errors import Forbidden
from app.regions.services import CITY_CODE, is_within


def scope_of(actor: User) -> str | None:
    """The region code an actor oversees (admins: the whole city), or None."""
    if actor.has_role("admin"):
        return actor.region_code or CITY_CODE
    if actor.has_role("official") and actor.region_code:
        return actor.region_code
    return None


def oversees(actor: User, region_code: str | None) -> bool:
    scope = scope_of(actor)
    if scope is None or region_code is None:
        return False
    return actor.has_role("admin") or is_within(region_code, scope)


def require_oversight(actor: User, region_code: str | None) -> None:
    """Raise Forbidden unless `actor` is responsible for `region_code`."""
    if not oversees(actor, region_code):
        raise Forbidden()

"""Test data in one line: make_user(roles=("official",), region_code="430702")."""

from __future__ import annotations

import itertools
import random

from app.accounts.models import User
from app.accounts.services import create_user
from app.demo import random_id_number, random_name
from app.extensions import db

_rng = random.Random(20200220)
_phones = itertools.count(13900000000)


def make_user(
    *,
    roles: tuple[str, ...] | list[str] = ("worker",),
    phone: str | None = None,
    name: str | None = None,
    id_number: str | None = None,
    region_code: str | None = "430702",
    username: str | None = None,
    password: str | None = None,
    locale: str = "zh-CN",
) -> User:
    """A person with valid identity data; committed so other connections see them."""
    user = create_user(
        roles=roles,
        phone=phone or str(next(_phones)),
        username=username,
        password=password,
        name=name or random_name(_rng),
        id_number=id_number or random_id_number(_rng, "430702"),
        region_code=region_code,
        locale=locale,
    )
    db.session.commit()
    return user


def village_in(county: str = "430702") -> str:
    """The first demo village of a county."""
    from app.regions.services import villages

    return villages(county)[0].code


def township_of(village_code: str) -> str:
    from app.regions.models import Region

    return db.session.get(Region, village_code).parent_code


def declaration(**overrides: object) -> dict:
    """A healthy declaration body for the API."""
    body = {
        "current_village_code": village_in(),
        "temperature": "36.5",
        "symptoms": ["none"],
        "hubei_exposure_date": None,
        "case_contact": False,
    }
    body.update(overrides)
    return body


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every table but the reference ones, in a fixed order: compare two of these
    to see that a request changed nothing."""
    from sqlalchemy import select

    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("regions", "alembic_version"):
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*order))]
    db.session.rollback()
    return rows

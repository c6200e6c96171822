"""Employers in one line: make_employer(region_code="430702", verified=True)."""

from __future__ import annotations

import itertools

from app.employers.credit_code import credit_code_check_char
from app.employers.models import Employer
from app.employers.services import EmployerData, register_employer
from app.extensions import db
from app.timeutil import utcnow
from tests.factories import make_user

_serial = itertools.count(1)


def credit_code(region: str = "430702") -> str:
    """A valid code, different at every call."""
    first17 = f"91{region[:6] if region[:6].isdigit() else '430700'}{next(_serial):09d}"
    return first17 + credit_code_check_char(first17)


def employer_body(**overrides: object) -> dict:
    """A valid registration for the API."""
    body = {
        "name": "常德华信电子有限公司",
        "credit_code": credit_code(),
        "region_code": "430702",
        "address": "武陵区德山大道88号",
        "contact_name": "王经理",
        "contact_phone": "13700000001",
        "industry": "电子制造",
    }
    body.update(overrides)
    return body


def make_employer(
    *,
    owner: object | None = None,
    region_code: str = "430702",
    verified: bool = True,
    name: str = "常德华信电子有限公司",
) -> Employer:
    """A registered employer (verified unless told), its owner a staff account; committed."""
    owner = owner or make_user(roles=("worker",), region_code=region_code)
    data = employer_body(name=name, region_code=region_code, credit_code=credit_code(region_code))
    employer = register_employer(owner, EmployerData(**data))
    if verified:
        employer.verified, employer.verified_dt = True, utcnow()
    db.session.commit()
    return employer


def owner_of(employer: Employer) -> object:
    """The first staff account of an employer."""
    from app.employers.services import staff_of

    return staff_of(employer)[0].user

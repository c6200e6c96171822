"""Quarantine test data in one line: a worker under observation, staff of a village."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.accounts.models import User
from app.cards.rules import StatusDecision
from app.cards.services import set_status
from app.extensions import db
from app.quarantine.models import QuarantineCase
from app.quarantine.services import open_case
from tests.factories import make_user, township_of, village_in


def staff_of(region_code: str, **kwargs: object) -> User:
    """An official responsible for `region_code` (a village, township or county)."""
    return make_user(roles=("official",), region_code=region_code, **kwargs)


def case_for(
    person: User | None = None,
    *,
    start: date,
    village: str | None = None,
    status: str = "yellow",
    at: datetime | None = None,
) -> QuarantineCase:
    """An open case that began on `start`, its holder's card `status` until start + 14 days."""
    village = village or village_in()
    person = person or make_user(region_code=village)
    now = at or datetime(start.year, start.month, start.day, 4, tzinfo=UTC)
    case = open_case(person, village_code=village, start_date=start, now=now, origin="declaration")
    reasons = ("hubei_exposure",) if status == "yellow" else ("fever",)
    set_status(
        person,
        StatusDecision(status, reasons, case.planned_end_date if status != "green" else None),
        cause="declaration",
        now=now,
    )
    db.session.commit()
    return case


def other_village(village: str) -> str:
    """A village of another township (somewhere the village's staff have no say)."""
    from app.regions.services import villages

    township = township_of(village)
    return next(v.code for v in villages() if v.parent_code != township)


_credit_codes = iter(range(10**6, 10**7))


def employer_with_staff(*, region_code: str = "430702", verified: bool = True):  # noqa: ANN201
    """A verified employer and one staff account (role employer); returns (employer, staff)."""
    from app.employers.models import Employer, EmployerStaff

    employer = Employer(
        name="常德电子厂",
        credit_code=f"91430700MA{next(_credit_codes):07d}X"[:18],
        region_code=region_code,
        address="武陵区工业园",
        contact_name="陈经理",
        contact_phone="13700000000",
        industry="electronics",
        verified=verified,
    )
    db.session.add(employer)
    db.session.flush()
    staff = make_user(roles=("employer",), region_code=region_code)
    db.session.add(EmployerStaff(employer_id=employer.id, user_id=staff.id, is_owner=True))
    db.session.commit()
    return employer, staff


def admitted(employer, **user_kwargs: object) -> User:  # noqa: ANN001
    """A worker put on the employer's roster."""
    from app.employers.models import EmployerWorker

    worker = make_user(**user_kwargs)
    db.session.add(
        EmployerWorker(
            employer_id=employer.id,
            user_id=worker.id,
            admitted_on=date(2020, 2, 18),
            source="manual",
        )
    )
    db.session.commit()
    return worker

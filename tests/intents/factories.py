"""Intent test data in one line: a green worker in a village, an intent, staff of a region."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from app.accounts.models import User
from app.cards.services import Declaration, declare
from app.extensions import db
from app.intents.models import EmploymentIntent
from app.intents.services import IntentData, save_intent
from app.regions.services import villages
from tests.factories import make_user, village_in

_credit_codes = itertools.count(1)
T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde
TODAY = date(2020, 2, 20)


def staff_of(region_code: str, **kwargs: object) -> User:
    """An official responsible for `region_code` (city, county, township or village)."""
    return make_user(roles=("official",), region_code=region_code, **kwargs)


def worker_in(village: str | None = None, *, green: bool = True, **kwargs: object) -> User:
    """A worker living in `village` (default: Wuling's first), with a green card if `green`."""
    village = village or village_in()
    user = make_user(region_code=village, **kwargs)
    if green:
        declare_health(user, village)
    return user


def declare_health(
    user: User, village: str | None = None, *, at: datetime = T0, **overrides: object
) -> None:
    """A declaration (healthy unless overridden), committed."""
    values = {
        "temperature": Decimal("36.5"),
        "symptoms": ["none"],
        "case_contact": False,
        "hubei_exposure_date": None,
        "current_village_code": village or user.region_code,
    }
    values.update(overrides)
    declare(user, Declaration(**values), now=at)
    db.session.commit()


def intent_body(**overrides: object) -> dict:
    """An outbound intent form for the API: Shenzhen, electronics, leaving on the 24th."""
    body = {
        "kind": "outbound",
        "destination_code": "440300",
        "trade": "electronics",
        "job_arranged": False,
        "departure_date": "2020-02-24",
        "needs_transport": True,
        "needs_certificate": True,
    }
    body.update(overrides)
    return body


def add_intent(user: User, *, at: datetime = T0, **overrides: object) -> EmploymentIntent:
    """Save an intent through the service (as the worker), committed."""
    values = {
        "kind": "outbound",
        "destination_code": "440300",
        "trade": "electronics",
        "departure_date": date(2020, 2, 24),
        "needs_transport": True,
        "needs_certificate": True,
    }
    values.update(overrides)
    intent, _ = save_intent(user, IntentData(**values), actor=user, now=at)
    db.session.commit()
    return intent


def villages_of(county: str) -> list[str]:
    return [v.code for v in villages(county)]


def job_at(
    region_code: str = "440300",
    *,
    trade: str = "electronics",
    title: str = "电子厂普工",
    employer: str = "深圳某电子有限公司",
    wage: tuple[int, int] = (4500, 6000),
) -> object:
    """A published job with its search listing (the jobs module's own tables)."""
    from app.employers.models import Employer
    from app.jobs.models import JobListing, JobPosting
    from app.jobs.services import listing_values

    company = Employer(
        name=employer,
        credit_code=f"914403007{next(_credit_codes):09d}",
        region_code=region_code,
        address="深圳市宝安区",
        contact_name="王经理",
        contact_phone="13912345678",
        industry="电子",
        verified=True,
    )
    db.session.add(company)
    db.session.flush()
    posting = JobPosting(
        employer_id=company.id,
        title=title,
        trade=trade,
        headcount=50,
        wage_min=wage[0],
        wage_max=wage[1],
        region_code=region_code,
        address="宝安区福永街道",
        housing=True,
        valid_until=date(2020, 3, 31),
        contact="0755-12345678",
        status="published",
    )
    db.session.add(posting)
    db.session.flush()
    db.session.add(JobListing(posting_id=posting.id, **listing_values(posting)))
    db.session.commit()
    return posting


def application_to(posting: object, user: User, status: str = "hired") -> object:
    from app.jobs.models import Application

    application = Application(posting_id=posting.id, user_id=user.id, status=status)
    db.session.add(application)
    db.session.commit()
    return application

"""Postings in one line: make_posting(employer, title="电子厂普工招聘", status="published")."""

from __future__ import annotations

from datetime import date, timedelta

from app.extensions import db
from app.jobs import services
from app.jobs.models import JobPosting
from app.timeutil import local_today
from tests.factories import make_user


def posting_body(**overrides: object) -> dict:
    """A valid posting for the API (and for services.PostingData)."""
    body = {
        "title": "电子厂普工招聘",
        "trade": "electronics",
        "headcount": 10,
        "wage_min": 4000,
        "wage_max": 6000,
        "region_code": "430702",
        "address": "德山经开区桃林路1号",
        "housing": True,
        "meals": False,
        "description": "流水线装配，两班倒",
        "requirements": "18-45周岁，身体健康",
        "arrival_rules": "持绿码到岗，到岗测温登记",
        "start_date": None,
        "valid_until": (local_today() + timedelta(days=30)).isoformat(),
        "contact": "人事部 王经理",
    }
    body.update(overrides)
    return body


def _data(**overrides: object) -> services.PostingData:
    body = posting_body(**overrides)
    for key in ("valid_until", "start_date"):
        if isinstance(body[key], str):
            body[key] = date.fromisoformat(body[key])
    return services.PostingData(**body)


def reviewer() -> object:
    """An official of the whole city (the first one, made when there is none)."""
    from sqlalchemy import select

    from app.accounts.models import User, UserRole

    found = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == "official", User.region_code == "430700")
        .order_by(User.id)
    ).first()
    return found or make_user(roles=("official",), region_code="430700")


def make_posting(employer: object, *, status: str = "published", **overrides: object) -> JobPosting:
    """A posting of `employer` taken through the real lifecycle to `status`; committed."""
    from tests.employers.factories import owner_of

    actor = owner_of(employer)
    posting = services.create_posting(employer, _data(**overrides), actor=actor)
    if status in ("pending", "published", "taken_down", "closed"):
        services.submit_posting(posting, actor=actor)
    if status in ("published", "taken_down"):
        services.approve_posting(posting, actor=reviewer())
    if status == "taken_down":
        services.take_down_posting(posting, actor=reviewer(), reason="信息不实")
    if status == "closed":
        services.close_posting(posting, actor=actor)
    db.session.commit()
    return posting

"""Demo subsidies: terms and budgets for every county, test batches with invoice images,
applications in every state. Dates are relative to today; same seed, same data."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.employers.models import Employer, EmployerStaff
from app.extensions import db
from app.regions.models import Region
from app.regions.services import CITY_CODE
from app.subsidies import services
from app.timeutil import local_today

INSTITUTIONS = (
    "常德市第一人民医院",
    "常德市疾病预防控制中心",
    "湖南文理学院附属医院",
    "桃源县人民医院",
)


def _invoice(rng: random.Random, batch_id: int) -> bytes:
    """A small PNG standing in for the scanned invoice."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 311, 191), outline=(200, 60, 60), width=3)
    draw.text((24, 30), f"INVOICE No. {rng.randint(10**7, 10**8 - 1)}", fill=(60, 60, 60))
    draw.text((24, 60), f"batch {batch_id}", fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def load_demo(rng: random.Random, *, batches: int = 40) -> dict:
    """Terms and budgets per county, `batches` test batches of verified employers (the demo
    employer's organisation first), about half of them applied for and decided."""
    admin = db.session.scalars(select(User).where(User.username == "admin")).first()
    if admin is None:
        return {"subsidy_batches": 0}
    today = local_today()
    counties = db.session.scalars(
        select(Region.code).where(Region.parent_code == CITY_CODE).order_by(Region.code)
    ).all()
    services.allocate(CITY_CODE, 200_000_000, actor=admin, note="市级财政安排")
    for county in counties:
        if services.policy_for(county, today) is None:
            services.set_policy(
                region_code=county,
                starts_on=today - timedelta(days=60),
                ends_on=today + timedelta(days=120),
                rate_fen=8000,
                cap_fen=5_000_000,
                actor=admin,
            )
        services.allocate(county, 10_000_000, actor=admin, from_city=True, note="市级划拨")
    employers = db.session.scalars(
        select(Employer).where(Employer.verified.is_(True)).order_by(Employer.id)
    ).all()
    employers = [e for e in employers if services.county_of(e.region_code) in counties]
    made = applied = 0
    for index in range(batches if employers else 0):
        employer = employers[0] if index < 4 else rng.choice(employers)
        staff = (
            db.session.scalars(
                select(User)
                .join(EmployerStaff, EmployerStaff.user_id == User.id)
                .where(EmployerStaff.employer_id == employer.id)
            ).first()
            or admin
        )
        people = rng.randint(5, 80)
        batch = services.record_batch(
            employer,
            tested_on=today - timedelta(days=rng.randint(0, 20)),
            institution=rng.choice(INSTITUTIONS),
            roster_user_ids=[],
            counted_only=people,
            cost_fen=people * rng.randint(40, 90) * 100,
            actor=staff,
            today=today,
        )
        services.attach_invoice(employer, batch.id, _invoice(rng, batch.id), actor=staff)
        made += 1
        if rng.random() < 0.6:
            application = services.apply(employer, [batch.id], actor=staff)
            applied += 1
            fate = rng.random()
            limits = services.limits_of(application)
            if fate < 0.5 and limits.max_fen:
                services.approve(
                    application.id, amount_fen=limits.suggested_fen or 100, actor=admin
                )
                if fate < 0.2:
                    services.mark_paid(application.id, actor=admin)
            elif fate < 0.6:
                services.refuse(
                    application.id, reason="发票信息与检测人数不符，请核对后重新申请", actor=admin
                )
        db.session.flush()
    return {"subsidy_batches": made, "subsidy_applications": applied}

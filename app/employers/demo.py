"""Demo employers: plausible names, valid credit codes, Changde regions; same seed, same data."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from app.accounts.models import User
from app.employers.credit_code import ALPHABET, credit_code_check_char
from app.employers.models import Employer, EmployerStaff
from app.extensions import db
from app.regions.models import Region
from app.timeutil import utcnow

DEMO_EMPLOYER_PHONE = "13800000020"  # the demo "employer" account of app/demo.py

PLACES = ("常德", "武陵", "鼎城", "德山", "桃源", "石门", "澧州", "津市", "汉寿", "安乡", "临澧")
BRANDS = (
    "华信", "中联", "金健", "恒安", "湘佳", "德力", "万洋", "鸿运", "兴旺", "长丰", "宏达",
    "瑞丰", "天顺", "丰源", "新湘", "金城", "惠民", "康达", "顺通", "和谐", "盛世", "远航",
)  # fmt: skip
INDUSTRIES = (
    ("电子", "电子制造"),
    ("制衣", "服装纺织"),
    ("建筑工程", "建筑施工"),
    ("物流", "物流运输"),
    ("餐饮管理", "餐饮服务"),
    ("家政服务", "家政服务"),
    ("物业管理", "物业安保"),
    ("环境卫生", "环卫保洁"),
    ("农业开发", "农业生产"),
    ("食品", "食品加工"),
    ("汽车零部件", "机械制造"),
)


def random_credit_code(rng: random.Random, region_code: str) -> str:
    """A valid GB 32100 code: enterprise (9, 1), region, a random organisation code, check."""
    region = region_code[:6] if region_code[:6].isdigit() else "430700"
    organisation = "".join(rng.choice(ALPHABET) for _ in range(9))
    first17 = f"91{region}{organisation}"
    return first17 + credit_code_check_char(first17)


def random_employer_name(rng: random.Random) -> tuple[str, str]:
    """(name, industry)."""
    trade, industry = rng.choice(INDUSTRIES)
    return f"{rng.choice(PLACES)}{rng.choice(BRANDS)}{trade}有限公司", industry


def load_demo(rng: random.Random, *, employers: int = 20, verified_share: float = 0.9) -> dict:
    """Add `employers` employers in Changde's counties and townships (bulk insert); the demo
    employer account, if present, becomes staff of the first one."""
    regions = db.session.scalars(
        select(Region.code)
        .where(Region.level.in_(("county", "zone", "township")), Region.is_local.is_(True))
        .order_by(Region.code)
    ).all() or ["430702"]
    taken = set(db.session.scalars(select(Employer.credit_code)))
    now = utcnow()
    rows = []
    while len(rows) < employers:
        region = rng.choice(regions)
        code = random_credit_code(rng, region)
        if code in taken:
            continue
        taken.add(code)
        name, industry = random_employer_name(rng)
        verified = rng.random() < verified_share
        rows.append(
            {
                "name": name,
                "credit_code": code,
                "region_code": region,
                "address": f"{rng.choice(PLACES)}大道{rng.randint(1, 999)}号",
                "contact_name": rng.choice("王李张刘陈杨黄赵周吴") + rng.choice(("经理", "主管")),
                "contact_phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                "industry": industry,
                "verified": verified,
                "verified_dt": now - timedelta(days=rng.randint(1, 20)) if verified else None,
                "created_dt": now - timedelta(days=rng.randint(21, 40)),
                "updated_dt": now,
            }
        )
    ids = db.session.scalars(insert(Employer).returning(Employer.id), rows).all() if rows else []
    staff = 0
    account = db.session.scalars(select(User).where(User.phone == DEMO_EMPLOYER_PHONE)).first()
    if ids and account is not None:
        has_employer = db.session.scalars(
            select(EmployerStaff).where(EmployerStaff.user_id == account.id)
        ).first()
        if has_employer is None:
            first = db.session.get(Employer, ids[0])
            first.verified, first.verified_dt = True, now
            db.session.add(EmployerStaff(employer_id=first.id, user_id=account.id, is_owner=True))
            account.add_role("employer")
            staff = 1
    db.session.flush()
    return {"employers": len(ids), "employer_staff": staff}

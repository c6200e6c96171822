"""Realistic demo data: Chinese names, valid ID numbers, real region codes; same seed, same data."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from app.accounts.identity import hash_id_number, id_check_char, id_sex, mask_id_number
from app.accounts.models import User, UserRole
from app.accounts.services import create_user, id_hash_key
from app.extensions import db
from app.regions.models import Region
from app.regions.services import load_demo_townships, load_reference_regions

# The most common surnames, weighted roughly by frequency.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方")
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志强文辉玉兰海燕春梅"
    "建华小红国庆德明金凤丽华永红建平春花新华秋菊晓东宏伟俊杰子涵雨轩浩然欣怡梓萱"
)
DEMO_PASSWORD = "fangang-demo"  # noqa: S105 - demo staff accounts only, printed in the README


@dataclass(frozen=True)
class DemoAccount:
    role: str
    phone: str
    username: str | None
    name: str
    region: str


DEMO_ACCOUNTS = (
    DemoAccount("worker", "13800000001", None, "张伟", "430702"),
    DemoAccount("worker", "13800000002", None, "李秀英", "430703"),
    DemoAccount("volunteer", "13800000010", "volunteer", "王芳", "430702"),
    DemoAccount("employer", "13800000020", "employer", "陈建国", "430702"),
    DemoAccount("official", "13800000030", "city", "刘明", "430700"),
    DemoAccount("official", "13800000031", "wuling", "赵丽", "430702"),
    DemoAccount("admin", "13800000099", "admin", "周强", "430700"),
)


def random_name(rng: random.Random) -> str:
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
    return surname + given


def random_id_number(
    rng: random.Random,
    region_code: str,
    *,
    sex: str | None = None,
    born_between: tuple[date, date] = (date(1962, 1, 1), date(2002, 12, 31)),
) -> str:
    """A valid 18-character resident ID number for someone registered in `region_code`."""
    start, end = born_between
    born = start + timedelta(days=rng.randrange((end - start).days + 1))
    seq = rng.randrange(0, 1000)
    if sex is not None and (seq % 2 == 1) != (sex == "M"):
        seq = (seq + 1) % 1000
    first17 = f"{region_code[:6]}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def random_phones(rng: random.Random, count: int, taken: set[str]) -> Iterator[str]:
    prefixes = (
        "130",
        "131",
        "132",
        "133",
        "135",
        "136",
        "137",
        "139",
        "150",
        "151",
        "152",
        "155",
        "157",
        "158",
        "159",
        "166",
        "173",
        "177",
        "180",
        "181",
        "182",
        "185",
        "186",
        "187",
        "188",
        "189",
        "191",
        "199",
    )
    made = 0
    while made < count:
        phone = rng.choice(prefixes) + f"{rng.randrange(10**8):08d}"
        if phone not in taken:
            taken.add(phone)
            made += 1
            yield phone


def load_demo_data(*, workers: int = 200, seed: int = 1) -> dict[str, int]:
    """Regions, demo accounts and `workers` random workers; the fixed part is idempotent."""
    rng = random.Random(seed)
    counts = {"regions": load_reference_regions()}
    counts["regions"] += load_demo_townships(seed=seed)
    added = 0
    for account in DEMO_ACCOUNTS:
        if db.session.scalars(select(User.id).where(User.phone == account.phone)).first():
            continue
        id_number = random_id_number(rng, account.region if account.region.isdigit() else "430702")
        create_user(
            roles=[account.role] + (["worker"] if account.role == "volunteer" else []),
            phone=account.phone,
            username=account.username,
            name=account.name,
            id_number=id_number,
            region_code=account.region,
            password=DEMO_PASSWORD if account.username else None,
        )
        added += 1
    counts["accounts"] = added
    counts["workers"] = add_random_workers(workers, rng) if workers else 0
    counts["declarations"] = declare_demo_health(rng)
    db.session.commit()
    return counts


def declare_demo_health(rng: random.Random, sample: int = 200) -> int:
    """Health declarations for the demo workers (and a sample of others), so cards exist.

    张伟 (13800000001) is green, 李秀英 (13800000002) yellow after a Hubei exposure; about one
    in twenty of the sample has a fever. Needs a signer key (`flask keys ensure`).
    """
    from app.cards.models import HealthStatus
    from app.cards.services import Declaration, current_card, declare
    from app.timeutil import local_today, utcnow

    now = utcnow()
    today = local_today(now)
    villages = db.session.scalars(
        select(Region.code).where(Region.level == "village").order_by(Region.code)
    ).all()
    if not villages:
        return 0
    fixed = {"13800000001": None, "13800000002": today - timedelta(days=5)}
    people = list(db.session.scalars(select(User).where(User.phone.in_(fixed))))
    others = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == "worker", User.phone.not_in(fixed))
        .order_by(User.id)
        .limit(sample)
    ).all()
    done = 0
    for user in people + list(others):
        if db.session.get(HealthStatus, user.id) is not None:
            continue
        fever = user.phone not in fixed and rng.random() < 0.05
        village = user.region_code if user.region_code in villages else rng.choice(villages)
        declare(
            user,
            Declaration(
                temperature=Decimal("38.1")
                if fever
                else Decimal(rng.choice(["36.3", "36.5", "36.7"])),
                symptoms=["fever"] if fever else ["none"],
                case_contact=False,
                hubei_exposure_date=fixed.get(user.phone),
                current_village_code=village,
                household_region_code=village,
            ),
            now=now,
        )
        current_card(user, now=now)
        done += 1
    return done


def add_random_workers(count: int, rng: random.Random, batch: int = 5000) -> int:
    """Bulk-insert workers living in demo villages (fast enough for 100,000s)."""
    villages = db.session.scalars(
        select(Region.code).where(Region.level == "village").order_by(Region.code)
    ).all()
    counties = db.session.scalars(
        select(Region.code).where(Region.level == "county").order_by(Region.code)
    ).all()
    taken = set(db.session.scalars(select(User.phone).where(User.phone.is_not(None))))
    key = id_hash_key()
    password_hash = None  # workers log in by SMS code only
    phones = random_phones(rng, count, taken)
    used_ids = set(db.session.scalars(select(User.id_hash).where(User.id_hash.is_not(None))))
    made = 0
    while made < count:
        users = []
        for _ in range(min(batch, count - made)):
            home = rng.choice(villages) if villages else "430702"
            birth_region = home if home[:6].isdigit() else rng.choice(counties)
            id_number = random_id_number(rng, birth_region)
            digest = hash_id_number(id_number, key)
            while digest in used_ids:  # a million people share few birth dates per region
                id_number = random_id_number(rng, birth_region)
                digest = hash_id_number(id_number, key)
            used_ids.add(digest)
            users.append(
                {
                    "phone": next(phones),
                    "name": random_name(rng),
                    "sex": id_sex(id_number),
                    "id_hash": digest,
                    "id_masked": mask_id_number(id_number),
                    "region_code": home,
                    "locale": "zh-CN",
                    "active": True,
                    "password_hash": password_hash,
                }
            )
        ids = db.session.scalars(insert(User).returning(User.id), users).all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "worker"} for i in ids])
        made += len(users)
    return made

"""Demo job postings, listings, applications and labour demand; bulk inserts for 100,000s.

Same seed, same data. Titles are built the way employers write them (电子厂普工, 物流园分拣员,
小区保安 ...), so the two-character searches of the benchmark find realistic shares of them.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from app.accounts.models import UserRole
from app.employers.models import Employer
from app.extensions import db
from app.jobs.models import Application, JobListing, JobListingText, JobPosting, LabourDemand
from app.jobs.search import filter_tokens, listing_text
from app.jobs.trades import TRADE_CODES, trade_name
from app.regions.models import Region
from app.timeutil import local_today, utcnow

# trade: (workplaces, roles, wage floor in yuan)
ROLES = {
    "manufacturing": (
        "机械厂 食品厂 配件厂 包装厂",
        "普工 操作工 质检员 包装工 叉车工",
        3500,
    ),
    "construction": ("建筑工地 装修公司 路桥项目部", "钢筋工 木工 电工 焊工 泥瓦工 小工", 5000),
    "electronics": ("电子厂 手机配件厂 线路板厂", "普工 装配工 贴片操作员 检测员", 4000),
    "logistics": ("物流园 快递公司 货运公司 仓储中心", "分拣员 司机 装卸工 仓管员 快递员", 4500),
    "catering": ("酒店 餐馆 食堂 快餐店", "厨师 帮厨 服务员 面点师 洗碗工", 3500),
    "domestic": ("家政公司 月嫂中心", "保姆 育婴师 月嫂 护工 钟点工", 4000),
    "sanitation": ("环卫所 保洁公司 医院后勤", "保洁员 环卫工 垃圾清运司机", 2800),
    "agriculture": ("蔬菜基地 果园 养殖场 茶园", "采摘工 饲养员 农机手 种植工", 3000),
    "security": ("小区物业 商场 工业园", "保安 门岗 巡逻员 监控员", 3200),
    "garment": ("制衣厂 纺织厂 鞋厂", "缝纫工 车工 裁剪工 熨烫工", 4000),
    "other": ("超市 加油站 汽修厂", "理货员 收银员 加油员 汽修学徒", 3000),
}
REQUIREMENTS = (
    "18-50周岁，身体健康，能吃苦耐劳",
    "男女不限，初中以上文化",
    "有相关经验者优先，新手可培训",
    "持电工证、焊工证等上岗证优先",
    "有C1以上驾照，三年以上驾龄",
    "两班倒，长白班可选",
    "计件工资，多劳多得，按月足额发放",
    "月休4天，购买五险",
    "岗前免费培训，表现优秀可转正",
    "服从安排，遵守厂规厂纪",
)
ARRIVAL_RULES = (
    "持健康码绿码或健康证明到岗，到岗当天测温登记。",
    "来自湖北或14天内有湖北旅居史的人员，须完成14天隔离观察后到岗。",
    "点对点包车接送，上车前测温，全程佩戴口罩。",
    "到岗后集中住宿观察7天，每日两次测温。",
    "持本人健康码绿码，无发热、咳嗽等症状即可到岗。",
)
DESTINATIONS = ("440300", "441900", "440100", "440600", "330100", "330200", "320500", "430100")
STATUS_SHARES = (("published", 0.9), ("draft", 0.03), ("pending", 0.03), ("closed", 0.04))


def _employers(rng: random.Random) -> list[tuple[int, str, str]]:
    rows = db.session.execute(
        select(Employer.id, Employer.name, Employer.region_code, Employer.verified).order_by(
            Employer.id
        )
    ).all()
    if not rows:
        from app.employers.demo import load_demo as load_employers

        load_employers(rng, employers=20)
        return _employers(rng)
    verified = [(i, name, region) for i, name, region, ok in rows if ok]
    return verified or [(i, name, region) for i, name, region, _ in rows]


def _pick_status(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUS_SHARES:
        total += share
        if roll < total:
            return status
    return "published"


def load_demo(
    rng: random.Random,
    *,
    postings: int = 200,
    applications: int = 200,
    demand_lines: int = 60,
    batch: int = 5000,
) -> dict[str, int]:
    """Add postings (most published, with their listings), applications of demo workers to
    published postings, and labour-demand lines. Bulk inserts in batches of `batch`."""
    employers = _employers(rng)
    local = db.session.scalars(
        select(Region.code).where(Region.level.in_(("township", "village", "county")))
    ).all()
    destinations = [
        c for c in db.session.scalars(select(Region.code).where(Region.code.in_(DESTINATIONS)))
    ]
    names = dict(db.session.execute(select(Region.code, Region.name_zh)).all())
    paths = dict(db.session.execute(select(Region.code, Region.path)).all())
    now = utcnow()
    today = local_today(now)
    made = listed = 0
    step = timedelta(days=20) / max(postings, 1)
    while made < postings:
        rows, texts = [], []
        for _ in range(min(batch, postings - made)):
            employer_id, employer_name, employer_region = rng.choice(employers)
            trade = rng.choice(TRADE_CODES)
            places, roles, floor = ROLES[trade]
            role = rng.choice(roles.split())
            place = rng.choice(places.split())
            outside = destinations and rng.random() < 0.35
            region = rng.choice(destinations) if outside else rng.choice(local or [employer_region])
            wage_min = floor + 100 * rng.randrange(0, 20)
            title = (
                f"{place}{role}"
                if rng.random() < 0.5
                else f"{names.get(region, '常德')[:2]}{place}招{role}"
            )
            status = _pick_status(rng)
            # Published one after another over the last 20 days, in the order of their ids.
            published = now - (postings - made - len(rows)) * step
            description = f"{place}招聘{role}{rng.randint(2, 60)}名。" + "；".join(
                rng.sample(REQUIREMENTS, 3)
            )
            requirements = rng.choice(REQUIREMENTS)
            row = {
                "employer_id": employer_id,
                "title": title[:60],
                "trade": trade,
                "headcount": rng.choice((5, 10, 20, 30, 50, 100)),
                "hired_count": 0,
                "wage_min": wage_min,
                "wage_max": wage_min + 100 * rng.randrange(5, 40),
                "region_code": region,
                "address": f"{names.get(region, '')}{rng.choice(('工业园', '开发区', '中心'))}"
                f"{rng.randint(1, 300)}号",
                "housing": rng.random() < 0.6,
                "meals": rng.random() < 0.5,
                "description": description,
                "requirements": requirements,
                "arrival_rules": rng.choice(ARRIVAL_RULES),
                "start_date": today + timedelta(days=rng.randrange(0, 20)),
                "valid_until": today + timedelta(days=rng.randrange(10, 60)),
                "contact": f"人事部 {rng.choice('王李张刘陈')}经理",
                "status": status,
                "created_dt": published - timedelta(days=1),
                "updated_dt": published,
                "submitted_dt": published if status != "draft" else None,
                "published_dt": published if status in ("published", "closed") else None,
                "ended_dt": now if status == "closed" else None,
            }
            rows.append(row)
            texts.append(
                listing_text(
                    title,
                    trade_name(trade),
                    employer_name,
                    names.get(region, ""),
                    description,
                    requirements,
                    filters=filter_tokens(
                        trade=trade,
                        region_path=paths[region],
                        housing=row["housing"],
                        wage_max=row["wage_max"],
                    ),
                )
            )
        ids = db.session.scalars(
            insert(JobPosting).returning(JobPosting.id, sort_by_parameter_order=True), rows
        ).all()
        # Listings in publication order: their ids are the "newest first" order of search.
        listings = [
            {
                "posting_id": posting_id,
                "trade": row["trade"],
                "region_code": row["region_code"],
                "wage_min": row["wage_min"],
                "wage_max": row["wage_max"],
                "housing": row["housing"],
                "valid_until": row["valid_until"],
            }
            for posting_id, row in zip(ids, rows, strict=True)
            if row["status"] == "published"
        ]
        if listings:
            listing_ids = db.session.scalars(
                insert(JobListing).returning(JobListing.id, sort_by_parameter_order=True), listings
            ).all()
            published = [
                text for row, text in zip(rows, texts, strict=True) if row["status"] == "published"
            ]
            db.session.execute(
                insert(JobListingText),
                [
                    {"listing_id": listing_id, "search_text": text}
                    for listing_id, text in zip(listing_ids, published, strict=True)
                ],
            )
        made += len(rows)
        listed += len(listings)

    applied = _applications(rng, applications, now)
    demand = _demand(rng, demand_lines, now, today)
    db.session.flush()
    return {"postings": made, "listings": listed, "applications": applied, "demand_lines": demand}


def _applications(rng: random.Random, count: int, now) -> int:  # noqa: ANN001
    if count <= 0:
        return 0
    workers = db.session.scalars(
        select(UserRole.user_id).where(UserRole.role == "worker").limit(5000)
    ).all()
    open_postings = db.session.scalars(
        select(JobListing.posting_id).order_by(JobListing.id.desc()).limit(500)
    ).all()
    if not workers or not open_postings:
        return 0
    existing = set(db.session.execute(select(Application.posting_id, Application.user_id)).all())
    rows = []
    for _ in range(count * 3):
        if len(rows) >= count:
            break
        pair = (rng.choice(open_postings), rng.choice(workers))
        if pair in existing:
            continue
        existing.add(pair)
        status = rng.choice(("submitted", "submitted", "contacted", "declined"))
        rows.append(
            {
                "posting_id": pair[0],
                "user_id": pair[1],
                "status": status,
                "share_card": rng.random() < 0.7,
                "created_dt": now - timedelta(hours=rng.randrange(1, 200)),
                "status_dt": now,
            }
        )
    if rows:
        db.session.execute(insert(Application), rows)
    return len(rows)


def _demand(rng: random.Random, count: int, now, today) -> int:  # noqa: ANN001
    employers = db.session.execute(select(Employer.id, Employer.region_code)).all()
    if count <= 0 or not employers:
        return 0
    rows = [
        {
            "employer_id": employer_id,
            "trade": rng.choice(TRADE_CODES),
            "headcount": rng.choice((5, 10, 20, 50, 80, 150)),
            "start_date": today + timedelta(days=rng.randrange(0, 45)),
            "region_code": region,
            "note": None,
            "reported_dt": now,
            "updated_dt": now,
        }
        for employer_id, region in (rng.choice(employers) for _ in range(count))
    ]
    db.session.execute(insert(LabourDemand), rows)
    return len(rows)

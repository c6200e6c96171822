"""Demo employment intents (bulk, fast enough for a million) and a few destination rules.

Intents go to the demo workers who have none yet, living in villages, with the destinations
and trades that Changde's outbound workers had in spring 2020, on the same timeline as every
other demo date: the day `flask demo-data` runs is "today" (registrations in the past weeks,
most departures in the coming weeks, some already gone). Rows are written with Core bulk
inserts, then the ledger counters are rebuilt once (app.intents.ledger.rebuild).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, insert, literal, select

from app.accounts.models import User, UserRole
from app.extensions import db
from app.intents import ledger
from app.intents.models import DestinationRule, EmploymentIntent, IntentChange
from app.regions.models import Region
from app.timeutil import local_today

# The season of departures around the day the demo data is made: two weeks back (the first
# ones have left) to about six weeks ahead, busiest in the week after "today".
SEASON_BEFORE, SEASON_AFTER = timedelta(days=14), timedelta(days=46)


@dataclass(frozen=True)
class Season:
    today: date

    @property
    def start(self) -> date:
        return self.today - SEASON_BEFORE

    @property
    def end(self) -> date:
        return self.today + SEASON_AFTER


def season_of(today: date | None = None) -> Season:
    return Season(local_today() if today is None else today)


# Where Changde's workers go (weights ~ share of outbound workers), codes from GB/T 2260.
OUTBOUND = {
    "440300": 22,  # 深圳
    "441900": 14,  # 东莞
    "440100": 10,  # 广州
    "440600": 5,  # 佛山
    "430100": 10,  # 长沙
    "330100": 7,  # 杭州
    "330200": 4,  # 宁波
    "320500": 6,  # 苏州
    "310000": 6,  # 上海
    "350200": 3,  # 厦门
    "110000": 2,  # 北京
    "440305": 2,  # 深圳南山 (a district: any GB/T 2260 code is accepted)
    "440306": 2,  # 深圳宝安
    "320200": 2,  # 无锡
    "350100": 1,  # 福州
    "500000": 2,  # 重庆
    "510100": 1,  # 成都
}
TRADE_WEIGHTS = {
    "manufacturing": 24,
    "electronics": 20,
    "construction": 18,
    "logistics": 9,
    "catering": 8,
    "garment": 7,
    "domestic": 4,
    "sanitation": 3,
    "security": 3,
    "agriculture": 2,
    "other": 2,
}
EMPLOYERS = (
    "富士康科技集团",
    "比亚迪股份有限公司",
    "东莞长安某电子厂",
    "中建五局",
    "顺丰速运",
    "立讯精密",
    "蓝思科技",
    "美的集团",
    "苏州某精密制造有限公司",
    "杭州某服装有限公司",
)
RULES = (
    (
        "440000",
        "广东省：持本人健康码绿码或外省开具的健康证明者，经体温检测正常可通行，"
        "不再一律集中隔离；来自湖北的人员仍需隔离观察14天。",
        "广东省新冠肺炎防控指挥办通告",
        "一季度全省制造业用工缺口较大，电子、家电企业优先招用返岗人员。",
    ),
    (
        "440300",
        "深圳市：返深人员到达后在居住地社区报到，持绿码者无需居家隔离；"
        "企业须对员工逐一建立健康台账，鼓励点对点包车接回。",
        "深圳市疫情防控指挥部关于复工复产的通告",
        "宝安、龙华电子企业招普工，包吃住，月薪4500—6500元。",
    ),
    (
        "441900",
        "东莞市：外地来莞人员凭健康码绿码或健康证明入厂，入厂前测温并登记。",
        "东莞市新型冠状病毒肺炎疫情防控指挥部通告",
        "长安、虎门电子厂和服装厂急招熟练工。",
    ),
    (
        "330000",
        "浙江省：实行健康码“绿码”通行，与湖南等省份健康码互认；黄码需隔离7天。",
        "浙江省新型冠状病毒肺炎疫情防控工作领导小组通告",
        None,
    ),
    (
        "320500",
        "苏州市：持“苏城码”或互认健康码绿码通行，企业负责员工返岗前健康申报。",
        "苏州市新型冠状病毒肺炎疫情防控工作领导小组通告",
        "工业园区精密制造企业招工，提供免费返岗包车。",
    ),
    (
        "310000",
        "上海市：来沪人员须进行健康登记，持绿码者免于隔离；来自重点地区者隔离14天。",
        "上海市新冠肺炎疫情防控工作领导小组通告",
        None,
    ),
)


class Weighted:
    """Weighted random choice with the cumulative weights computed once."""

    def __init__(self, weights: dict[str, int]) -> None:
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


DESTINATION_PICKER = Weighted(OUTBOUND)
TRADE_PICKER = Weighted(TRADE_WEIGHTS)


def _departure(rng: random.Random, season: Season) -> date | None:
    if rng.random() < 0.08:
        return None
    span = (season.end - season.start).days
    return season.start + timedelta(days=int(rng.triangular(0, span, span * 0.35)))


def _at(day: date, hour: int) -> datetime:
    """`hour` o'clock Beijing time on `day`, as UTC."""
    return datetime.combine(day, time(hour)).replace(tzinfo=UTC) - timedelta(hours=8)


def _workers_without_intents(after: int, batch: int) -> list[tuple[int, str]]:
    village = select(Region.code).where(Region.level == "village")
    stmt = (
        select(User.id, User.region_code)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.id > after,
            UserRole.role == "worker",
            User.region_code.in_(village.scalar_subquery()),
            ~exists().where(EmploymentIntent.user_id == User.id),
        )
        .order_by(User.id)
        .limit(batch)
    )
    return [(row[0], row[1]) for row in db.session.execute(stmt)]


def _intent_row(
    rng: random.Random, user_id: int, village: str, locals_: list[str], season: Season
) -> dict:
    local = rng.random() < 0.15
    arranged = rng.random() < (0.45 if local else 0.55)
    departure = _departure(rng, season)
    today = season.today
    registered = season.start - timedelta(days=5) + timedelta(days=rng.randrange(0, 20))
    if departure and registered > departure:
        registered = departure - timedelta(days=1)
    registered = min(registered, today)  # nobody registered in the future
    departed = bool(not local and departure and departure < today and rng.random() < 0.75)
    needs_certificate = not local and rng.random() < 0.6
    certified = bool(
        needs_certificate
        and departure
        and -7 <= (departure - today).days <= 6
        and rng.random() < 0.6
    )
    created = _at(registered, rng.randrange(8, 20))
    return {
        "user_id": user_id,
        "kind": "local" if local else "outbound",
        "destination_code": rng.choice(locals_) if local else DESTINATION_PICKER.pick(rng),
        "origin_village_code": village,
        "trade": TRADE_PICKER.pick(rng),
        "job_arranged": arranged,
        "employer_name": rng.choice(EMPLOYERS) if arranged else None,
        "job_start_date": departure + timedelta(days=2) if arranged and departure else None,
        "application_id": None,
        "departure_date": departure,
        "needs_transport": rng.random() < 0.35,
        "needs_certificate": needs_certificate,
        "wage_expectation": rng.randrange(3000, 8001, 500) if rng.random() < 0.7 else None,
        "note": None,
        "departed_dt": _at(departure, 8) if departed else None,
        "certificate_card_id": f"{rng.getrandbits(48):012x}" if certified else None,
        "certificate_issued_dt": (
            _at(min(departure - timedelta(days=2), today), 10) if certified else None
        ),
        "withdrawn_dt": None,
        "proxy_by_id": None,
        "consent_recorded": False,
        "created_dt": created,
        "updated_dt": created,
    }


def add_intents(
    rng: random.Random,
    count: int,
    *,
    batch: int = 20000,
    history: bool = True,
    today: date | None = None,
) -> int:
    """Bulk-insert up to `count` intents for workers who have none; counters rebuilt after."""
    season = season_of(today)
    locals_ = list(
        db.session.scalars(
            select(Region.code).where(Region.level == "county").order_by(Region.code)
        )
    ) or ["430700"]
    table = EmploymentIntent.__table__
    made, after = 0, 0
    while made < count:
        workers = _workers_without_intents(after, min(batch, count - made))
        if not workers:
            break
        after = workers[-1][0]
        rows = [_intent_row(rng, uid, village, locals_, season) for uid, village in workers]
        first = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        db.session.execute(insert(table), rows)
        if history:
            _add_history(first)
        made += len(rows)
    return made


def _add_history(first_id: int) -> None:
    """A 'created' change for every intent from `first_id` on, built by the database."""
    i = EmploymentIntent
    json_object = (
        func.json_build_object
        if db.session.get_bind().dialect.name == "postgresql"
        else func.json_object
    )
    snapshot = json_object(
        "kind", i.kind, "destination_code", i.destination_code,
        "origin_village_code", i.origin_village_code, "trade", i.trade,
        "job_arranged", i.job_arranged, "departure_date", i.departure_date,
    )  # fmt: skip
    rows = select(i.id, literal("created"), i.created_dt, snapshot).where(i.id >= first_id)
    db.session.execute(
        insert(IntentChange).from_select(["intent_id", "action", "changed_dt", "snapshot"], rows)
    )


def add_rules(today: date | None = None) -> int:
    """The main destinations' rules, published by the first official (or admin) found."""
    today = local_today() if today is None else today
    publisher = db.session.scalar(
        select(UserRole.user_id).where(UserRole.role.in_(("official", "admin"))).limit(1)
    )
    if publisher is None:
        return 0
    known = set(db.session.scalars(select(DestinationRule.destination_code)))
    added = 0
    for code, text, source, jobs in RULES:
        if code in known:
            continue
        db.session.add(
            DestinationRule(
                destination_code=code,
                rules_text=text,
                source=source,
                source_date=today - timedelta(days=6),
                valid_until=None,
                job_info=jobs,
                published_by_id=publisher,
                published_dt=_at(today - timedelta(days=5), 9),
            )
        )
        added += 1
    db.session.flush()
    return added


def load_demo(
    rng: random.Random, *, intents: int = 0, history: bool = True, **_sizes: int
) -> dict[str, int]:
    """Demo rules and `intents` intents (for workers without one), then the counters.

    Returns {"destination_rules": n, "intents": n, "ledger_counts": rows}.
    """
    counts = {"destination_rules": add_rules()}
    counts["intents"] = add_intents(rng, intents, history=history) if intents else 0
    counts["ledger_counts"] = ledger.rebuild(db.session) if intents else 0
    db.session.commit()
    return counts

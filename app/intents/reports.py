"""The ledger (台账) for officials: counts by destination × origin, the people behind them, the
weekly series for charts, and the rows of exports. Counts come from the LedgerCount counters;
lists of people come from the intents themselves (paginated or streamed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from app.accounts.access import require_oversight, scope_of
from app.accounts.identity import mask_name, mask_phone
from app.accounts.models import User
from app.errors import Forbidden
from app.extensions import db
from app.intents import destinations, ledger
from app.intents.models import EmploymentIntent
from app.regions.models import Region
from app.regions.services import CITY_CODE, get_region, region_subtree, subtree_bounds

# Officials of these levels are the staff responsible for the people: they see phone numbers.
RESPONSIBLE_LEVELS = ("township", "village")
GROUP_BELOW = {
    "province": "county",
    "city": "county",
    "county": "township",
    "zone": "township",
    "township": "village",
    "village": "village",
}
GROUPS_UNDER = {
    "province": ("county", "township", "village"),
    "city": ("county", "township", "village"),
    "county": ("township", "village"),
    "zone": ("township", "village"),
    "township": ("village",),
    "village": ("village",),
}
# Depth of each grouping level in a Changde path '/430000/430700/<county>/<township>/<village>/'.
GROUP_DEPTH = {"county": 2, "township": 3, "village": 4}


@dataclass
class LedgerFilters:
    """What an official narrows the ledger to. Dates are planned departures (inclusive)."""

    region: str | None = None
    kind: str | None = "outbound"
    trade: str | None = None
    departure_from: date | None = None
    departure_to: date | None = None
    # For lists of people only:
    destination: str | None = None
    job_arranged: bool | None = None
    departed: bool | None = None
    certified: bool | None = None
    extra: dict = field(default_factory=dict)

    def described(self) -> dict[str, Any]:
        """The filters that are set, as plain values (for audit details and file headers)."""
        out = {}
        for name in (
            "region",
            "kind",
            "trade",
            "departure_from",
            "departure_to",
            "destination",
            "job_arranged",
            "departed",
            "certified",
        ):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.isoformat() if isinstance(value, date) else value
        return out


def region_for(actor: User, code: str | None) -> Region:
    """The region the official asked for (default: their whole scope), checked against it."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    region = get_region(code or scope)
    require_oversight(actor, region.code)
    return region


def phone_visible(actor: User) -> bool:
    """Phone numbers are shown only to the township and village staff looking after people."""
    if not actor.has_role("official"):
        return False
    scope = scope_of(actor)
    region = db.session.get(Region, scope) if scope else None
    return bool(region and region.level in RESPONSIBLE_LEVELS)


def _villages_of(region: Region) -> Any | None:
    """SQL for the village codes under `region` (None: no restriction needed)."""
    if region.code == CITY_CODE or region.level == "province":
        return None
    low, high = subtree_bounds(region.path)
    return select(Region.code).where(Region.path >= low, Region.path < high).scalar_subquery()


def _day(value: date | None) -> int | None:
    return ledger.day_number(value) if value else None


def destination_key(code: str, level: str) -> str:
    if level == "province" and destinations.CODE_RE.match(code):
        return destinations.province_of(code)
    if level == "city":
        return destinations.city_of(code)
    return code


def counts_dict(values: tuple[int, ...]) -> dict[str, int]:
    named = dict(zip(ledger.MEASURES, values, strict=True))
    named["no_job"] = named["intents"] - named["job_arranged"]
    named["not_departed"] = named["intents"] - named["departed"]
    return named


@dataclass
class Summary:
    region: Region
    group: str
    destination_level: str
    totals: tuple[int, ...]
    destinations: dict[str, tuple[int, ...]]
    origins: dict[str, tuple[int, ...]]
    cells: dict[tuple[str, str], tuple[int, ...]]
    names: dict[str, Region]


def summary(
    actor: User,
    filters: LedgerFilters,
    *,
    group: str | None = None,
    destination_level: str = "city",
) -> Summary:
    """Counts by origin (county, township or village) × destination for the official's region."""
    region = region_for(actor, filters.region)
    if group not in GROUPS_UNDER[region.level]:
        group = GROUP_BELOW[region.level]
    cells = ledger.summed(
        db.session,
        village_codes=_villages_of(region),
        kind=filters.kind,
        trade=filters.trade,
        day_from=_day(filters.departure_from),
        day_to=_day(filters.departure_to),
    )
    depth = GROUP_DEPTH[group]
    origin_of = {}
    village_paths = select(Region.code, Region.path).where(
        Region.code.in_({village for village, _ in cells})
    )
    for village, path in db.session.execute(village_paths):
        parts = path.strip("/").split("/")
        origin_of[village] = parts[depth] if len(parts) > depth else village
    dest_of = {d: destination_key(d, destination_level) for d in {d for _, d in cells}}
    by_cell = ledger.regroup(cells, lambda k: (origin_of.get(k[0], k[0]), dest_of[k[1]]))
    names = destinations.names_for({o for o, _ in by_cell} | {d for _, d in by_cell})
    return Summary(
        region=region,
        group=group,
        destination_level=destination_level,
        totals=ledger.add_up(by_cell.values()),
        destinations=ledger.regroup(by_cell, lambda k: k[1]),
        origins=ledger.regroup(by_cell, lambda k: k[0]),
        cells=by_cell,
        names=names,
    )


def weekly(actor: User, filters: LedgerFilters) -> dict[date, dict[str, tuple[int, ...]]]:
    """Counts per departure week (Monday) and destination (city level)."""
    region = region_for(actor, filters.region)
    rows = ledger.summed(
        db.session,
        village_codes=_villages_of(region),
        kind=filters.kind,
        trade=filters.trade,
        day_from=_day(filters.departure_from) or ledger.UNKNOWN_DAY + 1,
        day_to=_day(filters.departure_to),
        by=("day", "destination_code"),
    )
    out: dict[date, dict[str, list[tuple[int, ...]]]] = {}
    for (day, code), values in rows.items():
        moment = date(day // 10000, day // 100 % 100, day % 100)
        monday = moment - timedelta(days=moment.weekday())
        out.setdefault(monday, {}).setdefault(destinations.city_of(code), []).append(values)
    return {
        week: {code: ledger.add_up(v) for code, v in per.items()}
        for week, per in sorted(out.items())
    }


# -- people --------------------------------------------------------------------------------


def people_query(actor: User, filters: LedgerFilters) -> Select:
    """The intents behind the counts, in the official's region, with every filter applied."""
    region = region_for(actor, filters.region)
    i = EmploymentIntent
    stmt = select(EmploymentIntent).where(i.withdrawn_dt.is_(None))
    if region.code != CITY_CODE:
        stmt = stmt.where(region_subtree(i.origin_village_code, region.code))
    return _filtered(stmt, filters)


def _filtered(stmt: Select, filters: LedgerFilters) -> Select:
    i = EmploymentIntent
    if filters.kind:
        stmt = stmt.where(i.kind == filters.kind)
    if filters.trade:
        stmt = stmt.where(i.trade == filters.trade)
    if filters.departure_from:
        stmt = stmt.where(i.departure_date >= filters.departure_from)
    if filters.departure_to:
        stmt = stmt.where(i.departure_date <= filters.departure_to)
    if filters.destination:
        code = filters.destination
        if destinations.CODE_RE.match(code) and code.endswith("0000"):
            stmt = stmt.where(i.destination_code.startswith(code[:2], autoescape=True))
        elif destinations.CODE_RE.match(code) and code.endswith("00"):
            stmt = stmt.where(i.destination_code.startswith(code[:4], autoescape=True))
        else:
            stmt = stmt.where(i.destination_code == code)
    if filters.job_arranged is not None:
        stmt = stmt.where(i.job_arranged.is_(filters.job_arranged))
    if filters.departed is not None:
        stmt = stmt.where(
            i.departed_dt.is_not(None) if filters.departed else i.departed_dt.is_(None)
        )
    if filters.certified is not None:
        stmt = stmt.where(
            i.certificate_card_id.is_not(None)
            if filters.certified
            else i.certificate_card_id.is_(None)
        )
    return stmt


def count_people(actor: User, filters: LedgerFilters) -> int:
    stmt = people_query(actor, filters).with_only_columns(func.count(EmploymentIntent.id))
    return int(db.session.scalar(stmt) or 0)


@dataclass
class PersonLine:
    """One person of the ledger as officials see them (masked; phone only for their staff)."""

    intent: EmploymentIntent
    name_masked: str
    id_masked: str
    phone: str | None


def person_line(intent: EmploymentIntent, user: User, show_phone: bool) -> PersonLine:
    phone = user.phone if show_phone else (mask_phone(user.phone) if user.phone else None)
    return PersonLine(
        intent=intent,
        name_masked=mask_name(user.name or ""),
        id_masked=user.id_masked or "",
        phone=phone,
    )


# -- exports -------------------------------------------------------------------------------

EXPORT_COLUMNS_ZH = (
    "姓名",
    "身份证号",
    "手机号",
    "县（区）",
    "乡镇（街道）",
    "村（社区）",
    "去向",
    "目的地",
    "目的地代码",
    "工种",
    "已落实工作",
    "用工单位",
    "计划出行日期",
    "已出行",
    "已开健康证明",
    "需组织运输",
    "需健康证明",
    "更新时间",
)
EXPORT_COLUMNS_EN = (
    "Name",
    "ID number",
    "Phone",
    "County",
    "Township",
    "Village",
    "Kind",
    "Destination",
    "Destination code",
    "Trade",
    "Job arranged",
    "Employer",
    "Planned departure",
    "Departed",
    "Certificate issued",
    "Needs transport",
    "Needs certificate",
    "Updated",
)


def export_rows(
    actor: User, filters: LedgerFilters, *, locale: str, batch: int = 2000
) -> Iterator[tuple[Any, ...]]:
    """Every matching person as a row of plain values, read in batches (constant memory)."""
    from app.intents.services import trades
    from app.timeutil import app_tz

    region = region_for(actor, filters.region)
    show_phone = phone_visible(actor)
    en = locale == "en"
    i = EmploymentIntent
    stmt = (
        select(
            User.name,
            User.id_masked,
            User.phone,
            i.origin_village_code,
            i.kind,
            i.destination_code,
            i.trade,
            i.job_arranged,
            i.employer_name,
            i.departure_date,
            i.departed_dt,
            i.certificate_card_id,
            i.needs_transport,
            i.needs_certificate,
            i.updated_dt,
        )
        .join(User, User.id == i.user_id)
        .where(i.withdrawn_dt.is_(None))
        .order_by(i.id)
    )
    if region.code != CITY_CODE:
        stmt = stmt.where(region_subtree(i.origin_village_code, region.code))
    stmt = _filtered(stmt, filters)
    low, high = subtree_bounds(region.path)
    places = {
        r.code: r
        for r in db.session.scalars(select(Region).where(Region.path >= low, Region.path < high))
    }
    trade_names = {t.code: (t.en if en else t.zh) for t in trades()}
    kinds = {"outbound": ("外出", "Outbound"), "local": ("本地", "Local")}
    yes_no = ("是", "否") if not en else ("yes", "no")
    dest_names: dict[str, str] = {}
    tz = app_tz()

    def place_names(village: str) -> tuple[str, str, str]:
        region_row = places.get(village)
        if region_row is None:
            return "", "", village
        parts = region_row.path.strip("/").split("/")
        names = []
        for depth in (2, 3):
            row = places.get(parts[depth]) if len(parts) > depth else None
            names.append(row.name(locale) if row else "")
        return names[0], names[1], region_row.name(locale)

    def flag(value: bool) -> str:
        return yes_no[0] if value else yes_no[1]

    result = db.session.execute(stmt.execution_options(yield_per=batch))
    for row in result:
        (name, id_masked, phone, village, kind, dest, trade, arranged, employer) = row[:9]
        (departure, departed_dt, card_id, transport, needs_cert, updated) = row[9:]
        if dest not in dest_names:
            described = destinations.describe(dest)
            dest_names[dest] = described.name_en if en else described.name_zh
        county, township, village_name = place_names(village)
        phone_text = phone if show_phone else (mask_phone(phone) if phone else "")
        yield (
            mask_name(name or ""),
            id_masked or "",
            phone_text or "",
            county,
            township,
            village_name,
            kinds.get(kind, (kind, kind))[1 if en else 0],
            dest_names[dest],
            dest,
            trade_names.get(trade, trade),
            flag(arranged),
            employer or "",
            departure.isoformat() if departure else "",
            flag(departed_dt is not None),
            flag(card_id is not None),
            flag(transport),
            flag(needs_cert),
            updated.astimezone(tz).strftime("%Y-%m-%d %H:%M") if updated else "",
        )

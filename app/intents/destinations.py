"""Destination regions: the loaded destination list plus any valid GB/T 2260 code.

A code in the regions table is accepted as it is. Any other code must look like GB/T 2260: six
digits whose first two name a province-level division. Names come from the regions table, else
from the province (e.g. "广东省 440303" for a district we have not loaded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.regions.models import Region
from app.regions.services import CITY_CODE

# GB/T 2260 province-level divisions: code prefix → (Chinese, English).
PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京市", "Beijing"),
    "12": ("天津市", "Tianjin"),
    "13": ("河北省", "Hebei"),
    "14": ("山西省", "Shanxi"),
    "15": ("内蒙古自治区", "Inner Mongolia"),
    "21": ("辽宁省", "Liaoning"),
    "22": ("吉林省", "Jilin"),
    "23": ("黑龙江省", "Heilongjiang"),
    "31": ("上海市", "Shanghai"),
    "32": ("江苏省", "Jiangsu"),
    "33": ("浙江省", "Zhejiang"),
    "34": ("安徽省", "Anhui"),
    "35": ("福建省", "Fujian"),
    "36": ("江西省", "Jiangxi"),
    "37": ("山东省", "Shandong"),
    "41": ("河南省", "Henan"),
    "42": ("湖北省", "Hubei"),
    "43": ("湖南省", "Hunan"),
    "44": ("广东省", "Guangdong"),
    "45": ("广西壮族自治区", "Guangxi"),
    "46": ("海南省", "Hainan"),
    "50": ("重庆市", "Chongqing"),
    "51": ("四川省", "Sichuan"),
    "52": ("贵州省", "Guizhou"),
    "53": ("云南省", "Yunnan"),
    "54": ("西藏自治区", "Tibet"),
    "61": ("陕西省", "Shaanxi"),
    "62": ("甘肃省", "Gansu"),
    "63": ("青海省", "Qinghai"),
    "64": ("宁夏回族自治区", "Ningxia"),
    "65": ("新疆维吾尔自治区", "Xinjiang"),
    "71": ("台湾省", "Taiwan"),
    "81": ("香港特别行政区", "Hong Kong"),
    "82": ("澳门特别行政区", "Macao"),
}
# Municipalities directly under the central government: their cities are the province.
MUNICIPALITIES = ("11", "12", "31", "50")
CODE_RE = re.compile(r"^\d{6}$")
CHANGDE_PREFIX = CITY_CODE[:4]


@dataclass(frozen=True)
class Destination:
    code: str
    name_zh: str
    name_en: str
    province_code: str
    known: bool  # in our regions table


def is_gbt2260(code: str) -> bool:
    """Six digits whose first two name a province-level division (GB/T 2260)."""
    return bool(CODE_RE.match(code)) and code[:2] in PROVINCES and code != "000000"


def province_of(code: str) -> str:
    return code[:2] + "0000"


def city_of(code: str) -> str:
    """The city-level code above `code` (municipalities: the province itself)."""
    if not CODE_RE.match(code):
        return code
    if code[:2] in MUNICIPALITIES:
        return province_of(code)
    return code if code.endswith("0000") else code[:4] + "00"


def is_changde(code: str) -> bool:
    """A code inside Changde (its GB/T 2260 prefix, or a local zone code)."""
    if code.startswith(CHANGDE_PREFIX):
        return True
    region = db.session.get(Region, code)
    return bool(region and region.is_local)


def describe(code: str, names: dict[str, Region] | None = None) -> Destination:
    """Name any destination code (loaded region, else its province + the code)."""
    region = names.get(code) if names is not None else db.session.get(Region, code)
    prefix = code[:2]
    if region is not None:
        return Destination(code, region.name_zh, region.name_en, province_of(code), True)
    province = PROVINCES.get(prefix)
    if province is None:
        return Destination(code, code, code, province_of(code), False)
    if code.endswith("0000"):
        return Destination(code, province[0], province[1], code, False)
    return Destination(
        code, f"{province[0]} {code}", f"{province[1]} {code}", province_of(code), False
    )


def names_for(codes: set[str]) -> dict[str, Region]:
    """The regions table rows for `codes`, in one query."""
    if not codes:
        return {}
    rows = db.session.scalars(select(Region).where(Region.code.in_(sorted(codes))))
    return {r.code: r for r in rows}


def destination_list() -> list[Destination]:
    """The destinations loaded from destination-regions.csv (not Changde's own tree)."""
    rows = db.session.scalars(
        select(Region).where(Region.is_local.is_(False)).order_by(Region.path)
    ).all()
    return [
        Destination(r.code, r.name_zh, r.name_en, province_of(r.code), True)
        for r in rows
        if CODE_RE.match(r.code)
    ]

"""Loading the region tree and asking subtree questions of it."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import NotFound
from app.extensions import db
from app.regions.models import Region

DATA_DIR = Path(__file__).parent / "data"
CITY_CODE = "430700"

# Plausible township and village names for demo data (not an official list).
_TOWNSHIP_NAMES = [
    "城关镇",
    "丹洲乡",
    "芦荻山乡",
    "河洑镇",
    "长岭岗街道",
    "白鹤山乡",
    "东江街道",
    "石公桥镇",
    "周家店镇",
    "黄土店镇",
    "盘塘镇",
    "太阳山镇",
    "草坪镇",
    "韩公渡镇",
]
_VILLAGE_NAMES = [
    "新民村",
    "桃花村",
    "红旗村",
    "双桥村",
    "团结村",
    "柳林村",
    "长福村",
    "白马村",
    "金星村",
    "联合村",
    "光明村",
    "杨柳社区",
    "丰收村",
    "永安村",
    "清水村",
    "和平社区",
]


def subtree_bounds(path: str) -> tuple[str, str]:
    """[low, high) of every path under `path` (itself included): '/' sorts just below '0'."""
    return path, path[:-1] + "0"


def region_subtree(
    column: InstrumentedAttribute | ColumnElement, region_code: str
) -> ColumnElement:
    """SQL condition: `column` (a region code) lies in the subtree of `region_code`."""
    region = get_region(region_code)
    low, high = subtree_bounds(region.path)
    codes = select(Region.code).where(Region.path >= low, Region.path < high)
    return column.in_(codes.scalar_subquery())


def get_region(code: str) -> Region:
    region = db.session.get(Region, code)
    if region is None:
        raise NotFound("region_not_found")
    return region


def is_within(code: str, ancestor_code: str) -> bool:
    """Whether region `code` is `ancestor_code` or lies beneath it."""
    region, ancestor = db.session.get(Region, code), db.session.get(Region, ancestor_code)
    if region is None or ancestor is None:
        return False
    return region.path.startswith(ancestor.path)


def children(code: str | None) -> list[Region]:
    stmt = select(Region).where(
        Region.parent_code.is_(None) if code is None else Region.parent_code == code
    )
    return list(db.session.scalars(stmt.order_by(Region.code)))


def _insert_tree(rows: Iterable[dict], *, local: bool, demo: bool = False) -> int:
    """Insert rows (parents before children) that are not there yet; returns how many."""
    known = {code: path for code, path in db.session.execute(select(Region.code, Region.path))}
    added = 0
    for row in rows:
        if row["code"] in known:
            continue
        parent = row.get("parent") or None
        parent_path = known.get(parent, "/") if parent else "/"
        path = f"{parent_path}{row['code']}/"
        db.session.add(
            Region(
                code=row["code"],
                parent_code=parent if parent in known else None,
                level=row["level"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                path=path,
                is_local=local,
                is_demo=demo,
            )
        )
        known[row["code"]] = path
        added += 1
    db.session.flush()
    return added


def load_reference_regions() -> int:
    """Changde's tree and the destination regions, from the CSVs shipped with the app."""
    added = 0
    with open(DATA_DIR / "changde-regions.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # Hunan (430000) is the root of both files' trees.
    added += _insert_tree(rows, local=True)
    with open(DATA_DIR / "destination-regions.csv", encoding="utf-8") as f:
        added += _insert_tree(csv.DictReader(f), local=False)
    root = db.session.get(Region, "430000")
    if root is not None:
        root.is_local = False  # the province holds destinations too (Changsha)
    return added


def load_demo_townships(
    townships_per_county: int = 2, villages_per_township: int = 3, seed: int = 1
) -> int:
    """Demo townships and villages under each county and zone (codes in the GB/T 2260 style)."""
    rng = random.Random(seed)  # noqa: S311 - demo names, not secrets
    counties = db.session.scalars(
        select(Region).where(Region.parent_code == CITY_CODE).order_by(Region.code)
    ).all()
    rows = []
    for county in counties:
        townships = rng.sample(_TOWNSHIP_NAMES, townships_per_county)
        for t_index, t_name in enumerate(townships, start=1):
            t_code = (
                f"{county.code}{t_index:03d}"
                if county.code.isdigit()
                else f"{county.code}-{t_index:03d}"
            )
            rows.append(
                {
                    "code": t_code,
                    "parent": county.code,
                    "level": "township",
                    "name_zh": t_name,
                    "name_en": f"{t_name} (township)",
                }
            )
            for v_index, v_name in enumerate(rng.sample(_VILLAGE_NAMES, villages_per_township), 1):
                v_code = f"{t_code}{v_index:03d}" if t_code.isdigit() else f"{t_code}-{v_index:03d}"
                rows.append(
                    {
                        "code": v_code,
                        "parent": t_code,
                        "level": "village",
                        "name_zh": v_name,
                        "name_en": f"{v_name} (village)",
                    }
                )
    return _insert_tree(rows, local=True, demo=True)


def villages(under: str | None = None) -> list[Region]:
    stmt = select(Region).where(Region.level == "village")
    if under:
        stmt = stmt.where(region_subtree(Region.code, under))
    return list(db.session.scalars(stmt.order_by(Region.code)))

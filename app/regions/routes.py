"""Region look-ups for forms and filters."""

from __future__ import annotations

from flask import Blueprint

from app.api import endpoint
from app.i18n import register_messages
from app.regions import services
from app.regions.schemas import ChildrenQuery, RegionList, RegionOut

bp = Blueprint("regions", __name__)

register_messages({"region_not_found": ("地区不存在。", "No such region.")})


@endpoint(
    bp,
    "/regions",
    summary="Child regions of a region (roots without `parent`)",
    query=ChildrenQuery,
    response=RegionList,
)
def list_regions(query: ChildrenQuery) -> RegionList:
    if query.parent:
        services.get_region(query.parent)
    return RegionList(items=[RegionOut.of(r) for r in services.children(query.parent)])


@endpoint(bp, "/regions/<code>", summary="One region", response=RegionOut, errors=(404,))
def get_region(code: str) -> RegionOut:
    return RegionOut.of(services.get_region(code[:20]))

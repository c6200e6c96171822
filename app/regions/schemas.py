"""Region shapes on the wire."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.regions.models import Region


class RegionOut(BaseModel):
    code: str = Field(examples=["430702"])
    parent_code: str | None
    level: str
    name_zh: str
    name_en: str
    is_local: bool

    @classmethod
    def of(cls, region: Region) -> RegionOut:
        return cls(
            code=region.code,
            parent_code=region.parent_code,
            level=region.level,
            name_zh=region.name_zh,
            name_en=region.name_en,
            is_local=region.is_local,
        )


class RegionList(BaseModel):
    items: list[RegionOut]


class ChildrenQuery(BaseModel):
    parent: str | None = Field(None, max_length=20, description="Parent code; omit for roots.")

"""The region tree, stored with a materialised path so a subtree is one index range."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# Byte-wise ordering on PostgreSQL too, so `path` ranges select exactly a subtree.
PathString = String(255).with_variant(String(255, collation="C"), "postgresql")

LEVELS = ("province", "city", "county", "zone", "township", "village")


class Region(db.Model):
    """One administrative region. `path` is '/430000/430700/430702/' for Wuling district."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(PathString, unique=True)
    is_local: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh

"""Article and public-figure shapes on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from app.accounts.models import ROLES
from app.publicity.models import Article
from app.publicity.rendering import render_markdown
from app.regions.schemas import RegionOut

Role = Literal["worker", "volunteer", "employer", "official", "admin"]
assert set(ROLES) == set(Role.__args__)  # noqa: S101 - the two lists must not drift


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ArticleIn(Strict):
    """Markdown as written; it is sanitised whenever it is shown."""

    kind: Literal["announcement", "protection"]
    title: str = Field(min_length=2, max_length=120, examples=["返岗途中如何做好个人防护"])
    body_md: str = Field(min_length=1, max_length=20000)
    region_code: str = Field(min_length=1, max_length=20, examples=["430700"])
    roles: list[Role] = Field(default_factory=list, max_length=5, description="Empty: everyone.")
    publish_at: AwareDatetime
    unpublish_at: AwareDatetime | None = None


class ArticleUpdate(Strict):
    kind: Literal["announcement", "protection"] | None = None
    title: str | None = Field(None, min_length=2, max_length=120)
    body_md: str | None = Field(None, min_length=1, max_length=20000)
    region_code: str | None = Field(None, min_length=1, max_length=20)
    roles: list[Role] | None = Field(None, max_length=5)
    publish_at: AwareDatetime | None = None
    unpublish_at: AwareDatetime | None = None

    @field_validator("kind", "title", "body_md", "region_code", "roles", "publish_at")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("leave the field out instead of sending null")
        return value


class ArticleOut(BaseModel):
    id: int
    kind: str
    title: str
    body_html: str = Field(description="Sanitised HTML rendered from the Markdown.")
    region: RegionOut
    roles: list[str]
    publish_at: datetime
    unpublish_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, article: Article) -> ArticleOut:
        return cls(
            id=article.id,
            kind=article.kind,
            title=article.title,
            body_html=render_markdown(article.body_md),
            region=RegionOut.of(article.region),
            roles=list(article.roles or []),
            publish_at=article.publish_dt,
            unpublish_at=article.unpublish_dt,
            updated_at=article.updated_dt,
        )


class ManagedArticleOut(ArticleOut):
    body_md: str
    state: Literal["scheduled", "published", "unpublished"]


class ArticleList(BaseModel):
    items: list[ArticleOut]


class ManagedArticlePage(BaseModel):
    items: list[ManagedArticleOut]
    next_cursor: str | None


class PreviewIn(Strict):
    body_md: str = Field(max_length=20000)


class PreviewOut(BaseModel):
    body_html: str


class FigureOut(BaseModel):
    """A count, or null when it is below the small-count threshold (`suppressed`)."""

    value: int | None
    suppressed: bool


class AreaFiguresOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    valid_green_cards: FigureOut
    certificates_issued: FigureOut
    trips_completed: FigureOut | None = Field(
        None, description="Absent where the transport figures are not available."
    )
    jobs_filled: FigureOut


class PublicFiguresOut(BaseModel):
    """Aggregates only: no person, no figure below `threshold` for any area."""

    as_of: datetime
    threshold: int
    city: AreaFiguresOut
    counties: list[AreaFiguresOut]
    villages: list[AreaFiguresOut] = Field(
        default_factory=list, description="Only when one county is asked for."
    )

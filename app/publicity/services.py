"""Articles: officials write them for their region; each user sees those aimed at them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, or_, select

from app.accounts.access import require_oversight, scope_of
from app.accounts.models import ROLES, User
from app.audit.services import record
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.publicity.models import ARTICLE_KINDS, Article
from app.regions.models import Region
from app.regions.services import CITY_CODE, region_subtree
from app.timeutil import utcnow

register_messages(
    {
        "article_not_found": ("未找到该文章。", "No such article."),
        "unpublish_before_publish": (
            "下线时间须晚于发布时间。",
            "The unpublish time must come after the publish time.",
        ),
        "role_unknown": ("未知的角色。", "Unknown role."),
    }
)

EDITABLE = ("kind", "title", "body_md", "region_code", "roles", "publish_dt", "unpublish_dt")


def _ancestors(region_code: str | None) -> list[str]:
    """The region and every region above it (a user there sees articles aimed at any)."""
    if not region_code:
        return [CITY_CODE]
    region = db.session.get(Region, region_code)
    if region is None:
        return [CITY_CODE]
    return [part for part in region.path.split("/") if part]


def _check(values: dict) -> None:
    if values["kind"] not in ARTICLE_KINDS:
        raise ValidationFailed(errors=[{"field": "kind", "code": "invalid"}])
    unknown = [r for r in values["roles"] if r not in ROLES]
    if unknown:
        raise ValidationFailed(errors=[{"field": "roles", "code": "role_unknown"}])
    if values["unpublish_dt"] is not None and values["unpublish_dt"] <= values["publish_dt"]:
        raise ValidationFailed(
            errors=[{"field": "unpublish_at", "code": "unpublish_before_publish"}]
        )
    if db.session.get(Region, values["region_code"]) is None:
        raise ValidationFailed(errors=[{"field": "region_code", "code": "region_unknown"}])


def create_article(actor: User, values: dict) -> Article:
    """An article aimed at a region the author oversees (and everything under it)."""
    values = {**values, "roles": sorted(set(values.get("roles") or []))}
    _check(values)
    require_oversight(actor, values["region_code"])
    now = utcnow()
    article = Article(**values, author_id=actor.id, created_dt=now, updated_dt=now)
    db.session.add(article)
    db.session.flush()
    record(
        "publicity.article_created",
        actor=actor,
        subject_type="article",
        subject_id=article.id,
        region_code=article.region_code,
    )
    return article


def update_article(actor: User, article_id: int, changes: dict) -> Article:
    """Change an article (also to publish or unpublish it by its dates)."""
    article = managed_article(actor, article_id)
    values = {name: getattr(article, name) for name in EDITABLE}
    values.update(changes)
    values["roles"] = sorted(set(values["roles"] or []))
    _check(values)
    require_oversight(actor, values["region_code"])
    for name, value in values.items():
        setattr(article, name, value)
    article.updated_dt = utcnow()
    record(
        "publicity.article_updated",
        actor=actor,
        subject_type="article",
        subject_id=article.id,
        region_code=article.region_code,
        detail={"fields": sorted(changes)},
    )
    return article


def managed_article(actor: User, article_id: int) -> Article:
    """An article of the official's scope (404 for others)."""
    article = db.session.get(Article, article_id)
    scope = scope_of(actor)
    if article is None or scope is None:
        raise NotFound("article_not_found")
    from app.regions.services import is_within

    if not (actor.has_role("admin") or is_within(article.region_code, scope)):
        raise NotFound("article_not_found")
    return article


def managed_articles(actor: User) -> Select:
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    return select(Article).where(region_subtree(Article.region_code, scope))


def feed_for(user: User, *, now: datetime | None = None) -> list[Article]:
    """Published articles aimed at the user's region (or above it) and at one of their roles,
    newest first."""
    now = now or utcnow()
    stmt = (
        select(Article)
        .where(
            Article.region_code.in_(_ancestors(user.region_code)),
            Article.publish_dt <= now,
            or_(Article.unpublish_dt.is_(None), Article.unpublish_dt > now),
        )
        .order_by(Article.publish_dt.desc(), Article.id.desc())
        .limit(200)
    )
    mine = set(user.roles)
    # Roles are a short JSON list: filtered here, the same on every engine.
    return [a for a in db.session.scalars(stmt) if not a.roles or mine & set(a.roles)][:50]


def visible_article(user: User, article_id: int, *, now: datetime | None = None) -> Article:
    """A published article aimed at the user, or one they manage."""
    for article in feed_for(user, now=now):
        if article.id == article_id:
            return article
    if scope_of(user) is not None:
        return managed_article(user, article_id)
    raise NotFound("article_not_found")

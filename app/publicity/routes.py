"""Articles for workers (written by officials) and the public figures, under /api/v1."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from app.api import endpoint
from app.api.pagination import PageQuery, keyset_page
from app.extensions import db
from app.publicity import figures, services
from app.publicity.models import Article
from app.publicity.rendering import render_markdown
from app.publicity.schemas import (
    ArticleIn,
    ArticleList,
    ArticleOut,
    ArticleUpdate,
    ManagedArticleOut,
    ManagedArticlePage,
    PreviewIn,
    PreviewOut,
    PublicFiguresOut,
)
from app.ratelimit import RateLimit
from app.timeutil import utcnow

bp = Blueprint("publicity", __name__)
OFFICIALS = ("official", "admin")
PUBLIC_RATE = RateLimit("publicity.figures", "PUBLIC_FIGURES_RATE")


def _values(body: ArticleIn | ArticleUpdate, *, partial: bool) -> dict:
    data = body.model_dump(exclude_unset=partial)
    renamed = {"publish_at": "publish_dt", "unpublish_at": "unpublish_dt"}
    return {renamed.get(k, k): v for k, v in data.items()}


def _managed(article: Article) -> ManagedArticleOut:
    now = utcnow()
    if article.publish_dt > now:
        state = "scheduled"
    elif article.unpublish_dt is not None and article.unpublish_dt <= now:
        state = "unpublished"
    else:
        state = "published"
    return ManagedArticleOut(
        **ArticleOut.of(article).model_dump(), body_md=article.body_md, state=state
    )


@endpoint(
    bp,
    "/articles",
    summary="Published articles aimed at my region and roles, newest first",
    response=ArticleList,
)
def feed() -> ArticleList:
    """The PWA keeps the last answer, so the articles stay readable offline."""
    return ArticleList(items=[ArticleOut.of(a) for a in services.feed_for(current_user)])


@endpoint(
    bp,
    "/articles/<int:article_id>",
    summary="One article (aimed at me, or one I manage)",
    response=ArticleOut,
    errors=(404,),
)
def get_article(article_id: int) -> ArticleOut:
    return ArticleOut.of(services.visible_article(current_user, article_id))


@endpoint(
    bp,
    "/articles/managed",
    summary="Articles of my region, with their Markdown and state (officials)",
    query=PageQuery,
    response=ManagedArticlePage,
    roles=OFFICIALS,
    errors=(403,),
)
def managed(query: PageQuery) -> ManagedArticlePage:
    rows, cursor = keyset_page(
        db.session,
        services.managed_articles(current_user),
        [Article.id],
        query.limit,
        query.cursor,
        key=lambda a: [a.id],
    )
    return ManagedArticlePage(items=[_managed(a) for a in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/articles",
    method="POST",
    summary="Write an article in Markdown for a region and roles, with publish dates",
    body=ArticleIn,
    response=ManagedArticleOut,
    status=201,
    roles=OFFICIALS,
    errors=(403, 422),
)
def create(body: ArticleIn) -> ManagedArticleOut:
    article = services.create_article(current_user, _values(body, partial=False))
    db.session.commit()
    return _managed(article)


@endpoint(
    bp,
    "/articles/<int:article_id>",
    method="PATCH",
    summary="Change an article; set unpublish_at to now to take it down",
    body=ArticleUpdate,
    response=ManagedArticleOut,
    roles=OFFICIALS,
    errors=(403, 404, 422),
)
def update(article_id: int, body: ArticleUpdate) -> ManagedArticleOut:
    article = services.update_article(current_user, article_id, _values(body, partial=True))
    db.session.commit()
    return _managed(article)


@endpoint(
    bp,
    "/articles/preview",
    method="POST",
    summary="Render Markdown as an article would show it (sanitised)",
    body=PreviewIn,
    response=PreviewOut,
    roles=OFFICIALS,
)
def preview(body: PreviewIn) -> PreviewOut:
    return PreviewOut(body_html=render_markdown(body.body_md))


@endpoint(
    bp,
    "/public/figures",
    summary="Changde's live aggregated figures (no login; no personal data)",
    response=PublicFiguresOut,
    public=True,
    rate_limits=(PUBLIC_RATE,),
    errors=(429, 503),
)
def public_figures() -> Response:
    """Counts below the small-count threshold are null with `suppressed: true`."""
    from app.api import render

    response = render(PublicFiguresOut(**figures.public_figures()), 200)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response

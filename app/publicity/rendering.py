"""Markdown to HTML that is safe to put in the page: markdown-it-py, then nh3 (Ammonia).

Two layers, neither of them a regex: markdown-it is told to pass no raw HTML through (it
escapes it) and refuses javascript:/vbscript:/data: links; nh3 then keeps only the tags and
attributes below, only http(s)/mailto/tel URLs, and drops <script>, <style>, <svg>, event
attributes and the like whatever the first layer let through.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def sanitise(html: str) -> str:
    """Only the allowed tags, attributes and URL schemes survive; links get rel=noopener."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """An article's Markdown as sanitised HTML."""
    return sanitise(_parser().render(text))

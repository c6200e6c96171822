"""An article on a worker's home screen stays readable offline once loaded, and hostile
Markdown in it is shown as text, never run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_pwa_shell import wait_until_offline_ready

pytestmark = pytest.mark.e2e


@pytest.fixture
def article(flask_app) -> str:
    from app.extensions import db
    from app.publicity import services
    from app.timeutil import utcnow
    from tests.factories import make_user

    title = "返岗途中如何做好个人防护（浏览器测试）"
    with flask_app.app_context():
        author = make_user(roles=("official",), region_code="430700")
        services.create_article(
            author,
            {
                "kind": "protection",
                "title": title,
                "body_md": "**全程佩戴口罩**\n\n<script>window.pwned = 1</script>\n\n"
                '[点我](javascript:window.pwned=2) <img src=x onerror="window.pwned=3">',
                "region_code": "430700",
                "roles": ["worker"],
                "publish_dt": utcnow() - timedelta(hours=1),
                "unpublish_dt": None,
            },
        )
        db.session.commit()
    return title


def test_an_article_is_readable_offline_and_inert(
    page: Page,
    context: BrowserContext,
    make_user,
    new_phone,
    login_with_code,
    article,
    console_errors,
) -> None:
    phone = new_phone()
    make_user(phone=phone)
    login_with_code(page, phone)
    link = page.get_by_test_id("home-article").filter(has_text=article)
    expect(link).to_be_visible()
    wait_until_offline_ready(page)

    context.set_offline(True)
    page.reload()
    link = page.get_by_test_id("home-article").filter(has_text=article)
    expect(link).to_be_visible()  # from the device's copy
    link.tap()
    body = page.get_by_test_id("article")
    expect(body.locator("strong")).to_have_text("全程佩戴口罩")
    expect(body).to_contain_text("<script>window.pwned = 1</script>")  # shown as text
    assert body.locator("script, img, a[href^='javascript']").count() == 0
    assert page.evaluate("window.pwned") is None
    assert [e for e in console_errors if "Failed to load resource" not in e] == []

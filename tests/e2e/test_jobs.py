"""A worker's job application in the browser: apply with one tap, withdraw it, apply again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def job(flask_app) -> dict:
    """A published posting of a verified employer in 武陵区."""
    from app.extensions import db
    from tests.employers.factories import make_employer
    from tests.jobs.factories import make_posting

    with flask_app.app_context():
        posting = make_posting(make_employer(), title="电子厂普工招聘", headcount=3)
        db.session.commit()
        return {"id": posting.id, "title": posting.title}


def application_status(flask_app, posting_id: int) -> list[str]:
    from sqlalchemy import select

    from app.extensions import db
    from app.jobs.models import Application

    with flask_app.app_context():
        return list(
            db.session.scalars(
                select(Application.status).where(Application.posting_id == posting_id)
            )
        )


def test_a_worker_applies_withdraws_and_applies_again(
    page: Page, flask_app, job, new_phone, login_with_code, console_errors
) -> None:
    login_with_code(page, new_phone())
    page.evaluate(f"location.hash = '#/jobs/{job['id']}'")
    page.get_by_test_id("apply").tap()
    page.locator(".app-dialog-ok").tap()  # 一键报名 in the confirm dialog
    expect(page.get_by_test_id("my-application")).to_contain_text("已报名")
    assert application_status(flask_app, job["id"]) == ["submitted"]

    page.evaluate("location.hash = '#/jobs/mine'")
    mine = page.get_by_test_id("my-applications")
    expect(mine).to_contain_text(job["title"])
    page.get_by_test_id("withdraw").tap()
    expect(page.locator(".app-dialog-ok")).to_have_text("撤回报名")
    page.locator(".app-dialog-ok").tap()
    expect(mine.locator("[data-status='withdrawn']")).to_have_text("已撤回")
    expect(page.get_by_test_id("withdraw")).to_have_count(0)
    assert application_status(flask_app, job["id"]) == ["withdrawn"]

    page.evaluate(f"location.hash = '#/jobs/{job['id']}'")
    expect(page.get_by_test_id("apply")).to_have_text("重新报名")
    page.get_by_test_id("apply").tap()
    page.locator(".app-dialog-ok").tap()
    expect(page.get_by_test_id("my-application")).to_contain_text("已报名")
    assert application_status(flask_app, job["id"]) == ["submitted"]
    assert [e for e in console_errors if "Failed to load resource" not in e] == []

"""At phone size: an employer records a test batch with its invoice and applies; the county
official approves; the employer sees the approved amount."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

ANXIANG = "430721"  # a county no other browser test uses


@pytest.fixture
def setting(flask_app, new_phone) -> dict:
    """Terms for Anxiang around today, 10,000 yuan in its budget, an employer, an official."""
    from app.extensions import db
    from app.subsidies import services
    from app.timeutil import local_today
    from tests.employers.factories import make_employer
    from tests.factories import make_user

    with flask_app.app_context():
        admin = make_user(roles=("admin",), region_code="430700")
        today = local_today()
        services.set_policy(
            region_code=ANXIANG,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
            rate_fen=8000,
            cap_fen=500000,
            actor=admin,
        )
        services.allocate(ANXIANG, 1_000_000, actor=admin)
        owner = make_user(roles=("worker",), region_code=ANXIANG, phone=new_phone())
        employer = make_employer(owner=owner, region_code=ANXIANG, name="安乡县某电子有限公司")
        official = make_user(roles=("official",), region_code=ANXIANG, phone=new_phone())
        db.session.commit()
        return {"employer": employer.id, "owner": owner.phone, "official": official.phone}


def invoice_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_employer_applies_county_approves_employer_sees_the_amount(
    page: Page,
    browser,
    browser_context_args,
    base_url,
    flask_app,
    setting,
    login_with_code,
    console_errors,
) -> None:
    login_with_code(page, setting["owner"])
    page.evaluate("location.hash = '#/subsidies'")
    page.fill("#sub-institution", "安乡县人民医院")
    page.fill("#sub-counted", "10")
    page.fill("#sub-cost", "960")
    page.set_input_files(
        "#sub-invoice", {"name": "发票.png", "mimeType": "image/png", "buffer": invoice_png()}
    )
    page.tap("#sub-save")
    batch = page.get_by_test_id("sub-batch")
    expect(batch).to_have_count(1)
    expect(batch).to_contain_text("¥960.00")
    expect(batch.get_by_role("link", name="查看发票")).to_be_visible()
    page.tap("#sub-apply")
    page.locator(".app-dialog-ok").tap()
    application = page.get_by_test_id("sub-application")
    expect(application.locator("[data-status]")).to_have_text("待审核")
    expect(application).to_contain_text("¥800.00")  # 80 yuan x 10 people

    context = browser.new_context(**{**browser_context_args, "base_url": base_url})
    official = context.new_page()
    login_with_code(official, setting["official"])
    official.evaluate("location.hash = '#/subsidies/review'")
    official.get_by_test_id("sub-review-item").first.tap()
    expect(official.get_by_test_id("sub-limits")).to_contain_text("¥800.00")
    expect(official.locator("#sub-amount")).to_have_value("800.00")
    official.tap("#sub-approve")
    official.locator(".app-dialog-ok").tap()
    expect(official.get_by_test_id("sub-detail").locator("[data-status]")).to_have_text("已批准")
    context.close()

    page.reload()
    page.evaluate("location.hash = '#/subsidies'")
    expect(page.get_by_test_id("sub-approved")).to_have_text("¥800.00")
    expect(page.get_by_test_id("sub-application").locator("[data-status]")).to_have_text("已批准")
    page.screenshot(path=str(flask_app.instance_path + "/subsidies-phone.png"), full_page=True)

    from sqlalchemy import select

    from app.extensions import db
    from app.subsidies.models import SubsidyBudget

    with flask_app.app_context():
        balance = db.session.scalar(
            select(SubsidyBudget.balance_fen).where(SubsidyBudget.region_code == ANXIANG)
        )
    assert balance == 1_000_000 - 80_000
    assert [e for e in console_errors if "Failed to load resource" not in e] == []

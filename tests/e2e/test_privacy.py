"""At phone size: a worker opens 我的数据 from their own area, downloads everything held about
them, and erases it: a dialog that says what happens, the code texted to their phone, and the
app ends logged out, the card refused."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_code

pytestmark = pytest.mark.e2e


def save_screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def worker(flask_app, make_user, new_phone) -> dict:
    """A worker of a Wuling village with a green card (declared now: no frozen clock here)."""
    from app.accounts.models import User
    from app.cards.services import Declaration, current_card, declare
    from app.extensions import db
    from tests.factories import village_in

    phone = new_phone()
    made = make_user(phone=phone, roles=("worker",), name="刘建国", region_code="430702")
    with flask_app.app_context():
        user = db.session.get(User, made["id"])
        village = village_in("430702")
        declare(
            user,
            Declaration(
                temperature=Decimal("36.5"),
                symptoms=["none"],
                case_contact=False,
                hubei_exposure_date=None,
                current_village_code=village,
            ),
        )
        card = current_card(user)
        db.session.commit()
        return {"id": user.id, "phone": phone, "card_id": card.card_id, "qr": card.qr_text}


def test_my_data_downloads_everything_and_erasure_ends_logged_out(
    page: Page, flask_app, worker, login_with_code, console_errors
) -> None:
    login_with_code(page, worker["phone"])
    page.locator("#tabbar [data-tab='/me']").tap()
    page.get_by_test_id("my-data-link").tap()

    expect(page.get_by_test_id("privacy-page")).to_be_visible()
    expect(page.get_by_test_id("privacy-name")).to_have_text("刘*国")  # masked on screen
    cards = page.locator("[data-testid='privacy-category'][data-key='cards']")
    expect(cards.get_by_test_id("privacy-count")).to_have_text("1")
    cards.locator("summary").tap()
    expect(cards.get_by_test_id("privacy-record")).to_contain_text(worker["card_id"][:8])
    expect(cards).to_contain_text("删除后：作废")
    save_screenshot(page, "privacy-zh")

    # The download: the whole record, unmasked, as a JSON file.
    with page.expect_download() as download:
        page.get_by_test_id("privacy-export").tap()
    assert download.value.suggested_filename.startswith("fangang-my-data-")
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["categories"]["account"]["records"][0]["name"] == "刘建国"
    assert [c["card_id"] for c in document["categories"]["cards"]["records"]] == [worker["card_id"]]

    # Erasure: the dialog says what happens and what is kept, then the texted code.
    page.get_by_test_id("erase-start").tap()
    dialog = page.locator(".weui-dialog")
    expect(dialog).to_contain_text("1 个健康码和健康证明立即作废")
    expect(dialog).to_contain_text("去除身份后保留")
    expect(dialog).to_contain_text("无法再以此身份登录")
    save_screenshot(page, "privacy-confirm-zh")
    sent = len(flask_app.extensions["sms"].sent)
    dialog.locator(".app-dialog-ok").tap()
    expect(page.get_by_test_id("erase-panel")).to_contain_text("确认码已发送至")
    code = wait_for_code(flask_app, worker["phone"], after=sent)
    page.fill("#erase-code", code)
    page.get_by_test_id("erase-confirm").tap()

    expect(page.locator(".weui-dialog")).to_contain_text("您的个人信息已删除")
    page.locator(".app-dialog-ok").tap()
    expect(page.locator("#login-phone")).to_be_visible()  # logged out
    page.reload()
    expect(page.locator("#login-phone")).to_be_visible()  # and the server agrees

    client = flask_app.test_client()
    verdict = client.post("/api/v1/verify", json={"qr": worker["qr"]}).get_json()
    assert (verdict["valid"], verdict["reason"]) == (False, "revoked")
    with flask_app.app_context():
        from app.accounts.models import User
        from app.extensions import db

        user = db.session.get(User, worker["id"])
        assert (user.name, user.phone, user.active) == (None, None, False)
    assert [e for e in console_errors if "Failed to load resource" not in e] == []

"""The health card screens in a phone-sized headless Chromium: declare, see the card, scan it
with a real decoder, verify it with the server, and keep it offline."""

from __future__ import annotations

import io
import json
import os
import random
import re
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.e2e

SW_SOURCE = Path(__file__).resolve().parents[2] / "pwa" / "sw.js"
COUNTY = "430702"  # 武陵区


def shell_cache_name() -> str:
    version = re.search(r"const VERSION = '([^']+)'", SW_SOURCE.read_text()).group(1)
    return f"shell-{version}"


def save_screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def wait_until(page: Page, script: str, arg: object = None, timeout: float = 10.0) -> None:
    """Poll `script` with page.evaluate until it is truthy. Not page.wait_for_function: that one
    runs the predicate through the page's eval(), which our CSP (script-src 'self') may refuse."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(50)


def script_errors(errors: list[str]) -> list[str]:
    return [e for e in errors if "Failed to load resource" not in e]


@pytest.fixture(scope="module")
def village(flask_app) -> dict[str, str]:
    """A demo village of 武陵区 with its township (the e2e database has only the city tree),
    and a card signing key (the e2e app starts without one)."""
    from app.cards.signing import ensure_signer
    from app.extensions import db
    from app.regions.services import load_demo_townships, villages

    with flask_app.app_context():
        ensure_signer()
        load_demo_townships()
        db.session.commit()
        row = villages(COUNTY)[0]
        return {"county": COUNTY, "township": row.parent_code, "village": row.code}


def choose_village(page: Page, village: dict[str, str], prefix: str = "decl") -> None:
    page.select_option(f"#{prefix}-village-0", village["county"])
    page.select_option(f"#{prefix}-village-1", village["township"])
    page.select_option(f"#{prefix}-village-2", village["village"])


def answer_health(page: Page, temperature: str, prefix: str = "decl") -> None:
    page.fill(f"#{prefix}-temperature", temperature)
    page.locator(f"label[for='{prefix}-symptom-none']").tap()
    page.locator(f"label[for='{prefix}-hubei-no']").tap()
    page.locator(f"label[for='{prefix}-contact-no']").tap()


def read_qr(page: Page) -> zxingcpp.Barcode:
    """Screenshot the card's QR as the screen shows it and decode it with zxing-cpp."""
    png = page.locator("[data-testid='card-qr'] svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0]


def test_first_declaration_gives_a_green_card_whose_qr_verifies(
    page: Page, flask_app, village, new_phone, login_with_code, console_errors: list[str]
) -> None:
    phone = new_phone()  # a number seen for the first time: a worker without name or ID yet
    login_with_code(page, phone)
    page.locator("#tabbar [data-tab='/card']").tap()
    expect(page.get_by_test_id("card-no-declaration")).to_contain_text("您还没有健康申报")
    page.get_by_test_id("card-declare").tap()

    expect(page.locator("#decl-name")).to_be_visible()  # identity asked the first time only
    page.fill("#decl-name", "张小三")
    page.fill("#decl-id-number", "430702199001011234")  # wrong check character
    choose_village(page, village)
    answer_health(page, "36.5")
    page.tap("#decl-submit")
    expect(page.locator("#decl-id-number-error")).to_have_text("身份证号码不正确，请核对")

    from app.demo import random_id_number

    page.fill("#decl-id-number", random_id_number(random.Random(), COUNTY))
    save_screenshot(page, "declare-zh")
    page.tap("#decl-submit")

    card = page.get_by_test_id("health-card")
    expect(card).to_have_attribute("data-status", "green")
    expect(page.get_by_test_id("card-status")).to_have_text("绿码")
    expect(page.get_by_test_id("card-name")).to_have_text("张*三")
    expect(page.get_by_test_id("card-validity")).to_contain_text("有效期至")
    expect(page.get_by_test_id("card-brightness")).to_have_text("提示：调高屏幕亮度便于扫码")
    first = page.get_by_test_id("card-time").inner_text()
    expect(page.get_by_test_id("card-time")).not_to_have_text(first, timeout=3000)  # it ticks
    save_screenshot(page, "card-green-zh")

    expect(page.locator(".weui-toast")).to_have_count(0)  # "申报成功" no longer over the QR
    barcode = read_qr(page)
    shown = page.locator("[data-testid='card-qr'] svg").get_attribute("data-qr")
    assert barcode.text == shown and barcode.text.startswith("FG1:")
    assert barcode.extra["ECLevel"] == "Q" and int(barcode.extra["Version"]) <= 10
    answer = flask_app.test_client().post("/api/v1/verify", json={"qr": barcode.text})
    assert answer.status_code == 200
    verdict = answer.get_json()
    assert (verdict["valid"], verdict["reason"], verdict["status"]) == (True, "ok", "green")
    assert verdict["name_masked"] == "张*三"
    assert script_errors(console_errors) == []


def test_a_fever_gives_a_red_card_that_says_why(
    page: Page, village, make_user, new_phone, login_with_code
) -> None:
    phone = new_phone()
    make_user(phone=phone, roles=("worker",))
    login_with_code(page, phone)
    page.goto("/#/declare")
    expect(page.get_by_test_id("decl-id-masked")).to_be_visible()  # ID known: not asked again
    expect(page.locator("#decl-name")).to_have_count(0)
    choose_village(page, village)
    answer_health(page, "38.2")
    expect(page.locator("#decl-fever-hint")).to_contain_text("37.3℃")
    page.tap("#decl-submit")

    expect(page.get_by_test_id("health-card")).to_have_attribute("data-status", "red")
    expect(page.get_by_test_id("card-status")).to_have_text("红码")
    expect(page.get_by_test_id("card-reasons")).to_have_text("体温异常")
    save_screenshot(page, "card-red-zh")


def test_the_card_stays_on_screen_offline_and_expires_there(
    page: Page, context: BrowserContext, village, make_user, new_phone, login_with_code
) -> None:
    phone = new_phone()
    make_user(phone=phone, roles=("worker",))
    login_with_code(page, phone)
    body = {
        "current_village_code": village["village"],
        "temperature": "36.4",
        "symptoms": ["none"],
        "hubei_exposure_date": None,
        "case_contact": False,
    }
    page.evaluate("b => import('/js/api.js').then(m => m.api.post('/declarations', b))", body)
    page.goto("/#/card")
    expect(page.get_by_test_id("health-card")).to_have_attribute("data-status", "green")
    online_qr = page.locator("[data-testid='card-qr'] svg").get_attribute("data-qr")
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    wait_until(page, "name => caches.has(name)", shell_cache_name())

    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("card-offline")).to_contain_text(
        "离线：显示上次获取的健康码，有效期至"
    )
    expect(page.get_by_test_id("health-card")).to_have_attribute("data-status", "green")
    assert read_qr(page).text == online_qr
    save_screenshot(page, "card-offline-zh")

    # The kept card passes its expiry: shown as expired, without its QR, never as valid.
    kept = json.loads(page.evaluate("localStorage.getItem('fg.card')"))
    kept["card"]["expires_at"] = "2020-02-21T08:00:00Z"
    page.evaluate("v => localStorage.setItem('fg.card', v)", json.dumps(kept))
    page.reload()
    expect(page.get_by_test_id("health-card")).to_have_attribute("data-status", "expired")
    expect(page.get_by_test_id("card-status")).to_have_text("已过期")
    expect(page.locator("[data-testid='card-qr'] svg")).to_have_count(0)
    expect(page.get_by_test_id("card-offline")).to_contain_text("已于 2020-02-21 16:00 过期")
    save_screenshot(page, "card-expired-zh")


def test_before_leaving_the_card_screen_shows_the_destinations_rules(
    page: Page, flask_app, village, make_user, new_phone, login_with_code
) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from app.accounts.models import User
    from app.cards import services as cards
    from app.extensions import db
    from app.intents import destination_rules
    from app.intents.services import IntentData, save_intent
    from app.timeutil import local_today

    phone = new_phone()
    made = make_user(phone=phone, roles=("worker",), region_code=village["village"])
    city_official = make_user(roles=("official",), region_code="430700")
    with flask_app.app_context():
        worker = db.session.get(User, made["id"])
        cards.declare(
            worker,
            cards.Declaration(
                temperature=Decimal("36.5"),
                symptoms=["none"],
                case_contact=False,
                hubei_exposure_date=None,
                current_village_code=village["village"],
            ),
        )
        leaving = local_today() + timedelta(days=3)
        save_intent(
            worker,
            IntentData(
                kind="outbound",
                destination_code="440300",
                trade="electronics",
                departure_date=leaving,
                needs_transport=True,
                needs_certificate=False,
            ),
            actor=worker,
        )
        destination_rules.publish(
            db.session.get(User, city_official["id"]),
            destination_code="440300",
            rules_text="持绿码和健康证明，到达后测温登记，无需隔离。",
            source="深圳市疫情防控指挥部通告",
            source_date=local_today(),
            valid_until=None,
            job_info=None,
        )
        db.session.commit()

    login_with_code(page, phone)
    page.locator("#tabbar [data-tab='/card']").tap()
    expect(page.get_by_test_id("health-card")).to_have_attribute("data-status", "green")
    rules = page.get_by_test_id("card-trip-rules")
    expect(rules).to_contain_text("深圳")
    expect(rules).to_contain_text(f"{leaving.isoformat()}出发去深圳市")
    expect(rules.get_by_test_id("rule")).to_contain_text("到达后测温登记")

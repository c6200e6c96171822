"""The PWA shell in a phone-sized headless Chromium: login, tab bar, offline, language, update."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.e2e

SW_SOURCE = Path(__file__).resolve().parents[2] / "pwa" / "sw.js"


def shell_cache_name() -> str:
    """The cache name sw.js uses now (read from its VERSION, so a version bump needs no edit)."""
    version = re.search(r"const VERSION = '([^']+)'", SW_SOURCE.read_text()).group(1)
    return f"shell-{version}"


def tab_labels(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#tabbar .weui-tabbar__label").all_inner_texts()]


def wait_until_offline_ready(page: Page) -> None:
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, "name => caches.has(name)", shell_cache_name())


def csp_or_script_errors(errors: list[str]) -> list[str]:
    """Errors that mean a bug: all but HTTP statuses (401 before login, the wrong code)."""
    return [e for e in errors if "Failed to load resource" not in e]


def save_screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_worker_logs_in_with_sms_code_and_sees_chinese_home(
    page: Page, make_user, new_phone, login_with_code, console_errors: list[str]
) -> None:
    phone = new_phone()
    make_user(phone=phone, roles=("worker",), name="张小三")

    login_with_code(page, phone)

    expect(page).to_have_url(re.compile(r"#/home$"))
    expect(page.get_by_test_id("greeting")).to_contain_text("张*三")
    assert tab_labels(page) == ["首页", "健康码", "工作", "我的"]
    expect(page.locator("#tabbar .weui-bar__item_on")).to_have_text("首页")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.locator(".app-entry").first).to_contain_text("我的健康码")
    save_screenshot(page, "home-zh")

    page.locator("#tabbar [data-tab='/me']").tap()
    expect(page.get_by_test_id("phone")).to_have_text(f"{phone[:3]}****{phone[-4:]}")
    expect(page.get_by_test_id("roles")).to_have_text("务工人员")
    save_screenshot(page, "me-zh")

    page.locator("#tabbar [data-tab='/jobs']").tap()
    expect(page.get_by_test_id("job-search")).to_be_visible()
    assert csp_or_script_errors(console_errors) == []


def test_login_screen_checks_the_phone_and_shows_the_servers_error(
    page: Page, flask_app, make_user, new_phone, sms_code, console_errors: list[str]
) -> None:
    phone = new_phone()
    make_user(phone=phone)
    page.goto("/")
    expect(page.locator("#login-phone")).to_be_visible()
    save_screenshot(page, "login-zh")
    sent_before = len(flask_app.extensions["sms"].sent)

    page.fill("#login-phone", "12345")
    page.tap("#login-send")
    expect(page.locator("#login-phone-error")).to_have_text("请输入正确的11位手机号")
    assert len(flask_app.extensions["sms"].sent) == sent_before  # nothing reached the server

    page.fill("#login-phone", phone)
    page.tap("#login-send")
    expect(page.locator("#login-send")).to_have_text(re.compile(r"^\s*\d{1,2}秒后重发\s*$"))
    expect(page.locator("#login-send")).to_be_disabled()
    code = sms_code(phone, after=sent_before)
    page.fill("#login-code", f"{(int(code) + 1) % 1_000_000:06d}")  # a wrong code
    page.tap("#login-submit")
    expect(page.locator(".weui-toptips")).to_have_text("验证码不正确。")  # the problem+json detail
    expect(page).to_have_url(re.compile(r"#/login"))

    page.get_by_test_id("login-mode").tap()
    page.fill("#login-username", "nobody")
    page.fill("#login-password", "wrong")
    page.tap("#login-submit")
    expect(page.locator(".weui-toptips")).to_have_text("用户名或密码错误。")
    assert csp_or_script_errors(console_errors) == []


def test_a_deep_link_survives_the_login(
    page: Page, flask_app, make_user, new_phone, sms_code
) -> None:
    phone = new_phone()
    make_user(phone=phone)
    page.goto("/#/jobs")
    expect(page).to_have_url(re.compile(r"#/login\?next=%2Fjobs$"))
    before = len(flask_app.extensions["sms"].sent)
    page.fill("#login-phone", phone)
    page.tap("#login-send")
    page.fill("#login-code", sms_code(phone, after=before))
    page.tap("#login-submit")
    expect(page).to_have_url(re.compile(r"#/jobs$"))
    expect(page.locator("#tabbar .weui-bar__item_on")).to_have_text("工作")


def test_logout_and_an_expired_session_both_lead_to_login(
    page: Page, context: BrowserContext, make_user, new_phone, login_with_code
) -> None:
    phone = new_phone()
    make_user(phone=phone)
    login_with_code(page, phone)

    context.clear_cookies()  # the server no longer knows this browser
    page.reload()  # the device's copy opens the shell, then GET /me answers 401
    expect(page.locator("#login-phone")).to_be_visible()
    expect(page.locator("#tabbar")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('fg.me')") is None

    login_with_code(page, phone)
    page.locator("#tabbar [data-tab='/me']").tap()
    page.get_by_test_id("logout").tap()
    page.locator(".app-dialog-ok").tap()  # "退出登录" in the confirm dialog
    expect(page.locator("#login-phone")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/login$"))
    assert page.evaluate("localStorage.getItem('fg.me')") is None


def test_logout_ends_the_session_on_the_server(
    page: Page, make_user, new_phone, login_with_code
) -> None:
    phone = new_phone()
    make_user(phone=phone)
    login_with_code(page, phone)
    page.locator("#tabbar [data-tab='/me']").tap()
    page.get_by_test_id("logout").tap()
    page.locator(".app-dialog-ok").tap()
    expect(page.locator("#login-phone")).to_be_visible()

    assert page.evaluate("fetch('/api/v1/me').then(r => r.status)") == 401
    page.reload()
    expect(page.locator("#login-phone")).to_be_visible()  # not signed in again by the cookie


def test_shell_opens_offline_after_the_first_visit(
    page: Page, context: BrowserContext, make_user, new_phone, login_with_code
) -> None:
    phone = new_phone()
    make_user(phone=phone)
    login_with_code(page, phone)
    wait_until_offline_ready(page)

    context.set_offline(True)
    page.reload()

    expect(page.get_by_test_id("greeting")).to_be_visible()
    assert tab_labels(page) == ["首页", "健康码", "工作", "我的"]
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    page.locator("#tabbar [data-tab='/me']").tap()  # a view not opened before: from the cache too
    expect(page.get_by_test_id("phone")).to_be_visible()
    assert page.evaluate("caches.match('/api/v1/me').then(r => r !== undefined)") is False

    context.set_offline(False)
    expect(page.get_by_test_id("offline-banner")).to_be_hidden()


def test_language_switch_changes_the_ui_and_persists(
    page: Page, flask_app, make_user, new_phone, login_with_code
) -> None:
    phone = new_phone()
    user = make_user(phone=phone)
    login_with_code(page, phone)

    page.locator("#tabbar [data-tab='/me']").tap()
    page.locator("label[lang='en']").tap()  # the radio itself is visually hidden (WeUI)

    expect(page.locator("#tabbar [data-tab='/me']")).to_have_text("Me")
    assert tab_labels(page) == ["Home", "Health code", "Jobs", "Me"]
    expect(page.locator("html")).to_have_attribute("lang", "en")
    save_screenshot(page, "me-en")

    page.reload()
    expect(page.locator("#tabbar [data-tab='/me']")).to_have_text("Me")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    from app.accounts.models import User
    from app.extensions import db

    with flask_app.app_context():
        assert db.session.get(User, user["id"]).locale == "en"  # saved with PATCH /api/v1/me

    page.locator("label[lang='zh-CN']").tap()
    expect(page.locator("#tabbar [data-tab='/me']")).to_have_text("我的")


def test_login_screen_language_switch_persists(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#login-submit")).to_have_text("登录")
    page.get_by_test_id("login-lang").tap()
    expect(page.locator("#login-submit")).to_have_text("Log in")
    expect(page.locator("#login-send")).to_have_text("Get code")
    save_screenshot(page, "login-en")
    page.reload()
    expect(page.locator("#login-submit")).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize(
    ("roles", "tabs"),
    [
        (("volunteer",), ["首页", "扫码", "我的"]),
        (("employer",), ["首页", "招聘", "我的"]),
        # officials review employers and postings under 招聘
        (("official",), ["首页", "招聘", "台账", "我的"]),
        (("worker", "volunteer"), ["首页", "健康码", "扫码", "工作", "我的"]),
        (
            ("worker", "volunteer", "employer", "official"),
            ["首页", "健康码", "扫码", "台账", "我的"],
        ),
    ],
)
def test_tab_bar_follows_the_roles(
    page: Page, make_user, new_phone, login_with_code, roles, tabs
) -> None:
    phone = new_phone()
    make_user(phone=phone, roles=roles)
    login_with_code(page, phone)
    assert tab_labels(page) == tabs
    save_screenshot(page, "home-" + "-".join(roles))


def test_new_service_worker_offers_an_update_and_takes_over_on_tap(
    page: Page, sw_override, make_user, new_phone, login_with_code
) -> None:
    phone = new_phone()
    make_user(phone=phone)
    login_with_code(page, phone)
    wait_until_offline_ready(page)
    page.reload()  # now controlled from the start, like any visit after the first
    expect(page.get_by_test_id("greeting")).to_be_visible()
    expect(page.locator("#update-prompt")).to_have_count(0)

    old = shell_cache_name()
    new = f"{old}-e2e-update"
    sw_override.text = SW_SOURCE.read_text().replace(
        f"const VERSION = '{old.removeprefix('shell-')}'",
        f"const VERSION = '{new.removeprefix('shell-')}'",
    )
    assert new.removeprefix("shell-") in sw_override.text
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")

    prompt = page.locator("#update-prompt")
    expect(prompt).to_have_text("发现新版本，点击更新")
    with page.expect_event("load"):
        prompt.tap()  # skipWaiting → controllerchange → one reload

    expect(page.get_by_test_id("greeting")).to_be_visible()
    expect(page.locator("#update-prompt")).to_have_count(0)
    wait_until(page, "name => caches.has(name)", new)
    assert page.evaluate("caches.keys()") == [new]  # the old shell cache is gone

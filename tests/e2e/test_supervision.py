"""At phone size: a worker files a complaint with a photo in two taps, the township official
closes it, and the worker sees it closed (and is texted)."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.e2e


def photo_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (29.0, 2.0, 3.0), 3: "E", 4: (111.0, 41.0, 0.0)}
    Image.new("RGB", (800, 600), (200, 60, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def gate(flask_app) -> dict:
    """A checkpoint in a Wuling village, and that village's township."""
    from tests.checkpoints.factories import make_checkpoint
    from tests.factories import township_of, village_in

    with flask_app.app_context():
        village = village_in("430702")
        checkpoint = make_checkpoint(name="桃花村东口卡点", village_code=village)
        return {"id": checkpoint.id, "name": checkpoint.name, "township": township_of(village)}


def test_a_complaint_with_a_photo_is_closed_by_the_township_and_the_worker_sees_it(
    page: Page,
    browser,
    browser_context_args,
    flask_app,
    gate,
    make_user,
    new_phone,
    login_with_code,
    console_errors,
) -> None:
    worker_phone, official_phone = new_phone(), new_phone()
    make_user(phone=worker_phone, roles=("worker",), name="刘建国", region_code="430702")
    make_user(phone=official_phone, roles=("official",), region_code=gate["township"])

    # The worker: home → 被拦截投诉 (tap 1), a photo, 提交投诉 (tap 2).
    login_with_code(page, worker_phone)
    page.get_by_text("被拦截投诉", exact=True).first.tap()
    place = page.get_by_test_id("complain-place")
    expect(place.locator("option:checked")).to_contain_text(gate["name"])
    page.get_by_test_id("complain-photo").set_input_files(
        {"name": "gate.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}
    )
    page.get_by_test_id("complain-submit").tap()
    item = page.get_by_test_id("complaint-item").first
    expect(item).to_contain_text(gate["name"])
    expect(item.get_by_test_id("complaint-state")).to_have_text("已受理")
    expect(item.locator(".sv-photos img")).to_have_count(1)

    # The township official, on another phone: the case, its photo, close it.
    official = browser.new_context(**browser_context_args)
    try:
        desk = official.new_page()
        login_with_code(desk, official_phone)
        desk.evaluate("location.hash = '#/supervision/cases'")
        desk.get_by_test_id("case-item").filter(has_text=gate["name"]).first.tap()
        expect(desk.get_by_test_id("case-complaint")).to_contain_text("刘*国")
        photo = desk.get_by_test_id("case-photo")
        expect(photo).to_have_count(1)
        natural = "() => document.querySelector('[data-testid=case-photo]').naturalWidth"
        wait_until(desk, natural)  # the photo is served to the official, and decodes
        assert desk.evaluate(natural) == 800
        before = len(flask_app.extensions["sms"].sent)
        desk.get_by_test_id("case-resolution").fill("已电话责令村委会改正，绿码一律放行。")
        desk.get_by_test_id("case-close").tap()
        expect(desk.get_by_test_id("case-state")).to_have_text("已办结")
    finally:
        official.close()
    texts = [m for to, m in flask_app.extensions["sms"].sent[before:] if to == worker_phone]
    assert texts and "已电话责令村委会改正" in texts[0]

    # The worker sees it closed, with the resolution.
    page.reload()
    item = page.get_by_test_id("complaint-item").first
    expect(item.get_by_test_id("complaint-state")).to_have_text("已办结")
    expect(item.get_by_test_id("complaint-resolution")).to_contain_text("绿码一律放行")
    assert [e for e in console_errors if "Failed to load resource" not in e] == []


def test_a_gate_lookup_answers_online_and_says_offline_that_it_needs_the_network(
    page: Page, flask_app, gate, make_user, new_phone, login_with_code, console_errors
) -> None:
    from app.accounts.identity import id_check_char

    number = "43070219850606123" + id_check_char("43070219850606123")
    volunteer_phone = new_phone()
    with flask_app.app_context():
        from app.extensions import db
        from tests.checkpoints.factories import assign
        from tests.factories import make_user as factory
        from tests.factories import village_in
        from tests.intents.factories import declare_health

        villager = factory(roles=("worker",), name="王秀兰", id_number=number, region_code="430702")
        declare_health(villager, village_in("430702"))
        volunteer = factory(phone=volunteer_phone, roles=("volunteer",), region_code="430702")
        from app.checkpoints.models import Checkpoint

        assign(volunteer, db.session.get(Checkpoint, gate["id"]))

    login_with_code(page, volunteer_phone)
    page.evaluate("location.hash = '#/gate-lookup'")
    page.get_by_test_id("lookup-id").fill(number)
    page.get_by_test_id("lookup-submit").tap()
    answer = page.get_by_test_id("lookup-answer")
    expect(answer).to_have_attribute("data-status", "green")
    expect(answer).to_contain_text("王*兰")
    expect(page.get_by_test_id("lookup-id")).to_have_value("")  # not kept on the phone

    page.context.set_offline(True)
    expect(page.get_by_test_id("lookup-offline")).to_contain_text("查询需要联网")
    expect(page.get_by_test_id("lookup-submit")).to_be_disabled()
    page.context.set_offline(False)
    expect(page.get_by_test_id("lookup-offline")).to_have_count(0)
    assert [e for e in console_errors if "Failed to load resource" not in e] == []

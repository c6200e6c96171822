"""A whole point-to-point trip at phone size: the employer's request, the county's approval,
a vehicle and seats, boarding scanned offline at the bus door and synced once, departure, the
handover on arrival, and the worker's record showing every step."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.e2e

SW_SOURCE = Path(__file__).resolve().parents[2] / "pwa" / "sw.js"


@pytest.fixture
def cast(flask_app, new_phone) -> dict:
    """An employer of 武陵区 with 51 workers on its roster (the first declared green, with a
    phone card), an official of 武陵区, and an escort."""
    from decimal import Decimal

    from app.cards import services as cards
    from app.employers.services import admit_worker
    from app.extensions import db
    from app.regions.services import villages
    from tests.employers.factories import make_employer, owner_of
    from tests.factories import make_user
    from tests.transport.factories import make_workers

    with flask_app.app_context():
        owner = make_user(phone=new_phone())
        employer = make_employer(owner=owner)
        worker = make_user(phone=new_phone(), name="张小三")
        cards.declare(
            worker,
            cards.Declaration(
                temperature=Decimal("36.5"),
                symptoms=["none"],
                case_contact=False,
                hubei_exposure_date=None,
                current_village_code=villages("430702")[0].code,
            ),
        )
        card = cards.current_card(worker)
        admit_worker(employer, worker, on=date.today(), source="manual")
        db.session.commit()
        make_workers(employer, 50)
        official = make_user(roles=("official",), region_code="430702", phone=new_phone())
        escort = make_user(phone=new_phone())
        db.session.commit()
        return {
            "employer": owner_of(employer).phone,
            "worker": worker.phone,
            "worker_id": worker.id,
            "qr": card.qr_text,
            "official": official.phone,
            "escort": escort.phone,
        }


def boarding_rows(flask_app) -> list:
    from sqlalchemy import select

    from app.extensions import db
    from app.transport.models import BoardingScan

    with flask_app.app_context():
        return [(s.decision, str(s.temperature)) for s in db.session.scalars(select(BoardingScan))]


def test_a_whole_trip_from_request_to_the_worker_s_record(
    camera_browser, browser_context_args, base_url, flask_app, cast, login_with_code, show_to_camera
) -> None:
    def phone(user: str) -> tuple[object, Page]:
        context = camera_browser.new_context(
            **{**browser_context_args, "base_url": base_url, "permissions": ["camera"]}
        )
        page = context.new_page()
        login_with_code(page, cast[user])
        return context, page

    # The employer asks for the batch: 51 workers from 深圳市宝安区.
    _, employer = phone("employer")
    employer.evaluate("location.hash = '#/transport/new'")
    employer.fill("#tp-origin", "440306")
    employer.locator("#tp-pick-all").tap()
    expect(employer.get_by_test_id("tp-picked")).to_contain_text("已选 51 人")
    employer.locator("#tp-submit").tap()
    expect(employer.get_by_test_id("tp-state")).to_have_text("待审核")
    request_url = employer.url

    # 武陵区's official approves it.
    _, official = phone("official")
    official.evaluate("location.hash = '#/transport'")
    official.locator("[data-request]").first.tap()
    official.locator("#tp-approve").tap()
    expect(official.get_by_test_id("tp-state")).to_have_text("已批准")

    # The employer plans a 53-seat coach with an escort and no medic: 21 passenger seats.
    employer.reload()
    employer.locator("#tp-plan").tap()
    employer.fill("#tp-plate", "湘J12345")
    employer.fill("#tp-driver_name", "刘师傅")
    employer.fill("#tp-driver_phone", "13711112222")
    employer.fill("#tp-escort_phone", cast["escort"])
    employer.fill("#tp-departure_place", "深圳市宝安区西乡汽车站")
    employer.locator("#tp-trip-submit").tap()
    trip = employer.locator("[data-trip]").first
    expect(trip).to_contain_text("乘客 21/21")

    # The escort opens the door scanner online (list and trust material onto the phone)...
    escort_context, escort = phone("escort")
    escort.evaluate("location.hash = '#/transport/mine'")
    escort.locator("[data-crew-trip]").first.tap()
    escort.locator("#tp-board").tap()
    expect(escort.get_by_test_id("tp-door-count")).to_have_text("已上车 0/21")
    expect(escort.get_by_test_id("tp-trust")).to_have_attribute("data-ready", "yes", timeout=10_000)
    version = re.search(r"const VERSION = '([^']+)'", SW_SOURCE.read_text()).group(1)
    wait_until(escort, "navigator.serviceWorker.controller !== null")
    wait_until(escort, "name => caches.has(name)", f"shell-{version}")

    # ... and scans the worker's card at the bus door with no signal.
    escort_context.set_offline(True)
    show_to_camera(cast["qr"])
    escort.locator("#tp-camera").tap()
    door = escort.get_by_test_id("tp-door")
    expect(door).to_have_attribute("data-verdict", "green", timeout=10_000)
    expect(escort.get_by_test_id("tp-door-passenger")).to_contain_text("张*三")
    escort.fill("#tp-temperature", "36.6")
    escort.locator("#tp-door-board").tap()
    expect(escort.get_by_test_id("tp-outbox")).to_have_text("1")
    expect(escort.get_by_test_id("tp-door-count")).to_have_text("已上车 1/21")
    show_to_camera()
    assert boarding_rows(flask_app) == []

    escort_context.set_offline(False)  # signal again: the outbox uploads, once
    expect(escort.get_by_test_id("tp-outbox")).to_have_text("0", timeout=15_000)
    assert boarding_rows(flask_app) == [("board", "36.6")]

    # The coach leaves; the others did not show up.
    escort.evaluate("location.hash = '#/transport/mine'")
    escort.locator("[data-crew-trip]").first.tap()
    escort.locator("#tp-depart").tap()
    escort.locator(".app-dialog-ok").tap()
    expect(escort.get_by_test_id("tp-trip-state")).to_have_text("在途")

    # On arrival the employer confirms the handover.
    employer.goto(request_url)
    employer.reload()
    employer.locator("[data-trip]").first.tap()
    expect(employer.get_by_test_id("tp-arrived")).to_be_checked()
    employer.locator("#tp-handover").tap()
    expect(employer.get_by_test_id("tp-trip-state")).to_have_text("已交接")
    assert boarding_rows(flask_app) == [("board", "36.6")]  # still one scan

    # The worker's record shows every step, door to factory.
    _, worker = phone("worker")
    worker.evaluate("location.hash = '#/transport/mine'")
    expect(worker.get_by_test_id("tp-my-seat")).to_contain_text("湘J12345")
    worker.get_by_test_id("tp-timeline-link").tap()
    timeline = worker.get_by_test_id("tp-timeline")
    expect(timeline.locator('[data-kind="arrival"]')).to_contain_text("到达并完成交接")
    kinds = timeline.locator("[data-kind]").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["card", "batch", "batch", "seat", "boarding", "departure", "arrival"]
    expect(timeline.locator('[data-kind="boarding"]')).to_contain_text("36.6")

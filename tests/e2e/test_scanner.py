"""The volunteer's scanner in headless Chromium with a fake camera filming QR codes:
our green card, an EU DCC vector, a tampered card, and a scan made offline."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from pathlib import Path

import cbor2
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.e2e

COUNTY = "430702"
SW_SOURCE = Path(__file__).resolve().parents[2] / "pwa" / "sw.js"
DCC_VECTOR = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "dcc" / "DE" / "2DCode"
DCC_VECTOR = DCC_VECTOR / "raw" / "1.json"  # "VALID: EC 256 key"


@pytest.fixture(scope="module")
def site(flask_app) -> dict:
    """A signing key, the demo villages of 武陵区, a checkpoint at one of them."""
    from app.cards.signing import ensure_signer
    from app.checkpoints.models import Checkpoint
    from app.extensions import db
    from app.regions.services import load_demo_townships, villages
    from app.timeutil import utcnow

    with flask_app.app_context():
        ensure_signer()
        load_demo_townships()
        village = villages(COUNTY)[0].code
        checkpoint = Checkpoint(
            name="新民村东口卡点",
            village_code=village,
            active=True,
            place_code_version=1,
            created_dt=utcnow(),
        )
        db.session.add(checkpoint)
        db.session.commit()
        return {"village": village, "checkpoint_id": checkpoint.id}


@pytest.fixture
def volunteer(flask_app, site, new_phone) -> dict:
    """A volunteer at the checkpoint (a fresh phone number each test)."""
    from app.checkpoints.models import CheckpointVolunteer
    from app.extensions import db
    from tests.factories import make_user

    with flask_app.app_context():
        user = make_user(roles=("volunteer",), phone=new_phone())
        db.session.add(CheckpointVolunteer(checkpoint_id=site["checkpoint_id"], user_id=user.id))
        db.session.commit()
        return {"id": user.id, "phone": user.phone}


def issue_card(flask_app, site, new_phone, *, temperature: str = "36.5") -> dict:
    """A worker declares health and gets a phone card: its QR text, masked name, ID tail."""
    from decimal import Decimal

    from app.cards import services
    from app.extensions import db
    from tests.factories import make_user

    with flask_app.app_context():
        worker = make_user(roles=("worker",), phone=new_phone(), name="张小三")
        declaration = services.Declaration(
            temperature=Decimal(temperature),
            symptoms=["none"],
            case_contact=False,
            hubei_exposure_date=None,
            current_village_code=site["village"],
        )
        services.declare(worker, declaration)
        card = services.current_card(worker)
        db.session.commit()
        return {
            "qr": card.qr_text,
            "name": card.name_masked,
            "id_last4": card.id_last4,
            "phone": worker.phone,
            "user_id": worker.id,
        }


def open_scanner(page: Page, login_with_code, phone: str) -> None:
    login_with_code(page, phone)
    page.evaluate("location.hash = '#/scan'")
    expect(page.get_by_test_id("scan-checkpoint")).to_contain_text("新民村东口卡点")


def scans_of(flask_app, volunteer_id: int) -> list:
    from sqlalchemy import select

    from app.checkpoints.models import CheckpointScan
    from app.extensions import db

    with flask_app.app_context():
        rows = db.session.scalars(
            select(CheckpointScan).where(CheckpointScan.volunteer_id == volunteer_id)
        ).all()
        return [(r.valid, r.reason, r.status, r.decision, r.trust_stale) for r in rows]


def test_our_green_card_gives_a_green_verdict_within_300_ms(
    camera_page: Page, flask_app, site, volunteer, new_phone, login_with_code, show_to_camera
) -> None:
    card = issue_card(flask_app, site, new_phone)
    show_to_camera(card["qr"])
    open_scanner(camera_page, login_with_code, volunteer["phone"])
    expect(camera_page.get_by_test_id("trust-age")).to_contain_text("信任列表更新于")

    verdict = camera_page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "green", timeout=10_000)
    expect(camera_page.get_by_test_id("verdict-title")).to_have_text("绿码")
    expect(camera_page.get_by_test_id("verdict-name")).to_have_text(card["name"])
    expect(camera_page.get_by_test_id("verdict-id")).to_have_text(card["id_last4"])
    expect(verdict).to_contain_text("本机离线核验")
    assert float(verdict.get_attribute("data-verify-ms")) < 300

    camera_page.locator("#verdict-admit").tap()
    expect(verdict).to_be_hidden()
    expect(camera_page.get_by_test_id("outbox-pending")).to_have_text("0", timeout=10_000)
    assert scans_of(flask_app, volunteer["id"]) == [(True, "ok", "green", "admit", False)]


def test_an_eu_dcc_vector_verifies_once_its_issuer_is_trusted(
    camera_page: Page, flask_app, site, volunteer, login_with_code, show_to_camera
) -> None:
    from app.cards.trusted_issuers import add_issuer
    from app.credentials.timeutil import parse_time
    from app.errors import Conflict
    from app.extensions import db

    vector = json.loads(DCC_VECTOR.read_text())
    with flask_app.app_context():
        try:
            add_issuer(
                base64.b64decode(vector["TESTCTX"]["CERTIFICATE"]), region_code="DE", name="DE DSC"
            )
            db.session.commit()
        except Conflict:
            db.session.rollback()  # already trusted by an earlier run in this session
    png = Image.open(io.BytesIO(base64.b64decode(vector["2DCODE"])))
    show_to_camera(image=png)
    # The vector is only valid on its validation clock (2021): the page's clock says so.
    camera_page.clock.set_fixed_time(parse_time(vector["TESTCTX"]["VALIDATIONCLOCK"]))
    open_scanner(camera_page, login_with_code, volunteer["phone"])

    verdict = camera_page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "certificate", timeout=15_000)
    expect(camera_page.get_by_test_id("verdict-title")).to_have_text("健康证明有效")
    expect(camera_page.get_by_test_id("verdict-issuer")).to_contain_text("DE")
    expect(verdict).to_contain_text("本机离线核验")


def test_an_eu_certificate_breaking_its_schema_says_which_field_and_rule(
    camera_page: Page, flask_app, site, volunteer, login_with_code, show_to_camera
) -> None:
    """A genuine issuer's certificate with a dose number of 0: refused on the device, with
    the field and the rule of the DCC schema in the volunteer's language."""
    import zlib

    import cbor2

    from app.cards.trusted_issuers import add_issuer
    from app.credentials import base45, generate_signer
    from app.credentials.cose import encode_sign1
    from app.extensions import db
    from app.timeutil import utcnow

    dsc = generate_signer("Testland DSC")
    with flask_app.app_context():
        add_issuer(dsc.certificate_der, region_code="DE", name="Testland")
        db.session.commit()
    dose = {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215"}
    dose |= {"dn": 0, "sd": 2, "dt": "2020-02-01", "co": "DE", "is": "RKI", "ci": "URN:UVCI:9"}
    hcert = {"ver": "1.3.0", "nam": {"fnt": "MUSTER"}, "dob": "1964-08-12", "v": [dose]}
    now = int(utcnow().timestamp())
    claims = {1: "DE", 6: now - 60, 4: now + 86400, -260: {1: hcert}}
    message = encode_sign1(cbor2.dumps(claims), dsc.private_key, dsc.kid)
    show_to_camera("HC1:" + base45.encode(zlib.compress(message)))
    open_scanner(camera_page, login_with_code, volunteer["phone"])

    verdict = camera_page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "invalid", timeout=15_000)
    expect(camera_page.get_by_test_id("verdict-reason")).to_contain_text("证明内容不合规范")
    expect(camera_page.get_by_test_id("verdict-schema")).to_have_text(
        "字段 v[0].dn：数值过小（DCC 结构 1.3.0）"
    )
    expect(camera_page.get_by_test_id("verdict-title")).to_have_text("无法识别")


def test_a_tampered_card_gives_the_invalid_screen(
    camera_page: Page, flask_app, site, volunteer, new_phone, login_with_code, show_to_camera
) -> None:
    from app.credentials import base45

    red = issue_card(flask_app, site, new_phone, temperature="38.2")
    # Turn the red card green without the key: the claims change, the signature does not.
    tag = cbor2.loads(base45.decode(red["qr"][4:]))
    protected, unprotected, payload, signature = tag.value
    claims = cbor2.loads(payload)
    assert claims[-65537][2] == 3  # red
    claims[-65537][2] = 1  # green
    forged = cbor2.dumps(
        cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    )
    show_to_camera("FG1:" + base45.encode(forged))
    open_scanner(camera_page, login_with_code, volunteer["phone"])

    verdict = camera_page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "invalid", timeout=10_000)
    expect(camera_page.get_by_test_id("verdict-title")).to_have_text("伪造")
    expect(camera_page.get_by_test_id("verdict-reason")).to_contain_text("签名无效")
    expect(camera_page.locator("[data-testid='verdict-name']")).to_have_count(0)

    camera_page.locator("#verdict-refuse").tap()
    camera_page.locator("label.app-refusal__reason", has_text="健康码无效或伪造").tap()
    camera_page.locator("#refusal-confirm").tap()
    expect(verdict).to_be_hidden()  # the decision is in the outbox now
    expect(camera_page.get_by_test_id("outbox-pending")).to_have_text("0", timeout=10_000)
    assert scans_of(flask_app, volunteer["id"]) == [(False, "bad_signature", None, "refuse", False)]


def test_offline_scan_is_queued_survives_a_reload_and_uploads_once(
    camera_page: Page,
    camera_context,
    flask_app,
    site,
    volunteer,
    new_phone,
    login_with_code,
    show_to_camera,
) -> None:
    card = issue_card(flask_app, site, new_phone)
    show_to_camera()  # nothing in front of the camera yet
    open_scanner(camera_page, login_with_code, volunteer["phone"])
    expect(camera_page.get_by_test_id("trust-age")).to_have_attribute("data-level", "fresh")
    version = re.search(r"const VERSION = '([^']+)'", SW_SOURCE.read_text()).group(1)
    wait_until(camera_page, "navigator.serviceWorker.controller !== null")
    wait_until(camera_page, "name => caches.has(name)", f"shell-{version}")

    camera_context.set_offline(True)
    show_to_camera(card["qr"])
    camera_page.evaluate("location.hash = '#/home'")
    camera_page.evaluate("location.hash = '#/scan'")  # the camera starts again: the card
    verdict = camera_page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "green", timeout=10_000)
    expect(verdict).to_contain_text("本机离线核验")
    camera_page.locator("#verdict-admit").tap()
    pending = camera_page.get_by_test_id("outbox-pending")
    expect(pending).to_have_text("2")  # the scan and the decision
    assert scans_of(flask_app, volunteer["id"]) == []

    show_to_camera()  # the queue has moved on
    camera_page.reload()  # the app is closed and opened again, still offline
    expect(pending).to_have_text("2")
    assert scans_of(flask_app, volunteer["id"]) == []

    camera_context.set_offline(False)
    expect(pending).to_have_text("0", timeout=15_000)
    assert scans_of(flask_app, volunteer["id"]) == [(True, "ok", "green", "admit", False)]


def test_a_worker_checks_in_from_a_poster_and_shows_a_live_pass(
    camera_page: Page, flask_app, site, new_phone, login_with_code, show_to_camera, base_url
) -> None:
    from sqlalchemy import select

    from app.checkpoints.models import Checkpoint, CheckpointCheckIn
    from app.checkpoints.placecode import place_code_url
    from app.checkpoints.services import place_code_token
    from app.extensions import db

    worker = issue_card(flask_app, site, new_phone)  # a worker with a green card
    with flask_app.app_context():
        checkpoint = db.session.get(Checkpoint, site["checkpoint_id"])
        url = place_code_url(place_code_token(checkpoint), base_url)
    show_to_camera(url)
    login_with_code(camera_page, worker["phone"])
    camera_page.evaluate("location.hash = '#/checkin'")  # 扫卡点码签到: the camera starts

    expect(camera_page.get_by_test_id("pass-checkpoint")).to_have_text("新民村东口卡点")
    expect(camera_page.get_by_test_id("pass-colour")).to_have_attribute("data-status", "green")
    expect(camera_page.get_by_test_id("pass-state")).to_have_text("✓ 签到已记录")
    clock = camera_page.get_by_test_id("pass-clock")
    first = clock.inner_text()
    expect(clock).not_to_have_text(first)  # a live clock, not a picture
    with flask_app.app_context():
        rows = db.session.execute(
            select(CheckpointCheckIn.checkpoint_id, CheckpointCheckIn.status).where(
                CheckpointCheckIn.user_id == worker["user_id"]
            )
        ).all()
    assert [tuple(row) for row in rows] == [(site["checkpoint_id"], "green")]


FAKE_BARCODE_DETECTOR = """
self.__detections = 0;
self.BarcodeDetector = class {
  static async getSupportedFormats() { return ['ean_13', 'qr_code']; }
  constructor(options) { this.formats = options.formats; }
  async detect(source) {
    if (!(source instanceof HTMLVideoElement) || !this.formats.includes('qr_code')) return [];
    self.__detections += 1;
    return [{ format: 'qr_code', rawValue: %s }];
  }
};
"""


def test_the_browsers_own_barcode_detector_is_used_where_there_is_one(
    camera_page: Page, flask_app, site, volunteer, new_phone, login_with_code, show_to_camera
) -> None:
    """Android Chrome has BarcodeDetector (headless Linux Chromium has none): a stand-in that
    reads the card off the video element proves the scanner prefers it and skips jsQR."""
    card = issue_card(flask_app, site, new_phone)
    show_to_camera()  # the stand-in "reads" the card; the camera itself films grey
    camera_page.add_init_script(script=FAKE_BARCODE_DETECTOR % json.dumps(card["qr"]))
    open_scanner(camera_page, login_with_code, volunteer["phone"])

    verdict = camera_page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "green", timeout=10_000)
    expect(verdict).to_have_attribute("data-decoder", "native")
    assert camera_page.evaluate("self.__detections") >= 1
    assert camera_page.evaluate("typeof self.jsQR") == "undefined"  # never downloaded


def test_past_the_refuse_age_a_green_card_is_not_shown_green_offline(
    camera_page: Page,
    camera_context,
    flask_app,
    site,
    volunteer,
    new_phone,
    login_with_code,
    show_to_camera,
) -> None:
    from app.checkpoints.services import scanner_settings

    card = issue_card(flask_app, site, new_phone)
    with flask_app.app_context():
        refuse_hours = scanner_settings()["trust_refuse_hours"]
    show_to_camera()
    open_scanner(camera_page, login_with_code, volunteer["phone"])
    expect(camera_page.get_by_test_id("trust-age")).to_have_attribute("data-level", "fresh")
    wait_until(camera_page, "navigator.serviceWorker.controller !== null")
    # The phone last reached the server just over `refuse_hours` ago.
    camera_page.evaluate(
        """hours => new Promise((resolve, reject) => {
          const open = indexedDB.open('fangang-scanner');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('trust', 'readwrite');
            tx.objectStore('trust').put(Date.now() - (hours * 3600 + 60) * 1000, 'fetchedAt');
            tx.oncomplete = () => { open.result.close(); resolve(); };
            tx.onerror = () => reject(tx.error);
          };
        })""",
        refuse_hours,
    )
    camera_context.set_offline(True)
    show_to_camera(card["qr"])
    camera_page.reload()  # offline: the lists come from the device only

    trust_age = camera_page.get_by_test_id("trust-age")
    expect(trust_age).to_have_attribute("data-level", "stale", timeout=10_000)
    expect(trust_age).to_contain_text("离线时不显示绿码")
    verdict = camera_page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "stale", timeout=10_000)
    expect(camera_page.get_by_test_id("verdict-title")).to_have_text("需联网更新")
    expect(camera_page.get_by_test_id("verdict-name")).to_have_text(card["name"])
    camera_page.locator("#verdict-admit").tap()  # the volunteer's call, on the masked name
    show_to_camera()  # the queue has moved on
    camera_page.evaluate("location.hash = '#/home'")
    camera_page.evaluate("location.hash = '#/scan'")

    camera_context.set_offline(False)  # the scan reaches the server marked as seen on old lists
    expect(camera_page.get_by_test_id("outbox-pending")).to_have_text("0", timeout=15_000)
    assert scans_of(flask_app, volunteer["id"]) == [(True, "ok", "green", "admit", True)]
    # Back online, the lists are fetched again and the age line is fresh.
    expect(trust_age).to_have_attribute("data-level", "fresh", timeout=10_000)


def test_with_the_app_closed_background_sync_uploads_the_outbox_once(
    camera_page: Page,
    camera_context,
    flask_app,
    site,
    volunteer,
    new_phone,
    login_with_code,
    show_to_camera,
) -> None:
    """Only the service worker is left when the network returns: its 'sync' handler uploads."""
    card = issue_card(flask_app, site, new_phone)
    show_to_camera()
    open_scanner(camera_page, login_with_code, volunteer["phone"])
    wait_until(camera_page, "navigator.serviceWorker.controller !== null")
    camera_context.set_offline(True)
    show_to_camera(card["qr"])
    camera_page.evaluate("location.hash = '#/home'")
    camera_page.evaluate("location.hash = '#/scan'")
    expect(camera_page.get_by_test_id("verdict")).to_have_attribute(
        "data-verdict", "green", timeout=10_000
    )
    camera_page.locator("#verdict-admit").tap()
    expect(camera_page.get_by_test_id("outbox-pending")).to_have_text("2")
    tags = camera_page.evaluate(
        "navigator.serviceWorker.ready.then(r => r.sync ? r.sync.getTags() : null)"
    )
    assert tags == ["fangang-outbox"]  # asked for while offline

    blank = camera_context.new_page()  # about:blank: none of the app's code runs here
    camera_page.close()  # the volunteer swipes the app away
    assert scans_of(flask_app, volunteer["id"]) == []
    camera_context.set_offline(False)  # the network returns: Chromium fires the 'sync' event
    deadline = time.monotonic() + 15
    while not scans_of(flask_app, volunteer["id"]) and time.monotonic() < deadline:
        blank.wait_for_timeout(100)
    blank.wait_for_timeout(500)  # a doubled upload would land by now
    assert scans_of(flask_app, volunteer["id"]) == [(True, "ok", "green", "admit", False)]

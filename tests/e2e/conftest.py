"""Browser tests: the real app on a live server in a thread, driven by Debian's headless Chromium.

See shared/e2e-browser-recipe.md. Never `playwright install`: Playwright drives /usr/bin/chromium
(`make browser` installs it). Without Chromium the tests skip on a developer machine and FAIL in CI
(CI=true), so a missing browser can never turn CI green by itself.

Each test gets a fresh browser context (new service worker, caches, storage); the server and its
SQLite file database live for the whole session, so tests make their own users with distinct phones.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PHONE_VIEWPORT = {"width": 390, "height": 844}
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """No Chromium: skip the browser tests locally, with the fix in the message; never in CI."""
    if Path(CHROMIUM).exists() or IN_CI:
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} not found: run `make browser` "
        "(apt-get install -y chromium chromium-driver); never `playwright install`"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _require_chromium_in_ci() -> None:
    if IN_CI and not Path(CHROMIUM).exists():
        pytest.fail(f"CI needs {CHROMIUM} for the browser tests: apt-get install -y chromium")


@pytest.fixture(scope="session")
def camera_args() -> list[str]:
    """Extra Chromium flags; the camera issue overrides this with the fake-camera flags, e.g.
    ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
     f"--use-file-for-fake-video-capture={video}"] (a 4:2:0 .y4m made from a QR; see the recipe)."""
    return []


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, camera_args: list[str]) -> dict:
    """Overrides pytest-playwright: Debian's Chromium, headless, with our flags."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS + camera_args,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Every page is a phone: 390x844, touch, mobile viewport, Chinese browser."""
    return {
        **browser_context_args,
        "viewport": PHONE_VIEWPORT,
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }


@pytest.fixture(scope="session")
def flask_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The real app on a temporary SQLite file (shared by the server threads), schema migrated."""
    from app import create_app
    from app.database import create_schema
    from app.extensions import db
    from app.regions.services import load_reference_regions

    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.db'}",
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,  # the live server is plain http on 127.0.0.1
            "REMEMBER_COOKIE_SECURE": False,
            "KEYS_DIR": str(folder / "keys"),
        },
        instance_path=str(folder / "instance"),
    )
    create_schema(app)
    with app.app_context():
        from app.cards.signing import ensure_signer
        from app.regions.services import load_demo_townships

        load_reference_regions()
        load_demo_townships()
        db.session.commit()
        ensure_signer()  # cards need a signer, as `make run` makes one
    yield app
    with app.app_context():
        db.engine.dispose()


class ServiceWorkerOverride:
    """WSGI wrapper: serves `text` as /sw.js while set (to test the update prompt), else the app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.text: str | None = None

    def __call__(self, environ: dict, start_response: Callable) -> object:
        if self.text is not None and environ.get("PATH_INFO") == "/sw.js":
            body = self.text.encode()
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/javascript; charset=utf-8"),
                    ("Cache-Control", "no-cache"),
                    ("Content-Length", str(len(body))),
                ],
            )
            return [body]
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _served(flask_app: Flask) -> ServiceWorkerOverride:
    return ServiceWorkerOverride(flask_app)


@pytest.fixture
def sw_override(_served: ServiceWorkerOverride) -> Iterator[ServiceWorkerOverride]:
    """Set `.text` to serve another /sw.js; reset after the test."""
    yield _served
    _served.text = None


@pytest.fixture(scope="session")
def live_server(_served: ServiceWorkerOverride) -> Iterator[str]:
    """The app on 127.0.0.1, random port, in a daemon thread."""
    server = make_server("127.0.0.1", 0, _served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Overrides pytest-base-url, so page.goto("/") reaches the live server."""
    return live_server


@pytest.fixture
def make_user(flask_app: Flask) -> Callable[..., object]:
    """make_user(phone=..., roles=(...), name=...) committed in the e2e database."""
    from tests.factories import make_user as factory

    def _make(**kwargs: object) -> object:
        with flask_app.app_context():
            user = factory(**kwargs)
            return {"id": user.id, "phone": user.phone}

    return _make


_phone_counter = iter(range(1, 10_000))


@pytest.fixture
def new_phone() -> Callable[[], str]:
    """A phone number no other e2e test has used (the OTP resend rule is per number)."""
    return lambda: f"1370000{next(_phone_counter):04d}"


def wait_for_code(flask_app: Flask, phone: str, *, after: int, timeout: float = 5.0) -> str:
    """The 6-digit code of the first SMS to `phone` sent after index `after` of the outbox."""
    sms = flask_app.extensions["sms"]  # the console backend keeps (phone, message) tuples
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for to, message in sms.sent[after:]:
            match = CODE_RE.search(message)
            if to == phone and match:
                return match.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no SMS code for {phone} within {timeout} s")


@pytest.fixture
def sms_code(flask_app: Flask) -> Callable[..., str]:
    """sms_code(phone, after=n): wait for the code texted to `phone` after outbox entry n."""
    return lambda phone, after=0: wait_for_code(flask_app, phone, after=after)


@pytest.fixture
def login_with_code(flask_app: Flask) -> Callable[..., None]:
    """Drive the login screen: phone, "get code", the code from the SMS outbox, log in."""
    from playwright.sync_api import Page, expect

    def _login(page: Page, phone: str) -> None:
        page.goto("/")
        expect(page.locator("#login-phone")).to_be_visible()
        before = len(flask_app.extensions["sms"].sent)
        page.fill("#login-phone", phone)
        page.tap("#login-send")
        code = wait_for_code(flask_app, phone, after=before)
        page.fill("#login-code", code)
        page.tap("#login-submit")
        expect(page.get_by_test_id("greeting")).to_be_visible()

    return _login


@pytest.fixture
def console_errors(page: object) -> list[str]:
    """Console errors and page errors (a CSP violation is one) seen during the test."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


# -- the checkpoint scanner's fake camera (added for the camera issue) -----------------------
# Chromium reads --use-file-for-fake-video-capture again at every getUserMedia, so one browser
# with one camera file serves every scanner test: write the frame, then (re)start the camera.


def qr_frame(text: str | None = None, image: object | None = None) -> object:
    """A 640x480 grey frame with a QR (from `text`, or a given PIL image) in the middle."""
    import qrcode
    from PIL import Image

    frame = Image.new("RGB", (640, 480), (128, 128, 128))
    code = image if image is not None else qrcode.make(text, border=2) if text else None
    if code is not None:
        code = code.convert("RGB")
        code.thumbnail((440, 440))
        frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    return frame


def write_y4m(image: object, path: Path) -> None:
    """One 4:2:0 Y4M frame (Chromium refuses 4:4:4 and grey; see the recipe, gotcha 4)."""
    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    planes = (
        y.tobytes()
        + cb.resize((width // 2, height // 2)).tobytes()
        + cr.resize((width // 2, height // 2)).tobytes()
    )
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(header + b"FRAME\n" + planes)
    tmp.replace(path)  # never let Chromium read a half-written file


@pytest.fixture(scope="session")
def fake_camera_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("camera") / "camera.y4m"
    write_y4m(qr_frame(), path)
    return path


@pytest.fixture
def show_to_camera(fake_camera_file: Path) -> Callable[..., None]:
    """show_to_camera(text=...) or show_to_camera(image=PIL image) or show_to_camera():
    what the fake camera films from its next start on (blank grey without arguments)."""

    def _show(text: str | None = None, image: object | None = None) -> None:
        write_y4m(qr_frame(text, image), fake_camera_file)

    yield _show
    write_y4m(qr_frame(), fake_camera_file)


@pytest.fixture(scope="session")
def camera_browser(playwright: object, fake_camera_file: Path) -> Iterator[object]:
    """A second Chromium whose camera is the fake camera file (the default browser has none)."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS
        + [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_camera_file}",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def camera_context(
    camera_browser: object, browser_context_args: dict, base_url: str
) -> Iterator[object]:
    """A fresh phone-sized context (new service worker, caches, IndexedDB) with the camera.

    Background Sync is allowed, as Chrome allows it by default (Playwright denies it)."""
    context = camera_browser.new_context(
        **{
            **browser_context_args,
            "base_url": base_url,
            "permissions": ["camera", "background-sync"],
        }
    )
    yield context
    context.close()


@pytest.fixture
def camera_page(camera_context: object) -> object:
    return camera_context.new_page()

"""QR rendering: version budget, alphanumeric mode, level Q, and a real decoder round trip."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date
from pathlib import Path

import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from qrcode import util

from app.credentials import qr_version, render_qr_png, render_qr_svg, verify
from app.credentials.base45 import ALPHABET
from app.credentials.qr import make_qr, penalty

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "dcc"


def _read(image: Image.Image) -> zxingcpp.Barcode:
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    return found[0]


def _rasterise_svg(svg: str, scale: int = 6) -> Image.Image:
    """Draw the SVG's path (our 'M x y h w v1 h-w z' runs) with Pillow."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        x0, y0 = int(x) * scale, int(y) * scale
        draw.rectangle([x0, y0, x0 + int(w) * scale - 1, y0 + scale - 1], fill=0)
    return image


@pytest.fixture
def largest_card(make_card, largest_card_fields) -> str:
    return make_card(**largest_card_fields)


@pytest.fixture
def largest_certificate(make_card) -> str:
    return make_card(
        card_type="certificate",
        status="yellow",
        name_masked="𠮷*𠮷",
        quarantine_until=date(2020, 3, 5),
        destination=659004,
        departure=date(2020, 3, 6),
    )


def test_largest_card_fits_version_10(largest_card: str, largest_certificate: str) -> None:
    assert qr_version(largest_card) <= 10
    assert qr_version(largest_certificate) <= 10


def test_uses_one_alphanumeric_segment_at_level_q(largest_card: str) -> None:
    qr = make_qr(largest_card)
    assert [d.mode for d in qr.data_list] == [util.MODE_ALPHA_NUM]
    assert qr.error_correction == 3  # qrcode's constant for Q (25 %)


def test_png_round_trip(largest_certificate: str, store, now) -> None:
    png = render_qr_png(largest_certificate, box_size=4)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    barcode = _read(image)
    assert barcode.text == largest_certificate
    assert barcode.extra["ECLevel"] == "Q"
    assert int(barcode.extra["Version"]) <= 10
    assert verify(barcode.text, store, now).reason == "ok"


def test_png_size_follows_box_size(make_card) -> None:
    text = make_card()
    modules = 17 + 4 * qr_version(text) + 8  # symbol plus a 4-module quiet zone each side
    for box in (1, 3, 10):
        assert Image.open(io.BytesIO(render_qr_png(text, box_size=box))).size == (
            modules * box,
            modules * box,
        )


def test_svg_round_trip(largest_card: str, store, now) -> None:
    svg = render_qr_svg(largest_card, size="40mm")
    assert svg.startswith("<svg") and 'width="40mm"' in svg
    barcode = _read(_rasterise_svg(svg))
    assert barcode.text == largest_card
    assert barcode.extra["ECLevel"] == "Q"
    assert verify(barcode.text, store, now).reason == "ok"


def test_svg_and_png_draw_the_same_matrix(make_card) -> None:
    text = make_card()
    png = Image.open(io.BytesIO(render_qr_png(text, box_size=1))).convert("L")
    svg = _rasterise_svg(render_qr_svg(text), scale=1)
    assert png.tobytes() == svg.tobytes()


def test_dcc_text_renders_and_reads_back() -> None:
    vector = json.loads((VECTORS / "DE" / "2DCode" / "raw" / "1.json").read_text("utf-8"))
    text = vector["PREFIX"]
    assert _read(Image.open(io.BytesIO(render_qr_png(text, box_size=3)))).text == text
    assert qr_version(text) > 10  # HC1 codes are far bigger than ours


def test_non_alphanumeric_text_falls_back_to_bytes() -> None:
    text = "https://fangang.example/返岗"
    barcode = _read(Image.open(io.BytesIO(render_qr_png(text, box_size=3))))
    assert barcode.text == text


# -- our fast mask choice must equal qrcode's own --------------------------------------


def _reference(text: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(util.QRData(text, mode=util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    return qr


@pytest.mark.parametrize("length", [1, 20, 60, 140, 210, 330, 600])
def test_same_symbol_as_qrcode(length: int) -> None:
    rng = random.Random(length)
    for _ in range(3):
        text = "FG1:" + "".join(rng.choice(ALPHABET) for _ in range(length))
        ours, reference = make_qr(text), _reference(text)
        assert ours.version == reference.version
        assert ours.modules == reference.modules  # same mask, format and version bits too


@settings(max_examples=60, deadline=None)
@given(
    size=st.sampled_from([21, 25, 45, 57]),
    density=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32),
)
def test_penalty_matches_qrcode(size: int, density: float, seed: int) -> None:
    rng = random.Random(seed)
    modules = [[rng.random() < density for _ in range(size)] for _ in range(size)]
    assert penalty(modules) == util.lost_point(modules)

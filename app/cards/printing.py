"""Printable paper cards: A6 PDF and PNG with the QR, masked name and ID, validity, village."""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.cards.models import HealthCard
from app.credentials import render_qr_png
from app.timeutil import app_tz

STATUS_COLOURS = {"green": (7, 193, 96), "yellow": (250, 173, 20), "red": (230, 67, 64)}
STATUS_WORDS = {"green": "绿码", "yellow": "黄码", "red": "红码"}
TYPE_WORDS = {"card": "健康码", "paper": "纸质健康卡", "certificate": "健康证明"}
# Fonts that can draw Chinese, looked for in this order (Debian: fonts-wqy-microhei).
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def _local(moment: datetime) -> str:
    return moment.astimezone(app_tz()).strftime("%Y-%m-%d %H:%M")


def card_lines(card: HealthCard, id_masked: str, village: str) -> list[str]:
    """The words printed under the QR, shared by the PDF and the PNG."""
    lines = [
        f"{TYPE_WORDS[card.card_type]} · {STATUS_WORDS[card.status]}",
        f"姓名：{card.name_masked}",
        f"证件：{id_masked}",
        f"有效期至：{_local(card.expires_dt)}",
        f"签发：{village}",
    ]
    if card.quarantine_until and card.status == "yellow":
        lines.insert(1, f"隔离至：{card.quarantine_until:%Y-%m-%d}")
    if card.destination_code:
        lines.append(f"目的地：{card.destination_code}  出发：{card.departure_date or '-'}")
    return lines


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont:
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def card_png(card: HealthCard, id_masked: str, village: str) -> bytes:
    """A6 at 150 dpi (620 × 874 px)."""
    width, height = 620, 874
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    colour = STATUS_COLOURS[card.status]
    draw.rectangle((0, 0, width, 90), fill=colour)
    draw.text((width // 2, 45), "常德市返岗健康卡", font=_font(38), fill="white", anchor="mm")
    qr = Image.open(io.BytesIO(render_qr_png(card.qr_text, box_size=8)))
    qr.thumbnail((440, 440))
    image.paste(qr, ((width - qr.width) // 2, 110))
    y = 110 + qr.height + 20
    for index, line in enumerate(card_lines(card, id_masked, village)):
        draw.text(
            (width // 2, y),
            line,
            font=_font(32 if index == 0 else 26),
            fill=colour if index == 0 else "black",
            anchor="mt",
        )
        y += 44 if index == 0 else 38
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()


def card_pdf(card: HealthCard, id_masked: str, village: str) -> bytes:
    """One A6 page; Chinese set in the PDF's built-in CID font (no font file needed)."""
    from reportlab.lib.pagesizes import A6
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    width, height = A6
    pdf = canvas.Canvas(out, pagesize=A6, invariant=True)
    pdf.setTitle("常德市返岗健康卡")
    r, g, b = (c / 255 for c in STATUS_COLOURS[card.status])
    pdf.setFillColorRGB(r, g, b)
    pdf.rect(0, height - 40, width, 40, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont("STSong-Light", 16)
    pdf.drawCentredString(width / 2, height - 27, "常德市返岗健康卡")
    qr_size = 180
    qr = ImageReader(io.BytesIO(render_qr_png(card.qr_text, box_size=6)))
    pdf.drawImage(qr, (width - qr_size) / 2, height - 50 - qr_size, qr_size, qr_size)
    y = height - 70 - qr_size
    for index, line in enumerate(card_lines(card, id_masked, village)):
        if index == 0:
            pdf.setFillColorRGB(r, g, b)
            pdf.setFont("STSong-Light", 13)
        else:
            pdf.setFillColorRGB(0, 0, 0)
            pdf.setFont("STSong-Light", 10)
        pdf.drawCentredString(width / 2, y, line)
        y -= 17
    pdf.showPage()
    pdf.save()
    return out.getvalue()

"""The A4 poster of a checkpoint: its name, hours and the place code as a large QR."""

from __future__ import annotations

import io
from datetime import datetime

from app.checkpoints.models import Checkpoint
from app.credentials.qr import qr_matrix
from app.timeutil import app_tz

GREEN = (7 / 255, 193 / 255, 96 / 255)
FONT = "STSong-Light"  # a CID font every PDF reader has: no font file to ship


def _hours(checkpoint: Checkpoint) -> str:
    if checkpoint.opens_at is None or checkpoint.closes_at is None:
        return "开放时间：全天"
    return f"开放时间：{checkpoint.opens_at:%H:%M}–{checkpoint.closes_at:%H:%M}"


# The instructions printed under the QR.
POSTER_LINES = (
    "务工人员：用手机相机或“返岗服务”扫描上方二维码签到，",
    "签到后请向志愿者出示健康码，由志愿者扫码核验。",
    "持有效绿码或健康证明的务工人员，村组社区应予放行，不得拦堵。",
)


def poster_pdf(checkpoint: Checkpoint, url: str, now: datetime) -> bytes:
    """One A4 page; the QR is drawn as vector squares so it prints sharp at any size."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(f"卡点签到码 · {checkpoint.name}")
    pdf.setFillColorRGB(*GREEN)
    pdf.rect(0, height - 90, width, 90, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(FONT, 26)
    pdf.drawCentredString(width / 2, height - 58, "常德市返岗服务 · 卡点签到")

    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(FONT, 30)
    pdf.drawCentredString(width / 2, height - 145, checkpoint.name)
    pdf.setFont(FONT, 15)
    village = checkpoint.village.name_zh if checkpoint.village else checkpoint.village_code
    pdf.drawCentredString(width / 2, height - 172, f"{village}　{_hours(checkpoint)}")

    matrix = qr_matrix(url)
    size = 330.0
    module = size / len(matrix)
    left, top = (width - size) / 2, height - 195
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(
                    left + c * module, top - (r + 1) * module, module, module, stroke=0, fill=1
                )

    y = top - size - 36
    pdf.setFont(FONT, 14)
    for line in POSTER_LINES:
        pdf.drawCentredString(width / 2, y, line)
        y -= 24
    pdf.setFont("Helvetica", 8)
    pdf.setFillColorRGB(0.4, 0.4, 0.4)
    printed = now.astimezone(app_tz()).strftime("%Y-%m-%d %H:%M")
    pdf.drawCentredString(width / 2, 56, url)
    pdf.setFont(FONT, 9)
    pdf.drawCentredString(
        width / 2,
        40,
        f"卡点编号 {checkpoint.id} · 海报第 {checkpoint.place_code_version} 版 · 打印于 {printed}"
        " · 换发新海报后旧海报失效",
    )
    pdf.showPage()
    pdf.save()
    return out.getvalue()

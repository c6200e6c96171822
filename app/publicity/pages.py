"""The public page (no login): Changde's figures for destination regions, and a poster.

Server-rendered HTML with one small stylesheet and no script, so it opens quickly on a weak
connection and prints as it looks. Registered at the site root (not under /api/v1).
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup

from app.errors import NotFound
from app.extensions import db
from app.publicity import figures
from app.publicity.routes import PUBLIC_RATE
from app.regions.models import Region
from app.regions.services import CITY_CODE
from app.timeutil import app_tz

bp = Blueprint(
    "public_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/changde/static",
)

LABELS = (
    ("valid_green_cards", "持有效绿码的务工人员", "workers with a valid green card"),
    ("certificates_issued", "已开具外出健康证明", "outbound health certificates issued"),
    ("trips_completed", "已完成点对点运送", "point-to-point trips completed"),
    ("jobs_filled", "已上岗", "jobs filled"),
)


def _county_arg() -> str | None:
    code = request.args.get("county")
    if not code:
        return None
    region = db.session.get(Region, code[:20])
    if region is None or region.parent_code != CITY_CODE:
        raise NotFound()
    return region.code


def _page(template: str, **extra: object) -> Response:
    PUBLIC_RATE.check()
    county = _county_arg() if template == "publicity/figures.html" else None
    found = figures.public_figures(county)
    labels = [label for label in LABELS if found["city"][label[0]] is not None]
    html = render_template(
        template,
        figures=found,
        labels=labels,
        county=next((c for c in found["counties"] if c["code"] == county), None),
        as_of=found["as_of"].astimezone(app_tz()).strftime("%Y-%m-%d %H:%M"),
        **extra,
    )
    response = Response(html, mimetype="text/html")
    # Live, but a minute old is fine: a proxy or the phone may answer the next visit itself.
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/changde")
def figures_page() -> Response:
    """Totals for the city and each county; ?county=<code> adds its villages."""
    return _page("publicity/figures.html")


@bp.get("/changde/poster")
def poster() -> Response:
    """The same figures on one printable A4 page, with a QR code to the live page."""
    import qrcode
    import qrcode.image.svg

    target = url_for("public_pages.figures_page", _external=True)
    image = qrcode.make(target, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # no XML declaration inside HTML
    return _page("publicity/poster.html", qr_svg=Markup(svg), target=target)  # noqa: S704 - our own SVG

"""Draw the app icons (PNG 192, 512 and a maskable 512) with Pillow.

Run from anywhere: ``python pwa/icons/make_icons.py``. The PNGs are committed; re-run this only
when the design changes (then bump VERSION in pwa/sw.js so phones fetch the new icons).

Design: WeChat green (#07C160) background, a white briefcase with a green tick: "back to work,
health checked". Pure shapes, so no CJK font is needed on the machine that runs this script.
The maskable icon is full-bleed and keeps the glyph inside the central safe zone (a circle of
40 % radius), as the W3C manifest spec requires.
"""

from pathlib import Path

from PIL import Image, ImageDraw

GREEN = (7, 193, 96, 255)
WHITE = (255, 255, 255, 255)
HERE = Path(__file__).resolve().parent
SUPERSAMPLE = 4  # draw large, then downscale: smooth edges without anti-aliasing support


def draw_glyph(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float) -> None:
    """Draw the briefcase-with-tick glyph centred on (cx, cy), ``size`` pixels wide."""
    w, h = size, size * 0.72
    left, top = cx - w / 2, cy - h / 2 + size * 0.06
    r = size * 0.09
    # handle: a rounded frame above the case
    hw, hh, t = w * 0.38, size * 0.16, size * 0.07
    draw.rounded_rectangle(
        (cx - hw / 2, top - hh, cx + hw / 2, top + r), radius=t, outline=WHITE, width=round(t)
    )
    # case body
    draw.rounded_rectangle((left, top, left + w, top + h), radius=r, fill=WHITE)
    # tick, in green, across the body
    lw = round(size * 0.085)
    pts = [
        (cx - w * 0.22, cy + h * 0.08),
        (cx - w * 0.05, cy + h * 0.26),
        (cx + w * 0.25, cy - h * 0.14),
    ]
    draw.line(pts, fill=GREEN, width=lw, joint="curve")
    for x, y in (pts[0], pts[-1]):  # round line caps
        draw.ellipse((x - lw / 2, y - lw / 2, x + lw / 2, y + lw / 2), fill=GREEN)


def make_icon(px: int, maskable: bool) -> Image.Image:
    """Return one icon of ``px`` x ``px`` pixels."""
    big = px * SUPERSAMPLE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=GREEN)  # full bleed: the launcher crops it
        glyph = big * 0.46  # fits inside the 40 %-radius safe circle
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=GREEN)
        glyph = big * 0.58
    draw_glyph(draw, big / 2, big / 2, glyph)
    return img.resize((px, px), Image.LANCZOS)


def main() -> None:
    """Write icon-192.png, icon-512.png and icon-maskable-512.png next to this script."""
    outputs = {
        "icon-192.png": make_icon(192, maskable=False),
        "icon-512.png": make_icon(512, maskable=False),
        "icon-maskable-512.png": make_icon(512, maskable=True),
    }
    for name, img in outputs.items():
        img.save(HERE / name, optimize=True)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()

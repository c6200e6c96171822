"""Server-made SVG charts for officials (no chart library on the phone): outbound intents by
destination and by departure week, the share with a job arranged, and certificates issued.

Plain SVG 1.1 with a viewBox, so an <img> scales it to the screen; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

WIDTH = 640
FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
ARRANGED = "#07C160"  # WeChat green: job arranged
OPEN = "#B2E8CB"  # light green: no job yet
CERTIFIED = "#FA9D3B"  # orange: certificates
INK = "#1F2329"
MUTED = "#8A8F99"
GRID = "#E5E6EB"


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    arranged: int
    certified: int


WORDS = {
    "zh-CN": {
        "by_destination": "外出务工意向（按目的地）",
        "by_week": "外出务工意向（按计划出行周）",
        "arranged": "已落实工作",
        "open": "未落实工作",
        "certified": "已开健康证明",
        "empty": "暂无数据",
        "share": "定岗",
    },
    "en": {
        "by_destination": "Outbound intents by destination",
        "by_week": "Outbound intents by departure week",
        "arranged": "Job arranged",
        "open": "No job yet",
        "certified": "Certificates issued",
        "empty": "No data yet",
        "share": "job",
    },
}


def _words(locale: str) -> dict[str, str]:
    return WORDS["en" if locale == "en" else "zh-CN"]


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = 13,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(content)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}"/>'


def _document(height: int, title: str, body: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={quoteattr(title)} '
        f"font-family={quoteattr(FONT)}>"
        f"<title>{escape(title)}</title>"
        f'<rect width="{WIDTH}" height="{height}" fill="#FFFFFF"/>' + "".join(body) + "</svg>"
    )


def _legend(y: float, words: dict[str, str], with_line: bool) -> list[str]:
    items = [(ARRANGED, words["arranged"]), (OPEN, words["open"])]
    out, x = [], 16.0
    for colour, label in items:
        out.append(_rect(x, y - 10, 12, 12, colour))
        out.append(_text(x + 16, y, label, size=12, fill=MUTED))
        x += 24 + 13 * len(label) * (0.6 if label.isascii() else 1)
    if with_line:
        out.append(f'<circle cx="{x + 6:.1f}" cy="{y - 4:.1f}" r="4" fill="{CERTIFIED}"/>')
        out.append(_text(x + 16, y, words["certified"], size=12, fill=MUTED))
    return out


def by_destination(bars: Sequence[Bar], *, locale: str, limit: int = 12) -> str:
    """Horizontal bars, one per destination (largest first; the rest as one "other" bar)."""
    words = _words(locale)
    title = words["by_destination"]
    bars = sorted(bars, key=lambda b: -b.total)
    if len(bars) > limit:
        rest = bars[limit - 1 :]
        other = "其他" if locale != "en" else "Other"
        bars = [
            *bars[: limit - 1],
            Bar(
                other,
                sum(b.total for b in rest),
                sum(b.arranged for b in rest),
                sum(b.certified for b in rest),
            ),
        ]
    row, top, label_w, right_w = 30, 64, 120, 130
    height = top + max(len(bars), 1) * row + 16
    body = [_text(16, 26, title, size=16, weight="bold"), *_legend(50, words, False)]
    if not bars:
        body.append(_text(WIDTH / 2, top + 20, words["empty"], anchor="middle", fill=MUTED))
        return _document(height, title, body)
    scale = (WIDTH - label_w - right_w - 16) / max(b.total for b in bars)
    for index, bar in enumerate(bars):
        y = top + index * row
        body.append(_text(label_w - 8, y + 17, bar.label, anchor="end"))
        body.append(_rect(label_w, y + 5, bar.arranged * scale, 18, ARRANGED))
        body.append(
            _rect(
                label_w + bar.arranged * scale, y + 5, (bar.total - bar.arranged) * scale, 18, OPEN
            )
        )
        share = round(100 * bar.arranged / bar.total) if bar.total else 0
        body.append(
            _text(
                label_w + bar.total * scale + 6,
                y + 17,
                f"{bar.total:,} · {words['share']} {share}%",
                size=12,
                fill=MUTED,
            )
        )
    return _document(height, title, body)


def by_week(weeks: Sequence[tuple[date, Bar]], *, locale: str) -> str:
    """Vertical bars per departure week (job arranged stacked under no job), with certificates
    issued as dots joined by a line."""
    words = _words(locale)
    title = words["by_week"]
    height, top, bottom, left = 300, 64, 250, 48
    body = [_text(16, 26, title, size=16, weight="bold"), *_legend(50, words, True)]
    if not weeks:
        body.append(_text(WIDTH / 2, 150, words["empty"], anchor="middle", fill=MUTED))
        return _document(height, title, body)
    peak = max(max(b.total for _, b in weeks), 1)
    step = (WIDTH - left - 16) / len(weeks)
    bar_w = min(step * 0.7, 48)
    scale = (bottom - top - 16) / peak
    for fraction in (0.5, 1.0):
        y = bottom - peak * fraction * scale
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 16}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            _text(left - 6, y + 4, f"{round(peak * fraction):,}", size=11, anchor="end", fill=MUTED)
        )
    body.append(
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 16}" y2="{bottom}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    points = []
    for index, (monday, bar) in enumerate(weeks):
        x = left + index * step + (step - bar_w) / 2
        arranged_h, open_h = bar.arranged * scale, (bar.total - bar.arranged) * scale
        body.append(_rect(x, bottom - arranged_h, bar_w, arranged_h, ARRANGED))
        body.append(_rect(x, bottom - arranged_h - open_h, bar_w, open_h, OPEN))
        label = f"{monday.month}/{monday.day}"
        body.append(_text(x + bar_w / 2, bottom + 16, label, size=11, anchor="middle", fill=MUTED))
        share = round(100 * bar.arranged / bar.total) if bar.total else 0
        body.append(
            _text(
                x + bar_w / 2,
                bottom - arranged_h - open_h - 4,
                f"{share}%",
                size=10,
                anchor="middle",
                fill=MUTED,
            )
        )
        points.append((x + bar_w / 2, bottom - bar.certified * scale))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    body.append(f'<polyline points="{path}" fill="none" stroke="{CERTIFIED}" stroke-width="2"/>')
    body.extend(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{CERTIFIED}"/>' for x, y in points
    )
    return _document(height, title, body)

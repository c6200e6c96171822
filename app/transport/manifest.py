"""The trip's manifest: who sits where, whether their card lets them travel and why not,
boarding at the door, and the handover. As a screen, an A4 PDF (Chinese) and CSV/XLSX.

Names are masked, ID numbers shown as masked, phones masked: the manifest travels on paper.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.accounts.identity import mask_name, mask_phone
from app.cards.models import HealthCard, HealthStatus
from app.extensions import db
from app.i18n import message, register_messages
from app.timeutil import app_tz, utcnow
from app.transport.models import Passenger, Trip

register_messages(
    {
        "card_ok": ("绿码有效", "Valid green card"),
        "card_no_declaration": ("未申报健康信息，没有健康码", "No health declaration: no card"),
        "card_yellow": ("黄码（隔离观察中）", "Yellow (under observation)"),
        "card_yellow_until": ("黄码，隔离至 {until}", "Yellow, in observation until {until}"),
        "card_red": ("红码（发热或有症状，须就医）", "Red (fever or symptoms: see a doctor)"),
        "boarding.not_green": ("健康码非绿码", "Card not green"),
        "boarding.card_invalid": ("健康码无效", "Card not valid"),
        "boarding.no_card": ("无健康码", "No card"),
        "boarding.fever": ("体温≥37.3℃", "Temperature ≥ 37.3 °C"),
        "boarding.identity_mismatch": ("人证不符", "Not the card's holder"),
        "boarding.not_on_manifest": ("不在乘客名单", "Not on the manifest"),
        "boarding.other": ("其他原因", "Other"),
    }
)

STATE_WORDS = {
    "booked": ("待上车", "Booked"),
    "boarded": ("已上车", "Boarded"),
    "refused": ("拒绝上车", "Refused"),
    "no_show": ("未到", "No-show"),
    "arrived": ("已交接", "Handed over"),
    "missing": ("交接缺失", "Missing"),
    "removed": ("已取消", "Removed"),
}


@dataclass(frozen=True)
class CardCheck:
    valid: bool
    status: str | None
    reasons: tuple[str, ...]
    code: str
    params: dict

    def text(self, locale: str | None = None) -> str:
        return message(self.code, locale, **self.params)


def card_checks(user_ids: Sequence[int]) -> dict[int, CardCheck]:
    """For each person: may they travel on their health card now, and if not why not."""
    statuses = {
        s.user_id: s
        for s in db.session.scalars(
            select(HealthStatus).where(HealthStatus.user_id.in_(list(user_ids)))
        )
    }
    out = {}
    for user_id in user_ids:
        status = statuses.get(user_id)
        if status is None:
            out[user_id] = CardCheck(False, None, ("no_declaration",), "card_no_declaration", {})
        elif status.status == "green":
            out[user_id] = CardCheck(True, "green", (), "card_ok", {})
        elif status.status == "yellow":
            until = status.quarantine_until
            out[user_id] = CardCheck(
                False,
                "yellow",
                tuple(status.reasons or ()),
                "card_yellow_until" if until else "card_yellow",
                {"until": until.isoformat()} if until else {},
            )
        else:
            out[user_id] = CardCheck(False, "red", tuple(status.reasons or ()), "card_red", {})
    return out


def live_card_ids(user_ids: Sequence[int], now: datetime | None = None) -> dict[int, list[str]]:
    """The card ids each person may show at the door (phone card, paper card, certificate)."""
    now = now or utcnow()
    out: dict[int, list[str]] = {u: [] for u in user_ids}
    rows = db.session.execute(
        select(HealthCard.user_id, HealthCard.card_id).where(
            HealthCard.user_id.in_(list(user_ids)),
            HealthCard.revoked_dt.is_(None),
            HealthCard.expires_dt > now,
        )
    )
    for user_id, card_id in rows:
        out[user_id].append(card_id)
    return out


def refusal_text(reason: str | None, locale: str | None = None) -> str | None:
    return message(f"boarding.{reason}", locale) if reason else None


def state_word(state: str, locale: str | None = None) -> str:
    zh, en = STATE_WORDS.get(state, (state, state))
    return en if locale == "en" else zh


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(app_tz()).strftime(fmt) if moment else ""


def shown_passengers(trip: Trip) -> list[Passenger]:
    """The trip's passengers but those whose seat was given back, with their users loaded in
    one query (a manifest reads every passenger's name)."""
    shown = [p for p in trip.passengers if p.state != "removed"]
    missing = [p.user_id for p in shown if "user" not in p.__dict__]
    if missing:
        from app.accounts.models import User

        list(db.session.scalars(select(User).where(User.id.in_(missing))))  # into the identity map
    return shown


COLUMNS_ZH = (
    "座位",
    "姓名",
    "证件号",
    "手机",
    "健康码",
    "状态",
    "上车时间",
    "体温",
    "拒绝原因",
    "交接时间",
)
COLUMNS_EN = (
    "Seat",
    "Name",
    "ID",
    "Phone",
    "Health card",
    "State",
    "Boarded at",
    "Temperature",
    "Refusal",
    "Handed over at",
)


def rows(trip: Trip, locale: str | None = None) -> Iterator[list[str]]:
    """The manifest's table, front seat first."""
    passengers = shown_passengers(trip)
    checks = card_checks([p.user_id for p in passengers])
    for p in passengers:
        user = p.user
        reason = refusal_text(p.refusal_reason, locale)
        if reason and p.refusal_note:
            reason = f"{reason}：{p.refusal_note}"
        yield [
            p.seat,
            mask_name(user.name or ""),
            user.id_masked or "",
            mask_phone(user.phone) if user.phone else "",
            checks[p.user_id].text(locale),
            state_word(p.state, locale),
            _local(p.boarded_dt, "%H:%M"),
            f"{p.temperature}" if p.temperature is not None else "",
            reason or "",
            _local(p.arrived_dt, "%m-%d %H:%M"),
        ]


def header(trip: Trip) -> list[str]:
    request = trip.request
    crew = [f"押运员 {mask_name(trip.escort.name or '')} {mask_phone(trip.escort.phone or '')}"]
    if trip.medic is not None:
        crew.append(
            f"随车医护 {mask_name(trip.medic.name or '')} {mask_phone(trip.medic.phone or '')}"
        )
    return [
        f"点对点运输乘客名单（一车一策）· 批次 {request.id} · 车次 {trip.id}",
        f"车牌 {trip.vehicle.plate}　{trip.vehicle.seats} 座　驾驶员 {mask_name(trip.driver_name)}"
        f" {mask_phone(trip.driver_phone)}",
        "　".join(crew),
        f"出发 {_local(trip.departure_dt)} {trip.departure_place}　→　到达 {trip.arrival_place}"
        f"（预计 {_local(trip.arrival_due_dt)}）",
        f"途经 {trip.route or '-'}　最后 {trip.isolation_rows} 排为隔离区，载客不超过"
        f" {int(trip.seat_share * 100)}% 座位，隔位就座",
    ]


def manifest_pdf(trip: Trip, now: datetime | None = None) -> bytes:
    """An A4 manifest in Chinese for the door and the handover (reportlab's CID font)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    now = now or utcnow()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"乘客名单 {trip.vehicle.plate}",
        invariant=True,
    )
    title = ParagraphStyle("t", fontName="STSong-Light", fontSize=14, leading=20)
    line = ParagraphStyle("l", fontName="STSong-Light", fontSize=9, leading=13)
    cell = ParagraphStyle("c", fontName="STSong-Light", fontSize=8, leading=10)
    lines = header(trip)
    story = [Paragraph(lines[0], title)] + [Paragraph(text, line) for text in lines[1:]]
    story.append(Spacer(1, 4 * mm))
    table = [list(COLUMNS_ZH)]
    table += [[Paragraph(str(v), cell) for v in row] for row in rows(trip, "zh-CN")]
    widths = [12, 16, 30, 22, 36, 15, 14, 11, 22, 18]
    grid = Table(table, colWidths=[w * mm for w in widths], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                ("FONTSIZE", (0, 0), (-1, 0), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EDEDED")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(grid)
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            f"打印时间 {_local(now)}（北京时间）　押运员签字：________　医护签字：________"
            "　接收方签字：________",
            line,
        )
    )
    doc.build(story)
    return out.getvalue()

"""Text messages of the quarantine workflow, sent only once the change is committed.

Services queue messages on the database session; they go out after the commit, and a rollback
drops them. So a refused bulk release or an upload with errors never texts anyone. Messages are
in Chinese and carry no ID number (a masked name at most, for the staff).
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import or_, select

from app.accounts.identity import mask_name
from app.accounts.models import User, UserRole
from app.extensions import db
from app.regions.models import Region
from app.sms import queue_sms as queue_sms  # the services call notify.queue_sms

log = logging.getLogger("app.quarantine")

SIGNATURE = "【返岗服务】"


def staff_phones(village_code: str) -> list[str]:
    """Phones of the village's staff: officials whose region is the village or its township."""
    village = db.session.get(Region, village_code)
    codes = [village_code] + ([village.parent_code] if village and village.parent_code else [])
    rows = db.session.scalars(
        select(User.phone)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == "official",
            User.active.is_(True),
            User.phone.is_not(None),
            or_(*(User.region_code == code for code in codes)),
        )
        .order_by(User.id)
    )
    return list(dict.fromkeys(rows))


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def observation_started(start: date, end: date) -> str:
    return (
        f"{SIGNATURE}您已纳入14天隔离观察（{_md(start)}起，{_md(end)}期满）。"
        "请每天测量体温，在“返岗服务”中填报；如有发热、咳嗽等症状，请立即告知村（社区）。"
    )


def observation_extended(end: date) -> str:
    return f"{SIGNATURE}根据您新申报的接触情况，您的隔离观察延长至{_md(end)}期满。"


def observation_released(day: date) -> str:
    return f"{SIGNATURE}您的隔离观察已于{_md(day)}解除，健康码已转为绿码。"


def observation_transferred(day: date) -> str:
    return f"{SIGNATURE}您的居家隔离观察已于{_md(day)}结束，转由医疗机构继续诊治。"


def referral_alert(village: str, person_name: str | None, reasons: tuple[str, ...], t: str) -> str:
    """To the community: someone under observation (or at work) has a fever or symptoms."""
    what = "、".join({"fever": f"发热（{t}℃）", "symptoms": "有症状"}[r] for r in reasons)
    who = mask_name(person_name) if person_name else "一名人员"
    return f"{SIGNATURE}{village}{who}健康监测发现{what}，已转为红码，请尽快安排就医转诊。"


def digest(village: str, day: date, missing: int, due: int) -> str:
    return (
        f"{SIGNATURE}{_md(day)}{village}：隔离观察人员今日未测体温{missing}人，"
        f"今日可解除隔离{due}人。请登录“返岗服务”处理。"
    )

"""The rules for a worker's own data: the overview, the export, and erasure.

Erasure (PIPL art. 47) in one transaction, all or nothing:
* every card of the person is revoked, so every verifier refuses it as `revoked`: the server
  at once, offline checkpoints with their next revocation list;
* the account keeps only its row id, household region and roles: name, phone, username,
  password, sex, ID hash and mask go, and it can no longer log in (a new login with the same
  phone makes a new, empty account);
* what describes the person is deleted (declarations, colour and its history, appeals,
  quarantine readings, employers' readings and rosters, intent history, login codes,
  complaint texts and photos);
* what a count is made from stays without any personal field, pointing only at the emptied
  account (the intent for the ledger, hired applications, seats and batches, subsidy roster
  lines, checkpoint scans and check-ins, closed quarantine cases), so the ledger counts,
  checkpoint day counters, subsidy totals, transport counts and public figures stay as they
  were;
* the audit trail records the erasure with counts only.

What the law keeps is refused with a 409 listing why and when it becomes possible (`holds_of`):
an open quarantine case or a yellow or red colour (Law on the Prevention and Treatment of
Infectious Diseases), a seat on a trip that has not arrived yet (the trip's epidemic-prevention
manifest), and staff accounts (their acts must stay attributable). docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import current_app
from sqlalchemy import delete, select, update

from app.accounts.models import OtpChallenge, User
from app.accounts.services import check_code, send_code
from app.audit.services import record
from app.cards.models import (
    Appeal,
    AppealDecision,
    HealthDeclaration,
    HealthStatus,
    StatusChange,
)
from app.cards.services import revoke
from app.checkpoints.models import CheckpointCheckIn
from app.employers.models import EmployerStaff, EmployerWorker
from app.errors import Conflict
from app.extensions import db
from app.i18n import message, register_messages
from app.intents.models import IntentChange
from app.jobs.models import Application
from app.privacy import inventory
from app.privacy.models import Erasure
from app.quarantine.models import QuarantineCase, QuarantineCheck, WorkplaceCheck
from app.sms import queue_sms
from app.subsidies.models import TestBatchPerson
from app.supervision.models import Complaint, GateLookup
from app.timeutil import app_tz, utcnow
from app.transport.models import Passenger, RequestWorker, TransportRequest, Trip

FORMAT = "fangang-personal-data"
FORMAT_VERSION = 1
SCREEN_RECORDS = 50  # per category on the screen; the export has them all
STAFF_ROLES = ("volunteer", "employer", "official", "admin")
REVOKED_REASON = "holder_erased"

register_messages(
    {
        "erasure_held": (
            "暂时不能删除您的个人信息：{reasons_zh}",
            "Your personal data cannot be erased yet: {reasons_en}",
        ),
        "erasure_quarantine_open": (
            "您有尚未解除的隔离观察（计划 {until} 期满）。依照《中华人民共和国传染病防治法》，"
            "观察期间的记录必须保留；村（社区）解除观察后即可申请删除。",
            "You are under quarantine observation (planned to end on {until}). The Law on "
            "the Prevention and Treatment of Infectious Diseases requires its records to be "
            "kept while it lasts; you can ask again once your village releases you.",
        ),
        "erasure_quarantine_referred": (
            "您在隔离观察期间已转诊就医。依照《中华人民共和国传染病防治法》，相关记录必须保留；"
            "医疗机构处理完毕、观察解除后即可申请删除。",
            "You were referred to medical care during quarantine observation. The Law on the "
            "Prevention and Treatment of Infectious Diseases requires the records to be kept; "
            "you can ask again once the observation is closed.",
        ),
        "erasure_status_red": (
            "您当前为红码（发热或有症状，需就医）。依照《中华人民共和国传染病防治法》，"
            "在医务人员排除之前相关记录必须保留；红码解除后即可申请删除。",
            "Your card is red (fever or symptoms). The Law on the Prevention and Treatment of "
            "Infectious Diseases requires the records to be kept until medical staff clear "
            "you; you can ask again once the red card is lifted.",
        ),
        "erasure_status_yellow": (
            "您当前为黄码，隔离观察尚未解除。依照《中华人民共和国传染病防治法》，相关记录必须保留；"
            "观察解除、转为绿码后即可申请删除。",
            "Your card is yellow: your observation has not been released. The Law on the "
            "Prevention and Treatment of Infectious Diseases requires the records to be kept; "
            "you can ask again once you are released and green.",
        ),
        "erasure_transport_pending": (
            "您在一趟尚未结束的点对点运输中（预计 {until} 到达）。为做好途中疫情防控，乘车名单"
            "必须保留到车辆到达交接；到达后即可申请删除，未上车的也可以先退出该批次。",
            "You are on point-to-point transport that has not arrived yet (due {until}). Its "
            "passenger list is kept for epidemic prevention on the way until the handover; "
            "you can ask again after arrival, or leave the batch first if you have no seat.",
        ),
        "erasure_staff_account": (
            "您的账号还承担工作人员职责（卡点、用工单位或政府工作）。工作记录必须能追溯到经办人，"
            "因此不能自行删除；请先请管理员撤销这些职责，之后即可申请删除。",
            "Your account also acts as staff (checkpoint, employer or government). Staff acts "
            "must stay attributable, so it cannot erase itself; ask an administrator to remove "
            "those roles, then ask again.",
        ),
        "erasure_no_phone": (
            "您的账号没有手机号，无法发送确认码。请到村（社区）办理。",
            "Your account has no phone number for the confirmation code. Ask your village.",
        ),
    }
)

CODE_TEXT = (
    "【返岗】您正在申请删除在“返岗服务”中的个人信息，确认码 {code}，{minutes} 分钟内有效。"
    "删除后健康码立即作废，且无法恢复。如非本人操作，请忽略本短信。"
)
DONE_TEXT = (
    "【返岗】您在“返岗服务”中的个人信息已按您的申请删除，健康码已作废。"
    "如需再次使用，请重新登录并申报。如非本人操作，请立即联系村（社区）。"
)


# -- holds: what the law keeps -----------------------------------------------------------------


@dataclass
class Hold:
    """One reason erasure must wait: a stable code, and the day it may end when known."""

    code: str
    until: date | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str) -> str:
        return message(self.code, locale, until=self.until.isoformat() if self.until else "-")


def _local_day(moment: datetime) -> date:
    return moment.astimezone(app_tz()).date()


def holds_of(user: User, now: datetime | None = None) -> list[Hold]:
    """Why this person's data cannot be erased now (empty: it can)."""
    now = now or utcnow()
    holds: list[Hold] = []
    staff = [r for r in user.roles if r in STAFF_ROLES]
    employer_staff = db.session.scalars(
        select(EmployerStaff.employer_id).where(EmployerStaff.user_id == user.id)
    ).first()
    if staff or employer_staff is not None:
        holds.append(Hold("erasure_staff_account", detail={"roles": staff or ["employer"]}))
    case = db.session.scalars(
        select(QuarantineCase).where(
            QuarantineCase.user_id == user.id, QuarantineCase.state == "open"
        )
    ).first()
    status = db.session.get(HealthStatus, user.id)
    if case is not None and case.referred_dt is not None:
        holds.append(Hold("erasure_quarantine_referred"))
    elif case is not None:
        holds.append(Hold("erasure_quarantine_open", until=case.planned_end_date))
    if status is not None and status.status == "red" and (case is None or not case.referred_dt):
        holds.append(Hold("erasure_status_red"))
    elif status is not None and status.status == "yellow" and case is None:
        holds.append(Hold("erasure_status_yellow", until=status.quarantine_until))
    transport = _transport_hold(user)
    if transport is not None:
        holds.append(transport)
    return holds


def _transport_hold(user: User) -> Hold | None:
    """A live place in a batch or trip that has not ended, as passenger or crew."""
    ends: list[date] = []
    batches = db.session.scalars(
        select(TransportRequest)
        .join(RequestWorker, RequestWorker.request_id == TransportRequest.id)
        .where(
            RequestWorker.user_id == user.id,
            RequestWorker.state.in_(("invited", "listed", "accepted")),
            TransportRequest.state.not_in(("refused", "arrived", "cancelled")),
        )
    ).all()
    ends += [b.window_end for b in batches]
    live_trips = ("planned", "travelling")
    trips = db.session.scalars(
        select(Trip)
        .outerjoin(Passenger, Passenger.trip_id == Trip.id)
        .where(
            Trip.state.in_(live_trips),
            (
                (Passenger.user_id == user.id) & Passenger.state.in_(("booked", "boarded"))
                | (Trip.escort_id == user.id)
                | (Trip.medic_id == user.id)
            ),
        )
    ).all()
    ends += [_local_day(t.arrival_due_dt) for t in trips]
    if not ends:
        return None
    return Hold("erasure_transport_pending", until=max(ends))


def refuse_if_held(holds: list[Hold]) -> None:
    """409 `erasure_held` naming every reason (in both languages) and `holds` for clients."""
    if not holds:
        return
    from app.i18n import request_locale

    locale = request_locale()
    raise Conflict(
        "erasure_held",
        params={
            "reasons_zh": " ".join(h.message("zh-CN") for h in holds),
            "reasons_en": " ".join(h.message("en") for h in holds),
        },
        holds=[
            {
                "code": h.code,
                "until": h.until.isoformat() if h.until else None,
                "message": h.message(locale),
                **h.detail,
            }
            for h in holds
        ],
    )


# -- the overview and the export ---------------------------------------------------------------


@dataclass
class CategoryView:
    key: str
    fate: str
    count: int
    records: list[inventory.Record]


def read_all(user: User, locale: str) -> list[CategoryView]:
    """Every category with all its records, newest first."""
    out = []
    for category in inventory.CATEGORIES:
        records = category.read(user, locale)
        out.append(CategoryView(category.key, category.fate, len(records), records))
    return out


def overview(user: User, locale: str) -> list[CategoryView]:
    """What the screen shows: every category with its count, the newest records of each."""
    views = read_all(user, locale)
    for view in views:
        view.records = view.records[:SCREEN_RECORDS]
    return views


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def export_document(user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about `user`, complete, as plain JSON values (only their own)."""
    now = now or utcnow()
    categories = {}
    total = 0
    for view in read_all(user, user.locale):
        total += view.count
        categories[view.key] = {
            "title_zh": message(f"privacy.cat.{view.key}", "zh-CN"),
            "title_en": message(f"privacy.cat.{view.key}", "en"),
            "after_erasure": view.fate,
            "count": view.count,
            "records": [_plain(r.data) for r in view.records],
        }
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": now.isoformat(),
        "timezone": current_app.config.get("APP_TIMEZONE", "Asia/Shanghai"),
        "issuer": current_app.config.get("ISSUER_NAME"),
        "subject": {"user_id": user.id},
        "notes": {
            "id_number": "Only a keyed hash and the masked number are stored; the full ID "
            "number is not held. 身份证号码仅保存不可逆的摘要和脱敏号码，不保存完整号码。",
            "others": "Staff, volunteers and officials are not named; by_staff marks their "
            "acts. 工作人员不列姓名，以 by_staff 标示。",
        },
        "record_count": total,
        "categories": categories,
    }


def record_export(user: User, document: dict[str, Any], now: datetime | None = None) -> None:
    """The export in the audit trail: who, when, how many records; nothing of their content."""
    record(
        "privacy.export",
        actor=user,
        subject_type="user",
        subject_id=user.id,
        region_code=user.region_code,
        detail={"records": document["record_count"], "format_version": FORMAT_VERSION},
        now=now,
    )


# -- erasure -------------------------------------------------------------------------------------


def erasure_of(user_id: int) -> Erasure | None:
    return db.session.scalars(select(Erasure).where(Erasure.user_id == user_id)).first()


def send_erasure_code(user: User, now: datetime | None = None) -> OtpChallenge:
    """Text the confirmation code to the person's own phone, unless erasure is held."""
    refuse_if_held(holds_of(user, now))
    if not user.phone:
        raise Conflict("erasure_no_phone")
    return send_code(user.phone, purpose="erasure", text=CODE_TEXT, now=now)


@dataclass
class ErasureResult:
    erasure: Erasure
    photo_files: list[Path] = field(default_factory=list)  # to remove once committed
    repeated: bool = False


def erase(user: User, code: str, now: datetime | None = None) -> ErasureResult:
    """Erase the person's data after the SMS code confirms it (see the module docstring).

    A second call for an erased person returns the first erasure and changes nothing."""
    now = now or utcnow()
    # One erasure at a time per person: the second of two racing requests waits here, then
    # finds the first one's record.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    done = erasure_of(user.id)
    if done is not None:
        return ErasureResult(done, repeated=True)
    refuse_if_held(holds_of(user, now))
    if not user.phone:
        raise Conflict("erasure_no_phone")
    check_code(user.phone, code, purpose="erasure", now=now)
    phone = user.phone
    summary: dict[str, dict[str, int]] = {}
    summary["cards"] = _revoke_cards(user, now)
    summary.update(_erase_health(user))
    summary.update(_erase_checkpoints(user))
    summary.update(_erase_quarantine(user))
    summary.update(_erase_work(user, now))
    summary.update(_erase_transport_and_subsidies(user))
    photo_summary, files = _erase_supervision(user)
    summary.update(photo_summary)
    summary.update(_erase_account(user))
    erasure = Erasure(user_id=user.id, erased_dt=now, summary=summary)
    db.session.add(erasure)
    record(
        "privacy.erasure",
        actor=None,  # the account is an empty pseudonym from now on
        subject_type="user",
        subject_id=user.id,
        region_code=user.region_code,
        detail={key: dict(counts) for key, counts in summary.items() if any(counts.values())},
        now=now,
    )
    queue_sms(phone, DONE_TEXT)  # to the number that asked, once committed
    db.session.flush()
    return ErasureResult(erasure, files)


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def _revoke_cards(user: User, now: datetime) -> dict[str, int]:
    """Revoke every card (the revocation list carries them until they expire), then keep the
    rows without the masked name, ID digits and signed text they carried."""
    cards = inventory.card_rows(user.id)
    revoked = 0
    for card in cards:
        if card.revoked_dt is None:
            revoke(card, reason=REVOKED_REASON, now=now)
            revoked += 1
    # The ledger's listener drops a revoked certificate from the intent in this flush.
    db.session.flush()
    for card in cards:
        card.qr_text = ""
        card.name_masked = ""
        card.id_last4 = ""
        card.destination_code = None
        card.departure_date = None
    return {"revoked": revoked, "anonymised": len(cards)}


def _erase_health(user: User) -> dict[str, dict[str, int]]:
    appeal_ids = select(Appeal.id).where(Appeal.user_id == user.id).scalar_subquery()
    decisions = db.session.execute(
        delete(AppealDecision).where(AppealDecision.appeal_id.in_(appeal_ids))
    )
    appeals = db.session.execute(delete(Appeal).where(Appeal.user_id == user.id))
    # Quarantine readings may point at declarations; they go first (see _erase_quarantine).
    case_ids = select(QuarantineCase.id).where(QuarantineCase.user_id == user.id)
    checks = db.session.execute(
        delete(QuarantineCheck).where(QuarantineCheck.case_id.in_(case_ids.scalar_subquery()))
    )
    declarations = db.session.execute(
        delete(HealthDeclaration).where(HealthDeclaration.user_id == user.id)
    )
    status = db.session.execute(delete(HealthStatus).where(HealthStatus.user_id == user.id))
    changes = db.session.execute(delete(StatusChange).where(StatusChange.user_id == user.id))
    return {
        "appeals": {"deleted": _count(appeals), "decisions_deleted": _count(decisions)},
        "declarations": {"deleted": _count(declarations)},
        "health_status": {"deleted": _count(status)},
        "status_changes": {"deleted": _count(changes)},
        "quarantine_checks": {"deleted": _count(checks)},
    }


def _erase_checkpoints(user: User) -> dict[str, dict[str, int]]:
    # Check-ins and scans stay for the checkpoints' day figures (the retention purge removes
    # them after RETENTION_DAYS like everyone's); they now lead to no one. A gate lookup
    # forgets whom it found.
    checkins = db.session.scalar(
        select(db.func.count(CheckpointCheckIn.id)).where(CheckpointCheckIn.user_id == user.id)
    )
    lookups = db.session.execute(
        update(GateLookup).where(GateLookup.subject_id == user.id).values(subject_id=None)
    )
    return {
        "checkins": {"anonymised": int(checkins or 0)},
        "gate_lookups": {"anonymised": _count(lookups)},
    }


def _erase_quarantine(user: User) -> dict[str, dict[str, int]]:
    # Only closed cases reach here (an open one is a hold): kept as the record that a measure
    # was taken and ended, without where the person lived, the hospital or any reason text.
    cases = db.session.execute(
        update(QuarantineCase)
        .where(QuarantineCase.user_id == user.id)
        .values(
            address=None, hospital=None, open_reason=None, close_reason=None, referral_reasons=[]
        )
    )
    readings = db.session.execute(delete(WorkplaceCheck).where(WorkplaceCheck.user_id == user.id))
    return {
        "quarantine_cases": {"anonymised": _count(cases)},
        "workplace_checks": {"deleted": _count(readings)},
    }


def _erase_work(user: User, now: datetime) -> dict[str, dict[str, int]]:
    from app.jobs.services import WITHDRAWABLE, withdraw

    intent = inventory.intent_of(user.id)
    history = 0
    if intent is not None:
        # The counted columns stay as they are (the ledger counts by them); the rest goes.
        intent.employer_name = None
        intent.job_start_date = None
        intent.application_id = None
        intent.wage_expectation = None
        intent.note = None
        db.session.flush()  # before deleting the history: a flush may add to it
        history = _count(
            db.session.execute(delete(IntentChange).where(IntentChange.intent_id == intent.id))
        )
    applications = list(
        db.session.scalars(select(Application).where(Application.user_id == user.id))
    )
    withdrawn = 0
    for application in applications:
        if application.status in WITHDRAWABLE:
            # As if the worker withdrew it: the employer keeps a line it cannot act on.
            withdraw(application, worker=user, now=now)
            withdrawn += 1
        application.share_card = False
    rosters = db.session.execute(delete(EmployerWorker).where(EmployerWorker.user_id == user.id))
    return {
        "intent": {"anonymised": 1 if intent is not None else 0},
        "intent_history": {"deleted": history},
        "applications": {"anonymised": len(applications), "withdrawn": withdrawn},
        "employer_rosters": {"deleted": _count(rosters)},
    }


def _erase_transport_and_subsidies(user: User) -> dict[str, dict[str, int]]:
    seats = db.session.execute(
        update(Passenger)
        .where(Passenger.user_id == user.id)
        .values(temperature=None, refusal_note=None)
    )
    batches = db.session.scalar(
        select(db.func.count(RequestWorker.id)).where(RequestWorker.user_id == user.id)
    )
    tested = db.session.scalar(
        select(db.func.count())
        .select_from(TestBatchPerson)
        .where(TestBatchPerson.user_id == user.id)
    )
    return {
        "transport_seats": {"anonymised": _count(seats)},
        "transport_batches": {"anonymised": int(batches or 0)},
        "subsidy_tests": {"anonymised": int(tested or 0)},
    }


def _erase_supervision(user: User) -> tuple[dict[str, dict[str, int]], list[Path]]:
    from app.supervision.photos import photo_path

    complaints = list(db.session.scalars(select(Complaint).where(Complaint.user_id == user.id)))
    files: list[Path] = []
    photos = 0
    for complaint in complaints:
        complaint.description = None
        for photo in list(complaint.photos):
            files.append(photo_path(photo))
            db.session.delete(photo)
            photos += 1
    return {"complaints": {"anonymised": len(complaints), "photos_deleted": photos}}, files


def _erase_account(user: User) -> dict[str, dict[str, int]]:
    codes = 0
    if user.phone:
        codes = _count(
            db.session.execute(delete(OtpChallenge).where(OtpChallenge.phone == user.phone))
        )
    user.phone = None
    user.username = None
    user.password_hash = None
    user.name = None
    user.sex = None
    user.id_hash = None
    user.id_masked = None
    user.last_login_dt = None
    user.active = False  # every session and remember-me cookie of the account stops working
    return {"account": {"deleted": 1}, "login_codes": {"deleted": codes}}


def remove_files(paths: list[Path]) -> None:
    """Delete photo files after the commit (a rollback must not lose files it still needs)."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # pragma: no cover - a file system refusing; the row is gone anyway
            current_app.logger.warning("photo file not removed", extra={"file": path.name})


def erased(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    """Totals of a summary: revoked cards, deleted and anonymised records."""
    totals = {"revoked": 0, "deleted": 0, "anonymised": 0}
    for counts in summary.values():
        for key in totals:
            totals[key] += int(counts.get(key, 0))
    return totals

"""What the service holds about one person, domain by domain, and what erasure does to each.

Every table that names a person (a `user_id`, a card id of theirs, their phone) is read here by
one category. A category gives its records twice: `data`, complete and machine-readable, for
the person's own export; and `line`, one short sentence for their screen, where their name,
ID number and phone are masked as everywhere else. Other people (staff, volunteers, officials)
are never named: a record says at most that staff did something.

`fate` is what erasure does to the category (see services.erase and docs/privacy.md):
  deleted     the rows are gone;
  revoked     health cards: revoked at once, kept without name or ID digits until they expire,
              so every checkpoint (offline ones through the revocation list) refuses them;
  anonymised  the row stays for the counts made from it, with every personal field emptied,
              pointing only at the emptied account (an id with no name, phone or ID behind it);
  kept        the audit trail, which records acts and holds no personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select

from app.accounts.identity import mask_name, mask_phone
from app.accounts.models import OtpChallenge, User
from app.audit.models import AuditEvent
from app.cards.models import Appeal, HealthCard, HealthDeclaration, HealthStatus, StatusChange
from app.checkpoints.models import Checkpoint, CheckpointCheckIn, CheckpointScan
from app.employers.models import Employer, EmployerWorker
from app.extensions import db
from app.i18n import register_messages
from app.intents.destinations import describe
from app.intents.models import EmploymentIntent, IntentChange
from app.jobs.models import Application, JobPosting
from app.quarantine.models import QuarantineCase, QuarantineCheck, WorkplaceCheck
from app.regions.models import Region
from app.subsidies.models import TestBatch, TestBatchPerson
from app.supervision.models import Complaint, GateLookup
from app.timeutil import app_tz
from app.transport.models import BoardingScan, Passenger, RequestWorker, TransportRequest, Trip

FATES = ("deleted", "revoked", "anonymised", "kept")

# Each category's name, and what erasure does to it and why (shown on the worker's screen).
_DELETED = ("删除后不可恢复。", "Deleted for good.")
_WORDS: dict[str, tuple[str, str, tuple[str, str]]] = {
    "account": (
        "账号信息",
        "Account",
        (
            "姓名、手机号、性别、身份证摘要和脱敏号码全部清除，账号无法再登录。",
            "Name, phone, sex, ID hash and masked number are erased; the account cannot log in.",
        ),
    ),
    "login_codes": ("短信验证码记录", "Login codes sent", _DELETED),
    "declarations": ("健康申报", "Health declarations", _DELETED),
    "health_status": ("当前健康码颜色", "Current colour", _DELETED),
    "status_changes": ("健康码颜色变化", "Colour changes", _DELETED),
    "cards": (
        "健康码和健康证明",
        "Health cards and certificates",
        (
            "立即作废：所有卡点都会拒绝（离线卡点同步作废名单后同样拒绝）。作废记录不含姓名和证件号，"
            "到期后失效。",
            "Revoked at once: every checkpoint refuses them (offline ones once they sync the "
            "revocation list). What stays holds no name or ID digits and ends at expiry.",
        ),
    ),
    "appeals": ("申诉", "Appeals", _DELETED),
    "checkins": (
        "卡点自助登记",
        "Checkpoint check-ins",
        (
            "去除身份后保留，只用于卡点每日统计，与所有人的记录一样在保存期满（28 天）后删除。",
            "Kept without your identity for the checkpoints' daily figures, deleted after the "
            "28-day retention like everyone's.",
        ),
    ),
    "card_scans": (
        "卡点扫码记录",
        "Scans of your cards",
        (
            "这是卡点志愿者的工作记录，本来就不含姓名；作废后不再指向您，28 天后删除。",
            "The volunteers' record, which never held your name; it leads to no one after "
            "erasure and is deleted after 28 days.",
        ),
    ),
    "gate_lookups": (
        "卡点身份证查询",
        "ID lookups at gates",
        (
            "查询记录不再指向您（督查志愿者用），28 天后删除。",
            "The lookup no longer points at you (kept to supervise volunteers), deleted after "
            "28 days.",
        ),
    ),
    "complaints": (
        "被拦截投诉",
        "Complaints",
        (
            "描述和照片删除；投诉类型、地点和日期去除身份后保留，督办案件仍需要。",
            "Text and photos are deleted; kind, place and day stay without your identity for "
            "the supervision case.",
        ),
    ),
    "quarantine_cases": (
        "隔离观察",
        "Quarantine observation",
        (
            "已结束的观察去除地址、医院和原因后保留，作为防控措施已执行完毕的记录。",
            "A closed observation stays, without address, hospital or reasons, as the record "
            "that the measure was taken and ended.",
        ),
    ),
    "quarantine_checks": ("隔离期体温记录", "Readings during observation", _DELETED),
    "workplace_checks": ("用工单位体温登记", "Employers' readings", _DELETED),
    "employer_rosters": (
        "用工单位名册",
        "Employers' rosters",
        ("从用工单位名册中移除。", "Removed from the employers' rosters."),
    ),
    "intent": (
        "务工意向",
        "Employment intent",
        (
            "去向、工种、出行日期去除身份后保留，用于务工台账统计；用工单位、期望工资和备注删除。",
            "Destination, trade and dates stay without your identity for the ledger's counts; "
            "employer, expected wage and notes are deleted.",
        ),
    ),
    "intent_history": ("务工意向修改记录", "Intent history", _DELETED),
    "applications": (
        "求职申请",
        "Job applications",
        (
            "去除身份后保留，用于就业人数统计；尚未处理的申请自动撤回。",
            "Kept without your identity for the jobs-filled figure; undecided ones are withdrawn.",
        ),
    ),
    "transport_batches": (
        "点对点返岗批次",
        "Transport batches",
        ("去除身份后保留，用于运输人数统计。", "Kept without your identity for transport counts."),
    ),
    "transport_seats": (
        "乘车座位",
        "Seats",
        (
            "座位和到达状态去除身份后保留（运输统计），体温和备注删除。",
            "Seat and arrival stay without your identity for transport counts; temperature and "
            "notes are deleted.",
        ),
    ),
    "boarding_scans": (
        "上车扫码记录",
        "Boarding scans",
        (
            "乘务人员的工作记录，不含姓名，28 天后删除。",
            "The crew's record, without your name, deleted after 28 days.",
        ),
    ),
    "subsidy_tests": (
        "核酸检测补贴名册",
        "Subsidised tests",
        (
            "补贴拨付凭证属于会计档案，须能对应检测人数；去除身份后保留。",
            "The subsidy's payment records are accounting records that must match the number "
            "tested: kept without your identity.",
        ),
    ),
    "audit": (
        "操作记录（审计）",
        "Audit trail",
        (
            "保留：审计记录只写明何时做了什么，不含个人信息；这次删除也会记入。",
            "Kept: the audit trail says what was done when and holds no personal data; the "
            "erasure itself is recorded too.",
        ),
    ),
}
register_messages(
    {
        **{f"privacy.cat.{key}": (zh, en) for key, (zh, en, _) in _WORDS.items()},
        **{f"privacy.why.{key}": why for key, (_, _, why) in _WORDS.items()},
        "privacy.fate.deleted": ("删除", "Deleted"),
        "privacy.fate.revoked": ("作废", "Revoked"),
        "privacy.fate.anonymised": ("去除身份后保留", "Kept without your identity"),
        "privacy.fate.kept": ("保留", "Kept"),
    }
)


@dataclass
class Record:
    """One thing held about the person: when, a line for the screen, the full record."""

    at: datetime | date | None
    line: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Category:
    key: str
    fate: str
    read: Callable[[User, str], list[Record]]


# -- words -----------------------------------------------------------------------------------


def _t(locale: str, zh: str, en: str) -> str:
    return en if locale == "en" else zh


STATUS = {"green": ("绿码", "green"), "yellow": ("黄码", "yellow"), "red": ("红码", "red")}
CARD_TYPES = {"card": ("健康码", "Health card"), "paper": ("纸质健康码", "Paper card")}
CARD_TYPES["certificate"] = ("健康证明", "Health certificate")
DECISIONS = {"admit": ("放行", "admitted"), "refuse": ("劝返", "refused")}
CASE_STATES = {"open": ("观察中", "open"), "released": ("已解除", "released")}
CASE_STATES["transferred"] = ("已转诊", "referred")
APPLICATION_STATES = {
    "submitted": ("已投递", "submitted"),
    "contacted": ("已联系", "contacted"),
    "hired": ("已录用", "hired"),
    "declined": ("未录用", "declined"),
    "withdrawn": ("已撤回", "withdrawn"),
}
INTENT_ACTIONS = {
    "created": ("登记", "registered"),
    "updated": ("更新", "updated"),
    "withdrawn": ("撤回", "withdrawn"),
    "departed": ("已出发", "departed"),
    "certificate_issued": ("开具健康证明", "certificate issued"),
    "certificate_revoked": ("健康证明作废", "certificate revoked"),
}
# The audit actions a worker's own trail holds, in their words (others show as their code).
AUDIT_ACTIONS = {
    "privacy.export": ("导出了我的数据", "downloaded my data"),
    "intent.certificate_issued": ("开具健康证明", "health certificate issued"),
    "intent.departed": ("登记已出发", "departure recorded"),
    "intent.departure_undone": ("撤销出发登记", "departure undone"),
    "intent.proxy_saved": ("工作人员代为登记务工意向", "intent registered by staff"),
    "job.apply": ("投递求职申请", "applied for a job"),
    "job.withdraw": ("撤回求职申请", "application withdrawn"),
    "job.application_status": ("用工单位处理了申请", "the employer decided an application"),
    "job.applicant_contact": ("用工单位查看了联系电话", "the employer viewed the phone number"),
    "quarantine.open": ("开始隔离观察", "observation started"),
    "quarantine.extend": ("隔离观察延长", "observation extended"),
    "quarantine.check": ("记录隔离期体温", "reading recorded"),
    "quarantine.update": ("隔离观察信息变更", "observation changed"),
    "quarantine.referral": ("转诊就医", "referred to medical care"),
    "quarantine.release": ("解除隔离观察", "observation released"),
    "quarantine.transfer": ("转送医疗机构", "transferred to hospital"),
    "supervision.complaint": ("提交被拦截投诉", "complaint filed"),
}
PURPOSES = {"login": ("登录验证码", "login code"), "erasure": ("删除确认码", "erasure code")}


def _word(table: dict[str, tuple[str, str]], key: str | None, locale: str) -> str:
    zh, en = table.get(key or "", (key or "-", key or "-"))
    return _t(locale, zh, en)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(app_tz()).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _places(codes: set[str | None]) -> dict[str, Region]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(wanted)))}


def _place(places: dict[str, Region], code: str | None, locale: str) -> str:
    region = places.get(code or "")
    return region.name(locale) if region else (code or "-")


def _destination(code: str | None, locale: str) -> str:
    if not code:
        return "-"
    place = describe(code)
    return place.name_en if locale == "en" else place.name_zh


def _temperature(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _checkpoint_names(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Checkpoint.id, Checkpoint.name).where(Checkpoint.id.in_(wanted))
    )
    return dict(rows.tuples().all())


def _employer_names(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(Employer.id, Employer.name).where(Employer.id.in_(wanted)))
    return dict(rows.tuples().all())


def _by_staff(actor_id: int | None, user: User) -> bool:
    return actor_id is not None and actor_id != user.id


# -- accounts --------------------------------------------------------------------------------


def _account(user: User, locale: str) -> list[Record]:
    places = _places({user.region_code})
    parts = [
        mask_name(user.name) if user.name else None,
        user.id_masked,
        mask_phone(user.phone) if user.phone else None,
        _place(places, user.region_code, locale) if user.region_code else None,
    ]
    data = {
        "user_id": user.id,
        "name": user.name,
        "sex": user.sex,
        "phone": user.phone,
        "username": user.username,
        "password_set": bool(user.password_hash),
        # Only a keyed hash and this mask are stored: the full number is not held anywhere.
        "id_number_masked": user.id_masked,
        "region_code": user.region_code,
        "region_name": _place(places, user.region_code, locale) if user.region_code else None,
        "locale": user.locale,
        "roles": user.roles,
        "created_at": user.created_dt,
        "last_login_at": user.last_login_dt,
    }
    line = " · ".join(p for p in parts if p) or _t(locale, "（未填写）", "(not filled in)")
    return [Record(user.created_dt, line, data)]


def _login_codes(user: User, locale: str) -> list[Record]:
    if not user.phone:
        return []
    rows = db.session.scalars(
        select(OtpChallenge)
        .where(OtpChallenge.phone == user.phone)
        .order_by(OtpChallenge.created_dt.desc())
    )
    out = []
    for row in rows:
        used = _t(locale, "已使用", "used") if row.consumed_dt else _t(locale, "未使用", "unused")
        out.append(
            Record(
                row.created_dt,
                f"{_when(row.created_dt)} · {_word(PURPOSES, row.purpose, locale)} · {used}",
                {
                    "purpose": row.purpose,
                    "sent_at": row.created_dt,
                    "expires_at": row.expires_dt,
                    "closed_at": row.consumed_dt,
                    "failed_attempts": row.attempts,
                    # The code itself is kept only as a keyed hash and is not exported.
                },
            )
        )
    return out


# -- health cards ----------------------------------------------------------------------------


def _declarations(user: User, locale: str) -> list[Record]:
    rows = list(
        db.session.scalars(
            select(HealthDeclaration)
            .where(HealthDeclaration.user_id == user.id)
            .order_by(HealthDeclaration.declared_dt.desc(), HealthDeclaration.id.desc())
        )
    )
    places = _places(
        {r.current_village_code for r in rows} | {r.household_region_code for r in rows}
    )
    out = []
    for r in rows:
        symptoms = "、".join(r.symptoms) if r.symptoms else _t(locale, "无症状", "no symptoms")
        out.append(
            Record(
                r.declared_dt,
                f"{_when(r.declared_dt)} · {r.temperature}℃ · {symptoms} · "
                f"{_word(STATUS, r.resulting_status, locale)}",
                {
                    "declared_at": r.declared_dt,
                    "id_type": r.id_type,
                    "household_region_code": r.household_region_code,
                    "current_village_code": r.current_village_code,
                    "current_village_name": _place(places, r.current_village_code, locale),
                    "temperature": _temperature(r.temperature),
                    "symptoms": list(r.symptoms or []),
                    "hubei_exposure_date": r.hubei_exposure_date,
                    "case_contact": r.case_contact,
                    "assessed_status": r.assessed_status,
                    "resulting_status": r.resulting_status,
                    "declared_by_staff": r.proxy_by_id is not None,
                    "consent_recorded": r.consent_recorded,
                },
            )
        )
    return out


def _health_status(user: User, locale: str) -> list[Record]:
    row = db.session.get(HealthStatus, user.id)
    if row is None:
        return []
    until = f" · {_t(locale, '观察至', 'observation until')} {row.quarantine_until}"
    return [
        Record(
            row.updated_dt,
            _word(STATUS, row.status, locale) + (until if row.quarantine_until else ""),
            {
                "status": row.status,
                "reasons": list(row.reasons or []),
                "quarantine_until": row.quarantine_until,
                "updated_at": row.updated_dt,
            },
        )
    ]


def _status_changes(user: User, locale: str) -> list[Record]:
    rows = db.session.scalars(
        select(StatusChange)
        .where(StatusChange.user_id == user.id)
        .order_by(StatusChange.changed_dt.desc(), StatusChange.id.desc())
    )
    return [
        Record(
            r.changed_dt,
            f"{_when(r.changed_dt)} · "
            + (f"{_word(STATUS, r.from_status, locale)} → " if r.from_status else "")
            + _word(STATUS, r.to_status, locale),
            {
                "changed_at": r.changed_dt,
                "from_status": r.from_status,
                "to_status": r.to_status,
                "reasons": list(r.reasons or []),
                "cause": r.cause,
                "by_staff": _by_staff(r.actor_id, user),
                "comment": r.comment,
            },
        )
        for r in rows
    ]


def card_rows(user_id: int) -> list[HealthCard]:
    return list(
        db.session.scalars(
            select(HealthCard)
            .where(HealthCard.user_id == user_id)
            .order_by(HealthCard.issued_dt.desc(), HealthCard.id.desc())
        )
    )


def _cards(user: User, locale: str) -> list[Record]:
    out = []
    for c in card_rows(user.id):
        state = (
            _t(locale, "已撤销", "revoked")
            if c.revoked_dt
            else f"{_t(locale, '有效至', 'valid until')} {_when(c.expires_dt)}"
        )
        out.append(
            Record(
                c.issued_dt,
                f"{_word(CARD_TYPES, c.card_type, locale)} {c.card_id[:8]}… · "
                f"{_word(STATUS, c.status, locale)} · {state}",
                {
                    "card_id": c.card_id,
                    "card_type": c.card_type,
                    "status": c.status,
                    "reasons": list(c.reasons or []),
                    "quarantine_until": c.quarantine_until,
                    "name_masked": c.name_masked,
                    "id_last4": c.id_last4,
                    "issued_at": c.issued_dt,
                    "expires_at": c.expires_dt,
                    "destination_code": c.destination_code,
                    "departure_date": c.departure_date,
                    "revoked_at": c.revoked_dt,
                    "revoked_reason": c.revoked_reason,
                    "qr_text": c.qr_text,
                },
            )
        )
    return out


def _appeals(user: User, locale: str) -> list[Record]:
    rows = db.session.scalars(
        select(Appeal).where(Appeal.user_id == user.id).order_by(Appeal.filed_dt.desc())
    )
    states = {"open": ("待处理", "open"), "upheld": ("已支持", "upheld")}
    states["rejected"] = ("未支持", "rejected")
    return [
        Record(
            a.filed_dt,
            f"{_when(a.filed_dt)} · {_word(states, a.state, locale)}",
            {
                "filed_at": a.filed_dt,
                "status_at_filing": a.status_at_filing,
                "reason": a.reason,
                "state": a.state,
                "decisions": [
                    {
                        "decided_at": d.decided_dt,
                        "outcome": d.outcome,
                        "new_status": d.new_status,
                        "comment": d.comment,
                    }
                    for d in a.decisions
                ],
            },
        )
        for a in rows
    ]


# -- checkpoints and supervision -------------------------------------------------------------


def _checkins(user: User, locale: str) -> list[Record]:
    rows = list(
        db.session.scalars(
            select(CheckpointCheckIn)
            .where(CheckpointCheckIn.user_id == user.id)
            .order_by(CheckpointCheckIn.checked_in_dt.desc())
        )
    )
    names = _checkpoint_names({r.checkpoint_id for r in rows})
    return [
        Record(
            r.checked_in_dt,
            f"{_when(r.checked_in_dt)} · {names.get(r.checkpoint_id, '-')}",
            {
                "checkpoint_id": r.checkpoint_id,
                "checkpoint_name": names.get(r.checkpoint_id),
                "checked_in_at": r.checked_in_dt,
                "day": r.day,
                "status": r.status,
            },
        )
        for r in rows
    ]


def _card_scans(user: User, locale: str) -> list[Record]:
    card_ids = [c.card_id for c in card_rows(user.id)]
    if not card_ids:
        return []
    rows = list(
        db.session.scalars(
            select(CheckpointScan)
            .where(CheckpointScan.card_id.in_(card_ids))
            .order_by(CheckpointScan.scanned_dt.desc())
        )
    )
    names = _checkpoint_names({r.checkpoint_id for r in rows})
    return [
        Record(
            r.scanned_dt,
            f"{_when(r.scanned_dt)} · {names.get(r.checkpoint_id, '-')} · "
            + (
                _word(DECISIONS, r.decision, locale)
                if r.decision
                else _t(locale, "已扫码", "scanned")
            ),
            {
                "checkpoint_id": r.checkpoint_id,
                "checkpoint_name": names.get(r.checkpoint_id),
                "scanned_at": r.scanned_dt,
                "card_id": r.card_id,
                "valid": r.valid,
                "reason": r.reason,
                "status": r.status,
                "card_type": r.card_type,
                "decision": r.decision,
                "refusal_reason": r.refusal_reason,
                "refusal_note": r.refusal_note,
            },
        )
        for r in rows
    ]


def _gate_lookups(user: User, locale: str) -> list[Record]:
    rows = list(
        db.session.scalars(
            select(GateLookup)
            .where(GateLookup.subject_id == user.id)
            .order_by(GateLookup.at_dt.desc())
        )
    )
    names = _checkpoint_names({r.checkpoint_id for r in rows})
    return [
        Record(
            r.at_dt,
            f"{_when(r.at_dt)} · {names.get(r.checkpoint_id, '-')}",
            {
                "checkpoint_id": r.checkpoint_id,
                "checkpoint_name": names.get(r.checkpoint_id),
                "looked_up_at": r.at_dt,
                "method": r.method,
                "outcome": r.outcome,
                "status": r.status,
            },
        )
        for r in rows
    ]


def _complaints(user: User, locale: str) -> list[Record]:
    rows = list(
        db.session.scalars(
            select(Complaint).where(Complaint.user_id == user.id).order_by(Complaint.id.desc())
        )
    )
    names = _checkpoint_names({r.checkpoint_id for r in rows})
    places = _places({r.village_code for r in rows})
    out = []
    for r in rows:
        where = names.get(r.checkpoint_id) or _place(places, r.village_code, locale)
        case = r.case
        out.append(
            Record(
                r.filed_dt,
                f"{_when(r.occurred_dt)} · {where}",
                {
                    "filed_at": r.filed_dt,
                    "occurred_at": r.occurred_dt,
                    "day": r.day,
                    "checkpoint_id": r.checkpoint_id,
                    "checkpoint_name": names.get(r.checkpoint_id),
                    "village_code": r.village_code,
                    "kind": r.kind,
                    "description": r.description,
                    "photos": len(r.photos),
                    "joined_earlier_case": r.duplicate,
                    "case_state": case.state,
                    "case_outcome": case.outcome,
                    "case_resolution": case.resolution,
                },
            )
        )
    return out


# -- quarantine ------------------------------------------------------------------------------


def _quarantine_cases(user: User, locale: str) -> list[Record]:
    rows = list(
        db.session.scalars(
            select(QuarantineCase)
            .where(QuarantineCase.user_id == user.id)
            .order_by(QuarantineCase.id.desc())
        )
    )
    places = _places({r.village_code for r in rows})
    return [
        Record(
            r.opened_dt,
            f"{r.start_date} – {r.planned_end_date} · {_word(CASE_STATES, r.state, locale)}",
            {
                "state": r.state,
                "origin": r.origin,
                "start_date": r.start_date,
                "planned_end_date": r.planned_end_date,
                "place": r.place,
                "address": r.address,
                "village_code": r.village_code,
                "village_name": _place(places, r.village_code, locale),
                "opened_at": r.opened_dt,
                "open_reason": r.open_reason,
                "referred_at": r.referred_dt,
                "referral_reasons": list(r.referral_reasons or []),
                "closed_at": r.closed_dt,
                "close_reason": r.close_reason,
                "hospital": r.hospital,
            },
        )
        for r in rows
    ]


def _quarantine_checks(user: User, locale: str) -> list[Record]:
    rows = db.session.scalars(
        select(QuarantineCheck)
        .join(QuarantineCase, QuarantineCase.id == QuarantineCheck.case_id)
        .where(QuarantineCase.user_id == user.id)
        .order_by(QuarantineCheck.recorded_dt.desc(), QuarantineCheck.id.desc())
    )
    return [
        Record(
            r.recorded_dt,
            f"{r.check_date} · {r.temperature}℃"
            + (f" · {'、'.join(r.symptoms)}" if r.symptoms else ""),
            {
                "case_id": r.case_id,
                "check_date": r.check_date,
                "temperature": _temperature(r.temperature),
                "symptoms": list(r.symptoms or []),
                "abnormal": r.abnormal,
                "source": r.source,
                "recorded_at": r.recorded_dt,
            },
        )
        for r in rows
    ]


def _workplace_checks(user: User, locale: str) -> list[Record]:
    rows = list(
        db.session.scalars(
            select(WorkplaceCheck)
            .where(WorkplaceCheck.user_id == user.id)
            .order_by(WorkplaceCheck.check_date.desc(), WorkplaceCheck.id.desc())
        )
    )
    names = _employer_names({r.employer_id for r in rows})
    return [
        Record(
            r.recorded_dt,
            f"{r.check_date} · {names.get(r.employer_id, '-')} · {r.temperature}℃",
            {
                "employer_name": names.get(r.employer_id),
                "check_date": r.check_date,
                "temperature": _temperature(r.temperature),
                "symptoms": list(r.symptoms or []),
                "abnormal": r.abnormal,
                "source": r.source,
                "recorded_at": r.recorded_dt,
            },
        )
        for r in rows
    ]


# -- employers, jobs, intents ----------------------------------------------------------------


def _rosters(user: User, locale: str) -> list[Record]:
    rows = list(
        db.session.scalars(
            select(EmployerWorker)
            .where(EmployerWorker.user_id == user.id)
            .order_by(EmployerWorker.id.desc())
        )
    )
    names = _employer_names({r.employer_id for r in rows})
    return [
        Record(
            r.added_dt,
            f"{names.get(r.employer_id, '-')} · {_t(locale, '入职', 'admitted')} {r.admitted_on}",
            {
                "employer_name": names.get(r.employer_id),
                "admitted_on": r.admitted_on,
                "source": r.source,
                "note": r.note,
                "added_at": r.added_dt,
            },
        )
        for r in rows
    ]


def intent_of(user_id: int) -> EmploymentIntent | None:
    return db.session.scalars(
        select(EmploymentIntent).where(EmploymentIntent.user_id == user_id)
    ).first()


def _intent(user: User, locale: str) -> list[Record]:
    i = intent_of(user.id)
    if i is None:
        return []
    kinds = {"outbound": ("外出务工", "outbound"), "local": ("本地就业", "local")}
    places = _places({i.origin_village_code})
    withdrawn = f" · {_t(locale, '已撤回', 'withdrawn')}" if i.withdrawn_dt else ""
    return [
        Record(
            i.updated_dt,
            f"{_word(kinds, i.kind, locale)} → {_destination(i.destination_code, locale)}"
            f"{withdrawn}",
            {
                "kind": i.kind,
                "destination_code": i.destination_code,
                "destination_name": _destination(i.destination_code, locale),
                "origin_village_code": i.origin_village_code,
                "origin_village_name": _place(places, i.origin_village_code, locale),
                "trade": i.trade,
                "job_arranged": i.job_arranged,
                "employer_name": i.employer_name,
                "job_start_date": i.job_start_date,
                "departure_date": i.departure_date,
                "needs_transport": i.needs_transport,
                "needs_certificate": i.needs_certificate,
                "wage_expectation": i.wage_expectation,
                "note": i.note,
                "departed_at": i.departed_dt,
                "certificate_card_id": i.certificate_card_id,
                "certificate_issued_at": i.certificate_issued_dt,
                "withdrawn_at": i.withdrawn_dt,
                "registered_by_staff": i.proxy_by_id is not None,
                "consent_recorded": i.consent_recorded,
                "created_at": i.created_dt,
                "updated_at": i.updated_dt,
            },
        )
    ]


def _intent_history(user: User, locale: str) -> list[Record]:
    rows = db.session.scalars(
        select(IntentChange)
        .join(EmploymentIntent, EmploymentIntent.id == IntentChange.intent_id)
        .where(EmploymentIntent.user_id == user.id)
        .order_by(IntentChange.changed_dt.desc(), IntentChange.id.desc())
    )
    return [
        Record(
            r.changed_dt,
            f"{_when(r.changed_dt)} · {_word(INTENT_ACTIONS, r.action, locale)}",
            {
                "changed_at": r.changed_dt,
                "action": r.action,
                "by_staff": _by_staff(r.actor_id, user),
                "snapshot": dict(r.snapshot or {}),
            },
        )
        for r in rows
    ]


def _applications(user: User, locale: str) -> list[Record]:
    rows = db.session.execute(
        select(Application, JobPosting.title, Employer.name)
        .join(JobPosting, JobPosting.id == Application.posting_id)
        .join(Employer, Employer.id == JobPosting.employer_id)
        .where(Application.user_id == user.id)
        .order_by(Application.id.desc())
    ).all()
    return [
        Record(
            a.created_dt,
            f"{title} · {employer} · {_word(APPLICATION_STATES, a.status, locale)}",
            {
                "posting_id": a.posting_id,
                "posting_title": title,
                "employer_name": employer,
                "status": a.status,
                "card_colour_shared": a.share_card,
                "applied_at": a.created_dt,
                "status_changed_at": a.status_dt,
            },
        )
        for a, title, employer in rows
    ]


# -- transport and subsidies -----------------------------------------------------------------


def _transport_batches(user: User, locale: str) -> list[Record]:
    rows = db.session.execute(
        select(RequestWorker, TransportRequest)
        .join(TransportRequest, TransportRequest.id == RequestWorker.request_id)
        .where(RequestWorker.user_id == user.id)
        .order_by(RequestWorker.id.desc())
    ).all()
    return [
        Record(
            w.added_dt,
            f"#{r.id} · {_destination(r.origin_code, locale)} → "
            f"{_destination(r.destination_code, locale)} · {r.window_start}",
            {
                "batch_id": r.id,
                "direction": r.direction,
                "batch_state": r.state,
                "your_state": w.state,
                "origin_code": r.origin_code,
                "destination_code": r.destination_code,
                "window_start": r.window_start,
                "window_end": r.window_end,
                "added_at": w.added_dt,
                "answered_at": w.responded_dt,
            },
        )
        for w, r in rows
    ]


def passengers_of(user_id: int) -> list[Passenger]:
    return list(
        db.session.scalars(
            select(Passenger).where(Passenger.user_id == user_id).order_by(Passenger.id.desc())
        )
    )


def _transport_seats(user: User, locale: str) -> list[Record]:
    out = []
    for p in passengers_of(user.id):
        trip: Trip = p.trip
        out.append(
            Record(
                p.booked_dt,
                f"{_when(trip.departure_dt)} · {trip.vehicle.plate} · {p.seat}",
                {
                    "trip_id": trip.id,
                    "plate": trip.vehicle.plate,
                    "departure_at": trip.departure_dt,
                    "departure_place": trip.departure_place,
                    "arrival_place": trip.arrival_place,
                    "seat": p.seat,
                    "state": p.state,
                    "booked_at": p.booked_dt,
                    "boarded_at": p.boarded_dt,
                    "temperature": _temperature(p.temperature),
                    "refusal_reason": p.refusal_reason,
                    "refusal_note": p.refusal_note,
                    "arrived_at": p.arrived_dt,
                },
            )
        )
    return out


def _boarding_scans(user: User, locale: str) -> list[Record]:
    ids = [p.id for p in passengers_of(user.id)]
    if not ids:
        return []
    rows = db.session.scalars(
        select(BoardingScan)
        .where(BoardingScan.passenger_id.in_(ids))
        .order_by(BoardingScan.scanned_dt.desc())
    )
    words = {"board": ("上车", "boarded"), "refuse": ("拒绝上车", "refused")}
    return [
        Record(
            s.scanned_dt,
            f"{_when(s.scanned_dt)} · {_word(words, s.decision, locale)}",
            {
                "trip_id": s.trip_id,
                "scanned_at": s.scanned_dt,
                "card_id": s.card_id,
                "valid": s.valid,
                "reason": s.reason,
                "status": s.status,
                "temperature": _temperature(s.temperature),
                "decision": s.decision,
                "refusal_reason": s.refusal_reason,
                "refusal_note": s.refusal_note,
            },
        )
        for s in rows
    ]


def _subsidy_tests(user: User, locale: str) -> list[Record]:
    rows = db.session.execute(
        select(TestBatch, Employer.name)
        .join(TestBatchPerson, TestBatchPerson.batch_id == TestBatch.id)
        .join(Employer, Employer.id == TestBatch.employer_id)
        .where(TestBatchPerson.user_id == user.id)
        .order_by(TestBatch.tested_on.desc(), TestBatch.id.desc())
    ).all()
    return [
        Record(
            b.tested_on,
            f"{b.tested_on} · {employer} · {b.institution}",
            {
                "batch_id": b.id,
                "employer_name": employer,
                "tested_on": b.tested_on,
                "institution": b.institution,
            },
        )
        for b, employer in rows
    ]


# -- the audit trail -------------------------------------------------------------------------


def audit_statement(user: User) -> Any:
    """Events the person did, or done to one of their records (their intent, applications,
    quarantine cases, their account)."""
    subjects = [and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user.id))]
    intent = intent_of(user.id)
    if intent is not None:
        subjects.append(
            and_(AuditEvent.subject_type == "intent", AuditEvent.subject_id == str(intent.id))
        )
    pairs = (
        ("job_application", select(Application.id).where(Application.user_id == user.id)),
        ("quarantine_case", select(QuarantineCase.id).where(QuarantineCase.user_id == user.id)),
    )
    for kind, ids in pairs:
        values = [str(i) for i in db.session.scalars(ids)]
        if values:
            subjects.append(
                and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(values))
            )
    return select(AuditEvent).where(or_(AuditEvent.actor_id == user.id, *subjects))


def _audit(user: User, locale: str) -> list[Record]:
    rows = db.session.scalars(audit_statement(user).order_by(AuditEvent.id.desc()))
    return [
        Record(
            e.at_dt,
            f"{_when(e.at_dt)} · {_word(AUDIT_ACTIONS, e.action, locale)}",
            {
                "at": e.at_dt,
                "action": e.action,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "by_you": e.actor_id == user.id,
                "reason": e.reason,
            },
        )
        for e in rows
    ]


CATEGORIES: tuple[Category, ...] = (
    Category("account", "deleted", _account),
    Category("login_codes", "deleted", _login_codes),
    Category("declarations", "deleted", _declarations),
    Category("health_status", "deleted", _health_status),
    Category("status_changes", "deleted", _status_changes),
    Category("cards", "revoked", _cards),
    Category("appeals", "deleted", _appeals),
    Category("checkins", "anonymised", _checkins),
    Category("card_scans", "anonymised", _card_scans),
    Category("gate_lookups", "anonymised", _gate_lookups),
    Category("complaints", "anonymised", _complaints),
    Category("quarantine_cases", "anonymised", _quarantine_cases),
    Category("quarantine_checks", "deleted", _quarantine_checks),
    Category("workplace_checks", "deleted", _workplace_checks),
    Category("employer_rosters", "deleted", _rosters),
    Category("intent", "anonymised", _intent),
    Category("intent_history", "deleted", _intent_history),
    Category("applications", "anonymised", _applications),
    Category("transport_batches", "anonymised", _transport_batches),
    Category("transport_seats", "anonymised", _transport_seats),
    Category("boarding_scans", "anonymised", _boarding_scans),
    Category("subsidy_tests", "anonymised", _subsidy_tests),
    Category("audit", "kept", _audit),
)

# Every column that names the person a row is about, and where it is handled: a category
# above, or the staff hold (services.holds_of) for roles a worker cannot erase by themselves.
# Every other foreign key to users records who *did* something (an official, a volunteer, the
# person acting on their own records); after erasure such a key leads to the emptied account.
# tests/privacy checks that this list and the schema agree, so a new table cannot be missed.
SUBJECT_COLUMNS: dict[tuple[str, str], str] = {
    ("users", "id"): "account",
    ("user_roles", "user_id"): "account",
    ("otp_challenges", "phone"): "login_codes",
    ("health_declarations", "user_id"): "declarations",
    ("health_statuses", "user_id"): "health_status",
    ("status_changes", "user_id"): "status_changes",
    ("health_cards", "user_id"): "cards",
    ("appeals", "user_id"): "appeals",
    ("checkpoint_checkins", "user_id"): "checkins",
    ("checkpoint_scans", "card_id"): "card_scans",
    ("supervision_gate_lookups", "subject_id"): "gate_lookups",
    ("supervision_complaints", "user_id"): "complaints",
    ("quarantine_cases", "user_id"): "quarantine_cases",
    ("workplace_checks", "user_id"): "workplace_checks",
    ("employer_workers", "user_id"): "employer_rosters",
    ("employment_intents", "user_id"): "intent",
    ("job_applications", "user_id"): "applications",
    ("transport_request_workers", "user_id"): "transport_batches",
    ("transport_passengers", "user_id"): "transport_seats",
    ("transport_boarding_scans", "card_id"): "boarding_scans",
    ("subsidy_test_batch_people", "user_id"): "subsidy_tests",
    ("privacy_erasures", "user_id"): "account",
    ("checkpoint_volunteers", "user_id"): "staff hold",
    ("employer_staff", "user_id"): "staff hold",
    ("transport_trips", "escort_id"): "transport hold",
    ("transport_trips", "medic_id"): "transport hold",
}

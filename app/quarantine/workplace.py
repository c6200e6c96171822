"""Enterprise daily monitoring: an employer's staff record their admitted workers' readings.

One by one, or a whole day's list from a CSV/XLSX file. A file is validated row by row and
applied only if every row is valid (errors carry the row's line number; a file with errors
changes nothing). Readings are keyed by (employer, worker, local date): uploading the same file
again changes nothing, and a corrected value replaces the old one. A fever or symptom turns the
worker's card red and texts the community the worker lives in (services.abnormal_reading); it
is never undone by a later, normal value.

Who is who in a file: the phone number (手机号) first; for a worker without one, the name
(姓名) together with the last four characters of the ID number (身份证后四位). Either way the
worker must be on this employer's roster: a file can reach no one else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.accounts.identity import is_valid_phone
from app.accounts.models import User
from app.audit.services import record
from app.cards.rules import SYMPTOMS
from app.employers.models import Employer, EmployerWorker
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.quarantine.models import WorkplaceCheck
from app.quarantine.rules import abnormal_reasons
from app.quarantine.services import abnormal_reading
from app.quarantine.uploads import RawRow
from app.timeutil import local_today, utcnow

register_messages(
    {
        "employer_not_verified": (
            "企业通过属地核验后才能登记员工体温。",
            "The employer must be verified before recording staff temperatures.",
        ),
        "not_on_roster": ("该人员不在本企业花名册中。", "This person is not on your roster."),
        "worker_unidentified": (
            "请填写手机号，或填写姓名和身份证后四位。",
            "Give the phone number, or the name and the last 4 of the ID number.",
        ),
        "id_last4_invalid": ("身份证后四位格式不正确。", "The last 4 of the ID are not valid."),
        "name_mismatch": (
            "姓名与该手机号登记的人员不一致。",
            "The name differs from the person registered with this phone.",
        ),
        "worker_ambiguous": (
            "花名册中有多人姓名和身份证后四位相同，请改用手机号。",
            "Several people on the roster match; use the phone number.",
        ),
        "duplicate_worker": (
            "与第 {first_line} 行是同一人。",
            "Same person as on line {first_line}.",
        ),
        "temperature_invalid": (
            "体温须为 34.0 至 43.0 之间的数字，最多一位小数。",
            "The temperature must be 34.0 to 43.0, with at most one decimal.",
        ),
        "symptom_unknown": ("无法识别的症状：{value}", "Unknown symptom: {value}"),
        "upload_invalid": (
            "文件中有 {error_count} 处错误，未登记任何数据。请修改后重新上传。",
            "The file has {error_count} error(s); nothing was recorded. Fix and upload again.",
        ),
        "check_date_invalid": (
            "只能登记今天或之前 {days} 天内的体温。",
            "Only today or the {days} days before can be recorded.",
        ),
    }
)

BACKDATE_DAYS = 7
MAX_ERRORS = 200
SYMPTOM_WORDS = {
    "无": None,
    "没有": None,
    "正常": None,
    "none": None,
    "发热": "fever",
    "发烧": "fever",
    "咳嗽": "cough",
    "乏力": "fatigue",
    "咽痛": "sore_throat",
    "咽喉痛": "sore_throat",
    "嗓子痛": "sore_throat",
    "气促": "shortness_of_breath",
    "气短": "shortness_of_breath",
    "呼吸困难": "shortness_of_breath",
    "腹泻": "diarrhoea",
    **{code: code for code in SYMPTOMS},
}
_TEMPERATURE_RE = re.compile(r"^\d{2}(\.\d)?$")
_SPLIT_RE = re.compile(r"[、,，;；/\s]+")
_LAST4_RE = re.compile(r"^\d{3}[\dX]$")


@dataclass(frozen=True)
class Reading:
    """A validated row: who, what they measured."""

    line: int
    user: User
    temperature: Decimal
    symptoms: tuple[str, ...]


@dataclass
class Outcome:
    """What applying readings did (or, for a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    abnormal: int = 0
    checks: list[WorkplaceCheck] = field(default_factory=list)


def employer_of(user: User) -> Employer:
    """The verified employer a staff user records for."""
    from app.employers.services import require_staff

    employer = require_staff(user)
    if not employer.verified:
        raise Forbidden("employer_not_verified")
    return employer


def check_day(day: date | None, now: datetime) -> date:
    today = local_today(now)
    day = day or today
    if day > today or day < today - timedelta(days=BACKDATE_DAYS):
        raise ValidationFailed(
            errors=[
                {"field": "date", "code": "check_date_invalid", "params": {"days": BACKDATE_DAYS}}
            ]
        )
    return day


def roster_member(employer: Employer, user_id: int) -> User:
    user = db.session.scalars(
        select(User)
        .join(EmployerWorker, EmployerWorker.user_id == User.id)
        .where(EmployerWorker.employer_id == employer.id, User.id == user_id)
    ).first()
    if user is None:
        raise NotFound("not_on_roster")
    return user


def _temperature(text: str) -> Decimal | None:
    text = text.replace("℃", "").replace("°C", "").replace("°", "").strip()
    if not _TEMPERATURE_RE.match(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return value if Decimal("34.0") <= value <= Decimal("43.0") else None


def _symptoms(text: str) -> tuple[tuple[str, ...], str | None]:
    """(symptom codes, first unknown word or None)."""
    codes: list[str] = []
    for word in _SPLIT_RE.split(text.strip()):
        if not word:
            continue
        key = word.lower() if word.isascii() else word
        if key not in SYMPTOM_WORDS:
            return (), word[:20]
        code = SYMPTOM_WORDS[key]
        if code and code not in codes:
            codes.append(code)
    return tuple(codes), None


class _Roster:
    """The employer's workers, looked up by phone or by name + ID last 4."""

    def __init__(self, employer: Employer) -> None:
        users = db.session.scalars(
            select(User)
            .join(EmployerWorker, EmployerWorker.user_id == User.id)
            .where(EmployerWorker.employer_id == employer.id)
        ).all()
        self.by_phone = {u.phone: u for u in users if u.phone}
        self.by_name: dict[tuple[str, str], list[User]] = {}
        for u in users:
            if u.name and u.id_masked:
                self.by_name.setdefault((u.name, u.id_masked[-4:]), []).append(u)

    def find(self, cells: dict[str, str]) -> tuple[User | None, str | None, str]:
        """(user, error code, field)."""
        phone = re.sub(r"[\s-]", "", cells.get("phone", ""))
        name = cells.get("name", "").strip()
        last4 = cells.get("id_last4", "").strip().upper()
        if last4.isdigit() and len(last4) < 4:
            last4 = last4.zfill(4)  # Excel drops leading zeros of numbers
        if phone:
            if not is_valid_phone(phone):
                return None, "phone_invalid", "phone"
            user = self.by_phone.get(phone)
            if user is None:
                return None, "not_on_roster", "phone"
            if name and name != user.name:
                return None, "name_mismatch", "name"
            return user, None, "phone"
        if not name or not last4:
            return None, "worker_unidentified", "phone"
        if not _LAST4_RE.match(last4):
            return None, "id_last4_invalid", "id_last4"
        found = self.by_name.get((name, last4), [])
        if len(found) > 1:
            return None, "worker_ambiguous", "name"
        if not found:
            return None, "not_on_roster", "name"
        return found[0], None, "name"


def validate_rows(employer: Employer, rows: Sequence[RawRow]) -> list[Reading]:
    """Every row checked; ValidationFailed listing each bad row (line, field, code) if any."""
    roster = _Roster(employer)
    errors: list[dict] = []
    readings: list[Reading] = []
    seen: dict[int, int] = {}
    for row in rows:
        row_errors = []
        user, code, column = roster.find(row.cells)
        if code:
            row_errors.append({"line": row.line, "field": column, "code": code})
        elif user.id in seen:
            row_errors.append(
                {
                    "line": row.line,
                    "field": column,
                    "code": "duplicate_worker",
                    "params": {"first_line": seen[user.id]},
                }
            )
        temperature = _temperature(row.cells.get("temperature", ""))
        if temperature is None:
            row_errors.append(
                {"line": row.line, "field": "temperature", "code": "temperature_invalid"}
            )
        symptoms, unknown = _symptoms(row.cells.get("symptoms", ""))
        if unknown:
            row_errors.append(
                {
                    "line": row.line,
                    "field": "symptoms",
                    "code": "symptom_unknown",
                    "params": {"value": unknown},
                }
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        seen[user.id] = row.line
        readings.append(Reading(row.line, user, temperature, symptoms))
    if errors:
        raise ValidationFailed(
            "upload_invalid",
            errors=errors[:MAX_ERRORS],
            error_count=len(errors),
            rows=len(rows),
        )
    return readings


def apply_readings(
    employer: Employer,
    readings: Sequence[Reading],
    *,
    day: date,
    actor: User,
    source: str,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Store readings keyed by (employer, worker, day); a new fever acts at once."""
    now = now or utcnow()
    outcome = Outcome()
    existing: dict[int, WorkplaceCheck] = {}
    ids = [r.user.id for r in readings]
    for start in range(0, len(ids), 500):
        existing.update(
            (c.user_id, c)
            for c in db.session.scalars(
                select(WorkplaceCheck).where(
                    WorkplaceCheck.employer_id == employer.id,
                    WorkplaceCheck.check_date == day,
                    WorkplaceCheck.user_id.in_(ids[start : start + 500]),
                )
            )
        )
    for reading in readings:
        reasons = abnormal_reasons(reading.temperature, reading.symptoms)
        symptoms = sorted(reading.symptoms)
        check = existing.get(reading.user.id)
        was_abnormal = check is not None and check.abnormal
        if check is not None and check.temperature == reading.temperature:
            if sorted(check.symptoms or []) == symptoms:
                outcome.unchanged += 1
                outcome.checks.append(check)
                continue
        if reasons:
            outcome.abnormal += 1
        if dry_run:
            outcome.created += check is None
            outcome.updated += check is not None
            continue
        if check is None:
            check = WorkplaceCheck(employer_id=employer.id, user_id=reading.user.id, check_date=day)
            db.session.add(check)
            outcome.created += 1
            action = "quarantine.workplace_check"
        else:
            outcome.updated += 1
            action = "quarantine.workplace_check_corrected"
        before = {"temperature": str(check.temperature), "symptoms": check.symptoms}
        check.temperature, check.symptoms = reading.temperature, symptoms
        check.abnormal = was_abnormal or bool(reasons)  # a fever is never undone here
        check.source, check.recorded_by_id, check.recorded_dt = source, actor.id, now
        record(
            action,
            actor=actor,
            subject_type="employer",
            subject_id=employer.id,
            region_code=employer.region_code,
            detail={
                "user_id": reading.user.id,
                "date": day.isoformat(),
                "temperature": str(reading.temperature),
                "symptoms": symptoms,
                "source": source,
                **({"before": before} if action.endswith("corrected") else {}),
            },
            now=now,
        )
        if reasons and not was_abnormal:
            abnormal_reading(reading.user, reasons, reading.temperature, now=now, actor=actor)
        outcome.checks.append(check)
    if not dry_run:
        db.session.flush()
    return outcome


def record_one(
    employer: Employer,
    user_id: int,
    *,
    temperature: Decimal,
    symptoms: Sequence[str],
    actor: User,
    day: date | None = None,
    now: datetime | None = None,
) -> tuple[WorkplaceCheck, Outcome]:
    """One worker's reading, entered by the employer's staff in the PWA."""
    now = now or utcnow()
    day = check_day(day, now)
    if "none" in symptoms and len(set(symptoms)) > 1:
        raise ValidationFailed(errors=[{"field": "symptoms", "code": "symptoms_conflict"}])
    user = roster_member(employer, user_id)
    codes = tuple(sorted(set(symptoms) - {"none"}))
    outcome = apply_readings(
        employer,
        [Reading(0, user, temperature, codes)],
        day=day,
        actor=actor,
        source="single",
        now=now,
    )
    return outcome.checks[0], outcome


def upload(
    employer: Employer,
    rows: Sequence[RawRow],
    *,
    actor: User,
    day: date | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Outcome:
    """A whole day's list: all rows valid, or nothing changes."""
    now = now or utcnow()
    day = check_day(day, now)
    readings = validate_rows(employer, rows)
    outcome = apply_readings(
        employer, readings, day=day, actor=actor, source="upload", now=now, dry_run=dry_run
    )
    if not dry_run:
        record(
            "quarantine.workplace_upload",
            actor=actor,
            subject_type="employer",
            subject_id=employer.id,
            region_code=employer.region_code,
            detail={
                "date": day.isoformat(),
                "rows": len(rows),
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "abnormal": outcome.abnormal,
            },
            now=now,
        )
    return outcome


def roster_page(employer: Employer) -> select:
    """The employer's roster rows (paginate by id), for the day's checklist."""
    return select(EmployerWorker).where(EmployerWorker.employer_id == employer.id)


def checks_on(employer: Employer, day: date, user_ids: Sequence[int]) -> dict[int, WorkplaceCheck]:
    """The readings of `day` for these workers, by user id."""
    if not user_ids:
        return {}
    return {
        c.user_id: c
        for c in db.session.scalars(
            select(WorkplaceCheck).where(
                WorkplaceCheck.employer_id == employer.id,
                WorkplaceCheck.check_date == day,
                WorkplaceCheck.user_id.in_(list(user_ids)),
            )
        )
    }

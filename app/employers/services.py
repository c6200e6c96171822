"""Employer rules: registration, verification by officials, staff invitations, the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, select

from app.accounts.access import require_oversight, scope_of
from app.accounts.models import User
from app.audit.services import record
from app.employers.credit_code import is_valid_credit_code, normalise_credit_code
from app.employers.models import ADMISSION_SOURCES, Employer, EmployerStaff, EmployerWorker
from app.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.regions.models import Region
from app.regions.services import CITY_CODE, is_within, region_subtree
from app.sms import send_sms
from app.timeutil import utcnow

register_messages(
    {
        "employer_not_found": ("未找到该企业。", "No such employer."),
        "not_employer_staff": (
            "您还不是任何企业的工作人员。",
            "You are not on the staff of any employer.",
        ),
        "already_employer_staff": (
            "您已是一家企业的工作人员。",
            "You are already on the staff of an employer.",
        ),
        "credit_code_taken": (
            "该统一社会信用代码已登记。",
            "This unified social credit code is already registered.",
        ),
        "region_not_local": ("请选择常德市内的地区。", "Choose a region in Changde."),
        "employer_verified_locked": (
            "企业已通过核验，名称、信用代码和所在地区不能再修改，请联系属地工作人员。",
            "The employer is verified: its name, credit code and region can no longer change; "
            "ask the officials of its region.",
        ),
        "employer_already_verified": ("该企业已通过核验。", "This employer is already verified."),
        "invitation_invalid": ("邀请链接无效。", "The invitation link is not valid."),
        "invitation_expired": (
            "邀请链接已过期，请让企业重新邀请。",
            "The invitation has expired; ask for a new one.",
        ),
        "invitation_other_phone": (
            "该邀请是发给另一个手机号的。",
            "This invitation was sent to another phone number.",
        ),
        "worker_not_found": (
            "未找到使用该手机号的务工人员。",
            "No worker uses this phone number.",
        ),
        "admission_source_unknown": ("来源无效。", "Unknown source."),
        "roster_entry_not_found": ("花名册中没有该人员。", "This person is not on the roster."),
    }
)

INVITATION_SALT = "fangang.employers.staff-invitation"
INVITATION_MAX_AGE = timedelta(days=3)
LOCKED_WHEN_VERIFIED = ("name", "credit_code", "region_code")
EDITABLE = (
    "name",
    "credit_code",
    "region_code",
    "address",
    "contact_name",
    "contact_phone",
    "industry",
)


@dataclass
class EmployerData:
    """What an employer registers (validated for shape by the API schema)."""

    name: str
    credit_code: str
    region_code: str
    address: str
    contact_name: str
    contact_phone: str
    industry: str


def employer_for_user(user: User | None) -> Employer | None:
    """The organisation a staff user belongs to, or None."""
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalars(
        select(Employer).join(EmployerStaff).where(EmployerStaff.user_id == user.id)
    ).first()


def require_staff(user: User) -> Employer:
    """The user's employer; Forbidden if they are nobody's staff."""
    employer = employer_for_user(user)
    if employer is None:
        raise Forbidden("not_employer_staff")
    return employer


def get_employer(employer_id: int) -> Employer:
    employer = db.session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("employer_not_found")
    return employer


def visible_employer(employer_id: int, actor: User) -> Employer:
    """An employer its own staff or the officials of its region may see (404 for others)."""
    employer = db.session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("employer_not_found")
    mine = employer_for_user(actor)
    if mine is not None and mine.id == employer.id:
        return employer
    scope = scope_of(actor)
    if scope is not None and is_within(employer.region_code, scope):
        return employer
    raise NotFound("employer_not_found")


def _check_region(code: str) -> None:
    if db.session.get(Region, code) is None:
        raise ValidationFailed(errors=[{"field": "region_code", "code": "region_unknown"}])
    if not is_within(code, CITY_CODE):
        raise ValidationFailed(errors=[{"field": "region_code", "code": "region_not_local"}])


def _check_credit_code(code: str, employer_id: int | None = None) -> str:
    code = normalise_credit_code(code)
    if not is_valid_credit_code(code):
        raise ValidationFailed(errors=[{"field": "credit_code", "code": "credit_code_invalid"}])
    other = db.session.scalars(select(Employer.id).where(Employer.credit_code == code)).first()
    if other is not None and other != employer_id:
        raise Conflict("credit_code_taken")
    return code


def register_employer(user: User, data: EmployerData, *, now: datetime | None = None) -> Employer:
    """Register an organisation; the user becomes its first staff member (role employer).

    It is pending until officials of its region verify it; until then its postings stay private.
    """
    now = now or utcnow()
    if employer_for_user(user) is not None:
        raise Conflict("already_employer_staff")
    code = _check_credit_code(data.credit_code)
    _check_region(data.region_code)
    employer = Employer(
        name=data.name.strip(),
        credit_code=code,
        region_code=data.region_code,
        address=data.address.strip(),
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone,
        industry=data.industry.strip(),
        verified=False,
        created_by_id=user.id,
        created_dt=now,
        updated_dt=now,
    )
    db.session.add(employer)
    db.session.flush()
    db.session.add(EmployerStaff(employer_id=employer.id, user_id=user.id, is_owner=True))
    user.add_role("employer")
    record(
        "employer.register",
        actor=user,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        now=now,
    )
    db.session.flush()
    return employer


def update_employer(
    employer: Employer, changes: dict[str, Any], *, actor: User, now: datetime | None = None
) -> Employer:
    """Change an employer's details. A verified employer keeps its name, code and region; a
    registration sent back goes to the officials again once corrected."""
    now = now or utcnow()
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    if employer.verified and any(
        k in LOCKED_WHEN_VERIFIED and getattr(employer, k) != v for k, v in changes.items()
    ):
        raise Conflict("employer_verified_locked")
    if "credit_code" in changes:
        changes["credit_code"] = _check_credit_code(changes["credit_code"], employer.id)
    if "region_code" in changes:
        _check_region(changes["region_code"])
    for key, value in changes.items():
        setattr(employer, key, value.strip() if isinstance(value, str) else value)
    if changes and not employer.verified:
        employer.rejected_reason, employer.rejected_dt = None, None
    employer.updated_dt = now
    record(
        "employer.update",
        actor=actor,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        detail={"fields": sorted(changes)},
        now=now,
    )
    if "name" in changes:
        from app.jobs.services import refresh_listings_of

        refresh_listings_of(employer)
    return employer


def employers_in_scope(actor: User, state: str | None = None) -> Select:
    """Employers of the actor's region subtree (officials, admins), by verification state."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden()
    stmt = select(Employer).where(region_subtree(Employer.region_code, scope))
    if state == "verified":
        stmt = stmt.where(Employer.verified.is_(True))
    elif state == "pending":
        stmt = stmt.where(Employer.verified.is_(False), Employer.rejected_reason.is_(None))
    elif state == "rejected":
        stmt = stmt.where(Employer.verified.is_(False), Employer.rejected_reason.is_not(None))
    return stmt


def verify_employer(employer: Employer, *, actor: User, now: datetime | None = None) -> Employer:
    """Officials of the employer's region confirm it is real; its postings may then go public."""
    now = now or utcnow()
    require_oversight(actor, employer.region_code)
    if employer.verified:
        raise Conflict("employer_already_verified")
    employer.verified, employer.verified_by_id, employer.verified_dt = True, actor.id, now
    employer.rejected_reason, employer.rejected_dt = None, None
    record(
        "employer.verify",
        actor=actor,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        now=now,
    )
    return employer


def reject_employer(
    employer: Employer, *, actor: User, reason: str, now: datetime | None = None
) -> Employer:
    """Send a registration back with the reason; once corrected it is pending again."""
    now = now or utcnow()
    require_oversight(actor, employer.region_code)
    if employer.verified:
        raise Conflict("employer_already_verified")
    employer.rejected_reason, employer.rejected_dt = reason.strip(), now
    record(
        "employer.reject",
        actor=actor,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        reason=reason,
        now=now,
    )
    return employer


# --- staff invitations ---------------------------------------------------------------------


def _invitations() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def invitation_max_age() -> timedelta:
    hours = current_app.config.get("EMPLOYER_INVITATION_HOURS")
    return timedelta(hours=int(hours)) if hours else INVITATION_MAX_AGE


def invitation_link(token: str, base_url: str = "/") -> str:
    """Where the invited person opens the invitation in the PWA."""
    return f"{base_url.rstrip('/')}/#/recruit/join?token={token}"


def invite_staff(
    employer: Employer,
    *,
    phone: str,
    actor: User,
    base_url: str = "/",
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """A signed link for one phone number, valid for invitation_max_age(); sent by SMS too.

    Returns the token and when it expires. Only the person logged in with that number can use it.
    """
    now = now or utcnow()
    token = _invitations().dumps({"employer": employer.id, "phone": phone})
    expires = now + invitation_max_age()
    hours = int(invitation_max_age().total_seconds() // 3600)
    send_sms(
        phone,
        f"【返岗】{employer.name}邀请您成为企业招聘人员，请在{hours}小时内登录后打开："
        f"{invitation_link(token, base_url)}",
    )
    record(
        "employer.invite_staff",
        actor=actor,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        now=now,
    )
    return token, expires


def read_invitation(token: str) -> dict[str, Any]:
    """The invitation's content, checked for signature, purpose and age."""
    try:
        data = _invitations().loads(token, max_age=int(invitation_max_age().total_seconds()))
    except SignatureExpired:
        raise DomainError("invitation_expired", status=410) from None
    except BadSignature:
        raise DomainError("invitation_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("employer"), int):
        raise DomainError("invitation_invalid")
    return data


def accept_invitation(user: User, token: str, *, now: datetime | None = None) -> Employer:
    """The invited person (logged in with the invited number) joins the employer's staff."""
    now = now or utcnow()
    data = read_invitation(token)
    if data.get("phone") != user.phone:
        raise Forbidden("invitation_other_phone")
    employer = db.session.get(Employer, data["employer"])
    if employer is None:
        raise DomainError("invitation_invalid")
    current = employer_for_user(user)
    if current is not None:
        if current.id == employer.id:
            return employer  # the link opened twice
        raise Conflict("already_employer_staff")
    db.session.add(
        EmployerStaff(employer_id=employer.id, user_id=user.id, is_owner=False, added_dt=now)
    )
    user.add_role("employer")
    record(
        "employer.join_staff",
        actor=user,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        now=now,
    )
    db.session.flush()
    return employer


def staff_of(employer: Employer) -> list[EmployerStaff]:
    return list(
        db.session.scalars(
            select(EmployerStaff)
            .where(EmployerStaff.employer_id == employer.id)
            .order_by(EmployerStaff.added_dt, EmployerStaff.user_id)
        )
    )


# --- the roster of admitted workers --------------------------------------------------------


def roster_entries(employer: Employer) -> Select:
    """The employer's roster rows (for pagination by id)."""
    return select(EmployerWorker).where(EmployerWorker.employer_id == employer.id)


def roster_of(employer: Employer) -> list[User]:
    """Every worker the employer admitted, in order of admission."""
    return list(
        db.session.scalars(
            select(User)
            .join(EmployerWorker, EmployerWorker.user_id == User.id)
            .where(EmployerWorker.employer_id == employer.id)
            .order_by(EmployerWorker.admitted_on, EmployerWorker.id)
        )
    )


def admit_worker(
    employer: Employer,
    user: User,
    *,
    on: date,
    source: str,
    posting_id: int | None = None,
    actor: User | None = None,
    note: str | None = None,
) -> EmployerWorker:
    """Put a worker on the employer's roster (once: a second admission returns the first)."""
    if source not in ADMISSION_SOURCES:
        raise ValidationFailed(errors=[{"field": "source", "code": "admission_source_unknown"}])
    entry = db.session.scalars(
        select(EmployerWorker).where(
            EmployerWorker.employer_id == employer.id, EmployerWorker.user_id == user.id
        )
    ).first()
    if entry is not None:
        return entry
    entry = EmployerWorker(
        employer_id=employer.id,
        user_id=user.id,
        admitted_on=on,
        source=source,
        posting_id=posting_id,
        added_by_id=actor.id if actor else None,
        note=note,
    )
    db.session.add(entry)
    record(
        "employer.admit_worker",
        actor=actor,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        detail={"user_id": user.id, "source": source},
    )
    db.session.flush()
    return entry


def worker_by_phone(phone: str) -> User:
    user = db.session.scalars(select(User).where(User.phone == phone)).first()
    if user is None or not user.has_role("worker"):
        raise NotFound("worker_not_found")
    return user


def remove_worker(employer: Employer, user_id: int, *, actor: User) -> None:
    """Take a worker off the roster (they left)."""
    entry = db.session.scalars(
        select(EmployerWorker).where(
            EmployerWorker.employer_id == employer.id, EmployerWorker.user_id == user_id
        )
    ).first()
    if entry is None:
        raise NotFound("roster_entry_not_found")
    db.session.delete(entry)
    record(
        "employer.remove_worker",
        actor=actor,
        subject_type="employer",
        subject_id=employer.id,
        region_code=employer.region_code,
        detail={"user_id": user_id},
    )

"""Account rules: one-time codes, passwords, creating people with their identity."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.identity import (
    hash_id_number,
    id_sex,
    is_valid_id_number,
    mask_id_number,
    normalise_id_number,
)
from app.accounts.models import ROLES, OtpChallenge, User
from app.errors import Conflict, DomainError, TooManyRequests, ValidationFailed
from app.extensions import db
from app.sms import send_sms
from app.timeutil import utcnow


def _code_hash(phone: str, code: str, purpose: str = "login") -> str:
    key = current_app.config["SECRET_KEY"].encode()
    # Login codes keep their original salt (codes already sent stay valid across an upgrade);
    # other purposes salt with their name, so one purpose's code never passes for another's.
    salt = "otp" if purpose == "login" else f"otp-{purpose}"
    return hmac.new(key, f"{salt}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def id_hash_key() -> bytes:
    return current_app.config["ID_HASH_KEY"].encode()


def send_code(phone: str, *, purpose: str, text: str, now: datetime | None = None) -> OtpChallenge:
    """Text a fresh 6-digit code for `purpose` (`text` holds `{code}` and `{minutes}`),
    unless one for the same purpose was sent less than OTP_RESEND_SECONDS ago."""
    now = now or utcnow()
    config = current_app.config
    latest = db.session.scalars(
        select(OtpChallenge)
        .where(OtpChallenge.phone == phone, OtpChallenge.purpose == purpose)
        .order_by(OtpChallenge.created_dt.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.consumed_dt is None:
        wait = int(
            (
                latest.created_dt + timedelta(seconds=config["OTP_RESEND_SECONDS"]) - now
            ).total_seconds()
            + 0.999
        )
        if wait > 0:
            raise TooManyRequests("otp_resend_too_soon", retry_after=wait)
    # Older codes stop working as soon as a new one is sent.
    db.session.execute(
        update(OtpChallenge)
        .where(
            OtpChallenge.phone == phone,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_dt.is_(None),
        )
        .values(consumed_dt=now)
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    challenge = OtpChallenge(
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(phone, code, purpose),
        created_dt=now,
        expires_dt=now + timedelta(seconds=config["OTP_TTL_SECONDS"]),
    )
    db.session.add(challenge)
    db.session.flush()
    send_sms(phone, text.format(code=code, minutes=config["OTP_TTL_SECONDS"] // 60))
    return challenge


def request_login_code(phone: str, now: datetime | None = None) -> OtpChallenge:
    """Send a fresh 6-digit login code, unless one was sent less than OTP_RESEND_SECONDS ago."""
    return send_code(
        phone,
        purpose="login",
        text="【返岗】您的登录验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。",
        now=now,
    )


def check_code(phone: str, code: str, *, purpose: str, now: datetime | None = None) -> OtpChallenge:
    """Consume the newest code sent to `phone` for `purpose` if `code` is it; raise otherwise.

    A wrong code counts against the challenge and is committed even though the request fails.
    """
    now = now or utcnow()
    challenge = db.session.scalars(
        select(OtpChallenge)
        .where(
            OtpChallenge.phone == phone,
            OtpChallenge.purpose == purpose,
            OtpChallenge.consumed_dt.is_(None),
        )
        .order_by(OtpChallenge.created_dt.desc())
        .limit(1)
    ).first()
    if challenge is None:
        raise DomainError("otp_invalid")
    if challenge.expires_dt <= now:
        raise DomainError("otp_expired")
    if challenge.attempts >= current_app.config["OTP_MAX_ATTEMPTS"]:
        raise DomainError("otp_too_many_attempts")
    if not hmac.compare_digest(challenge.code_hash, _code_hash(phone, code, purpose)):
        challenge.attempts += 1
        # The failed attempt must count even though the request fails.
        db.session.commit()
        if challenge.attempts >= current_app.config["OTP_MAX_ATTEMPTS"]:
            raise DomainError("otp_too_many_attempts")
        raise DomainError("otp_invalid")
    challenge.consumed_dt = now
    return challenge


def login_with_code(phone: str, code: str, now: datetime | None = None) -> User:
    """Check a code; on success return the person (a new worker if the number is new)."""
    now = now or utcnow()
    check_code(phone, code, purpose="login", now=now)
    user = db.session.scalars(select(User).where(User.phone == phone)).first()
    if user is None:
        user = User(phone=phone, active=True, locale="zh-CN")
        user.add_role("worker")
        db.session.add(user)
    if not user.active:
        raise DomainError("account_disabled", status=403)
    user.last_login_dt = now
    db.session.flush()
    return user


def login_with_password(username: str, password: str) -> User:
    """Staff login; the same error whether the name or the password is wrong."""
    user = db.session.scalars(
        select(User).where((User.username == username) | (User.phone == username))
    ).first()
    if (
        user is None
        or not user.password_hash
        or not check_password_hash(user.password_hash, password)
    ):
        raise _LoginFailed()
    if not user.active:
        raise DomainError("account_disabled")
    user.last_login_dt = utcnow()
    return user


class _LoginFailed(DomainError):
    status = 401
    code = "login_failed"


def set_password(user: User, password: str) -> None:
    """Hash with scrypt (werkzeug's default KDF)."""
    if len(password) < 8:
        raise ValidationFailed(errors=[{"field": "password", "code": "too_short"}])
    user.password_hash = generate_password_hash(password)


def _identity_digest(id_number: str, id_type: str) -> str:
    # Resident IDs hash bare (the common case); other documents carry their type, so a
    # passport number can never collide with a resident ID.
    key = id_number if id_type == "resident_id" else f"{id_type}:{id_number}"
    return hash_id_number(key, id_hash_key())


def set_identity(
    user: User,
    *,
    name: str | None = None,
    id_number: str | None = None,
    id_type: str = "resident_id",
) -> None:
    """Record name and ID number; the ID number is kept only as a keyed hash and a mask.

    Resident ID numbers are checked (GB 11643) and give the sex; passports and permits are
    checked for shape only.
    """
    if name is not None:
        user.name = name.strip()
    if id_number is None:
        return
    id_number = normalise_id_number(id_number)
    if id_type == "resident_id":
        if not is_valid_id_number(id_number):
            raise ValidationFailed(errors=[{"field": "id_number", "code": "id_number_invalid"}])
    elif not (5 <= len(id_number) <= 32 and id_number.isascii() and id_number.isalnum()):
        raise ValidationFailed(errors=[{"field": "id_number", "code": "id_number_invalid"}])
    digest = _identity_digest(id_number, id_type)
    other = db.session.scalars(select(User.id).where(User.id_hash == digest)).first()
    if other is not None and other != user.id:
        raise Conflict("id_number_taken")
    user.id_hash = digest
    if id_type == "resident_id":
        user.id_masked = mask_id_number(id_number)
        user.sex = id_sex(id_number)
    else:
        user.id_masked = id_number[:1] + "*" * (len(id_number) - 5) + id_number[-4:]


def find_by_id_number(id_number: str, id_type: str = "resident_id") -> User | None:
    digest = _identity_digest(normalise_id_number(id_number), id_type)
    return db.session.scalars(select(User).where(User.id_hash == digest)).first()


def create_user(
    *,
    roles: tuple[str, ...] | list[str],
    phone: str | None = None,
    username: str | None = None,
    password: str | None = None,
    name: str | None = None,
    id_number: str | None = None,
    region_code: str | None = None,
    locale: str = "zh-CN",
) -> User:
    """Create a person with the given roles (validated here, whatever the caller)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationFailed(errors=[{"field": "roles", "code": "invalid"}])
    if phone and db.session.scalars(select(User.id).where(User.phone == phone)).first():
        raise Conflict("phone_taken")
    if username and db.session.scalars(select(User.id).where(User.username == username)).first():
        raise Conflict("username_taken")
    user = User(phone=phone, username=username, region_code=region_code, locale=locale)
    for role in roles:
        user.add_role(role)
    set_identity(user, name=name, id_number=id_number)
    if password:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user

"""Login, logout and the user's own profile."""

from __future__ import annotations

from flask import Blueprint, current_app, request, session
from flask_login import current_user, login_user, logout_user

from app.accounts import services
from app.accounts.schemas import (
    CodeLogin,
    CsrfToken,
    LoginResult,
    Me,
    MeUpdate,
    OtpRequest,
    OtpSent,
    PasswordLogin,
)
from app.api import endpoint
from app.extensions import db
from app.i18n import register_messages
from app.ratelimit import RateLimit
from app.security import csrf_token

bp = Blueprint("accounts", __name__)

register_messages(
    {
        "phone_taken": ("该手机号已注册。", "This phone number is already registered."),
        "username_taken": ("该用户名已被使用。", "This username is taken."),
        "id_number_taken": ("该身份证号码已登记。", "This ID number is already registered."),
    }
)


def _phone_key() -> str:
    data = request.get_json(silent=True)
    phone = data.get("phone") if isinstance(data, dict) else None
    return f"phone:{phone}" if isinstance(phone, str) else "phone:none"


def _username_key() -> str:
    data = request.get_json(silent=True)
    name = data.get("username") if isinstance(data, dict) else None
    return f"user:{name}" if isinstance(name, str) else "user:none"


per_ip = RateLimit("login-ip", "LOGIN_RATE_PER_IP")
otp_per_phone = RateLimit("otp-phone", "OTP_RATE_PER_PHONE", key=_phone_key)
password_per_user = RateLimit("password-user", "PASSWORD_RATE_PER_USER", key=_username_key)


@endpoint(
    bp,
    "/auth/csrf",
    summary="The CSRF token to echo in X-CSRF-Token",
    public=True,
    response=CsrfToken,
)
def get_csrf() -> CsrfToken:
    """Also sets the `fg_csrf` cookie. Send the token on every POST/PUT/PATCH/DELETE."""
    return CsrfToken(csrf_token=csrf_token())


@endpoint(
    bp,
    "/auth/otp",
    method="POST",
    summary="Send a login code by SMS",
    public=True,
    body=OtpRequest,
    response=OtpSent,
    status=202,
    errors=(429,),
    rate_limits=(per_ip, otp_per_phone),
)
def send_code(body: OtpRequest) -> OtpSent:
    """A 6-digit code valid for 5 minutes; another no sooner than 60 s later."""
    services.request_login_code(body.phone)
    db.session.commit()
    config = current_app.config
    return OtpSent(
        sent=True, resend_after=config["OTP_RESEND_SECONDS"], expires_in=config["OTP_TTL_SECONDS"]
    )


@endpoint(
    bp,
    "/auth/login",
    method="POST",
    summary="Log in with phone number and code",
    public=True,
    body=CodeLogin,
    response=LoginResult,
    errors=(400, 429),
    rate_limits=(per_ip, otp_per_phone),
)
def login_code(body: CodeLogin) -> LoginResult:
    """A number seen for the first time becomes a worker account."""
    user = services.login_with_code(body.phone, body.code)
    db.session.commit()
    _start_session(user)
    return LoginResult(user=Me.of(user))


@endpoint(
    bp,
    "/auth/password-login",
    method="POST",
    summary="Staff login with a password",
    public=True,
    body=PasswordLogin,
    response=LoginResult,
    errors=(401, 429),
    rate_limits=(per_ip, password_per_user),
)
def login_password(body: PasswordLogin) -> LoginResult:
    user = services.login_with_password(body.username, body.password)
    db.session.commit()
    _start_session(user)
    return LoginResult(user=Me.of(user))


def _start_session(user: object) -> None:
    # A new session on login: a token planted before login must not survive it.
    session.clear()
    login_user(user, remember=True)
    csrf_token(rotate=True)


@endpoint(bp, "/auth/logout", method="POST", summary="Log out", status=204)
def logout() -> None:
    # Clear first: logout_user() leaves a flag in the session that deletes the remember-me
    # cookie; clearing afterwards would drop it and log the user straight back in.
    session.clear()
    logout_user()


@endpoint(bp, "/me", summary="The logged-in user", response=Me)
def get_me() -> Me:
    return Me.of(current_user)


@endpoint(
    bp, "/me", method="PATCH", summary="Change the user's language", body=MeUpdate, response=Me
)
def update_me(body: MeUpdate) -> Me:
    current_user.locale = body.locale
    db.session.commit()
    return Me.of(current_user)

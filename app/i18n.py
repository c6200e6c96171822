"""Server messages in Simplified Chinese and English, chosen per request.

The catalogue is keyed by the same stable codes the API returns, so the PWA can rely on the
code and show the message. Field-level codes come from validators (app/validation.py) and pydantic.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

SUPPORTED_LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"

# code: (zh-CN, en). Placeholders use str.format with the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    # generic HTTP
    "bad_request": ("请求无效。", "The request is not valid."),
    "malformed_json": ("请求内容不是有效的 JSON。", "The request body is not valid JSON."),
    "validation_error": (
        "提交的内容有误，请检查标出的项目。",
        "Some fields are not valid; see the errors.",
    ),
    "unauthenticated": ("请先登录。", "Please log in first."),
    "forbidden": ("您没有权限执行此操作。", "You are not allowed to do this."),
    "not_found": ("未找到该资源。", "Not found."),
    "method_not_allowed": ("不支持该请求方法。", "This method is not allowed here."),
    "conflict": ("操作与当前状态冲突。", "This conflicts with the current state."),
    "concurrent_change": (
        "同一记录刚被他人修改，本次未保存。请刷新后重试。",
        "Someone changed this at the same moment; nothing was saved. Reload and try again.",
    ),
    "payload_too_large": ("上传内容过大。", "The request body is too large."),
    "unsupported_media_type": ("请以 JSON 格式提交。", "Send the request body as JSON."),
    "rate_limited": ("操作太频繁，请稍后再试。", "Too many requests; please try again later."),
    "csrf_failed": ("页面已过期，请刷新后重试。", "The page has expired; reload and try again."),
    "regions_not_loaded": (
        "统计暂不可用：本服务尚未载入行政区划，请联系管理员。",
        "Figures are unavailable: this service has not loaded its regions; tell the administrator.",
    ),
    "database_unavailable": (
        "服务暂时无法访问数据库，请稍后重试，您的操作未被保存。",
        "The service cannot reach its database right now; nothing was saved. Try again shortly.",
    ),
    "internal_error": (
        "服务器出了点问题，请稍后重试。",
        "Something went wrong on our side; please retry.",
    ),
    "unavailable": ("服务暂不可用。", "The service is unavailable."),
    # accounts
    "otp_resend_too_soon": (
        "验证码已发送，请 {retry_after} 秒后再试。",
        "A code was just sent; try again in {retry_after} s.",
    ),
    "otp_invalid": ("验证码不正确。", "The code is not correct."),
    "otp_expired": ("验证码已过期，请重新获取。", "The code has expired; request a new one."),
    "otp_too_many_attempts": (
        "错误次数过多，请重新获取验证码。",
        "Too many wrong attempts; request a new code.",
    ),
    "login_failed": ("用户名或密码错误。", "Wrong username or password."),
    "account_disabled": ("该账号已停用。", "This account is disabled."),
    # field-level
    "missing": ("此项必填。", "This field is required."),
    "phone_invalid": ("请输入 11 位中国大陆手机号。", "Enter an 11-digit mainland mobile number."),
    "otp_format": ("请输入 6 位数字验证码。", "Enter the 6-digit code."),
    "id_number_invalid": ("身份证号码无效。", "The ID number is not valid."),
    "credit_code_invalid": (
        "统一社会信用代码无效。",
        "The unified social credit code is not valid.",
    ),
    "region_unknown": ("地区代码不存在。", "Unknown region code."),
    "locale_invalid": ("不支持的语言。", "Unsupported language."),
    "cursor_invalid": ("分页参数无效。", "The page cursor is not valid."),
    "too_long": ("内容过长。", "Too long."),
    "too_short": ("内容过短。", "Too short."),
    "too_large": ("数值过大。", "The value is too large."),
    "too_small": ("数值过小。", "The value is too small."),
    "wrong_type": ("格式不正确。", "Wrong format."),
    "extra_forbidden": ("不允许的字段。", "Unknown field."),
    "invalid": ("格式不正确。", "Not valid."),
    "out_of_range": (
        "数值或日期超出允许的范围，未作任何更改。",
        "A number or date is out of range; nothing was changed.",
    ),
    "invalid_characters": (
        "含有不允许的字符（如控制字符）。",
        "Contains characters that are not allowed (such as control characters).",
    ),
}


def best_locale(accept_language: str | None) -> str:
    """Pick zh-CN or en from an Accept-Language header; Chinese when unsure."""
    if not accept_language:
        return DEFAULT_LOCALE
    best, best_q = DEFAULT_LOCALE, -1.0
    for part in accept_language.split(","):
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        lang = lang.strip().lower()
        candidate = "en" if lang.startswith("en") else "zh-CN" if lang.startswith("zh") else None
        if candidate and weight > best_q:
            best, best_q = candidate, weight
    return best


def request_locale() -> str:
    """The user's saved language, else the browser's, else Chinese."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if "locale" in g:
        return g.locale
    locale = None
    # Nobody signed in (the public verifier): the browser decides, without loading a user.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    signed_in = "_login_user" in g or "_user_id" in session or remembered in request.cookies
    if signed_in and current_user.is_authenticated:
        locale = getattr(current_user, "locale", None)
    g.locale = (
        locale
        if locale in SUPPORTED_LOCALES
        else best_locale(request.headers.get("Accept-Language"))
    )
    return g.locale


def message(code: str, locale: str | None = None, **params: object) -> str:
    """The human message for a code, in the requested language."""
    zh, en = MESSAGES.get(code, MESSAGES["bad_request"])
    text = en if (locale or request_locale()) == "en" else zh
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def register_messages(messages: dict[str, tuple[str, str]]) -> None:
    """Domains add their codes here at import time, next to the errors they raise."""
    MESSAGES.update(messages)

"""A worker's own data: the overview, the export, and erasure with an SMS confirmation.

Only ever the caller's own data: no route takes a person's id.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, session
from flask_login import current_user, logout_user

from app.accounts.identity import mask_phone
from app.api import endpoint
from app.extensions import db
from app.i18n import request_locale
from app.privacy import services
from app.privacy.schemas import (
    CategoryOut,
    ErasureCodeSent,
    ErasureDone,
    ErasureIn,
    ErasurePreview,
    HoldOut,
    MyData,
    Subject,
)
from app.ratelimit import RateLimit
from app.timeutil import local_today, utcnow

bp = Blueprint("privacy", __name__)
WORKERS = ("worker",)


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


# Checked inside the views, once the caller is known: a limit per person, not per address.
EXPORT_LIMIT = RateLimit("privacy-export", "PRIVACY_EXPORT_RATE", _user_key)
CODE_LIMIT = RateLimit("privacy-code", "PRIVACY_CODE_RATE", _user_key)
ERASURE_LIMIT = RateLimit("privacy-erasure", "PRIVACY_ERASURE_RATE", _user_key)


def _preview(views: list[services.CategoryView], locale: str) -> ErasurePreview:
    now = utcnow()
    holds = services.holds_of(current_user, now)
    counts = {fate: 0 for fate in ("deleted", "revoked", "anonymised", "kept")}
    for view in views:
        counts[view.fate] += view.count
    live = [
        c
        for c in services.inventory.card_rows(current_user.id)
        if c.revoked_dt is None and c.expires_dt > now
    ]
    return ErasurePreview(
        possible=not holds,
        holds=[HoldOut.of(h, locale) for h in holds],
        cards_to_revoke=len(live),
        deleted=counts["deleted"],
        anonymised=counts["anonymised"] + counts["revoked"],
        kept=counts["kept"],
    )


@endpoint(
    bp,
    "/privacy/mine",
    summary="My data: everything held about me, by category, with what erasure would do",
    response=MyData,
    roles=WORKERS,
)
def my_data() -> MyData:
    """Counts of every category and its newest records (names and numbers masked), and the
    erasure preview: possible or not (with the holds: why and until when)."""
    locale = request_locale()
    views = services.overview(current_user, locale)  # counts are of all records
    return MyData(
        subject=Subject.of(current_user),
        total=sum(v.count for v in views),
        categories=[CategoryOut.of(v, locale) for v in views],
        erasure=_preview(views, locale),
    )


@endpoint(
    bp,
    "/privacy/export.json",
    summary="Download all my data as JSON (an attachment; recorded in the audit trail)",
    roles=WORKERS,
    errors=(429,),
    content_type="application/json",
)
def export_json() -> Response:
    """Complete and machine-readable: every record of every category, unmasked (it is the
    caller's own copy), UTF-8. At most PRIVACY_EXPORT_RATE per person."""
    EXPORT_LIMIT.check()
    now = utcnow()
    document = services.export_document(current_user, now)
    services.record_export(current_user, document, now)
    db.session.commit()
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    response = Response(body.encode("utf-8"), mimetype="application/json")
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    day = local_today(now).strftime("%Y%m%d")
    response.headers["Content-Disposition"] = f'attachment; filename="fangang-my-data-{day}.json"'
    return response


@endpoint(
    bp,
    "/privacy/erasure/code",
    method="POST",
    summary="Text me the code that confirms erasing my data",
    response=ErasureCodeSent,
    status=202,
    roles=WORKERS,
    errors=(409, 429),
)
def send_erasure_code() -> ErasureCodeSent:
    """Refused (409 `erasure_held`, every reason with its date) while the law keeps the
    data; one code a minute at most, PRIVACY_CODE_RATE per person."""
    CODE_LIMIT.check()
    services.send_erasure_code(current_user)
    db.session.commit()
    config = current_app.config
    return ErasureCodeSent(
        sent=True,
        phone_masked=mask_phone(current_user.phone),
        resend_after=config["OTP_RESEND_SECONDS"],
        expires_in=config["OTP_TTL_SECONDS"],
    )


@endpoint(
    bp,
    "/privacy/erasure",
    method="POST",
    summary="Erase my data (confirmed by the texted code); logs me out",
    body=ErasureIn,
    response=ErasureDone,
    roles=WORKERS,
    errors=(400, 409, 429),
)
def erase(body: ErasureIn) -> ErasureDone:
    """Revokes every card, erases or anonymises every record (docs/privacy.md), records the
    erasure in the audit trail and ends the session: the account cannot log in again."""
    ERASURE_LIMIT.check()
    result = services.erase(current_user, body.code)
    db.session.commit()
    services.remove_files(result.photo_files)
    totals = services.erased(result.erasure.summary)
    # As /auth/logout: clear first, so logout_user's flag deletes the remember-me cookie.
    session.clear()
    logout_user()
    return ErasureDone(
        erased=True,
        erased_at=result.erasure.erased_dt,
        cards_revoked=totals["revoked"],
        deleted=totals["deleted"],
        anonymised=totals["anonymised"],
    )

"""Health declarations, cards, verification, paper cards, appeals and the trust list."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from app.accounts.access import oversees
from app.accounts.models import User
from app.api import endpoint
from app.api.pagination import PageQuery, keyset_page
from app.cards import appeals, services, signing, trusted_issuers
from app.cards.models import HealthDeclaration
from app.cards.printing import card_pdf, card_png
from app.cards.schemas import (
    AppealDecisionIn,
    AppealIn,
    AppealList,
    AppealOut,
    AppealQuery,
    CardOut,
    DeclarationIn,
    DeclarationOut,
    DeclarationPage,
    DeclareResult,
    PaperCardIn,
    PaperCardOut,
    StatusActionIn,
    StatusOut,
    TrustedIssuerIn,
    TrustedIssuerList,
    TrustedIssuerOut,
    VerifyIn,
    VerifyOut,
)
from app.cards.verification import verify_code
from app.credentials import render_qr_svg
from app.errors import NotFound
from app.extensions import db
from app.i18n import request_locale
from app.ratelimit import RateLimit
from app.regions.models import Region
from app.timeutil import utcnow

bp = Blueprint("cards", __name__)


def _declaration(body: DeclarationIn) -> services.Declaration:
    return services.Declaration(
        temperature=body.temperature,
        symptoms=list(body.symptoms),
        case_contact=body.case_contact,
        hubei_exposure_date=body.hubei_exposure_date,
        current_village_code=body.current_village_code,
        household_region_code=body.household_region_code,
        name=body.name,
        id_type=body.id_type,
        id_number=body.id_number,
    )


def _declaration_out(row: HealthDeclaration) -> DeclarationOut:
    return DeclarationOut(
        id=row.id,
        declared_at=row.declared_dt,
        temperature=row.temperature,
        symptoms=row.symptoms or [],
        hubei_exposure_date=row.hubei_exposure_date,
        case_contact=row.case_contact,
        current_village_code=row.current_village_code,
        assessed_status=row.assessed_status,
        resulting_status=row.resulting_status,
        by_proxy=row.proxy_by_id is not None,
    )


@endpoint(
    bp,
    "/declarations",
    method="POST",
    summary="Declare health; returns the card",
    body=DeclarationIn,
    response=DeclareResult,
    status=201,
    roles=("worker",),
    errors=(409,),
)
def declare(body: DeclarationIn) -> DeclareResult:
    """Any day, as often as needed: every declaration is kept. The colour can get worse
    here, never better (a release or a clearance makes it better)."""
    row = services.declare(current_user, _declaration(body))
    card = services.current_card(current_user)
    db.session.commit()
    return DeclareResult(declaration=_declaration_out(row), card=CardOut.of(card, request_locale()))


@endpoint(
    bp,
    "/declarations",
    summary="My declarations, newest first",
    query=PageQuery,
    response=DeclarationPage,
    roles=("worker",),
)
def my_declarations(query: PageQuery) -> DeclarationPage:
    rows, cursor = keyset_page(
        db.session,
        services.declarations_of(current_user.id),
        [HealthDeclaration.id],
        query.limit,
        query.cursor,
        key=lambda r: [r.id],
    )
    return DeclarationPage(items=[_declaration_out(r) for r in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/cards/current",
    summary="My current health card (re-signed near expiry)",
    response=CardOut,
    roles=("worker",),
    errors=(404,),
)
def my_card() -> CardOut:
    card = services.current_card(current_user)
    # Built before the commit, which expires what the session loaded: after it, the card, the
    # user and their roles were read again (3 of the 8 queries of the most frequent request).
    out = CardOut.of(card, request_locale())
    db.session.commit()
    return out


@endpoint(
    bp,
    "/cards/current/qr.svg",
    summary="My current card's QR code as SVG",
    roles=("worker",),
    errors=(404,),
    content_type="image/svg+xml",
)
def my_card_svg() -> Response:
    qr_text = services.current_card(current_user).qr_text
    db.session.commit()
    return Response(render_qr_svg(qr_text), mimetype="image/svg+xml")


@endpoint(
    bp,
    "/status",
    summary="My current colour and its history",
    response=StatusOut,
    roles=("worker",),
    errors=(404,),
)
def my_status() -> StatusOut:
    return StatusOut.of(current_user)


def _card_for(card_id: str, actor: User):  # noqa: ANN202
    card = services.get_card(card_id[:16])
    if card.user_id != actor.id and not oversees(actor, card.user.region_code):
        raise NotFound("card_not_found")  # do not confirm that someone else's card exists
    return card


@endpoint(
    bp,
    "/cards/<card_id>",
    summary="One card (its holder or officials of the region)",
    response=CardOut,
    errors=(404,),
)
def get_card(card_id: str) -> CardOut:
    return CardOut.of(_card_for(card_id, current_user), request_locale())


def _print_args(card_id: str) -> tuple:
    card = _card_for(card_id, current_user)
    village = db.session.get(Region, card.user.region_code) if card.user.region_code else None
    return card, card.user.id_masked or "", village.name_zh if village else "常德市"


@endpoint(
    bp,
    "/cards/<card_id>/print.png",
    summary="Printable card, PNG (A6, 150 dpi)",
    errors=(404,),
    content_type="image/png",
)
def print_png(card_id: str) -> Response:
    return Response(card_png(*_print_args(card_id)), mimetype="image/png")


@endpoint(
    bp,
    "/cards/<card_id>/print.pdf",
    summary="Printable card, PDF (A6)",
    errors=(404,),
    content_type="application/pdf",
)
def print_pdf(card_id: str) -> Response:
    card, id_masked, village = _print_args(card_id)
    response = Response(card_pdf(card, id_masked, village), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="card-{card.card_id}.pdf"'
    return response


@endpoint(
    bp,
    "/cards/<card_id>/revoke",
    method="POST",
    summary="Withdraw a card",
    body=StatusActionIn,
    response=CardOut,
    roles=("official", "admin"),
    errors=(404,),
)
def revoke_card(card_id: str, body: StatusActionIn) -> CardOut:
    card = _card_for(card_id, current_user)
    services.revoke(card, reason="withdrawn", actor=current_user)
    db.session.commit()
    return CardOut.of(card, request_locale())


@endpoint(
    bp,
    "/paper-cards",
    method="POST",
    summary="Register a worker by proxy and issue a paper card",
    body=PaperCardIn,
    response=PaperCardOut,
    status=201,
    roles=("official", "admin"),
    errors=(409,),
)
def create_paper_card(body: PaperCardIn) -> PaperCardOut:
    """For workers without a smartphone: their consent is required and recorded."""
    card = services.register_by_proxy(
        current_user,
        _declaration(body.declaration),
        id_number=body.id_number,
        name=body.name,
        phone=body.phone,
        consent=body.consent,
    )
    db.session.commit()
    base = f"/api/v1/cards/{card.card_id}"
    return PaperCardOut(
        card=CardOut.of(card, request_locale()),
        png_url=f"{base}/print.png",
        pdf_url=f"{base}/print.pdf",
    )


@endpoint(
    bp,
    "/people/<int:user_id>/clearance",
    method="POST",
    summary="Medical clearance: red → green (or yellow during quarantine)",
    body=StatusActionIn,
    response=StatusOut,
    roles=("official", "admin"),
    errors=(404, 409),
)
def clearance(user_id: int, body: StatusActionIn) -> StatusOut:
    person = _person_in_scope(user_id)
    services.clear_red(person, actor=current_user, comment=body.comment)
    db.session.commit()
    return StatusOut.of(person)


def _person_in_scope(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not oversees(current_user, person.region_code):
        raise NotFound()
    return person


# Batched: the busiest public route, where a Redis round trip per request cost as much as the
# signature check (app/ratelimit.py bounds what that lets through).
verify_limit = RateLimit("verify", "VERIFY_RATE", batched=True)


@endpoint(
    bp,
    "/verify",
    method="POST",
    summary="Verify a scanned health code",
    public=True,
    csrf=False,
    body=VerifyIn,
    response=VerifyOut,
    errors=(429,),
    rate_limits=(verify_limit,),
    any_characters=True,  # whatever a QR code holds gets a verdict (无法识别), never a 422
)
def verify(body: VerifyIn) -> VerifyOut:
    """Public: FG1 cards of ours and of trusted regions, and EU DCC (HC1) codes."""
    return verify_code(body.qr, utcnow(), request_locale())


@endpoint(
    bp,
    "/appeals",
    method="POST",
    summary="Appeal my colour",
    body=AppealIn,
    response=AppealOut,
    status=201,
    roles=("worker",),
    errors=(404, 409),
)
def file_appeal(body: AppealIn) -> AppealOut:
    appeal = appeals.file_appeal(current_user, body.reason)
    db.session.commit()
    return AppealOut.of(appeal)


@endpoint(bp, "/appeals/mine", summary="My appeals", response=AppealList, roles=("worker",))
def my_appeals() -> AppealList:
    from sqlalchemy import select

    from app.cards.models import Appeal

    rows = db.session.scalars(
        select(Appeal).where(Appeal.user_id == current_user.id).order_by(Appeal.id.desc()).limit(50)
    )
    return AppealList(items=[AppealOut.of(a) for a in rows], next_cursor=None)


@endpoint(
    bp,
    "/appeals",
    summary="Appeals of people in my region",
    query=AppealQuery,
    response=AppealList,
    roles=("official", "admin"),
)
def list_appeals(query: AppealQuery) -> AppealList:
    from app.cards.models import Appeal

    rows, cursor = keyset_page(
        db.session,
        appeals.appeals_for_official(current_user, query.state),
        [Appeal.id],
        query.limit,
        query.cursor,
        key=lambda a: [a.id],
    )
    return AppealList(items=[AppealOut.of(a) for a in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/appeals/<int:appeal_id>/decisions",
    method="POST",
    summary="Decide or comment on an appeal",
    body=AppealDecisionIn,
    response=AppealOut,
    status=201,
    roles=("official", "admin"),
    errors=(404, 409),
)
def decide_appeal(appeal_id: int, body: AppealDecisionIn) -> AppealOut:
    appeal = appeals.get_appeal(appeal_id)
    if not oversees(current_user, appeal.user.region_code):
        raise NotFound("appeal_not_found")
    appeals.decide(
        appeal, current_user, outcome=body.outcome, comment=body.comment, new_status=body.new_status
    )
    db.session.commit()
    return AppealOut.of(appeal)


def _issuer_out(row: object) -> TrustedIssuerOut:
    return TrustedIssuerOut(
        id=row.id,
        kid=row.kid,
        region_code=row.region_code,
        name=row.name,
        own=False,
        added_at=row.added_dt,
        card_types=row.card_types or [],
    )


@endpoint(
    bp,
    "/trust/issuers",
    summary="Our signers and the issuers we recognise",
    response=TrustedIssuerList,
    roles=("official", "admin"),
)
def list_issuers() -> TrustedIssuerList:
    own = [
        TrustedIssuerOut(
            id=None,
            kid=e.kid.hex(),
            region_code=e.region,
            name=e.name,
            own=True,
            added_at=None,
            card_types=[],
        )
        for e in signing.own_trust_entries(utcnow())
    ]
    return TrustedIssuerList(items=own + [_issuer_out(r) for r in trusted_issuers.active_issuers()])


@endpoint(
    bp,
    "/trust/issuers",
    method="POST",
    summary="Recognise another region's issuer",
    body=TrustedIssuerIn,
    response=TrustedIssuerOut,
    status=201,
    roles=("admin",),
    errors=(409,),
)
def add_issuer(body: TrustedIssuerIn) -> TrustedIssuerOut:
    text = body.certificate.strip()
    data = text.encode() if text.startswith("-----BEGIN") else _b64(text)
    row = trusted_issuers.add_issuer(
        data,
        region_code=body.region_code,
        name=body.name,
        card_types=body.card_types,
        added_by=current_user,
    )
    db.session.commit()
    return _issuer_out(row)


def _b64(text: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


@endpoint(
    bp,
    "/trust/issuers/<int:issuer_id>",
    method="DELETE",
    summary="Stop recognising an issuer",
    status=204,
    roles=("admin",),
    errors=(404,),
)
def remove_issuer(issuer_id: int) -> None:
    trusted_issuers.remove_issuer(issuer_id)
    db.session.commit()

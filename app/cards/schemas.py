"""Health declaration and card shapes on the wire."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.accounts.identity import is_valid_id_number, normalise_id_number
from app.cards.models import HealthCard
from app.validation import IdNumber, Phone

Symptom = Literal[
    "fever", "cough", "fatigue", "sore_throat", "shortness_of_breath", "diarrhoea", "none"
]
StatusName = Literal["green", "yellow", "red"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000)


class DeclarationIn(Strict):
    """GB/T 38962 data elements that matter for the card."""

    name: str | None = Field(None, min_length=1, max_length=30, examples=["张伟"])
    id_type: Literal["resident_id", "passport", "hk_macao_permit", "taiwan_permit", "other"] = (
        "resident_id"
    )
    id_number: str | None = Field(
        None,
        min_length=5,
        max_length=32,
        examples=["11010519491231002X"],
        description="Checked with the GB 11643 check digit when id_type is resident_id.",
    )

    @field_validator("id_number")
    @classmethod
    def _resident_id_checked(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("id_type", "resident_id") == "resident_id":
            value = normalise_id_number(value)
            if not is_valid_id_number(value):
                raise PydanticCustomError("id_number_invalid", "not a valid resident ID number")
        return value

    household_region_code: str | None = Field(None, max_length=20, examples=["430702"])
    current_village_code: str = Field(max_length=20, examples=["430702001001"])
    temperature: Decimal = Field(
        ge=Decimal("34.0"), le=Decimal("43.0"), decimal_places=1, examples=["36.5"]
    )
    symptoms: list[Symptom] = Field(min_length=1, max_length=7, examples=[["none"]])
    hubei_exposure_date: date | None = Field(
        None, description="Date of leaving Hubei or of contact, if within the last 14 days."
    )
    case_contact: bool = Field(description="Contact with a confirmed or suspected case.")


class DeclarationOut(BaseModel):
    id: int
    declared_at: datetime
    temperature: Decimal
    symptoms: list[str]
    hubei_exposure_date: date | None
    case_contact: bool
    current_village_code: str | None
    assessed_status: str
    resulting_status: str
    by_proxy: bool


class DeclarationPage(BaseModel):
    items: list[DeclarationOut]
    next_cursor: str | None


class RegionName(BaseModel):
    code: str
    name_zh: str
    name_en: str


class CardOut(BaseModel):
    """A signed card as the PWA shows it; `qr` is the text to draw as a QR code."""

    card_id: str
    card_type: Literal["card", "paper", "certificate"]
    status: StatusName
    status_text: str
    reasons: list[str]
    quarantine_until: date | None
    name_masked: str
    id_last4: str
    issued_at: datetime
    expires_at: datetime
    revoked: bool
    qr: str
    issuer: RegionName | None
    destination_code: str | None = None
    departure_date: date | None = None

    @classmethod
    def of(cls, card: HealthCard, locale: str) -> CardOut:
        from app.cards.services import STATUS_WORDS
        from app.extensions import db
        from app.regions.models import Region

        region = (
            db.session.get(Region, card.issuing_region_code) if card.issuing_region_code else None
        )
        words = STATUS_WORDS[card.status]
        return cls(
            card_id=card.card_id,
            card_type=card.card_type,
            status=card.status,
            status_text=words[1] if locale == "en" else words[0],
            reasons=card.reasons or [],
            quarantine_until=card.quarantine_until,
            name_masked=card.name_masked,
            id_last4=card.id_last4,
            issued_at=card.issued_dt,
            expires_at=card.expires_dt,
            revoked=card.revoked_dt is not None,
            qr=card.qr_text,
            issuer=RegionName(code=region.code, name_zh=region.name_zh, name_en=region.name_en)
            if region
            else None,
            destination_code=card.destination_code,
            departure_date=card.departure_date,
        )


class DeclareResult(BaseModel):
    declaration: DeclarationOut
    card: CardOut


class VerifyIn(Strict):
    qr: str = Field(max_length=5000, description="The scanned QR text (FG1:… or HC1:…).")


class SchemaProblemOut(BaseModel):
    path: str = Field(description='The field, e.g. "v[0].dn".')
    rule: str = Field(description='The rule broken, e.g. "minimum", "maxItems", "pattern".')
    version: str = Field(description="The DCC schema release the certificate was checked against.")
    text: str


class VerifyOut(BaseModel):
    """The verdict: `reason` is one of ok, bad_prefix, bad_base45, bad_compression, bad_cbor,
    bad_cose, unsupported_alg, unknown_kid, bad_signature, wrong_key_usage, bad_schema,
    not_yet_valid, expired, revoked."""

    valid: bool
    reason: str
    reason_text: str
    kind: Literal["FG1", "HC1"] | None
    status: StatusName | None
    status_text: str | None
    card_type: str | None
    holder: str | None = Field(description="Masked name and the last 4 digits of the ID.")
    name_masked: str | None
    id_last4: str | None
    quarantine_until: date | None
    issuer_region: str | None
    issuer_name: str | None
    expires_at: datetime | None
    destination: int | None = Field(None, description="Certificates: destination region code.")
    departure: date | None = Field(None, description="Certificates: planned departure date.")
    schema_problem: SchemaProblemOut | None = Field(
        None, description="bad_schema: the field and the rule of the EU DCC schema it breaks."
    )


class StatusActionIn(Strict):
    comment: str | None = Field(None, max_length=500)


class StatusChangeOut(BaseModel):
    from_status: str | None
    to_status: str
    reasons: list[str]
    cause: str
    changed_at: datetime
    comment: str | None


class StatusOut(BaseModel):
    user_id: int
    status: StatusName
    reasons: list[str]
    quarantine_until: date | None
    history: list[StatusChangeOut]

    @classmethod
    def of(cls, user: object) -> StatusOut:
        from sqlalchemy import select

        from app.cards.models import HealthStatus, StatusChange
        from app.errors import NotFound
        from app.extensions import db

        row = db.session.get(HealthStatus, user.id)
        if row is None:
            raise NotFound("no_declaration")
        changes = db.session.scalars(
            select(StatusChange)
            .where(StatusChange.user_id == user.id)
            .order_by(StatusChange.id.desc())
            .limit(50)
        )
        return cls(
            user_id=user.id,
            status=row.status,
            reasons=row.reasons or [],
            quarantine_until=row.quarantine_until,
            history=[
                StatusChangeOut(
                    from_status=c.from_status,
                    to_status=c.to_status,
                    reasons=c.reasons or [],
                    cause=c.cause,
                    changed_at=c.changed_dt,
                    comment=c.comment,
                )
                for c in changes
            ],
        )


class PaperCardIn(Strict):
    name: str = Field(min_length=1, max_length=30)
    id_number: IdNumber
    phone: Phone | None = None
    consent: bool = Field(description="The worker agreed to be registered by proxy.")
    declaration: DeclarationIn


class PaperCardOut(BaseModel):
    card: CardOut
    png_url: str
    pdf_url: str


class AppealIn(Strict):
    reason: str = Field(min_length=2, max_length=1000)


class AppealDecisionIn(Strict):
    outcome: Literal["upheld", "rejected", "comment"]
    comment: str = Field(min_length=1, max_length=1000)
    new_status: StatusName | None = None


class AppealQuery(BaseModel):
    state: Literal["open", "upheld", "rejected"] | None = None
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class AppealDecisionOut(BaseModel):
    outcome: str
    new_status: str | None
    comment: str
    official_id: int
    decided_at: datetime


class AppealOut(BaseModel):
    id: int
    user_id: int
    holder: str
    status_at_filing: str
    reason: str
    state: str
    filed_at: datetime
    decisions: list[AppealDecisionOut]

    @classmethod
    def of(cls, appeal: object) -> AppealOut:
        from app.accounts.identity import mask_name

        user = appeal.user
        holder = f"{mask_name(user.name or '')} {user.id_masked or ''}".strip()
        return cls(
            id=appeal.id,
            user_id=appeal.user_id,
            holder=holder,
            status_at_filing=appeal.status_at_filing,
            reason=appeal.reason,
            state=appeal.state,
            filed_at=appeal.filed_dt,
            decisions=[
                AppealDecisionOut(
                    outcome=d.outcome,
                    new_status=d.new_status,
                    comment=d.comment,
                    official_id=d.official_id,
                    decided_at=d.decided_dt,
                )
                for d in appeal.decisions
            ],
        )


class AppealList(BaseModel):
    items: list[AppealOut]
    next_cursor: str | None


class TrustedIssuerIn(Strict):
    certificate: str = Field(
        max_length=20000, description="X.509 certificate, PEM (or base64 DER)."
    )
    region_code: str = Field(min_length=2, max_length=20, examples=["440300"])
    name: str | None = Field(None, max_length=200)
    card_types: list[Literal["card", "paper", "certificate"]] = Field(default_factory=list)


class TrustedIssuerOut(BaseModel):
    id: int | None
    kid: str
    region_code: str | None
    name: str | None
    own: bool
    added_at: datetime | None
    card_types: list[str]


class TrustedIssuerList(BaseModel):
    items: list[TrustedIssuerOut]

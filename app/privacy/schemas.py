"""The worker's own data on the wire: the overview, the erasure preview, code and receipt."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.identity import mask_name, mask_phone
from app.accounts.models import User
from app.i18n import message
from app.privacy.services import CategoryView, Hold
from app.regions.schemas import RegionOut
from app.validation import OtpCode


class RecordOut(BaseModel):
    at: datetime | date | None
    line: str = Field(description="One line for the screen; names and numbers masked")


class CategoryOut(BaseModel):
    key: str
    title: str
    fate: str = Field(description="deleted, revoked, anonymised or kept (what erasure does)")
    fate_text: str
    why: str
    count: int
    records: list[RecordOut] = Field(description="The newest records (all of them: export)")

    @classmethod
    def of(cls, view: CategoryView, locale: str) -> CategoryOut:
        return cls(
            key=view.key,
            title=message(f"privacy.cat.{view.key}", locale),
            fate=view.fate,
            fate_text=message(f"privacy.fate.{view.fate}", locale),
            why=message(f"privacy.why.{view.key}", locale),
            count=view.count,
            records=[RecordOut(at=r.at, line=r.line) for r in view.records],
        )


class HoldOut(BaseModel):
    code: str
    until: date | None
    message: str

    @classmethod
    def of(cls, hold: Hold, locale: str) -> HoldOut:
        return cls(code=hold.code, until=hold.until, message=hold.message(locale))


class Subject(BaseModel):
    name_masked: str | None
    id_masked: str | None
    phone_masked: str | None
    region: RegionOut | None

    @classmethod
    def of(cls, user: User) -> Subject:
        return cls(
            name_masked=mask_name(user.name) if user.name else None,
            id_masked=user.id_masked,
            phone_masked=mask_phone(user.phone) if user.phone else None,
            region=RegionOut.of(user.region) if user.region else None,
        )


class ErasurePreview(BaseModel):
    """What erasure would do now, for the confirmation dialog."""

    possible: bool
    holds: list[HoldOut]
    cards_to_revoke: int
    deleted: int = Field(description="Records that would be deleted")
    anonymised: int = Field(description="Records kept for counts, without the person")
    kept: int = Field(description="Audit events kept as they are")


class MyData(BaseModel):
    subject: Subject
    total: int
    categories: list[CategoryOut]
    erasure: ErasurePreview


class ErasureCodeSent(BaseModel):
    sent: bool
    phone_masked: str
    resend_after: int
    expires_in: int


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: OtpCode = Field(examples=["123456"], description="The code texted for erasure")


class ErasureDone(BaseModel):
    erased: bool
    erased_at: datetime
    cards_revoked: int
    deleted: int
    anonymised: int
    logged_out: bool = True

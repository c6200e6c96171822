"""Employer shapes on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from app.accounts.identity import mask_name, mask_phone
from app.api.pagination import PageQuery
from app.employers.credit_code import is_valid_credit_code, normalise_credit_code
from app.employers.models import Employer, EmployerStaff, EmployerWorker
from app.regions.schemas import RegionOut
from app.validation import Phone


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000, str_strip_whitespace=True)


def reject_null(value: object) -> object:
    """In a partial update a field may be left out, but not sent as null."""
    if value is None:
        raise PydanticCustomError("missing", "leave the field out instead of sending null")
    return value


def _credit_code(value: str) -> str:
    if not is_valid_credit_code(value):
        raise PydanticCustomError("credit_code_invalid", "not a valid unified social credit code")
    return value


def _normalise(value: object) -> object:
    return normalise_credit_code(value) if isinstance(value, str) else value


CreditCode = Annotated[str, BeforeValidator(_normalise), AfterValidator(_credit_code)]
Name = Annotated[str, Field(min_length=2, max_length=100, examples=["常德市华信电子有限公司"])]
Address = Annotated[str, Field(min_length=2, max_length=200, examples=["武陵区德山大道88号"])]
Person = Annotated[str, Field(min_length=1, max_length=50, examples=["王经理"])]
Industry = Annotated[str, Field(min_length=1, max_length=50, examples=["电子制造"])]
RegionCode = Annotated[str, Field(min_length=1, max_length=20, examples=["430702"])]


class EmployerIn(Strict):
    """A registration: the organisation and who to contact there."""

    name: Name
    credit_code: CreditCode = Field(examples=["91350100M000100Y43"])
    region_code: RegionCode
    address: Address
    contact_name: Person
    contact_phone: Phone
    industry: Industry


class EmployerUpdate(Strict):
    """Only the fields sent change (a verified employer keeps name, code and region)."""

    name: Name | None = None
    credit_code: CreditCode | None = None
    region_code: RegionCode | None = None
    address: Address | None = None
    contact_name: Person | None = None
    contact_phone: Phone | None = None
    industry: Industry | None = None

    _not_null = field_validator(*EmployerIn.model_fields, mode="before")(reject_null)


class EmployerOut(BaseModel):
    id: int
    name: str
    credit_code: str
    region: RegionOut
    address: str
    contact_name: str
    contact_phone: str
    industry: str
    verified: bool
    verification_state: Literal["pending", "verified", "rejected"]
    verified_at: datetime | None
    rejected_reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, employer: Employer) -> EmployerOut:
        return cls(
            id=employer.id,
            name=employer.name,
            credit_code=employer.credit_code,
            region=RegionOut.of(employer.region),
            address=employer.address,
            contact_name=employer.contact_name,
            contact_phone=employer.contact_phone,
            industry=employer.industry,
            verified=employer.verified,
            verification_state=employer.verification_state,
            verified_at=employer.verified_dt,
            rejected_reason=employer.rejected_reason,
            created_at=employer.created_dt,
        )


class EmployerPage(BaseModel):
    items: list[EmployerOut]
    next_cursor: str | None


class EmployerQuery(PageQuery):
    state: Literal["pending", "verified", "rejected"] | None = Field(
        None, description="Verification state; omit for all."
    )


class ReasonIn(Strict):
    reason: str = Field(min_length=2, max_length=500, examples=["营业执照信息与信用代码不符"])


class InvitationIn(Strict):
    phone: Phone = Field(examples=["13900000001"])


class InvitationOut(BaseModel):
    """The link to send (also sent by SMS to the phone); only that phone's account can use it."""

    url: str
    token: str
    expires_at: datetime


class AcceptIn(Strict):
    token: str = Field(min_length=10, max_length=500)


class StaffOut(BaseModel):
    user_id: int
    name_masked: str | None
    phone_masked: str | None
    is_owner: bool
    added_at: datetime

    @classmethod
    def of(cls, staff: EmployerStaff) -> StaffOut:
        user = staff.user
        return cls(
            user_id=user.id,
            name_masked=mask_name(user.name) if user.name else None,
            phone_masked=mask_phone(user.phone) if user.phone else None,
            is_owner=staff.is_owner,
            added_at=staff.added_dt,
        )


class StaffList(BaseModel):
    items: list[StaffOut]


class RosterEntryOut(BaseModel):
    user_id: int
    name_masked: str | None
    phone_masked: str | None
    admitted_on: date
    source: Literal["hired", "manual"]
    posting_id: int | None

    @classmethod
    def of(cls, entry: EmployerWorker) -> RosterEntryOut:
        user = entry.user
        return cls(
            user_id=user.id,
            name_masked=mask_name(user.name) if user.name else None,
            phone_masked=mask_phone(user.phone) if user.phone else None,
            admitted_on=entry.admitted_on,
            source=entry.source,
            posting_id=entry.posting_id,
        )


class RosterPage(BaseModel):
    items: list[RosterEntryOut]
    next_cursor: str | None


class RosterAddIn(Strict):
    """Add a worker who already uses the service, found by their phone number."""

    phone: Phone
    admitted_on: date | None = Field(None, description="Default: today.")
    note: str | None = Field(None, max_length=200)

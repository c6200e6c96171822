"""Account shapes on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.identity import mask_name, mask_phone
from app.accounts.models import User
from app.regions.schemas import RegionOut
from app.validation import OtpCode, Phone


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000)


class OtpRequest(Strict):
    phone: Phone = Field(examples=["13800000001"])


class OtpSent(BaseModel):
    sent: bool
    resend_after: int
    expires_in: int


class CodeLogin(Strict):
    phone: Phone
    code: OtpCode = Field(examples=["123456"])


class PasswordLogin(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class CsrfToken(BaseModel):
    csrf_token: str


class Me(BaseModel):
    """The logged-in person, as their own screens show them (masked)."""

    id: int
    display_name: str | None
    phone_masked: str | None
    id_masked: str | None
    roles: list[str]
    region: RegionOut | None
    locale: str

    @classmethod
    def of(cls, user: User) -> Me:
        return cls(
            id=user.id,
            display_name=mask_name(user.name) if user.name else None,
            phone_masked=mask_phone(user.phone) if user.phone else None,
            id_masked=user.id_masked,
            roles=user.roles,
            region=RegionOut.of(user.region) if user.region else None,
            locale=user.locale,
        )


class LoginResult(BaseModel):
    user: Me


class MeUpdate(Strict):
    locale: Literal["zh-CN", "en"]

"""Field types shared by request schemas, with our own error codes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from app.accounts.identity import is_valid_id_number, is_valid_phone, normalise_id_number


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _phone(value: str) -> str:
    if not is_valid_phone(value):
        raise PydanticCustomError("phone_invalid", "not a mainland mobile number")
    return value


def _id_number(value: str) -> str:
    value = normalise_id_number(value)
    if not is_valid_id_number(value):
        raise PydanticCustomError("id_number_invalid", "not a valid resident ID number")
    return value


def _otp(value: str) -> str:
    if len(value) != 6 or not value.isdigit() or not value.isascii():
        raise PydanticCustomError("otp_format", "six digits expected")
    return value


Phone = Annotated[str, BeforeValidator(_strip), AfterValidator(_phone)]
IdNumber = Annotated[str, BeforeValidator(_strip), AfterValidator(_id_number)]
OtpCode = Annotated[str, BeforeValidator(_strip), AfterValidator(_otp)]

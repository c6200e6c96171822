"""Quarantine shapes on the wire. Names and ID numbers leave the server masked."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.identity import mask_name, mask_phone
from app.cards.schemas import RegionName, StatusName, Symptom
from app.validation import Phone

Place = Literal["home", "hotel", "facility"]
CaseFilter = Literal["open", "due", "missing", "referred", "closed", "all"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000)


class Upload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2_800_000)


class CaseOpenIn(Strict):
    """Open a case by hand: name the person by `user_id` or `phone`."""

    user_id: int | None = Field(None, ge=1, le=2**31 - 1)
    phone: Phone | None = Field(None, examples=["13800000001"])
    village_code: str = Field(max_length=20, examples=["430702001001"])
    start_date: date = Field(description="Date of exposure or of arrival (day 0).")
    place: Place = "home"
    address: str | None = Field(None, max_length=200)
    staff_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Responsible staff (default: you)."
    )
    reason: str = Field(min_length=2, max_length=500, examples=["自武汉返乡，未申报"])


class CaseUpdateIn(Strict):
    place: Place | None = None
    address: str | None = Field(None, max_length=200)
    staff_id: int | None = Field(None, ge=1, le=2**31 - 1)


class CheckIn(Strict):
    temperature: Decimal = Field(
        ge=Decimal("34.0"), le=Decimal("43.0"), decimal_places=1, examples=["36.5"]
    )
    symptoms: list[Symptom] = Field(min_length=1, max_length=7, examples=[["none"]])


class ReleaseIn(Strict):
    comment: str | None = Field(None, max_length=500)


class BulkReleaseIn(Strict):
    case_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=1000)
    comment: str | None = Field(None, max_length=500)


class TransferIn(Strict):
    reason: str = Field(min_length=2, max_length=500, examples=["体温38.2℃，转定点医院"])
    hospital: str | None = Field(None, max_length=100, examples=["常德市第一人民医院"])


class CaseQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(None, max_length=20, description="A region within your scope.")
    filter: CaseFilter = Field(
        "open",
        description="open, due (今日可解除隔离), missing (no check today), referred, closed, all",
    )
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class SummaryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(None, max_length=20)


class PersonOut(BaseModel):
    user_id: int
    name_masked: str | None
    id_masked: str | None
    phone_masked: str | None

    @classmethod
    def of(cls, user: Any) -> PersonOut:
        return cls(
            user_id=user.id,
            name_masked=mask_name(user.name) if user.name else None,
            id_masked=user.id_masked,
            phone_masked=mask_phone(user.phone) if user.phone else None,
        )


class CheckOut(BaseModel):
    id: int
    check_date: date
    temperature: Decimal
    symptoms: list[str]
    abnormal: bool
    source: Literal["self", "staff", "declaration"]
    recorded_at: datetime

    @classmethod
    def of(cls, check: Any) -> CheckOut:
        return cls(
            id=check.id,
            check_date=check.check_date,
            temperature=check.temperature,
            symptoms=check.symptoms or [],
            abnormal=check.abnormal,
            source=check.source,
            recorded_at=check.recorded_dt,
        )


class CaseOut(BaseModel):
    """A case as staff see it in lists; `eligible` says whether it is due for release today."""

    id: int
    person: PersonOut
    state: Literal["open", "released", "transferred"]
    origin: Literal["declaration", "manual"]
    start_date: date
    planned_end_date: date
    day_number: int = Field(description="Day of observation today (day 0 = start date).")
    days_left: int
    place: Place
    village: RegionName
    staff_id: int | None
    status: StatusName | None = Field(description="The person's card colour now.")
    referred: bool
    referral_reasons: list[str]
    checked_today: bool
    eligible: bool
    ineligible_reason: str | None
    opened_at: datetime
    closed_at: datetime | None


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class HistoryOut(BaseModel):
    at: datetime
    action: str
    actor_id: int | None
    reason: str | None
    detail: dict[str, Any]


class CaseDetail(CaseOut):
    address: str | None
    open_reason: str | None
    close_reason: str | None
    hospital: str | None
    staff_name_masked: str | None
    checks: list[CheckOut]
    history: list[HistoryOut]


class BulkReleaseOut(BaseModel):
    released: int
    case_ids: list[int]


class CountsOut(BaseModel):
    region: RegionName
    level: str
    open: int
    due_today: int
    missing_checks: int
    referred: int


class SummaryOut(BaseModel):
    today: date
    total: CountsOut
    children: list[CountsOut]


class MyCaseOut(BaseModel):
    """The worker's own case: days left and every reading."""

    id: int
    state: Literal["open", "released", "transferred"]
    start_date: date
    planned_end_date: date
    day_number: int
    days_left: int
    place: Place
    village: RegionName
    referred: bool
    checked_today: bool
    closed_at: datetime | None
    checks: list[CheckOut]


# ---------------------------------------------------------------- enterprise daily monitoring


class WorkplaceCheckIn(Strict):
    user_id: int = Field(ge=1, le=2**31 - 1, description="A worker on your roster.")
    temperature: Decimal = Field(
        ge=Decimal("34.0"), le=Decimal("43.0"), decimal_places=1, examples=["36.5"]
    )
    symptoms: list[Symptom] = Field(min_length=1, max_length=7, examples=[["none"]])
    day: date | None = Field(
        None, alias="date", description="Local date; default today (up to 7 days back)."
    )


class WorkplaceReadingOut(BaseModel):
    check_date: date
    temperature: Decimal
    symptoms: list[str]
    abnormal: bool
    source: Literal["single", "upload"]
    recorded_at: datetime

    @classmethod
    def of(cls, check: Any) -> WorkplaceReadingOut:
        return cls(
            check_date=check.check_date,
            temperature=check.temperature,
            symptoms=check.symptoms or [],
            abnormal=check.abnormal,
            source=check.source,
            recorded_at=check.recorded_dt,
        )


class WorkplaceCheckOut(BaseModel):
    user_id: int
    outcome: Literal["created", "updated", "unchanged"]
    reading: WorkplaceReadingOut


class DaySheetQuery(BaseModel):
    day: date | None = Field(None, alias="date", description="Local date; default today.")
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class DaySheetItem(BaseModel):
    user_id: int
    name_masked: str | None
    phone_masked: str | None
    id_last4: str | None
    reading: WorkplaceReadingOut | None


class DaySheetPage(BaseModel):
    day: date
    items: list[DaySheetItem]
    next_cursor: str | None


class UploadIn(Upload):
    """A day's list as a file: CSV (UTF-8 or GB18030) or XLSX, base64-encoded.

    Columns (header row, Chinese or English): 手机号 (phone), or 姓名 (name) with 身份证后四位
    (ID last 4); 体温 (temperature); 症状 (symptoms, optional: 无, 发热, 咳嗽, 乏力, 咽痛, 气促,
    腹泻, separated by 、 or commas). Other columns are ignored.
    """

    filename: str = Field(min_length=1, max_length=200, examples=["2月20日体温.xlsx"])
    content_base64: str = Field(min_length=4, max_length=2_800_000)
    day: date | None = Field(
        None, alias="date", description="The day the list is for; default today."
    )
    dry_run: bool = Field(False, description="Check the file and count, but record nothing.")


class UploadOut(BaseModel):
    day: date
    rows: int
    created: int
    updated: int
    unchanged: int
    abnormal: int
    dry_run: bool

"""Job shapes on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.api.pagination import PageQuery
from app.employers.schemas import reject_null
from app.jobs.trades import TRADE_CODES
from app.regions.schemas import RegionOut

TradeCode = Literal[TRADE_CODES]  # type: ignore[valid-type]
PostingStatus = Literal["draft", "pending", "published", "closed", "expired", "taken_down"]
ApplicationStatus = Literal["submitted", "contacted", "hired", "declined", "withdrawn"]
CardColour = Literal["green", "yellow", "red"]

Title = Annotated[str, Field(min_length=2, max_length=60, examples=["电子厂普工"])]
Headcount = Annotated[int, Field(ge=1, le=10000, examples=[30])]
Wage = Annotated[int, Field(ge=0, le=100000, description="Yuan per month.", examples=[4500])]
RegionCode = Annotated[str, Field(min_length=1, max_length=20, examples=["430702"])]
Address = Annotated[str, Field(min_length=2, max_length=200, examples=["德山经开区桃林路1号"])]
LongText = Annotated[str, Field(max_length=2000)]
Contact = Annotated[str, Field(min_length=2, max_length=100, examples=["人事部 王经理 7280000"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000, str_strip_whitespace=True)


class PostingIn(Strict):
    """A job offer; saved as a draft."""

    title: Title
    trade: TradeCode
    headcount: Headcount
    wage_min: Wage
    wage_max: Wage
    region_code: RegionCode = Field(description="Where the work is: any region.")
    address: Address
    housing: bool = False
    meals: bool = False
    description: LongText = ""
    requirements: LongText = Field("", examples=["18-50周岁，身体健康"])
    arrival_rules: LongText = Field(
        "", description="The employer's epidemic-prevention rules for arriving workers."
    )
    start_date: date | None = None
    valid_until: date = Field(description="The last day it is open (Changde time).")
    contact: Contact


class PostingUpdate(Strict):
    """Only the fields sent change. Changing a published posting sends it back to review."""

    title: Title | None = None
    trade: TradeCode | None = None
    headcount: Headcount | None = None
    wage_min: Wage | None = None
    wage_max: Wage | None = None
    region_code: RegionCode | None = None
    address: Address | None = None
    housing: bool | None = None
    meals: bool | None = None
    description: LongText | None = None
    requirements: LongText | None = None
    arrival_rules: LongText | None = None
    start_date: date | None = Field(None, description="null clears it.")
    valid_until: date | None = None
    contact: Contact | None = None

    _not_null = field_validator(
        *(f for f in PostingIn.model_fields if f != "start_date"), mode="before"
    )(reject_null)


class EmployerBrief(BaseModel):
    id: int
    name: str
    industry: str
    verified: bool
    region: RegionOut


class JobCard(BaseModel):
    """What a worker decides on: wage, place, housing, positions left, arrival rules."""

    id: int
    title: str
    trade: str
    trade_name: str
    employer_name: str
    region: RegionOut
    address: str
    wage_min: int
    wage_max: int
    housing: bool
    meals: bool
    headcount: int
    positions_left: int
    arrival_rules: str
    start_date: date | None
    valid_until: date
    published_at: datetime | None
    application_status: ApplicationStatus | None = Field(
        None, description="The caller's application to it, if any."
    )


class JobDetail(JobCard):
    status: PostingStatus
    description: str
    requirements: str
    contact: str
    employer: EmployerBrief
    application_id: int | None = None
    share_card: bool | None = None


class JobPage(BaseModel):
    items: list[JobCard]
    next_cursor: str | None


class JobSearchQuery(PageQuery):
    q: str | None = Field(
        None, max_length=40, description="Keywords: Chinese substrings, e.g. 普工."
    )
    region: str | None = Field(None, max_length=20, description="A region and its subtree.")
    trade: TradeCode | None = None
    min_wage: int | None = Field(None, ge=0, le=100000, description="Pays at least this much.")
    housing: bool | None = Field(None, description="Only jobs with housing.")
    sort: Literal["newest", "wage"] = "newest"


class PostingOut(BaseModel):
    """A posting as its employer and the reviewing officials see it."""

    id: int
    status: PostingStatus
    title: str
    trade: str
    trade_name: str
    headcount: int
    positions_left: int
    wage_min: int
    wage_max: int
    region: RegionOut
    address: str
    housing: bool
    meals: bool
    description: str
    requirements: str
    arrival_rules: str
    start_date: date | None
    valid_until: date
    contact: str
    review_note: str | None
    employer: EmployerBrief
    created_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    ended_at: datetime | None
    applications: dict[str, int] = Field(description="How many applications in each state.")


class PostingPage(BaseModel):
    items: list[PostingOut]
    next_cursor: str | None


class PostingQuery(PageQuery):
    status: PostingStatus | None = None


class ReviewQuery(PageQuery):
    status: PostingStatus | None = "pending"


class ReasonIn(Strict):
    reason: str = Field(min_length=2, max_length=500, examples=["岗位信息不实"])


class ApplyIn(Strict):
    share_card: bool = Field(False, description="Let the employer see my health-card colour.")


class ApplicationOut(BaseModel):
    """My application, with the job it is for."""

    id: int
    status: ApplicationStatus
    share_card: bool
    applied_at: datetime
    status_at: datetime
    job: JobCard


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    next_cursor: str | None


class ApplicantOut(BaseModel):
    """An applicant as the employer sees them (masked; colour only if they shared it)."""

    id: int
    name_masked: str | None
    phone_masked: str | None
    status: ApplicationStatus
    share_card: bool
    card_status: CardColour | None
    applied_at: datetime
    status_at: datetime


class ApplicantPage(BaseModel):
    items: list[ApplicantOut]
    next_cursor: str | None


class ApplicantQuery(PageQuery):
    status: ApplicationStatus | None = None


class StatusIn(Strict):
    status: Literal["contacted", "hired", "declined"]


class BulkStatusIn(Strict):
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=200)
    status: Literal["contacted", "hired", "declined"]


class BulkStatusOut(BaseModel):
    changed: list[int]
    skipped: list[int] = Field(description="Applications that cannot move to this status.")


class ContactOut(BaseModel):
    phone: str
    applicant: ApplicantOut


class RecommendationQuery(BaseModel):
    trade: TradeCode | None = None
    destination: str | None = Field(None, max_length=20, description="GB/T 2260 code.")
    wage: int | None = Field(None, ge=0, le=100000, description="Expected monthly wage.")
    limit: int = Field(10, ge=1, le=50)


class Recommendation(BaseModel):
    job: JobCard
    reasons: list[str] = Field(examples=[["same_trade", "housing"]])
    reason_words: list[str] = Field(examples=[["同工种", "包住宿"]])


class RecommendationList(BaseModel):
    items: list[Recommendation]


class TradeOut(BaseModel):
    code: str
    zh: str
    en: str


class TradeList(BaseModel):
    items: list[TradeOut]


class DemandIn(Strict):
    """One line of the labour-demand survey."""

    trade: TradeCode
    headcount: Headcount
    start_date: date
    region_code: RegionCode | None = Field(None, description="Default: the employer's region.")
    note: str | None = Field(None, max_length=200)


class DemandUpdate(Strict):
    trade: TradeCode | None = None
    headcount: Headcount | None = None
    start_date: date | None = None
    region_code: RegionCode | None = None
    note: str | None = Field(None, max_length=200, description="null clears it.")

    _not_null = field_validator("trade", "headcount", "start_date", "region_code", mode="before")(
        reject_null
    )


class DemandOut(BaseModel):
    id: int
    trade: str
    trade_name: str
    headcount: int
    start_date: date
    region: RegionOut
    note: str | None
    reported_at: datetime


class DemandPage(BaseModel):
    items: list[DemandOut]
    next_cursor: str | None


class DemandSummaryQuery(BaseModel):
    region: str | None = Field(None, max_length=20, description="Default: my whole region.")


class DemandCellOut(BaseModel):
    region: RegionOut
    trade: str
    trade_name: str
    demand: int = Field(description="Headcount employers reported in the survey.")
    open_positions: int = Field(description="Positions left in published postings.")
    supply_local: int = Field(description="Workers wanting local work, no job arranged.")
    supply_outbound: int = Field(description="Workers planning to go out, no job arranged.")


class DemandSummaryOut(BaseModel):
    region: RegionOut
    supply_known: bool
    cells: list[DemandCellOut]

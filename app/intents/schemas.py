"""Intent, ledger, destination-rule and certificate shapes on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.cards.schemas import CardOut
from app.validation import IdNumber, Phone

Kind = Literal["outbound", "local"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=5000)


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- intents -------------------------------------------------------------------------------


class IntentIn(Strict):
    """The intent form. With no job arranged, the worker is shown jobs at the destination first."""

    kind: Kind = Field(examples=["outbound"])
    destination_code: str | None = Field(
        None,
        max_length=20,
        description="GB/T 2260 code: from the destination list or any valid 6-digit code. "
        "For local work a Changde region (default: the city).",
        examples=["440300"],
    )
    trade: str = Field(max_length=32, description="A code from the trade list.")
    job_arranged: bool = False
    employer_name: str | None = Field(None, max_length=200)
    job_start_date: date | None = None
    application_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="A hired application (jobs)."
    )
    departure_date: date | None = Field(None, description="Planned departure (local date).")
    needs_transport: bool = Field(False, description="Wants organised (point-to-point) transport.")
    needs_certificate: bool = Field(False, description="Wants an outbound health certificate.")
    wage_expectation: int | None = Field(None, ge=0, le=100000, description="Yuan per month.")
    note: str | None = Field(None, max_length=500)


class ProxyIntentIn(Strict):
    """Village staff fill in the form for a worker: find them by id, ID number or phone, or
    register them (name + ID number). The worker's consent is required and recorded."""

    user_id: int | None = Field(None, ge=1, le=2**31 - 1)
    id_number: IdNumber | None = None
    phone: Phone | None = None
    name: str | None = Field(None, min_length=1, max_length=30)
    origin_village_code: str | None = Field(None, max_length=20)
    consent: bool
    intent: IntentIn


class DestinationOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    province_code: str
    known: bool = Field(description="In our destination list (else any valid GB/T 2260 code).")


class RegionName(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: str | None = None


class IntentOut(BaseModel):
    id: int
    user_id: int
    active: bool
    kind: Kind
    destination: DestinationOut
    origin: RegionName | None
    trade: str
    trade_name: str
    job_arranged: bool
    employer_name: str | None
    job_start_date: date | None
    application_id: int | None
    departure_date: date | None
    needs_transport: bool
    needs_certificate: bool
    wage_expectation: int | None
    note: str | None
    departed: bool
    departed_at: datetime | None
    certified: bool
    certificate_card_id: str | None
    certificate_issued_at: datetime | None
    by_proxy: bool
    created_at: datetime
    updated_at: datetime


class RuleOut(BaseModel):
    id: int
    destination: DestinationOut
    rules_text: str
    source: str
    source_date: date
    valid_until: date | None
    job_info: str | None
    published_at: datetime
    withdrawn: bool


class RuleList(BaseModel):
    items: list[RuleOut]


class CertificateOut(BaseModel):
    card: CardOut
    png_url: str
    pdf_url: str


class MyIntentOut(BaseModel):
    """The worker's current intent (null if none), the rules of its destination, the
    certificate if one was issued, and `advice` = "settle_job_first" when going out without a
    job (先定岗再出行)."""

    intent: IntentOut | None
    rules: list[RuleOut]
    certificate: CertificateOut | None
    advice: str | None


class SavedIntentOut(BaseModel):
    intent: IntentOut
    created: bool
    advice: str | None


class ProxySavedOut(SavedIntentOut):
    user_id: int
    name_masked: str
    id_masked: str | None


class HistoryItem(BaseModel):
    id: int
    action: str
    changed_at: datetime
    by_proxy: bool
    snapshot: dict


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    next_cursor: str | None


class HistoryQuery(Query):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class DepartureIn(Strict):
    departed: bool = True


class TradeOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class ProvinceOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class HiredApplicationOut(BaseModel):
    id: int
    title: str
    employer_name: str | None


class OptionsOut(BaseModel):
    """Everything the intent form offers: destinations (with their provinces), trades, and the
    worker's hired applications."""

    destinations: list[DestinationOut]
    provinces: list[ProvinceOut]
    trades: list[TradeOut]
    hired_applications: list[HiredApplicationOut]


class RecommendationQuery(Query):
    trade: str | None = Field(None, max_length=32)
    destination_code: str | None = Field(None, max_length=20)
    wage_expectation: int | None = Field(None, ge=0, le=100000)


class JobSummary(BaseModel):
    id: int
    title: str
    employer_name: str | None
    region_code: str | None
    region_name: str | None
    wage_text: str | None
    trade: str | None
    trade_name: str | None
    housing: bool


class Reason(BaseModel):
    code: str
    text: str


class Recommendation(BaseModel):
    job: JobSummary
    reasons: list[Reason]


class RecommendationList(BaseModel):
    items: list[Recommendation]
    advice: str = Field(description="settle_job_first: 先定岗再出行")


class WorkerLookupQuery(Query):
    id_number: IdNumber | None = None
    phone: Phone | None = None


class WorkerLookupOut(BaseModel):
    user_id: int
    name_masked: str
    id_masked: str | None
    village: RegionName | None
    intent: IntentOut | None


# -- rules ---------------------------------------------------------------------------------


class RuleIn(Strict):
    destination_code: str = Field(max_length=20, examples=["440300"])
    rules_text: str = Field(min_length=2, max_length=5000)
    source: str = Field(min_length=2, max_length=300, description="Who published it, where.")
    source_date: date
    valid_until: date | None = None
    job_info: str | None = Field(None, max_length=3000)


class RulesQuery(Query):
    destination_code: str | None = Field(None, max_length=20)


# -- ledger --------------------------------------------------------------------------------


class LedgerQuery(Query):
    region: str | None = Field(None, max_length=20, description="Default: the official's region.")
    kind: Literal["outbound", "local", "all"] = "outbound"
    trade: str | None = Field(None, max_length=32)
    departure_from: date | None = None
    departure_to: date | None = None
    group: Literal["county", "township", "village"] | None = Field(
        None, description="Origin level of the rows (default: one below the region)."
    )
    destination_level: Literal["city", "province", "exact"] = "city"


class Counts(BaseModel):
    intents: int
    job_arranged: int
    no_job: int
    departed: int
    not_departed: int
    certified: int
    needs_transport: int
    needs_certificate: int


class OriginRow(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: str
    counts: Counts


class DestinationRow(BaseModel):
    destination: DestinationOut
    counts: Counts


class LedgerCell(BaseModel):
    origin_code: str
    destination_code: str
    counts: Counts


class LedgerOut(BaseModel):
    """Counts by origin × destination for the region (from counters kept as intents change)."""

    region: RegionName
    group: str
    destination_level: str
    phone_visible: bool
    totals: Counts
    destinations: list[DestinationRow]
    origins: list[OriginRow]
    cells: list[LedgerCell]


class PeopleQuery(LedgerQuery):
    destination: str | None = Field(None, max_length=20)
    job_arranged: bool | None = None
    departed: bool | None = None
    certified: bool | None = None
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class ExportQuery(LedgerQuery):
    destination: str | None = Field(None, max_length=20)
    job_arranged: bool | None = None
    departed: bool | None = None
    certified: bool | None = None


class PersonOut(BaseModel):
    intent_id: int
    user_id: int
    name_masked: str
    id_masked: str
    phone: str | None = Field(description="Full only for the responsible township/village staff.")
    origin: RegionName | None
    township: RegionName | None
    kind: Kind
    destination: DestinationOut
    trade: str
    trade_name: str
    job_arranged: bool
    employer_name: str | None
    departure_date: date | None
    departed: bool
    certified: bool
    certificate_card_id: str | None
    needs_transport: bool
    needs_certificate: bool
    updated_at: datetime


class PeoplePage(BaseModel):
    items: list[PersonOut]
    next_cursor: str | None
    phone_visible: bool


class Eligibility(BaseModel):
    eligible: bool
    reasons: list[Reason]


class PersonDetailOut(BaseModel):
    person: PersonOut
    eligibility: Eligibility
    certificate: CertificateOut | None
    history: list[HistoryItem]


class ChartQuery(Query):
    region: str | None = Field(None, max_length=20)
    kind: Literal["outbound", "local", "all"] = "outbound"
    trade: str | None = Field(None, max_length=32)
    departure_from: date | None = None
    departure_to: date | None = None

"""Checkpoint shapes on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal, NotRequired

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from app.checkpoints.models import REFUSAL_REASONS

Reason = Literal[
    "ok",
    "bad_prefix",
    "bad_base45",
    "bad_compression",
    "bad_cbor",
    "bad_cose",
    "bad_schema",
    "unsupported_alg",
    "unknown_kid",
    "bad_signature",
    "wrong_key_usage",
    "not_yet_valid",
    "expired",
    "revoked",
]
RefusalReason = Literal[REFUSAL_REASONS]  # type: ignore[valid-type]
MAX_BATCH = 500
_HEX = frozenset("0123456789abcdef")


def _card_id(value: str) -> str:
    # A plain check, not `pattern=`: pydantic's regex costs about 8 µs an item here, and a
    # batch has 500 of them.
    if not _HEX.issuperset(value):
        raise PydanticCustomError("invalid", "lowercase hex expected")
    return value


CardId = Annotated[
    str,
    Field(min_length=12, max_length=16, description="The card's random id, hex."),
    AfterValidator(_card_id),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000)


# -- checkpoints ----------------------------------------------------------------------------


class _Place(Strict):
    latitude: Decimal | None = Field(None, ge=-90, le=90, decimal_places=6, examples=["29.03"])
    longitude: Decimal | None = Field(None, ge=-180, le=180, decimal_places=6, examples=["111.69"])
    opens_at: time | None = Field(None, examples=["07:00"], description="Local time.")
    closes_at: time | None = Field(None, examples=["19:00"], description="Local time.")

    @model_validator(mode="after")
    def _pairs(self) -> _Place:
        if (self.latitude is None) != (self.longitude is None):
            raise PydanticCustomError("coordinates_pair", "latitude and longitude go together")
        if (self.opens_at is None) != (self.closes_at is None):
            raise PydanticCustomError("hours_pair", "opening and closing time go together")
        if self.opens_at is not None and self.opens_at == self.closes_at:
            raise PydanticCustomError("hours_empty", "opening and closing time are the same")
        return self


class CheckpointIn(_Place):
    name: str = Field(min_length=2, max_length=60, examples=["新民村东口卡点"])
    village_code: str = Field(max_length=20, examples=["430702001001"])


class CheckpointUpdate(_Place):
    """Only the fields sent are changed (send null to clear coordinates or hours)."""

    name: str | None = Field(None, min_length=2, max_length=60)
    active: bool | None = None


class RegionBrief(BaseModel):
    code: str
    name_zh: str
    name_en: str


class UserBrief(BaseModel):
    id: int
    name_masked: str
    phone_masked: str | None


class AssignmentOut(BaseModel):
    volunteer: UserBrief
    assigned_at: datetime
    ended_at: datetime | None


class CheckpointOut(BaseModel):
    id: int
    name: str
    village: RegionBrief
    latitude: Decimal | None
    longitude: Decimal | None
    opens_at: time | None
    closes_at: time | None
    open_now: bool
    active: bool
    created_at: datetime


class CheckpointDetail(CheckpointOut):
    volunteers: list[AssignmentOut]
    poster_url: str
    place_code_url: str


class CheckpointPage(BaseModel):
    items: list[CheckpointOut]
    next_cursor: str | None


class CheckpointQuery(BaseModel):
    region: str | None = Field(None, max_length=20, description="Only this region's subtree.")
    active: bool | None = None
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class AssignIn(Strict):
    phone: str = Field(min_length=11, max_length=11, examples=["13800000010"])


class ScannerSettings(BaseModel):
    """How old the cached trust material may be before the scanner warns / stops greens."""

    trust_warn_hours: float
    trust_refuse_hours: float
    auto_return_seconds: int


class MyCheckpoints(BaseModel):
    items: list[CheckpointOut]
    scanner: ScannerSettings


# -- the outbox batch -----------------------------------------------------------------------


class Verdict(TypedDict):
    """What the volunteer's phone concluded; no name, no ID digits (extra keys refused).

    A TypedDict rather than a model: validated as strictly, but about four times faster
    nested in 500 items, and the scans' upload is the hot path of the service.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    valid: bool
    reason: Reason
    kind: NotRequired[Literal["FG1", "HC1"] | None]
    status: NotRequired[Literal["green", "yellow", "red"] | None]
    card_type: NotRequired[Literal["card", "paper", "certificate"] | None]
    card_id: NotRequired[CardId | None]
    issuer_region: NotRequired[Annotated[str, Field(max_length=20)] | None]
    trust_stale: NotRequired[
        Annotated[
            bool,
            Field(description="The phone's trust list was older than the scanner accepts."),
        ]
    ]


class ScanItem(Strict):
    type: Literal["scan"]
    uuid: uuid.UUID
    checkpoint_id: int = Field(ge=1, le=2**31 - 1)
    scanned_at: AwareDatetime
    method: Literal["camera", "manual", "photo"] = "camera"
    verdict: Verdict


class DecisionItem(Strict):
    """Admit or refuse the person of an earlier scan (`scan_uuid`). A refusal needs a reason;
    "other" needs a note."""

    type: Literal["decision"]
    uuid: uuid.UUID
    scan_uuid: uuid.UUID
    decision: Literal["admit", "refuse"]
    decided_at: AwareDatetime
    reason: RefusalReason | None = None
    note: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _reason(self) -> DecisionItem:
        if self.decision == "refuse" and self.reason is None:
            raise PydanticCustomError("refusal_reason_required", "a refusal needs a reason")
        if self.decision == "admit" and (self.reason is not None or self.note):
            raise PydanticCustomError("reason_only_for_refusal", "only refusals have reasons")
        if self.reason == "other" and not (self.note or "").strip():
            raise PydanticCustomError("refusal_note_required", "say why in the note")
        return self


class CheckInItem(Strict):
    type: Literal["checkin"]
    uuid: uuid.UUID
    token: str = Field(min_length=10, max_length=400, description="The poster's place code.")
    checked_in_at: AwareDatetime


SyncItem = Annotated[ScanItem | DecisionItem | CheckInItem, Field(discriminator="type")]


class SyncIn(Strict):
    items: list[SyncItem] = Field(min_length=1, max_length=MAX_BATCH)


class ItemAnswer(BaseModel):
    uuid: uuid.UUID
    result: Literal["created", "duplicate", "rejected"]
    code: str | None = Field(None, description="Why an item was rejected (stable code).")
    message: str | None = None


class SyncOut(BaseModel):
    """One answer per item, in the order sent. created and duplicate both mean "the server has
    it": the client may delete the item. rejected items will never be accepted."""

    items: list[ItemAnswer]
    created: int
    duplicates: int
    rejected: int


# -- volunteer and supervision views -------------------------------------------------------


class Counts(BaseModel):
    scans: int
    valid: int
    invalid: int
    green: int
    yellow: int
    red: int
    admitted: int
    refused: int
    undecided: int
    flagged: int
    checkins: int


class TodayOut(BaseModel):
    checkpoint: CheckpointOut
    day: date
    counts: Counts
    refusal_reasons: dict[str, int]


class DayCounts(Counts):
    day: date


class CheckpointStats(BaseModel):
    checkpoint: CheckpointOut
    days: list[DayCounts]
    totals: Counts


class StatsQuery(BaseModel):
    region: str | None = Field(None, max_length=20)
    checkpoint_id: int | None = Field(None, ge=1, le=2**31 - 1)
    from_: date | None = Field(
        None, alias="from", description="First local day (default: 6 days before `to`)."
    )
    to: date | None = Field(None, description="Last local day (default: today).")
    limit: int = Field(20, ge=1, le=100, description="Checkpoints per page.")
    cursor: str | None = Field(None, max_length=200)


class StatsPage(BaseModel):
    start: date
    end: date
    items: list[CheckpointStats]
    next_cursor: str | None


class RefusalQuery(BaseModel):
    region: str | None = Field(None, max_length=20)
    checkpoint_id: int | None = Field(None, ge=1, le=2**31 - 1)
    flagged: bool | None = Field(None, description="Only refusals of valid passes.")
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class VerdictOut(BaseModel):
    valid: bool
    reason: str
    kind: str | None
    status: str | None
    card_type: str | None
    card_id: str | None
    issuer_region: str | None
    trust_stale: bool


class RefusalOut(BaseModel):
    id: int
    checkpoint: CheckpointOut
    volunteer: UserBrief
    scanned_at: datetime
    day: date
    method: str
    verdict: VerdictOut
    reason: str | None
    reason_text: str | None
    note: str | None
    flagged: bool
    decided_at: datetime | None


class RefusalPage(BaseModel):
    items: list[RefusalOut]
    next_cursor: str | None


class PlaceCodeOut(BaseModel):
    """What a worker's phone shows after scanning a poster."""

    checkpoint_id: int
    name: str
    village: RegionBrief
    open_now: bool

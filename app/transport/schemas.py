"""Transport shapes on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.api.pagination import PageQuery
from app.checkpoints.schemas import Verdict
from app.transport.models import BOARDING_REFUSALS, REQUEST_STATES
from app.validation import Phone

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
RegionCode = Annotated[str, Field(min_length=2, max_length=20, examples=["440306"])]
BoardingRefusal = Literal[BOARDING_REFUSALS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000, str_strip_whitespace=True)


# -- requests -------------------------------------------------------------------------------


class WorkerIn(Strict):
    user_id: RowId
    origin_code: RegionCode | None = Field(
        None, description="Where this worker leaves from, if not the batch's origin."
    )


class RequestIn(Strict):
    """A batch: at least 50 workers (TRANSPORT_MIN_BATCH) from the same origin."""

    origin_code: RegionCode = Field(description="GB/T 2260 county or city outside Changde.")
    window_start: date
    window_end: date
    destination_address: str | None = Field(None, min_length=2, max_length=200)
    note: str | None = Field(None, max_length=500)
    workers: list[WorkerIn] = Field(min_length=1, max_length=2000)


class RequestUploadIn(Strict):
    """The same with the workers as a file (CSV or XLSX, base64): columns 手机号 (phone) or
    姓名 + 身份证后四位 (name + ID last 4), and optionally 出发地 (origin code). A file with
    any error changes nothing; the errors name their lines."""

    origin_code: RegionCode
    window_start: date
    window_end: date
    destination_address: str | None = Field(None, min_length=2, max_length=200)
    note: str | None = Field(None, max_length=500)
    filename: str = Field(min_length=1, max_length=200, examples=["返岗名单.xlsx"])
    content_base64: str = Field(min_length=4, max_length=2_800_000)


class DecisionIn(Strict):
    approve: bool
    reason: str | None = Field(None, max_length=500, description="Required to refuse.")


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class RequestQuery(PageQuery):
    state: Literal[REQUEST_STATES] | None = None  # type: ignore[valid-type]


class PlaceOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class PersonOut(BaseModel):
    """A person as screens show them: masked."""

    user_id: int
    name_masked: str
    phone_masked: str | None
    id_masked: str | None


class WorkerOut(BaseModel):
    id: int
    person: PersonOut
    origin: PlaceOut
    state: str
    seat: str | None
    trip_id: int | None


class EventOut(BaseModel):
    action: str
    at: datetime
    actor: str | None
    reason: str | None
    trip_id: int | None


class RequestOut(BaseModel):
    id: int
    direction: str
    state: str
    employer_name: str | None
    origin: PlaceOut
    destination: PlaceOut
    destination_address: str
    review_region: PlaceOut
    window_start: date
    window_end: date
    note: str | None
    workers: int
    seated: int
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    may_decide: bool
    may_plan: bool
    may_cancel: bool


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: str | None


class RequestList(BaseModel):
    items: list[RequestOut]


class TripBrief(BaseModel):
    id: int
    state: str
    plate: str
    seats: int
    departure_at: datetime
    departure_place: str
    arrival_place: str
    passengers: int
    capacity: int


class RequestDetail(RequestOut):
    worker_list: list[WorkerOut]
    trips: list[TripBrief]
    events: list[EventOut]
    unseated: int


class CandidateOut(BaseModel):
    person: PersonOut
    free: bool


class CandidateList(BaseModel):
    items: list[CandidateOut]
    minimum: int


# -- trips ----------------------------------------------------------------------------------


class VehicleIn(Strict):
    plate: str = Field(min_length=7, max_length=8, examples=["湘J12345"])
    seats: int = Field(ge=5, le=120, examples=[53])
    layout: list[Annotated[str, Field(min_length=1, max_length=12)]] | None = Field(
        None,
        max_length=30,
        description="Seat rows front to back, '_' for the aisle (default: by seats).",
        examples=[["AB_CD", "AB_CD", "ABCDE"]],
    )
    operator: str | None = Field(None, max_length=100)

    @model_validator(mode="after")
    def _plate(self) -> VehicleIn:
        from app.transport.trips import PLATE_RE

        if not PLATE_RE.match(self.plate.upper()):
            raise PydanticCustomError("plate_invalid", "not a Chinese licence plate")
        return self


class TripIn(Strict):
    vehicle: VehicleIn
    driver_name: str = Field(min_length=1, max_length=50)
    driver_phone: Phone
    escort_phone: Phone
    medic_phone: Phone | None = None
    departure_at: AwareDatetime
    departure_place: str = Field(min_length=2, max_length=200)
    route: str = Field("", max_length=500)
    arrival_place: str = Field(min_length=2, max_length=200)
    arrival_due_at: AwareDatetime
    worker_ids: list[RowId] | None = Field(
        None, max_length=200, description="Workers to seat (default: as many as fit)."
    )


class TripUpdate(Strict):
    departure_at: AwareDatetime | None = None
    departure_place: str | None = Field(None, min_length=2, max_length=200)
    route: str | None = Field(None, max_length=500)
    arrival_place: str | None = Field(None, min_length=2, max_length=200)
    arrival_due_at: AwareDatetime | None = None


class SeatsIn(Strict):
    worker_ids: list[RowId] | None = Field(None, max_length=200)


class HandoverIn(Strict):
    arrived: list[RowId] = Field(max_length=200, description="Passenger ids who arrived.")
    note: str | None = Field(None, max_length=500)


class CrewOut(BaseModel):
    role: str
    name_masked: str
    phone_masked: str | None


class CardState(BaseModel):
    """Whether a passenger may travel: a valid green card, or why not."""

    valid: bool
    status: str | None
    reasons: list[str]
    text: str


class PassengerOut(BaseModel):
    id: int
    worker_id: int
    person: PersonOut
    seat: str
    state: str
    card: CardState
    boarded_at: datetime | None
    temperature: Decimal | None
    refusal_reason: str | None
    refusal_text: str | None
    refusal_note: str | None
    arrived_at: datetime | None


class SeatMapRow(BaseModel):
    row: int
    seats: list[str]  # labels; '' for the aisle
    isolation: bool


class TripOut(BaseModel):
    id: int
    request_id: int
    state: str
    plate: str
    seats: int
    capacity: int
    seat_share: Decimal
    isolation_rows: int
    driver_name: str
    driver_phone_masked: str
    crew: list[CrewOut]
    departure_at: datetime
    departure_place: str
    route: str
    arrival_place: str
    arrival_due_at: datetime
    departed_at: datetime | None
    arrived_at: datetime | None
    handover_note: str | None
    passengers: list[PassengerOut]
    seat_map: list[SeatMapRow]
    crew_seats: list[str]
    counts: dict[str, int]
    not_valid: int
    missing: list[int]
    may_plan: bool
    may_board: bool
    may_receive: bool


class TripList(BaseModel):
    items: list[TripBrief]


# -- boarding (the crew's phone) ------------------------------------------------------------


class BoardingPassenger(BaseModel):
    """What the crew's phone keeps for the door: enough to match a card offline."""

    id: int
    seat: str
    name_masked: str
    id_last4: str | None
    card_ids: list[str]
    state: str
    card_valid: bool


class BoardingList(BaseModel):
    trip_id: int
    plate: str
    departure_at: datetime
    departure_place: str
    state: str
    passengers: list[BoardingPassenger]
    refusal_reasons: list[str]


class BoardingItem(Strict):
    """One passenger at the door: the phone's verdict, the temperature and board / refuse.
    Refusing needs a reason ("other" needs a note); boarding needs a temperature."""

    type: Literal["boarding"]
    uuid: uuid.UUID
    trip_id: RowId
    passenger_id: RowId | None = None
    scanned_at: AwareDatetime
    verdict: Verdict
    temperature: Decimal | None = Field(None, ge=34, le=43, decimal_places=1)
    decision: Literal["board", "refuse"]
    reason: BoardingRefusal | None = None
    note: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _rules(self) -> BoardingItem:
        if self.decision == "refuse" and self.reason is None:
            raise PydanticCustomError("boarding_reason_required", "a refusal needs a reason")
        if self.decision == "board" and self.temperature is None:
            raise PydanticCustomError("temperature_required", "boarding needs a temperature")
        if self.reason == "other" and not (self.note or "").strip():
            raise PydanticCustomError("refusal_note_required", "say why in the note")
        return self


class BoardingSyncIn(Strict):
    items: list[BoardingItem] = Field(min_length=1, max_length=500)


class MyTrips(BaseModel):
    """Trips I travel with as escort or medic."""

    items: list[TripBrief]


# -- organised export -----------------------------------------------------------------------


class GroupQuery(BaseModel):
    region: str | None = Field(None, max_length=20)


class GroupOut(BaseModel):
    destination: PlaceOut
    week_start: date
    workers: int
    needs_transport: int
    in_batches: int
    proposed: bool


class GroupList(BaseModel):
    items: list[GroupOut]
    minimum: int
    region: PlaceOut


class CharterIn(Strict):
    destination_code: RegionCode
    week_start: date
    destination_address: str = Field(min_length=2, max_length=200)
    note: str | None = Field(None, max_length=500)
    region: str | None = Field(None, max_length=20, description="Origin region (default: mine).")


class InvitationOut(BaseModel):
    """One batch of mine: an invitation (outbound) or a place on an employer's list (inbound),
    with my seat once I have one."""

    request_id: int
    worker_id: int
    direction: str
    request_state: str
    state: str
    origin: PlaceOut
    destination: PlaceOut
    destination_address: str
    window_start: date
    window_end: date
    trip_id: int | None
    seat: str | None
    passenger_state: str | None
    departure_at: datetime | None
    departure_place: str | None
    plate: str | None


class InvitationList(BaseModel):
    items: list[InvitationOut]


class AnswerIn(Strict):
    accept: bool


# -- the worker's timeline ------------------------------------------------------------------


class TimelineEntry(BaseModel):
    at: datetime
    kind: str
    title: str
    detail: str | None
    data: dict[str, str | int | float | bool | None]


class TimelineOut(BaseModel):
    person: PersonOut
    view: str  # worker / official / employer
    entries: list[TimelineEntry]

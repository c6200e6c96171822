"""Supervision shapes on the wire. Names and phones leave the server masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.checkpoints.schemas import RegionBrief
from app.validation import IdNumber

ComplaintKind = Literal["refused_entry", "refused_exit", "extra_demands", "other"]
CaseState = Literal["open", "closed"]
CaseSource = Literal["complaint", "refusal"]
Outcome = Literal["resolved", "unfounded"]
WorkerState = Literal["received", "handling", "closed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000)


# -- complaints -----------------------------------------------------------------------------


class ComplaintIn(Strict):
    """Where (a checkpoint, or a village when the gate has no checkpoint on the list), when
    (default now), what happened. A photo is uploaded afterwards to the complaint's `photos`."""

    checkpoint_id: int | None = Field(None, ge=1, le=2**31 - 1)
    village_code: str | None = Field(None, max_length=20, examples=["430702001001"])
    occurred_at: AwareDatetime | None = None
    kind: ComplaintKind = "refused_entry"
    description: str | None = Field(None, max_length=500, examples=["持绿码不让进村"])


class PlaceOut(BaseModel):
    checkpoint_id: int | None
    checkpoint_name: str | None
    village: RegionBrief


class PhotoOut(BaseModel):
    id: int
    url: str
    width: int
    height: int
    size_bytes: int


class PersonBrief(BaseModel):
    id: int
    name_masked: str | None
    phone_masked: str | None


class ComplaintOut(BaseModel):
    """A complaint as its worker sees it (state of the case it joined)."""

    id: int
    case_id: int
    place: PlaceOut
    occurred_at: datetime
    day: date
    kind: ComplaintKind
    kind_text: str
    description: str | None
    duplicate: bool = Field(description="It joined a case already open for this place and day.")
    filed_at: datetime
    state: WorkerState
    outcome: Outcome | None
    resolution: str | None
    closed_at: datetime | None
    photos: list[PhotoOut]


class ComplaintPage(BaseModel):
    items: list[ComplaintOut]
    next_cursor: str | None


class PageQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=200)


class NearbyQuery(BaseModel):
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class NearbyCheckpoint(BaseModel):
    id: int
    name: str
    village: RegionBrief
    distance_m: int | None


class NearbyOut(BaseModel):
    items: list[NearbyCheckpoint]


# -- cases ----------------------------------------------------------------------------------


class CaseQuery(PageQuery):
    region: str | None = Field(None, max_length=20, description="Only this region's subtree.")
    state: CaseState | None = None
    source: CaseSource | None = None
    checkpoint_id: int | None = Field(None, ge=1, le=2**31 - 1)
    mine: bool = Field(False, description="Only cases assigned to me.")
    unassigned: bool = Field(False, description="Only cases nobody is handling yet.")
    from_: date | None = Field(None, alias="from", description="Incident day from (local).")
    to: date | None = Field(None, description="Incident day to (local).")


class CaseOut(BaseModel):
    id: int
    place: PlaceOut
    day: date
    source: CaseSource
    state: CaseState
    complaints: int
    refusals: int
    assignee: PersonBrief | None
    opened_at: datetime
    closed_at: datetime | None
    outcome: Outcome | None


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class CaseComplaint(BaseModel):
    id: int
    worker: PersonBrief
    occurred_at: datetime
    kind: ComplaintKind
    kind_text: str
    description: str | None
    duplicate: bool
    filed_at: datetime
    photos: list[PhotoOut]


class CaseRefusal(BaseModel):
    scan_id: int
    scanned_at: datetime
    status: str | None
    kind: str | None
    reason: str | None
    reason_text: str | None
    note: str | None
    volunteer: PersonBrief


class NoteOut(BaseModel):
    id: int
    kind: Literal["contact", "note"]
    contacted: str | None
    note: str
    at: datetime
    author: PersonBrief


class CaseDetail(CaseOut):
    complaint_items: list[CaseComplaint]
    refusal_items: list[CaseRefusal]
    notes: list[NoteOut]
    resolution: str | None
    assigned_at: datetime | None


class AssignIn(Strict):
    assignee_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="An official of the village's region (default: me)."
    )


class NoteIn(Strict):
    kind: Literal["contact", "note"] = "contact"
    contacted: str | None = Field(None, max_length=100, examples=["新民村村委会 王主任"])
    note: str = Field(min_length=2, max_length=1000, examples=["电话告知村委会须对绿码放行"])


class CloseIn(Strict):
    outcome: Outcome = "resolved"
    resolution: str = Field(min_length=2, max_length=1000, examples=["已责令该卡点改正，绿码放行"])


# -- compliance: the ranked list ------------------------------------------------------------

Level = Literal["checkpoint", "village", "township", "county"]


class RankingQuery(BaseModel):
    region: str | None = Field(None, max_length=20, description="Default: my whole region.")
    level: Level | None = Field(None, description="What is ranked (default: villages).")
    limit: int = Field(50, ge=1, le=1000, description="The worst this many.")


class WeekFigures(BaseModel):
    scans: int
    passes: int = Field(description="Scans of valid green cards and health certificates.")
    admitted: int
    refused: int
    refused_valid: int = Field(description="Passes refused: what the notice forbids.")
    refused_valid_permille: int
    cases_opened: int
    open_cases: int = Field(description="Open at the end of the week (now, for this week).")
    closed_cases: int
    median_close_hours: float | None


class RankedUnit(BaseModel):
    rank: int
    kind: Level
    key: str = Field(description="The checkpoint's id, or the region's code.")
    name_zh: str
    name_en: str
    village_code: str | None
    this_week: WeekFigures
    last_week: WeekFigures
    trend: Literal["worse", "better", "same", "new"]
    permille_change: int | None


class WeekSpan(BaseModel):
    start: date
    end: date


class RankingOut(BaseModel):
    region: RegionBrief
    level: Level
    this_week: WeekSpan
    last_week: WeekSpan
    total: int
    items: list[RankedUnit]


# -- gate lookups ---------------------------------------------------------------------------


class LookupIn(Strict):
    """The ID number travels in the body (never in a URL, so no log holds it)."""

    checkpoint_id: int = Field(ge=1, le=2**31 - 1)
    id_number: IdNumber = Field(examples=["430702199001011234"])
    method: Literal["typed", "scanned"] = "typed"


class LookupOut(BaseModel):
    """Colour and validity with the masked name: nothing of the history."""

    lookup_id: int
    status: Literal["green", "yellow", "red"] | None = Field(
        description="None: registered, but has never declared."
    )
    status_text: str | None
    valid: bool
    valid_until: datetime | None
    name_masked: str | None


class LookupQuery(PageQuery):
    region: str | None = Field(None, max_length=20)
    checkpoint_id: int | None = Field(None, ge=1, le=2**31 - 1)
    volunteer_id: int | None = Field(None, ge=1, le=2**31 - 1)
    outcome: Literal["found", "not_found", "no_status", "outside_county"] | None = None
    from_: date | None = Field(None, alias="from", description="Local day from.")
    to: date | None = Field(None, description="Local day to (included).")


class LookupLogOut(BaseModel):
    id: int
    at: datetime
    checkpoint_id: int
    checkpoint_name: str
    volunteer: PersonBrief
    method: Literal["typed", "scanned"]
    outcome: Literal["found", "not_found", "no_status", "outside_county"]
    subject_name_masked: str | None
    status: str | None


class LookupPage(BaseModel):
    items: list[LookupLogOut]
    next_cursor: str | None


# -- the dashboard and the lists behind it --------------------------------------------------

ScanFilter = Literal["all", "valid", "invalid", "admitted", "refused", "refused_valid", "undecided"]


class ScanQuery(PageQuery):
    region: str | None = Field(None, max_length=20)
    checkpoint_id: int | None = Field(None, ge=1, le=2**31 - 1)
    from_: date | None = Field(None, alias="from", description="Local day (default today).")
    to: date | None = Field(None, description="Local day, included (default today).")
    filter: ScanFilter = "all"


class ScanOut(BaseModel):
    id: int
    checkpoint_id: int
    checkpoint_name: str
    scanned_at: datetime
    day: date
    valid: bool
    reason: str
    kind: str | None
    status: str | None
    decision: Literal["admit", "refuse"] | None
    refusal_reason: str | None
    flagged: bool


class ScanPage(BaseModel):
    items: list[ScanOut]
    next_cursor: str | None


class PeopleQuery(PageQuery):
    region: str | None = Field(None, max_length=20)
    status: Literal["green", "yellow", "red"] | None = None


class PersonStatusOut(BaseModel):
    user_id: int
    name_masked: str | None
    region: RegionBrief | None
    status: Literal["green", "yellow", "red"]
    updated_at: datetime


class PeoplePage(BaseModel):
    items: list[PersonStatusOut]
    next_cursor: str | None


class DashboardQuery(BaseModel):
    region: str | None = Field(None, max_length=20, description="Default: my whole region.")


class Figure(BaseModel):
    value: int
    list: str = Field(description="The API list behind the figure (all its pages).")
    sum: str | None = Field(
        None, description="The list's field that adds up to the figure; none: its rows count."
    )


class ScanFigures(BaseModel):
    all: Figure
    valid: Figure
    invalid: Figure
    admitted: Figure
    refused: Figure
    refused_valid: Figure
    undecided: Figure


class ColourFigures(BaseModel):
    green: Figure
    yellow: Figure
    red: Figure


class DestinationFigure(BaseModel):
    code: str
    name_zh: str
    name_en: str
    figure: Figure


class LabourFigures(BaseModel):
    demand: Figure
    open_positions: Figure
    supply_local: Figure
    supply_outbound: Figure


class DashboardOut(BaseModel):
    region: RegionBrief
    today: date
    week_start: date
    scans_today: ScanFigures
    scans_week: ScanFigures
    colours: ColourFigures
    quarantine_due: Figure
    intents_outbound: Figure
    destinations: list[DestinationFigure]
    labour: LabourFigures
    cases_open: Figure
    cases_unassigned: Figure

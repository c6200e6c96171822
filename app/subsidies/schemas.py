"""Subsidy shapes on the wire. Every amount is integer fen (`*_fen`): JSON numbers with a
fraction, or booleans, are refused rather than rounded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from app.accounts.identity import mask_name
from app.api.pagination import PageQuery
from app.regions.schemas import RegionOut
from app.subsidies import services
from app.subsidies.models import (
    BudgetEntry,
    SubsidyApplication,
    SubsidyBudget,
    SubsidyPolicy,
    TestBatch,
)

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
# At most 100 million yuan in one figure: beyond any county's testing budget, inside 64 bits.
Fen = Annotated[StrictInt, Field(ge=0, le=10_000_000_000, examples=[150000])]
PositiveFen = Annotated[StrictInt, Field(ge=1, le=10_000_000_000, examples=[150000])]
RegionCode = Annotated[str, Field(min_length=1, max_length=20, examples=["430702"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000, str_strip_whitespace=True)


class PolicyIn(Strict):
    """A county's terms for a period: rate per person tested, cap per employer."""

    region_code: RegionCode
    starts_on: date
    ends_on: date
    rate_fen: PositiveFen = Field(examples=[8000])
    cap_fen: PositiveFen = Field(examples=[5000000])


class PolicyOut(BaseModel):
    id: int
    region: RegionOut
    starts_on: date
    ends_on: date
    rate_fen: int
    cap_fen: int

    @classmethod
    def of(cls, policy: SubsidyPolicy) -> PolicyOut:
        from app.extensions import db
        from app.regions.models import Region

        return cls(
            id=policy.id,
            region=RegionOut.of(db.session.get(Region, policy.region_code)),
            starts_on=policy.starts_on,
            ends_on=policy.ends_on,
            rate_fen=policy.rate_fen,
            cap_fen=policy.cap_fen,
        )


class PolicyList(BaseModel):
    items: list[PolicyOut]


class BatchIn(Strict):
    """People on the roster by user id (`roster_user_ids`); others only counted."""

    tested_on: date
    institution: str = Field(min_length=2, max_length=100, examples=["常德市第一人民医院"])
    roster_user_ids: list[RowId] = Field(default_factory=list, max_length=5000)
    counted_only: Annotated[StrictInt, Field(ge=0, le=100_000)] = 0
    cost_fen: Fen


class InvoiceOut(BaseModel):
    id: int
    media_type: str
    size_bytes: int
    uploaded_at: datetime


class PersonOut(BaseModel):
    user_id: int
    name_masked: str | None


class BatchOut(BaseModel):
    id: int
    tested_on: date
    institution: str
    people_count: int
    counted_only: int
    people: list[PersonOut]
    cost_fen: int
    invoice: InvoiceOut | None
    application_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, batch: TestBatch) -> BatchOut:
        invoice = batch.invoice
        return cls(
            id=batch.id,
            tested_on=batch.tested_on,
            institution=batch.institution,
            people_count=batch.people_count,
            counted_only=batch.counted_only,
            people=[
                PersonOut(
                    user_id=p.user_id,
                    name_masked=mask_name(p.user.name) if p.user and p.user.name else None,
                )
                for p in batch.people
            ],
            cost_fen=batch.cost_fen,
            invoice=InvoiceOut(
                id=invoice.id,
                media_type=invoice.media_type,
                size_bytes=invoice.size_bytes,
                uploaded_at=invoice.uploaded_dt,
            )
            if invoice is not None
            else None,
            application_id=batch.application_id,
            created_at=batch.created_dt,
        )


class BatchPage(BaseModel):
    items: list[BatchOut]
    next_cursor: str | None


class ApplyIn(Strict):
    batch_ids: list[RowId] = Field(min_length=1, max_length=100)
    note: str | None = Field(None, max_length=500)


class EmployerRef(BaseModel):
    id: int
    name: str


class ApplicationOut(BaseModel):
    id: int
    employer: EmployerRef
    county: RegionOut
    status: Literal["submitted", "approved", "refused", "paid"]
    batch_ids: list[int]
    people_count: int
    cost_fen: int
    requested_fen: int
    approved_fen: int | None
    refusal_reason: str | None
    note: str | None
    submitted_at: datetime
    decided_at: datetime | None
    paid_at: datetime | None

    @classmethod
    def of(cls, application: SubsidyApplication) -> ApplicationOut:
        return cls(
            id=application.id,
            employer=EmployerRef(id=application.employer.id, name=application.employer.name),
            county=RegionOut.of(application.county),
            status=application.status,
            batch_ids=list(application.batch_ids or []),
            people_count=application.people_count,
            cost_fen=application.cost_fen,
            requested_fen=application.requested_fen,
            approved_fen=application.approved_fen,
            refusal_reason=application.refusal_reason,
            note=application.note,
            submitted_at=application.submitted_dt,
            decided_at=application.decided_dt,
            paid_at=application.paid_dt,
        )


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    next_cursor: str | None


class DuplicateOut(BaseModel):
    """Something in this application that was claimed before (shown to the reviewer)."""

    kind: Literal["person", "batch", "invoice"]
    batch_id: int
    tested_on: date
    other_application_id: int | None
    other_batch_id: int
    person: str | None = Field(None, description="The worker's masked name, for `person`.")


class LimitsOut(BaseModel):
    """What an approval may grant: min(rate x people, cost, cap left); the suggestion also
    leaves out people already claimed (and is 0 when a batch or invoice was claimed before)."""

    rate_fen: int
    cap_fen: int
    people: int
    duplicate_people: int
    by_rate_fen: int
    cost_fen: int
    cap_left_fen: int
    max_fen: int
    suggested_fen: int
    budget_balance_fen: int


class ApplicationDetailOut(ApplicationOut):
    batches: list[BatchOut]
    policy: PolicyOut
    limits: LimitsOut | None = Field(None, description="For reviewers of a pending application.")
    duplicates: list[DuplicateOut] = Field(default_factory=list)


class ApplicationQuery(PageQuery):
    status: Literal["submitted", "approved", "refused", "paid"] | None = None
    county: RegionCode | None = None


class ApproveIn(Strict):
    amount_fen: PositiveFen


class RefuseIn(Strict):
    reason: str = Field(min_length=2, max_length=500, examples=["发票金额与检测人数不符"])


class AllocateIn(Strict):
    """Money into a county's (or the city's) budget: its own funds, or from the city's budget."""

    region_code: RegionCode
    amount_fen: PositiveFen
    from_city: StrictBool = False
    note: str | None = Field(None, max_length=200)


class BudgetOut(BaseModel):
    id: int
    region: RegionOut
    balance_fen: int
    allocated_fen: int
    approved_fen: int
    paid_fen: int
    updated_at: datetime

    @classmethod
    def of(cls, budget: SubsidyBudget) -> BudgetOut:
        return cls(
            id=budget.id,
            region=RegionOut.of(budget.region),
            balance_fen=budget.balance_fen,
            allocated_fen=budget.allocated_fen,
            approved_fen=budget.approved_fen,
            paid_fen=budget.paid_fen,
            updated_at=budget.updated_dt,
        )


class BudgetList(BaseModel):
    items: list[BudgetOut]


class EntryOut(BaseModel):
    id: int
    kind: Literal["allocation", "transfer_in", "transfer_out", "approval", "payment"]
    amount_fen: int
    balance_after_fen: int
    application_id: int | None
    note: str | None
    at: datetime

    @classmethod
    def of(cls, entry: BudgetEntry) -> EntryOut:
        return cls(
            id=entry.id,
            kind=entry.kind,
            amount_fen=entry.amount_fen,
            balance_after_fen=entry.balance_after_fen,
            application_id=entry.application_id,
            note=entry.note,
            at=entry.at_dt,
        )


class EntryPage(BaseModel):
    items: list[EntryOut]
    next_cursor: str | None


class StatementTotals(BaseModel):
    applications: int
    requested_fen: int
    approved_fen: int
    paid_fen: int


class StatementOut(BaseModel):
    """An employer's own subsidies: every application and the sums."""

    employer: EmployerRef
    items: list[ApplicationOut]
    totals: StatementTotals


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["submitted", "approved", "refused", "paid"] | None = None
    county: RegionCode | None = None
    submitted_from: date | None = Field(None, alias="from")
    submitted_to: date | None = Field(None, alias="to")


def limits_out(limits: services.Limits, balance_fen: int) -> LimitsOut:
    return LimitsOut(
        rate_fen=limits.rate_fen,
        cap_fen=limits.cap_fen,
        people=limits.people,
        duplicate_people=limits.duplicate_people,
        by_rate_fen=limits.by_rate_fen,
        cost_fen=limits.cost_fen,
        cap_left_fen=limits.cap_left_fen,
        max_fen=limits.max_fen,
        suggested_fen=limits.suggested_fen,
        budget_balance_fen=balance_fen,
    )

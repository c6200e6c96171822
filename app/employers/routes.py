"""Employers: registration, officials' verification, staff invitations, the roster."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from app.api import endpoint
from app.api.pagination import PageQuery, keyset_page
from app.employers import services
from app.employers.models import Employer, EmployerWorker
from app.employers.schemas import (
    AcceptIn,
    EmployerIn,
    EmployerOut,
    EmployerPage,
    EmployerQuery,
    EmployerUpdate,
    InvitationIn,
    InvitationOut,
    ReasonIn,
    RosterAddIn,
    RosterEntryOut,
    RosterPage,
    StaffList,
    StaffOut,
)
from app.extensions import db
from app.timeutil import local_today

bp = Blueprint("employers", __name__)
OFFICIALS = ("official", "admin")


@endpoint(
    bp,
    "/employers",
    method="POST",
    summary="Register an employer organisation",
    body=EmployerIn,
    response=EmployerOut,
    status=201,
    roles=("worker", "employer"),
    errors=(409, 422),
)
def register(body: EmployerIn) -> EmployerOut:
    """The caller becomes its first staff member. Officials of its region verify it before
    its postings can be published."""
    employer = services.register_employer(current_user, services.EmployerData(**body.model_dump()))
    db.session.commit()
    return EmployerOut.of(employer)


@endpoint(
    bp,
    "/employers/mine",
    summary="My employer organisation",
    response=EmployerOut,
    roles=("employer",),
    errors=(403,),
)
def mine() -> EmployerOut:
    return EmployerOut.of(services.require_staff(current_user))


@endpoint(
    bp,
    "/employers/mine",
    method="PATCH",
    summary="Change my organisation's details",
    body=EmployerUpdate,
    response=EmployerOut,
    roles=("employer",),
    errors=(403, 409, 422),
)
def update_mine(body: EmployerUpdate) -> EmployerOut:
    employer = services.require_staff(current_user)
    services.update_employer(employer, body.model_dump(exclude_unset=True), actor=current_user)
    db.session.commit()
    return EmployerOut.of(employer)


@endpoint(
    bp,
    "/employers",
    summary="Employers of my region (officials)",
    query=EmployerQuery,
    response=EmployerPage,
    roles=OFFICIALS,
)
def list_employers(query: EmployerQuery) -> EmployerPage:
    rows, cursor = keyset_page(
        db.session,
        services.employers_in_scope(current_user, query.state),
        [Employer.id],
        query.limit,
        query.cursor,
        key=lambda e: [e.id],
    )
    return EmployerPage(items=[EmployerOut.of(e) for e in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/employers/<int:employer_id>",
    summary="One employer (its staff, officials of its region)",
    response=EmployerOut,
    errors=(404,),
)
def get_employer(employer_id: int) -> EmployerOut:
    return EmployerOut.of(services.visible_employer(employer_id, current_user))


@endpoint(
    bp,
    "/employers/<int:employer_id>/verify",
    method="POST",
    summary="Verify an employer of my region",
    response=EmployerOut,
    roles=OFFICIALS,
    errors=(403, 404, 409),
)
def verify(employer_id: int) -> EmployerOut:
    employer = services.get_employer(employer_id)
    services.verify_employer(employer, actor=current_user)
    db.session.commit()
    return EmployerOut.of(employer)


@endpoint(
    bp,
    "/employers/<int:employer_id>/reject",
    method="POST",
    summary="Send a registration back with the reason",
    body=ReasonIn,
    response=EmployerOut,
    roles=OFFICIALS,
    errors=(403, 404, 409, 422),
)
def reject(employer_id: int, body: ReasonIn) -> EmployerOut:
    employer = services.get_employer(employer_id)
    services.reject_employer(employer, actor=current_user, reason=body.reason)
    db.session.commit()
    return EmployerOut.of(employer)


@endpoint(
    bp,
    "/employers/mine/invitations",
    method="POST",
    summary="Invite a staff member by a signed, expiring link",
    body=InvitationIn,
    response=InvitationOut,
    status=201,
    roles=("employer",),
    errors=(403,),
)
def invite(body: InvitationIn) -> InvitationOut:
    """The link is sent by SMS to the phone; only an account logged in with that phone can
    accept it, within 72 hours."""
    employer = services.require_staff(current_user)
    token, expires = services.invite_staff(
        employer, phone=body.phone, actor=current_user, base_url=request.host_url
    )
    db.session.commit()
    return InvitationOut(
        url=services.invitation_link(token, request.host_url), token=token, expires_at=expires
    )


@endpoint(
    bp,
    "/employer-invitations/accept",
    method="POST",
    summary="Accept a staff invitation",
    body=AcceptIn,
    response=EmployerOut,
    errors=(400, 403, 409, 410),
)
def accept(body: AcceptIn) -> EmployerOut:
    employer = services.accept_invitation(current_user, body.token)
    db.session.commit()
    return EmployerOut.of(employer)


@endpoint(
    bp,
    "/employers/mine/staff",
    summary="My organisation's staff accounts",
    response=StaffList,
    roles=("employer",),
    errors=(403,),
)
def staff() -> StaffList:
    employer = services.require_staff(current_user)
    return StaffList(items=[StaffOut.of(s) for s in services.staff_of(employer)])


@endpoint(
    bp,
    "/employers/mine/workers",
    summary="The roster of workers my organisation admitted",
    query=PageQuery,
    response=RosterPage,
    roles=("employer",),
    errors=(403,),
)
def roster(query: PageQuery) -> RosterPage:
    employer = services.require_staff(current_user)
    rows, cursor = keyset_page(
        db.session,
        services.roster_entries(employer),
        [EmployerWorker.id],
        query.limit,
        query.cursor,
        key=lambda e: [e.id],
    )
    return RosterPage(items=[RosterEntryOut.of(e) for e in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/employers/mine/workers",
    method="POST",
    summary="Add a worker to the roster by phone number",
    body=RosterAddIn,
    response=RosterEntryOut,
    status=201,
    roles=("employer",),
    errors=(403, 404),
)
def add_to_roster(body: RosterAddIn) -> RosterEntryOut:
    employer = services.require_staff(current_user)
    worker = services.worker_by_phone(body.phone)
    entry = services.admit_worker(
        employer,
        worker,
        on=body.admitted_on or local_today(),
        source="manual",
        actor=current_user,
        note=body.note,
    )
    db.session.commit()
    return RosterEntryOut.of(entry)


@endpoint(
    bp,
    "/employers/mine/workers/<int:user_id>",
    method="DELETE",
    summary="Take a worker off the roster",
    status=204,
    roles=("employer",),
    errors=(403, 404),
)
def remove_from_roster(user_id: int) -> None:
    employer = services.require_staff(current_user)
    services.remove_worker(employer, user_id, actor=current_user)
    db.session.commit()

"""Supervision: workers' complaints, officials' cases, gate lookups, the ranked list, dashboards.

Thin: every rule is in services (complaints and cases), photos, lookups, compliance, dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import Blueprint, Response, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts.identity import mask_name, mask_phone
from app.accounts.models import User
from app.api import endpoint
from app.api.pagination import keyset_page
from app.checkpoints.models import CheckpointScan
from app.checkpoints.schemas import RegionBrief
from app.checkpoints.supervision import reason_text
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.i18n import request_locale
from app.ratelimit import RateLimit
from app.supervision import compliance, dashboard, lookups, photos, services
from app.supervision.models import (
    CaseNote,
    Complaint,
    ComplaintPhoto,
    GateLookup,
    SupervisionCase,
)
from app.supervision.schemas import (
    AssignIn,
    CaseComplaint,
    CaseDetail,
    CaseOut,
    CasePage,
    CaseQuery,
    CaseRefusal,
    CloseIn,
    ColourFigures,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    DashboardOut,
    DashboardQuery,
    DestinationFigure,
    Figure,
    LabourFigures,
    LookupIn,
    LookupLogOut,
    LookupOut,
    LookupPage,
    LookupQuery,
    NearbyCheckpoint,
    NearbyOut,
    NearbyQuery,
    NoteIn,
    NoteOut,
    PageQuery,
    PeoplePage,
    PeopleQuery,
    PersonBrief,
    PersonStatusOut,
    PhotoOut,
    PlaceOut,
    RankedUnit,
    RankingOut,
    RankingQuery,
    ScanFigures,
    ScanOut,
    ScanPage,
    ScanQuery,
    WeekSpan,
)
from app.timeutil import local_midnight, local_today, utcnow

bp = Blueprint("supervision", __name__)
OFFICIALS = ("official", "admin")


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


COMPLAINT_LIMIT = RateLimit("supervision-complaint", "SUPERVISION_COMPLAINT_RATE", _user_key)
LOOKUP_LIMIT = RateLimit("gate-lookup", "GATE_LOOKUP_RATE", _user_key)
PHOTO_LIMIT = RateLimit("supervision-photo", "SUPERVISION_COMPLAINT_RATE", _user_key)


def _person(user: User | None) -> PersonBrief | None:
    if user is None:
        return None
    return PersonBrief(
        id=user.id,
        name_masked=mask_name(user.name) if user.name else None,
        phone_masked=mask_phone(user.phone) if user.phone else None,
    )


def _region(region: object) -> RegionBrief:
    return RegionBrief(code=region.code, name_zh=region.name_zh, name_en=region.name_en)


def _place(checkpoint: object | None, village: object) -> PlaceOut:
    return PlaceOut(
        checkpoint_id=checkpoint.id if checkpoint else None,
        checkpoint_name=checkpoint.name if checkpoint else None,
        village=_region(village),
    )


def _photos(complaint: Complaint) -> list[PhotoOut]:
    return [
        PhotoOut(
            id=p.id,
            url=url_for("supervision.photo", photo_id=p.id),
            width=p.width,
            height=p.height,
            size_bytes=p.size_bytes,
        )
        for p in complaint.photos
    ]


def _kind_text(kind: str) -> str:
    words = services.KIND_WORDS[kind]
    return words[1] if request_locale() == "en" else words[0]


def _complaint(complaint: Complaint) -> ComplaintOut:
    case = complaint.case
    closed = case.state == "closed"
    return ComplaintOut(
        id=complaint.id,
        case_id=case.id,
        place=_place(complaint.checkpoint, complaint.village),
        occurred_at=complaint.occurred_dt,
        day=complaint.day,
        kind=complaint.kind,
        kind_text=_kind_text(complaint.kind),
        description=complaint.description,
        duplicate=complaint.duplicate,
        filed_at=complaint.filed_dt,
        state=services.worker_state(case),
        outcome=case.outcome if closed else None,
        resolution=case.resolution if closed else None,
        closed_at=case.closed_dt,
        photos=_photos(complaint),
    )


def _case(case: SupervisionCase, counts: tuple[int, int]) -> CaseOut:
    return CaseOut(
        id=case.id,
        place=_place(case.checkpoint, case.village),
        day=case.day,
        source=case.source,
        state=case.state,
        complaints=counts[0],
        refusals=counts[1],
        assignee=_person(case.assignee),
        opened_at=case.opened_dt,
        closed_at=case.closed_dt,
        outcome=case.outcome,
    )


def _cases(rows: Sequence[SupervisionCase]) -> list[CaseOut]:
    counts = services.counts_of([c.id for c in rows])
    return [_case(c, counts[c.id]) for c in rows]


def _refusal(scan: CheckpointScan, locale: str) -> CaseRefusal:
    return CaseRefusal(
        scan_id=scan.id,
        scanned_at=scan.scanned_dt,
        status=scan.status,
        kind=scan.kind,
        reason=scan.refusal_reason,
        reason_text=reason_text(scan.refusal_reason, locale),
        note=scan.refusal_note,
        volunteer=_person(scan.volunteer),
    )


def _note(note: CaseNote) -> NoteOut:
    return NoteOut(
        id=note.id,
        kind=note.kind,
        contacted=note.contacted,
        note=note.note,
        at=note.at_dt,
        author=_person(note.author),
    )


def _detail(case: SupervisionCase) -> CaseDetail:
    locale = request_locale()
    complaints = list(case.complaints)
    refusals = services.refusals_of(case)
    return CaseDetail(
        **_case(case, (len(complaints), len(refusals))).model_dump(),
        complaint_items=[
            CaseComplaint(
                id=c.id,
                worker=_person(c.user),
                occurred_at=c.occurred_dt,
                kind=c.kind,
                kind_text=_kind_text(c.kind),
                description=c.description,
                duplicate=c.duplicate,
                filed_at=c.filed_dt,
                photos=_photos(c),
            )
            for c in complaints
        ],
        refusal_items=[_refusal(s, locale) for s in refusals],
        notes=[_note(n) for n in services.notes_of(case)],
        resolution=case.resolution,
        assigned_at=case.assigned_dt,
    )


# -- workers: complaints --------------------------------------------------------------------


@endpoint(
    bp,
    "/supervision/checkpoints/nearby",
    summary="Checkpoints near me (by position), or of my county: where a block happened",
    query=NearbyQuery,
    response=NearbyOut,
    roles=("worker",),
)
def nearby(query: NearbyQuery) -> NearbyOut:
    rows = services.nearby_checkpoints(
        current_user, latitude=query.latitude, longitude=query.longitude
    )
    return NearbyOut(
        items=[
            NearbyCheckpoint(
                id=c.id,
                name=c.name,
                village=_region(c.village),
                distance_m=round(d) if d is not None else None,
            )
            for c, d in rows
        ]
    )


@endpoint(
    bp,
    "/supervision/complaints",
    method="POST",
    summary="Report being blocked at a gate (被拦截投诉)",
    body=ComplaintIn,
    response=ComplaintOut,
    status=201,
    roles=("worker",),
    errors=(422, 429),
    rate_limits=(COMPLAINT_LIMIT,),
)
def file_complaint(body: ComplaintIn) -> ComplaintOut:
    """A second complaint about the same gate (or village) and day joins the first one's case
    (`duplicate`: true); nothing is lost, officials see every complaint of the case."""
    place = services.place_of(body.checkpoint_id, body.village_code)
    complaint = services.file_complaint(
        current_user,
        place=place,
        occurred_at=body.occurred_at,
        kind=body.kind,
        description=body.description,
        now=utcnow(),
    )
    db.session.commit()
    return _complaint(complaint)


@endpoint(
    bp,
    "/supervision/complaints/mine",
    summary="My complaints, newest first, with the state of each",
    query=PageQuery,
    response=ComplaintPage,
    roles=("worker",),
)
def my_complaints(query: PageQuery) -> ComplaintPage:
    rows, cursor = keyset_page(
        db.session,
        services.complaints_of(current_user),
        [Complaint.id],
        query.limit,
        query.cursor,
        key=lambda c: [c.id],
    )
    return ComplaintPage(items=[_complaint(c) for c in rows], next_cursor=cursor)


@endpoint(
    bp,
    "/supervision/complaints/<int:complaint_id>",
    summary="One complaint (its worker, or officials of its village's region)",
    response=ComplaintOut,
    errors=(404,),
)
def get_complaint(complaint_id: int) -> ComplaintOut:
    return _complaint(services.complaint_for_viewer(current_user, complaint_id))


def _read_photo_body() -> bytes:
    """The raw request body, refused as too large before it is read when it says so, and
    never read past the limit when it does not (a chunked upload)."""
    if request.content_length is not None and request.content_length > photos.MAX_BYTES:
        raise photos.PhotoTooLarge()
    # The app-wide 2 MB is for JSON bodies; a photo has its own limit (one byte more, so
    # that a chunked body past the limit is seen as such rather than cut short).
    request.max_content_length = photos.MAX_BYTES + 1
    data = request.stream.read(photos.MAX_BYTES + 1)
    if len(data) > photos.MAX_BYTES:
        raise photos.PhotoTooLarge()
    return data


@endpoint(
    bp,
    "/supervision/complaints/<int:complaint_id>/photos",
    method="POST",
    summary="Attach a photo to my complaint: the JPEG or PNG file itself as the body",
    response=PhotoOut,
    status=201,
    roles=("worker",),
    errors=(404, 409, 413, 415, 422, 429),
    rate_limits=(PHOTO_LIMIT,),
)
def upload_photo(complaint_id: int) -> PhotoOut:
    """At most 5 MB, JPEG or PNG by content (whatever the name or Content-Type says), at most
    40 megapixels, 3 photos a complaint. It is stored re-encoded as JPEG (long side at most
    2048 px) with no EXIF or location, and served only to the worker and the officials of the
    village's region."""
    complaint = services.complaint_for_viewer(current_user, complaint_id)
    data = _read_photo_body()
    photo, path = photos.attach(current_user, complaint, data)
    try:
        db.session.commit()
    except Exception:
        path.unlink(missing_ok=True)  # no row, no file
        raise
    return PhotoOut(
        id=photo.id,
        url=url_for("supervision.photo", photo_id=photo.id),
        width=photo.width,
        height=photo.height,
        size_bytes=photo.size_bytes,
    )


@endpoint(
    bp,
    "/supervision/photos/<int:photo_id>",
    summary="A complaint's photo (its worker, or officials of the village's region)",
    errors=(404,),
    content_type="image/jpeg",
)
def photo(photo_id: int) -> Response:
    row = db.session.get(ComplaintPhoto, photo_id)
    if row is None:
        raise NotFound("photo_not_found")
    try:
        services.complaint_for_viewer(current_user, row.complaint_id)
    except NotFound:
        raise NotFound("photo_not_found") from None
    path = photos.photo_path(row)
    if not path.is_file():
        raise NotFound("photo_not_found")
    response = send_file(path, mimetype=row.content_type, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{row.id}.jpg"'
    return response


# -- officials: cases -----------------------------------------------------------------------


@endpoint(
    bp,
    "/supervision/cases",
    summary="Supervision cases of my region (complaints and refused valid cards)",
    query=CaseQuery,
    response=CasePage,
    roles=OFFICIALS,
    errors=(403, 404),
)
def list_cases(query: CaseQuery) -> CasePage:
    """Newest first. `state=open` is the list the dashboard's open-case figure counts."""
    stmt = services.cases_in_scope(
        current_user,
        region=query.region,
        state=query.state,
        source=query.source,
        assignee_id=current_user.id if query.mine else None,
        checkpoint_id=query.checkpoint_id,
        day_from=query.from_,
        day_to=query.to,
        unassigned=query.unassigned,
    )
    rows, cursor = keyset_page(
        db.session, stmt, [SupervisionCase.id], query.limit, query.cursor, key=lambda c: [c.id]
    )
    return CasePage(items=_cases(rows), next_cursor=cursor)


@endpoint(
    bp,
    "/supervision/cases/<int:case_id>",
    summary="One case: its complaints (masked), refusals, contacts and resolution",
    response=CaseDetail,
    roles=OFFICIALS,
    errors=(404,),
)
def get_case(case_id: int) -> CaseDetail:
    return _detail(services.case_for_official(current_user, case_id))


@endpoint(
    bp,
    "/supervision/cases/<int:case_id>/assign",
    method="POST",
    summary="Assign a case to an official responsible for its village (default: me)",
    body=AssignIn,
    response=CaseDetail,
    roles=OFFICIALS,
    errors=(404, 409, 422),
)
def assign_case(case_id: int, body: AssignIn) -> CaseDetail:
    case = services.case_for_official(current_user, case_id)
    services.assign(current_user, case, body.assignee_id)
    db.session.commit()
    return _detail(case)


@endpoint(
    bp,
    "/supervision/cases/<int:case_id>/notes",
    method="POST",
    summary="Record a contact with the village (or a note) on a case",
    body=NoteIn,
    response=CaseDetail,
    status=201,
    roles=OFFICIALS,
    errors=(404, 409, 422),
)
def add_note(case_id: int, body: NoteIn) -> CaseDetail:
    case = services.case_for_official(current_user, case_id)
    services.add_note(current_user, case, kind=body.kind, note=body.note, contacted=body.contacted)
    db.session.commit()
    return _detail(case)


@endpoint(
    bp,
    "/supervision/cases/<int:case_id>/close",
    method="POST",
    summary="Close a case with its resolution; the complainants are texted",
    body=CloseIn,
    response=CaseDetail,
    roles=OFFICIALS,
    errors=(404, 409, 422),
)
def close_case(case_id: int, body: CloseIn) -> CaseDetail:
    case = services.case_for_official(current_user, case_id)
    services.close(current_user, case, outcome=body.outcome, resolution=body.resolution)
    db.session.commit()
    return _detail(case)


# -- officials: the ranked list -------------------------------------------------------------


def _scope(region: str | None) -> str:
    """The region an official asks about: theirs by default, else one inside it."""
    from app.accounts.access import require_oversight, scope_of

    scope = scope_of(current_user)
    if scope is None:
        raise Forbidden()
    if region:
        require_oversight(current_user, region)
        return region
    return scope


@endpoint(
    bp,
    "/supervision/compliance",
    summary="Villages (or checkpoints, townships, counties) of my region ranked worst first",
    query=RankingQuery,
    response=RankingOut,
    roles=OFFICIALS,
    errors=(403, 404),
)
def ranking(query: RankingQuery) -> RankingOut:
    """Per unit and rolling week (7 local days to today, and the 7 before): cards scanned,
    passes, admitted, refused, passes refused, cases opened, open cases, median hours to
    close. Worst first by the share of passes refused, then by passes refused, then open
    cases; `trend` compares the share with the week before."""
    from app.regions.services import get_region

    scope = get_region(_scope(query.region))
    level = query.level or compliance.default_level(scope)
    weeks = compliance.Weeks(local_today())
    units = compliance.ranked(scope.code, level, weeks.today)
    return RankingOut(
        region=_region(scope),
        level=level,
        this_week=WeekSpan(start=weeks.this_start, end=weeks.today),
        last_week=WeekSpan(start=weeks.last_start, end=weeks.last_end),
        total=len(units),
        items=[RankedUnit(**row) for row in compliance.as_rows(units, query.limit)],
    )


# -- volunteers: gate lookup; supervisors: its log ------------------------------------------

STATUS_WORDS = {"green": ("绿码", "Green"), "yellow": ("黄码", "Yellow"), "red": ("红码", "Red")}


@endpoint(
    bp,
    "/supervision/gate-lookups",
    method="POST",
    summary="Look up a person's colour by resident ID number at my checkpoint",
    body=LookupIn,
    response=LookupOut,
    roles=("volunteer",),
    errors=(403, 404, 422, 429),
    rate_limits=(LOOKUP_LIMIT,),
)
def gate_lookup(body: LookupIn) -> LookupOut:
    """For people with no phone and no paper card. Only the colour, whether it is current
    (`valid`, `valid_until`) and the masked name come back. Every lookup is logged and seen
    by supervisors; one of a person outside the counties of my checkpoints is refused (403
    `lookup_outside_county`), an unknown number is 404 `person_not_found`."""
    outcome, answer = lookups.lookup(current_user, body.checkpoint_id, body.id_number, body.method)
    db.session.commit()  # the log stands, whatever the answer
    lookups.refuse(outcome)
    words = STATUS_WORDS.get(answer.status or "")
    return LookupOut(
        lookup_id=answer.lookup_id,
        status=answer.status,
        status_text=(words[1] if request_locale() == "en" else words[0]) if words else None,
        valid=answer.valid,
        valid_until=answer.valid_until,
        name_masked=answer.name_masked,
    )


@endpoint(
    bp,
    "/supervision/gate-lookups",
    summary="Gate lookups at the checkpoints of my region (who, where, when, what came back)",
    query=LookupQuery,
    response=LookupPage,
    roles=OFFICIALS,
    errors=(403, 404),
)
def list_lookups(query: LookupQuery) -> LookupPage:
    stmt = lookups.lookups_in_scope(
        current_user,
        region=query.region,
        checkpoint_id=query.checkpoint_id,
        volunteer_id=query.volunteer_id,
        outcome=query.outcome,
        since=local_midnight(query.from_) if query.from_ else None,
        until=local_midnight(query.to + timedelta(days=1)) if query.to else None,
    )
    rows, cursor = keyset_page(
        db.session, stmt, [GateLookup.id], query.limit, query.cursor, key=lambda r: [r.id]
    )
    return LookupPage(
        items=[
            LookupLogOut(
                id=r.id,
                at=r.at_dt,
                checkpoint_id=r.checkpoint_id,
                checkpoint_name=r.checkpoint.name,
                volunteer=_person(r.volunteer),
                method=r.method,
                outcome=r.outcome,
                subject_name_masked=mask_name(r.subject.name)
                if r.subject is not None and r.subject.name
                else None,
                status=r.status,
            )
            for r in rows
        ],
        next_cursor=cursor,
    )


# -- officials: the dashboard and the lists its figures link to -----------------------------


@endpoint(
    bp,
    "/supervision/scans",
    summary="Scans at the checkpoints of my region, by day and by verdict or decision",
    query=ScanQuery,
    response=ScanPage,
    roles=OFFICIALS,
    errors=(403, 404, 422),
)
def list_scans(query: ScanQuery) -> ScanPage:
    """Newest first; no name or ID digits (a scan row holds none). The dashboard's scan
    figures count these lists."""
    from app.checkpoints.supervision import day_window

    region = dashboard.region_of(current_user, query.region)
    start, end = day_window(query.from_ or query.to or local_today(), query.to or query.from_)
    stmt = dashboard.scans_in(region.code, start, end, query.filter, query.checkpoint_id)
    rows, cursor = keyset_page(
        db.session, stmt, [CheckpointScan.id], query.limit, query.cursor, key=lambda r: [r.id]
    )
    return ScanPage(
        items=[
            ScanOut(
                id=r.id,
                checkpoint_id=r.checkpoint_id,
                checkpoint_name=r.checkpoint.name,
                scanned_at=r.scanned_dt,
                day=r.scan_day,
                valid=r.valid,
                reason=r.reason,
                kind=r.kind,
                status=r.status,
                decision=r.decision,
                refusal_reason=r.refusal_reason,
                flagged=r.flagged,
            )
            for r in rows
        ],
        next_cursor=cursor,
    )


@endpoint(
    bp,
    "/supervision/people",
    summary="People of my region by colour (masked names)",
    query=PeopleQuery,
    response=PeoplePage,
    roles=OFFICIALS,
    errors=(403, 404),
)
def list_people(query: PeopleQuery) -> PeoplePage:
    """By household region (workers) or region of responsibility (staff); the colour mix
    on the dashboard counts these lists."""
    from app.cards.models import HealthStatus

    region = dashboard.region_of(current_user, query.region)
    stmt = dashboard.people_in(region.code, query.status)
    rows, cursor = keyset_page(
        db.session,
        stmt,
        [HealthStatus.user_id],
        query.limit,
        query.cursor,
        key=lambda r: [r.user_id],
    )
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))
    }
    return PeoplePage(
        items=[
            PersonStatusOut(
                user_id=r.user_id,
                name_masked=mask_name(people[r.user_id].name) if people[r.user_id].name else None,
                region=_region(people[r.user_id].region) if people[r.user_id].region else None,
                status=r.status,
                updated_at=r.updated_dt,
            )
            for r in rows
        ],
        next_cursor=cursor,
    )


def _figure(figure: dashboard.Figure) -> Figure:
    return Figure(value=figure.value, list=figure.list, sum=figure.sum)


@endpoint(
    bp,
    "/supervision/dashboard",
    summary="The figures of my region, each with the list it counts",
    query=DashboardQuery,
    response=DashboardOut,
    roles=OFFICIALS,
    errors=(403, 404),
)
def get_dashboard(query: DashboardQuery) -> DashboardOut:
    """Today's and this week's scans by verdict and decision, the colour of the region's
    people, quarantine cases due for release, outbound intents by destination, labour demand
    against supply, open supervision cases. Each figure's `list` is the API list it equals:
    its rows counted over all pages (or its `sum` field added up)."""
    board = dashboard.build(current_user, query.region)
    return DashboardOut(
        region=_region(board.region),
        today=board.today,
        week_start=board.week_start,
        scans_today=ScanFigures(**{k: _figure(v) for k, v in board.scans_today.items()}),
        scans_week=ScanFigures(**{k: _figure(v) for k, v in board.scans_week.items()}),
        colours=ColourFigures(**{k: _figure(v) for k, v in board.colours.items()}),
        quarantine_due=_figure(board.quarantine_due),
        intents_outbound=_figure(board.intents_outbound),
        destinations=[
            DestinationFigure(
                code=code,
                name_zh=region.name_zh if region else code,
                name_en=region.name_en if region else code,
                figure=_figure(figure),
            )
            for region, code, figure in board.destinations
        ],
        labour=LabourFigures(**{k: _figure(v) for k, v in board.labour.items()}),
        cases_open=_figure(board.cases_open),
        cases_unassigned=_figure(board.cases_unassigned),
    )

"""Employment intents: saving (by the worker or staff by proxy), history, departure, withdrawal.

A worker has at most one current intent (one row); every change writes an IntentChange, and the
ledger counters follow in the same flush (app.intents.ledger). A certificate names the
destination and the departure date, so changing either (or withdrawing) revokes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.accounts.access import oversees
from app.accounts.models import User
from app.audit.services import record
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.intents import destinations
from app.intents import ledger as _ledger  # noqa: F401 - registers the counter listener
from app.intents.models import EmploymentIntent, IntentChange
from app.jobs import signals as jobs_signals
from app.jobs.models import Application
from app.jobs.trades import TRADES, Trade
from app.regions.models import Region
from app.regions.services import CITY_CODE
from app.timeutil import local_today, utcnow

register_messages(
    {
        "destination_invalid": (
            "目的地代码无效，请填写6位行政区划代码。",
            "Not a valid destination: use a 6-digit GB/T 2260 region code.",
        ),
        "destination_is_local": (
            "外出务工的目的地不能在常德市内。",
            "An outbound destination cannot be inside Changde.",
        ),
        "destination_not_local": (
            "本地务工请选择常德市内的地区。",
            "For local work choose a region inside Changde.",
        ),
        "trade_unknown": ("请从列表中选择工种。", "Choose a trade from the list."),
        "employer_required": (
            "已落实工作的，请填写用工单位或选择已录用的岗位。",
            "With a job arranged, name the employer or choose the hired application.",
        ),
        "application_not_hired": (
            "只能选择已被录用的岗位申请。",
            "Only a hired application can be chosen.",
        ),
        "departure_in_past": ("出行日期不能早于今天。", "The departure date cannot be past."),
        "departure_too_far": (
            "出行日期不能晚于一年以后。",
            "The departure date must be within a year.",
        ),
        "origin_not_a_village": (
            "请先在健康申报中选择所在村（社区）。",
            "Choose your village or community first (in the health declaration).",
        ),
        "intent_not_found": ("尚未登记务工意向。", "No employment intent registered."),
        "intent_not_outbound": ("该意向不是外出务工。", "This intent is not for outbound work."),
        "worker_not_found": (
            "未找到该务工人员，请填写姓名和身份证号码登记。",
            "No such worker: enter the name and ID number to register them.",
        ),
        "consent_required": ("代办登记须经本人同意。", "The worker's consent is required."),
    }
)

PROXY_SNAPSHOT_FIELDS = (
    "kind",
    "destination_code",
    "origin_village_code",
    "trade",
    "job_arranged",
    "employer_name",
    "job_start_date",
    "application_id",
    "departure_date",
    "needs_transport",
    "needs_certificate",
    "wage_expectation",
    "note",
)


@dataclass
class IntentData:
    """What the intent form says (validated for shape by the API schema)."""

    kind: str
    destination_code: str | None
    trade: str
    job_arranged: bool = False
    employer_name: str | None = None
    job_start_date: date | None = None
    application_id: int | None = None
    departure_date: date | None = None
    needs_transport: bool = False
    needs_certificate: bool = False
    wage_expectation: int | None = None
    note: str | None = None
    origin_village_code: str | None = None


def trades() -> tuple[Trade, ...]:
    """The fixed trade list shared with jobs and labour demand."""
    return TRADES


def trade_codes() -> set[str]:
    return {t.code for t in trades()}


# -- validation ----------------------------------------------------------------------------


def _invalid(field: str, code: str) -> ValidationFailed:
    return ValidationFailed(errors=[{"field": field, "code": code}])


def normalise_destination(kind: str, code: str | None) -> str:
    """The destination code to store, or ValidationFailed."""
    code = (code or "").strip()
    if kind == "local":
        if not code:
            return CITY_CODE
        if db.session.get(Region, code) is None or not destinations.is_changde(code):
            raise _invalid("destination_code", "destination_not_local")
        return code
    if not code:
        raise _invalid("destination_code", "missing")
    known = db.session.get(Region, code)
    if known is None and not destinations.is_gbt2260(code):
        raise _invalid("destination_code", "destination_invalid")
    if destinations.is_changde(code):
        raise _invalid("destination_code", "destination_is_local")
    if known is not None and not destinations.is_gbt2260(code):
        raise _invalid("destination_code", "destination_invalid")
    return code


def _origin(user: User, data: IntentData) -> str:
    code = data.origin_village_code or user.region_code
    region = db.session.get(Region, code) if code else None
    if region is None or region.level != "village":
        raise _invalid("origin_village_code", "origin_not_a_village")
    return region.code


def hired_application(user: User, application_id: int) -> Application:
    """The worker's own hired application from the jobs module, or ValidationFailed."""
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != user.id or application.status != "hired":
        raise _invalid("application_id", "application_not_hired")
    return application


def hired_applications(user: User) -> list[Application]:
    """The worker's hired applications (what "job already arranged" may point at)."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.user_id == user.id, Application.status == "hired")
            .order_by(Application.id.desc())
            .limit(20)
        )
    )


def employer_of(application: Application) -> str:
    """The employer's name behind an application."""
    return application.posting.employer.name


def _check(user: User, data: IntentData, current: EmploymentIntent | None, today: date) -> None:
    if data.trade not in trade_codes():
        raise _invalid("trade", "trade_unknown")
    if data.application_id is not None:
        application = hired_application(user, data.application_id)
        data.job_arranged = True
        data.employer_name = data.employer_name or employer_of(application)
    if data.job_arranged and not (data.employer_name or data.application_id):
        raise _invalid("employer_name", "employer_required")
    if not data.job_arranged:
        data.employer_name = data.job_start_date = data.application_id = None
    unchanged = (
        current is not None and current.active and current.departure_date == (data.departure_date)
    )
    if data.departure_date and not unchanged:
        if data.departure_date < today:
            raise _invalid("departure_date", "departure_in_past")
        if data.departure_date > today + timedelta(days=366):
            raise _invalid("departure_date", "departure_too_far")
    if data.kind == "local":
        data.needs_certificate = False


# -- saving --------------------------------------------------------------------------------


def current_intent(user_id: int, *, lock: bool = False) -> EmploymentIntent | None:
    """The worker's intent row (active or withdrawn); `lock` for a change (FOR UPDATE)."""
    stmt = select(EmploymentIntent).where(EmploymentIntent.user_id == user_id)
    if lock:  # and read afresh: the counters take off what the row holds now
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(stmt).first()


def active_intent(user_id: int) -> EmploymentIntent | None:
    intent = current_intent(user_id)
    return intent if intent is not None and intent.active else None


def snapshot(intent: EmploymentIntent) -> dict[str, Any]:
    """The intent's fields as JSON-ready values (what history keeps; no personal data)."""
    out: dict[str, Any] = {}
    for name in PROXY_SNAPSHOT_FIELDS:
        value = getattr(intent, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    out["departed"] = intent.departed
    out["certificate_card_id"] = intent.certificate_card_id
    return out


def _history(intent: EmploymentIntent, action: str, actor: User | None, now: datetime) -> None:
    db.session.add(
        IntentChange(
            intent_id=intent.id,
            action=action,
            actor_id=actor.id if actor else None,
            changed_dt=now,
            snapshot=snapshot(intent),
        )
    )


def _drop_certificate(intent: EmploymentIntent, *, reason: str, actor: User | None, now: datetime):
    """Revoke the certificate an intent holds (it names a destination and date no longer true)."""
    from app.cards import services as cards

    if intent.certificate_card_id is None:
        return
    try:
        card = cards.get_card(intent.certificate_card_id)
    except NotFound:
        card = None
    if card is not None:
        cards.revoke(card, reason=reason, now=now, actor=actor)
    intent.certificate_card_id = None
    intent.certificate_issued_dt = None


def save_intent(
    user: User,
    data: IntentData,
    *,
    actor: User,
    now: datetime | None = None,
    consent: bool = False,
) -> tuple[EmploymentIntent, bool]:
    """Create or replace the worker's current intent; returns (intent, created)."""
    now = now or utcnow()
    today = local_today(now)
    if data.kind not in ("outbound", "local"):
        raise _invalid("kind", "invalid")
    data.destination_code = normalise_destination(data.kind, data.destination_code)
    origin = _origin(user, data)
    intent = current_intent(user.id, lock=True)
    _check(user, data, intent, today)
    created = intent is None or not intent.active
    if intent is None:
        intent = EmploymentIntent(user_id=user.id, created_dt=now)
        db.session.add(intent)
    elif not intent.active:
        intent.withdrawn_dt = None
        intent.departed_dt = None
        intent.created_dt = now
    elif intent.certificate_card_id and (
        intent.destination_code != data.destination_code
        or intent.departure_date != data.departure_date
        or data.kind != "outbound"
    ):
        _drop_certificate(intent, reason="intent_changed", actor=actor, now=now)
    values = asdict(data)
    values["origin_village_code"] = origin
    for name in PROXY_SNAPSHOT_FIELDS:
        setattr(intent, name, values[name])
    if intent.kind != "outbound":
        intent.departed_dt = None
    intent.updated_dt = now
    if actor.id != user.id:
        intent.proxy_by_id = actor.id
        intent.consent_recorded = consent
    db.session.flush()
    _history(intent, "created" if created else "updated", actor, now)
    return intent, created


def _on_hired(application: Application, *, actor: User, now: datetime) -> None:
    """An employer hired the worker: an intent with no job arranged yet now names that job
    (先定岗再出行 is met). An intent that already names a job is the worker's to change."""
    intent = current_intent(application.user_id, lock=True)
    if intent is None or not intent.active or intent.job_arranged:
        return
    intent.job_arranged = True
    intent.application_id = application.id
    intent.employer_name = employer_of(application)
    intent.job_start_date = application.posting.start_date
    intent.updated_dt = now
    db.session.flush()
    _history(intent, "job_hired", actor, now)


jobs_signals.application_hired.connect(_on_hired)


def withdraw(intent: EmploymentIntent, *, actor: User, now: datetime | None = None) -> None:
    """The worker no longer intends to go: out of the ledger, history kept."""
    now = now or utcnow()
    if not intent.active:
        raise NotFound("intent_not_found")
    _drop_certificate(intent, reason="intent_withdrawn", actor=actor, now=now)
    intent.withdrawn_dt = now
    intent.updated_dt = now
    _history(intent, "withdrawn", actor, now)


def set_departed(
    intent: EmploymentIntent, departed: bool, *, actor: User, now: datetime | None = None
) -> None:
    """Mark that the worker has left (or correct a mistaken mark)."""
    now = now or utcnow()
    if not intent.active:
        raise NotFound("intent_not_found")
    if intent.kind != "outbound":
        raise Conflict("intent_not_outbound")
    if departed == intent.departed:
        return
    intent.departed_dt = now if departed else None
    intent.updated_dt = now
    _history(intent, "departed" if departed else "updated", actor, now)
    if actor.id != intent.user_id:
        record(
            "intent.departed" if departed else "intent.departure_undone",
            actor=actor,
            subject_type="intent",
            subject_id=intent.id,
            region_code=intent.origin_village_code,
            now=now,
        )


def history_of(intent_id: int) -> select:
    return select(IntentChange).where(IntentChange.intent_id == intent_id)


def get_intent(intent_id: int) -> EmploymentIntent:
    intent = db.session.get(EmploymentIntent, intent_id)
    if intent is None:
        raise NotFound("intent_not_found")
    return intent


def intent_in_scope(actor: User, intent_id: int, *, lock: bool = False) -> EmploymentIntent:
    """An intent of someone the official looks after (404 otherwise: do not confirm others)."""
    stmt = select(EmploymentIntent).where(EmploymentIntent.id == intent_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    intent = db.session.scalars(stmt).first()
    if intent is None or not oversees(actor, intent.origin_village_code):
        raise NotFound("intent_not_found")
    return intent


# -- by proxy ------------------------------------------------------------------------------


def find_worker(
    staff: User,
    *,
    user_id: int | None = None,
    id_number: str | None = None,
    phone: str | None = None,
) -> User | None:
    """A worker for the proxy form: by ID number (the card in hand proves presence), or by
    id or phone among the people the staff member looks after. None if not found."""
    from app.accounts.services import find_by_id_number

    if id_number:
        return find_by_id_number(id_number)
    user = None
    if user_id is not None:
        user = db.session.get(User, user_id)
    elif phone:
        user = db.session.scalars(select(User).where(User.phone == phone)).first()
    if user is None or not oversees(staff, user.region_code):
        return None  # someone else's: the same answer as unknown
    return user


def save_by_proxy(
    staff: User,
    data: IntentData,
    *,
    consent: bool,
    user_id: int | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    now: datetime | None = None,
) -> tuple[User, EmploymentIntent, bool]:
    """Village staff fill in the form for a worker without a smartphone (with consent).

    A worker not registered yet is created from name + ID number (+ phone). The village the
    worker leaves from must be one the staff member looks after.
    """
    from app.accounts.access import require_oversight
    from app.accounts.services import create_user

    if not consent:
        raise _invalid("consent", "consent_required")
    now = now or utcnow()
    user = find_worker(staff, user_id=user_id, id_number=id_number, phone=phone)
    village = data.origin_village_code or (user.region_code if user else None)
    if user is None and (user_id is not None or not (name and id_number)):
        raise NotFound("worker_not_found")
    region = db.session.get(Region, village) if village else None
    if region is None or region.level != "village":
        raise _invalid("origin_village_code", "origin_not_a_village")
    require_oversight(staff, village)
    if user is None:
        user = create_user(
            roles=["worker"], phone=phone, name=name, id_number=id_number, region_code=village
        )
    data.origin_village_code = village
    intent, created = save_intent(user, data, actor=staff, now=now, consent=True)
    record(
        "intent.proxy_saved",
        actor=staff,
        subject_type="intent",
        subject_id=intent.id,
        region_code=intent.origin_village_code,
        detail={"created": created},
        now=now,
    )
    return user, intent, created

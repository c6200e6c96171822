"""The rules of a worker's own data: what is held, the export, erasure and what holds it back."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import OtpChallenge, User
from app.accounts.services import login_with_code, request_login_code
from app.audit.models import AuditEvent
from app.cards import signing
from app.cards.models import (
    Appeal,
    HealthCard,
    HealthDeclaration,
    HealthStatus,
    StatusChange,
)
from app.cards.rules import StatusDecision
from app.cards.services import set_status
from app.credentials import TrustStore, verify
from app.employers.models import EmployerWorker
from app.errors import DomainError
from app.extensions import db
from app.intents.models import IntentChange
from app.jobs.models import Application
from app.privacy import inventory, services
from app.privacy.models import Erasure
from app.quarantine.models import QuarantineCase, QuarantineCheck, WorkplaceCheck
from app.supervision.models import Complaint, GateLookup
from app.transport.models import Passenger, Trip
from tests.factories import make_user
from tests.privacy.factories import T0, erasure_code, green_worker, worker_with_everything

# Foreign keys to users that record who *acted* (staff, or the person on their own records):
# they stay and lead to the emptied account. Together with inventory.SUBJECT_COLUMNS they are
# every foreign key to users in the schema.
ACTOR_COLUMNS = {
    ("audit_events", "actor_id"),
    ("checkpoints", "created_by_id"),
    ("destination_rules", "published_by_id"),
    ("destination_rules", "withdrawn_by_id"),
    ("employers", "verified_by_id"),
    ("employers", "created_by_id"),
    ("employment_intents", "proxy_by_id"),
    ("health_cards", "issued_by_id"),
    ("health_cards", "revoked_by_id"),
    ("health_declarations", "proxy_by_id"),
    ("publicity_articles", "author_id"),
    ("quarantine_cases", "staff_id"),
    ("quarantine_cases", "opened_by_id"),
    ("quarantine_cases", "closed_by_id"),
    ("status_changes", "actor_id"),
    ("subsidy_policies", "created_by_id"),
    ("transport_vehicles", "added_by_id"),
    ("trusted_issuers", "added_by_id"),
    ("appeal_decisions", "official_id"),
    ("checkpoint_scans", "volunteer_id"),
    ("checkpoint_volunteers", "assigned_by_id"),
    ("employer_staff", "invited_by_id"),
    ("intent_changes", "actor_id"),
    ("job_postings", "reviewed_by_id"),
    ("job_postings", "created_by_id"),
    ("labour_demands", "reported_by_id"),
    ("quarantine_checks", "recorded_by_id"),
    ("subsidy_applications", "submitted_by_id"),
    ("subsidy_applications", "decided_by_id"),
    ("subsidy_applications", "paid_by_id"),
    ("subsidy_invoices", "uploaded_by_id"),
    ("supervision_cases", "assignee_id"),
    ("supervision_cases", "closed_by_id"),
    ("supervision_gate_lookups", "volunteer_id"),
    ("transport_requests", "created_by_id"),
    ("transport_requests", "decided_by_id"),
    ("transport_requests", "cancelled_by_id"),
    ("workplace_checks", "recorded_by_id"),
    ("employer_workers", "added_by_id"),
    ("job_applications", "status_by_id"),
    ("subsidy_budget_entries", "actor_id"),
    ("subsidy_test_batches", "created_by_id"),
    ("supervision_case_notes", "author_id"),
    ("transport_trips", "handover_by_id"),
    ("transport_trips", "cancelled_by_id"),
    ("transport_trips", "created_by_id"),
    ("transport_events", "actor_id"),
    ("transport_boarding_scans", "scanned_by_id"),
}


def test_every_table_naming_a_person_is_in_the_inventory(app):
    """A new table with a user column fails here until its fate under erasure is decided."""
    to_users = {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        for fk in column.foreign_keys
        if fk.column.table.name == "users"
    }
    subjects = {k for k in inventory.SUBJECT_COLUMNS if k in to_users}
    assert to_users - subjects - ACTOR_COLUMNS == set()
    assert subjects & ACTOR_COLUMNS == set()
    categories = {c.key for c in inventory.CATEGORIES}
    assert set(inventory.SUBJECT_COLUMNS.values()) - categories <= {"staff hold", "transport hold"}


def test_the_overview_has_every_category_with_its_records(app, client_of):
    worker = worker_with_everything(client_of)
    views = {v.key: v for v in services.overview(worker.user, "zh-CN")}
    assert list(views) == [c.key for c in inventory.CATEGORIES]
    expected = {
        "account": 1,
        "declarations": 1,
        "health_status": 1,
        "cards": 2,  # the phone card and the outbound certificate
        "appeals": 1,
        "checkins": 1,
        "card_scans": 1,
        "gate_lookups": 1,
        "complaints": 1,
        "quarantine_cases": 1,
        "quarantine_checks": 1,
        "workplace_checks": 1,
        "employer_rosters": 1,
        "intent": 1,
        "applications": 2,
        "transport_batches": 1,
        "transport_seats": 1,
        "subsidy_tests": 1,
    }
    assert {k: views[k].count for k in expected} == expected
    account = views["account"].records[0].line
    assert "王*兰" in account and "王秀兰" not in account  # masked on screen
    assert worker.user.id_masked in account and worker.phone not in account
    assert "桃花村东口卡点" in views["card_scans"].records[0].line


def test_the_export_is_complete_and_holds_nobody_else(app, client_of):
    worker = worker_with_everything(client_of)
    other, other_card = green_worker("赵国强")
    document = services.export_document(worker.user)
    text = json.dumps(document, ensure_ascii=False)
    assert document["record_count"] == sum(c["count"] for c in document["categories"].values())
    assert document["categories"]["account"]["records"][0]["name"] == "王秀兰"
    assert document["categories"]["account"]["records"][0]["phone"] == worker.phone
    assert document["categories"]["quarantine_cases"]["records"][0]["address"] == "桃花村3组12号"
    assert document["categories"]["intent"]["records"][0]["note"] == "想去电子厂"
    cards = {c["card_id"] for c in document["categories"]["cards"]["records"]}
    assert cards == {worker.card.card_id, worker.certificate.card_id}
    for foreign in ("赵国强", other.phone, other_card.card_id, other.id_masked):
        assert foreign not in text
    # Staff are not named, and nothing secret leaves: no code, password or ID hashes.
    volunteer = worker.extra["volunteer"]
    assert volunteer.name not in text and volunteer.phone not in text
    assert worker.user.id_hash not in text
    assert "code_hash" not in text and "password_hash" not in text


def _erase(app, user):
    services.send_erasure_code(user)
    result = services.erase(user, erasure_code(app, user.phone))
    db.session.commit()
    return result


def test_erasure_revokes_every_card_and_empties_the_account(app, client_of):
    worker = worker_with_everything(client_of)
    user, phone = worker.user, worker.phone
    result = _erase(app, user)
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.phone, user.id_hash, user.id_masked, user.sex) == (None,) * 5
    assert user.active is False and user.is_authenticated is False
    cards = db.session.scalars(select(HealthCard).where(HealthCard.user_id == user.id)).all()
    assert len(cards) == 2
    assert all(c.revoked_dt is not None and c.revoked_reason == "holder_erased" for c in cards)
    assert all(c.qr_text == "" and c.name_masked == "" and c.id_last4 == "" for c in cards)
    assert result.erasure.summary["cards"] == {"revoked": 2, "anonymised": 2}
    # The person is told on the number that asked.
    assert "已按您的申请删除" in app.extensions["sms"].last_to(phone)


def test_erasure_deletes_personal_records_and_empties_the_kept_ones(app, client_of):
    worker = worker_with_everything(client_of)
    uid = worker.user.id
    _erase(app, worker.user)
    db.session.expire_all()

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    for model in (HealthDeclaration, StatusChange, Appeal, WorkplaceCheck, EmployerWorker):
        assert count(model, model.user_id == uid) == 0, model.__name__
    assert db.session.get(HealthStatus, uid) is None
    assert count(QuarantineCheck) == 0
    assert count(IntentChange, IntentChange.intent_id == worker.intent.id) == 0
    assert count(OtpChallenge, OtpChallenge.phone == worker.phone) == 0
    assert count(GateLookup, GateLookup.subject_id == uid) == 0
    case = db.session.scalars(select(QuarantineCase).where(QuarantineCase.user_id == uid)).one()
    assert (case.address, case.open_reason, case.close_reason) == (None, None, None)
    assert case.state == "released"  # the measure's record stays
    intent = db.session.get(type(worker.intent), worker.intent.id)
    assert (intent.note, intent.employer_name, intent.wage_expectation) == (None, None, None)
    assert (intent.destination_code, intent.trade) == ("440300", "electronics")
    complaint = db.session.scalars(select(Complaint).where(Complaint.user_id == uid)).one()
    assert complaint.description is None and complaint.kind == "refused_entry"
    statuses = sorted(
        db.session.scalars(select(Application.status).where(Application.user_id == uid))
    )
    assert statuses == ["hired", "withdrawn"]  # the undecided one is withdrawn
    seat = db.session.scalars(select(Passenger).where(Passenger.user_id == uid)).one()
    assert seat.temperature is None and seat.state == "arrived"
    # What is left in the inventory says nothing about anyone.
    left = services.export_document(db.session.get(User, uid))
    account = left["categories"]["account"]["records"][0]
    assert account["name"] is None and account["phone"] is None
    assert "王秀兰" not in json.dumps(left, ensure_ascii=False)


def test_the_audit_trail_records_the_erasure_without_personal_data(app, client_of):
    worker = worker_with_everything(client_of)
    _erase(app, worker.user)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.erasure")
    ).one()
    assert (event.subject_type, event.subject_id) == ("user", str(worker.user.id))
    assert event.actor_id is None and event.reason is None
    text = json.dumps(event.detail, ensure_ascii=False)
    for personal in ("王秀兰", "王*兰", worker.phone, worker.card.card_id, "桃花村3组12号"):
        assert personal not in text
    assert event.detail["cards"]["revoked"] == 2


def test_a_repeated_erasure_returns_the_first_and_doubles_nothing(app, client_of):
    worker = worker_with_everything(client_of)
    first = _erase(app, worker.user)
    again = services.erase(worker.user, "000000")  # no code is even checked
    db.session.commit()
    assert again.repeated is True and again.erasure.id == first.erasure.id
    assert db.session.scalar(select(func.count(Erasure.id))) == 1
    events = select(func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.erasure")
    assert db.session.scalar(events) == 1


def test_a_wrong_code_changes_nothing(app, client_of):
    worker = worker_with_everything(client_of)
    services.send_erasure_code(worker.user)
    wrong = "000000" if erasure_code(app, worker.phone) != "000000" else "111111"
    with pytest.raises(DomainError) as refused:
        services.erase(worker.user, wrong)
    db.session.rollback()
    assert refused.value.code == "otp_invalid"
    db.session.expire_all()
    assert db.session.get(User, worker.user.id).name == "王秀兰"
    assert db.session.get(HealthCard, worker.card.id).revoked_dt is None
    assert db.session.scalar(select(func.count(Erasure.id))) == 0


def test_login_and_erasure_codes_do_not_stand_in_for_each_other(app):
    user, _ = green_worker()
    request_login_code(user.phone)
    login_code = app.extensions["sms"].last_to(user.phone).split("验证码是 ")[1][:6]
    with pytest.raises(DomainError) as refused:
        services.erase(user, login_code)
    assert refused.value.code == "otp_invalid"
    db.session.rollback()
    services.send_erasure_code(user)
    with pytest.raises(DomainError) as no_login:
        login_with_code(user.phone, erasure_code(app, user.phone))
    assert no_login.value.code == "otp_invalid"


def test_a_revoked_card_is_refused_by_an_offline_verifier_with_the_revocation_list(app, client):
    user, card = green_worker()
    qr = card.qr_text
    store = TrustStore()
    for signer in signing.keyring().signers():
        store.add_signer(signer)
    assert verify(qr, store, T0).valid is True
    _erase(app, user)
    # What an offline checkpoint syncs: the signed list of revoked, unexpired cards.
    store.add_revocation_list(client.get("/.well-known/fangang/revocations.cose").data)
    assert verify(qr, store, T0).reason == "revoked"


def test_logging_in_again_with_the_phone_makes_a_new_empty_account(app):
    user, _ = green_worker()
    old_id, phone = user.id, user.phone
    _erase(app, user)
    request_login_code(phone)
    code = app.extensions["sms"].last_to(phone).split("验证码是 ")[1][:6]
    fresh = login_with_code(phone, code)
    db.session.commit()
    assert fresh.id != old_id and fresh.name is None
    assert db.session.get(HealthStatus, fresh.id) is None


def test_other_peoples_data_is_untouched(app, client_of):
    worker = worker_with_everything(client_of)
    other, other_card = green_worker("赵国强")
    before = json.dumps(services.export_document(other), ensure_ascii=False, sort_keys=True)
    _erase(app, worker.user)
    db.session.expire_all()
    other = db.session.get(User, other.id)
    after = json.dumps(services.export_document(other), ensure_ascii=False, sort_keys=True)
    assert json.loads(after)["categories"] == json.loads(before)["categories"]
    assert db.session.get(HealthCard, other_card.id).revoked_dt is None


# -- what the law keeps ------------------------------------------------------------------------


def _codes(holds):
    return [(h.code, h.until) for h in holds]


def test_an_open_quarantine_case_holds_erasure_until_it_is_released(app):
    user, _ = green_worker()
    case = QuarantineCase(
        user_id=user.id,
        origin="manual",
        start_date=date(2020, 2, 15),
        planned_end_date=date(2020, 2, 29),
        village_code=user.region_code,
    )
    db.session.add(case)
    db.session.commit()
    assert _codes(services.holds_of(user)) == [("erasure_quarantine_open", date(2020, 2, 29))]
    sent = len(app.extensions["sms"].sent)
    with pytest.raises(DomainError) as held:
        services.send_erasure_code(user)
    assert held.value.code == "erasure_held" and held.value.status == 409
    assert held.value.extra["holds"][0]["until"] == "2020-02-29"
    assert "2020-02-29" in held.value.params["reasons_zh"]
    assert "传染病防治法" in held.value.params["reasons_zh"]
    assert "Infectious Diseases" in held.value.params["reasons_en"]
    assert len(app.extensions["sms"].sent) == sent  # no code for a refused request
    case.state = "released"
    db.session.commit()
    assert services.holds_of(user) == []


def test_a_red_or_yellow_colour_holds_erasure(app):
    red, _ = green_worker()
    set_status(red, StatusDecision("red", ("fever",)), cause="declaration", now=T0)
    yellow, _ = green_worker("钱多多")
    until = date(2020, 3, 1)
    set_status(
        yellow, StatusDecision("yellow", ("hubei_exposure",), until), cause="declaration", now=T0
    )
    db.session.commit()
    assert _codes(services.holds_of(red)) == [("erasure_status_red", None)]
    assert _codes(services.holds_of(yellow)) == [("erasure_status_yellow", until)]


def test_a_seat_on_a_trip_not_yet_arrived_holds_erasure_until_arrival(app, client_of):
    worker = worker_with_everything(client_of)
    trip = db.session.get(Trip, worker.extra["trip"].id)
    trip.state = "planned"
    trip.arrival_due_dt = T0 + timedelta(days=2)
    db.session.scalars(select(Passenger).where(Passenger.trip_id == trip.id)).one().state = "booked"
    db.session.commit()
    assert _codes(services.holds_of(worker.user)) == [
        ("erasure_transport_pending", date(2020, 2, 22))
    ]


def test_staff_accounts_cannot_erase_themselves(app):
    volunteer = make_user(roles=("worker", "volunteer"))
    holds = services.holds_of(volunteer)
    assert _codes(holds) == [("erasure_staff_account", None)]
    assert holds[0].detail == {"roles": ["volunteer"]}


def test_a_held_erasure_changes_nothing_even_with_a_valid_code(app):
    user, card = green_worker()
    services.send_erasure_code(user)
    code = erasure_code(app, user.phone)
    set_status(user, StatusDecision("red", ("fever",)), cause="declaration", now=T0)
    db.session.commit()
    with pytest.raises(DomainError) as held:
        services.erase(user, code)
    db.session.rollback()
    assert held.value.code == "erasure_held"
    db.session.expire_all()
    assert db.session.get(User, user.id).phone is not None
    assert db.session.scalar(select(func.count(Erasure.id))) == 0

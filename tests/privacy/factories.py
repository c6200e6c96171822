"""A worker with something in every domain, made the way the app makes it where that is short
(services, the outbox), directly as rows where a whole workflow would only add length."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.accounts.models import User
from app.cards import services as cards
from app.cards.models import Appeal, HealthCard
from app.checkpoints.models import Checkpoint
from app.checkpoints.services import place_code_token
from app.employers.models import Employer
from app.employers.services import admit_worker
from app.extensions import db
from app.intents.certificates import issue_certificate
from app.intents.models import EmploymentIntent
from app.jobs.models import Application, JobPosting
from app.quarantine.models import QuarantineCase, QuarantineCheck, WorkplaceCheck
from app.subsidies.models import TestBatch, TestBatchPerson
from app.supervision.models import GateLookup
from app.transport.models import Passenger, RequestWorker, TransportRequest, Trip, Vehicle
from tests.checkpoints.factories import (
    checkin_item,
    decision_item,
    make_checkpoint,
    make_volunteer,
    scan_item,
    verdict,
)
from tests.factories import make_user, village_in
from tests.intents.factories import add_intent, declare_health, job_at, staff_of

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde
SYNC = "/api/v1/checkpoints/sync"


@dataclass
class Worker:
    user: User
    phone: str
    card: HealthCard
    certificate: HealthCard
    intent: EmploymentIntent
    checkpoint: Checkpoint
    extra: dict[str, Any] = field(default_factory=dict)


def green_worker(name: str = "王秀兰", **kwargs: Any) -> tuple[User, HealthCard]:
    """A worker of a Wuling village with a green phone card."""
    village = village_in("430702")
    user = make_user(name=name, region_code=village, **kwargs)
    declare_health(user, village)
    card = cards.current_card(user, now=T0)
    db.session.commit()
    return user, card


def _employer(name: str, region: str = "430702") -> Employer:
    employer = Employer(
        name=name,
        credit_code=f"91430700{uuid.uuid4().int % 10**10:010d}",
        region_code=region,
        address="常德经开区德山大道88号",
        contact_name="陈经理",
        contact_phone="13812345678",
        industry="制造",
        verified=True,
    )
    db.session.add(employer)
    db.session.flush()
    return employer


def _transport(user: User, employer: Employer, staff: User) -> Trip:
    """An inbound batch that arrived, with the worker's seat (what the counts are made from)."""
    request = TransportRequest(
        direction="inbound",
        state="arrived",
        employer_id=employer.id,
        origin_code="440306",
        destination_code="430702",
        destination_address="常德经开区德山大道88号",
        review_region_code="430702",
        window_start=date(2020, 2, 16),
        window_end=date(2020, 2, 18),
        created_by_id=staff.id,
    )
    db.session.add(request)
    db.session.flush()
    worker = RequestWorker(request_id=request.id, user_id=user.id, origin_code="440306")
    worker.state = "listed"
    vehicle = Vehicle(plate=f"湘J{uuid.uuid4().int % 100000:05d}", seats=53, layout=["AB_CD"])
    db.session.add_all([worker, vehicle])
    db.session.flush()
    departure = datetime(2020, 2, 17, 0, 0, tzinfo=UTC)
    trip = Trip(
        request_id=request.id,
        vehicle_id=vehicle.id,
        state="arrived",
        driver_name="刘师傅",
        driver_phone="13711112222",
        escort_id=staff.id,
        departure_dt=departure,
        departure_place="深圳市宝安区西乡汽车站",
        arrival_place="常德经开区",
        arrival_due_dt=departure + timedelta(hours=11),
        seat_share=Decimal("0.50"),
        isolation_rows=2,
        arrived_dt=departure + timedelta(hours=10),
        created_by_id=staff.id,
    )
    db.session.add(trip)
    db.session.flush()
    db.session.add(
        Passenger(
            trip_id=trip.id,
            user_id=user.id,
            request_worker_id=worker.id,
            seat="3A",
            seat_order=9,
            state="arrived",
            boarded_dt=departure,
            temperature=Decimal("36.4"),
            arrived_dt=departure + timedelta(hours=10),
        )
    )
    return trip


def worker_with_everything(client_of: Any, *, name: str = "王秀兰") -> Worker:
    """A worker with data in every domain: cards and a certificate, an intent, applications,
    rosters, scans and a check-in, a closed quarantine case, employers' readings, a trip, a
    subsidised test, a complaint with its text, an appeal, a gate lookup."""
    user, card = green_worker(name)
    staff = staff_of("430702")
    intent = add_intent(
        user, employer_name="常德某电子厂", note="想去电子厂", wage_expectation=5000
    )
    certificate = issue_certificate(intent, staff=staff, now=T0)
    db.session.commit()

    employer = _employer("常德德山电子有限公司")
    hired = job_at("430702", title="电子厂普工", employer="常德某电子有限公司")
    open_job = job_at("430702", title="包装工", employer="常德某包装有限公司")
    db.session.add_all(
        [
            Application(posting_id=hired.id, user_id=user.id, status="hired", share_card=True),
            Application(posting_id=open_job.id, user_id=user.id, status="submitted"),
        ]
    )
    db.session.get(JobPosting, hired.id).hired_count = 1
    admit_worker(employer, user, on=date(2020, 2, 18), source="manual", note="夜班")
    db.session.add(
        WorkplaceCheck(
            employer_id=employer.id,
            user_id=user.id,
            check_date=date(2020, 2, 19),
            temperature=Decimal("36.6"),
            source="single",
        )
    )
    case = QuarantineCase(
        user_id=user.id,
        state="released",
        origin="manual",
        start_date=date(2020, 1, 25),
        planned_end_date=date(2020, 2, 8),
        place="home",
        address="桃花村3组12号",
        village_code=user.region_code,
        open_reason="从武汉返乡",
        closed_dt=datetime(2020, 2, 8, 2, 0, tzinfo=UTC),
        close_reason="14天期满无症状",
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        QuarantineCheck(
            case_id=case.id, check_date=date(2020, 2, 1), temperature=Decimal("36.5"), source="self"
        )
    )
    trip = _transport(user, employer, staff)
    batch = TestBatch(
        employer_id=employer.id,
        tested_on=date(2020, 2, 18),
        institution="常德市第一人民医院",
        people_count=1,
        cost_fen=8000,
    )
    db.session.add(batch)
    db.session.flush()
    db.session.add(TestBatchPerson(batch_id=batch.id, user_id=user.id))
    db.session.add(Appeal(user_id=user.id, status_at_filing="green", reason="我已做过核酸检测"))
    db.session.commit()

    checkpoint = make_checkpoint(name="桃花村东口卡点", village_code=user.region_code)
    volunteer = make_volunteer(checkpoint)
    db.session.add(
        GateLookup(
            volunteer_id=volunteer.id,
            checkpoint_id=checkpoint.id,
            method="typed",
            outcome="found",
            subject_id=user.id,
            status="green",
        )
    )
    db.session.commit()
    scan = scan_item(checkpoint.id, verdict=verdict(card_id=card.card_id))
    gate = client_of(volunteer)
    assert gate.post(SYNC, json={"items": [scan, decision_item(scan["uuid"])]}).status_code == 200
    phone = client_of(user)
    token = place_code_token(checkpoint)
    assert phone.post(SYNC, json={"items": [checkin_item(token)]}).status_code == 200
    complaint = phone.post(
        "/api/v1/supervision/complaints",
        json={
            "kind": "refused_entry",
            "description": "持绿码不让进村，王秀兰",
            "checkpoint_id": checkpoint.id,
        },
    )
    assert complaint.status_code == 201, complaint.get_json()
    return Worker(
        user=user,
        phone=user.phone,
        card=card,
        certificate=certificate,
        intent=intent,
        checkpoint=checkpoint,
        extra={"employer": employer, "trip": trip, "batch": batch, "volunteer": volunteer},
    )


def erasure_code(app: Any, phone: str) -> str:
    """The confirmation code last texted to `phone` (the console SMS backend keeps them)."""
    import re

    text = app.extensions["sms"].last_to(phone)
    match = re.search(r"确认码 (\d{6})", text or "")
    assert match, text
    return match.group(1)


def make_official(region: str = "430702") -> User:
    return make_user(roles=("official",), region_code=region)

"""Demo supervision: the per-day counters of the demo scans, cases from their flagged refusals,
and workers' complaints over the last two weeks, about half of them closed."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User, UserRole
from app.checkpoints.models import Checkpoint, CheckpointScan
from app.extensions import db
from app.supervision import counters, services
from app.supervision.models import COMPLAINT_KINDS, CaseNote, SupervisionCase
from app.timeutil import utcnow

DEMO_WORKER_PHONE = "13800000001"
DEMO_OFFICIAL_PHONE = "13800000031"  # wuling: the district official of the demo accounts
WHAT = (
    "持绿码不让进村，说外地回来的一律不准进",
    "卡点要求开村委会证明才放行",
    "出村去上班被拦，说要等隔离满14天",
    "卡点人员不认外省健康码",
)
RESOLUTIONS = (
    "已电话责令村委会改正，对绿码人员一律放行。",
    "已到卡点现场督导，卡点负责人已道歉并放行。",
    "经核查，当事人当时为黄码，拦截符合规定。",
)


def load_demo(rng: random.Random, *, complaints: int = 40, days: int = 14) -> dict[str, int]:
    """Counters rebuilt from the scans (the demo scans bypass ingest), a case for every gate
    and day with a flagged refusal, and `complaints` complaints, about half closed."""
    now = utcnow()
    counted = counters.recount()
    flagged = db.session.execute(
        select(CheckpointScan.id, CheckpointScan.decided_dt)
        .where(CheckpointScan.flagged)
        .order_by(CheckpointScan.decided_dt)
    ).all()
    for scan_id, decided in flagged:  # each case opened when its first refusal arrived
        services.cases_from_refusals([scan_id], min(decided or now, now))
    for case in db.session.scalars(
        select(SupervisionCase).where(SupervisionCase.state == "open").order_by(SupervisionCase.id)
    ):
        if rng.random() < 0.5:
            _close(case, case.opened_dt + timedelta(hours=rng.randrange(2, 72)), rng, now)
    gates = list(
        db.session.scalars(select(Checkpoint).where(Checkpoint.active).order_by(Checkpoint.id))
    )
    workers = list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == "worker")
            .order_by(User.id)
            .limit(500)
        )
    )
    made = 0
    if gates and workers and complaints:
        demo = next((w for w in workers if w.phone == DEMO_WORKER_PHONE), None)
        for index in range(complaints):
            worker = demo if demo is not None and index < 2 else rng.choice(workers)
            gate = rng.choice(gates)
            filed = now - timedelta(seconds=rng.randrange(days * 86400))
            complaint = services.file_complaint(
                worker,
                place=services.Place(gate.village_code, gate.id),
                occurred_at=filed - timedelta(minutes=rng.randrange(5, 180)),
                kind=rng.choice(COMPLAINT_KINDS[:3]),
                description=rng.choice(WHAT),
                now=filed,
            )
            made += 1
            if index >= 2 and rng.random() < 0.5:
                _close(complaint.case, filed + timedelta(hours=rng.randrange(2, 72)), rng, now)
    db.session.flush()
    return {"supervision_days": counted, "supervision_complaints": made}


def _close(case: SupervisionCase, at, rng: random.Random, now) -> None:  # noqa: ANN001
    """Closed by the district official, without texting the demo workers."""
    if case.state != "open" or at > now:
        return
    official = db.session.scalars(select(User).where(User.phone == DEMO_OFFICIAL_PHONE)).first()
    if official is None:
        return
    db.session.add(
        CaseNote(
            case_id=case.id,
            author_id=official.id,
            kind="contact",
            contacted="村委会",
            note="电话告知村委会：持有效健康码人员须放行。",
            at_dt=at - timedelta(hours=1),
        )
    )
    case.assignee_id, case.assigned_dt = official.id, at - timedelta(hours=1)
    case.state, case.closed_dt, case.closed_by_id = "closed", at, official.id
    outcome = rng.choice(("resolved", "resolved", "unfounded"))
    case.outcome = outcome
    case.resolution = RESOLUTIONS[2] if outcome == "unfounded" else rng.choice(RESOLUTIONS[:2])

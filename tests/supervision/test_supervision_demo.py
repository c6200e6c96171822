"""`flask demo-data` gives supervision something to show, and `flask supervision recount`."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.supervision.models import CheckpointDay, Complaint, SupervisionCase


def test_demo_data_has_complaints_cases_and_counters(app, runner):
    result = runner.invoke(
        args=["demo-data", "--workers", "30", "--scans", "3000", "--complaints", "25"]
    )
    assert result.exit_code == 0, result.output
    assert "supervision_complaints=25" in result.output
    assert db.session.scalar(select(func.count(Complaint.id))) == 25
    states = dict(
        db.session.execute(
            select(SupervisionCase.state, func.count(SupervisionCase.id)).group_by(
                SupervisionCase.state
            )
        ).all()
    )
    assert states.get("open") and states.get("closed")
    assert db.session.scalar(select(func.sum(CheckpointDay.scans))) == 3000
    # The demo worker 张伟 has complaints to follow on the PWA.
    from app.accounts.models import User

    zhang = db.session.scalars(select(User).where(User.phone == "13800000001")).one()
    assert (
        db.session.scalar(select(func.count(Complaint.id)).where(Complaint.user_id == zhang.id))
        == 2
    )


def test_recount_rebuilds_the_counters(app, runner):
    assert runner.invoke(args=["demo-data", "--workers", "10", "--scans", "500"]).exit_code == 0
    db.session.execute(CheckpointDay.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["supervision", "recount"])
    assert result.exit_code == 0, result.output
    assert "checkpoint days counted" in result.output
    assert db.session.scalar(select(func.sum(CheckpointDay.scans))) == 500

"""`flask demo-data`: realistic and deterministic."""

from sqlalchemy import func, select

from app.accounts.identity import is_valid_id_number
from app.accounts.models import User
from app.demo import random_id_number, random_name
from app.extensions import db


def test_demo_data_loads_accounts_and_workers(app, runner):
    result = runner.invoke(args=["demo-data", "--workers", "50", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "workers=50" in result.output
    worker = db.session.scalars(select(User).where(User.phone == "13800000001")).one()
    assert worker.name == "张伟" and worker.roles == ["worker"]
    official = db.session.scalars(select(User).where(User.username == "wuling")).one()
    assert official.roles == ["official"] and official.region_code == "430702"
    assert db.session.query(User).count() >= 50 + 7  # other domains add their own people
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in again.output


def test_demo_workers_have_cards(app, runner):
    from app.cards.models import HealthStatus

    assert runner.invoke(args=["demo-data", "--workers", "20"]).exit_code == 0
    zhang = db.session.scalars(select(User).where(User.phone == "13800000001")).one()
    li = db.session.scalars(select(User).where(User.phone == "13800000002")).one()
    assert db.session.get(HealthStatus, zhang.id).status == "green"
    assert db.session.get(HealthStatus, li.id).status == "yellow"


def test_same_seed_same_people():
    import random

    a = [random_name(random.Random(9)) for _ in range(3)]
    b = [random_name(random.Random(9)) for _ in range(3)]
    assert a == b


def test_generated_id_numbers_are_valid_and_born_where_they_live():
    import random

    rng = random.Random(1)
    for _ in range(500):
        number = random_id_number(rng, "430721")
        assert is_valid_id_number(number)
        assert number.startswith("430721")


def test_names_are_chinese():
    import random

    rng = random.Random(2)
    for _ in range(100):
        name = random_name(rng)
        assert 2 <= len(name) <= 4
        assert all("\u4e00" <= ch <= "\u9fff" for ch in name)


def test_create_admin(app, runner):
    result = runner.invoke(
        args=["create-admin", "--username", "root2", "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User).where(User.username == "root2")).one().roles == ["admin"]


def test_demo_data_on_a_fresh_instance_creates_the_signer_key(app, runner, tmp_path):
    """`flask db upgrade` then `flask demo-data`, no `flask keys ensure`: no traceback."""
    from app.cards.models import HealthCard
    from tests.conftest import make_test_app

    fresh = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, KEYS_DIR=str(tmp_path / "keys")
    )
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["demo-data", "--workers", "5"])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert "created signer" in result.output and "flask keys ensure" in result.output
        assert list((tmp_path / "keys").iterdir())  # the key lives in the instance's folder
        assert db.session.scalar(select(func.count(HealthCard.id))) > 0
        again = fresh.test_cli_runner().invoke(args=["demo-data", "--workers", "5", "--seed", "2"])
        assert again.exit_code == 0 and "created signer" not in again.output
        db.session.remove()


def test_every_demo_date_lives_on_one_timeline_around_the_day_it_runs(app, runner):
    """Declarations and scans in the past days, departures mostly in the coming weeks, the
    ledger's weeks around today: whatever day a newcomer runs it (frozen here)."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    from app.cards.models import HealthDeclaration
    from app.checkpoints.models import CheckpointScan
    from app.intents.models import EmploymentIntent
    from app.jobs.models import JobPosting
    from app.quarantine.models import QuarantineCase

    with time_machine.travel(datetime(2027, 7, 14, 2, 0, tzinfo=UTC), tick=False):
        result = runner.invoke(args=["demo-data", "--workers", "120", "--intents", "100"])
        assert result.exit_code == 0, result.output
    today = datetime(2027, 7, 14).date()
    departures = [
        d for d in db.session.scalars(select(EmploymentIntent.departure_date)) if d is not None
    ]
    assert departures and all(
        today - timedelta(days=14) <= d <= today + timedelta(days=46) for d in departures
    )
    ahead = sum(d >= today for d in departures)
    assert ahead > len(departures) / 2  # most workers have yet to leave
    registered = list(db.session.scalars(select(EmploymentIntent.created_dt)))
    assert max(registered).date() <= today
    scans = list(db.session.scalars(select(CheckpointScan.scan_day)))
    assert scans and all(today - timedelta(days=7) <= d <= today for d in scans)
    declared = list(db.session.scalars(select(HealthDeclaration.declared_dt)))
    assert declared and all(abs((d.date() - today).days) <= 30 for d in declared)
    starts = list(db.session.scalars(select(QuarantineCase.start_date)))
    assert starts and all(today - timedelta(days=30) <= d <= today for d in starts)
    postings = list(db.session.scalars(select(JobPosting.valid_until)))
    assert postings and all(d >= today for d in postings)


def test_demo_data_leaves_postgresql_knowing_the_new_sizes(app, runner):
    """A bulk load ends with ANALYZE: planned for empty tables, the ledger's first page of
    people took 9 s at a million intents on a server whose autovacuum had not come round."""
    from sqlalchemy import text

    before = db.session.scalar(text("SELECT CURRENT_TIMESTAMP")) if _postgres() else None
    db.session.commit()
    assert runner.invoke(args=["demo-data", "--workers", "30"]).exit_code == 0
    if not _postgres():
        return  # SQLite keeps its planner's defaults (app.database.refresh_statistics)
    analysed = dict(
        db.session.execute(
            text(
                "SELECT relname, last_analyze FROM pg_stat_user_tables"
                " WHERE relname IN ('users', 'employment_intents', 'job_listings')"
            )
        ).all()
    )
    assert len(analysed) == 3
    assert all(when is not None and when >= before for when in analysed.values()), analysed


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"

"""`flask demo-data`: realistic and deterministic."""

from sqlalchemy import select

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

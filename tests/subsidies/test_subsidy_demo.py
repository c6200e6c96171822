"""`flask demo-data` gives every county terms and a budget, batches with invoices, decided
applications, and articles on the home screen."""

from sqlalchemy import func, select

from app.extensions import db
from app.publicity.models import Article
from app.subsidies.models import SubsidyApplication, SubsidyBudget, SubsidyPolicy, TestBatch


def test_demo_data_has_subsidies_and_articles(app, runner):
    result = runner.invoke(
        args=["demo-data", "--workers", "20", "--employers", "8", "--test-batches", "12"]
    )
    assert result.exit_code == 0, result.output
    assert "subsidy_batches=12" in result.output and "articles=3" in result.output
    assert db.session.scalar(select(func.count(SubsidyPolicy.id))) == 14  # 9 counties, 5 zones
    assert db.session.scalar(select(func.min(SubsidyBudget.balance_fen))) >= 0
    batches = db.session.scalars(select(TestBatch)).all()
    assert len(batches) == 12 and all(b.invoice_id for b in batches)
    statuses = set(db.session.scalars(select(SubsidyApplication.status)))
    assert statuses <= {"submitted", "approved", "refused", "paid"} and statuses
    assert db.session.scalar(select(func.count(Article.id))) == 3

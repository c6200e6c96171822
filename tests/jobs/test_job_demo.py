"""Demo employers and postings: valid, searchable, same seed same data."""

import random

from sqlalchemy import func, select

from app.employers.credit_code import is_valid_credit_code
from app.employers.demo import load_demo as load_employers
from app.employers.models import Employer
from app.extensions import db
from app.jobs.demo import load_demo as load_jobs
from app.jobs.models import JobListing, JobPosting
from tests.factories import make_user


def test_demo_data_is_valid_and_searchable(app, client_of):
    counts = load_employers(random.Random(3), employers=5)
    counts |= load_jobs(random.Random(3), postings=120, applications=0, demand_lines=4)
    db.session.commit()
    assert counts["employers"] == 5 and counts["postings"] == 120
    assert counts["listings"] == db.session.scalar(select(func.count(JobListing.id))) > 90
    codes = db.session.scalars(select(Employer.credit_code)).all()
    assert all(is_valid_credit_code(code) for code in codes)
    statuses = set(db.session.scalars(select(JobPosting.status)))
    assert "published" in statuses
    worker = client_of(make_user(roles=("worker",)))
    body = worker.get("/api/v1/jobs", query_string={"q": "工", "limit": 5}).get_json()
    assert len(body["items"]) == 5 and body["next_cursor"]


def test_same_seed_same_titles(app):
    load_employers(random.Random(5), employers=3)
    load_jobs(random.Random(5), postings=10, applications=0, demand_lines=0)
    first = db.session.scalars(select(JobPosting.title).order_by(JobPosting.id)).all()
    db.session.rollback()
    load_employers(random.Random(5), employers=3)
    load_jobs(random.Random(5), postings=10, applications=0, demand_lines=0)
    assert db.session.scalars(select(JobPosting.title).order_by(JobPosting.id)).all() == first

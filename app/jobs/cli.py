"""flask jobs … : expire due postings (for cron), rebuild the search index, demo postings."""

from __future__ import annotations

import random

import click
from flask import Flask
from sqlalchemy import select, text

from app.extensions import db


def register_commands(app: Flask) -> None:
    jobs = click.Group("jobs", help="Job postings and their search index.")

    @jobs.command("expire")
    def expire() -> None:
        """Expire every posting past its last day (requests also do this once a minute)."""
        from app.jobs.services import expire_due_postings

        count = expire_due_postings()
        db.session.commit()
        click.echo(f"postings expired: {count}")

    @jobs.command("reindex")
    def reindex() -> None:
        """Re-segment every listing and rebuild the engine's search index from it."""
        from app.jobs.models import JobListing
        from app.jobs.services import search_text_of

        listings = db.session.scalars(select(JobListing)).all()
        for listing in listings:
            listing.text.search_text = search_text_of(listing.posting)
        db.session.flush()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(
                text("INSERT INTO job_listings_fts(job_listings_fts) VALUES ('rebuild')")
            )
        else:
            db.session.execute(text("REINDEX INDEX ix_job_listing_texts_search_text_tsv"))
        db.session.commit()
        click.echo(f"listings reindexed: {len(listings)}")

    @jobs.command("demo")
    @click.option("--employers", default=20, show_default=True)
    @click.option("--postings", default=200, show_default=True)
    @click.option("--applications", default=200, show_default=True)
    @click.option("--seed", default=1, show_default=True)
    def demo(employers: int, postings: int, applications: int, seed: int) -> None:
        """Demo employers, postings, applications and labour demand (bulk inserts)."""
        from app.employers.demo import load_demo as load_employers
        from app.jobs.demo import load_demo as load_jobs

        rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        counts = load_employers(rng, employers=employers)
        counts |= load_jobs(rng, postings=postings, applications=applications)
        db.session.commit()
        click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))

    app.cli.add_command(jobs)

"""flask commands: create-admin, demo-data, regions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select

from app import domain_module
from app.accounts.models import User
from app.accounts.services import create_user
from app.database import refresh_statistics
from app.errors import DomainError
from app.extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--username", prompt=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--phone", default=None, help="Mobile number, to log in with SMS codes too.")
    def create_admin(username: str, password: str, phone: str | None) -> None:
        """Create an administrator account."""
        try:
            create_user(
                roles=["admin"], username=username, password=password, phone=phone, region_code=None
            )
        except DomainError as exc:
            raise click.ClickException(f"cannot create admin: {exc.code}") from None
        db.session.commit()
        click.echo(f"admin {username} created")

    @app.cli.command("demo-data")
    @click.option("--workers", default=200, show_default=True, help="Random workers to add.")
    @click.option("--employers", default=20, show_default=True)
    @click.option("--postings", default=200, show_default=True, help="Job postings.")
    @click.option("--applications", default=200, show_default=True)
    @click.option("--intents", default=150, show_default=True, help="Employment intents.")
    @click.option("--cases", default=30, show_default=True, help="Quarantine cases under way.")
    @click.option("--due", default=10, show_default=True, help="Quarantine cases due for release.")
    @click.option("--scans", default=500, show_default=True, help="Checkpoint scans (last 7 days).")
    @click.option(
        "--complaints", default=40, show_default=True, help="Blocked-at-the-gate complaints."
    )
    @click.option(
        "--test-batches", default=40, show_default=True, help="Nucleic-acid test batches."
    )
    @click.option(
        "--transport-batches", default=2, show_default=True, help="Point-to-point batches."
    )
    @click.option(
        "--seed", default=1, show_default=True, help="Random seed (same seed, same data)."
    )
    @click.option("--if-empty", is_flag=True, help="Do nothing if the database has users.")
    def demo_data(
        workers: int,
        employers: int,
        postings: int,
        applications: int,
        intents: int,
        cases: int,
        due: int,
        scans: int,
        complaints: int,
        test_batches: int,
        transport_batches: int,
        seed: int,
        if_empty: bool,
    ) -> None:
        """Load regions, demo accounts, workers, and demo data of every domain."""
        import random

        from app.demo import load_demo_data

        if if_empty and db.session.scalar(select(func.count(User.id))):
            click.echo("database already has data; demo data not loaded")
            return
        # Demo cards need a signer: create it as `flask keys ensure` (and make run) would,
        # rather than end in a traceback on a fresh instance.
        from app.cards.signing import ensure_signer

        signer, created = ensure_signer()
        if created:
            click.echo(f"created signer {signer.kid.hex()} (as `flask keys ensure` does)")
        counts = load_demo_data(workers=workers, seed=seed)
        rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        sizes = {
            "employers": {"employers": employers},
            "jobs": {"postings": postings, "applications": applications},
            "intents": {"intents": intents},
            "quarantine": {"cases": cases, "due": due},
            "checkpoints": {"scans": scans},
            "supervision": {"complaints": complaints},  # after checkpoints: counts their scans
            "subsidies": {"batches": test_batches},
            "publicity": {},
            "transport": {"batches": transport_batches},
        }
        for domain, options in sizes.items():
            demo = domain_module(domain, "demo")
            if demo is not None:
                counts.update(demo.load_demo(rng, **options))
                db.session.commit()
        refresh_statistics()
        click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))

    @app.cli.command("retention-purge")
    @click.option("--days", type=int, default=None, help="Keep this many days (RETENTION_DAYS).")
    def retention_purge(days: int | None) -> None:
        """Delete personal records older than the retention period; aggregates stay."""
        from datetime import timedelta

        from app import DOMAINS
        from app.timeutil import utcnow

        keep = app.config["RETENTION_DAYS"] if days is None else days
        if keep < 1:
            raise click.ClickException("--days must be at least 1")
        cutoff = utcnow() - timedelta(days=keep)
        purged: dict[str, int] = {}
        for domain in DOMAINS:
            retention = domain_module(domain, "retention")
            if retention is not None:
                purged.update(retention.purge_before(cutoff))
        db.session.commit()
        click.echo(f"kept {keep} days; " + " ".join(f"{k}={v}" for k, v in sorted(purged.items())))

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
    def backup(target: Path) -> None:
        """Copy the SQLite database to TARGET while the app keeps serving (PostgreSQL: pg_dump)."""
        from app.backup import BackupUnsupported, backup_sqlite

        try:
            size = backup_sqlite(app.config["SQLALCHEMY_DATABASE_URI"], target)
        except BackupUnsupported:
            raise click.ClickException(
                "the database is PostgreSQL: use pg_dump -Fc (docs/deploy.md, backups)"
            ) from None
        except FileExistsError:
            raise click.ClickException(f"{target} exists; choose a new file") from None
        click.echo(f"backed up to {target} ({size} bytes); keep KEYS_DIR and uploads too")

    @app.cli.command("load-regions")
    def load_regions() -> None:
        """Load Changde's region tree and the destination regions."""
        from app.regions.services import load_reference_regions

        added = load_reference_regions()
        db.session.commit()
        click.echo(f"regions added: {added}")

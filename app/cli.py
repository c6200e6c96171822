"""flask commands: create-admin, demo-data, regions."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.services import create_user
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
    @click.option(
        "--seed", default=1, show_default=True, help="Random seed (same seed, same data)."
    )
    @click.option("--if-empty", is_flag=True, help="Do nothing if the database has users.")
    def demo_data(workers: int, seed: int, if_empty: bool) -> None:
        """Load regions, demo accounts and random workers."""
        from app.demo import load_demo_data

        if if_empty and db.session.scalar(select(func.count(User.id))):
            click.echo("database already has data; demo data not loaded")
            return
        counts = load_demo_data(workers=workers, seed=seed)
        click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))

    @app.cli.command("load-regions")
    def load_regions() -> None:
        """Load Changde's region tree and the destination regions."""
        from app.regions.services import load_reference_regions

        added = load_reference_regions()
        db.session.commit()
        click.echo(f"regions added: {added}")

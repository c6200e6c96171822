"""flask supervision recount: rebuild the per checkpoint and day counters from the scans."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db


def register_commands(app: Flask) -> None:
    group = AppGroup("supervision", help="Supervision of villages: counters for the ranked list.")

    @group.command("recount")
    @click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None)
    @click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None)
    def recount(start: object, end: object) -> None:
        """Rebuild the counters of the local days [from, to] (every day by default), e.g.
        after scans were loaded in bulk, bypassing the outbox ingest."""
        from app.supervision.counters import recount as run

        first: date | None = start.date() if start else None  # type: ignore[attr-defined]
        last: date | None = end.date() if end else None  # type: ignore[attr-defined]
        rows = run(first, last)
        db.session.commit()
        click.echo(f"{rows} checkpoint days counted")

    app.cli.add_command(group)

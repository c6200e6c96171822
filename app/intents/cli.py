"""flask intents rebuild-ledger | check-ledger: the counters' maintenance and their proof."""

from __future__ import annotations

import time

import click
from flask import Flask

from app.extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.group("intents")
    def intents() -> None:
        """Employment intents and the outbound ledger."""

    @intents.command("rebuild-ledger")
    def rebuild_ledger() -> None:
        """Recount every ledger counter from the intents (after bulk loads or repairs)."""
        from app.intents.ledger import rebuild

        start = time.perf_counter()
        rows = rebuild(db.session)
        db.session.commit()
        click.echo(f"ledger counters rebuilt: {rows} rows in {time.perf_counter() - start:.1f} s")

    @intents.command("check-ledger")
    def check_ledger() -> None:
        """Compare the counters with a brute-force recount; exit 1 on any difference."""
        from app.intents.ledger import differences

        found = differences(db.session)
        for key, kept, recount in found[:20]:
            click.echo(f"{key}: counters={kept} recount={recount}")
        if found:
            raise click.ClickException(f"{len(found)} counter rows differ from the intents")
        click.echo("ledger counters match the intents")

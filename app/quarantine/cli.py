"""flask quarantine digest: the staff's daily text, scheduled by the operator (e.g. cron)."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask

from app.extensions import db


def register_commands(app: Flask) -> None:
    group = click.Group("quarantine", help="Quarantine case files.")

    @group.command("digest")
    @click.option("--date", "day", default=None, help="Local date (YYYY-MM-DD); default today.")
    @click.option("--force", is_flag=True, help="Send again to villages already texted that day.")
    def digest(day: str | None, force: bool) -> None:
        """Text each village's staff: missing checks today, cases due for release.

        Run it once a day, e.g. at 16:00 Asia/Shanghai, so there is time to call the people who
        have not reported. Running it twice the same day sends nothing new (unless --force).
        """
        from app.quarantine.services import send_daily_digest
        from app.timeutil import local_today

        try:
            today = date.fromisoformat(day) if day else local_today()
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD", param_hint="--date") from None
        sent = send_daily_digest(today, force=force)
        db.session.commit()
        click.echo(f"digest {today.isoformat()}: {sent} message(s) sent")

    app.cli.add_command(group)

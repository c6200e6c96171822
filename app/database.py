"""Building the schema: always through the migrations, so tests see what production sees."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_schema(app: Flask) -> None:
    """Run every migration up to head on the app's database."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)

"""Checkpoint tests: the place-code route needs its blueprint (outside /api/v1)."""

from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def _place_code_route(app: Flask) -> None:
    """Register app.checkpoints.placecode.bp if create_app does not (yet) do it."""
    from app.checkpoints.placecode import bp

    if bp.name not in app.blueprints:
        app.register_blueprint(bp)

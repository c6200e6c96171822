"""Fixtures shared by every test: an app on a fresh database, a CSRF-aware client, login.

The schema is built once per run through the migrations, on SQLite by default or on the
PostgreSQL server named by TEST_DATABASE_URL (a new database made for the run and dropped after).
Each test starts from empty tables (the reference regions stay).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.database import create_schema
from app.extensions import db

KEEP_TABLES = {"regions", "alembic_version"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _postgres_database(server_url: str) -> tuple[str, callable]:
    """Create a fresh database on the server; return its URL and a function that drops it."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(
        server_url.replace("postgresql://", "postgresql+psycopg://", 1)
        if server_url.startswith("postgresql://")
        else server_url
    )
    name = f"fangang_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        url, drop = _postgres_database(server)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


def make_test_app(database_url: str, instance_path: Path, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "KEYS_DIR": str(instance_path / "keys"),
        **overrides,
    }
    return create_app(config, instance_path=str(instance_path))


@pytest.fixture(scope="session")
def _schema(database_url: str, instance_path: Path) -> None:
    app = make_test_app(database_url, instance_path)
    create_schema(app)
    with app.app_context():
        from app.regions.services import load_demo_townships, load_reference_regions

        load_reference_regions()
        load_demo_townships()
        db.session.commit()
        # One signer for the run, valid from before the frozen dates tests use (2020).
        from app.cards.signing import issuer_name, keyring

        keyring().create(issuer_name(), now=datetime(2019, 6, 1, tzinfo=UTC))
        db.engine.dispose()


def empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(
    _schema: None, database_url: str, instance_path: Path, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    overrides = getattr(request, "param", None) or {}
    app = make_test_app(database_url, instance_path, **overrides)
    app.test_client_class = ApiClient
    with app.app_context():
        empty_tables()
        app.extensions["sms"].sent.clear()
        yield app
        db.session.remove()
        db.engine.dispose()


class ApiClient(FlaskClient):
    """A test client that sends the CSRF token like the PWA does.

    Each request runs in its own app context, as in production: otherwise `g` (and the
    logged-in user Flask-Login caches there) would leak from one request to the next.
    """

    def open(self, *args: object, **kwargs: object):  # noqa: ANN201
        with self.application.app_context():
            return self._open(*args, **kwargs)

    def _open(self, *args: object, **kwargs: object):  # noqa: ANN201
        method = str(kwargs.get("method", "GET")).upper()
        headers = dict(kwargs.pop("headers", None) or {})
        if method in UNSAFE and "X-CSRF-Token" not in headers and not kwargs.pop("no_csrf", False):
            cookie = self.get_cookie("fg_csrf")
            if cookie is None:
                super().open("/api/v1/auth/csrf")
                cookie = self.get_cookie("fg_csrf")
            headers["X-CSRF-Token"] = cookie.value if cookie else ""
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> ApiClient:
    app.test_client_class = ApiClient
    return app.test_client()


@pytest.fixture
def login(client: ApiClient):  # noqa: ANN201
    """login(user) logs the test client in as that user (session set directly)."""

    def _login(user: object, on: ApiClient | None = None) -> ApiClient:
        target = on or client
        with target.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return target

    return _login


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()

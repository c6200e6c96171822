"""Fangang (返岗): return-to-work services for the migrant workers of Changde."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask

from app.config import settings_from_environment

# One package per domain; each may have models.py, routes.py (a blueprint `bp`, served under
# /api/v1), pages.py (a blueprint `bp` of HTML pages at the site root) and cli.py
# (`register_commands(app)`).
DOMAINS = (
    "accounts",
    "regions",
    "audit",
    "cards",
    "checkpoints",
    "quarantine",
    "employers",
    "jobs",
    "intents",
    "transport",
    "supervision",
    "subsidies",
    "publicity",
    "privacy",
)


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, CLI, PWA."""
    # FANGANG_INSTANCE_PATH: each app host's own folder (docs/deploy.md); else instance/.
    instance_path = instance_path or os.environ.get("FANGANG_INSTANCE_PATH") or None
    app = Flask(
        __name__, instance_relative_config=True, static_folder=None, instance_path=instance_path
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings_from_environment(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    configure_logging(app)
    trust_proxies(app)
    init_extensions(app)
    register_blueprints(app)
    register_handlers(app)
    register_cli(app)
    return app


def domain_module(domain: str, module: str) -> Any:
    """Import app.<domain>.<module>; None if that domain has no such module."""
    name = f"app.{domain}.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in (f"app.{domain}", name):
            return None
        raise


def trust_proxies(app: Flask) -> None:
    """Behind nginx every request comes from 127.0.0.1: the per-address login limits would
    count the whole city as one caller. Take the address the proxy saw, from PROXY_HOPS
    trusted proxies only."""
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def configure_logging(app: Flask) -> None:
    from app.logs import configure_logging as configure

    configure(app)


def init_extensions(app: Flask) -> None:
    from app import generations, metrics, ratelimit, security, sms
    from app.accounts.models import User
    from app.extensions import db, login_manager, migrate

    for domain in DOMAINS:  # every model module, so metadata and migrations see all tables
        domain_module(domain, "models")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    ratelimit.init_app(app)
    generations.init_app(app)
    sms.init_app(app)
    security.init_app(app)
    metrics.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    @login_manager.unauthorized_handler
    def unauthorized() -> None:
        from app.errors import NotAuthenticated

        raise NotAuthenticated()


def register_blueprints(app: Flask) -> None:
    from app import health, metrics, pwa
    from app.api import API_PREFIX, RowIdConverter
    from app.api.openapi import bp as openapi
    from app.cards.wellknown import bp as wellknown
    from app.checkpoints.placecode import bp as placecode

    app.url_map.converters["int"] = RowIdConverter
    for domain in DOMAINS:
        routes = domain_module(domain, "routes")
        if routes is not None:
            app.register_blueprint(routes.bp, url_prefix=API_PREFIX)
        pages = domain_module(domain, "pages")
        if pages is not None:
            app.register_blueprint(pages.bp)
    app.register_blueprint(openapi, url_prefix=API_PREFIX)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)  # /metrics, for Prometheus (not public)
    app.register_blueprint(wellknown)
    app.register_blueprint(placecode)  # /c/<token>: the URL printed on checkpoint posters
    app.register_blueprint(pwa.bp)


def register_handlers(app: Flask) -> None:
    from app.api.problems import register_problem_handlers

    register_problem_handlers(app)


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
    for domain in DOMAINS:
        cli = domain_module(domain, "cli")
        if cli is not None:
            cli.register_commands(app)

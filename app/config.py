"""Settings, read once from the environment when the app is created."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: Path, name: str) -> str:
    """A secret from the environment, else one generated into the instance folder.

    Generating it on first run keeps `make run` free of setup while never committing a key.
    """
    from_env = os.environ.get(name)
    if from_env:
        return from_env
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / name.lower()
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL came with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def settings_from_environment(instance_path: Path) -> dict:
    """All configuration the app reads, as Flask config keys."""
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'fangang.db'}"
    redis_url = env.get("REDIS_URL")
    debug = env.get("FLASK_DEBUG") in ("1", "true")
    return {
        "SECRET_KEY": _instance_secret(instance_path, "SECRET_KEY"),
        # Separate from SECRET_KEY: rotating the session key must not orphan ID-number hashes.
        "ID_HASH_KEY": _instance_secret(instance_path, "ID_HASH_KEY"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # How long a batched limit's counts wait in a process before they go to Redis.
        "RATELIMIT_BATCH_SECONDS": float(env.get("RATELIMIT_BATCH_SECONDS", "0.1")),
        # Shared caches (app/generations.py): how often a process looks for another's change.
        "REDIS_URL": redis_url,
        "GENERATION_CHECK_SECONDS": float(env.get("GENERATION_CHECK_SECONDS", "1")),
        # Reverse proxies in front that set X-Forwarded-For/-Proto (0: the header is ignored,
        # so a client cannot pick its own address for the per-address rate limits).
        "PROXY_HOPS": int(env.get("PROXY_HOPS", "0")),
        "SMS_BACKEND": env.get("SMS_BACKEND", "console"),
        "APP_TIMEZONE": env.get("APP_TIMEZONE", "Asia/Shanghai"),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not debug,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not debug,
        "KEYS_DIR": env.get("FANGANG_KEYS_DIR", str(instance_path / "keys")),
        "PAPER_CARD_VALID_DAYS": int(env.get("PAPER_CARD_VALID_DAYS", "7")),
        "CARD_VALID_HOURS": int(env.get("CARD_VALID_HOURS", "24")),
        "CERTIFICATE_VALID_DAYS": int(env.get("CERTIFICATE_VALID_DAYS", "7")),
        "ISSUER_REGION": env.get("ISSUER_REGION", "430700"),
        "ISSUER_NAME": env.get("ISSUER_NAME", "常德市返岗服务"),
        "CARD_REFRESH_HOURS": int(env.get("CARD_REFRESH_HOURS", "6")),
        "VERIFY_RATE": env.get("VERIFY_RATE", "120 per minute"),
        # The public figures page (no login): per address; smallest count shown for an area.
        "PUBLIC_FIGURES_RATE": env.get("PUBLIC_FIGURES_RATE", "120 per minute"),
        "PUBLIC_MIN_COUNT": int(env.get("PUBLIC_MIN_COUNT", "10")),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL"),
        "TRUST_LIST_WARN_HOURS": float(env.get("TRUST_LIST_WARN_HOURS", "12")),
        "TRUST_LIST_REFUSE_HOURS": float(env.get("TRUST_LIST_REFUSE_HOURS", "48")),
        "SCANNER_AUTO_RETURN_SECONDS": int(env.get("SCANNER_AUTO_RETURN_SECONDS", "6")),
        "PLACE_CODE_MAX_AGE_DAYS": int(env.get("PLACE_CODE_MAX_AGE_DAYS", "366")),
        "OTP_TTL_SECONDS": 300,
        "OTP_RESEND_SECONDS": 60,
        "OTP_MAX_ATTEMPTS": 5,
        "LOGIN_RATE_PER_IP": env.get("LOGIN_RATE_PER_IP", "30 per minute;300 per hour"),
        "OTP_RATE_PER_PHONE": env.get("OTP_RATE_PER_PHONE", "10 per hour"),
        "PASSWORD_RATE_PER_USER": env.get("PASSWORD_RATE_PER_USER", "10 per 15 minutes"),
        # Point-to-point transport (app/transport): the notice's batch size and the seating rules.
        "TRANSPORT_MIN_BATCH": int(env.get("TRANSPORT_MIN_BATCH", "50")),
        "TRANSPORT_SEAT_SHARE": env.get("TRANSPORT_SEAT_SHARE", "0.5"),
        "TRANSPORT_ISOLATION_ROWS": int(env.get("TRANSPORT_ISOLATION_ROWS", "2")),
        # supervision: complaints per worker, gate lookups per volunteer, where photos are kept
        "SUPERVISION_COMPLAINT_RATE": env.get("SUPERVISION_COMPLAINT_RATE", "10 per hour"),
        "GATE_LOOKUP_RATE": env.get("GATE_LOOKUP_RATE", "60 per hour"),
        # Uploads: on storage every app host shares when there are several (docs/deploy.md).
        "SUBSIDY_INVOICE_DIR": env.get("SUBSIDY_INVOICE_DIR"),
        "SUPERVISION_PHOTO_DIR": env.get(
            "SUPERVISION_PHOTO_DIR", str(instance_path / "uploads" / "supervision")
        ),
        # A worker's own data (app/privacy): exports, erasure codes and erasure tries per person
        "PRIVACY_EXPORT_RATE": env.get("PRIVACY_EXPORT_RATE", "5 per hour"),
        "PRIVACY_CODE_RATE": env.get("PRIVACY_CODE_RATE", "5 per hour"),
        "PRIVACY_ERASURE_RATE": env.get("PRIVACY_ERASURE_RATE", "10 per hour"),
        # Days scans, check-ins, gate lookups and boarding scans are kept (flask retention-purge)
        "RETENTION_DAYS": int(env.get("RETENTION_DAYS", "28")),
        # Prometheus scrapes /metrics with this bearer token (else only an admin may read it)
        "METRICS_TOKEN": env.get("METRICS_TOKEN"),
        "PAGE_SIZE_DEFAULT": 20,
        "PAGE_SIZE_MAX": 100,
    }

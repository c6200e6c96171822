"""`flask backup`: a consistent copy of the embedded SQLite database while the app serves.

SQLite: the online backup API (sqlite3.Connection.backup) copies page by page under the
database's own locks, so writers are never blocked for long and the copy is never torn (a
plain `cp` of a WAL database can be). PostgreSQL: pg_dump is the tool (docs/deploy.md);
this command says so rather than reimplementing it. Signing keys (KEYS_DIR) and uploaded
files (invoices, complaint photos) live outside the database: back those folders up too.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupUnsupported(RuntimeError):
    """The configured database is not SQLite (use pg_dump)."""


def backup_sqlite(database_url: str, target: Path, *, pages_per_step: int = 1024) -> int:
    """Copy the SQLite database at `database_url` to `target` (which must not exist);
    return the copy's size in bytes."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupUnsupported(url.get_backend_name())
    if target.exists():
        raise FileExistsError(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=pages_per_step)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    return target.stat().st_size

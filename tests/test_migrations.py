"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.jobs.search import include_name as outside_the_models


def test_migrations_match_the_models(app):
    # The session schema was built by running every migration on an empty database.
    # Left out: the job search index that migration 0006 makes per engine and no model
    # describes (SQLite FTS5 table and its shadow tables; a PostgreSQL expression index).
    opts = {"compare_type": True, "include_name": outside_the_models}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=opts)
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000

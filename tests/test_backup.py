"""`flask backup` and a restore: the restored database serves the same cards."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.conftest import make_test_app
from tests.factories import declaration, make_user


def test_a_restored_backup_serves_the_same_cards(app, client, login, runner, tmp_path):
    if db.engine.dialect.name != "sqlite":
        result = runner.invoke(args=["backup", str(tmp_path / "copy.db")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    worker = make_user()
    login(worker)
    card = client.post("/api/v1/declarations", json=declaration()).get_json()["card"]

    target = tmp_path / "backups" / "fangang.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output and target.stat().st_size > 0
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output  # never overwrites a backup

    restored = make_test_app(f"sqlite:///{target}", tmp_path, KEYS_DIR=app.config["KEYS_DIR"])
    restored.test_client_class = type(client)
    other = restored.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = str(worker.id)
    served = other.get("/api/v1/cards/current")
    assert served.status_code == 200, served.get_json()
    assert served.get_json()["qr"] == card["qr"]
    verdict = other.post("/api/v1/verify", json={"qr": card["qr"]}).get_json()
    assert verdict["valid"] is True and verdict["status"] == "green"
    with restored.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("url", ["postgresql://x@127.0.0.1/y"])
def test_postgresql_is_pointed_to_pg_dump(url, tmp_path):
    from app.backup import BackupUnsupported, backup_sqlite

    with pytest.raises(BackupUnsupported):
        backup_sqlite(url, tmp_path / "x.db")

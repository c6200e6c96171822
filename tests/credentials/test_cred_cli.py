"""python -m app.credentials verify / decode."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.credentials import TrustEntry, build_revocation_list, build_trust_list, generate_signer
from app.credentials.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def _run(capsys, *args: str) -> tuple[int, dict]:
    code = main(list(args))
    return code, json.loads(capsys.readouterr().out)


def test_verify_with_certificate(tmp_path, capsys, make_card, signer, now) -> None:
    cert = tmp_path / "signer.pem"
    cert.write_bytes(signer.certificate_pem)
    code, out = _run(capsys, "verify", "--trust", str(cert), "--at", now.isoformat(), make_card())
    assert code == 0
    assert out["valid"] is True and out["reason"] == "ok"
    assert out["kid_hex"] == signer.kid.hex()
    assert out["card"]["name_masked"] == "张*三"
    assert out["expires_at"] == (now + timedelta(days=14)).isoformat()


def test_verify_der_and_failure_exit_code(tmp_path, capsys, make_card, signer, now) -> None:
    cert = tmp_path / "signer.der"
    cert.write_bytes(signer.certificate_der)
    late = (now + timedelta(days=30)).isoformat()
    code, out = _run(capsys, "verify", "--trust", str(cert), "--at", late, make_card())
    assert (code, out["reason"]) == (1, "expired")
    code, out = _run(capsys, "verify", "--at", late, make_card())
    assert (code, out["reason"]) == (1, "unknown_kid")


def test_verify_with_trust_list_and_revocations(tmp_path, capsys, make_card, signer, now) -> None:
    root = generate_signer("root")
    doc = build_trust_list(root, [TrustEntry.from_certificate(signer.certificate, region=1)], now)
    (tmp_path / "trust.json").write_text(json.dumps(doc))
    (tmp_path / "root.pem").write_bytes(root.certificate_pem)
    revocations = build_revocation_list(signer, [(bytes.fromhex("a1b2c3d4e5f6"), now)], now)
    (tmp_path / "revoked.cose").write_bytes(revocations)
    base = ["verify", "--trust", str(tmp_path / "trust.json"), "--at", "2020-02-20T08:00:00Z"]
    code, out = _run(capsys, *base, "--root", str(tmp_path / "root.pem"), make_card())
    assert (code, out["issuer"]) == (0, "1")
    assert main([*base, "--revocations", str(tmp_path / "revoked.cose"), make_card()]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["reason"] == "revoked"
    assert "NOT checked" in captured.err  # no --root: the list is loaded, with a warning

    (tmp_path / "evil.pem").write_bytes(generate_signer("evil").certificate_pem)
    assert main([*base, "--root", str(tmp_path / "evil.pem"), make_card()]) == 2


def test_decode(capsys, make_card) -> None:
    code, out = _run(capsys, "decode", make_card(status="red"))
    assert code == 0
    assert out["kind"] == "FG1" and out["card"]["status"] == "red"
    assert out["protected"] == {"1": -7, "4": out["kid_hex"]}
    assert out["payload_bytes"] <= 59
    code, out = _run(capsys, "decode", "HC1:???")
    assert (code, out["error"]) == (1, "bad_base45")


def test_text_from_stdin(monkeypatch, capsys, make_card) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(make_card() + "\n"))
    code, out = _run(capsys, "decode", "-")
    assert code == 0 and out["card"]["card_id"] == "a1b2c3d4e5f6"


def test_missing_file_is_a_usage_error(tmp_path, capsys) -> None:
    assert main(["verify", "--trust", str(tmp_path / "nope.pem"), "FG1:"]) == 2


def test_module_entry_point(make_card) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "app.credentials", "decode", make_card()],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["card"]["id_last4"] == "123X"


@pytest.mark.parametrize("args", [[], ["verify"], ["frobnicate", "x"]])
def test_bad_usage(args) -> None:
    with pytest.raises(SystemExit):
        main(args)

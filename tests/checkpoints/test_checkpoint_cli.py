"""flask dev-cert, and the demo data of checkpoints."""

from __future__ import annotations

import random
import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509
from sqlalchemy import func, select

from app.checkpoints.cli import certificate_names
from app.checkpoints.demo import load_demo
from app.checkpoints.models import Checkpoint, CheckpointScan, CheckpointVolunteer
from app.demo import load_demo_data
from app.extensions import db


def test_dev_cert_writes_a_certificate_a_tls_server_can_use(app, runner, tmp_path):
    app.instance_path = str(tmp_path)
    result = runner.invoke(args=["dev-cert", "--host", "fangang.lan"])
    assert result.exit_code == 0, result.output
    cert, key = tmp_path / "dev-cert.pem", tmp_path / "dev-key.pem"
    names = certificate_names(cert)
    assert {"localhost", "127.0.0.1", "fangang.lan"} <= names
    assert key.stat().st_mode & 0o077 == 0
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)  # raises if the pair does not match
    server, ca = x509.load_pem_x509_certificates(cert.read_bytes())
    assert server.issuer == ca.subject
    assert x509.load_pem_x509_certificate((tmp_path / "dev-ca.pem").read_bytes()) == ca
    server.verify_directly_issued_by(ca)  # what a phone trusting dev-ca.pem checks

    again = runner.invoke(args=["dev-cert", "--host", "fangang.lan"])
    assert "kept" in again.output
    assert Path(cert).read_bytes() == cert.read_bytes()
    forced = runner.invoke(args=["dev-cert", "--force"])
    assert "wrote" in forced.output
    assert x509.load_pem_x509_certificates(cert.read_bytes())[1] == ca  # the same CA


def test_a_client_trusting_the_development_ca_completes_a_tls_handshake(app, runner, tmp_path):
    app.instance_path = str(tmp_path)
    assert runner.invoke(args=["dev-cert"]).exit_code == 0
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "dev-cert.pem", tmp_path / "dev-key.pem")
    client_context = ssl.create_default_context(cafile=str(tmp_path / "dev-ca.pem"))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            connection, _ = listener.accept()
            with server_context.wrap_socket(connection, server_side=True) as tls:
                tls.sendall(b"ok")

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with client_context.wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls.recv(2) == b"ok"
        thread.join(timeout=5)


def test_demo_data_adds_checkpoints_the_demo_volunteer_and_a_week_of_scans(app):
    load_demo_data(workers=0, seed=1)
    counts = load_demo(random.Random(1), scans=300)
    db.session.commit()
    assert counts["checkpoints"] > 0 and counts["assignments"] >= 1 and counts["scans"] == 300
    assert db.session.scalar(select(func.count(Checkpoint.id))) == counts["checkpoints"]
    assert db.session.scalar(select(func.count(CheckpointScan.id))) == 300
    assert db.session.scalar(select(func.count()).select_from(CheckpointVolunteer)) >= 1
    assert load_demo(random.Random(1), scans=0)["checkpoints"] == 0  # idempotent

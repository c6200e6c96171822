"""Mutual recognition: the trust list we publish, the issuers we import, revocations, keys."""

import base64
from datetime import timedelta

import pytest

from app.cards import signing
from app.credentials import (
    TrustStore,
    generate_signer,
    issue_card,
    new_card_id,
    verify,
    verify_trust_list,
)
from app.timeutil import utcnow
from tests.factories import declaration, make_user


def other_region_card(signer, *, status="green"):
    now = utcnow()
    return issue_card(
        signer,
        card_id=new_card_id(),
        card_type="card",
        status=status,
        name_masked="赵*",
        id_last4="1234",
        issued_at=now,
        expires_at=now + timedelta(hours=24),
    )


@pytest.fixture
def admin(app, client, login):
    user = make_user(roles=("admin",), region_code="430700")
    login(user)
    return user


def test_trust_list_is_signed_by_our_key_and_lists_it(app, client):
    doc = client.get("/.well-known/fangang/trust-list.json").get_json()
    ours = [signer.certificate for signer in signing.keyring().signers()]
    entries = verify_trust_list(doc, ours)
    assert {e.region for e in entries} == {"430700"}
    assert entries[0].kid == signing.active_signer().kid


def test_admin_imports_another_regions_issuer_and_its_cards_verify(client, admin):
    guangdong = generate_signer("广东省健康码")
    pem = guangdong.certificate_pem.decode()
    qr = other_region_card(guangdong)
    before = client.post("/api/v1/verify", json={"qr": qr}).get_json()
    assert before["reason"] == "unknown_kid"

    response = client.post(
        "/api/v1/trust/issuers",
        json={"certificate": pem, "region_code": "440000", "name": "广东省"},
    )
    assert response.status_code == 201, response.get_json()
    issuer = response.get_json()
    assert issuer["kid"] == guangdong.kid.hex()

    after = client.post("/api/v1/verify", json={"qr": qr}).get_json()
    assert after["valid"] is True and after["issuer_region"] == "440000"
    assert after["issuer_name"] == "广东省"

    doc = client.get("/.well-known/fangang/trust-list.json").get_json()
    assert "440000" in {entry["region"] for entry in doc["keys"]}

    assert client.delete(f"/api/v1/trust/issuers/{issuer['id']}").status_code == 204
    gone = client.post("/api/v1/verify", json={"qr": qr}).get_json()
    assert gone["reason"] == "unknown_kid"


def test_the_same_issuer_twice_is_a_conflict(client, admin):
    pem = generate_signer("x").certificate_pem.decode()
    body = {"certificate": pem, "region_code": "440000"}
    assert client.post("/api/v1/trust/issuers", json=body).status_code == 201
    assert client.post("/api/v1/trust/issuers", json=body).status_code == 409


def test_garbage_certificates_are_refused(client, admin):
    response = client.post(
        "/api/v1/trust/issuers", json={"certificate": "not a cert", "region_code": "440000"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "certificate_invalid"


def test_only_admins_change_the_trust_list(client, login):
    login(make_user(roles=("official",), region_code="430700"))
    pem = generate_signer("x").certificate_pem.decode()
    response = client.post("/api/v1/trust/issuers", json={"certificate": pem, "region_code": "1"})
    assert response.status_code == 403
    assert client.get("/api/v1/trust/issuers").status_code == 200


def test_published_revocation_list_revokes_for_offline_verifiers(app, client, login):
    login(make_user(name="钱多多"))
    green = client.post("/api/v1/declarations", json=declaration()).get_json()["card"]
    client.post("/api/v1/declarations", json=declaration(temperature="38.5"))
    data = client.get("/.well-known/fangang/revocations.cose").data
    store = TrustStore()
    for signer in signing.keyring().signers():
        store.add_signer(signer)
    assert verify(green["qr"], store, utcnow()).valid is True
    store.add_revocation_list(data)
    assert verify(green["qr"], store, utcnow()).reason == "revoked"
    as_json = client.get("/.well-known/fangang/revocations.json").get_json()
    fresh_store = TrustStore()
    fresh_store.add_signer(signing.active_signer())
    assert fresh_store.add_revocation_list(base64.b64decode(as_json["cose"])) == 1


def test_cli_trust_add_list_remove(app, runner, tmp_path):
    signer = generate_signer("浙江省健康码")
    cert = tmp_path / "zj.pem"
    cert.write_bytes(signer.certificate_pem)
    added = runner.invoke(args=["trust", "add", "--cert", str(cert), "--region", "330000"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["trust", "list"])
    assert signer.kid.hex() in listed.output and "330000" in listed.output
    removed = runner.invoke(args=["trust", "remove", signer.kid.hex()])
    assert removed.exit_code == 0
    assert signer.kid.hex() not in runner.invoke(args=["trust", "list"]).output


def test_rotation_keeps_old_cards_valid_and_signs_new_ones_with_the_new_key(
    app, runner, client, login, tmp_path
):
    app.config["KEYS_DIR"] = str(tmp_path / "keys")
    assert runner.invoke(args=["keys", "ensure"]).exit_code == 0
    login(make_user())
    old = client.post("/api/v1/declarations", json=declaration()).get_json()["card"]
    old_kid = signing.active_signer().kid
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new_kid = signing.active_signer().kid
    assert new_kid != old_kid
    signing.invalidate_trust_store()
    assert client.post("/api/v1/verify", json={"qr": old["qr"]}).get_json()["valid"] is True
    client.post("/api/v1/declarations", json=declaration(temperature="38"))
    new = client.get("/api/v1/cards/current").get_json()
    from app.credentials import decode

    assert decode(new["qr"]).sign1.kid == new_kid
    doc = client.get("/.well-known/fangang/trust-list.json").get_json()
    assert len(doc["keys"]) == 2
    listed = runner.invoke(args=["keys", "list"]).output
    assert "active" in listed and "retired" in listed


def test_a_rotation_made_by_another_process_is_followed_within_a_second(app, tmp_path, monkeypatch):
    """Another process (the CLI, another host) rotates: this one signs with the new key as soon
    as it looks at the ring again, at most RING_CHECK_SECONDS later, not on every request."""
    from types import SimpleNamespace

    from app.credentials import KeyRing

    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(signing.time, "monotonic", lambda: clock.now)
    app.config["KEYS_DIR"] = str(tmp_path / "keys")
    with app.app_context():
        first, _ = signing.ensure_signer()
        assert signing.active_signer().kid == first.kid
        elsewhere = KeyRing(app.config["KEYS_DIR"])  # the other process's view of the folder
        second = elsewhere.rotate("常德市返岗服务", organization="常德市返岗服务")
        clock.now += signing.RING_CHECK_SECONDS / 2
        assert signing.active_signer().kid == first.kid  # not looked at yet
        clock.now += signing.RING_CHECK_SECONDS
        assert signing.active_signer().kid == second.kid


def test_keys_are_never_written_inside_the_repository(app):
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    assert not Path(app.config["KEYS_DIR"]).resolve().is_relative_to(repo)


def test_verify_works_without_login_and_without_csrf(app):
    anonymous = app.test_client()
    response = anonymous.post("/api/v1/verify", json={"qr": "HC1:garbage"})
    assert response.status_code == 200
    assert response.get_json()["reason"] in {"bad_base45", "bad_compression", "bad_cbor"}


def test_a_key_verifiers_cannot_use_is_refused_and_the_list_stays_up(client, admin):
    """A P-384 certificate parses, but phones verify P-256 and RSA only: importing it would
    have broken the public trust list for every checkpoint."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "P-384 issuer")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    response = client.post(
        "/api/v1/trust/issuers", json={"certificate": pem, "region_code": "440300"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "certificate_key_unsupported"
    assert client.get("/.well-known/fangang/trust-list.json").status_code == 200


def test_a_genuine_eu_certificate_that_breaks_its_schema_says_where(app, client, admin):
    """bad_schema names the field and the rule, in the scanner's language."""
    import zlib

    import cbor2

    from app.credentials import base45
    from app.credentials.cose import encode_sign1

    dsc = generate_signer("Testland DSC")
    body = {"certificate": dsc.certificate_pem.decode(), "region_code": "440000"}
    assert client.post("/api/v1/trust/issuers", json=body).status_code == 201
    now = int(utcnow().timestamp())
    dose = {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215"}
    dose |= {"dn": 0, "sd": 2, "dt": "2020-02-01", "co": "DE", "is": "RKI", "ci": "URN:UVCI:1"}
    cert = {"ver": "1.3.0", "nam": {"fnt": "ZHANG"}, "dob": "1980-02-20", "v": [dose]}
    claims = {1: "DE", 6: now, 4: now + 86400, -260: {1: cert}}
    message = encode_sign1(cbor2.dumps(claims), dsc.private_key, dsc.kid)
    qr = "HC1:" + base45.encode(zlib.compress(message))

    zh = client.post("/api/v1/verify", json={"qr": qr}).get_json()
    assert zh["reason"] == "bad_schema" and zh["valid"] is False
    assert zh["schema_problem"]["path"] == "v[0].dn"
    assert zh["schema_problem"]["rule"] == "minimum"
    assert zh["schema_problem"]["text"] == "字段 v[0].dn：数值过小（DCC 结构 1.3.0）"
    anonymous = app.test_client()  # the admin's saved language is Chinese
    en = anonymous.post(
        "/api/v1/verify", json={"qr": qr}, headers={"Accept-Language": "en"}
    ).get_json()
    assert en["schema_problem"]["text"] == "Field v[0].dn is below the minimum (DCC schema 1.3.0)"

    dose["dn"] = 1
    message = encode_sign1(cbor2.dumps(claims), dsc.private_key, dsc.kid)
    fixed = client.post(
        "/api/v1/verify", json={"qr": "HC1:" + base45.encode(zlib.compress(message))}
    ).get_json()
    assert fixed["valid"] is True and fixed["schema_problem"] is None

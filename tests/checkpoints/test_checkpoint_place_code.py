"""The poster's place code: a signed URL that opens the PWA and names the checkpoint."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
import zxingcpp
from itsdangerous import URLSafeTimedSerializer
from PIL import Image

from app.checkpoints import placecode
from app.checkpoints.services import place_code_token
from app.credentials import render_qr_png
from app.extensions import db
from tests.checkpoints.factories import make_checkpoint
from tests.factories import make_user

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def worker(app, login):
    return login(make_user(roles=("worker",)), on=app.test_client())


def test_the_poster_url_redirects_to_the_pwa_check_in(client, app):
    token = place_code_token(make_checkpoint())
    response = client.get(f"/c/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/#/checkin/{token}"


def test_the_token_carries_the_name_readably_and_nothing_secret(app):
    checkpoint = make_checkpoint(name="新民村东口卡点")
    token = place_code_token(checkpoint)
    payload = token.split(".")[0]
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert data == {"c": checkpoint.id, "n": "新民村东口卡点", "v": 1}
    url = placecode.place_code_url(token, "https://fangang.example")
    assert len(url) < 160  # a small QR that a cheap camera reads from a poster


def test_a_worker_reads_a_place_code(worker):
    checkpoint = make_checkpoint(name="新民村东口卡点")
    body = worker.get(f"/api/v1/place-codes/{place_code_token(checkpoint)}").get_json()
    assert body["checkpoint_id"] == checkpoint.id
    assert body["name"] == "新民村东口卡点"
    assert body["open_now"] is True


def test_tokens_signed_for_another_purpose_or_key_are_refused(app, worker):
    checkpoint = make_checkpoint()
    data = {"c": checkpoint.id, "v": 1, "n": checkpoint.name}
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="other").dumps(data)
    other_key = URLSafeTimedSerializer("not our key", salt=placecode.SALT).dumps(data)
    for token in (other_salt, other_key, "garbage.garbage.garbage"):
        response = worker.get(f"/api/v1/place-codes/{token}")
        assert response.status_code == 404
        assert response.get_json()["code"] == "place_code_invalid"


def test_old_posters_expire(app, login, clock):
    token = place_code_token(make_checkpoint())
    clock.move_to(T0 + timedelta(days=placecode.DEFAULT_MAX_AGE_DAYS + 1))
    worker = login(make_user(roles=("worker",)), on=app.test_client())  # a session of that day
    response = worker.get(f"/api/v1/place-codes/{token}")
    assert response.status_code == 410
    assert response.get_json()["code"] == "place_code_expired"


def test_a_closed_checkpoints_code_is_refused(worker):
    checkpoint = make_checkpoint()
    token = place_code_token(checkpoint)
    checkpoint.active = False
    db.session.commit()
    assert worker.get(f"/api/v1/place-codes/{token}").status_code == 404


def test_only_workers_read_place_codes(app, login):
    token = place_code_token(make_checkpoint())
    volunteer = login(make_user(roles=("volunteer",)), on=app.test_client())
    assert volunteer.get(f"/api/v1/place-codes/{token}").status_code == 403
    assert app.test_client().get(f"/api/v1/place-codes/{token}").status_code == 401


def test_the_place_code_qr_reads_back_as_the_url(app):
    url = placecode.place_code_url(place_code_token(make_checkpoint()), "https://192.168.1.20:5443")
    image = Image.open(io.BytesIO(render_qr_png(url, box_size=4)))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]

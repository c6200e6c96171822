"""Photos on complaints: what is refused is refused with a clear problem and nothing stored;
what is kept has lost its EXIF and location, and only the worker and the officials see it."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
import time_machine
from PIL import Image

from app.extensions import db
from app.supervision.models import ComplaintPhoto
from tests.factories import make_user
from tests.supervision.factories import T0, complain, officials_of, wuling_gate

GPS = {1: "N", 2: (29.0, 2.0, 3.0), 3: "E", 4: (111.0, 41.0, 0.0)}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def photo_dir(app, tmp_path):
    folder = tmp_path / "photos"
    app.config["SUPERVISION_PHOTO_DIR"] = str(folder)
    return folder


@pytest.fixture
def gate(app):
    return wuling_gate()


@pytest.fixture
def worker(app, login):
    return login(make_user(roles=("worker",), phone="13800000101"), on=app.test_client())


@pytest.fixture
def complaint(worker, gate):
    return complain(worker, gate.id).get_json()


def jpeg_with_gps(size=(640, 480), orientation=None) -> bytes:
    image = Image.new("RGB", size, (7, 193, 96))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = GPS  # GPSInfo
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def noise_jpeg(side: int, quality: int = 100) -> bytes:
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png(side: int = 20_000) -> bytes:
    """A real decompression bomb: a 1-bit PNG of side x side black pixels (400 million of
    them) in a few dozen kB."""
    row = b"\x00" + b"\x00" * (side // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def upload(client, complaint_id, data, content_type="image/jpeg"):
    return client.post(
        f"/api/v1/supervision/complaints/{complaint_id}/photos",
        data=data,
        headers={"Content-Type": content_type, "Content-Disposition": 'inline; filename="a.jpg"'},
    )


def nothing_stored(folder: Path) -> bool:
    files = list(folder.iterdir()) if folder.exists() else []
    return files == [] and db.session.query(ComplaintPhoto).count() == 0


def test_a_photo_is_kept_without_exif_or_location(worker, complaint, photo_dir):
    original = jpeg_with_gps()
    response = upload(worker, complaint["id"], original)
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert (photo["width"], photo["height"]) == (640, 480)

    served = worker.get(photo["url"])
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    kept = Image.open(io.BytesIO(served.data))
    assert kept.format == "JPEG"
    assert dict(kept.getexif()) == {}
    assert "exif" not in kept.info
    assert b"PhoneMaker" not in served.data and b"Exif" not in served.data
    # Stored outside the web root, under a name nobody can guess, and the same bytes.
    (stored,) = list(photo_dir.iterdir())
    assert "pwa" not in stored.parts
    assert stored.read_bytes() == served.data
    listed = worker.get(f"/api/v1/supervision/complaints/{complaint['id']}").get_json()
    assert [p["id"] for p in listed["photos"]] == [photo["id"]]


def test_a_sideways_photo_is_stored_upright(worker, complaint, photo_dir):
    # EXIF orientation 6: the camera was turned; the pixels are 640x480, the scene 480x640.
    response = upload(worker, complaint["id"], jpeg_with_gps(orientation=6))
    assert (response.get_json()["width"], response.get_json()["height"]) == (480, 640)


def test_a_png_is_accepted_and_kept_as_jpeg(worker, complaint, photo_dir):
    image = Image.new("RGBA", (300, 200), (255, 0, 0, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    response = upload(worker, complaint["id"], out.getvalue(), "image/png")
    assert response.status_code == 201
    served = worker.get(response.get_json()["url"])
    assert Image.open(io.BytesIO(served.data)).format == "JPEG"


def test_a_photo_above_the_json_limit_but_within_5_mb_is_accepted(worker, complaint, photo_dir):
    data = noise_jpeg(1400, quality=98)
    assert 2 * 1024 * 1024 < len(data) < 5 * 1024 * 1024
    response = upload(worker, complaint["id"], data)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["width"] == 1400


def test_a_6_mb_file_is_refused_and_nothing_stored(worker, complaint, photo_dir):
    data = noise_jpeg(1800)
    assert len(data) > 6 * 1024 * 1024
    response = upload(worker, complaint["id"], data)
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "photo_too_large"
    assert body["detail"] == "照片不能超过 5 MB。"
    assert nothing_stored(photo_dir)


def test_a_pdf_renamed_jpg_is_refused_and_nothing_stored(worker, complaint, photo_dir):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    response = upload(worker, complaint["id"], pdf, "image/jpeg")
    assert response.status_code == 415
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["code"] == "photo_type_unsupported"
    assert response.get_json()["detail"] == "只能上传 JPEG 或 PNG 格式的照片。"
    assert nothing_stored(photo_dir)


def test_a_decompression_bomb_png_is_refused_and_nothing_stored(worker, complaint, photo_dir):
    bomb = bomb_png()
    assert len(bomb) < 200_000  # 400 megapixels in a small file
    response = upload(worker, complaint["id"], bomb, "image/png")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["code"] == "photo_too_many_pixels"
    assert nothing_stored(photo_dir)


@pytest.mark.parametrize(
    "data",
    [jpeg_with_gps()[:400], b"\xff\xd8\xff" + b"\x00" * 100, b""],
    ids=["truncated", "jpeg-magic-only", "empty"],
)
def test_a_broken_file_is_refused_and_nothing_stored(worker, complaint, photo_dir, data):
    response = upload(worker, complaint["id"], data)
    assert response.status_code == 422
    assert response.get_json()["code"] in ("photo_unreadable", "photo_empty")
    assert nothing_stored(photo_dir)


def test_a_complaint_takes_three_photos(worker, complaint, photo_dir):
    for _ in range(3):
        assert upload(worker, complaint["id"], jpeg_with_gps()).status_code == 201
    fourth = upload(worker, complaint["id"], jpeg_with_gps())
    assert fourth.status_code == 409
    assert fourth.get_json()["code"] == "photo_limit"
    assert len(list(photo_dir.iterdir())) == 3


def test_only_the_worker_and_the_villages_officials_see_a_photo(
    app, login, worker, complaint, gate, photo_dir
):
    url = upload(worker, complaint["id"], jpeg_with_gps()).get_json()["url"]
    officials = officials_of(gate.village_code)
    for who in ("township", "county"):
        assert login(officials[who], on=app.test_client()).get(url).status_code == 200, who
    other_county = login(officials["other"], on=app.test_client())
    another_worker = login(make_user(roles=("worker",)), on=app.test_client())
    for client in (other_county, another_worker):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["code"] == "photo_not_found"
    assert app.test_client().get(url).status_code == 401
    # Nor may anyone but the worker add photos to the complaint.
    added = upload(another_worker, complaint["id"], jpeg_with_gps())
    assert added.status_code == 404
    assert len(list(photo_dir.iterdir())) == 1


def test_the_pwa_folder_holds_no_photo(worker, complaint, photo_dir):
    upload(worker, complaint["id"], jpeg_with_gps())
    from app.pwa import PWA_DIR

    assert not Path(photo_dir).resolve().is_relative_to(PWA_DIR)
    assert [p for p in PWA_DIR.rglob("*.jpg")] == []

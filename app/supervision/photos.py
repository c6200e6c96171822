"""Photos attached to complaints: checked by content, re-encoded, kept outside the web root.

A photo of a gate may carry the phone's EXIF: its make, the time and, often, the GPS position
of the worker's home. Every upload is decoded and saved anew as a plain JPEG, so nothing but
the pixels survives. What is refused (too big, not a JPEG or PNG whatever its name says, a
decompression bomb, a broken file) is refused before anything is written.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from app.accounts.models import User
from app.errors import Conflict, DomainError
from app.extensions import db
from app.i18n import register_messages
from app.supervision.models import Complaint, ComplaintPhoto
from app.timeutil import utcnow

register_messages(
    {
        "photo_too_large": (
            "照片不能超过 {max_mb} MB。",
            "The photo may be at most {max_mb} MB.",
        ),
        "photo_type_unsupported": (
            "只能上传 JPEG 或 PNG 格式的照片。",
            "Only JPEG or PNG photos can be uploaded.",
        ),
        "photo_too_many_pixels": (
            "照片分辨率过高（最多 {max_megapixels} 百万像素）。",
            "The photo has too many pixels (at most {max_megapixels} megapixels).",
        ),
        "photo_unreadable": ("照片已损坏，无法读取。", "The photo is damaged and cannot be read."),
        "photo_empty": ("没有收到照片。", "No photo was received."),
        "photo_limit": (
            "每条投诉最多 {max_photos} 张照片。",
            "At most {max_photos} photos per complaint.",
        ),
        "photo_not_found": ("未找到该照片。", "No such photo."),
    }
)

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a phone photo has 12 million; a decompression bomb far more
MAX_SIDE = 2048  # long side as stored: enough to read a sign at the gate
MAX_PHOTOS = 3
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PhotoTooLarge(DomainError):
    status = 413
    code = "photo_too_large"

    def __init__(self) -> None:
        super().__init__(params={"max_mb": MAX_BYTES // (1024 * 1024)})


class PhotoTypeUnsupported(DomainError):
    status = 415
    code = "photo_type_unsupported"


class PhotoUnreadable(DomainError):
    status = 422
    code = "photo_unreadable"


class PhotoTooManyPixels(DomainError):
    status = 422
    code = "photo_too_many_pixels"

    def __init__(self) -> None:
        super().__init__(params={"max_megapixels": MAX_PIXELS // 1_000_000})


def photo_dir() -> Path:
    """Where photos are kept: the instance folder by default, never under pwa/."""
    return Path(current_app.config["SUPERVISION_PHOTO_DIR"])


def photo_path(photo: ComplaintPhoto) -> Path:
    return photo_dir() / f"{photo.file_key}.jpg"


def sniff(data: bytes) -> str:
    """The format by the file's own first bytes (the name and the Content-Type are the
    sender's say, not the file's)."""
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    if data.startswith(PNG_MAGIC):
        return "PNG"
    raise PhotoTypeUnsupported()


def reencode(data: bytes) -> tuple[bytes, int, int]:
    """A clean JPEG of the photo (upright, at most MAX_SIDE, no metadata): (bytes, w, h)."""
    if not data:
        raise PhotoUnreadable("photo_empty")
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge()
    expected = sniff(data)
    with warnings.catch_warnings():
        # Pillow warns past 89 MP and refuses past twice that; we refuse earlier, by the
        # header alone, before a single pixel is decoded.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format != expected:
                raise PhotoTypeUnsupported()
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise PhotoTooManyPixels()
            image.load()
            image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if image.mode in ("RGBA", "LA", "P") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                image = flat
            elif image.mode != "RGB":
                image = image.convert("RGB")
            image.info = {}  # nothing of the original file's metadata goes with the pixels
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoTooManyPixels() from None
        except DomainError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise PhotoUnreadable() from None
        except Exception:  # noqa: BLE001 - a hostile file may trip any decoder path
            raise PhotoUnreadable() from None
    return out.getvalue(), image.width, image.height


def attach(worker: User, complaint: Complaint, data: bytes) -> tuple[ComplaintPhoto, Path]:
    """Re-encode and keep a photo of the worker's own open complaint; returns the row and
    the file written (the caller removes it if the commit fails)."""
    if complaint.user_id != worker.id:
        from app.errors import NotFound

        raise NotFound("complaint_not_found")
    if complaint.case.state != "open":
        raise Conflict("case_closed")
    if len(complaint.photos) >= MAX_PHOTOS:
        raise Conflict("photo_limit", params={"max_photos": MAX_PHOTOS})
    clean, width, height = reencode(data)
    folder = photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    path = folder / f"{key}.jpg"
    partial = folder / f".{key}.part"
    partial.write_bytes(clean)
    os.replace(partial, path)  # a reader never sees half a file
    photo = ComplaintPhoto(
        complaint_id=complaint.id,
        file_key=key,
        content_type="image/jpeg",
        size_bytes=len(clean),
        width=width,
        height=height,
        uploaded_dt=utcnow(),
    )
    db.session.add(photo)
    db.session.flush()
    return photo, path

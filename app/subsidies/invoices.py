"""Invoice files: the type read from the content, a size limit, storage outside the web root.

Files live under the instance folder (or SUBSIDY_INVOICE_DIR), named by a random key, never
by anything the client sent; pwa/ (the web root) never holds them. They are served only
through the API, to the employer's staff and the officials who review its county.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from pathlib import Path

from flask import current_app

from app.errors import DomainError
from app.i18n import register_messages

register_messages(
    {
        "invoice_too_large": (
            "发票文件不能超过 {max_mb} MB。",
            "The invoice file may be at most {max_mb} MB.",
        ),
        "invoice_empty": ("没有收到发票文件。", "No invoice file was received."),
        "invoice_type_refused": (
            "发票须为 PDF、JPEG 或 PNG 文件。",
            "The invoice must be a PDF, JPEG or PNG file.",
        ),
    }
)

MAX_INVOICE_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class InvoiceTooLarge(DomainError):
    status = 413
    code = "invoice_too_large"

    def __init__(self) -> None:
        super().__init__(params={"max_mb": MAX_INVOICE_BYTES // (1024 * 1024)})


class InvoiceTypeRefused(DomainError):
    status = 415
    code = "invoice_type_refused"


def media_type_of(data: bytes) -> str:
    """The file's type from its bytes (what the client claims is ignored); refused otherwise.

    Images must also decode (a PNG header on anything else is refused); a PDF must end like
    one, so a truncated upload is caught now and not when finance opens it."""
    if not data:
        raise DomainError("invoice_empty", status=422)
    if len(data) > MAX_INVOICE_BYTES:
        raise InvoiceTooLarge()
    media_type = next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)
    if media_type is None:
        raise InvoiceTypeRefused()
    if media_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise InvoiceTypeRefused()
        return media_type
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            expected = "JPEG" if media_type == "image/jpeg" else "PNG"
            if image.format != expected:
                raise InvoiceTypeRefused()
            image.verify()
    except InvoiceTypeRefused:
        raise
    except Exception:  # Pillow raises many kinds for a broken or hostile image
        raise InvoiceTypeRefused() from None
    return media_type


def storage_dir() -> Path:
    """Where invoices are kept: never under pwa/, the folder the site serves."""
    configured = current_app.config.get("SUBSIDY_INVOICE_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "invoices"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def store(data: bytes, media_type: str) -> tuple[str, str]:
    """Write the file under a new random key; returns (key, sha256)."""
    key = f"{secrets.token_hex(16)}.{EXTENSIONS[media_type]}"
    path = storage_dir() / key
    # O_EXCL: a key that somehow exists is never overwritten.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return key, hashlib.sha256(data).hexdigest()


def path_of(storage_key: str) -> Path:
    return storage_dir() / Path(storage_key).name


def remove(storage_key: str) -> None:
    """Delete a stored file (after a failed transaction); missing is fine."""
    path_of(storage_key).unlink(missing_ok=True)

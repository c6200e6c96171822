"""Place codes: the signed URL printed on a checkpoint's poster, and the short route it opens.

The poster's QR is `https://<host>/c/<token>`, so a phone's own camera app opens it; the route
below sends the browser on to the PWA's check-in screen (`/#/checkin/<token>`).

The token is itsdangerous-signed (salt of its own purpose, explicit max_age) JSON:
{"c": checkpoint id, "v": place-code version, "n": checkpoint name}. It is signed, not
encrypted: the PWA reads the name from it offline to draw the pass at once, and only the
server can tell a genuine token from a forged one. Bumping the checkpoint's version (a new
poster) invalidates every earlier print.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, json, redirect, request
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

from app.errors import DomainError
from app.i18n import register_messages

register_messages(
    {
        "place_code_invalid": (
            "卡点二维码无效，请扫描卡点张贴的最新二维码。",
            "This checkpoint code is not valid; scan the code posted at the checkpoint.",
        ),
        "place_code_expired": (
            "卡点二维码已过期，请联系工作人员更换海报。",
            "This checkpoint code has expired; ask the staff for a new poster.",
        ),
    }
)

SALT = "fangang.checkpoint.place-code"
DEFAULT_MAX_AGE_DAYS = 366


class PlaceCodeInvalid(DomainError):
    status = 404
    code = "place_code_invalid"


class PlaceCodeExpired(DomainError):
    status = 410
    code = "place_code_expired"


class _CompactJson:
    """JSON as UTF-8 text: Chinese names stay short (no \\uXXXX escapes)."""

    @staticmethod
    def dumps(obj: object) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @staticmethod
    def loads(data: str | bytes) -> object:
        return json.loads(data)


class _PlaceCodeSerializer(URLSafeTimedSerializer):
    """Never zlib-compressed, so the PWA can read the payload with plain base64."""

    def dump_payload(self, obj: object) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


def _serializer() -> _PlaceCodeSerializer:
    return _PlaceCodeSerializer(
        current_app.config["SECRET_KEY"], salt=SALT, serializer=_CompactJson
    )


@dataclass(frozen=True)
class PlaceCode:
    checkpoint_id: int
    version: int
    name: str


def make_token(checkpoint_id: int, version: int, name: str) -> str:
    """A signed place-code token for a checkpoint (valid for PLACE_CODE_MAX_AGE_DAYS)."""
    return _serializer().dumps({"c": checkpoint_id, "v": version, "n": name})


def max_age_seconds() -> int:
    days = int(current_app.config.get("PLACE_CODE_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS))
    return days * 86400


def read_token(token: str) -> PlaceCode:
    """The checkpoint a token names; PlaceCodeInvalid / PlaceCodeExpired otherwise.

    Only the signature and age are checked here; the caller compares the version and
    whether the checkpoint is still active.
    """
    if not isinstance(token, str) or not 10 <= len(token) <= 400:
        raise PlaceCodeInvalid()
    try:
        data = _serializer().loads(token, max_age=max_age_seconds())
    except SignatureExpired:
        raise PlaceCodeExpired() from None
    except (BadData, ValueError, TypeError):
        raise PlaceCodeInvalid() from None
    if (
        not isinstance(data, dict)
        or type(data.get("c")) is not int
        or type(data.get("v")) is not int
        or not isinstance(data.get("n"), str)
    ):
        raise PlaceCodeInvalid()
    return PlaceCode(data["c"], data["v"], data["n"])


def public_base_url() -> str:
    """Where phones reach this service: PUBLIC_BASE_URL, else the host of this request."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    return request.host_url.rstrip("/")


def place_code_url(token: str, base_url: str | None = None) -> str:
    """The URL printed as the poster's QR."""
    return f"{base_url or public_base_url()}/c/{token}"


bp = Blueprint("placecode", __name__)


@bp.get("/c/<path:token>")
def open_place_code(token: str) -> Response:
    """A poster scanned with the phone's camera app: open the PWA's check-in screen."""
    # Checked by the API when the PWA records the check-in; here the token only passes through.
    safe = "".join(ch for ch in token if ch.isalnum() or ch in "-_.")[:400]
    response = redirect(f"/#/checkin/{safe}", code=302)
    response.headers["Cache-Control"] = "no-store"
    return response

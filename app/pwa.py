"""Serving the PWA shell from pwa/ at the site root."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"

bp = Blueprint("pwa", __name__)

# Files that must never be served stale: the shell entry and the service worker itself.
_NO_CACHE = {"index.html", "sw.js", "manifest.webmanifest"}
_TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
}


def _send(filename: str) -> Response:
    response = send_from_directory(PWA_DIR, filename, max_age=0 if filename in _NO_CACHE else 3600)
    suffix = Path(filename).suffix
    if suffix in _TYPES:
        response.mimetype = _TYPES[suffix]
    if filename in _NO_CACHE:
        response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def shell() -> Response:
    return _send("index.html")


@bp.get("/<path:filename>")
def shell_file(filename: str) -> Response:
    # Unknown API paths must get the API's 404, not a file lookup.
    if filename.startswith(("api/", ".well-known/")) or filename.startswith("."):
        abort(404)
    return _send(filename)

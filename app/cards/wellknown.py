"""What other regions and the PWA fetch without logging in: the trust list and revocations."""

from __future__ import annotations

import base64

from flask import Blueprint, Response, json

from app.cards import signing
from app.timeutil import utcnow

bp = Blueprint("wellknown", __name__, url_prefix="/.well-known/fangang")


@bp.get("/trust-list.json")
def trust_list() -> Response:
    """Our signers and every imported issuer, signed (see docs/credential-format.md)."""
    doc = signing.trust_list_document(utcnow())
    response = Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/revocations.cose")
def revocations() -> Response:
    """Signed COSE list of revoked cards that have not expired yet."""
    response = Response(signing.revocation_list(utcnow()), mimetype="application/cose")
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/revocations.json")
def revocations_json() -> Response:
    """The same signed list, base64 in JSON, for clients that prefer JSON transport."""
    data = signing.revocation_list(utcnow())
    response = Response(
        json.dumps({"cose": base64.b64encode(data).decode()}), mimetype="application/json"
    )
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

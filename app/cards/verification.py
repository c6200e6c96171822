"""Verifying a scanned code on the server, with our live revocation state."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from prometheus_client import Counter

from app.cards import signing
from app.cards.schemas import SchemaProblemOut, VerifyOut
from app.cards.services import STATUS_WORDS
from app.credentials import verify
from app.metrics import VERDICTS

REASON_WORDS = {
    "ok": ("有效", "Valid"),
    "bad_prefix": ("无法识别：不是健康码", "Not recognised: not a health code"),
    "bad_base45": ("无法识别：编码损坏", "Not recognised: damaged code"),
    "bad_compression": ("无法识别：数据损坏", "Not recognised: damaged data"),
    "bad_cbor": ("无法识别：数据损坏", "Not recognised: damaged data"),
    "bad_cose": ("无法识别：签名结构损坏", "Not recognised: damaged signature"),
    "bad_schema": ("无法识别：证明内容不合规范", "Not recognised: malformed certificate content"),
    "unsupported_alg": ("伪造：不支持的签名算法", "Forged: unsupported algorithm"),
    "unknown_kid": ("伪造或未互认：签发方不在信任列表", "Forged or not recognised: unknown issuer"),
    "bad_signature": ("伪造：签名无效", "Forged: invalid signature"),
    "wrong_key_usage": (
        "伪造或未互认：签发方无权签发此类证明",
        "Not recognised: the issuer may not sign this kind of certificate",
    ),
    "not_yet_valid": ("尚未生效", "Not yet valid"),
    "expired": ("已过期", "Expired"),
    "revoked": ("已撤销", "Revoked"),
}


# The rule a certificate broke (app/credentials/dccschema.py), for the scanner's bad_schema line.
SCHEMA_RULE_WORDS = {
    "type": ("类型不符", "has the wrong type"),
    "required": ("缺少必填项", "is missing"),
    "minimum": ("数值过小", "is below the minimum"),
    "maximum": ("数值过大", "is above the maximum"),
    "minItems": ("条目过少", "has too few entries"),
    "maxItems": ("条目过多", "has too many entries"),
    "pattern": ("格式不符", "has the wrong format"),
    "oneOf": ("不符合任何允许的形式", "matches none of the allowed forms"),
    "anyOf": ("不符合任何允许的形式", "matches none of the allowed forms"),
    "one_kind": ("须且只能含接种、检测、康复中的一种", "must hold exactly one of v, t, r"),
    "non_empty": ("不能为空", "must not be empty"),
    "not_after_issue": ("出生日期晚于签发日期", "is a birth date after the issue date"),
}


def schema_problem(schema: dict[str, str] | None, en: bool) -> SchemaProblemOut | None:
    """Where and how a certificate breaks its DCC schema, in the user's words."""
    if not schema or "rule" not in schema:
        return None
    zh_rule, en_rule = SCHEMA_RULE_WORDS.get(schema["rule"], (schema["rule"], schema["rule"]))
    if en:
        text = f"Field {schema['path']} {en_rule} (DCC schema {schema['version']})"
    else:
        text = f"字段 {schema['path']}：{zh_rule}（DCC 结构 {schema['version']}）"
    return SchemaProblemOut(**schema, text=text)


@lru_cache(maxsize=len(REASON_WORDS))
def _server_verdicts(reason: str) -> Counter:
    """The verdict counter's child for `reason` (labels() costs a lock and a lookup each time)."""
    return VERDICTS.labels("server", reason)


def verify_code(qr: str, now: datetime, locale: str) -> VerifyOut:
    """The library's verdict against our trust list and revocations, in the user's words."""
    # The cached trust store carries our revocations (see signing.trust_store).
    result = verify(qr, signing.trust_store(now), now)
    reason = result.reason
    _server_verdicts(reason).inc()
    card = result.card if result.valid or reason in ("expired", "revoked") else None
    valid = result.valid
    en = locale == "en"
    status = card["status"] if card else None
    # Our own values, of the declared types: built without validation, on the busiest route.
    return VerifyOut.model_construct(
        valid=valid,
        reason=reason,
        reason_text=REASON_WORDS[reason][1 if en else 0],
        kind=result.kind if result.kind in ("FG1", "HC1") else None,
        status=status,
        status_text=STATUS_WORDS[status][1 if en else 0] if status else None,
        card_type=card["card_type"] if card else None,
        holder=f"{card['name_masked']}（{card['id_last4']}）" if card else None,
        name_masked=card["name_masked"] if card else None,
        id_last4=card["id_last4"] if card else None,
        quarantine_until=card["quarantine_until"] if card else None,
        issuer_region=result.region,
        issuer_name=result.issuer_name,
        expires_at=result.expires_at,
        destination=card["destination"] if card else None,
        departure=card["departure"] if card else None,
        schema_problem=schema_problem(result.schema, en) if reason == "bad_schema" else None,
    )

"""A batch's workers from a CSV or XLSX list, checked row by row against the employer's roster.

The file reading (encodings, XLSX limits, line numbers as the spreadsheet shows them) is the
quarantine upload's; only the columns differ: 手机号 (phone) or 姓名 + 身份证后四位 (name + ID
last 4), and optionally 出发地 (an origin code per worker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.identity import is_valid_phone
from app.accounts.models import User
from app.employers.models import Employer, EmployerWorker
from app.errors import ValidationFailed
from app.extensions import db
from app.i18n import register_messages
from app.quarantine.uploads import MAX_ROWS, _csv_lines, _xlsx_lines  # one file reader
from app.transport.services import WorkerPick

register_messages(
    {
        "transport_columns_missing": (
            "缺少表头：须有“手机号”列，或“姓名”和“身份证后四位”列。",
            "Missing headers: 手机号 (phone), or 姓名 (name) with 身份证后四位 (ID last 4).",
        ),
        "worker_unidentified": (
            "请填写手机号，或姓名和身份证后四位。",
            "Give the phone number, or the name and the ID's last 4 characters.",
        ),
        "worker_ambiguous": (
            "花名册中有多人同名且身份证后四位相同，请改填手机号。",
            "Several people on the roster share this name and ID ending; use the phone number.",
        ),
        "name_mismatch": ("姓名与手机号不符。", "The name does not match the phone number."),
    }
)

COLUMNS = {
    "phone": ("手机号", "手机", "手机号码", "联系电话", "电话", "phone", "mobile"),
    "name": ("姓名", "name"),
    "id_last4": ("身份证后四位", "身份证后4位", "证件号后四位", "后四位", "id_last4", "last4"),
    "origin": ("出发地", "出发地代码", "出发地区划代码", "origin", "origin_code"),
}
_HEADERS = {alias.lower(): key for key, names in COLUMNS.items() for alias in names}
_LAST4 = re.compile(r"^[0-9]{3}[0-9X]$")


@dataclass(frozen=True)
class Line:
    line: int
    cells: dict[str, str]


def read_lines(filename: str, data: bytes) -> list[Line]:
    is_zip = data[:4] == b"PK\x03\x04"
    if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        raw = _xlsx_lines(data)
    elif filename.lower().endswith(".xls"):
        raise ValidationFailed("upload_unreadable")
    else:
        raw = _csv_lines(data)
    raw = [(n, cells) for n, cells in raw if any(c.strip() for c in cells)]
    if not raw:
        raise ValidationFailed("upload_empty")
    header = {}
    for index, title in enumerate(raw[0][1]):
        key = _HEADERS.get("".join(title.split()).lower())
        if key and key not in header.values():
            header[index] = key
    keys = set(header.values())
    if "phone" not in keys and not {"name", "id_last4"} <= keys:
        raise ValidationFailed(
            "transport_columns_missing",
            errors=[{"line": raw[0][0], "field": "header", "code": "transport_columns_missing"}],
        )
    lines = [
        Line(n, {key: cells[i].strip() if i < len(cells) else "" for i, key in header.items()})
        for n, cells in raw[1:]
    ]
    if not lines:
        raise ValidationFailed("upload_empty")
    if len(lines) > MAX_ROWS:
        raise ValidationFailed("upload_too_many_rows", params={"max_rows": MAX_ROWS})
    return lines


def picks_from_file(employer: Employer, filename: str, data: bytes) -> list[WorkerPick]:
    """Every line matched to a roster worker; ValidationFailed with each bad line if any."""
    users = db.session.scalars(
        select(User)
        .join(EmployerWorker, EmployerWorker.user_id == User.id)
        .where(EmployerWorker.employer_id == employer.id)
    ).all()
    by_phone = {u.phone: u for u in users if u.phone}
    by_name: dict[tuple[str, str], list[User]] = {}
    for u in users:
        if u.name and u.id_masked:
            by_name.setdefault((u.name, u.id_masked[-4:]), []).append(u)
    picks, errors = [], []
    for line in read_lines(filename, data):
        cells = line.cells
        phone = re.sub(r"[\s-]", "", cells.get("phone", ""))
        name = cells.get("name", "").strip()
        last4 = cells.get("id_last4", "").strip().upper()
        if last4.isdigit() and len(last4) < 4:
            last4 = last4.zfill(4)  # Excel drops leading zeros
        user, code, field = None, None, "phone"
        if phone:
            if not is_valid_phone(phone):
                code = "phone_invalid"
            else:
                user = by_phone.get(phone)
                if user is None:
                    code = "worker_not_on_roster"
                elif name and name != user.name:
                    code, field, user = "name_mismatch", "name", None
        elif name and last4:
            field = "name"
            found = by_name.get((name, last4), []) if _LAST4.match(last4) else []
            if len(found) > 1:
                code = "worker_ambiguous"
            elif not found:
                code = "worker_not_on_roster"
            else:
                user = found[0]
        else:
            code = "worker_unidentified"
        if code:
            errors.append({"line": line.line, "field": field, "code": code})
            continue
        picks.append(WorkerPick(user.id, cells.get("origin") or None, line.line))
    if errors:
        raise ValidationFailed(
            "upload_invalid_workers", errors=errors[:200], error_count=len(errors)
        )
    return picks

"""Reading a day's temperature list from CSV or XLSX into plain rows (no database here).

The first non-empty row is the header. Columns are found by name, in Chinese or English
(see COLUMNS); other columns (序号, 部门, ...) are ignored. Each data row keeps its line number
as the user sees it in their spreadsheet (the header is usually line 1). CSV may be UTF-8 (with
or without BOM) or GB18030, which is what Excel writes on a Chinese Windows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.errors import ValidationFailed
from app.i18n import register_messages

register_messages(
    {
        "upload_unreadable": (
            "无法读取该文件，请上传 CSV 或 Excel（.xlsx）文件。",
            "The file cannot be read; upload a CSV or Excel (.xlsx) file.",
        ),
        "upload_empty": ("文件中没有数据行。", "The file has no data rows."),
        "upload_too_many_rows": (
            "一次最多上传 {max_rows} 行。",
            "At most {max_rows} rows per upload.",
        ),
        "upload_columns_missing": (
            "缺少表头：须有“体温”列，以及“手机号”列或“姓名”和“身份证后四位”列。",
            "Missing headers: a 体温 (temperature) column, and 手机号 (phone) or "
            "姓名 (name) with 身份证后四位 (ID last 4).",
        ),
    }
)

MAX_ROWS = 5000
MAX_XLSX_UNCOMPRESSED = 30 * 1024 * 1024  # a zip bomb stops here, before openpyxl reads it

# canonical column: the header spellings that mean it (compared without spaces, lower case)
COLUMNS = {
    "phone": ("手机号", "手机", "手机号码", "联系电话", "电话", "phone", "mobile"),
    "name": ("姓名", "name"),
    "id_last4": (
        "身份证后四位",
        "身份证后4位",
        "证件号后四位",
        "证件后四位",
        "后四位",
        "id_last4",
        "last4",
    ),
    "temperature": ("体温", "体温(℃)", "体温（℃）", "体温℃", "temperature", "temp"),
    "symptoms": ("症状", "symptoms"),
}
_HEADERS = {alias.lower(): canonical for canonical, names in COLUMNS.items() for alias in names}


@dataclass(frozen=True)
class RawRow:
    """One data row: its line number in the file and its cells by canonical column."""

    line: int
    cells: dict[str, str]


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text the user typed (13800000001, not 13800000001.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) >= 1000 else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _header_map(header: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, title in enumerate(header):
        key = "".join(title.split()).lower()
        canonical = _HEADERS.get(key)
        if canonical and canonical not in found.values():
            found[index] = canonical
    columns = set(found.values())
    has_person = "phone" in columns or {"name", "id_last4"} <= columns
    if "temperature" not in columns or not has_person:
        raise ValidationFailed(
            "upload_columns_missing",
            errors=[{"line": 1, "field": "header", "code": "upload_columns_missing"}],
        )
    return found


def _rows(lines: list[tuple[int, list[str]]]) -> list[RawRow]:
    """From (line, cells) pairs: the header, then rows by canonical column; blank rows skipped."""
    lines = [(n, cells) for n, cells in lines if any(c.strip() for c in cells)]
    if not lines:
        raise ValidationFailed("upload_empty")
    header_line, header = lines[0]
    columns = _header_map(header)
    rows = []
    for line, cells in lines[1:]:
        rows.append(
            RawRow(
                line,
                {name: cells[i].strip() if i < len(cells) else "" for i, name in columns.items()},
            )
        )
    if not rows:
        raise ValidationFailed("upload_empty")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed("upload_too_many_rows", params={"max_rows": MAX_ROWS})
    return rows


def _csv_lines(data: bytes) -> list[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed("upload_unreadable")
    if "\x00" in text:
        raise ValidationFailed("upload_unreadable")
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    try:
        for cells in reader:
            out.append((reader.line_num, cells))
            if len(out) > MAX_ROWS + 50:
                break
    except csv.Error:
        raise ValidationFailed("upload_unreadable") from None
    return out


def _xlsx_lines(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise ValidationFailed("upload_unreadable")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationFailed:
        raise
    except Exception:  # openpyxl raises many kinds for a broken or foreign file
        raise ValidationFailed("upload_unreadable") from None
    try:
        sheet = book.worksheets[0]
        out = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            out.append((number, [_cell_text(v) for v in values]))
            if len(out) > MAX_ROWS + 50:
                break
        return out
    except Exception:
        raise ValidationFailed("upload_unreadable") from None
    finally:
        book.close()


def read_rows(filename: str, data: bytes) -> list[RawRow]:
    """The data rows of an uploaded CSV or XLSX file (ValidationFailed if it cannot be read)."""
    is_zip = data[:4] == b"PK\x03\x04"
    if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        return _rows(_xlsx_lines(data))
    if filename.lower().endswith((".xls",)):
        raise ValidationFailed("upload_unreadable")  # the old binary format: save as .xlsx
    return _rows(_csv_lines(data))

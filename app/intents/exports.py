"""Ledger exports as CSV and XLSX, produced row by row so 100,000 rows never sit in memory.

CSV is written in chunks as rows come from the database. XLSX uses openpyxl's write-only mode
(rows go to a temporary file as they are appended) and the finished workbook is streamed from
that file in chunks. Both start with the exporting official's name, the time and the filters.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from app.timeutil import app_tz

CHUNK_BYTES = 64 * 1024
CSV_ROWS_PER_CHUNK = 500


def header_lines(
    *,
    title: str,
    official: str,
    region: str,
    at: datetime,
    filters: dict[str, Any],
    rows: int,
    locale: str,
) -> list[str]:
    """The lines above the table: who exported what, when, with which filters."""
    when = at.astimezone(app_tz()).strftime("%Y-%m-%d %H:%M")
    shown = "；".join(f"{k}={v}" for k, v in filters.items() if k != "region") or "-"
    if locale == "en":
        return [
            title,
            f"Exported by: {official} ({region})",
            f"Exported at: {when} (Beijing time)",
            f"Filters: {shown}",
            f"People: {rows}",
        ]
    return [
        title,
        f"导出人：{official}（{region}）",
        f"导出时间：{when}（北京时间）",
        f"筛选条件：{shown}",
        f"人数：{rows}",
    ]


def csv_chunks(
    header: Iterable[str], columns: Iterable[str], rows: Iterable[Iterable[Any]]
) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel opens the Chinese text correctly), a few hundred rows a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for line in header:
        writer.writerow([_safe(line)])
    writer.writerow([])
    writer.writerow(list(columns))
    count = 0
    for row in rows:
        writer.writerow([_safe(v) for v in row])
        count += 1
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _safe(value: Any) -> Any:
    """Defuse spreadsheet formulas in text that came from users ('=', '+', '-', '@')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _xlsx_safe(value: Any) -> Any:
    """_safe, without the control characters an XLSX file cannot hold (openpyxl refuses the
    whole row); older rows may carry them from before the API refused them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = _safe(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def xlsx_chunks(
    header: Iterable[str],
    columns: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    sheet_title: str,
) -> Iterator[bytes]:
    """An XLSX workbook built in openpyxl's write-only mode, then streamed from a temp file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    bold = Font(bold=True)
    for index, line in enumerate(header):
        cell = WriteOnlyCell(sheet, value=_xlsx_safe(line))
        if index == 0:
            cell.font = bold
        sheet.append([cell])
    sheet.append([])
    heading = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_xlsx_safe(v) for v in row])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while True:
            chunk = spool.read(CHUNK_BYTES)
            if not chunk:
                break
            yield chunk

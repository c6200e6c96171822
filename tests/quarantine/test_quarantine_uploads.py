"""Reading a day's list into plain rows, without a database."""

import io

import pytest
from openpyxl import Workbook

from app.errors import ValidationFailed
from app.quarantine.uploads import MAX_ROWS, read_rows


def test_headers_in_chinese_or_english_and_extra_columns_ignored():
    data = "No.,Phone, 体温 （℃）,备注\n1,13800000001,36.5,早班\n".encode()
    # '体温 （℃）' with a space: spaces inside headers do not matter
    [row] = read_rows("x.csv", data)
    assert row.line == 2
    assert row.cells == {"phone": "13800000001", "temperature": "36.5"}


def test_line_numbers_are_the_spreadsheet_s_even_with_blank_lines_and_quoted_newlines():
    data = b'phone,temperature,symptoms\n\n13800000001,36.5,"cough\nfever"\n13800000002,36.6,\n'
    rows = read_rows("x.csv", data)
    assert [r.line for r in rows] == [4, 5]
    assert rows[0].cells["symptoms"] == "cough\nfever"


def test_short_rows_get_empty_cells():
    [row] = read_rows("x.csv", b"phone,temperature,symptoms\n13800000001\n")
    assert row.cells == {"phone": "13800000001", "temperature": "", "symptoms": ""}


def test_excel_cells_come_back_as_the_text_the_user_typed():
    book = Workbook()
    book.active.append(["姓名", "身份证后四位", "体温"])
    book.active.append(["张伟", 123, 37.0])
    buffer = io.BytesIO()
    book.save(buffer)
    [row] = read_rows("list.XLSX", buffer.getvalue())
    assert row.line == 2
    assert row.cells == {
        "name": "张伟",
        "id_last4": "123",
        "temperature": "37",
    }  # 37.0 is stored as 37


def test_too_many_rows_are_refused():
    data = b"phone,temperature\n" + b"13800000001,36.5\n" * (MAX_ROWS + 1)
    with pytest.raises(ValidationFailed) as raised:
        read_rows("x.csv", data)
    assert raised.value.code == "upload_too_many_rows"


def test_an_xlsx_that_inflates_beyond_the_limit_is_refused_before_parsing():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (31 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as raised:
        read_rows("bomb.xlsx", buffer.getvalue())
    assert raised.value.code == "upload_unreadable"

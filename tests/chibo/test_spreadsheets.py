import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from chibo.spreadsheets import (
    CellError,
    Column,
    SpreadsheetError,
    build_xlsx,
    cell_digits,
    estimate_rows,
    parse_date,
    read_sheet,
)

COLUMNS = [
    Column("full_name", "Họ và tên", aliases=("Họ tên",), required=True),
    Column("birth_date", "Ngày sinh", kind="date"),
    Column("national_id", "Số CCCD", aliases=("CCCD", "CMND/CCCD")),
]


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_title_block_above_the_header_row_is_skipped_and_row_numbers_match_excel():
    data = xlsx(
        [
            ["ĐẢNG BỘ PHƯỜNG MỘT"],
            ["DANH SÁCH ĐẢNG VIÊN"],
            [],
            ["STT", "Họ và tên", "Ngày sinh"],
            [1, "Nguyễn Văn An", datetime(1970, 2, 1)],
            [None, None, None],
            [2, "Trần Thị Bình", "03/04/1980"],
        ]
    )
    sheet = read_sheet(data, columns=COLUMNS)
    rows = list(sheet.rows)
    assert sheet.header_row == 4
    assert [r.number for r in rows] == [5, 7]
    assert rows[0].values["full_name"] == "Nguyễn Văn An"
    assert sheet.unknown_headers == ["STT"]


def test_row_numbers_stay_right_when_the_sheet_starts_lower_and_further_right():
    wb = Workbook()
    wb.active["C4"] = "Họ và tên"
    wb.active["D4"] = "Ngày sinh"
    wb.active["C5"] = "Nguyễn Văn An"
    wb.active["D5"] = datetime(1970, 2, 1)
    buf = io.BytesIO()
    wb.save(buf)
    sheet = read_sheet(buf.getvalue(), columns=COLUMNS)
    [row] = list(sheet.rows)
    assert (sheet.header_row, row.number) == (4, 5)
    assert parse_date(row.values["birth_date"]) == date(1970, 2, 1)


def test_headers_match_without_case_spacing_punctuation_or_diacritics():
    data = "HO  TEN;ngay-sinh;cmnd/cccd\nNguyễn Văn An;01/02/1970;001070000001\n".encode()
    sheet = read_sheet(data, columns=COLUMNS)
    assert sheet.headers == {
        "full_name": "HO TEN",
        "birth_date": "ngay-sinh",
        "national_id": "cmnd/cccd",
    }
    assert next(sheet.rows).values["national_id"] == "001070000001"


def test_csv_with_a_bom_and_comma_delimiter_is_read_and_text_is_nfc():
    decomposed = "Nguye\u0302\u0303n Va\u0306n An"  # NFD, as some Mac exports write
    data = ("\ufeffHọ và tên,Ngày sinh\n" + f'"  {decomposed} ",1/2/1970\n').encode()
    row = next(read_sheet(data, columns=COLUMNS).rows)
    assert row.values["full_name"] == "Nguyễn Văn An"
    assert row.number == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Tệp trống"),
        (b"   \n\n", "Tệp trống"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "không phải là bảng tính"),
        # "Họ và tên;Ngày sinh / Nguyễn Văn Ân" as Windows-1258 writes it
        (b"H\xf2o v\xe0 t\xean;Ng\xe0y sinh\nNguy\xea\xden V\xe3n \xc2n\n", "không ở mã UTF-8"),
        (b"a;b;c\n1;2;3\n", "Không tìm thấy dòng tiêu đề"),
        ("Ngày sinh;Số CCCD\n01/01/1970;1\n".encode(), "Thiếu cột bắt buộc: “Họ và tên”"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "tệp Excel cũ (.xls)"),
    ],
)
def test_unreadable_files_get_a_vietnamese_message(data, message):
    with pytest.raises(SpreadsheetError) as exc:
        sheet = read_sheet(data, columns=COLUMNS)
        list(sheet.rows)
    assert message in exc.value.message


def test_a_truncated_workbook_is_refused_as_broken():
    data = xlsx([["Họ và tên", "Ngày sinh"], ["An", "01/01/1970"]])
    with pytest.raises(SpreadsheetError) as exc:
        sheet = read_sheet(data[: len(data) // 2], columns=COLUMNS)
        list(sheet.rows)
    assert "bị hỏng" in exc.value.message


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    class Huge(io.BytesIO):
        size = 50 * 1024 * 1024

        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("read a file that is too big")

    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(Huge(), columns=COLUMNS, max_bytes=1024 * 1024)
    assert exc.value.message == "Tệp quá lớn: tối đa 1 MB."


def test_a_password_protected_workbook_is_named_as_such():
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(xlsx([["Họ và tên"], ["An"]]))
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt("mat-khau", encrypted)
    assert msoffcrypto  # imported for the skip
    with pytest.raises(SpreadsheetError) as exc:
        read_sheet(encrypted.getvalue(), columns=COLUMNS)
    assert "đặt mật khẩu" in exc.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(1970, 2, 1, 0, 0), date(1970, 2, 1)),
        ("01/02/1970", date(1970, 2, 1)),
        ("1/2/1970", date(1970, 2, 1)),
        ("01-02-1970", date(1970, 2, 1)),
        ("01.02.1970", date(1970, 2, 1)),
        ("1970-02-01", date(1970, 2, 1)),
        (25600, date(1970, 2, 1)),  # Excel serial number
        (None, None),
    ],
)
def test_dates_are_read_from_real_dates_and_day_first_text(value, expected):
    assert parse_date(value) == expected


def test_an_impossible_date_is_named_in_the_message():
    with pytest.raises(CellError) as exc:
        parse_date("31/02/1970")
    assert exc.value.message == "Ngày 31/02/1970 không có thật."
    with pytest.raises(CellError) as exc:
        parse_date("mùng 3 tết")
    assert "không phải là ngày" in exc.value.message


def test_a_cccd_typed_as_a_number_gets_its_leading_zero_back():
    assert cell_digits(1070000001, width=12) == "001070000001"
    assert cell_digits("001 070 000 001") == "001070000001"


def test_built_workbook_reads_back_with_dates_and_leading_zeros_kept():
    data = build_xlsx(
        ["Họ và tên", "Ngày sinh", "Số CCCD"],
        [["Nguyễn Văn An", date(1970, 2, 1), "001070000001"]],
        title="DANH SÁCH",
        date_columns=[1],
        text_columns=[2],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "DANH SÁCH"
    assert sheet["B3"].number_format == "dd/mm/yyyy"
    row = next(read_sheet(data, columns=COLUMNS).rows)
    assert row.number == 3
    assert parse_date(row.values["birth_date"]) == date(1970, 2, 1)
    assert row.values["national_id"] == "001070000001"
    assert estimate_rows(data) == 3


def test_a_wrong_byte_far_down_a_csv_is_still_named_as_an_encoding_problem():
    good = ("Họ và tên;Ngày sinh\n" + "Nguyễn Văn An;01/01/1970\n" * 5000).encode()
    sheet = read_sheet(good + b"Nguy\xea\xden;01/01/1970\n", columns=COLUMNS)
    with pytest.raises(SpreadsheetError) as exc:
        list(sheet.rows)
    assert "không ở mã UTF-8" in exc.value.message

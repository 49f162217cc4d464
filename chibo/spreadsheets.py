"""Reading and writing the spreadsheets offices already keep (XLSX and CSV).

Generic: it knows nothing about members or units. An importer describes its
columns and gets rows back, keyed by its own names, with the row numbers the
spreadsheet shows; every problem with the file as a whole is a
`SpreadsheetError` whose message is for the user, in Vietnamese.

    from chibo.spreadsheets import Column, SpreadsheetError, read_sheet

    COLUMNS = [
        Column("full_name", "Họ và tên", aliases=("Họ tên",), required=True),
        Column("birth_date", "Ngày sinh", kind="date"),
        ...
    ]
    try:
        sheet = read_sheet(data, filename="ds.xlsx", columns=COLUMNS)
    except SpreadsheetError as exc:
        show(exc.message)
    sheet.headers        # {"full_name": "Họ tên", ...}: the header as written in the file
    for row in sheet.rows:   # an iterator: a 100,000-row file is never held whole
        row.number       # 7: the row number as Excel / LibreOffice show it
        row.values       # {"full_name": "Nguyễn Văn An", "birth_date": <raw cell>, ...}
        parse_date(row.values["birth_date"])   # date | None, or raises CellError

Reading rules:
- XLSX through python-calamine (fast, values not formulas; openpyxl if it is
  missing); CSV in UTF-8 with or
  without BOM, `;` or `,` delimiter sniffed from the header area. The kind is
  decided from the content, not the file name; an old .xls or a
  password-protected workbook is recognised and refused with its own message.
- A file larger than `max_bytes` (default settings.CHIBO_MAX_UPLOAD_BYTES) is
  refused before anything is read.
- A title block above the header row is skipped: the header row is the one,
  among the first `HEADER_SCAN_ROWS`, matching the most known headers.
- Headers match ignoring case, spacing, punctuation and diacritics
  ("Họ và tên", "HO VA TEN", "họ & tên" all give "hovaten"); each `Column`
  lists its variants.
- Text cells are trimmed, spaces collapsed, and normalised to Unicode NFC
  (chibo.text.normalize); empty cells are None; rows with every known cell
  empty are skipped.

Writing: `build_xlsx(headers, rows)` returns the bytes of a one-sheet
workbook (exports); `build_workbook([XlsxSheet(...), ...])` several sheets,
with comments on cells (import templates and their guide, rejected rows).
Every writer of a file people open in Excel goes through one pair of
functions: `xlsx_row(sheet, values)` for a workbook's row and `csv_row(values)`
for a CSV line. Both drop the control characters a spreadsheet cannot hold
(a name stored before input was cleaned would otherwise break the file) and
neutralise text that a spreadsheet would run as a formula (`=HYPERLINK(…)`,
`+1+2`, `-2+3`, `@SUM(…)`, a leading tab or CR): in a workbook the cell is
typed as text, keeping the name as typed; in CSV, where no type exists, it is
prefixed with an apostrophe, as OWASP advises.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from chibo.dates import DateError, dmy, parse_day
from chibo.text import fold, normalize

HEADER_SCAN_ROWS = 20

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# Files people pick by mistake: PDF, images, RTF, HTML pages.
_OTHER_FORMATS = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"{\\rtf", b"<!DOCTYPE", b"<html")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_EXCEL_EPOCH = date(1899, 12, 30)


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; `message` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CellError(ValueError):
    """One cell cannot be understood; `message` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def header_key(text: Any) -> str:
    """What two headers must share to be the same column: lower case, no
    diacritics, letters and digits only ("Số CCCD" and "SO-CCCD" -> "socccd")."""
    return _NOT_ALNUM.sub("", fold(str(text) if text is not None else ""))


@dataclass(frozen=True)
class Column:
    """A column an importer understands.

    `label` is the header the template writes; `aliases` are the other
    headers offices use for it. `required` columns must be present in the
    header row (their cells may still be checked row by row by the importer).
    `kind` is a hint for writers and callers ("text", "date", "digits");
    reading keeps raw values so the importer decides what an empty or odd
    cell means. `help` says what the column accepts, for a template's guide.
    """

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: str = "text"
    help: str = ""

    @property
    def keys(self) -> set[str]:
        return {header_key(self.label), *(header_key(a) for a in self.aliases)}


@dataclass(slots=True)
class Row:
    number: int  # as the spreadsheet shows it (1-based, counting the title block)
    values: dict[str, Any]
    cells: tuple = ()  # every cell of the row as read, known columns or not


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    header_row: int
    headers: dict[str, str]  # column key -> header as written in the file
    unknown_headers: list[str]
    rows: Iterator[Row] = field(repr=False)
    header_cells: tuple = ()  # the header row as read, every column in its order

    def header_for(self, key: str, columns: Iterable[Column] = ()) -> str:
        """The header as written in the file, else the column's template label."""
        if key in self.headers:
            return self.headers[key]
        for c in columns:
            if c.key == key:
                return c.label
        return key


# --- reading -----------------------------------------------------------------


def read_sheet(
    source: bytes | IO[bytes],
    *,
    columns: list[Column],
    filename: str = "",
    max_bytes: int | None = None,
) -> Sheet:
    """Open `source` (bytes or a binary file) and find its header row.

    Raises SpreadsheetError for a file that is too big, empty, not a
    spreadsheet, password-protected, broken, or without a recognisable
    header row. The returned `rows` iterator may still raise
    SpreadsheetError if the file turns out to be broken further down.
    """
    limit = settings.CHIBO_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    data = _read_limited(source, limit)
    kind = detect_kind(data)
    raw_rows = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    return _locate_header(kind, raw_rows, columns)


def _read_limited(source: bytes | IO[bytes], limit: int) -> bytes:
    size = getattr(source, "size", None)
    if isinstance(source, bytes | bytearray):
        size = len(source)
    if size is not None and size > limit:
        raise SpreadsheetError(too_big_message(limit))
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
        if len(data) > limit:
            raise SpreadsheetError(too_big_message(limit))
    if not data.strip():
        raise SpreadsheetError(_("Tệp trống, không có dữ liệu."))
    return data


def too_big_message(limit: int) -> str:
    return _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:g}"}


def detect_kind(data: bytes) -> str:
    """ "xlsx" or "csv", from the bytes; SpreadsheetError for anything else."""
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in data:
            raise SpreadsheetError(
                _("Tệp Excel đang được đặt mật khẩu. Hãy mở tệp, bỏ mật khẩu, lưu lại rồi tải lên.")
            )
        raise SpreadsheetError(
            _("Đây là tệp Excel cũ (.xls). Hãy mở bằng Excel và lưu lại dạng .xlsx rồi tải lên.")
        )
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    head = data[:4096]
    if head.startswith(_OTHER_FORMATS) or _CONTROL.search(head):
        raise SpreadsheetError(_not_a_spreadsheet())
    return "csv"


def _not_a_spreadsheet() -> str:
    return _("Tệp không phải là bảng tính Excel (.xlsx) hoặc CSV.")


def _broken_xlsx() -> str:
    return _("Tệp Excel bị hỏng hoặc không đầy đủ, không đọc được. Hãy mở và lưu lại tệp.")


def archive_problem(data: bytes) -> str | None:
    """Why an XLSX must not be opened, read from its zip directory and the
    first bytes of its sheet only (milliseconds): what it would expand to
    beyond settings.CHIBO_MAX_UNCOMPRESSED_BYTES (a 1 MB file that expands to
    1 GB), or more rows declared than settings.CHIBO_IMPORT_MAX_ROWS."""
    if not data.startswith(_ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            expanded = sum(i.file_size for i in infos)
            limit = settings.CHIBO_MAX_UNCOMPRESSED_BYTES
            if expanded > limit:
                return _(
                    "Tệp này khi giải nén lên tới %(size)s MB, vượt giới hạn %(limit)s MB: "
                    "không phải một bảng danh sách bình thường. Hãy lưu lại chỉ trang dữ liệu "
                    "cần nhập rồi tải lên."
                ) % {"size": f"{expanded / 1024 / 1024:,.0f}", "limit": f"{limit / 1024 / 1024:g}"}
            rows = _declared_rows(zf)
    except Exception:
        return None  # a broken file gets its own message when it is read
    if rows and rows > settings.CHIBO_IMPORT_MAX_ROWS:
        return _(
            "Trang tính khai báo %(rows)s dòng, vượt giới hạn %(limit)s dòng một lần nhập. "
            "Hãy chia tệp thành nhiều tệp nhỏ hơn."
        ) % {
            "rows": f"{rows:,}".replace(",", "."),
            "limit": f"{settings.CHIBO_IMPORT_MAX_ROWS:,}".replace(",", "."),
        }
    return None


def _declared_rows(zf: zipfile.ZipFile) -> int | None:
    sheets = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    if not sheets:
        return None
    with zf.open(sheets[0]) as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    m = re.search(r'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', head)
    return int(m.group(1)) if m and m.group(1) else None


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    problem = archive_problem(data)
    if problem:
        raise SpreadsheetError(problem)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except Exception as exc:
        raise SpreadsheetError(_broken_xlsx()) from exc
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise SpreadsheetError(_not_a_spreadsheet())
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - the slower pure-Python reader
        return _openpyxl_rows(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises its own kinds on a broken file
        raise SpreadsheetError(_broken_xlsx()) from exc

    def calamine_rows() -> Iterator[tuple]:
        try:
            yield from (tuple(r) for r in rows)
        except Exception as exc:
            raise SpreadsheetError(_broken_xlsx()) from exc

    return calamine_rows()


def _openpyxl_rows(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl and zipfile raise many kinds on a broken file
        raise SpreadsheetError(_broken_xlsx()) from exc

    def rows() -> Iterator[tuple]:
        try:
            yield from sheet.iter_rows(values_only=True)
        except Exception as exc:
            raise SpreadsheetError(_broken_xlsx()) from exc
        finally:
            workbook.close()

    return rows()


def _csv_rows(data: bytes) -> Iterator[tuple]:
    message = _(
        "Tệp CSV không ở mã UTF-8 (có thể là mã TCVN3, VNI hoặc Windows-1258). "
        "Hãy lưu lại dạng “CSV UTF-8” hoặc dùng tệp Excel (.xlsx)."
    )
    try:
        # the head decides the delimiter and catches most wrong encodings at once;
        # the rest is decoded as it is read, never held as one big string
        head = data[:65536].decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        if exc.start < 65536 - 4:  # not just a character cut by the 64 KiB boundary
            raise SpreadsheetError(message) from exc
        head = data[: exc.start].decode("utf-8-sig")
    head = head[:8192]
    delimiter = ";" if head.count(";") > head.count(",") else ","
    if "\t" in head and head.count("\t") > head.count(delimiter):
        delimiter = "\t"
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[tuple]:
        try:
            for r in reader:
                yield tuple(r)
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(message) from exc
        except csv.Error as exc:
            raise SpreadsheetError(
                _("Tệp CSV sai định dạng ở dòng %(row)s.") % {"row": reader.line_num}
            ) from exc

    return rows()


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        # chibo.text.normalize, inlined: it runs for every cell of the file
        value = " ".join(unicodedata.normalize("NFC", value).split())
        return value or None
    return value


def _locate_header(kind: str, raw_rows: Iterator[tuple], columns: list[Column]) -> Sheet:
    by_key: dict[str, Column] = {}
    for c in columns:
        for k in c.keys:
            by_key.setdefault(k, c)
    scanned: list[tuple] = []
    best: tuple[int, int] | None = None  # (matches, index)
    for index, raw in enumerate(raw_rows):
        scanned.append(raw)
        matches = len({by_key[k].key for k in map(header_key, raw) if k in by_key})
        if matches >= 2 and (best is None or matches > best[0]):
            best = (matches, index)
        if index + 1 >= HEADER_SCAN_ROWS:
            break
    if best is None:
        if not any(any(_clean(v) is not None for v in r) for r in scanned):
            raise SpreadsheetError(_("Tệp trống, không có dữ liệu."))
        expected = ", ".join(f"“{c.label}”" for c in columns if c.required) or ", ".join(
            f"“{c.label}”" for c in columns[:4]
        )
        raise SpreadsheetError(
            _(
                "Không tìm thấy dòng tiêu đề trong %(n)s dòng đầu của tệp. "
                "Dòng tiêu đề cần có các cột như %(expected)s."
            )
            % {"n": HEADER_SCAN_ROWS, "expected": expected}
        )
    header_index = best[1]
    header = scanned[header_index]
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    unknown: list[str] = []
    for pos, cell in enumerate(header):
        text = normalize(str(cell)) if cell is not None else ""
        column = by_key.get(header_key(text))
        if column is None:
            if text:
                unknown.append(text)
            continue
        if column.key in positions:
            raise SpreadsheetError(
                _("Cột “%(header)s” xuất hiện hai lần trong dòng tiêu đề.") % {"header": text}
            )
        positions[column.key] = pos
        written[column.key] = text
    missing = [c.label for c in columns if c.required and c.key not in positions]
    if missing:
        raise SpreadsheetError(
            _("Thiếu cột bắt buộc: %(columns)s (dòng tiêu đề là dòng %(row)s).")
            % {"columns": ", ".join(f"“{m}”" for m in missing), "row": header_index + 1}
        )

    def rows() -> Iterator[Row]:
        number = header_index + 1
        for raw in _chain(scanned[header_index + 1 :], raw_rows):
            number += 1
            values = {
                key: _clean(raw[pos]) if pos < len(raw) else None for key, pos in positions.items()
            }
            if all(v is None for v in values.values()):
                continue
            yield Row(number=number, values=values, cells=raw)

    return Sheet(
        kind=kind,
        header_row=header_index + 1,
        headers=written,
        unknown_headers=unknown,
        rows=rows(),
        header_cells=tuple(header),
    )


def _chain(first: list[tuple], rest: Iterator[tuple]) -> Iterator[tuple]:
    yield from first
    yield from rest


def estimate_rows(source: bytes) -> int:
    """A cheap guess of the number of rows, to choose between answering now and
    working in the background. Never raises."""
    try:
        if source.startswith(_ZIP_MAGIC):
            if archive_problem(source):
                return 0  # refused when it is read, without expanding it here
            with zipfile.ZipFile(io.BytesIO(source)) as zf:
                sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
                if not sheets:
                    return 0
                with zf.open(sorted(sheets)[0]) as fh:
                    head = fh.read(4096).decode("utf-8", "replace")
                m = re.search(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
                if m:
                    return int(m.group(1))
                # no dimension (write-only workbooks): count the rows
                count = 0
                with zf.open(sorted(sheets)[0]) as fh:
                    while chunk := fh.read(1 << 20):
                        count += chunk.count(b"<row ") + chunk.count(b"<row>")
                return count
        return source.count(b"\n")
    except Exception:
        return len(source) // 100


# --- cells ---------------------------------------------------------------------


def format_date(day: date | None) -> str:
    return dmy(day) if day else ""


def parse_date(value: Any) -> date | None:
    """A real spreadsheet date, an Excel serial number, or a date as text, read
    by chibo.dates.parse_day, the parser of every form (dd/mm/yyyy, 1/12/26,
    01.12.2026, 01-12-2026, yyyy-mm-dd). None if empty; CellError with the same
    Vietnamese message as the forms otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 100000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(_("“%(value)s” không phải là ngày (dd/mm/yyyy).") % {"value": value})
    try:
        return parse_day(str(value))
    except DateError as exc:
        raise CellError(exc.message) from exc


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing ".0", dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, str):
        return normalize(value)
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return format_date(value.date())
    if isinstance(value, date):
        return format_date(value)
    return normalize(str(value))


def cell_digits(value: Any, *, width: int | None = None) -> str:
    """Digits typed as a number lose their leading zeros in Excel; put them back
    up to `width` for numeric cells (a CCCD always has 12 digits)."""
    text = cell_text(value)
    if width and isinstance(value, int | float) and not isinstance(value, bool):
        text = text.zfill(width)
    compact = text.replace(" ", "").replace(".", "")
    return compact if compact.isdigit() else text


# --- writing -------------------------------------------------------------------


@dataclass
class XlsxSheet:
    """One sheet for `build_workbook`: an optional title line, the header row
    (bold, frozen), then the rows. Columns listed in `date_columns` (0-based)
    are formatted dd/mm/yyyy; those in `text_columns` as text so that Excel
    keeps leading zeros of card numbers and CCCD. `notes` puts a comment on a
    data cell and fills it red: {(row index, column index): message}, both
    0-based, the row counted from the first data row."""

    headers: list[str]
    rows: Iterable[Iterable[Any]]
    name: str = "Danh sách"
    title: str = ""
    date_columns: Iterable[int] = ()
    text_columns: Iterable[int] = ()
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    widths: dict[int, int] = field(default_factory=dict)


def build_xlsx(
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    title: str = "",
    sheet_name: str = "Danh sách",
    date_columns: Iterable[int] = (),
    text_columns: Iterable[int] = (),
) -> bytes:
    """A one-sheet workbook (see XlsxSheet)."""
    return build_workbook(
        [
            XlsxSheet(
                headers,
                rows,
                name=sheet_name,
                title=title,
                date_columns=date_columns,
                text_columns=text_columns,
            )
        ]
    )


def build_workbook(sheets: list[XlsxSheet]) -> bytes:
    """A workbook of `sheets`, the first one active."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(workbook, spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ERROR_FILL = "FFC7CE"  # Excel's own "bad" red

# What openpyxl refuses (IllegalCharacterError): C0 controls but tab, LF, CR.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def writable_text(value: str) -> str:
    """`value` without the control characters no spreadsheet can hold."""
    return _UNWRITABLE.sub("", value)


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def csv_row(values: Iterable[Any]) -> list[Any]:
    """One CSV line's values, safe to open in Excel (see the module's docstring)."""
    out = []
    for value in values:
        if isinstance(value, str):
            value = writable_text(value)
            if is_formula_like(value):
                value = "'" + value
        out.append(value)
    return out


def xlsx_row(sheet, values: Iterable[Any]) -> list[Any]:
    """One workbook row's values for `sheet.append`, safe (see the module's
    docstring): text that would start a formula becomes a text cell."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in values:
        if isinstance(value, str):
            value = writable_text(value)
            if is_formula_like(value):
                value = _text_cell(WriteOnlyCell(sheet, value=value), value)
        out.append(value)
    return out


def _text_cell(cell, text: str):
    cell.value = text
    cell.data_type = "s"  # openpyxl would take a leading "=" as a formula
    return cell


def _write_sheet(workbook, spec: XlsxSheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    sheet = workbook.create_sheet(spec.name[:31])
    dates = set(spec.date_columns)
    texts = set(spec.text_columns)
    fill = PatternFill("solid", fgColor=_ERROR_FILL) if spec.notes else None

    def cell(value, bold=False, fmt=None, note=None):
        if isinstance(value, str):
            value = writable_text(value)
        c = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and is_formula_like(value):
            _text_cell(c, value)
        if bold:
            c.font = Font(bold=True)
        if fmt:
            c.number_format = fmt
        if note:
            c.comment = Comment(note, "chibo", width=320, height=120)
            c.fill = fill
        return c

    for i, h in enumerate(spec.headers):
        width = spec.widths.get(i) or max(12, min(40, len(str(h or "")) + 4))
        sheet.column_dimensions[_col_letter(i)].width = width
    if spec.title:
        sheet.append([cell(spec.title, bold=True)])
    sheet.freeze_panes = "A3" if spec.title else "A2"
    sheet.append([cell(h, bold=True) for h in spec.headers])
    notes = spec.notes
    for r, row in enumerate(spec.rows):
        out = []
        for i, value in enumerate(row):
            note = notes.get((r, i)) if notes else None
            if i in dates and isinstance(value, date):
                out.append(cell(value, fmt="dd/mm/yyyy", note=note))
            elif i in texts and value not in (None, ""):
                out.append(cell(str(value), fmt="@", note=note))
            elif note or isinstance(value, str):
                out.append(cell(value, note=note) if note else xlsx_row(sheet, (value,))[0])
            else:
                out.append(value)
        sheet.append(out)


def _col_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)

"""XLSX, CSV, JSON, PDF and .docx from a report's Table: the same rows the page shows."""

import csv
import io
import json
import re

from chibo.text import slug
from reports.pdf import to_docx, to_pdf
from reports.tables import Table

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMATS = tuple(CONTENT_TYPES)


def filename(table: Table, fmt: str) -> str:
    """ "bao-cao-ty-le-sinh-hoat-dang-bo-phuong-binh-phuoc-2026-theo-don-vi.pdf":
    the report, the unit, the period, and "theo-don-vi" for a breakdown, so the
    summary and the breakdown never share a name."""
    stem = slug(
        "Báo cáo",
        table.short_title or table.title,
        table.unit_name,
        table.period_words,
        "theo đơn vị" if table.by_children else "",
    )
    return f"{stem}.{fmt}"


def sheet_name(table: Table) -> str:
    r"""A Vietnamese sheet name Excel accepts (31 characters, none of []:*?/\)."""
    name = re.sub(r"[\[\]:*?/\\]", " ", str(table.short_title or table.title or "Báo cáo"))
    return " ".join(name.split())[:31] or "Báo cáo"


def _lines(table: Table):
    """Every line of the report, in order, as lists of plain values."""
    yield [table.title]
    yield [table.unit_name]
    yield [table.scope_text]
    for section in table.sections:
        yield []
        yield [section.title]
        yield [c.label for c in section.columns]
        yield from section.rows
        if section.totals:
            yield section.totals


def to_json(table: Table) -> bytes:
    return json.dumps(table.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _lines(table):
        writer.writerow(["" if v is None else v for v in line])
    # A byte-order mark so that Excel opens the Vietnamese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(table)
    bold = Font(bold=True)
    sheet.append([table.title])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
    sheet.append([table.unit_name])
    sheet.append([table.scope_text])
    width = 1
    for section in table.sections:
        width = max(width, len(section.columns))
        sheet.append([])
        sheet.append([section.title])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([c.label for c in section.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        lines = list(section.rows) + ([section.totals] if section.totals else [])
        for i, line in enumerate(lines):
            sheet.append(line)
            row = sheet[sheet.max_row]
            for col, cell in zip(section.columns, row, strict=False):
                if col.kind == "pct":
                    cell.number_format = "0.0"
                elif col.kind == "int":
                    cell.number_format = "#,##0"
            if section.totals and i == len(lines) - 1:
                for cell in row:
                    cell.font = bold
    sheet.column_dimensions["A"].width = 40
    for index in range(2, width + 1):
        from openpyxl.utils import get_column_letter

        sheet.column_dimensions[get_column_letter(index)].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, fmt: str) -> bytes:
    if fmt == "json":
        return to_json(table)
    if fmt == "csv":
        return to_csv(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    if fmt == "pdf":
        return to_pdf(table)
    if fmt == "docx":
        return to_docx(table)
    raise ValueError(fmt)

"""An official form in its printed layout, the same on the page, in the PDF,
the .docx and the XLSX: the issuing committee top left, "Biểu số …" top
right, the title with the year (or "có đến ngày …"), "Đvt: Người", the
table with its column numbers, the version and its source, the lines whose
wording is a proxy, the cross-checks, then the place and date, "NGƯỜI LẬP
BIỂU" and the committee's signer."""

import io
from datetime import date

from reports.tables import Table


def header_of(table: Table, today: date | None = None) -> dict:
    from documents.header import date_line, official_header
    from organizations.models import Unit

    today = today or date.today()
    unit = Unit.objects.filter(pk=table.unit_id).first()
    if unit is None:
        return {
            "issuer_parent": "",
            "issuer": table.unit_name,
            "date_line": date_line("", today),
            "signer": {"on_behalf": "T/M ĐẢNG ỦY", "title": "BÍ THƯ", "name": ""},
            "unit": None,
        }
    header = official_header(unit, today)
    # the unit's name as it was on the form's date
    return {**header, "issuer": table.unit_name, "unit": unit}


def column_numbers(section) -> list[str]:
    """The numbers printed under the headings, as the forms number them:
    "Chỉ tiêu (1) | Kỳ này (2) | Cùng kỳ năm trước (3) | % (4 = 2:3)"; the
    code column has none."""
    out, n = [], 0
    for column in section.columns:
        if column.key == "code":
            out.append("")
            continue
        n += 1
        out.append(f"({n} = {n - 2}:{n - 1})" if column.key == "pct" and n > 2 else f"({n})")
    return out


def lines_of(section) -> list[dict]:
    """Each row as the layouts print it: its code, its values, whether it is
    a heading line or a proxy (marked † and explained under the form)."""
    out = []
    for i, row in enumerate(section.rows):
        flags = section.flags[i] if i < len(section.flags) else ""
        out.append(
            {
                "code": section.codes[i] if i < len(section.codes) else "",
                "cells": list(zip(row, section.columns, strict=False)),
                "strong": "strong" in flags,
                "proxy": "proxy" in flags,
            }
        )
    return out


def form_context(table: Table, *, today: date | None = None) -> dict:
    header = header_of(table, today)
    return {
        **header,
        "table": table,
        "form": table.form,
        "sections": [
            {"section": s, "lines": lines_of(s), "numbers": column_numbers(s)}
            for s in table.sections
        ],
    }


def json_lines(table: Table) -> list[dict]:
    """Per section, each row with its official code, label and values per
    column (item 8): what higher levels and other software aggregate."""
    out = []
    for section in table.sections:
        rows = []
        keys = [c.key for c in section.columns]
        for i, row in enumerate(section.rows):
            values = dict(zip(keys, row, strict=False))
            # the section's code (unique in the form, as the page's data-code
            # shows it: Biểu 4's "II.1", Biểu 2b's "2b.1") before the TT column's
            code = values.pop("code", None)
            code = (section.codes[i] if i < len(section.codes) else "") or code or ""
            label = values.pop("label", None)
            if label is None:
                label = values.pop("name", row[0])
            flags = section.flags[i] if i < len(section.flags) else ""
            rows.append({"code": code, "label": label, "values": values, "proxy": "proxy" in flags})
        out.append({"title": section.title, "rows": rows})
    return out


# --- XLSX --------------------------------------------------------------------


def to_xlsx(table: Table, *, today: date | None = None) -> bytes:
    """The form as an office prints or edits it: the layout's cells, numbers
    as numbers, each total line a formula over its parts, the percentage
    column a formula of the two before it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    ctx = form_context(table, today=today)
    form = table.form
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_name(table)
    width = max(len(s.columns) for s in table.sections)
    font = "Times New Roman"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(row, col, value, *, bold=False, italic=False, size=12, align=None, merge_to=None):
        cell = sheet.cell(row=row, column=col, value=value)
        cell.font = Font(name=font, bold=bold, italic=italic, size=size)
        if align:
            cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if merge_to:
            sheet.merge_cells(start_row=row, start_column=col, end_row=row, end_column=merge_to)
        return cell

    half = max(2, width // 2)
    put(1, 1, (ctx["issuer_parent"] or "").upper(), align="center", merge_to=half)
    put(2, 1, ctx["issuer"].upper(), bold=True, align="center", merge_to=half)
    put(1, half + 1, form["number"], bold=True, align="right", merge_to=width)
    put(4, 1, form["title"], bold=True, size=14, align="center", merge_to=width)
    put(5, 1, form["period_line"].upper(), bold=True, align="center", merge_to=width)
    put(
        6,
        1,
        f"{form['set_name']}: {form['source']}",
        italic=True,
        size=10,
        align="center",
        merge_to=width,
    )
    put(7, width, form["unit_line"], italic=True, align="right")
    row = 8
    for block in ctx["sections"]:
        section = block["section"]
        if len(table.sections) > 1:
            put(row, 1, section.title, bold=True, merge_to=width)
            row += 1
        for col, column in enumerate(section.columns, start=1):
            cell = put(row, col, str(column.label), bold=True, align="center")
            cell.border, cell.alignment = box, center
        row += 1
        for col, number in enumerate(block["numbers"], start=1):
            cell = put(row, col, number, italic=True, size=10, align="center")
            cell.border = box
        row += 1
        first = row
        code_rows = {
            line["code"]: first + i for i, line in enumerate(block["lines"]) if line["code"]
        }
        sums = _sum_lines(table, section)
        keys = [c.key for c in section.columns]
        for line in block["lines"]:
            for col, (value, column) in enumerate(line["cells"], start=1):
                letter = get_column_letter(col)
                if column.kind == "int" and line["code"] in sums and column.key in ("this", "last"):
                    parts = [
                        f"{letter}{code_rows[c]}" for c in sums[line["code"]] if c in code_rows
                    ]
                    value = f"=SUM({','.join(parts)})" if parts else value
                if column.key == "pct" and "this" in keys and "last" in keys:
                    a = get_column_letter(keys.index("this") + 1)
                    b = get_column_letter(keys.index("last") + 1)
                    value = f'=IF({b}{row}=0,"",ROUND({a}{row}*100/{b}{row},1))'
                if column.kind == "text" and col == 2 and line["proxy"]:
                    value = f"{value} (†)"
                cell = put(row, col, value, bold=line["strong"], align=None)
                cell.border = box
                if column.kind == "int":
                    cell.number_format = "#,##0"
                elif column.kind == "pct":
                    cell.number_format = "0.0"
            row += 1
        if section.totals:
            for col, (value, column) in enumerate(
                zip(section.totals, section.columns, strict=False), 1
            ):
                letter = get_column_letter(col)
                if column.kind == "int":
                    value = f"=SUM({letter}{first}:{letter}{row - 1})"
                cell = put(row, col, value, bold=True)
                cell.border = box
            row += 1
        if section.note:
            put(row, 1, str(section.note), italic=True, size=10, merge_to=width)
            row += 1
        row += 1
    row = _xlsx_notes(put, form, row, width)
    row += 1
    put(row, half + 1, ctx["date_line"], italic=True, align="center", merge_to=width)
    row += 1
    put(row, 1, "NGƯỜI LẬP BIỂU", bold=True, align="center", merge_to=half)
    put(row, half + 1, ctx["signer"]["on_behalf"], bold=True, align="center", merge_to=width)
    row += 1
    put(row, 1, "(Ký, ghi rõ họ và tên)", italic=True, size=10, align="center", merge_to=half)
    put(row, half + 1, ctx["signer"]["title"], bold=True, align="center", merge_to=width)
    row += 4
    put(row, half + 1, ctx["signer"]["name"], bold=True, align="center", merge_to=width)
    sheet.column_dimensions["A"].width = 7
    sheet.column_dimensions["B"].width = 58
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if form.get("landscape") else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(table: Table) -> str:
    r"""A sheet name Excel accepts (31 characters, none of []:*?/\)."""
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(table.short_title or table.title))
    return " ".join(name.split())[:31] or "Biểu"


def _xlsx_notes(put, form, row, width) -> int:
    for proxy in form.get("proxies", []):
        put(row, 1, f"(†) {proxy['code']}: {proxy['why']}", italic=True, size=10, merge_to=width)
        row += 1
    if form.get("set_note"):
        put(row, 1, form["set_note"], italic=True, size=10, merge_to=width)
        row += 1
    for check in form.get("checks", []):
        mark = "Đúng" if check["ok"] else "CẢNH BÁO – không khớp"
        detail = f" ({check['detail']})" if check["detail"] else ""
        put(
            row,
            1,
            f"Kiểm tra {check['label']}: {mark}{detail}",
            italic=not check["ok"],
            bold=not check["ok"],
            size=10,
            merge_to=width,
        )
        row += 1
    return row


def _sum_lines(table: Table, section) -> dict[str, tuple[str, ...]]:
    """{code: the codes it adds up} for the section's lines, from the form's
    version (reports.statforms.base.Line.sum_of)."""
    from reports.catalogue import get_report

    report = get_report(table.report)
    if report is None or not hasattr(report, "version_for"):
        return {}
    _set, version = report.version_for(table.end or table.day)
    lines = list(version.lines)
    for group in version.extra.values():
        lines.extend(group)
    codes = set(section.codes)
    return {
        line.code: line.sum_of
        for line in lines
        if line.sum_of and line.code in codes and all(c in codes for c in line.sum_of)
    }

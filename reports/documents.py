"""A report as a document, PDF and .docx, in the official layout: the issuing
committee and the one above it top left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the
place and date top right, the same tables and SVG charts as the page (in the
.docx each chart is the SVG with a PNG of it for older readers), signed for
the committee by its secretary."""

from datetime import date

from django.utils.translation import gettext_lazy

from documents import docx_builder as b
from documents.header import date_line, official_header
from documents.kinds import DocumentKind, register
from organizations.models import Unit
from reports import charts
from reports.tables import Table


def document_context(table: Table, *, today: date | None = None) -> dict:
    today = today or date.today()
    unit = Unit.objects.filter(pk=table.unit_id).first()
    header = (
        official_header(unit, today)
        if unit is not None
        else {
            "issuer_parent": "",
            "date_line": date_line("", today),
            "signer": {"on_behalf": "T/M ĐẢNG ỦY", "title": "BÍ THƯ", "name": ""},
        }
    )
    # the unit's name as it was on the report's date, not as it is now
    return {
        **header,
        "issuer": table.unit_name,
        "table": table,
        "doc_number": "……/BC",
        "unit": unit,
    }


def _figure(value, kind: str) -> str:
    if value is None or value == "":
        return "–" if kind != "text" else ""
    if kind == "text" or isinstance(value, str):
        return str(value)
    return charts._number(value)


def _report_body(tpl, context: dict) -> dict:
    """The sections as a sub-document: their tables have the report's own
    columns, which template tags cannot spell."""
    table: Table = context["table"]
    doc = tpl.new_subdoc()
    b.para(doc, table.scope_text, italic=True, align="center")
    for n, section in enumerate(table.sections, start=1):
        b.heading(doc, f"{n}. {section.title}")
        grid = doc.add_table(rows=1, cols=len(section.columns))
        grid.style = "Table Grid"
        size = 10 if len(section.columns) > 8 else 12
        for cell, column in zip(grid.rows[0].cells, section.columns, strict=True):
            b.cell_text(cell, str(column.label), bold=True, size=size)
        lines = [(row, False) for row in section.rows]
        if section.totals:
            lines.append((section.totals, True))
        if not lines:
            row = grid.add_row()
            b.cell_text(row.cells[0], "Không có số liệu.", size=size, align="left")
        for values, total in lines:
            row = grid.add_row()
            b.cant_split(row)
            for cell, value, column in zip(row.cells, values, section.columns, strict=False):
                b.cell_text(
                    cell,
                    _figure(value, column.kind),
                    bold=total,
                    size=size,
                    align="left" if column.kind == "text" else "right",
                )
        svgs = charts.svgs(section.chart)
        if svgs:
            b.para(doc, "")
            b.svg_pictures(doc, svgs)
        if section.note:
            b.para(doc, str(section.note), italic=True)
    return {"body": doc}


def build_report():
    doc = b.new_document()
    b.header(doc)
    b.title(
        doc,
        "BÁO CÁO",
        "{{ table.title }}{% if table.by_children %} – theo đơn vị trực thuộc{% endif %}",
    )
    b.para(doc, "{{p body }}")
    b.para(doc, "", keep_with_next=True)
    b.signatures(doc, b.recipients("Cấp ủy cấp trên,", "Lưu văn phòng."), b.SIGNER)
    return doc


REPORT = register(
    DocumentKind(
        key="report",
        label=gettext_lazy("Báo cáo thống kê"),
        pdf_template="reports/pdf/report.html",
        build_docx=build_report,
        docx_parts=_report_body,
    )
)


# --- the official statistics forms (reports/statforms) ----------------------------


def _form_body(tpl, context: dict) -> dict:
    """The form's tables (their columns vary by form), the proxies and the
    cross-checks, as a sub-document."""
    doc = tpl.new_subdoc()
    form = context["form"]
    for block in context["sections"]:
        section = block["section"]
        if len(context["sections"]) > 1:
            b.heading(doc, section.title)
        grid = doc.add_table(rows=2, cols=len(section.columns))
        grid.style = "Table Grid"
        size = 9 if len(section.columns) > 8 else 11
        for cell, column in zip(grid.rows[0].cells, section.columns, strict=True):
            b.cell_text(cell, str(column.label), bold=True, size=size)
        for cell, number in zip(grid.rows[1].cells, block["numbers"], strict=True):
            b.cell_text(cell, number, italic=True, size=size)
        for line in block["lines"]:
            row = grid.add_row()
            b.cant_split(row)
            for i, (cell, (value, column)) in enumerate(
                zip(row.cells, line["cells"], strict=False)
            ):
                text = _figure(value, column.kind)
                if i == 1 and line["proxy"]:
                    text += " (†)"
                b.cell_text(
                    cell,
                    text,
                    bold=line["strong"],
                    size=size,
                    align="left" if column.kind == "text" else "right",
                )
        if section.totals:
            row = grid.add_row()
            for cell, value, column in zip(
                row.cells, section.totals, section.columns, strict=False
            ):
                b.cell_text(cell, _figure(value, column.kind), bold=True, size=size)
        if section.note:
            b.para(doc, str(section.note), italic=True, size=10)
    for proxy in form.get("proxies", []):
        b.para(doc, f"(†) {proxy['code']}: {proxy['why']}", italic=True, size=10)
    if form.get("set_note"):
        b.para(doc, form["set_note"], italic=True, size=10)
    for check in form.get("checks", []):
        mark = "đúng" if check["ok"] else "CẢNH BÁO – không khớp"
        detail = f" ({check['detail']})" if check["detail"] else ""
        b.para(
            doc,
            f"Kiểm tra {check['label']}: {mark}{detail}",
            italic=True,
            size=10,
            bold=not check["ok"],
        )
    return {"body": doc}


def _build_form(landscape: bool):
    def build():
        from docx.enum.table import WD_TABLE_ALIGNMENT

        doc = b.new_document(landscape=landscape)
        table = doc.add_table(rows=1, cols=2)
        b._no_borders(table)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        b.cell_text(left, "{{ issuer_parent|upper }}", size=12)
        b.cell_text(left, "{{ issuer|upper }}", bold=True, size=12)
        b.cell_text(left, "*", size=12)
        b.cell_text(right, "{{ form.number }}", bold=True, size=12)
        b.title(doc, "{{ form.title }}", "{{ form.period_line|upper }}")
        b.para(doc, "{{ form.set_name }}: {{ form.source }}", italic=True, align="center", size=10)
        b.para(doc, "{{ form.unit_line }}", italic=True, align="right", size=12)
        b.para(doc, "{{p body }}")
        b.para(doc, "{{ date_line }}", italic=True, align="right", keep_with_next=True)
        b.signatures(
            doc,
            [
                ("NGƯỜI LẬP BIỂU", {"bold": True}),
                ("(Ký, ghi rõ họ và tên)", {"italic": True, "size": 11}),
                b.SPACE,
                b.SPACE,
                b.SPACE,
            ],
            b.SIGNER,
        )
        return doc

    return build


FORM = register(
    DocumentKind(
        key="statform",
        label=gettext_lazy("Biểu thống kê cơ bản"),
        pdf_template="reports/pdf/form.html",
        build_docx=_build_form(False),
        docx_parts=_form_body,
    )
)
FORM_WIDE = register(
    DocumentKind(
        key="statform_wide",
        label=gettext_lazy("Biểu thống kê cơ bản (khổ ngang)"),
        pdf_template="reports/pdf/form.html",
        build_docx=_build_form(True),
        docx_parts=_form_body,
    )
)

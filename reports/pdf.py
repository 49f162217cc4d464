"""A report as a PDF in the official Party document layout (the shared
chibo/pdf.py and templates/pdf/), ready to sign and send: the issuing
committee and the one above it top left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the
place and date top right, the same tables and SVG charts as the page.

Up to CHIBO_PDF_TYPST_ROWS table rows WeasyPrint sets reports/pdf/report.html;
longer reports (a province broken down by its 1,000 sub-units) go to Typst,
reports/pdf/report.typ, in the same layout: WeasyPrint needs 10 s and more
for 1,000 rows, Typst well under one (bench/bench_pdf.py). The .docx, and the
PDF set by WeasyPrint, come from the one document mechanism (documents.render)
with the context of reports/documents.py."""

from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from chibo.pdf import render_typst
from documents.render import render
from reports import charts
from reports.documents import document_context
from reports.statforms.layout import form_context
from reports.tables import Table
from reports.templatetags.reports_tags import figure


def row_count(table: Table) -> int:
    return sum(len(s.rows) for s in table.sections)


def to_pdf(table: Table, *, today: date | None = None, engine: str = "") -> bytes:
    """`engine` ("weasyprint" or "typst") overrides the choice by length."""
    if table.form and not table.by_children:
        context = form_context(table, today=today)
        return render("statform", context, "pdf", unit=context["unit"])
    context = document_context(table, today=today)
    engine = engine or ("typst" if row_count(table) > settings.CHIBO_PDF_TYPST_ROWS else "")
    if engine == "typst":
        return render_typst("reports/pdf/report.typ", typst_data(context))
    return render("report", context, "pdf", unit=context["unit"])


def to_docx(table: Table, *, today: date | None = None) -> bytes:
    if table.form and not table.by_children:
        context = form_context(table, today=today)
        kind = "statform_wide" if table.form.get("landscape") else "statform"
        return render(kind, context, "docx", unit=context["unit"])
    context = document_context(table, today=today)
    return render("report", context, "docx", unit=context["unit"])


def typst_data(context: dict) -> dict:
    """What report.typ reads: every text ready-made, figures written the
    Vietnamese way by the same filter as the HTML's."""
    table = context["table"]
    subtitle = table.title + (f" – {_('theo đơn vị trực thuộc')}" if table.by_children else "")
    sections = []
    for s in table.sections:
        kinds = [c.kind for c in s.columns]
        sections.append(
            {
                "title": s.title,
                "columns": [str(c.label) for c in s.columns],
                "right": [k != "text" for k in kinds],
                "rows": [
                    [str(figure(v, k)) for v, k in zip(row, kinds, strict=False)] for row in s.rows
                ],
                "totals": [str(figure(v, k)) for v, k in zip(s.totals, kinds, strict=False)]
                if s.totals
                else None,
                "charts": charts.svgs(s.chart),
                "empty": _("Không có số liệu."),
            }
        )
    return {
        "title": table.title,
        "issuer": context["issuer"],
        "issuer_parent": context["issuer_parent"],
        "doc_number": context["doc_number"],
        "place_date": context["date_line"],
        "signer": context["signer"],
        "doc_title": _("Báo cáo"),
        "subtitle": subtitle,
        "scope": table.scope_text,
        "sections": sections,
    }

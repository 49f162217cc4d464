"""A report as PDF or .docx: the one document mechanism (documents.render)
with the context of reports/documents.py."""

from datetime import date

from documents.render import render
from reports.documents import document_context
from reports.tables import Table


def to_pdf(table: Table, *, today: date | None = None) -> bytes:
    context = document_context(table, today=today)
    return render("report", context, "pdf", unit=context["unit"])


def to_docx(table: Table, *, today: date | None = None) -> bytes:
    context = document_context(table, today=today)
    return render("report", context, "docx", unit=context["unit"])

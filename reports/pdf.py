"""A report as a PDF in the official Party document layout, ready to sign."""

from datetime import date

from django.template.loader import render_to_string

from reports.tables import Table


def to_pdf(table: Table, *, issuer: str = "", place: str = "") -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "reports/pdf/report.html",
        {
            "table": table,
            "issuer": issuer or table.unit_name,
            "place": place,
            "today": date.today(),
        },
    )
    return HTML(string=html).write_pdf()

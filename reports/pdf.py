"""A report as a PDF in the official Party document layout (the shared
chibo/pdf.py and templates/pdf/official_base.html), ready to sign and send:
the issuing committee and the one above it top left, "ĐẢNG CỘNG SẢN VIỆT
NAM" and the place and date top right, the same tables and SVG charts as
the page."""

from datetime import date

from chibo.pdf import render_pdf
from organizations.models import Unit
from reports.tables import Table


def to_pdf(table: Table, *, today: date | None = None) -> bytes:
    today = today or date.today()
    unit = (
        Unit.objects.select_related("parent", "administrative_unit")
        .filter(pk=table.unit_id)
        .first()
    )
    place = ""
    if unit is not None and unit.administrative_unit_id:
        place = unit.administrative_unit.name
    context = {
        "table": table,
        "issuer": table.unit_name,
        "issuer_parent": unit.parent.name if unit is not None and unit.parent_id else "",
        "doc_number": "……/BC",
        "place_name": place,
        "day": f"{today.day:02d}",
        "month_no": f"{today.month:02d}",
        "year": today.year,
    }
    return render_pdf("reports/pdf/report.html", context)

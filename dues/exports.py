"""The dues files of chibo.exports: the cell's dues book of a year (PDF,
.docx through documents/, XLSX) and a committee's monthly remittance list
(PDF, .docx, XLSX). A cell's or a ward's are made inside the request; a
province's remittance by the worker."""

from datetime import date

from django.http import Http404
from django.utils.translation import gettext as _

from chibo.exports import CONTENT_TYPES, ExportKind, Output, register
from chibo.pdf import render_typst
from chibo.spreadsheets import build_xlsx
from chibo.text import slug
from documents.render import render
from dues import selectors
from dues.documents import NOTE, advance_lines, book_context, book_typst_data, remittance_context
from members.models import Placement
from organizations.models import Unit
from organizations.selectors import reach_key, unit_for_user_or_404


def _unit(user, params: dict) -> Unit:
    return unit_for_user_or_404(user, params.get("unit"))


def _year(params: dict) -> int:
    raw = str(params.get("year", ""))
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404(_("Năm không hợp lệ."))
    return int(raw)


def _month(params: dict) -> date:
    raw = str(params.get("month", ""))
    try:
        year, month = (int(x) for x in raw.split("-"))
        return date(year, month, 1)
    except ValueError as exc:
        raise Http404(_("Tháng không hợp lệ.")) from exc


def _book_build(user, params: dict, fmt: str, progress) -> Output:
    unit = _unit(user, params)
    if not unit.is_cell:
        raise Http404(_("Sổ thu, nộp đảng phí là của chi bộ."))
    book = selectors.dues_book(unit, _year(params))
    stem = slug("Sổ thu nộp đảng phí", unit.name, str(book["year"]))
    if fmt == "xlsx":
        headers = ["TT", "Họ và tên", *[f"Tháng {k}" for k in range(1, 13)], "Cộng"]
        rows = []
        for i, line in enumerate(book["lines"], 1):
            cells = [
                c["paid"]
                if c["paid"]
                else ("miễn" if c["exempt"] else ("" if c["member"] else "–"))
                for c in line["cells"]
            ]
            rows.append([i, line["member"].full_name, *cells, line["total"]])
        rows.append(["", "Cộng", *book["month_totals"], book["total"]])
        rows.append(
            ["", f"Trích giữ lại ({book['kept_percent']}%)", *book["kept"], book["kept_total"]]
        )
        rows.append(["", "Nộp cấp trên", *book["remitted"], book["remitted_total"]])
        rows.append(["", NOTE, *[""] * 13])
        for text in advance_lines(book):
            rows.append(["", text, *[""] * 13])
        title = _("SỔ THU, NỘP ĐẢNG PHÍ — %(unit)s — năm %(year)s") % {
            "unit": unit.name,
            "year": book["year"],
        }
        return Output(
            build_xlsx(headers, rows, title=title, sheet_name="Sổ đảng phí"),
            f"{stem}.xlsx",
            CONTENT_TYPES["xlsx"],
        )
    context = book_context(unit, book)
    if fmt == "pdf":  # Typst: a cell's book in a fraction of WeasyPrint's four seconds
        body = render_typst("dues/pdf/book.typ", book_typst_data(context))
    else:
        body = render("dues_book", context, fmt, unit=unit)
    return Output(body, f"{stem}.{fmt}", CONTENT_TYPES[fmt])


def _book_estimate(user, params: dict, fmt: str) -> int:
    """The book's lines: the members placed in the cell at some time (a
    cell's book is made in the request; a very large one by the worker)."""
    unit = _unit(user, params)
    return Placement.objects.filter(unit=unit).values("member_id").distinct().count()


BOOK = register(
    ExportKind(
        name="dues.book",
        title=lambda params: _("Sổ thu, nộp đảng phí"),
        formats=("pdf", "xlsx", "docx"),
        scope=lambda user, params: reach_key(user, _unit(user, params)),
        estimate=_book_estimate,
        build=_book_build,
    )
)


def _remittance_build(user, params: dict, fmt: str, progress) -> Output:
    unit = _unit(user, params)
    r = selectors.remittance(unit, _month(params))
    stem = slug("Danh sách thu nộp đảng phí", unit.name, r["month"].strftime("%m-%Y"))
    context = remittance_context(unit, r)
    if fmt == "xlsx":
        headers = ["TT", "Đơn vị", "Số đảng viên đã đóng", "Số thu", "Trích giữ lại", "Nộp lên"]
        rows = [
            [i, line.unit.name, line.paid_count, line.collected, line.kept, line.remitted]
            for i, line in enumerate(r["lines"], 1)
        ]
        rows.append(
            [
                "",
                "Cộng",
                sum(x.paid_count for x in r["lines"]),
                sum(x.collected for x in r["lines"]),
                sum(x.kept for x in r["lines"]),
                r["received"],
            ]
        )
        rows.append(["", context["summary"], "", "", "", ""])
        title = _("DANH SÁCH THU, NỘP ĐẢNG PHÍ — %(unit)s — tháng %(month)s") % {
            "unit": unit.name,
            "month": context["month_text"],
        }
        return Output(
            build_xlsx(headers, rows, title=title, sheet_name="Thu nộp"),
            f"{stem}.xlsx",
            CONTENT_TYPES["xlsx"],
        )
    body = render("dues_remittance", context, fmt, unit=unit)
    return Output(body, f"{stem}.{fmt}", CONTENT_TYPES[fmt])


def _remittance_estimate(user, params: dict, fmt: str) -> int:
    """One line per unit under the committee, but the payments of every cell
    of the subtree are read: a province's list (1,000 lines, 5,779 units) is
    the worker's whatever the format, a ward's stays immediate."""
    unit = _unit(user, params)
    return Unit.objects.filter(path__startswith=unit.path).count()


REMITTANCE = register(
    ExportKind(
        name="dues.remittance",
        title=lambda params: _("Danh sách thu, nộp đảng phí"),
        formats=("pdf", "xlsx", "docx"),
        scope=lambda user, params: reach_key(user, _unit(user, params)),
        estimate=_remittance_estimate,
        build=_remittance_build,
    )
)

"""XLSX, CSV, JSON, PDF and .docx from a report's Table: the same rows the page
shows. And the two kinds of report file for chibo.exports: a live report
("reports.report") and a submitted one as frozen ("reports.submission"); a
ward's report is made inside the request, a province broken down by its
1,000 sub-units by the background worker."""

import csv
import io
import json
import re

from django.db.models import Count, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from chibo.exports import ExportKind, Output, register
from chibo.spreadsheets import csv_row, xlsx_row
from chibo.text import slug
from organizations.models import Unit
from organizations.selectors import reach_key, unit_for_user_or_404
from reports.catalogue import get_report, parse_params
from reports.models import Submission
from reports.pdf import to_docx, to_pdf
from reports.statforms.layout import json_lines
from reports.statforms.layout import to_xlsx as form_xlsx
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
    data = table.as_dict()
    if table.form:
        # each row with its official code, label and values per column
        data["lines"] = json_lines(table)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _lines(table):
        writer.writerow(csv_row("" if v is None else v for v in line))
    # A byte-order mark so that Excel opens the Vietnamese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    if table.form and not table.by_children:
        return form_xlsx(table)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(table)
    bold = Font(bold=True)
    # the row just appended, counted here: openpyxl's sheet.max_row (and
    # sheet[n], through max_column) looks at every cell written, so asking it
    # per row made a 1,000-row breakdown quadratic (24 s on the province)
    number = 0

    def append(values) -> list:
        nonlocal number
        values = list(values)
        sheet.append(xlsx_row(sheet, values))
        number += 1
        return [sheet.cell(row=number, column=j) for j in range(1, len(values) + 1)]

    append([table.title])[0].font = Font(bold=True, size=13)
    append([table.unit_name])
    append([table.scope_text])
    width = 1
    for section in table.sections:
        width = max(width, len(section.columns))
        append([])
        append([section.title])[0].font = bold
        for cell in append([c.label for c in section.columns]):
            cell.font = bold
        lines = list(section.rows) + ([section.totals] if section.totals else [])
        for i, line in enumerate(lines):
            row = append(line)
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


# --- the files of chibo.exports ----------------------------------------------------------


def report_params(report, query) -> dict:
    """The parameters of a report file, from the page's query string."""
    return {
        "report": report.name,
        "unit": query.get("unit_id"),
        "date": query.get("date"),
        "from": query.get("from"),
        "to": query.get("to"),
        "year": query.get("year"),
        "by": "children" if query.get("by") == "children" else "",
    }


def run_report(user, params: dict) -> Table:
    """The table of `params`, for `user` (Http404 out of reach); ReportError
    for dates the catalogue refuses (the view checks them first)."""
    report = get_report(params.get("report", ""))
    if report is None:
        raise Http404(_("Không có báo cáo này."))
    unit = unit_for_user_or_404(user, params.get("unit"))
    return report.run(
        unit,
        parse_params(
            report,
            day=params.get("date"),
            start=params.get("from"),
            end=params.get("to"),
            year=params.get("year"),
            by_children=params.get("by") == "children",
        ),
    )


def _report_title(params: dict) -> str:
    report = get_report(params.get("report", ""))
    unit = Unit.objects.filter(pk=params.get("unit")).first() if params.get("unit") else None
    title = str(report.title) if report else _("Báo cáo")
    if params.get("by") == "children":
        title += f" – {_('theo đơn vị trực thuộc')}"
    return f"{title} – {unit.name}" if unit else title


def _report_scope(user, params: dict) -> str:
    if get_report(params.get("report", "")) is None:
        raise Http404(_("Không có báo cáo này."))
    return reach_key(user, unit_for_user_or_404(user, params.get("unit")))


def _report_estimate(user, params: dict, fmt: str) -> int:
    """The file's cost in rows: a breakdown has one row per sub-unit and a
    summary a few dozen, but the figures are read from every unit of the
    subtree, so a province's summary (5,779 units) costs seconds whatever its
    length: the larger of the two. A ward's stays immediate."""
    pk = params.get("unit")
    if not str(pk).isdigit():
        return 0
    path = Unit.objects.filter(pk=int(pk)).values("path")[:1]
    counts = Unit.objects.filter(path__startswith=Subquery(path)).aggregate(
        units=Count("pk"),
        children=Count("pk", filter=Q(parent_id=int(pk), dissolved_on__isnull=True)),
    )
    rows = counts["children"] if params.get("by") == "children" else 30
    return max(rows, counts["units"])


def _build(table_of, user, params: dict, fmt: str, progress) -> Output:
    progress(0, phase=_("Đang tính số liệu"))
    table = table_of(user, params)
    rows = sum(len(s.rows) for s in table.sections)
    progress(rows // 2, max(rows, 1), phase=_("Đang dàn trang, ghi tệp"))
    return Output(render(table, fmt), filename(table, fmt), CONTENT_TYPES[fmt])


REPORT = register(
    ExportKind(
        name="reports.report",
        title=_report_title,
        formats=FORMATS,
        scope=_report_scope,
        estimate=_report_estimate,
        build=lambda user, params, fmt, progress: _build(run_report, user, params, fmt, progress),
    )
)


def submission_for_user_or_404(user, pk) -> Submission:
    submission = (
        Submission.objects.select_related("unit", "to_unit").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if submission is None:
        raise Http404(_("Không tìm thấy báo cáo."))
    unit_for_user_or_404(user, submission.unit_id)
    return submission


def frozen_table(user, params: dict) -> Table:
    """The table of one submitted version, as it was submitted."""
    submission = submission_for_user_or_404(user, params.get("submission"))
    version = submission.versions.filter(number=params.get("version") or 0).first()
    if version is None:
        raise Http404(_("Không có lần nộp này."))
    return Table.from_dict(version.table)


def _submission_title(params: dict) -> str:
    submission = Submission.objects.select_related("unit").filter(pk=params.get("submission"))
    first = submission.first()
    report = get_report(first.report) if first else None
    name = str(report.title) if report else _("Báo cáo")
    return f"{name} – {first.unit.name} ({first.period_label})" if first else name


def _submission_estimate(user, params: dict, fmt: str) -> int:
    return sum(len(s.rows) for s in frozen_table(user, params).sections)


SUBMISSION = register(
    ExportKind(
        name="reports.submission",
        title=_submission_title,
        formats=FORMATS,
        scope=lambda user, params: reach_key(
            user, submission_for_user_or_404(user, params.get("submission")).unit
        ),
        estimate=_submission_estimate,
        build=lambda user, params, fmt, progress: _build(frozen_table, user, params, fmt, progress),
        # a frozen version never changes; a new one has a new number
    )
)

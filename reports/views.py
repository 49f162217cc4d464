import json
from dataclasses import replace
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.cache import figures
from chibo.downloads import export_response, generated_file_request
from chibo.errors import ServiceError
from chibo.models import GeneratedFile
from organizations.models import Unit
from organizations.selectors import can_edit, root_units_for, unit_for_user_or_404, units_for
from reports import exports
from reports.catalogue import ReportError, catalogue, get_report, parse_params
from reports.models import Review, Submission, SubmissionStatus, period_bounds
from reports.selectors import inbox_for, parse_period, recent_periods, submissions_under
from reports.services import may_review, params_for, submission_review, submission_submit
from reports.statforms.base import FormReport
from reports.statforms.layout import form_context
from reports.statforms.review import submitted_totals
from reports.tables import Table

FORMAT_LINKS = [
    ("pdf", "PDF"),
    ("docx", "Word"),
    ("xlsx", "Excel"),
    ("csv", "CSV"),
    ("json", "JSON"),
]


def _form_values(query, table) -> dict:
    """The dates to show in the form: what was typed, else what was used."""

    def shown(key, value):
        return query.get(key) or (value.strftime("%d/%m/%Y") if value else "")

    return {
        "date": shown("date", table.day if table else None),
        "from": shown("from", table.start if table else None),
        "to": shown("to", table.end if table else None),
        "year": query.get("year") or (str(table.year) if table and table.year else ""),
    }


def _query_without(query, *keys: str) -> str:
    kept = query.copy()
    for key in keys:
        kept.pop(key, None)
    return kept.urlencode()


@login_required
def catalogue_page(request):
    """Every report, for the unit chosen among those the user may see."""
    roots = root_units_for(request.user)
    unit = None
    if request.GET.get("unit"):
        unit = unit_for_user_or_404(request.user, request.GET["unit"])
    elif roots:
        unit = roots[0]
    everything = catalogue()
    forms = sorted(
        (r for r in everything if isinstance(r, FormReport)), key=lambda r: FORM_ORDER.index(r.name)
    )
    return render(
        request,
        "reports/catalogue.html",
        {
            "reports": [r for r in everything if not isinstance(r, FormReport)],
            "forms": forms,
            "unit": unit,
            "roots": roots,
        },
    )


# the official forms in the order of their numbers
FORM_ORDER = [
    "member_movement",
    "new_members",
    "member_profile",
    "ethnicity_religion",
    "organization_types",
    "organization_ratings",
    "member_ratings",
    "badges_cards_transfers",
]


def _run(report, unit, params):
    """The report's table: the same for every user who reaches the unit, so
    kept a while (chibo.cache), the official forms too (bench/bench_forms.py
    times their selectors, not this page)."""
    return figures(
        f"reports.table:{report.name}:{unit.pk}:{params!r}", lambda: report.run(unit, params)
    )


def _in_background(report, unit) -> bool:
    """Whether the page's table is worked out by the background worker: for
    a unit whose subtree holds more units than CHIBO_REPORT_PAGE_BACKGROUND_UNITS
    (a nation: 17,000 units for three provinces, 58,000 for ten), the same
    measure as the report files (reports.exports._report_estimate), since
    every report reads the whole subtree's tree and histories; an official
    form, which reads every member's history and profile on its days (5-25 s
    for a province on a busy machine), above CHIBO_FORM_PAGE_BACKGROUND_UNITS
    (a province's 5,800 units; a ward's 30 stay in the request). One count
    of an index range."""
    limit = getattr(settings, "CHIBO_REPORT_PAGE_BACKGROUND_UNITS", 0)
    if isinstance(report, FormReport):
        limit = getattr(settings, "CHIBO_FORM_PAGE_BACKGROUND_UNITS", 0) or limit
    if not limit:
        return False
    return Unit.objects.filter(path__startswith=unit.path)[: limit + 1].count() > limit


def _table_from_worker(request, report, unit) -> tuple[Table | None, GeneratedFile]:
    """(the table, the job): the table once the worker has made it (the
    report's JSON file, reused while the data has not changed, like any
    file), else None and the queued job, whose progress the page shows."""
    query = {**request.GET.dict(), "unit_id": unit.pk}
    job = generated_file_request(
        actor=request.user,
        kind=exports.REPORT.name,
        params=exports.report_params(report, query),
        fmt="json",
        back_url=request.get_full_path(),
    )
    if job.status != GeneratedFile.Status.DONE or not job.file:
        return None, job
    try:
        with job.file.open("rb") as handle:
            return Table.from_dict(json.load(handle)), job
    except FileNotFoundError:
        return None, job


# sub-units shown per page of a breakdown (a province has 1,000: 700 KB of HTML)
BREAKDOWN_PAGE = 100


def _page_of_rows(table: Table | None, number) -> tuple[Table | None, object]:
    """The table as the page shows it: a breakdown by sub-unit a page of rows
    at a time, its totals (of every sub-unit) kept; the files hold every row.
    (the table shown, the Paginator page or None)."""
    if table is None or not table.by_children:
        return table, None
    longest = max((len(s.rows) for s in table.sections), default=0)
    if longest <= BREAKDOWN_PAGE:
        return table, None
    page = Paginator(range(longest), BREAKDOWN_PAGE).get_page(number)
    a, b = page.start_index() - 1, page.end_index()
    sections = [replace(s, rows=s.rows[a:b], row_units=s.row_units[a:b]) for s in table.sections]
    return replace(table, sections=sections), page


@login_required
def report_view(request, name: str, unit_id: int):
    """One report for one unit: the page, or with ?format= the same table as
    XLSX, CSV, JSON or PDF. ?by=children breaks it down by direct sub-unit."""
    report = get_report(name)
    if report is None:
        raise Http404("Không có báo cáo này.")
    unit = unit_for_user_or_404(request.user, unit_id)
    fmt = request.GET.get("format", "")
    if fmt and fmt not in exports.FORMATS:
        raise Http404("Không có định dạng này.")
    table, error, job = None, "", None
    try:
        params = parse_params(
            report,
            day=request.GET.get("date"),
            start=request.GET.get("from"),
            end=request.GET.get("to"),
            year=request.GET.get("year"),
            by_children=request.GET.get("by") == "children",
        )
        if not fmt and _in_background(report, unit):
            table, job = _table_from_worker(request, report, unit)
        elif not fmt:
            table = _run(report, unit, params)
    except ReportError as exc:
        error = str(exc)
    if fmt:
        if error:
            return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
        # a ward's report at once; a province by its 1,000 sub-units in the background
        query = {**request.GET.dict(), "unit_id": unit.pk}
        return export_response(
            request, exports.REPORT.name, exports.report_params(report, query), fmt
        )
    shown, rows_page = _page_of_rows(table, request.GET.get("page"))
    context = {
        "report": report,
        "unit": unit,
        "table": shown,
        "rows_page": rows_page,
        "page_query": _query_without(request.GET, "page", "format"),
        "error": error,
        # the worker is making the table: its progress, and the page again when done
        "job": job if table is None else None,
        "query": request.GET,
        "has_children": unit.children.exists(),
        # the superior's report only for who may open it (a cell secretary may not)
        "parent_in_reach": bool(unit.parent_id)
        and units_for(request.user).filter(pk=unit.parent_id).exists(),
        "formats": FORMAT_LINKS,
        "link_query": _query_without(request.GET, "by", "format", "page"),
        "values": _form_values(request.GET, table),
        # an official form in its printed layout (not its breakdown)
        "layout": form_context(table) if table and table.form and not table.by_children else None,
    }
    return render(request, "reports/report.html", context, status=400 if error else 200)


# --- submit and review ----------------------------------------------------------


INBOX_PAGE = 100


@login_required
def inbox(request):
    """The board's inbox: every submission awaiting the user's review, across
    reports and periods, oldest waiting first, with how long it has waited."""
    page = Paginator(inbox_for(request.user), INBOX_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    today = timezone.localdate()
    titles = {r.name: r.title for r in catalogue()}
    rows = [
        {
            "submission": s,
            "title": titles.get(s.report, s.report),
            "days": (now - s.waiting_since).days if s.waiting_since else None,
            "overdue_review": s.waiting_since is not None and (now - s.waiting_since).days >= 7,
            "late": s.was_late,
        }
        for s in page.object_list
    ]
    return render(request, "reports/inbox.html", {"page": page, "rows": rows, "today": today})


@login_required
def submissions_page(request, unit_id: int):
    """A unit's periodic reports: submit its own to the committee above, and
    (for the board) which direct sub-units have submitted, are late, were
    returned."""
    unit = unit_for_user_or_404(request.user, unit_id)
    today = date.today()
    periods = recent_periods(today)
    chosen_report = request.GET.get("report") or "structure"
    if get_report(chosen_report) is None:
        chosen_report = "structure"
    chosen_period = request.GET.get("period") or periods[1][0]
    parsed = parse_period(chosen_period) or parse_period(periods[1][0])
    rows, due = [], None
    if unit.children.exists():
        rows, due = submissions_under(
            unit, report=chosen_report, period=parsed[0], start=parsed[1], today=today
        )
    counts = {}
    for r in rows:
        counts[r.state] = counts.get(r.state, 0) + 1
    form_totals = None
    report = get_report(chosen_report)
    if rows and isinstance(report, FormReport):
        # an official form: the sub-units' submitted figures added up, beside
        # the committee's live figures for the same period
        start, end = period_bounds(parsed[0], parsed[1])
        try:
            live = report.run(unit, params_for(report, start, end, today))
        except ReportError:
            live = None
        form_totals = submitted_totals(rows, live)
    own = (
        Submission.objects.filter(unit=unit)
        .prefetch_related("versions")
        .order_by("-first_submitted_at")[:20]
        if unit.parent_id
        else []
    )
    context = {
        "unit": unit,
        "reports": catalogue(),
        "periods": periods,
        "chosen_report": chosen_report,
        "chosen_period": chosen_period,
        "rows": rows,
        "due": due,
        "counts": counts,
        "own": own,
        "can_submit": bool(unit.parent_id) and can_edit(request.user, unit),
        "report_titles": {r.name: r.title for r in catalogue()},
        "form_totals": form_totals,
    }
    return render(request, "reports/submissions.html", context)


@login_required
@require_POST
def submit(request, unit_id: int):
    unit = unit_for_user_or_404(request.user, unit_id)
    parsed = parse_period(request.POST.get("period", ""))
    try:
        if parsed is None:
            raise ServiceError(_("Hãy chọn kỳ báo cáo."))
        version = submission_submit(
            actor=request.user,
            unit=unit,
            report=request.POST.get("report", ""),
            period=parsed[0],
            period_start=parsed[1],
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("reports:submissions", unit.pk)
    messages.success(
        request,
        _("Đã nộp báo cáo %(period)s lên %(to)s.")
        % {"period": version.submission.period_label, "to": version.submission.to_unit.name},
    )
    return redirect("reports:submission", version.submission.pk)


@login_required
def submission_detail(request, pk: int):
    """A submitted report as frozen, beside the live figures, with every
    version and every comment; ?format= gives the frozen table as a file."""
    submission = exports.submission_for_user_or_404(request.user, pk)
    versions = list(submission.versions.select_related("submitted_by"))
    try:
        number = int(request.GET.get("v") or versions[-1].number)
    except ValueError as exc:
        raise Http404("Không có lần nộp này.") from exc
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404("Không có lần nộp này.")
    frozen = Table.from_dict(version.table)
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in exports.FORMATS:
            raise Http404("Không có định dạng này.")
        params = {"submission": submission.pk, "version": version.number}
        return export_response(request, exports.SUBMISSION.name, params, fmt)
    report = get_report(submission.report)
    live = None
    if report is not None:
        try:
            live = report.run(
                submission.unit,
                params_for(report, submission.period_start, submission.period_end),
            )
        except ReportError:
            live = None
    context = {
        "submission": submission,
        "versions": versions,
        "version": version,
        "frozen": frozen,
        "live": live,
        "differs": live is not None and live.sections != frozen.sections,
        "reviews": submission.reviews.select_related("reviewer", "version"),
        "can_review": submission.status == SubmissionStatus.SUBMITTED
        and may_review(request.user, submission.unit),
        "can_resubmit": submission.status == SubmissionStatus.RETURNED
        and can_edit(request.user, submission.unit),
        "report_title": report.title if report else submission.report,
        "period_value": f"{submission.period}:{submission.period_start.isoformat()}",
        "formats": FORMAT_LINKS,
    }
    return render(request, "reports/submission.html", context)


@login_required
@require_POST
def review(request, pk: int):
    submission = exports.submission_for_user_or_404(request.user, pk)
    try:
        done = submission_review(
            actor=request.user,
            submission=submission,
            action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""),
        )
    except ServiceError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if done.action == Review.Action.APPROVE:
            messages.success(request, _("Đã duyệt báo cáo."))
        else:
            messages.success(request, _("Đã trả lại báo cáo để đơn vị sửa và nộp lại."))
    return redirect("reports:submission", submission.pk)

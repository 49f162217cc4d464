from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from organizations.selectors import root_units_for, unit_for_user_or_404
from reports import exports
from reports.catalogue import ReportError, catalogue, get_report, parse_params


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
    return render(
        request,
        "reports/catalogue.html",
        {"reports": catalogue(), "unit": unit, "roots": roots},
    )


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
    table, error = None, ""
    try:
        params = parse_params(
            report,
            day=request.GET.get("date"),
            start=request.GET.get("from"),
            end=request.GET.get("to"),
            by_children=request.GET.get("by") == "children",
        )
        table = report.run(unit, params)
    except ReportError as exc:
        error = str(exc)
    if fmt:
        if error:
            return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(exports.render(table, fmt), content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(table, fmt)}"'
        return response
    context = {
        "report": report,
        "unit": unit,
        "table": table,
        "error": error,
        "query": request.GET,
        "has_children": unit.children.exists(),
        "formats": [("pdf", "PDF"), ("xlsx", "Excel"), ("csv", "CSV"), ("json", "JSON")],
        "link_query": _query_without(request.GET, "by", "format"),
    }
    return render(request, "reports/report.html", context, status=400 if error else 200)

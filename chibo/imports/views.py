"""The import pages, the same for every kind: "Nhập dữ liệu" (the kinds the
user may import), a kind's upload page and template, a batch's preview
(every row, errors first), its progress bar (htmx polling while the worker
is at it), confirmation, and the rejected rows.

A kind's `may_use(user)` decides who imports it (others get 403); a batch is
visible to the person who made it and to superusers, anyone else gets 404.
The views also serve the older addresses (/dang-vien/nhap/…, /to-chuc/nhap/),
each fixed to its kind: see `kind_urlpatterns`.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.downloads import export_response
from chibo.errors import ServiceError
from chibo.imports.batches import (
    import_check,
    import_confirm,
    import_reap,
    import_retry,
    import_start,
    template_xlsx,
)
from chibo.imports.exports import REJECTED
from chibo.imports.forms import UploadForm
from chibo.imports.kinds import (
    ERROR,
    OUTCOME_LABELS,
    ImportKind,
    get_kind,
    kind_by_slug,
    kinds_for,
)
from chibo.models import ImportBatch
from chibo.spreadsheets import SpreadsheetError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_ROWS = 200


def _kind_or_404(slug: str) -> ImportKind:
    try:
        return kind_by_slug(slug)
    except LookupError as exc:
        raise Http404(_("Không có loại dữ liệu này.")) from exc


def _require(kind: ImportKind, user) -> None:
    if not kind.may_use(user):
        raise PermissionDenied(
            _("Bạn không có quyền nhập %(kind)s.") % {"kind": str(kind.title).lower()}
        )


def _visible(user, names):
    batches = ImportBatch.objects.filter(kind__in=names)
    if not user.is_superuser:
        batches = batches.filter(created_by=user)
    return batches


def _recent(user, kinds: list[ImportKind]) -> list[ImportBatch]:
    titles = {k.name: k.title for k in kinds}
    recent = list(_visible(user, list(titles)).defer("content", "result")[:20])
    for b in recent:
        b.kind_title = titles[b.kind]
    return recent


def _batch_or_404(request, pk: int, *, kind: str | None = None, with_content: bool = False):
    """The batch, if the user made it (or is a superuser) and may import its
    kind; `kind` fixes it on the older addresses."""
    if not 0 < pk < 2**63:
        raise Http404(_("Không tìm thấy lần nhập này."))
    batches = ImportBatch.objects.all()
    if not request.user.is_superuser:
        batches = batches.filter(created_by=request.user)
    if kind:
        batches = batches.filter(kind=kind)
    if not with_content:
        batches = batches.defer("content")
    try:
        batch = batches.get(pk=pk)
        import_kind = get_kind(batch.kind)
    except (ImportBatch.DoesNotExist, LookupError) as exc:
        raise Http404(_("Không tìm thấy lần nhập này.")) from exc
    _require(import_kind, request.user)
    return batch, import_kind


@login_required
def index(request):
    kinds = kinds_for(request.user)
    if not kinds:
        raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu."))
    return render(
        request,
        "imports/index.html",
        {"kinds": kinds, "recent": _recent(request.user, kinds), "show_kind": True},
    )


@login_required
def start(request, slug: str):
    kind = _kind_or_404(slug)
    _require(kind, request.user)
    form = UploadForm(request.POST or None, request.FILES or None, kind=kind, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = import_start(
            kind.name,
            actor=request.user,
            file_name=upload.name,
            data=upload.read(),
            options=form.options(),
        )
        import_check(batch)
        return redirect("imports:batch", pk=batch.pk)
    return render(
        request,
        "imports/start.html",
        {
            "kind": kind,
            "form": form,
            "recent": _recent(request.user, [kind]),
            "max_mb": settings.CHIBO_MAX_UPLOAD_BYTES >> 20,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def template(request, slug: str):
    kind = _kind_or_404(slug)
    _require(kind, request.user)
    response = HttpResponse(template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-{kind.slug}.xlsx"'
    return response


@login_required
def batch_page(request, pk: int, kind: str | None = None):
    batch, import_kind = _batch_or_404(request, pk, kind=kind)
    import_reap(batch)  # its worker gone: failed, with "Làm lại"
    result = batch.result or {}
    rows = result.get("rows", [])
    changed = set(result.get("changed_rows", []))
    outcome = request.GET.get("outcome", "")
    shown = [r for r in rows if r["outcome"] == outcome] if outcome in OUTCOME_LABELS else rows
    if outcome == "changed":
        shown = [r for r in rows if r["row"] in changed]
    page = Paginator(shown, PAGE_ROWS).get_page(request.GET.get("page"))
    for r in page:
        r["label"] = OUTCOME_LABELS.get(r["outcome"], r["outcome"])
        r["changed"] = r["row"] in changed
    counts = {
        "new": batch.new_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "errors": batch.error_count,
    }
    context = {
        "batch": batch,
        "kind": import_kind,
        "page": page,
        "outcome": outcome,
        "outcomes": OUTCOME_LABELS,
        "error_rows": [r for r in rows if r["outcome"] == ERROR][:PAGE_ROWS],
        "warning_rows": [r for r in rows if r.get("warnings")][:PAGE_ROWS],
        "changed_count": len(changed),
        "done_message": import_kind.done_message % counts,
    }
    return render(request, "imports/batch.html", context)


@login_required
def batch_progress(request, pk: int, kind: str | None = None):
    """The progress bar alone, polled by htmx; once the work is over the page reloads."""
    batch, _kind = _batch_or_404(request, pk, kind=kind)
    import_reap(batch)
    response = render(request, "imports/_progress.html", {"batch": batch})
    if not batch.is_working:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def batch_confirm(request, pk: int, kind: str | None = None):
    batch, _kind = _batch_or_404(request, pk, kind=kind, with_content=True)
    if batch.status == ImportBatch.Status.PREVIEWED:
        try:
            import_confirm(
                batch, actor=request.user, skip_invalid=request.POST.get("skip_invalid") == "on"
            )
        except ServiceError as exc:
            # all-or-nothing with rows known to be wrong: say so, keep the preview
            messages.error(request, " ".join(exc.messages))
    return redirect("imports:batch", pk=batch.pk)


@login_required
def batch_rejected(request, pk: int, kind: str | None = None):
    """The rejected rows as a file (chibo/imports/exports.py): made at once for
    a small upload, by the worker for a large one (it reads the whole upload
    again), the page then offering the download."""
    batch, _kind = _batch_or_404(request, pk, kind=kind)
    if not batch.errors:
        raise Http404(_("Lần nhập này không có dòng lỗi."))
    if ImportBatch.objects.filter(pk=batch.pk, content=b"").exists():
        raise Http404(_("Tệp đã tải lên của lần nhập này không còn được lưu (đã quá hạn giữ)."))
    try:
        return export_response(
            request,
            REJECTED.name,
            {"batch": batch.pk},
            "xlsx",
            back_url=reverse("imports:batch", args=[batch.pk]),
        )
    except SpreadsheetError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_POST
def batch_retry(request, pk: int, kind: str | None = None):
    """An import its background worker lost, again (chibo.imports.import_retry)."""
    batch, _kind = _batch_or_404(request, pk, kind=kind, with_content=True)
    try:
        import_retry(batch)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:batch", pk=batch.pk)


def kind_urlpatterns(name: str, slug: str) -> list:
    """The pages of one kind at an app's older address (/dang-vien/nhap/…):
    the same views, fixed to the kind, under the names the app used
    (import, import_template, import_preview, import_progress,
    import_confirm, import_rejected)."""
    fixed = {"kind": name}
    return [
        path("nhap/", start, {"slug": slug}, name="import"),
        path("nhap/mau.xlsx", template, {"slug": slug}, name="import_template"),
        path("nhap/<int:pk>/", batch_page, fixed, name="import_preview"),
        path("nhap/<int:pk>/tien-do/", batch_progress, fixed, name="import_progress"),
        path("nhap/<int:pk>/xac-nhan/", batch_confirm, fixed, name="import_confirm"),
        path("nhap/<int:pk>/dong-loi.xlsx", batch_rejected, fixed, name="import_rejected"),
    ]

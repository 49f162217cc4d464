"""Pages of the member import: upload → preview of every row → confirm;
a progress bar (htmx polling) while a big file is worked on in the
background; the rejected rows as a spreadsheet; the template.

Only office staff and administrators import (a role of kind admin or staff,
or a superuser); an import is visible to the person who made it and to
superusers, anyone else gets 404.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chibo.models import ImportBatch
from chibo.spreadsheets import SpreadsheetError, too_big_message
from chibo.text import sort_key
from members.imports import EDIT_KINDS, OUTCOME_LABELS, import_apply, import_preview, import_start
from members.imports import rejected_rows_xlsx as build_rejected
from members.resources import template_xlsx
from members.tasks import apply_import, preview_import, runs_in_background
from organizations.models import CELL_LEVELS, Unit
from organizations.selectors import role_paths, sees_everything

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_ROWS = 200


def _may_import(user) -> bool:
    return sees_everything(user) or bool(role_paths(user, EDIT_KINDS))


def _require_importer(user) -> None:
    if not _may_import(user):
        raise PermissionDenied(_("Chỉ cán bộ văn phòng và quản trị viên được nhập danh sách."))


def _editable_cells(user) -> list[Unit]:
    cells = Unit.objects.filter(level__in=CELL_LEVELS, dissolved_on__isnull=True)
    if not sees_everything(user):
        paths = role_paths(user, EDIT_KINDS)
        cells = [c for c in cells if any(c.path.startswith(p) for p in paths)]
    return sorted(cells, key=lambda c: sort_key(c.name))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách (.xlsx hoặc .csv)"),
        error_messages={
            "required": gettext_lazy("Hãy chọn tệp danh sách."),
            "empty": gettext_lazy("Tệp trống, không có dữ liệu."),
        },
    )
    default_unit = forms.TypedChoiceField(
        label=gettext_lazy("Chi bộ cho các dòng không ghi chi bộ"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Chỉ nhập các dòng hợp lệ (bỏ qua dòng lỗi)"), required=False
    )

    def __init__(self, *args, cells: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_unit"].choices = [("", "—")] + [(c.pk, c.name) for c in cells]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CHIBO_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_big_message(limit))
        return upload


def _batch_or_404(request, pk: int, *, with_content: bool = False) -> ImportBatch:
    batches = ImportBatch.objects.filter(kind=ImportBatch.Kind.MEMBERS)
    if not with_content:
        batches = batches.defer("content")
    if not sees_everything(request.user):
        batches = batches.filter(created_by=request.user)
    try:
        return batches.get(pk=pk)
    except ImportBatch.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy lần nhập này.")) from exc


@login_required
def import_start_view(request):
    _require_importer(request.user)
    cells = _editable_cells(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, cells=cells)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        batch = import_start(
            actor=request.user,
            file_name=upload.name,
            data=data,
            options={
                "skip_invalid": form.cleaned_data["skip_invalid"],
                "default_unit": form.cleaned_data["default_unit"],
            },
        )
        if runs_in_background(batch):
            preview_import.enqueue(batch.pk)
        else:
            import_preview(batch)
        return redirect("members:import_preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(kind=ImportBatch.Kind.MEMBERS).defer("content", "result")
    if not sees_everything(request.user):
        recent = recent.filter(created_by=request.user)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "members/import_start.html",
        {"form": form, "recent": recent[:20], "max_mb": settings.CHIBO_MAX_UPLOAD_BYTES >> 20},
        status=status,
    )


@login_required
def import_preview_view(request, pk: int):
    _require_importer(request.user)
    batch = _batch_or_404(request, pk)
    rows = batch.result.get("rows", []) if batch.result else []
    outcome = request.GET.get("outcome", "")
    shown = [r for r in rows if r["outcome"] == outcome] if outcome in OUTCOME_LABELS else rows
    page = Paginator(shown, PAGE_ROWS).get_page(request.GET.get("page"))
    for r in page:
        r["label"] = OUTCOME_LABELS[r["outcome"]]
    context = {
        "batch": batch,
        "page": page,
        "outcome": outcome,
        "outcomes": OUTCOME_LABELS,
        "error_rows": [r for r in rows if r["outcome"] == "error"][:PAGE_ROWS],
    }
    return render(request, "members/import_preview.html", context)


@login_required
def import_progress_view(request, pk: int):
    """The progress bar alone, polled by htmx; once the work is over the page reloads."""
    _require_importer(request.user)
    batch = _batch_or_404(request, pk)
    response = render(request, "members/import_progress.html", {"batch": batch})
    if not batch.is_working:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm_view(request, pk: int):
    _require_importer(request.user)
    batch = _batch_or_404(request, pk, with_content=True)
    if batch.status != ImportBatch.Status.PREVIEWED:
        return redirect("members:import_preview", pk=batch.pk)
    skip_invalid = request.POST.get("skip_invalid") == "on"
    if batch.error_count and not skip_invalid:
        # all-or-nothing with rows known to be wrong: say so, keep the preview
        messages.error(
            request,
            _(
                "Có %(n)s dòng lỗi nên không nhập dòng nào. Hãy sửa các dòng lỗi, hoặc chọn "
                "“chỉ nhập các dòng hợp lệ”."
            )
            % {"n": batch.error_count},
        )
        return redirect("members:import_preview", pk=batch.pk)
    batch.options = {**batch.options, "skip_invalid": skip_invalid}
    # Claim the batch in one statement: of two confirmations sent together (a
    # double click), only the first imports; the second just shows the batch.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.RUNNING, processed_rows=0, options=batch.options
    )
    if not claimed:
        return redirect("members:import_preview", pk=batch.pk)
    if runs_in_background(batch):
        apply_import.enqueue(batch.pk)
    else:
        import_apply(batch, actor=request.user)
    return redirect("members:import_preview", pk=batch.pk)


@login_required
def import_template_view(request):
    _require_importer(request.user)
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-dang-vien.xlsx"'
    return response


@login_required
def import_rejected_view(request, pk: int):
    _require_importer(request.user)
    batch = _batch_or_404(request, pk, with_content=True)
    if not batch.errors:
        raise Http404(_("Lần nhập này không có dòng lỗi."))
    try:
        data = build_rejected(batch)
    except SpreadsheetError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dong-loi-lan-nhap-{batch.pk}.xlsx"'
    return response


import_urlpatterns = [
    path("nhap/", import_start_view, name="import"),
    path("nhap/mau.xlsx", import_template_view, name="import_template"),
    path("nhap/<int:pk>/", import_preview_view, name="import_preview"),
    path("nhap/<int:pk>/tien-do/", import_progress_view, name="import_progress"),
    path("nhap/<int:pk>/xac-nhan/", import_confirm_view, name="import_confirm"),
    path("nhap/<int:pk>/dong-loi.xlsx", import_rejected_view, name="import_rejected"),
]

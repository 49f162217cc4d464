"""The rejected rows of an import as a file of chibo.exports: made inside the
request for a small upload, by the background worker for a large one. The
work is reading the whole stored file again (every column of the rows that
had an error, as they were written), so the estimate is the upload's rows,
not the rejected ones: three wrong rows of a 100,000-row roster cost as much
as reading the 100,000."""

from django.http import Http404
from django.utils.translation import gettext as _

from chibo.exports import CONTENT_TYPES, ExportKind, Output, register
from chibo.imports.batches import rejected_rows_xlsx
from chibo.imports.kinds import get_kind
from chibo.models import ImportBatch


def batch_for_user_or_404(user, pk, *, kind: str | None = None, with_content: bool = False):
    """The batch and its kind, if `user` made it (or is a superuser) and may
    import its kind; `kind` fixes it (an app's older address)."""
    if not str(pk).isdigit() or not 0 < int(pk) < 2**63:
        raise Http404(_("Không tìm thấy lần nhập này."))
    batches = ImportBatch.objects.all()
    if not getattr(user, "is_superuser", False):
        batches = batches.filter(created_by_id=getattr(user, "pk", None))
    if kind:
        batches = batches.filter(kind=kind)
    if not with_content:
        batches = batches.defer("content")
    try:
        batch = batches.get(pk=int(pk))
        import_kind = get_kind(batch.kind)
    except (ImportBatch.DoesNotExist, LookupError) as exc:
        raise Http404(_("Không tìm thấy lần nhập này.")) from exc
    return batch, import_kind


def _scope(user, params: dict) -> str:
    """The uploader's (or a superuser's) file of this batch as checked: a new
    check (a retry) gives a new file."""
    batch, import_kind = batch_for_user_or_404(user, params.get("batch"))
    if not import_kind.may_use(user):
        raise Http404(_("Không tìm thấy lần nhập này."))
    return f"import:{batch.pk}:{batch.status}:{batch.error_count}:{batch.processed_rows}"


def _estimate(user, params: dict, fmt: str) -> int:
    batch, _kind = batch_for_user_or_404(user, params.get("batch"))
    return max(batch.total_rows, batch.error_count)


def _build(user, params: dict, fmt: str, progress) -> Output:
    batch, _kind = batch_for_user_or_404(user, params.get("batch"), with_content=True)
    progress(0, phase=_("Đang đọc lại tệp đã tải lên"))
    return Output(
        rejected_rows_xlsx(batch), f"dong-loi-lan-nhap-{batch.pk}.xlsx", CONTENT_TYPES["xlsx"]
    )


REJECTED = register(
    ExportKind(
        name="imports.rejected",
        title=lambda params: _("Các dòng lỗi của lần nhập %(pk)s") % {"pk": params.get("batch")},
        formats=("xlsx",),
        scope=_scope,
        estimate=_estimate,
        build=_build,
    )
)

"""Background imports (django-tasks): files of more than a few thousand rows
are checked and applied by the worker (`python manage.py db_worker`) while
the page polls the batch for its progress."""

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from chibo.models import ImportBatch
from members.imports import import_apply, import_preview

logger = logging.getLogger(__name__)


def runs_in_background(batch: ImportBatch) -> bool:
    return batch.total_rows > getattr(settings, "CHIBO_IMPORT_BACKGROUND_ROWS", 2000)


def _guarded(work, batch_id: int) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        work(batch)
    except Exception:
        # The user sees a message on the batch page, never a stuck progress bar.
        logger.exception("import %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            message=_("Có lỗi hệ thống khi nhập tệp; không có dữ liệu nào được ghi."),
        )
        raise


@task()
def preview_import(batch_id: int) -> None:
    _guarded(import_preview, batch_id)


@task()
def apply_import(batch_id: int) -> None:
    _guarded(import_apply, batch_id)

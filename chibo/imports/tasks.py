"""Background imports (django-tasks): files of more than a few thousand rows
are checked and applied by the worker (`python manage.py db_worker`) while
the batch's page polls it for its progress."""

from django.conf import settings
from django_tasks import task

from chibo.imports.work import apply as import_apply
from chibo.imports.work import guarded
from chibo.imports.work import preview as import_preview
from chibo.models import ImportBatch


def runs_in_background(batch: ImportBatch) -> bool:
    return batch.total_rows > getattr(settings, "CHIBO_IMPORT_BACKGROUND_ROWS", 2000)


@task()
def preview_import(batch_id: int) -> None:
    guarded(import_preview, ImportBatch.objects.get(pk=batch_id))


@task()
def apply_import(batch_id: int) -> None:
    guarded(import_apply, ImportBatch.objects.get(pk=batch_id))

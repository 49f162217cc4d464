"""Background work (django-tasks, `manage.py db_worker`) and its progress.

`generated_file_build` makes a file a user asked for (chibo.exports): a big
roster, report or document.

`import_progress` writes the progress of an ImportBatch where a page polling
it can see it. An import applies all-or-nothing inside one transaction, and
what that transaction writes is invisible to the page until it commits; so on
PostgreSQL the progress goes through a separate short-lived connection. A
row locked by someone else is skipped rather than waited for: progress is a
courtesy, never a reason to stall the import. (SQLite allows one writer at a
time: there, progress inside the transaction is simply not reported.)
"""

from django.db import connection, connections
from django_tasks import task

from chibo.exports import generated_file_run
from chibo.models import ImportBatch


@task()
def generated_file_build(job_pk: int) -> None:
    generated_file_run(job_pk)


_SQL = (
    "UPDATE chibo_importbatch SET processed_rows = %s, total_rows = %s WHERE id IN "
    "(SELECT id FROM chibo_importbatch WHERE id = %s FOR UPDATE SKIP LOCKED)"
)


def import_progress(batch_pk: int, done: int, total: int, phase: str = "") -> None:
    values = {"processed_rows": done, "total_rows": max(total, done)}
    if not connection.in_atomic_block:
        ImportBatch.objects.filter(pk=batch_pk).update(**values)
        return
    if connection.vendor != "postgresql":
        return
    side = connections.create_connection(connection.alias)
    try:
        with side.cursor() as cursor:
            cursor.execute(_SQL, [values["processed_rows"], values["total_rows"], batch_pk])
    finally:
        side.close()

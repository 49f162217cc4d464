"""Background work of chibo itself (django-tasks, `manage.py db_worker`):
`generated_file_build` makes a file a user asked for (chibo.exports), a big
roster, report or document. The imports' tasks are chibo/imports/tasks.py."""

from django_tasks import task

from chibo.exports import generated_file_run


@task()
def generated_file_build(job_pk: int) -> None:
    generated_file_run(job_pk)

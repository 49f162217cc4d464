"""Exports at province scale through the one export mechanism (chibo.exports):
the request that asks for a big file (it only queues a job), the worker's
time to make it, the request that finds it again, and a ward's file made
inside the request; beside the floor, PostgreSQL's COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_exports.py

The worker's part runs here, in this process, as db_worker would run it
(chibo.exports.generated_file_run); the jobs and files it makes are deleted
at the end.
"""

from common import BenchClient, BenchFailure, QueryCounter, database_label  # noqa: I001

import io
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import override_settings

from chibo.exports import generated_file_run
from chibo.models import GeneratedFile
from members.models import Member
from organizations.models import Unit

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def timed(fn):
    with QueryCounter() as counter:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return elapsed, counter.count, result


def job_of(response) -> GeneratedFile:
    pk = response["Location"].rstrip("/").split("/")[-1]
    return GeneratedFile.objects.get(pk=pk)


def background(label: str, client: BenchClient, url: str, floor: float | None = None) -> None:
    before = set(GeneratedFile.objects.values_list("pk", flat=True))
    asked, queries, response = timed(lambda: client.get(url, expect=302))
    job = job_of(response)
    if job.pk in before:
        raise BenchFailure(f"{label}: an older file was reused; delete it first")
    worked, worker_queries, done = timed(lambda: generated_file_run(job.pk))
    if done is None or done.status != GeneratedFile.Status.DONE:
        raise BenchFailure(f"{label}: the worker did not finish the file")
    again, again_queries, response = timed(lambda: client.get(url, expect=302))
    if job_of(response).pk != job.pk:
        raise BenchFailure(f"{label}: asked again, the file was not reused")
    download, _q, response = timed(
        lambda: client.get(f"/tep/{job.pk}/tai-ve/")  # streamed from storage
    )
    print(f"{label} ({job.total:,} rows, {done.size / 1024 / 1024:.1f} MiB)")
    print(f"  {'request: queue the job':<44} {asked * 1000:9.0f} ms {queries:4d} queries")
    print(f"  {'worker: make the file':<44} {worked * 1000:9.0f} ms {worker_queries:4d} queries")
    print(
        f"  {'request again: the same file, reused':<44} {again * 1000:9.0f} ms {again_queries:4d} queries"
    )
    print(f"  {'download of the made file':<44} {download * 1000:9.0f} ms")
    if floor is not None:
        print(f"  {'floor: COPY of the same rows to CSV':<44} {floor * 1000:9.0f} ms")


def copy_floor(unit_path: str = "") -> float:
    """COPY (the roster's columns of the members in scope) TO STDOUT."""
    columns = [
        f.column
        for f in Member._meta.concrete_fields
        if f.name not in ("id", "sort_key", "search_name", "created_at")
    ]
    sql = (
        f"COPY (SELECT {', '.join(f'm.{c}' for c in columns)}, u.code, u.name "
        f"FROM {Member._meta.db_table} m JOIN {Unit._meta.db_table} u ON u.id = m.unit_id "
        f"WHERE u.path LIKE '{unit_path}%' AND m.status IN ('official', 'probationary') "
        "ORDER BY m.sort_key, m.id) TO STDOUT WITH CSV"
    )
    out = io.BytesIO()
    start = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for data in copy:
            out.write(data)
    return time.perf_counter() - start


def main():
    if connection.vendor != "postgresql":
        raise BenchFailure("run it on PostgreSQL (DATABASE_URL=postgres://…)")
    users = get_user_model().objects
    board, ward1 = users.get(username="board"), users.get(username="ward1")
    province = Unit.objects.get(code="DEMO-TINH")
    print(f"database: {database_label()}; members {Member.objects.count():,}\n")
    old = set(GeneratedFile.objects.values_list("pk", flat=True))
    try:
        with override_settings(TASKS=DUMMY):
            client = BenchClient(board)
            client.get("/")
            background(
                "member roster of the whole province, CSV",
                client,
                "/dang-vien/?format=csv",
                floor=copy_floor(),
            )
            background(
                "member roster of the whole province, XLSX", client, "/dang-vien/?format=xlsx"
            )
            background(
                "structure report PDF by the province's sub-units",
                client,
                f"/bao-cao/structure/{province.pk}/?by=children&format=pdf",
            )
            background(
                "ratings report PDF by the province's sub-units",
                client,
                f"/bao-cao/ratings/{province.pk}/?by=children&format=pdf",
            )
            url = f"/bao-cao/ratings/{province.pk}/?by=children&format=xlsx"
            seconds, queries, response = timed(lambda: client.get(url))
            print("ratings report XLSX by the province's sub-units, made in the request")
            print(f"  {'request':<44} {seconds * 1000:9.0f} ms {queries:4d} queries")
            ward = BenchClient(ward1)
            ward.get("/")
            seconds, queries, response = timed(lambda: ward.get("/dang-vien/?format=csv"))
            rows = response.body.count(b"\n") - 1
            print(f"member roster of ward1, CSV, made in the request ({rows} rows)")
            print(f"  {'request':<44} {seconds * 1000:9.0f} ms {queries:4d} queries")
    finally:
        for job in GeneratedFile.objects.exclude(pk__in=old):
            if job.file:
                job.file.storage.delete(job.file.name)
            job.delete()
    print(f"\nafter: {database_label()}")


if __name__ == "__main__":
    main()

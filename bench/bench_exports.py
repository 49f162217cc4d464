"""Exports at province scale through the one export mechanism (chibo.exports):
the request that asks for a big file (it only queues a job), the worker's
time to make it, the request that finds it again, and a ward's file made
inside the request; beside the floor, PostgreSQL's COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_exports.py

The worker's part runs here, in this process, as db_worker would run it
(chibo.exports.generated_file_run); the jobs and files it makes are deleted
at the end.
"""

from common import (  # noqa: I001 (sets Django up first)
    BenchClient,
    BenchFailure,
    NO_WORKER,
    background,
    database_label,
    drop_generated_files,
    timed,
)

import io
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import override_settings

from chibo.models import GeneratedFile
from members.models import Member
from organizations.models import Unit


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
        with override_settings(TASKS=NO_WORKER):
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
            # its 1,002 lines are few, but it reads the province's 5,779 units
            background(
                "ratings report XLSX by the province's sub-units",
                client,
                f"/bao-cao/ratings/{province.pk}/?by=children&format=xlsx",
            )
            ward = BenchClient(ward1)
            ward.get("/")
            ward_unit = Unit.objects.get(code="DEMO-W1")
            url = f"/bao-cao/ratings/{ward_unit.pk}/?by=children&format=xlsx"
            seconds, queries, response = timed(lambda: ward.get(url))
            print("ratings report XLSX by ward1's cells, made in the request")
            print(f"  {'request':<44} {seconds * 1000:9.0f} ms {queries:4d} queries")
            seconds, queries, response = timed(lambda: ward.get("/dang-vien/?format=csv"))
            rows = response.body.count(b"\n") - 1
            print(f"member roster of ward1, CSV, made in the request ({rows} rows)")
            print(f"  {'request':<44} {seconds * 1000:9.0f} ms {queries:4d} queries")
    finally:
        drop_generated_files(old)
    print(f"\nafter: {database_label()}")


if __name__ == "__main__":
    main()

"""Importing a province's yearly attendance sheets (about 100,000 members ×
12 months), end to end, through the code path of `manage.py import_data
attendance` (chibo.imports.import_file: analyse, then one call a month of
meetings.services.meetings_record_attendance_bulk creating every cell's
meeting of that month and recording its attendance),
beside its floor: a PostgreSQL COPY of the same attendance rows into the same
indexed table, in the same run.

    createdb -h 127.0.0.1 -U postgres chibo_bench_attendance
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench_attendance \\
        .venv/bin/python bench/bench_import_attendance.py [--members 100000] [--per-cell 30]

The database must be one of its own (its name must contain "bench"): it is
flushed and filled with a province of cells of `--per-cell` members each
(bulk inserts, placed since 2010), then one sheet (CSV, one row per member,
T1..T12) for last year is imported, then the same sheet again (every row
unchanged: nothing written). Prints rows/s (attendance rows: members × 12)
beside the COPY floor and the load average. Any row error, or a figure that
does not match the sheet, ends the run with BenchFailure (exit status 1).
"""

import argparse
import contextlib
import csv
import io
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import BenchFailure, database_label  # noqa: I001  (sets Django up first)
from django.core.management import call_command
from django.db import connection, transaction

from meetings.models import Attendance, Meeting
from organizations.models import Level
from organizations.services import unit_found

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from organizations.demo import _bulk_units  # noqa: E402
from tests.reports.factories import bulk_members_in  # noqa: E402

YEAR = date.today().year - 1
MARK_CYCLE = ["x"] * 17 + ["P", "K", "x"]  # about 5% excused, 5% unexcused


def build(members: int, per_cell: int):
    name = connection.settings_dict["NAME"]
    if "bench" not in str(name):
        raise BenchFailure(f"refusing to flush {name}: use a database whose name contains 'bench'")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    province = unit_found(
        actor=None,
        name="Đảng bộ tỉnh Thử tải",
        level=Level.PROVINCIAL,
        parent=None,
        founded_on=date(1945, 9, 2),
        code="BENCH-T",
    )
    n_cells = max(1, members // per_cell)
    n_wards = max(1, n_cells // 10)
    wards = _bulk_units(
        [province],
        [
            {
                "name": f"Đảng bộ xã Thử {w:04d}",
                "code": f"BENCH-X{w:04d}",
                "level": Level.GRASSROOTS_COMMITTEE,
                "category": "",
                "parent_id": province.pk,
                "founded_on": date(2000, 1, 1),
            }
            for w in range(n_wards)
        ],
    )
    cells = _bulk_units(
        wards,
        [
            {
                "name": f"Chi bộ thôn {c:05d}",
                "code": f"BENCH-C{c:05d}",
                "level": Level.CELL,
                "category": "village",
                "parent_id": wards[c % n_wards].pk,
                "founded_on": date(2000, 1, 1),
            }
            for c in range(n_cells)
        ],
    )
    bulk_members_in([(c, per_cell) for c in cells])
    return cells


def write_sheet(path: Path) -> int:
    from members.models import Member

    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"BẢNG ĐIỂM DANH SINH HOẠT CHI BỘ NĂM {YEAR} (dữ liệu thử)"])
        w.writerow(["Chi bộ", "Năm", "Họ và tên", *[f"T{m}" for m in range(1, 13)]])
        for i, (full_name, code) in enumerate(
            Member.objects.order_by("unit_id", "pk")
            .values_list("full_name", "unit__code")
            .iterator()
        ):
            marks = [MARK_CYCLE[(i + m) % len(MARK_CYCLE)] for m in range(12)]
            w.writerow([code, YEAR, full_name, *marks])
            rows += 1
    return rows


def run_import(path: Path) -> tuple[float, dict]:
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.suppress(SystemExit):  # exit status 1: the errors are in the JSON
        call_command("import_data", "attendance", str(path), "--json", stdout=out)
    elapsed = time.perf_counter() - start
    result = json.loads(out.getvalue())
    if result["errors"]:
        raise BenchFailure(f"the import met {len(result['errors'])} errors: {result['errors'][:3]}")
    return elapsed, result


def copy_floor() -> tuple[float, int]:
    """COPY the attendance rows out, then into the same table (its indexes
    kept), timing the COPY in; the table ends as it was."""
    table = Attendance._meta.db_table
    columns = [f.column for f in Attendance._meta.concrete_fields if f.column != "id"]
    names = ", ".join(columns)
    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) TO STDOUT") as copy:
        for data in copy:
            buffer.write(data)
    rows = buffer.getvalue().count(b"\n")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        start = time.perf_counter()
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        elapsed = time.perf_counter() - start
    return elapsed, rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--per-cell", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise BenchFailure("the floor is a PostgreSQL COPY: run on PostgreSQL")
    t0 = time.perf_counter()
    cells = build(args.members, args.per_cell)
    print(f"# {database_label()}")
    print(
        f"data: {len(cells):,} cells, {args.members:,} members ({time.perf_counter() - t0:.0f} s to make)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "diem-danh.csv"
        members = write_sheet(path)
        size = path.stat().st_size / 1024 / 1024
        cells_count = len(cells)
        first, result = run_import(path)
        attendance_rows = Attendance.objects.count()
        meetings = Meeting.objects.count()
        if (
            result["new"] != members
            or attendance_rows != members * 12
            or meetings != cells_count * 12
        ):
            raise BenchFailure(
                f"the import wrote {result['new']} rows, {attendance_rows} attendance rows and "
                f"{meetings} meetings; expected {members}, {members * 12}, {cells_count * 12}"
            )
        again, result = run_import(path)
        if result["unchanged"] != members or Attendance.objects.count() != attendance_rows:
            raise BenchFailure(f"the second import changed something: {result}")
    floor, copied = copy_floor()
    if copied != attendance_rows:
        raise BenchFailure(f"COPY moved {copied} rows, the table has {attendance_rows}")
    print(
        f"sheet: {members:,} rows × 12 months = {attendance_rows:,} attendance rows, {size:.1f} MiB CSV"
    )
    print(
        f"{'import (analyse + meetings + attendance)':<46} {first:8.1f} s {attendance_rows / first:10,.0f} rows/s"
    )
    print(
        f"{'same sheet again (all unchanged)':<46} {again:8.1f} s {attendance_rows / again:10,.0f} rows/s"
    )
    print(
        f"{'floor: COPY of the same rows, same table':<46} {floor:8.1f} s {attendance_rows / floor:10,.0f} rows/s"
    )
    print(f"# {database_label()}")


if __name__ == "__main__":
    main()

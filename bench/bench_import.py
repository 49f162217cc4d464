"""Importing a 100,000-row member roster, end to end, through the code path
of `manage.py import_members` (members.imports.import_file), beside two
floors measured in the same run: PostgreSQL COPY of the same rows into the
same (indexed) member table, and a plain bulk_create (no checks, no history).
Goal: the import within 5× of COPY, peak memory < 300 MB for 100,000 rows.

    psql postgres://postgres@127.0.0.1:5432/postgres -c 'create database chibo_bench_import'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench_import \
        .venv/bin/python bench/bench_import.py [--rows 100000] [--format csv|xlsx|both]

The database must be one of its own (its name must contain "bench"): the
member tables are emptied before each run. Each measurement runs in a child
process so that its peak memory (ru_maxrss: the peak RSS, C allocations
included, which tracemalloc does not see) is its own. Prints rows/s and
peak memory beside the goals, with the load average; never asserts.
"""

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from common import database_label, load_average  # noqa: I001  (sets Django up before the imports below)
from django.core.management import call_command
from django.db import connection

from chibo.dates import add_months
from members.choices import ETHNIC_GROUPS
from organizations.models import Level, Unit

CELLS = 60
HEADERS = [
    "STT",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Quê quán",
    "Nơi ở hiện nay",
    "Dân tộc",
    "Tôn giáo",
    "Số CCCD",
    "Số điện thoại",
    "Trình độ văn hóa",
    "Nghề nghiệp",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Số lý lịch",
    "Chi bộ",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Mai", "Nam", "Tâm", "Yến"]


def rows(n: int):
    base = date(1950, 1, 1)
    for i in range(1, n + 1):
        birth = base + timedelta(days=(i * 37) % 15000)
        admitted = birth + timedelta(days=365 * 20 + i % 3000)
        # twelve months of probation (Điều lệ, Điều 5): the import checks it
        official = add_months(admitted, 12) if i % 5 else None
        yield [
            i,
            f"{FAMILY[i % 10]} {MIDDLE[i % 8]} {GIVEN[i % 12]}",
            "Nam" if i % 2 else "Nữ",
            birth.strftime("%d/%m/%Y"),
            "Xã Kim Liên, tỉnh Nghệ An",
            f"Số {i % 300}, tổ dân phố {i % 40}",
            ETHNIC_GROUPS[i % 7],
            "Không",
            f"0{i:011d}",
            f"09{i:08d}",
            "12/12",
            "Hưu trí" if i % 3 else "Công chức",
            admitted.strftime("%d/%m/%Y"),
            official.strftime("%d/%m/%Y") if official else "",
            f"7{i:08d}",
            f"LL{i:06d}",
            f"BENCH-CB-{i % CELLS:02d}",
        ]


def write_csv(path: Path, n: int) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["DANH SÁCH ĐẢNG VIÊN (dữ liệu thử)"])
        w.writerow(HEADERS)
        w.writerows(rows(n))


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    ws.append(["DANH SÁCH ĐẢNG VIÊN (dữ liệu thử)"])
    ws.append(HEADERS)
    for r in rows(n):
        ws.append(r)
    wb.save(path)


def reset_database() -> None:
    name = connection.settings_dict["NAME"]
    if "bench" not in str(name):
        sys.exit(f"refusing to empty {name}: use a database whose name contains 'bench'")
    call_command("migrate", verbosity=0)
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE members_member, members_historicalmember, members_placement, "
            "members_statusperiod, members_membercount, chibo_auditevent, chibo_importbatch "
            "CASCADE"
        )
    from organizations.services import unit_found

    if not Unit.objects.filter(code="BENCH-DB").exists():
        ward = unit_found(
            actor=None,
            name="Đảng bộ phường Thử tải",
            level=Level.GRASSROOTS_COMMITTEE,
            parent=None,
            founded_on=date(1945, 9, 2),
            code="BENCH-DB",
        )
        for i in range(CELLS):
            unit_found(
                actor=None,
                name=f"Chi bộ thử tải {i:02d}",
                level=Level.CELL,
                parent=ward,
                category="residential",
                founded_on=date(1945, 9, 2),
                code=f"BENCH-CB-{i:02d}",
            )


def child_import(path: str) -> dict:
    from io import StringIO

    out = StringIO()
    start = time.perf_counter()
    with contextlib.suppress(SystemExit):  # exit 1 when a row has an error
        call_command("import_members", path, "--json", stdout=out)
    elapsed = time.perf_counter() - start
    result = json.loads(out.getvalue())
    return {
        "seconds": elapsed,
        "new": result["new"],
        "unchanged": result["unchanged"],
        "errors": len(result["errors"]),
    }


def child_bulk(path: str) -> dict:
    """The floor: read the CSV with the csv module and bulk_create Member rows,
    with no checks, no history, no placement or status rows."""
    import csv

    from members.models import Member

    start = time.perf_counter()
    cells = {u.code: u for u in Unit.objects.filter(code__startswith="BENCH-CB-")}
    batch = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        next(reader)
        for r in reader:

            def d(text):
                return date(int(text[6:10]), int(text[3:5]), int(text[:2])) if text else None

            batch.append(
                Member(
                    full_name=r[1],
                    gender="M" if r[2] == "Nam" else "F",
                    birth_date=d(r[3]),
                    home_town=r[4],
                    residence=r[5],
                    ethnicity=r[6],
                    religion="none",  # what the import reads "Không" as
                    national_id=r[8],
                    phone=r[9],
                    occupation=r[11],
                    admitted_on=d(r[12]),
                    official_on=d(r[13]),
                    card_number=r[14],
                    dossier_number=r[15],
                    unit=cells[r[16]],
                    status="official" if r[13] else "probationary",
                    sort_key=r[1],
                    search_name=r[1],
                )
            )
            if len(batch) == 5000:
                Member.objects.bulk_create(batch)
                batch = []
    Member.objects.bulk_create(batch)
    return {"seconds": time.perf_counter() - start, "new": Member.objects.count(), "errors": 0}


def child_copy(path: str) -> dict:
    """The floor the goal is set against: the same rows, read with the csv
    module, sent with PostgreSQL COPY into members_member with its indexes
    (no checks, no history, no placement or status rows)."""
    import csv

    from django.utils import timezone

    from members.models import Member

    if connection.vendor != "postgresql":
        return {"seconds": float("nan"), "new": 0, "errors": 0}
    start = time.perf_counter()
    cells = dict(Unit.objects.filter(code__startswith="BENCH-CB-").values_list("code", "pk"))
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {f.attname: now if f.attname == "created_at" else f.get_default() for f in fields}
    names = [f.attname for f in fields]

    def d(text):
        return date(int(text[6:10]), int(text[3:5]), int(text[:2])) if text else None

    quote = connection.ops.quote_name
    sql = f"COPY {quote(Member._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with (
        open(path, encoding="utf-8-sig", newline="") as fh,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        next(reader)
        for r in reader:
            row = {
                **defaults,
                "full_name": r[1],
                "gender": "M" if r[2] == "Nam" else "F",
                "birth_date": d(r[3]),
                "home_town": r[4],
                "residence": r[5],
                "ethnicity": r[6],
                "religion": r[7],
                "national_id": r[8],
                "phone": r[9],
                "occupation": r[11],
                "admitted_on": d(r[12]),
                "official_on": d(r[13]),
                "card_number": r[14],
                "dossier_number": r[15],
                "unit_id": cells[r[16]],
                "status": "official" if r[13] else "probationary",
                "sort_key": r[1],
                "search_name": r[1],
            }
            copy.write_row([row[k] for k in names])
    return {"seconds": time.perf_counter() - start, "new": Member.objects.count(), "errors": 0}


def in_child(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(label: str, n: int, r: dict) -> None:
    print(
        f"{label:<52} {r['seconds']:7.1f} s {n / r['seconds']:9,.0f} rows/s "
        f"peak {r['peak_mb']:6.0f} MB  (new {r['new']:,}, unchanged {r.get('unchanged', 0):,}, "
        f"errors {r['errors']})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        child = {"import": child_import, "bulk": child_bulk, "copy": child_copy}[kind]
        result = child(path)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    n = args.rows
    print(
        f"database: {database_label()}; {n:,} rows; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    imported = {}
    with tempfile.TemporaryDirectory() as tmp:
        formats = ["csv", "xlsx"] if args.format == "both" else [args.format]
        csv_path = Path(tmp) / "roster.csv"
        write_csv(csv_path, n)
        for fmt in formats:
            path = Path(tmp) / f"roster.{fmt}"
            if fmt == "xlsx":
                write_xlsx(path, n)
            reset_database()
            size = path.stat().st_size / 1024 / 1024
            imported[fmt] = in_child("import", path)
            report(f"import_members {fmt.upper()} ({size:.1f} MB), end to end", n, imported[fmt])
            if fmt == "csv":
                report(
                    "the same file again (every row matched, unchanged)",
                    n,
                    in_child("import", path),
                )
        reset_database()
        copy = in_child("copy", csv_path)
        report("floor: COPY of the same rows into members_member", n, copy)
        reset_database()
        report("plain bulk_create of the same rows (floor)", n, in_child("bulk", csv_path))
        reset_database()
    for fmt, r in imported.items():
        print(
            f"import_members {fmt.upper()} / COPY: {r['seconds'] / copy['seconds']:.1f}× "
            f"(goal ≤ 5×); peak {r['peak_mb']:.0f} MB (goal < 300 MB); {load_average()}"
        )
    print(f"after: {database_label()}")


if __name__ == "__main__":
    main()

"""The national benchmark: every page and report for the national root and for
one province of a `seed_demo --scale million` database (about 1,000,000
members in 10 provinces), side by side, with time (best and median), query
count and HTML size. The query count must not grow with the data: the
national root (ten times the province) is printed beside the province, and a
line whose national count exceeds the province's is flagged "GROWS". Floors
measured in the same run: the log-in page (the framework alone) and a plain
SQL aggregate of the same members. Goal: < 1 s each. Fails loudly on any
response other than the one expected (BenchFailure, exit status 1).

    createdb chibo_national
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_national \\
        .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_national \\
        .venv/bin/python manage.py seed_demo --scale million
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_national \\
        .venv/bin/python bench/bench_national.py [--slow] [--only WORD] [--runs N]

`--slow` prints the three slowest SQL statements of every line over 1 s (to
run EXPLAIN (ANALYZE, BUFFERS) on); `--only` keeps the lines whose label
contains WORD; `--runs` times each line N times (3).
"""

from common import BenchClient, BenchFailure, database_label  # noqa: I001

import statistics
import sys
import time
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection

from members.models import Member
from organizations.models import Unit
from reports.catalogue import Params, catalogue

RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
SLOW = "--slow" in sys.argv
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""


class Recorder:
    """Counts the queries and keeps the slowest ones (for EXPLAIN)."""

    def __init__(self):
        self.count = 0
        self.timed: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timed.append((time.perf_counter() - start, sql))


def run(fn) -> tuple[float, float, int, int, list]:
    times, queries, size, slowest = [], 0, 0, []
    for _ in range(RUNS):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        # the most of any run: the first, whose figures are not kept yet
        queries = max(queries, recorder.count)
        size = len(getattr(result, "body", b"") or b"")
        slowest = sorted(recorder.timed, reverse=True)[:3]
    return min(times), statistics.median(times), queries, size, slowest, times[0]


failures: list[str] = []


def _load() -> str:
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def line(label: str, province_fn, national_fn) -> None:
    if ONLY and ONLY not in label:
        return
    p = run(province_fn)
    n = run(national_fn)
    grows = "  GROWS" if n[2] > p[2] else ""
    # the first run counts too: a page whose figures are kept (chibo.cache)
    # answers fast from the second run on, but someone waits for the first
    slow = "  SLOW" if max(p[1], n[1], p[5], n[5]) > 1 else ""
    print(
        f"{label:<50} province {p[0] * 1000:7.0f} ms (median {p[1] * 1000:6.0f},"
        f" first {p[5] * 1000:6.0f}) {p[2]:4d} q {p[3] / 1024:6.0f} KB"
        f" | national {n[0] * 1000:7.0f} ms (median {n[1] * 1000:6.0f},"
        f" first {n[5] * 1000:6.0f}) {n[2]:4d} q {n[3] / 1024:6.0f} KB"
        f"  load {_load()}{grows}{slow}",
        flush=True,
    )
    if grows or slow:
        failures.append(label)
    if SLOW and slow:
        for which, figures in (("province", p), ("national", n)):
            for seconds, sql in figures[4]:
                print(f"    {which} {seconds * 1000:7.0f} ms  {sql[:400]}")


def sql_floor(unit: Unit) -> float:
    """Members by status under the unit: the plain SQL aggregate the member
    figures of a report reduce to."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.status, count(*) FROM members_member m "
            "JOIN organizations_unit u ON u.id = m.unit_id "
            "WHERE u.path LIKE %s GROUP BY m.status",
            [unit.path + "%"],
        )
        cursor.fetchall()
    return time.perf_counter() - start


def main():
    users = get_user_model().objects
    try:
        national = Unit.objects.get(code="DEMO-TW")
        province = Unit.objects.get(code="DEMO-N01")
        national_user, province_user = users.get(username="national"), users.get(username="board01")
    except (Unit.DoesNotExist, get_user_model().DoesNotExist) as exc:
        raise BenchFailure(f"not a `seed_demo --scale million` database: {exc}") from exc
    print(
        f"database: {database_label()}\n"
        f"members {Member.objects.count():,}; units {Unit.objects.count():,}; "
        f"province DEMO-N01 and the national root DEMO-TW\n"
    )
    floors = [min(sql_floor(u) for _ in range(RUNS)) for u in (province, national)]
    print(
        f"{'floor: SQL count of members by status':<50} province {floors[0] * 1000:7.0f} ms"
        f"{'':>30}| national {floors[1] * 1000:7.0f} ms"
    )
    anonymous = BenchClient()
    login = run(lambda: anonymous.get("/dang-nhap/"))
    print(
        f"{'floor: the log-in page (logged out)':<50} {login[0] * 1000:16.0f} ms {login[2]:4d} q\n"
    )

    pc, nc = BenchClient(province_user), BenchClient(national_user)
    today = date.today()
    year = today.year - 1

    def page(label, url, expect=200):
        line(
            label,
            lambda: pc.get(url.format(unit=province.pk), expect=expect),
            lambda: nc.get(url.format(unit=national.pk), expect=expect),
        )

    page("home page", "/")
    page("unit page", "/to-chuc/{unit}/")
    page("unit page, page 5", "/to-chuc/{unit}/?page=5")
    page("member list", "/dang-vien/")
    page("member list, search", "/dang-vien/?q=nguyen van")
    page("member list, page 50", "/dang-vien/?page=50")
    for kind in ("du-bi", "mien-sinh-hoat", "huy-hieu"):
        page(f"due list {kind}", f"/dang-vien/den-han/{kind}/", expect=None)
    page("meetings tracker", "/sinh-hoat/")
    page("meetings of the unit", "/sinh-hoat/don-vi/{unit}/")
    page("reviews", "/danh-gia/")
    page(f"review results {year}", f"/danh-gia/ket-qua/{{unit}}/?year={year}")
    page("dues in arrears", "/dang-phi/")
    page("dues remittance", "/dang-phi/don-vi/{unit}/thu-nop/")
    page("report catalogue", "/bao-cao/")
    page("reports to approve", "/bao-cao/cho-duyet/")
    page("reports submitted", "/bao-cao/nop/{unit}/")
    page("generated files", "/tep/")
    for report in catalogue():
        query = f"?year={year}" if report.yearly else "?"
        page(f"report {report.name}", f"/bao-cao/{report.name}/{{unit}}/{query}")
        page(
            f"report {report.name} by sub-unit",
            f"/bao-cao/{report.name}/{{unit}}/{query}&by=children",
        )
        # the files: made at once when small, else sent to the worker (302)
        page(
            f"report {report.name} XLSX",
            f"/bao-cao/{report.name}/{{unit}}/{query}&format=xlsx",
            expect=None,
        )
    print()
    for report in catalogue():
        if report.yearly:
            params = Params(start=date(year, 1, 1), end=date(year, 12, 31))
        elif report.periodic:
            params = Params(start=date(today.year, 1, 1), end=today)
        else:
            params = Params(day=today)
        line(
            f"selector {report.name}",
            lambda r=report, p=params: r.run(province, p),
            lambda r=report, p=params: r.run(national, p),
        )
    print(f"\nafter: {database_label()}")
    if failures:
        print(f"{len(failures)} lines over 1 s or with a query count that grows: {failures}")


if __name__ == "__main__":
    main()

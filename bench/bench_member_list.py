"""Time the member list on the province-scale demo (PostgreSQL).

    createdb chibo_bench_members
    export DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench_members
    python manage.py migrate && python manage.py seed_demo --scale province
    python bench/bench_member_list.py

Prints, for the board (who sees the whole province) and a ward's staff, the
time (best and median of a few runs) and the query count of: the first page,
a filtered page, a search, and the CSV and XLSX exports of one ward. Measures
only; asserts nothing.
"""

from common import BenchClient, database_label  # noqa: I001 (sets Django up first)

import statistics
import sys
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member
from organizations.models import Level, Unit

RUNS = 5


def measure(client, label, params, runs=RUNS):
    url = reverse("members:list")
    times, queries, size = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            body = client.get(url, params).body  # fails the run unless 200
            times.append(time.perf_counter() - t0)
        queries, size = len(ctx.captured_queries), len(body)
    print(
        f"  {label:<44} best {min(times) * 1000:7.1f} ms   median "
        f"{statistics.median(times) * 1000:7.1f} ms   {queries:2d} queries   {size / 1024:8.1f} KiB"
    )


def main():
    if connection.vendor != "postgresql":
        print("Chạy trên PostgreSQL (DATABASE_URL=postgres://...).")
        return 1
    total = Member.objects.count()
    if total < 50000:
        print(f"Chỉ có {total} đảng viên: hãy chạy seed_demo --scale province trước.")
        return 1
    # A freshly seeded database has no planner statistics yet (autovacuum
    # would gather them within minutes); gather them now, as it would.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    users = get_user_model().objects
    # the largest grassroots committee of the province-scale demo
    ward, ward_members = None, 0
    for unit in Unit.objects.filter(
        level=Level.GRASSROOTS_COMMITTEE, code__startswith="DEMO-P-"
    ).order_by("code")[:200]:
        n = Member.objects.filter(unit__path__startswith=unit.path).count()
        if n > ward_members:
            ward, ward_members = unit, n
    print(f"{total} đảng viên; đơn vị xuất thử: {ward.name} ({ward_members} đảng viên)")
    # the machine is shared: say how busy it was, beside the figures
    print(f"database: {database_label()}\n")
    for username in ("board", "ward1"):
        client = BenchClient(users.get(username=username))
        client.get(reverse("members:list"))  # warm the connection and the session
        print(f"{username}:")
        measure(client, "trang đầu", {})
        measure(
            client,
            "lọc: nữ, 46–60 tuổi, chi bộ khu dân cư",
            {"gender": "F", "age_band": "46_60", "category": "residential"},
        )
        measure(client, "tìm “nguyen van”", {"q": "nguyen van"})
        measure(client, "tìm “thi hoa”, trang 3", {"q": "thi hoa", "page": 3})
        if username == "board":
            measure(
                client,
                f"xuất CSV một đảng bộ ({ward_members} dòng)",
                {"unit": ward.pk, "format": "csv"},
            )
            measure(
                client,
                f"xuất XLSX một đảng bộ ({ward_members} dòng)",
                {"unit": ward.pk, "format": "xlsx"},
            )
            measure(client, f"xuất CSV toàn tỉnh ({total} dòng, 1 lần)", {"format": "csv"}, runs=1)
        else:
            measure(client, "xuất CSV cả đảng bộ phường", {"format": "csv"})
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

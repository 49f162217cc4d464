"""The long pages at province scale, as the board sees them: time (best and
median), queries and the size of the HTML, beside the floor (the log-in page,
which is the framework and the base template alone). Target: < 300 ms and
< 200 KB each on a quiet machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_pages.py
"""

from common import BenchClient, QueryCounter, database_label  # noqa: I001

import statistics
import time
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection

from organizations.models import Unit

RUNS = 5


def page(label: str, client: BenchClient, url: str) -> None:
    times, size, queries = [], 0, 0
    for _ in range(RUNS):
        with QueryCounter() as counter:
            start = time.perf_counter()
            size = len(client.get(url).body)
            times.append(time.perf_counter() - start)
        queries = counter.count
    print(
        f"{label:<52} best {min(times) * 1000:7.0f} ms  median "
        f"{statistics.median(times) * 1000:7.0f} ms {queries:4d} queries {size / 1024:7.1f} KB",
        flush=True,
    )


def main():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE")
    board = get_user_model().objects.get(username="board")
    province = Unit.objects.get(code="DEMO-TINH")
    year = date.today().year - 1
    print(f"database: {database_label()}; {province.children.count()} units under the province\n")
    page("floor: the log-in page (logged out)", BenchClient(), "/dang-nhap/")
    client = BenchClient(board)
    page("unit page of the province", client, f"/to-chuc/{province.pk}/")
    page("unit page of the province, page 5", client, f"/to-chuc/{province.pk}/?page=5")
    page(
        f"review results of the province, {year}",
        client,
        f"/danh-gia/ket-qua/{province.pk}/?year={year}",
    )
    page("meetings tracker of the province", client, "/sinh-hoat/")
    page("home page of the board", client, "/")
    print(f"\nafter: {database_label()}")


if __name__ == "__main__":
    main()

"""Shared set-up for the benchmark scripts: Django with the real settings and
the database DATABASE_URL names (meant for a PostgreSQL database loaded with
`seed_demo --scale province`). Benchmarks print figures; they never assert."""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402


class QueryCounter:
    """Counts the queries run on the connection, through a page request too
    (Django empties connection.queries when a request starts, so
    CaptureQueriesContext undercounts around test-client requests)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


@contextmanager
def measure(label: str):
    """Time the block once; print ms and queries."""
    with QueryCounter() as counter:
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
    print(f"{label:<60} {elapsed * 1000:9.1f} ms {counter.count:5d} queries")


def best_of(label: str, fn, runs: int = 5):
    """Run `fn` `runs` times; print the best and median time and the queries of one run."""
    times, queries = [], 0
    for _ in range(runs):
        with QueryCounter() as counter:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = counter.count
    median = sorted(times)[len(times) // 2]
    print(
        f"{label:<60} best {min(times) * 1000:8.1f} ms  median {median * 1000:8.1f} ms  {queries:4d} queries"
    )
    return min(times)


def database_label() -> str:
    s = connection.settings_dict
    return f"{connection.vendor} {s.get('NAME')}"

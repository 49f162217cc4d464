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

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


@contextmanager
def measure(label: str, runs: int = 5):
    """Time the block (best of `runs` is up to the caller); print ms and queries."""
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
    print(f"{label:<60} {elapsed * 1000:9.1f} ms {len(ctx.captured_queries):5d} queries")


def best_of(label: str, fn, runs: int = 5):
    times, queries = [], 0
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    print(
        f"{label:<60} best {min(times) * 1000:8.1f} ms  median {sorted(times)[len(times) // 2] * 1000:8.1f} ms  {queries:4d} queries"
    )
    return min(times)


def database_label() -> str:
    s = connection.settings_dict
    return f"{connection.vendor} {s.get('NAME')}"

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
# force_login() needs no log-in throttling; the test client's host is allowed
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


class BenchFailure(SystemExit):
    """A benchmark met a response it did not expect: timing an error page
    measures nothing, so the script stops with a message and exit status 1."""

    def __init__(self, message: str):
        super().__init__(f"BENCHMARK FAILED: {message}")


class BenchClient(Client):
    """The test client as a benchmark needs it: a host the settings allow
    (the default "testserver" gets a 400 page from ALLOWED_HOSTS), and every
    response checked. `expect` names the status a call must answer (200 unless
    told, e.g. 302 for an export that goes to the background); any other
    status ends the run with BenchFailure."""

    def __init__(self, user=None, **defaults):
        defaults.setdefault("HTTP_HOST", "localhost")
        super().__init__(**defaults)
        if user is not None:
            self.force_login(user)

    def get(self, path, data=None, *, expect: int = 200, **extra):
        response = super().get(path, data, **extra)
        check(response, path, expect)
        return response

    def post(self, path, data=None, *, expect: int = 302, **extra):
        response = super().post(path, data, **extra)
        check(response, path, expect)
        return response


def check(response, path: str, expect: int | None = 200):
    """`expect=None`: a file answered at once (200) or sent to the worker (302)."""
    if response.status_code not in ((200, 302) if expect is None else (expect,)):
        body = b"" if response.streaming else response.content[:300]
        raise BenchFailure(
            f"GET {path} answered {response.status_code}, expected {expect}: "
            f"{body.decode('utf-8', 'replace').strip()[:300]}"
        )
    # read the whole body (a streamed export's rows are the work being timed)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def load_average() -> str:
    """The machine is shared: print how busy it was beside the figures."""
    return "load average (1/5/15 min): " + " / ".join(f"{x:.2f}" for x in os.getloadavg())


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
    return f"{connection.vendor} {s.get('NAME')}; {load_average()}"


# --- files made in the background ----------------------------------------------------

# the request only queues the job; the benchmark runs the worker's part itself
NO_WORKER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def timed(fn):
    with QueryCounter() as counter:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return elapsed, counter.count, result


def job_of(response):
    from chibo.models import GeneratedFile

    pk = response["Location"].rstrip("/").split("/")[-1]
    return GeneratedFile.objects.get(pk=pk)


def background(label: str, client: BenchClient, url: str, floor: float | None = None) -> None:
    """A file that goes to the background worker (chibo.exports): the
    request that queues it (run under NO_WORKER), the worker's work done here
    as db_worker would do it, the request that finds it again, the download."""
    from chibo.exports import generated_file_run
    from chibo.models import GeneratedFile

    before = set(GeneratedFile.objects.values_list("pk", flat=True))
    asked, queries, response = timed(lambda: client.get(url, expect=302))
    job = job_of(response)
    if job.pk in before and job.status != GeneratedFile.Status.QUEUED:
        raise BenchFailure(
            f"{label}: an earlier file (job {job.pk}) was reused, so there is nothing to time; "
            "delete it (manage.py purge_generated_files once it expires, or in the admin)"
        )
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


def drop_generated_files(keep: set[int]) -> None:
    """Delete the files a benchmark made (all but the ids in `keep`)."""
    from chibo.models import GeneratedFile

    for job in GeneratedFile.objects.exclude(pk__in=keep):
        if job.file:
            job.file.storage.delete(job.file.name)
        job.delete()

"""Load: ward staff and a board user browse a mix of pages (bench/load_mix.py,
browsed by bench/locustfile.py) against gunicorn with 2 workers on the
province data, over loopback, for a bounded time; prints requests per second,
the mean, p50 and p99 and errors, per page and overall, beside the floor (the
log-in page, logged out, and a static file through the same gunicorn, under
the same load). Target on a quiet machine: >= 40 req/s, p99 < 500 ms, 0
errors. Any error fails the run (BENCHMARK FAILED, exit status 1).

First, each page of the mix alone, one request at a time with the test client
(same settings as the server: DEBUG off): its CPU ms in Django, its wall ms,
queries and KB. On a shared machine the load figures mostly measure the other
tenants; the CPU ms and queries of each page do not.

Needs the bench extra: `.venv/bin/pip install ".[bench]"` (locust), or
LOCUST=/path/to/locust (locust runs in its own process).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_load.py [--users 20] [--seconds 60] [--alone-only]

Locust, its 20 users and the 2 gunicorn workers share this machine's cores:
the figures are those of the whole machine, printed with its load average.
"""

# ruff: noqa: E402 (the settings are chosen before Django starts)
import os
import tempfile

# the pages are measured alone under the server's own settings: DEBUG off
# (no query log, cached templates), static files from STATIC_ROOT by whitenoise
STATIC_ROOT = tempfile.mkdtemp(prefix="chibo-bench-static-")
os.environ.update(
    DEBUG="0",
    STATIC_ROOT=STATIC_ROOT,
    ALLOWED_HOSTS="127.0.0.1,localhost",
    SECURE_SSL_REDIRECT="0",
    SESSION_COOKIE_SECURE="0",
    CSRF_COOKIE_SECURE="0",
)
os.environ.setdefault("SECRET_KEY", "bench-load-" + os.urandom(16).hex())

from common import ROOT, BenchClient, BenchFailure, QueryCounter, database_label  # noqa: I001

import argparse
import csv
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from urllib.request import urlopen

from django.conf import settings

from load_mix import FLOOR_PAGE, FLOOR_STATIC, PAGES, USER_WEIGHTS
from organizations.models import Level, Role, Unit

BIN = Path(sys.executable).parent
RUNS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict:
    return {
        **os.environ,
        # the key the sessions made here are signed with (sessions_for)
        "SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
    }


def gunicorn_command(port: int, workers: int, threads: int, keep_alive: int = 10) -> list[str]:
    """gunicorn as a deployment would start it: the app imported once before
    the workers fork (--preload: no per-worker start-up inside the run),
    threads in each worker so a worker waiting on PostgreSQL still serves
    (--threads > 1 is gunicorn's gthread worker), and connections kept open
    between a browser's requests for longer than gunicorn's default 2 s
    (--keep-alive, as behind a proxy): under load a gthread worker closes an
    idle connection when its time is up even as the client's next request
    arrives on it, and the client sees no answer at all (status 0). Static
    files come from WhiteNoise in the same workers (chibo.settings)."""
    return [
        str(BIN / "gunicorn"),
        "chibo.wsgi",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--preload",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--keep-alive",
        str(keep_alive),
        "--log-level",
        "warning",
    ]


def start_gunicorn(
    env: dict, port: int, workers: int, threads: int, keep_alive: int
) -> subprocess.Popen:
    server = subprocess.Popen(
        gunicorn_command(port, workers, threads, keep_alive), cwd=ROOT, env=env
    )
    # a busy shared machine takes a while to import Django and fork
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urlopen(f"http://127.0.0.1:{port}{FLOOR_PAGE[1]}", timeout=10) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise BenchFailure(f"gunicorn did not answer the log-in page (exit status {server.poll()})")


def stop(server: subprocess.Popen) -> None:
    """gunicorn's graceful stop waits for its threads' requests; on a busy
    machine that can outlast any patience, so it is killed after a minute."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of one process so far (Linux /proc), None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


class CpuMeter(threading.Thread):
    """Where the CPU of a run goes, whatever else the machine runs: the
    gunicorn processes' and this database's PostgreSQL backends' CPU seconds
    (read from /proc every second, so a backend that closes is lost for at
    most a second) and locust's (its rusage as a child). Divided by the
    requests served, they say what a request costs on each side: figures
    that a busy machine changes far less than it changes the req/s."""

    def __init__(self, server: subprocess.Popen):
        super().__init__(daemon=True)
        self.server = server
        self.stopped = threading.Event()
        self.start_cpu: dict[tuple[str, int], float] = {}
        self.last_cpu: dict[tuple[str, int], float] = {}

    def backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            return [pid for (pid,) in cursor.fetchall()]

    def sample(self) -> None:
        pids = [("gunicorn", self.server.pid)] + [
            ("gunicorn", pid) for pid in children_of(self.server.pid)
        ]
        if connection_vendor() == "postgresql":
            pids += [("postgres", pid) for pid in self.backends()]
        first = not self.last_cpu
        for key in pids:
            cpu = cpu_seconds(key[1])
            if cpu is not None:
                # a process started during the run counts from zero
                self.start_cpu.setdefault(key, cpu if first else 0.0)
                self.last_cpu[key] = cpu

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            self.sample()

    def __enter__(self):
        self.sample()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.join()
        self.sample()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.locust = (after.ru_utime + after.ru_stime) - (
            self.children.ru_utime + self.children.ru_stime
        )

    def per_request(self, requests: int) -> str:
        spent = {"gunicorn": 0.0, "postgres": 0.0}
        for key, cpu in self.last_cpu.items():
            spent[key[0]] += cpu - self.start_cpu.get(key, 0.0)
        n = max(requests, 1)
        parts = [f"{name} {seconds * 1000 / n:.1f}" for name, seconds in spent.items()]
        parts.append(f"locust {self.locust * 1000 / n:.1f}")
        total = sum(spent.values()) + self.locust
        return (
            f"CPU ms per request: {', '.join(parts)}; all {total * 1000 / n:.1f} "
            f"(so at most {2 * n / total if total else 0:.0f} req/s on 2 cores)"
        )


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def locust_bin() -> str:
    locust = Path(os.environ.get("LOCUST", BIN / "locust"))
    if not locust.exists():
        raise BenchFailure(
            'locust is not installed: .venv/bin/pip install ".[bench]" (or set LOCUST=…)'
        )
    return str(locust)


def run_locust(
    env: dict, port: int, users: int, seconds: int, out: str, floor: bool, server
) -> dict:
    with CpuMeter(server) as meter:
        locust(env, port, users, seconds, out, floor)
    with open(f"{out}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    failures = []
    failure_file = Path(f"{out}_failures.csv")
    if failure_file.exists():
        with failure_file.open(newline="") as f:
            failures = list(csv.DictReader(f))
    return {"rows": rows, "failures": failures, "meter": meter}


def locust(env: dict, port: int, users: int, seconds: int, out: str, floor: bool) -> None:
    subprocess.run(
        [
            locust_bin(),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 4)),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            out,
            "--only-summary",
            # the figures are of the browsing once every user is running
            "--reset-stats",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env={**env, "CHIBO_FLOOR": "1" if floor else "0", "PYTHONPATH": str(ROOT / "bench")},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{out}_locust.log", "w"),  # noqa: SIM115 (closed with the process)
    )


def show(label: str, result: dict) -> dict:
    print(f"\n{label}")
    print(
        f"  {'page':<36} {'requests':>9} {'errors':>7} {'req/s':>7} "
        f"{'mean ms':>8} {'p50 ms':>7} {'p99 ms':>7}"
    )
    total = {}
    for row in result["rows"]:
        print(
            f"  {row['Name'] if row['Name'] != 'Aggregated' else 'all pages':<36} "
            f"{row['Request Count']:>9} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):7.1f} {float(row['Average Response Time']):8.0f} "
            f"{row['50%']:>7} {row['99%']:>7}"
        )
        if row["Name"] == "Aggregated":
            total = row
    # the CPU of the whole run over the requests counted once every user runs
    # (--reset-stats): a few per cent high
    print("  " + result["meter"].per_request(int(total.get("Request Count") or 0)))
    return total


def alone(label: str, client: BenchClient, url: str) -> float:
    """One page, one request at a time (after one to warm the caches of the
    process): the median CPU ms spent in this process (Django, templates),
    the best wall ms (CPU plus the database, plus waiting for a core), the
    queries and the size of the HTML. Returns the median CPU ms."""
    client.get(url)
    cpu, wall, queries, size = [], [], 0, 0
    for _ in range(RUNS):
        with QueryCounter() as counter:
            start, start_cpu = time.perf_counter(), time.process_time()
            size = len(client.get(url).body)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start)
        queries = counter.count
    median_cpu = statistics.median(cpu) * 1000
    print(
        f"  {label:<36} {median_cpu:7.1f} {min(wall) * 1000:8.1f} {queries:8d} {size / 1024:8.1f}",
        flush=True,
    )
    return median_cpu


def measure_alone(ids: dict) -> None:
    from django.contrib.auth import get_user_model

    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["ward1", "board"])
    }
    print(f"\neach page alone, {RUNS} requests after a first (test client, DEBUG off)")
    print(f"  {'page':<36} {'CPU ms':>7} {'wall ms':>8} {'queries':>8} {'KB':>8}")
    for label, url in (FLOOR_PAGE, FLOOR_STATIC):
        alone(label, BenchClient(), url)
    clients = {name: BenchClient(user) for name, user in users.items()}
    weighted, weights = 0.0, 0
    for username, label, url, weight in PAGES:
        cpu = alone(label, clients[username], url.format(**ids))
        share = weight * USER_WEIGHTS[username] / sum(w for u, *_, w in PAGES if u == username)
        weighted += cpu * share
        weights += share
    mean = weighted / weights
    print(
        f"  the mix's mean CPU ms per request: {mean:.1f} "
        f"(so at most {2000 / mean:.0f} req/s on 2 cores before the database's share)"
    )


def sessions_for(usernames: list[str]) -> dict[str, str]:
    """A logged-in session for each user, as the test client's force_login
    makes: {username: session key}."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    out = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out[user.username] = session.session_key
    missing = set(usernames) - set(out)
    if missing:
        raise BenchFailure(f"no user {', '.join(sorted(missing))}: load seed_demo first")
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="per worker (1: sync workers)")
    parser.add_argument("--keep-alive", type=int, default=10, help="seconds (gunicorn's: 2)")
    parser.add_argument("--alone-only", action="store_true", help="only each page alone")
    args = parser.parse_args()

    province = Unit.objects.get(code="DEMO-TINH")
    ward = Role.objects.filter(user__username="ward1").select_related("unit").first().unit
    cell = ward.children.filter(level=Level.CELL).order_by("pk").first()
    ids = {"province": province.pk, "ward": ward.pk, "cell": cell.pk, "year": date.today().year - 1}
    print(f"database: {database_label()}")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_env(),
        check=True,
    )
    try:
        measure_alone(ids)
        if args.alone_only:
            print(f"\nafter: {database_label()}")
            return
        load(args, ids)
    finally:
        shutil.rmtree(STATIC_ROOT, ignore_errors=True)


def load(args, ids: dict) -> None:
    print(
        f"\n{args.users} users for {args.seconds} s against gunicorn with {args.workers} "
        f"workers × {args.threads} threads (keep-alive {args.keep_alive} s) on 127.0.0.1; "
        "ward staff (3 of 4) and the board (1 of 4)"
    )
    print(f"before: {database_label()}")
    work = tempfile.mkdtemp(prefix="chibo-bench-load-")
    env = server_env()
    env.update({f"CHIBO_{key.upper()}": str(value) for key, value in ids.items()})
    sessions = sessions_for(["ward1", "board"])
    env.update({f"CHIBO_SESSION_{name}": key for name, key in sessions.items()})
    port = free_port()
    server = start_gunicorn(env, port, args.workers, args.threads, args.keep_alive)
    try:
        floor_seconds = max(10, args.seconds // 4)
        floor = show(
            f"floor: the log-in page, logged out, and a static file ({floor_seconds} s)",
            run_locust(env, port, args.users, floor_seconds, f"{work}/floor", True, server),
        )
        result = run_locust(env, port, args.users, args.seconds, f"{work}/mix", False, server)
        total = show("the mix of pages", result)
    finally:
        stop(server)
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key__in=sessions.values()).delete()
    print(
        f"\nall pages: {float(total['Requests/s']):.1f} req/s, mean "
        f"{float(total['Average Response Time']):.0f} ms, p50 {total['50%']} ms, "
        f"p99 {total['99%']} ms, {total['Failure Count']} errors "
        f"(floor: {float(floor['Requests/s']):.1f} req/s, p99 {floor['99%']} ms)"
    )
    print(f"after: {database_label()}")
    failures = result["failures"]
    if failures or int(total["Failure Count"]) or int(floor["Failure Count"]):
        for f in failures[:10]:
            print(f"  {f.get('Method')} {f.get('Name')}: {f.get('Error')} ×{f.get('Occurrences')}")
        raise BenchFailure(f"{total['Failure Count']} requests failed under load")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

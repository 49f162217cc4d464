"""Load: ward staff and a board user browse a mix of pages (bench/locustfile.py)
against gunicorn with 2 workers on the province data, over loopback, for a
bounded time; prints requests per second, p50, p99 and errors, per page and
overall, beside the floor (the log-in page, logged out, under the same load).
Target on a quiet machine: >= 40 req/s, p99 < 500 ms, 0 errors. Any error
fails the run (BENCHMARK FAILED, exit status 1).

Needs the bench extra: `.venv/bin/pip install ".[bench]"` (locust).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_load.py [--users 20] [--seconds 60]

Locust, its 20 users and the 2 gunicorn workers share this machine's cores:
the figures are those of the whole machine, printed with its load average.
"""

from common import ROOT, BenchFailure, database_label  # noqa: I001

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.request import urlopen

from django.conf import settings

from organizations.models import Level, Role, Unit

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(static_root: str) -> dict:
    return {
        **os.environ,
        "DEBUG": "0",
        # the key the sessions made here are signed with (sessions_for)
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": static_root,
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
    }


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "chibo.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            with urlopen(f"http://127.0.0.1:{port}/dang-nhap/", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise BenchFailure("gunicorn did not answer the log-in page")


def run_locust(env: dict, port: int, users: int, seconds: int, out: str, floor: bool) -> dict:
    locust = BIN / "locust"
    if not locust.exists():
        raise BenchFailure('locust is not installed: .venv/bin/pip install ".[bench]"')
    subprocess.run(
        [
            str(locust),
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
            # the log-ins (a password hash each) happen while the users are
            # spawned; the figures are of the browsing that follows
            "--reset-stats",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env={**env, "CHIBO_FLOOR": "1" if floor else "0"},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{out}_locust.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    with open(f"{out}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    failures = []
    failure_file = Path(f"{out}_failures.csv")
    if failure_file.exists():
        with failure_file.open(newline="") as f:
            failures = list(csv.DictReader(f))
    return {"rows": rows, "failures": failures}


def show(label: str, result: dict) -> dict:
    print(f"\n{label}")
    print(f"  {'page':<36} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    total = {}
    for row in result["rows"]:
        line = (
            f"  {row['Name'] if row['Name'] != 'Aggregated' else 'all pages':<36} "
            f"{row['Request Count']:>9} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>7} {row['99%']:>7}"
        )
        print(line)
        if row["Name"] == "Aggregated":
            total = row
    return total


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
    args = parser.parse_args()

    province = Unit.objects.get(code="DEMO-TINH")
    ward = Role.objects.filter(user__username="ward1").select_related("unit").first().unit
    cell = ward.children.filter(level=Level.CELL).order_by("pk").first()
    print(f"database: {database_label()}")
    print(
        f"{args.users} users for {args.seconds} s against gunicorn with {args.workers} "
        f"workers on 127.0.0.1; ward staff (3 of 4) and the board (1 of 4)"
    )
    static_root = tempfile.mkdtemp(prefix="chibo-bench-static-")
    work = tempfile.mkdtemp(prefix="chibo-bench-load-")
    env = server_env(static_root)
    env.update(
        CHIBO_PROVINCE=str(province.pk),
        CHIBO_WARD=str(ward.pk),
        CHIBO_CELL=str(cell.pk),
        CHIBO_YEAR=str(date.today().year - 1),
    )
    sessions = sessions_for(["ward1", "board"])
    env.update({f"CHIBO_SESSION_{name}": key for name, key in sessions.items()})
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        floor_seconds = max(10, args.seconds // 4)
        floor = show(
            f"floor: the log-in page, logged out ({floor_seconds} s)",
            run_locust(env, port, args.users, floor_seconds, f"{work}/floor", floor=True),
        )
        result = run_locust(env, port, args.users, args.seconds, f"{work}/mix", floor=False)
        total = show("the mix of pages", result)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key__in=sessions.values()).delete()
    print(
        f"\nall pages: {float(total['Requests/s']):.1f} req/s, p50 {total['50%']} ms, "
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

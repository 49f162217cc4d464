"""The benchmark scripts (bench/) keep working as the code moves, and stop
loudly on an error page: a script that no longer imports, or that times a
404, measures nothing (issue 14, item 9)."""

import importlib
import os
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(p.stem for p in BENCH.glob("bench_*.py"))


@pytest.fixture
def bench_path(monkeypatch):
    """bench/ on the path; and the environment as it was afterwards: a script
    sets its variables at import (bench_load: DEBUG=0, SECURE_SSL_REDIRECT=0,
    …), which would leak into the later tests that start manage.py."""
    environ = dict(os.environ)
    monkeypatch.syspath_prepend(str(BENCH))
    yield
    for name in [*SCRIPTS, "common"]:
        sys.modules.pop(name, None)
    os.environ.clear()
    os.environ.update(environ)


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_script_still_imports(script, bench_path):
    """What `python bench/<script>.py` imports before it runs main()."""
    module = importlib.import_module(script)
    assert callable(module.main)


def test_a_benchmark_stops_with_a_message_on_an_error_page(db, bench_path, ward1_staff):
    from common import BenchClient, BenchFailure

    client = BenchClient(ward1_staff)
    with pytest.raises(BenchFailure) as failed:
        client.get("/to-chuc/999999/")
    assert failed.value.code.startswith("BENCHMARK FAILED: GET /to-chuc/999999/ answered 404")
    assert isinstance(failed.value, SystemExit)  # the script ends with exit status 1
    # a file sent to the worker is a redirect: an error unless the call expects it
    assert client.get("/", expect=200).status_code == 200
    with pytest.raises(BenchFailure):
        client.get("/", expect=302)

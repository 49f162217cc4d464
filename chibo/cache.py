"""Figures that are the same for every user of a unit (or of a scope), kept
for a short time and reused while the data has not changed: the member
counts of a unit's sub-units, its trend, the home page's due lists and
warnings. The home and unit pages are the ones every user opens all day;
recomputing them for each request is what kept the load benchmark
(bench/bench_load.py) at a few requests a second.

Safe because the key holds the data version (chibo.exports.data_version:
the newest id of the audit trail and of every history table, which every
business write moves) and the day: a write anywhere makes every kept figure
unreachable at once, in every process, with nothing to invalidate by hand.
The version is read at most once per GET request (one query of index
look-ups).
The time kept (CHIBO_FIGURES_SECONDS) only bounds the memory; 0 turns the
cache off (the test settings do, so a test that writes rows with factories,
which record no audit event, never reads a stale figure; the cache's own
tests turn it on).

Values must be plain data (they are pickled): lists, dicts, dataclasses,
model instances without querysets attached.
"""

import hashlib
import threading
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started

from chibo.exports import data_version

T = TypeVar("T")

_local = threading.local()


def _request_started(environ=None, **kwargs) -> None:
    # a POST may write and then show figures: only a reading request keeps
    # the version it read first
    method = (environ or {}).get("REQUEST_METHOD", "GET")
    _local.version, _local.in_request = None, method in ("GET", "HEAD")


def _request_finished(**kwargs) -> None:
    _local.version, _local.in_request = None, False


request_started.connect(_request_started, dispatch_uid="chibo.cache.request_started")
request_finished.connect(_request_finished, dispatch_uid="chibo.cache.request_finished")


def _version() -> str:
    """The data version, read once per request (and on every call outside one)."""
    version = getattr(_local, "version", None)
    if version is None:
        version = ",".join(str(v) for v in data_version())
        if getattr(_local, "in_request", False):
            _local.version = version
    return version


def figures(key: str, compute: Callable[[], T], *, day: date | None = None) -> T:
    """compute(), or what it returned for the same `key`, `day` and data
    version within the last CHIBO_FIGURES_SECONDS. `key` names what is
    computed and everything it depends on besides the data and the day (a
    unit's id, a user's scope: organizations.selectors.scope_key)."""
    seconds = getattr(settings, "CHIBO_FIGURES_SECONDS", 0)
    if not seconds:
        return compute()
    digest = hashlib.sha1(
        f"{key}|{(day or date.today()).isoformat()}|{_version()}".encode()
    ).hexdigest()
    cache = caches["default"]
    full = f"chibo.figures:{digest}"
    value = cache.get(full, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(full, value, seconds)
    return value


_MISSING = object()

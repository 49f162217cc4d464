"""Reads that may go to a streaming replica (DATABASE_REPLICA_URL).

With a replica configured (settings: DATABASES["replica"] and this router),
the pages that only read and may be a moment behind (reports, the member
list, the tracker, the review results, the tree and the warnings: the
`CHIBO_REPLICA_VIEWS` URL names) and the files the worker makes read from
it; everything else reads from the primary, and every write goes to the
primary. Reads right after a write stay on the primary:

- in the request that wrote (from its first write on), and
- for `CHIBO_REPLICA_PIN_SECONDS` after any POST (or other unsafe request)
  of the same browser, through a cookie, so the page a form redirects to
  shows what was just saved even while the replica lags;
- inside a transaction on the primary.

Without DATABASE_REPLICA_URL the router is not installed and the middleware
does nothing.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "chibo_primary"


@dataclass
class _Reads:
    replica: bool  # this request (or job) may read from the replica
    pin_on_write: bool = True  # a write sends the rest of it to the primary
    wrote: bool = False


_reads: ContextVar[_Reads | None] = ContextVar("chibo_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and "chibo.replica.ReplicaRouter" in getattr(
        settings, "DATABASE_ROUTERS", []
    )


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _reads.get()
        if state is None or not state.replica or (state.wrote and state.pin_on_write):
            return "default"
        if connections["default"].in_atomic_block:
            return "default"  # what this transaction wrote is not on the replica
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None:
            state.wrote = True
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two ways in

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


@contextmanager
def replica_reads(*, pin_on_write: bool = True):
    """Reads inside the block go to the replica (when one is configured):
    a background job making a file, or a page on the allowed list."""
    token = _reads.set(_Reads(replica=True, pin_on_write=pin_on_write))
    try:
        yield
    finally:
        _reads.reset(token)


def _pinned(request) -> bool:
    until = request.COOKIES.get(PIN_COOKIE, "")
    try:
        return float(until) > time.time()
    except ValueError:
        return False


class ReplicaMiddleware:
    """Marks the requests whose reads may go to the replica, and pins a
    browser to the primary for a few seconds after it wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = _Reads(replica=False)
        token = _reads.set(state)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if replica_configured() and (request.method not in ("GET", "HEAD") or state.wrote):
            seconds = settings.CHIBO_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _reads.get()
        if state is None or not replica_configured():
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        state.replica = (
            request.method in ("GET", "HEAD")
            and name in settings.CHIBO_REPLICA_VIEWS
            and not _pinned(request)
        )
        return None

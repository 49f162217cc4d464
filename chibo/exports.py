"""One mechanism for every file a user downloads (rosters, reports, decision
lists, documents) in any format: small ones are made inside the request,
large ones by the background worker, kept for a while and reused while the
data they were made from has not changed.

An app describes each kind of file once, as an `ExportKind` registered from
its AppConfig.ready() (so the worker knows it too); chibo knows no app, only
the registry:

    register(ExportKind(
        name="members.roster",
        title=lambda params: "Danh sách đảng viên",
        formats=("xlsx", "csv"),
        scope=roster_scope,        # (user, params) -> str, Http404 if not allowed
        estimate=roster_estimate,  # (user, params, fmt) -> rows, cheap (a COUNT)
        build=roster_build,        # (user, params, fmt, progress) -> Output
    ))

A view answers with `chibo.downloads.export_response(request, kind, params,
fmt)`, which builds the file at once or hands it to the worker.

What "the data has not changed" means here (`data_version`): every business
write goes through a service that records an AuditEvent, and every change of
a member's dossier adds a row to its simple_history table; so the newest id
of those tables moves whenever anything a file could show changes, including
restructures and imports. The file also depends on the day (a roster "as of
today", a scheduled transfer that takes effect at midnight): the day is part
of the fingerprint. A kind may name more tables (`sources`) whose newest id
counts too. The version is global rather than per unit on purpose: a
transfer from one ward to another is recorded once, under one unit, yet
changes both wards' rosters; and a province-wide file, the one worth
reusing, contains every ward anyway. It costs one query of index look-ups.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.models import AuditEvent, GeneratedFile
from chibo.replica import replica_reads

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json; charset=utf-8",
}


@dataclass(frozen=True)
class Output:
    """A made file: its bytes (or an iterable of byte chunks, streamed to the
    browser or to storage without holding it whole) and its download name."""

    content: bytes | Iterable[bytes]
    file_name: str
    content_type: str


@dataclass(frozen=True)
class ExportKind:
    name: str
    title: Callable[[dict], str]
    scope: Callable[..., str]
    estimate: Callable[..., int]
    build: Callable[..., Output]
    formats: tuple[str, ...]
    # bump when the file's layout changes, so files made before are not reused
    version: str = "1"
    # "app_label.Model": more tables whose newest row makes a new version
    sources: tuple[str, ...] = field(default_factory=tuple)


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ExportKind:
    try:
        return _KINDS[name]
    except KeyError as exc:
        raise Http404(_("Không có loại tệp này.")) from exc


def background_threshold(fmt: str) -> int:
    limits = settings.CHIBO_EXPORT_BACKGROUND_ROWS
    return limits.get(fmt, limits.get("*", 5000))


def canonical(params: dict) -> dict:
    """The parameters as stored and compared: no empty values, keys sorted,
    values as text (a query string's values, a form's choices)."""
    out = {}
    for key in sorted(params):
        value = params[key]
        if value in (None, "", [], ()):
            continue
        out[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return out


# --- what "the data has not changed" means ---------------------------------------------


def _history_tables() -> list[tuple[str, str]]:
    """(table, pk column) of every simple_history table: a dossier edit made
    anywhere (a service, the admin site) adds a row there."""
    return [
        (m._meta.db_table, m._meta.pk.column)
        for m in apps.get_models()
        if m.__name__.startswith("Historical") and m._meta.pk.name == "history_id"
    ]


def data_version(sources: Iterable[str] = ()) -> list:
    """The newest id of the audit trail, of every history table and of the
    `sources` named, in one query of index look-ups."""
    tables = [(AuditEvent._meta.db_table, AuditEvent._meta.pk.column), *_history_tables()]
    for label in sources:
        model = apps.get_model(label)
        tables.append((model._meta.db_table, model._meta.pk.column))
    q = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT MAX({q(col)}) FROM {q(table)})" for table, col in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchone())


def fingerprint(kind: ExportKind, params: dict, fmt: str, scope: str) -> str:
    key = [
        kind.name,
        kind.version,
        canonical(params),
        fmt,
        scope,
        timezone.localdate().isoformat(),
        data_version(kind.sources),
    ]
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


# --- reading the jobs ---------------------------------------------------------------------


def is_stale(job: GeneratedFile, now=None) -> bool:
    """A job queued or running for longer than CHIBO_EXPORT_STALE_MINUTES is
    lost: its worker died, or no worker runs."""
    now = now or timezone.now()
    limit = timedelta(minutes=settings.CHIBO_EXPORT_STALE_MINUTES)
    return job.is_working and (job.started_at or job.created_at) < now - limit


def reusable(fp: str) -> tuple[GeneratedFile | None, list[int]]:
    """The job that already answers this fingerprint (one being made, or a
    finished file not yet expired), and the ids of lost jobs in its way."""
    now = timezone.now()
    lost = []
    for job in GeneratedFile.objects.filter(fingerprint=fp).exclude(
        status=GeneratedFile.Status.FAILED
    ):
        if job.is_working and not is_stale(job, now):
            return job, []
        if job.status == GeneratedFile.Status.DONE and job.expires_at and job.expires_at > now:
            return job, []
        if job.is_working:
            lost.append(job.pk)
    return None, lost


def generated_file_for_user_or_404(user, pk) -> GeneratedFile:
    """The job, if `user` may have its file: the kind's scope for this user and
    these parameters is the job's scope (the person who asked for it, or
    anyone whose reach gives the same file). Anyone else, a job of another
    ward included, gets 404."""
    job = GeneratedFile.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if job is None or not getattr(user, "is_authenticated", False):
        raise Http404(_("Không tìm thấy tệp này."))
    kind = get_kind(job.kind)
    try:
        scope = kind.scope(user, job.params)
    except Http404 as exc:
        raise Http404(_("Không tìm thấy tệp này.")) from exc
    if scope != job.scope:
        raise Http404(_("Không tìm thấy tệp này."))
    return job


# --- making the file ------------------------------------------------------------------------


class Progress:
    """Handed to a kind's build(): `progress(done, total=None, phase=None)`.
    Writes at most every half second (a 100,000-row roster calls it per row),
    with a plain UPDATE: the build runs outside any transaction, so the page
    polling the job sees it at once. Without a job (a file made inside the
    request) it does nothing."""

    INTERVAL = 0.5

    def __init__(self, job: GeneratedFile | None = None):
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, phase: str | None = None):
        if self.job is None:
            return
        now = time.monotonic()
        if phase is None and now - self._last < self.INTERVAL:
            return
        self._last = now
        values = {"done": done}
        if total is not None:
            values["total"] = total
        if phase is not None:
            values["phase"] = phase
        GeneratedFile.objects.filter(pk=self.job.pk, status=GeneratedFile.Status.RUNNING).update(
            **values
        )


def chunks(content: bytes | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(content, bytes | bytearray):
        yield bytes(content)
        return
    for chunk in content:
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk


def generated_file_run(job_pk: int) -> GeneratedFile | None:
    """Make the file of a queued job (the worker's task). Several workers, on
    several machines, may see the same task: the one whose UPDATE claims the
    queued row makes it, the others return. The file goes to the shared
    "generated" storage; a failure leaves a message on the job, never a
    progress bar that never ends."""
    now = timezone.now()
    claimed = GeneratedFile.objects.filter(pk=job_pk, status=GeneratedFile.Status.QUEUED).update(
        status=GeneratedFile.Status.RUNNING, started_at=now
    )
    if not claimed:
        return None
    job = GeneratedFile.objects.select_related("requested_by").get(pk=job_pk)
    kind = get_kind(job.kind)
    try:
        # the file's reads may go to a replica (chibo/replica.py); its progress
        # is written to the primary without pinning the reads there
        with replica_reads(pin_on_write=False):
            output = kind.build(job.requested_by, job.params, job.format, Progress(job))
            with tempfile.TemporaryFile() as spool:
                for chunk in chunks(output.content):
                    spool.write(chunk)
                size = spool.tell()
                spool.seek(0)
                stored = job.file.storage.save(
                    f"{timezone.localdate():%Y/%m/%d}/{job.pk}-{uuid.uuid4().hex[:12]}.{job.format}",
                    File(spool),
                )
    except Exception:
        logger.exception("generated file %s (%s) failed", job_pk, job.kind)
        GeneratedFile.objects.filter(pk=job_pk).update(
            status=GeneratedFile.Status.FAILED,
            finished_at=timezone.now(),
            message=_("Có lỗi hệ thống khi tạo tệp. Hãy thử lại; nếu vẫn lỗi, báo quản trị viên."),
        )
        raise
    finished = timezone.now()
    GeneratedFile.objects.filter(pk=job_pk).update(
        status=GeneratedFile.Status.DONE,
        file=stored,
        file_name=output.file_name,
        content_type=output.content_type,
        size=size,
        done=job.total,
        phase="",
        finished_at=finished,
        expires_at=finished + timedelta(hours=settings.CHIBO_EXPORT_KEEP_HOURS),
    )
    job.refresh_from_db()
    return job


def generated_files_purge(now=None) -> dict[str, int]:
    """Delete the expired files (and their rows), the failed ones older than
    the keeping time, and mark jobs lost by a dead worker as failed."""
    now = now or timezone.now()
    keep = timedelta(hours=settings.CHIBO_EXPORT_KEEP_HOURS)
    lost = [
        j.pk
        for j in GeneratedFile.objects.filter(status__in=GeneratedFile.LIVE)
        if is_stale(j, now)
    ]
    GeneratedFile.objects.filter(pk__in=lost).update(
        status=GeneratedFile.Status.FAILED,
        finished_at=now,
        message=_("Quá lâu chưa xong (tiến trình nền đã dừng?). Hãy yêu cầu lại."),
    )
    expired = GeneratedFile.objects.filter(status=GeneratedFile.Status.DONE, expires_at__lte=now)
    failed = GeneratedFile.objects.filter(
        status=GeneratedFile.Status.FAILED, created_at__lte=now - keep
    )
    removed = 0
    for job in [*expired, *failed]:
        if job.file:
            try:
                job.file.storage.delete(job.file.name)
            except OSError:  # already gone from the shared folder
                logger.warning("generated file %s: %s was already gone", job.pk, job.file.name)
        job.delete()
        removed += 1
    return {"removed": removed, "lost": len(lost)}


def storage_path_exists(job: GeneratedFile) -> bool:
    return bool(job.file) and job.file.storage.exists(job.file.name)

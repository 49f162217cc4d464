"""The work on one batch: check its file (preview), and apply it (check
again, compare with what the preview showed, write in one transaction,
record). Called by the lifecycle in chibo/imports/batches.py, directly or
from the background tasks in chibo/imports/tasks.py."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DataError, IntegrityError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from psycopg import Cursor
from psycopg.types.json import Jsonb

from chibo.audit import audit_record
from chibo.errors import ServiceError
from chibo.imports.kinds import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportKind,
    Progress,
    RowOutcome,
    get_kind,
)
from chibo.models import ImportBatch
from chibo.spreadsheets import Row, SpreadsheetError, read_sheet

logger = logging.getLogger(__name__)

# --- progress ----------------------------------------------------------------------
#
# An import applies all-or-nothing inside one transaction, and what that
# transaction writes is invisible to the page until it commits; so on
# PostgreSQL the progress goes through a separate short-lived connection. A
# row locked by someone else is skipped rather than waited for: progress is a
# courtesy, never a reason to stall the import. (SQLite allows one writer at
# a time: there, progress inside the transaction is simply not reported.)

_PROGRESS_SQL = (
    "UPDATE chibo_importbatch SET processed_rows = %s, total_rows = %s, heartbeat_at = %s "
    "WHERE id IN "
    "(SELECT id FROM chibo_importbatch WHERE id = %s FOR UPDATE SKIP LOCKED)"
)


def write_progress(batch_pk: int, done: int, total: int, phase: str = "") -> None:
    values = {
        "processed_rows": done,
        "total_rows": max(total, done),
        "heartbeat_at": timezone.now(),
    }
    if not connection.in_atomic_block:
        ImportBatch.objects.filter(pk=batch_pk).update(**values)
        return
    if connection.vendor != "postgresql":
        return
    side = connections.create_connection(connection.alias)
    try:
        with side.cursor() as cursor:
            cursor.execute(
                _PROGRESS_SQL,
                [values["processed_rows"], values["total_rows"], values["heartbeat_at"], batch_pk],
            )
    finally:
        side.close()


# at most one progress write a second: inside the import's transaction each
# write opens a connection of its own (a new PostgreSQL backend), and a
# 100,000-row roster reported every 1,000 rows spent seconds opening them
# while the page polls once a second anyway
PROGRESS_SECONDS = 1.0


def _progress_of(batch: ImportBatch, progress: Progress | None) -> Progress:
    last = [float("-inf")]

    def report(done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            write_progress(batch.pk, done, total, phase)
        if progress:
            progress(done, total, phase)

    return report


# --- checking ------------------------------------------------------------------------


def _limited(rows: Iterator[Row]) -> Iterator[Row]:
    # the same limit the XLSX's declared size is checked against
    # (chibo.spreadsheets): a CSV declares none, so it is counted here
    limit = settings.CHIBO_IMPORT_MAX_ROWS
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise SpreadsheetError(
                _("Tệp có hơn %(n)s dòng; hãy chia thành nhiều tệp.")
                % {"n": f"{limit:,}".replace(",", ".")}
            )
        yield row


def context_for(batch: ImportBatch, kind: ImportKind, *, header, progress) -> ImportContext:
    return ImportContext(
        actor=batch.created_by if batch.created_by_id else None,
        options=batch.options or {},
        header=header,
        progress=progress,
        total=batch.total_rows,
        reason=_("Nhập từ tệp %(file)s (lần nhập số %(id)s)")
        % {"file": batch.file_name, "id": batch.pk},
        batch=batch,
    )


def _open(batch: ImportBatch, kind: ImportKind, *, actor, progress) -> tuple:
    """The batch's file as a sheet (rows read as they are asked for) and the
    context its kind works in. Raises SpreadsheetError."""
    sheet = read_sheet(bytes(batch.content), columns=kind.columns, filename=batch.file_name)

    def header(key: str) -> str:
        return sheet.header_for(key, kind.columns)

    ctx = context_for(batch, kind, header=header, progress=_progress_of(batch, progress))
    if actor is not None:
        ctx.actor = actor
    return sheet, ctx


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def chunk_rows() -> int:
    return max(1, getattr(settings, "CHIBO_IMPORT_CHUNK_ROWS", 2000))


def analysed(sheet, kind: ImportKind, ctx: ImportContext) -> Iterator[list[RowOutcome]]:
    """The kind's outcomes of the file's rows: in chunks of
    settings.CHIBO_IMPORT_CHUNK_ROWS rows for a kind that streams, else all
    at once.

    A streaming kind's next chunk is read and prepared (`kind.prepare`: the
    cells parsed, no database) on a worker thread while this one checks and
    writes the chunk before it: the database works on one chunk while Python
    reads the next, on two cores instead of taking turns on one. At most one
    chunk is read ahead, so the file is still never held whole."""
    rows = _limited(sheet.rows)
    if not kind.streams:
        yield _checked(kind, kind.prepare(rows, ctx), ctx)
        return
    kind.setup(ctx)
    chunks = _chunks(rows, chunk_rows())
    language = translation.get_language()

    def read_ahead():
        # the messages of a row are made in the importer's language; a query
        # here would run on another connection, outside the import's transaction
        with translation.override(language), connection.execute_wrapper(_no_queries):
            chunk = next(chunks, None)
            return None if chunk is None else kind.prepare(chunk, ctx)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read") as pool:
        ahead = pool.submit(read_ahead)
        while (prepared := ahead.result()) is not None:
            ahead = pool.submit(read_ahead)
            yield _checked(kind, prepared, ctx)


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError("ImportKind.prepare runs on a worker thread and must not use the database")


def _checked(kind: ImportKind, prepared, ctx: ImportContext) -> list[RowOutcome]:
    outcomes = kind.analyse(prepared, ctx)
    for r in outcomes:
        if r.errors:
            r.outcome = ERROR
    return outcomes


class _Tally:
    """What the batch keeps of the rows checked so far: the counts, the
    errors and each row as the preview shows it (not the kind's objects,
    which go once their chunk is written)."""

    def __init__(self, kind: ImportKind):
        self.labels = kind.labels
        self.counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0, ERROR: 0}
        self.errors: list[dict] = []
        self.rows: list[dict] = []

    def add(self, outcomes: list[RowOutcome]) -> None:
        for r in outcomes:
            self.counts[r.outcome] = self.counts.get(r.outcome, 0) + 1
            self.errors += [{"row": r.row, "column": c, "message": m} for c, m in r.errors]
            self.rows.append(r.as_json(self.labels))

    @property
    def total(self) -> int:
        return len(self.rows)

    def store(self, batch: ImportBatch, sheet, ctx: ImportContext) -> None:
        if not self.rows:
            raise SpreadsheetError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
        batch.total_rows = batch.processed_rows = len(self.rows)
        batch.new_count = self.counts[NEW]
        batch.updated_count = self.counts[UPDATED]
        batch.unchanged_count = self.counts[UNCHANGED]
        batch.error_count = self.counts[ERROR]
        batch.errors = self.errors
        batch.result = {
            "header_row": sheet.header_row,
            "headers": sheet.headers,
            **ctx.extra,
            "rows": self.rows,
        }


def analyse(
    batch: ImportBatch, *, actor=None, progress: Progress | None = None
) -> tuple[_Tally, ImportContext]:
    """Read the batch's file and let its kind check every row; writes
    nothing. Returns what the batch keeps of the rows (stored on it) and the
    context. Raises SpreadsheetError."""
    kind = get_kind(batch.kind)
    sheet, ctx = _open(batch, kind, actor=actor, progress=progress)
    tally = _Tally(kind)
    for outcomes in analysed(sheet, kind, ctx):
        tally.add(outcomes)
        if kind.streams:
            ctx.progress(tally.total, max(tally.total, ctx.total), "analysing")
    tally.store(batch, sheet, ctx)
    ctx.progress(tally.total, tally.total, "analysing")
    return tally, ctx


# the outcome of every row: megabytes for a province's roster
_ROW_FIELDS = ("result", "errors")


def save(batch: ImportBatch) -> None:
    """Save what the work changed, not the file (megabytes) again. On
    PostgreSQL the rows' outcomes go as one binary jsonb parameter: Django's
    cursor binds on the client, which copied a 100,000-row result into an
    escaped query string (and, with DEBUG on, into the query log)."""
    keep = ("id", "content", "created_at", "created_by")
    binary = connection.vendor == "postgresql"
    fields = [f.name for f in ImportBatch._meta.concrete_fields if f.name not in keep]
    if binary:
        fields = [f for f in fields if f not in _ROW_FIELDS]
    batch.save(update_fields=fields)
    if binary:

        def dumps(value) -> str:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

        table = ImportBatch._meta.db_table
        with Cursor(connection.connection) as cursor:
            cursor.execute(
                f"UPDATE {table} SET result = %b, errors = %b WHERE id = %s",
                [Jsonb(batch.result, dumps), Jsonb(batch.errors, dumps), batch.pk],
            )


def fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.message = message
    batch.finished_at = timezone.now()
    save(batch)
    return batch


def preview(batch: ImportBatch, *, progress: Progress | None = None) -> ImportBatch:
    """Check every row and keep each row's outcome on the batch; writes
    nothing else."""
    try:
        analyse(batch, progress=progress)
    except SpreadsheetError as exc:
        return fail(batch, exc.message)
    batch.status = ImportBatch.Status.PREVIEWED
    batch.message = ""
    save(batch)
    return batch


# --- applying ------------------------------------------------------------------------


def _signature(row: dict) -> str:
    """What must not change between the preview and the confirmation: the
    outcome, the changes (with the values they replace) and the errors.
    Warnings may (a birthday can pass overnight)."""
    return json.dumps(
        [row.get("outcome"), row.get("changes"), row.get("errors")],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )


class _Preview:
    """What the preview showed of each row, to tell the rows whose outcome
    is now different (a chunk at a time, before that chunk is written)."""

    def __init__(self, previewed: list[dict]):
        self.before = {r["row"]: _signature(r) for r in previewed}
        self.seen: set[int] = set()
        self.changed: list[int] = []

    def compare(self, now: list[dict]) -> bool:
        """Note the rows of `now` that differ; True if any of them does."""
        changed = [r["row"] for r in now if self.before.get(r["row"]) != _signature(r)]
        self.seen.update(r["row"] for r in now)
        self.changed += changed
        return bool(changed)

    def missing(self) -> list[int]:
        return [n for n in self.before if n not in self.seen]


def changed_rows(previewed: list[dict], now: list[dict]) -> list[int]:
    """The row numbers whose outcome differs from what the preview showed."""
    preview = _Preview(previewed)
    preview.compare(now)
    return preview.changed + preview.missing()


class _Undo(Exception):
    """Rolls the import's transaction back; `then` tells the batch why."""

    def __init__(self, then):
        super().__init__()
        self.then = then


def _joined(audit_data: dict, more: dict) -> None:
    """The audit record of an import applied in chunks: the lists each
    chunk returned (ids created, ids updated), joined."""
    for key, value in more.items():
        if isinstance(value, list) and isinstance(audit_data.get(key), list):
            audit_data[key] += value
        else:
            audit_data[key] = value


def apply(
    batch: ImportBatch,
    *,
    actor=None,
    progress: Progress | None = None,
    compare: bool = True,
) -> ImportBatch:
    """Apply a claimed (RUNNING) batch: check every row again against the
    database of now; if a row's outcome is not what the preview showed, stop
    and show the new preview; otherwise write everything in one transaction,
    or nothing when a row has an error (unless the batch skips invalid rows),
    and record the outcome and one audit record.

    A kind that streams is read, checked and written a chunk at a time in
    that one transaction: once a row has an error (or differs from the
    preview) nothing more is written, the rest is only checked (so every
    error is reported), and the transaction is rolled back."""
    kind = get_kind(batch.kind)
    previewed = (batch.result or {}).get("rows") if compare else None
    preview = _Preview(previewed) if previewed else None
    del previewed  # kept as signatures only
    skip_invalid = bool((batch.options or {}).get("skip_invalid"))
    try:
        with transaction.atomic():
            sheet, ctx = _open(batch, kind, actor=actor, progress=progress)
            tally = _Tally(kind)
            audit_data: dict = {}
            for outcomes in analysed(sheet, kind, ctx):
                shown_before = tally.total
                tally.add(outcomes)
                if preview is not None:
                    preview.compare(tally.rows[shown_before:])
                blocked = (preview is not None and preview.changed) or (
                    tally.counts[ERROR] and not skip_invalid
                )
                if not blocked:
                    # a kind may refuse to write a part of a file (the plan:
                    # all its steps or none): the errors so far, as before
                    batch.error_count, batch.errors = tally.counts[ERROR], tally.errors
                    good = [r for r in outcomes if r.outcome != ERROR]
                    _joined(audit_data, kind.apply(good, ctx) or {})
                if kind.streams:
                    ctx.progress(tally.total, max(tally.total, ctx.total), "running")
            tally.store(batch, sheet, ctx)
            if preview is not None:
                changed = preview.changed + preview.missing()
                if changed:
                    raise _Undo(lambda: _needs_new_preview(batch, changed))
            if batch.error_count and not skip_invalid:
                raise _Undo(lambda: fail(batch, errors_block_message(batch.error_count)))
            _joined(audit_data, kind.finish(ctx) or {})
            batch.status = ImportBatch.Status.DONE
            batch.finished_at = timezone.now()
            batch.message = ""
            save(batch)
            audit_record(
                actor=ctx.actor,
                action=kind.action,
                target=batch,
                summary=_(
                    "Nhập tệp %(file)s (%(kind)s): %(new)s thêm mới, %(updated)s cập nhật, "
                    "%(unchanged)s không đổi, %(errors)s dòng lỗi bỏ qua"
                )
                % {
                    "file": batch.file_name,
                    "kind": kind.title,
                    "new": batch.new_count,
                    "updated": batch.updated_count,
                    "unchanged": batch.unchanged_count,
                    "errors": batch.error_count,
                },
                data={"sha256": batch.sha256, **audit_data},
            )
    except _Undo as undo:
        return undo.then()
    except SpreadsheetError as exc:
        return fail(batch, exc.message)
    except (IntegrityError, DataError):
        # someone changed the same records between the check and the write
        return fail(
            batch,
            _(
                "Dữ liệu vừa được người khác thay đổi trong lúc nhập nên không có gì được ghi. "
                "Hãy tải tệp lên và thử lại."
            ),
        )
    except ServiceError as exc:
        return fail(
            batch,
            _("Không nhập được, không có gì được ghi: %(reason)s")
            % {"reason": " ".join(exc.messages)},
        )
    return batch


def errors_block_message(count: int) -> str:
    return _(
        "Có %(n)s dòng lỗi nên không nhập dòng nào. Hãy sửa các dòng lỗi, hoặc chọn "
        "“chỉ nhập các dòng hợp lệ”."
    ) % {"n": count}


def _needs_new_preview(batch: ImportBatch, changed: list[int]) -> ImportBatch:
    """The database changed since the preview: nothing is written, the batch
    shows the new outcome of every row and waits for a new confirmation."""
    batch.result["changed_rows"] = changed
    batch.status = ImportBatch.Status.PREVIEWED
    batch.finished_at = None
    shown_rows = ", ".join(str(n) for n in changed[:10]) + ("…" if len(changed) > 10 else "")
    batch.message = _(
        "Dữ liệu đã thay đổi từ lúc kiểm tra tệp: %(n)s dòng (dòng %(rows)s) nay có kết quả "
        "khác với lúc xem trước, nên chưa có gì được ghi. Dưới đây là kết quả kiểm tra mới; "
        "hãy xem lại rồi xác nhận lần nữa."
    ) % {"n": len(changed), "rows": shown_rows}
    save(batch)
    return batch


def guarded(work, batch: ImportBatch, **kwargs) -> ImportBatch:
    """Run `work` on the batch; if it breaks unexpectedly, the batch says so
    (never a progress bar stuck at "running") and the error goes on up."""
    try:
        return work(batch, **kwargs)
    except Exception:
        logger.exception("import %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            message=_("Có lỗi hệ thống khi nhập tệp; không có dữ liệu nào được ghi."),
            finished_at=timezone.now(),
        )
        raise

"""The life of an import batch, for pages and commands: start (store the
file), check (preview), confirm (claim, then apply), or all at once; and the
spreadsheets that go with it (the template with its guide, the rejected rows)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.errors import ServiceError
from chibo.imports import work
from chibo.imports.kinds import ImportKind, Progress, get_kind
from chibo.imports.tasks import apply_import, preview_import, runs_in_background
from chibo.models import ImportBatch
from chibo.spreadsheets import XlsxSheet, build_workbook, estimate_rows, read_sheet
from chibo.text import normalize


def import_start(
    kind: str, *, actor, file_name: str, data: bytes, options: dict | None = None
) -> ImportBatch:
    """Record an upload of a registered kind (nothing is read yet)."""
    import_kind = get_kind(kind)
    user = actor if getattr(actor, "pk", None) else None
    binary = connection.vendor == "postgresql"
    batch = ImportBatch.objects.create(
        kind=import_kind.name,
        created_by=user,
        file_name=(file_name or "tep-tai-len")[:255],
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=b"" if binary else data,
        options=options or {},
        status=ImportBatch.Status.ANALYSING,
        total_rows=estimate_rows(data),
        unit_path=import_kind.scope_path(actor)[:255],
    )
    if binary:
        _store_content(batch.pk, data)
        batch.content = data
    return batch


def _store_content(pk: int, data: bytes) -> None:
    """The uploaded file into its batch as a binary parameter. Django's
    PostgreSQL cursor binds on the client: a 20 MB roster became a 40 MB
    hex literal inside a 40 MB query string (twice the file, three times
    over, and kept whole in the query log when DEBUG is on)."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"UPDATE {ImportBatch._meta.db_table} SET content = %b WHERE id = %s", [data, pk]
        )


def lost_message() -> str:
    return _(
        "Việc nhập tệp này đã dừng giữa chừng: tiến trình chạy nền (db_worker) không còn "
        "báo tiến độ (đã tắt, hoặc mất kết nối cơ sở dữ liệu). Không có dữ liệu nào của "
        "tệp được ghi. Bấm “Làm lại” để kiểm tra và nhập lại."
    )


def import_reap(batch: ImportBatch | None = None, *, now=None) -> int:
    """Mark as failed every batch (or this one) still "working" with no sign
    of life for settings.CHIBO_IMPORT_STALE_MINUTES: its worker died or never
    came. A write runs in one transaction, so nothing of it was kept; the
    batch may be retried (import_retry). Returns how many were marked."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.CHIBO_IMPORT_STALE_MINUTES)
    working = [ImportBatch.Status.ANALYSING, ImportBatch.Status.RUNNING]
    qs = ImportBatch.objects.filter(status__in=working)
    if batch is not None:
        qs = qs.filter(pk=batch.pk)
    marked = 0
    for pk, status, beat, created in qs.values_list("pk", "status", "heartbeat_at", "created_at"):
        if (beat or created) > limit:
            continue
        lost = ImportBatch.objects.get(pk=pk)
        options = {**(lost.options or {}), "lost_in": status}
        # conditional: the worker may report progress at this very moment
        marked += ImportBatch.objects.filter(pk=pk, status=status, heartbeat_at=beat).update(
            status=ImportBatch.Status.FAILED,
            message=lost_message(),
            options=options,
            finished_at=now,
        )
    if batch is not None and marked:
        batch.refresh_from_db()
    return marked


def import_retry(batch: ImportBatch) -> ImportBatch:
    """A batch its worker lost, again: a lost preview is checked again; a
    lost confirmation goes back to its preview, to be confirmed (and so
    checked against the data) again."""
    lost_in = (batch.options or {}).get("lost_in")
    if batch.status != ImportBatch.Status.FAILED or not lost_in:
        raise ServiceError(_("Lần nhập này không làm lại được; hãy tải tệp lên lại."))
    options = {k: v for k, v in batch.options.items() if k != "lost_in"}
    if lost_in == ImportBatch.Status.RUNNING and (batch.result or {}).get("rows") is not None:
        status, message = ImportBatch.Status.PREVIEWED, _("Xem lại kết quả kiểm tra rồi xác nhận.")
    else:
        status, message = ImportBatch.Status.ANALYSING, ""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.FAILED).update(
        status=status,
        message=message,
        options=options,
        processed_rows=0,
        heartbeat_at=timezone.now(),
        finished_at=None,
    )
    batch.refresh_from_db()
    if claimed and status == ImportBatch.Status.ANALYSING:
        return import_check(batch)
    return batch


def import_uploads_purge(*, now=None) -> int:
    """Empty the files uploaded more than settings.CHIBO_IMPORT_KEEP_DAYS ago
    (a roster is personal data), keeping each import's record: who, when,
    which file (name, size, SHA-256), its counts, outcome and row messages.
    A batch still being worked on keeps its file."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.CHIBO_IMPORT_KEEP_DAYS)
    working = [ImportBatch.Status.ANALYSING, ImportBatch.Status.RUNNING]
    return (
        ImportBatch.objects.filter(created_at__lt=before)
        .exclude(status__in=working)
        .exclude(content=b"")
        .update(content=b"")
    )


def import_check(batch: ImportBatch) -> ImportBatch:
    """Preview the batch: now, or in the background for a big file."""
    if runs_in_background(batch):
        preview_import.enqueue(batch.pk)
        return batch
    return work.guarded(work.preview, batch)


def import_confirm(batch: ImportBatch, *, actor=None, skip_invalid: bool = False) -> bool:
    """Confirm a previewed batch: claim it with one conditional UPDATE, so
    that of two confirmations sent together (a double click, two tabs) only
    one applies it; then apply it, now or in the background. Returns whether
    this call claimed it. Raises ServiceError, claiming nothing, when rows
    have errors and the import is all or nothing."""
    if batch.error_count and not skip_invalid:
        raise ServiceError(work.errors_block_message(batch.error_count))
    options = {**(batch.options or {}), "skip_invalid": skip_invalid}
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.RUNNING,
        processed_rows=0,
        options=options,
        message="",
        heartbeat_at=timezone.now(),
    )
    if not claimed:
        return False
    batch.refresh_from_db(fields=["status", "options", "result", "processed_rows", "message"])
    if runs_in_background(batch):
        apply_import.enqueue(batch.pk)
    else:
        work.guarded(work.apply, batch, actor=actor)
    return True


def import_file(
    kind: str,
    *,
    actor,
    file_name: str,
    data: bytes,
    dry_run: bool = False,
    skip_invalid: bool = False,
    options: dict | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Upload, check and (unless `dry_run`) apply in one call, in this
    process: the management command's path, and the benchmark's. The file
    is checked once, right before it is written."""
    batch = import_start(
        kind,
        actor=actor,
        file_name=file_name,
        data=data,
        options={**(options or {}), "skip_invalid": skip_invalid, "dry_run": dry_run},
    )
    if dry_run:
        return work.guarded(work.preview, batch, progress=progress)
    # nobody else knows this batch yet: it is claimed as it is made
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    batch.status = ImportBatch.Status.RUNNING
    return work.guarded(work.apply, batch, actor=actor, progress=progress, compare=False)


# --- the spreadsheets that go with an import ---------------------------------------


def _required_text(kind: ImportKind, key: str, required: bool) -> str:
    if required:
        return _("Bắt buộc")
    if key in kind.required_when_new:
        return _("Bắt buộc khi thêm mới")
    return _("Không bắt buộc")


def template_xlsx(kind: ImportKind) -> bytes:
    """The kind's template: its headers and an example row on the first
    sheet, and a second sheet "Hướng dẫn" with every column, whether it is
    required, what it accepts and the other headers it is known by."""
    columns = kind.columns
    example = [kind.example.get(c.key) for c in columns]
    guide = [
        [
            c.label,
            _required_text(kind, c.key, c.required),
            str(c.help) or (_("Ngày dạng dd/mm/yyyy") if c.kind == "date" else ""),
            ", ".join(c.aliases),
        ]
        for c in columns
    ]
    guide += [[str(what), "", str(text), ""] for what, text in kind.guide_notes]
    return build_workbook(
        [
            XlsxSheet(
                [c.label for c in columns],
                [example],
                name=_("Mẫu nhập"),
                title=str(kind.template_title or kind.title),
                date_columns=[i for i, c in enumerate(columns) if c.kind == "date"],
                text_columns=[i for i, c in enumerate(columns) if c.kind == "digits"],
            ),
            XlsxSheet(
                [_("Cột"), _("Bắt buộc"), _("Giá trị được chấp nhận"), _("Tên cột khác cũng hiểu")],
                guide,
                name=_("Hướng dẫn"),
                title=_(
                    "Mỗi dòng một bản ghi. Dòng tiêu đề có thể nằm dưới vài dòng tên văn bản; "
                    "cột không có trong danh sách này được bỏ qua; ô để trống không làm thay đổi "
                    "dữ liệu đã có."
                ),
                widths={0: 28, 1: 22, 2: 70, 3: 50},
            ),
        ]
    )


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    """The rows of the file that had an error, with every column of the
    uploaded file as it was written (unknown columns too, in their order),
    each offending cell filled red with its message as a comment, and one
    "Lỗi" column at the end that lists every message of the row. Fix the
    cells and upload this file again: the "Lỗi" column is ignored.
    Raises SpreadsheetError if the stored file can no longer be read."""
    kind = get_kind(batch.kind)
    by_row: dict[int, list[tuple[str, str]]] = {}
    for e in batch.errors:
        by_row.setdefault(e["row"], []).append((e["column"], e["message"]))
    sheet = read_sheet(bytes(batch.content), columns=kind.columns, filename=batch.file_name)
    headers = ["" if h is None else h for h in sheet.header_cells]
    position = {normalize(str(h)): i for i, h in enumerate(headers) if h != ""}
    picked = [(r.number, list(r.cells), by_row[r.number]) for r in sheet.rows if r.number in by_row]
    width = max([len(headers)] + [len(cells) for _n, cells, _p in picked])
    headers += [""] * (width - len(headers))
    earlier = position.get(normalize(_("Lỗi")))
    out: list[list] = []
    notes: dict[tuple[int, int], str] = {}
    for i, (number, cells, problems) in enumerate(picked):
        for column, message in problems:
            j = position.get(column)
            if j is not None:
                notes[(i, j)] = f"{notes[(i, j)]}\n{message}" if (i, j) in notes else message
        summary = _("Dòng %(row)s — ") % {"row": number} + "; ".join(
            f"{c}: {m}" if c else m for c, m in problems
        )
        cells += [None] * (width - len(cells))
        if earlier is None:
            cells.append(summary)
        else:  # a rejected file sent back with errors left: its "Lỗi" column is renewed
            cells[earlier] = summary
        out.append(cells)
    if earlier is None:
        headers.append(_("Lỗi"))
    dates = {i for r in out for i, v in enumerate(r) if isinstance(v, date)}
    return build_workbook(
        [
            XlsxSheet(
                headers,
                out,
                name=_("Dòng lỗi"),
                date_columns=dates,
                notes=notes,
                widths={len(headers) - 1 if earlier is None else earlier: 80},
            )
        ]
    )

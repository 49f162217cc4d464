"""What a kind of import is (ImportKind), what it says about each row
(RowOutcome), what it is given to work with (ImportContext), and the
registry the apps fill from their AppConfig.ready. See chibo/imports/__init__.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from chibo.spreadsheets import Column, Row

NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"
OUTCOME_LABELS = {
    NEW: _("Thêm mới"),
    UPDATED: _("Cập nhật"),
    UNCHANGED: _("Không đổi"),
    ERROR: _("Lỗi"),
}

Progress = Callable[[int, int, str], None]


class _TrialOver(Exception):
    """Rolls back a trial run."""


def rolled_back(fn: Callable[[], Any]) -> Any:
    """Run `fn` in a transaction that is rolled back, and return its result:
    how a kind's `analyse` lets the services themselves check each row (their
    refusals become the row's errors) without writing anything."""
    box: list[Any] = []
    try:
        with transaction.atomic():
            box.append(fn())
            raise _TrialOver
    except _TrialOver:
        pass
    return box[0]


def shown(value: Any) -> Any:
    """A value as the preview and the JSON output show it."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    return value


@dataclass(slots=True)
class RowOutcome:
    """What checking one row found. A kind may subclass it to carry what its
    `apply` needs (parsed values, the matched record); only what `as_json`
    returns is kept on the batch."""

    row: int  # the row number as the spreadsheet shows it
    outcome: str = ""  # NEW | UPDATED | UNCHANGED; ERROR whenever `errors` is not empty
    name: str = ""  # what the row is about, as the preview shows it (a name)
    key: str = ""  # its identifier, if any (card number, unit code)
    errors: list = field(default_factory=list)  # [(column header, message)]
    warnings: list = field(default_factory=list)  # [(column header, message)]: shown, not blocking
    changes: dict = field(default_factory=dict)  # {column key: (old, new)}
    notes: list = field(default_factory=list)  # short facts shown beside the row ("Cấp: Chi bộ")

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def warn(self, column: str, message: str) -> None:
        self.warnings.append((column, message))

    def has_error(self, column: str) -> bool:
        return bool(self.errors) and any(c == column for c, _m in self.errors)

    def as_json(self, labels: dict[str, str]) -> dict:
        out: dict[str, Any] = {"row": self.row, "outcome": self.outcome, "name": self.name}
        if self.key:
            out["key"] = self.key
        if self.changes:
            out["changes"] = {
                labels.get(k, k): [shown(a), shown(b)] for k, (a, b) in self.changes.items()
            }
        if self.errors:
            out["errors"] = [{"column": c, "message": m} for c, m in self.errors]
        if self.warnings:
            out["warnings"] = [{"column": c, "message": m} for c, m in self.warnings]
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass
class ImportContext:
    """What a kind's `analyse` and `apply` are given."""

    actor: Any  # the user, or None for the system (a command without --user)
    options: dict  # the batch's options: the kind's own (default unit…) and skip_invalid
    header: Callable[[str], str]  # a column key -> its header as written in the file
    progress: Progress  # progress(done, total, phase): shown on the batch's page
    total: int = 0  # a cheap estimate of the number of rows
    reason: str = ""  # "Nhập từ tệp ds.xlsx (lần nhập số 12)": for history records
    batch: Any = None  # the ImportBatch
    # what `analyse` adds to the preview beside the rows (JSON-able), kept on
    # the batch's result: {"trees": {"before": [...], "after": [...]}} shows
    # a unit tree before and after (restructure plans)
    extra: dict = field(default_factory=dict)
    # what a kind that `streams` keeps from one chunk of rows to the next
    # (the rows seen so far, the cells looked up once), for this run only
    state: dict = field(default_factory=dict)

    @property
    def user(self):
        """The actor as a database user (None for the system)."""
        return self.actor if getattr(self.actor, "pk", None) else None


class ImportKind:
    """One kind of spreadsheet chibo imports. Subclass it, fill the
    attributes, write `analyse` and `apply`, and register an instance from
    your AppConfig.ready (see the module docstring of chibo.imports)."""

    name: str = ""  # stored on ImportBatch.kind: "members"
    slug: str = ""  # in the addresses: "danh-sach-dang-vien"
    title: str = ""  # "Danh sách đảng viên"
    description: str = ""  # a paragraph on the upload page
    columns: list[Column] = []
    example: dict[str, Any] = {}  # the template's example row, by column key
    required_when_new: tuple[str, ...] = ()  # keys needed to add a record, not to update one
    template_title: str = ""  # the template's title line
    guide_notes: list = []  # [(what, explanation)]: more lines of the template's "Hướng dẫn"
    file_label: str = _("Tệp dữ liệu (.xlsx hoặc .csv)")
    subject_label: str = _("Nội dung")  # the preview's column for RowOutcome.name
    key_label: str = ""  # the preview's column for RowOutcome.key (none if empty)
    done_message: str = _("Đã nhập: %(new)s thêm mới, %(updated)s cập nhật.")
    audit_action: str = ""  # defaults to "<name>_import"
    # True: `analyse` and `apply` take the file a chunk at a time
    # (settings.CHIBO_IMPORT_CHUNK_ROWS rows: read, check, write, then the
    # next), so a 100,000-row file is never held whole; see `apply`.
    streams: bool = False

    # --- who and how ------------------------------------------------------------

    def may_use(self, user) -> bool:
        """Whether `user` may import this kind (the page lists it, the upload is allowed)."""
        return bool(getattr(user, "is_superuser", False))

    def option_fields(self, user) -> dict:
        """Extra fields of the upload form, {name: django form field}; their
        cleaned values (JSON-able) go into the batch's options."""
        return {}

    def command_options(self, *, unit: str | None = None) -> dict:
        """Options from `manage.py import_data --unit CODE`; raise ValueError
        with a message when the kind takes no such option or it is wrong."""
        if unit:
            raise ValueError(_("Loại dữ liệu này không có tùy chọn --unit."))
        return {}

    def scope_path(self, actor) -> str:
        """The path of the unit the importer acts for (scopes the list of imports)."""
        return ""

    # --- the work ------------------------------------------------------------------

    def setup(self, ctx: ImportContext) -> None:
        """Before the first chunk of a kind that `streams`, in the caller's
        thread: what `prepare` needs from the database (the cells it may name),
        kept in `ctx.state`."""

    def prepare(self, rows: Iterable[Row], ctx: ImportContext) -> Any:
        """The work on a chunk of rows that needs no database (parsing the
        cells); what it returns is what `analyse` gets. For a kind that
        `streams` it runs on a worker thread, one chunk ahead of `analyse` and
        `apply`: it must not touch the database, nor `ctx.state` that
        `analyse` changes, nor report progress. By default the rows as they are."""
        return iter(rows)

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[RowOutcome]:
        """Check every row against the database of now and say what applying
        it would do. Writes nothing (a kind that must run its services to
        know may run them in a transaction it rolls back). May raise
        chibo.spreadsheets.SpreadsheetError for the file as a whole."""
        raise NotImplementedError

    def apply(self, rows: list[RowOutcome], ctx: ImportContext) -> dict:
        """Write the rows (the ones without error, in file order, as the
        latest `analyse` returned them) through the kind's services, inside
        the pipeline's transaction. Returns what the import's audit record
        keeps (ids created and updated). Raise chibo.errors.ServiceError to
        refuse: nothing is then written.

        A kind that `streams` is given one chunk at a time, in file order,
        each right after `analyse` checked it, all in the one transaction: a
        chunk's `analyse` sees what the chunks before it wrote (so it must
        tell a row repeating an earlier row of the file by `ctx.state`, not
        by the database). The pipeline joins the lists the calls return. If a
        row of any chunk has an error (and the batch does not skip invalid
        rows), the transaction is rolled back: nothing is written."""
        raise NotImplementedError

    def finish(self, ctx: ImportContext) -> dict:
        """After the last `apply`, in the same transaction: the work done once
        per import (summaries of what the chunks wrote). Returns more of what
        the audit record keeps."""
        return {}

    # --- derived -----------------------------------------------------------------

    @property
    def action(self) -> str:
        return self.audit_action or f"{self.name}_import"

    @property
    def labels(self) -> dict[str, str]:
        return {c.key: c.label for c in self.columns}

    def __repr__(self) -> str:
        return f"<ImportKind {self.name}>"


_REGISTRY: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    """Make `kind` importable (pages, command). Call from AppConfig.ready."""
    if not kind.name or not kind.slug:
        raise ValueError(f"{kind!r} needs a name and a slug")
    clash = next(
        (k for k in _REGISTRY.values() if k.slug == kind.slug and k.name != kind.name), None
    )
    if clash is not None:
        raise ValueError(f"{kind!r} and {clash!r} share the slug {kind.slug!r}")
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get_kind(name: str) -> ImportKind:
    """The registered kind called `name`; LookupError if there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(name) from None


def kind_by_slug(slug: str) -> ImportKind:
    for kind in _REGISTRY.values():
        if kind.slug == slug:
            return kind
    raise LookupError(slug)


def all_kinds() -> list[ImportKind]:
    return list(_REGISTRY.values())


def kinds_for(user) -> list[ImportKind]:
    """The kinds `user` may import, in the order the apps registered them."""
    return [k for k in _REGISTRY.values() if k.may_use(user)]


def kind_title(name: str) -> str:
    kind = _REGISTRY.get(name)
    return str(kind.title) if kind else name

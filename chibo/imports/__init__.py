"""One import pipeline for every kind of spreadsheet an office keeps.

A kind (the member roster, the unit tree, …) says which columns it reads,
how it checks a row against the database and which services write it. The
pipeline does the rest, the same way for every kind:

- the batch (chibo.models.ImportBatch): who sent which file (kept, with its
  sha256), each row's outcome, the final result, one audit record;
- preview: every row checked, with per-row Vietnamese errors naming the row
  (as the spreadsheet numbers it) and the column (as its header is written);
  nothing is written but the batch;
- confirm: the batch is claimed with one conditional UPDATE, so two
  confirmations sent together apply it once; every row is checked again
  against the database of now, and if any row's outcome differs from what
  the preview showed (a "new" member created meanwhile by someone else), nothing
  is written and the batch shows the new preview and says why;
- apply: in one transaction, all or nothing, or the valid rows only
  (`skip_invalid`); a failure leaves the batch FAILED with a Vietnamese
  message and nothing written;
- re-importing the same file finds every row unchanged and writes nothing
  (each kind compares a row with what is stored);
- files above settings.CHIBO_IMPORT_BACKGROUND_ROWS rows are checked and
  applied by the django-tasks worker, the page polling a progress bar;
- pages (chibo/imports/views.py, /nhap/): the kinds the user may import,
  each one's template (headers, an example row and a "Hướng dẫn" sheet
  listing every column, whether it is required and what it accepts),
  upload, preview, progress, confirm, and the rejected rows: the uploaded
  file's own columns with each offending cell marked (red, its message as
  a cell comment) plus one "Lỗi" column, to fix and send again;
- `manage.py import_data KIND FILE [--dry-run] [--skip-invalid] [--json]
  [--user NAME] [--unit CODE]`.

A kind, in full (a test registers this one: tests/chibo/test_imports.py):

    from chibo.imports import NEW, UNCHANGED, UPDATED, ImportKind, RowOutcome
    from chibo.spreadsheets import Column, cell_text

    class AccountKind(ImportKind):
        name, slug, title = "accounts", "tai-khoan", "Tài khoản"
        columns = [
            Column("username", "Tên đăng nhập", required=True),
            Column("full_name", "Họ và tên", aliases=("Họ tên",)),
        ]
        example = {"username": "nva", "full_name": "Nguyễn Văn An"}
        subject_label = "Tên đăng nhập"

        def may_use(self, user):
            return user.is_superuser

        def analyse(self, rows, ctx):
            known = dict(User.objects.values_list("username", "full_name"))
            out = []
            for row in rows:
                r = RowOutcome(row=row.number, name=cell_text(row.values["username"]))
                new_name = cell_text(row.values.get("full_name"))
                if not r.name:
                    r.error(ctx.header("username"), "Thiếu tên đăng nhập.")
                elif r.name not in known:
                    r.outcome = NEW
                elif new_name and new_name != known[r.name]:
                    r.outcome, r.changes = UPDATED, {"full_name": (known[r.name], new_name)}
                else:
                    r.outcome = UNCHANGED
                out.append(r)
            return out

        def apply(self, rows, ctx):
            for r in rows:            # no error rows here; in file order
                if r.outcome == NEW:
                    account_create(actor=ctx.actor, username=r.name, ...)   # a service
                ...
            return {"created": [...]}  # kept in the import's audit record

    # in the app's AppConfig.ready():
    from chibo.imports import register
    register(AccountKind())

`analyse` gets the rows (chibo.spreadsheets.Row: `number`, `values` by column
key, raw `cells`) and an ImportContext (`actor`, `options`, `header(key)`,
`progress(done, total, phase)`, `reason` for history records); it returns
one RowOutcome per row (NEW, UPDATED or UNCHANGED, or errors, which make it
ERROR; `warnings` are shown and block nothing) and writes nothing. `apply`
gets the rows without error and writes them through the kind's services.
Options of the upload form come from `option_fields(user)`; who may import
from `may_use(user)`; the command's `--unit` from `command_options`.

The kinds registered today include "members" (members/imports.py), "units"
(organizations/imports.py), "awards" (members/award_imports.py), "dues_paid"
and "dues_portal" (dues/imports.py); the README lists them with their templates.
"""

from chibo.imports.batches import (
    import_check,
    import_confirm,
    import_file,
    import_reap,
    import_retry,
    import_start,
    import_uploads_purge,
    rejected_rows_xlsx,
    template_xlsx,
)
from chibo.imports.kinds import (
    ERROR,
    NEW,
    OUTCOME_LABELS,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportKind,
    Progress,
    RowOutcome,
    all_kinds,
    get_kind,
    kind_by_slug,
    kinds_for,
    register,
    rolled_back,
    shown,
    unregister,
)
from chibo.imports.work import write_progress

__all__ = [
    "ERROR",
    "NEW",
    "OUTCOME_LABELS",
    "UNCHANGED",
    "UPDATED",
    "ImportContext",
    "ImportKind",
    "Progress",
    "RowOutcome",
    "all_kinds",
    "get_kind",
    "import_check",
    "import_confirm",
    "import_file",
    "import_reap",
    "import_retry",
    "import_start",
    "import_uploads_purge",
    "kind_by_slug",
    "kinds_for",
    "register",
    "rejected_rows_xlsx",
    "rolled_back",
    "shown",
    "template_xlsx",
    "unregister",
    "write_progress",
]

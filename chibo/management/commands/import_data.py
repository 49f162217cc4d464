"""python manage.py import_data KIND FILE [--dry-run] [--skip-invalid] [--json] [--user NAME] [--unit CODE]

Imports a spreadsheet (XLSX or CSV) of any registered kind ("members",
"units", …: `import_data --help` lists them) through the same pipeline as
the pages (chibo.imports.import_file). Without --user it acts as the system
(everything reachable; the audit trail shows no person); with --user it acts
as that account, within its reach. All or nothing unless --skip-invalid.
--unit CODE gives the kinds that take one the unit for rows that name none.
The counts describe the rows of the file (with --dry-run, or when an error
stopped the import, nothing was written). Exit status 1 when any row has an
error or the file cannot be read.
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chibo.imports import all_kinds, get_kind, import_file
from chibo.models import ImportBatch
from chibo.spreadsheets import too_big_message


class Command(BaseCommand):
    help = "Nhập dữ liệu từ tệp Excel (.xlsx) hoặc CSV."
    kind: str | None = None  # an alias fixes the kind (import_members, import_units)

    def add_arguments(self, parser):
        if self.kind is None:
            parser.add_argument(
                "kind_name",
                metavar="KIND",
                help="Loại dữ liệu: " + ", ".join(f"{k.name} ({k.title})" for k in all_kinds()),
            )
        parser.add_argument("file", help="tệp .xlsx hoặc .csv")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Nhập các dòng hợp lệ, bỏ qua dòng lỗi."
        )
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        parser.add_argument("--user", help="Tên đăng nhập của người nhập (mặc định: hệ thống).")
        parser.add_argument("--unit", help="Mã đơn vị cho các dòng không ghi đơn vị.")

    def handle(self, *args, **options):
        name = self.kind or options["kind_name"]
        try:
            kind = get_kind(name)
        except LookupError:
            raise CommandError(
                f"Không có loại dữ liệu “{name}”; có: {', '.join(k.name for k in all_kinds())}."
            ) from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản “{options['user']}”.")
            if not kind.may_use(actor):
                raise CommandError(f"Tài khoản “{actor.username}” không được nhập {kind.title}.")
        try:
            kind_options = kind.command_options(unit=options["unit"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if path.stat().st_size > settings.CHIBO_MAX_UPLOAD_BYTES:
            return self._finish(options, None, too_big_message(settings.CHIBO_MAX_UPLOAD_BYTES))
        batch = import_file(
            kind.name,
            actor=actor,
            file_name=path.name,
            data=path.read_bytes(),
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            options=kind_options,
        )
        return self._finish(options, batch, batch.message)

    def more_json(self, batch: ImportBatch | None) -> dict:
        """What a command for one kind adds to the --json output."""
        return {}

    def more_text(self, batch: ImportBatch | None) -> None:
        """What a command for one kind prints before the counts."""

    def _finish(self, options, batch: ImportBatch | None, message: str):
        errors = list(batch.errors) if batch else []
        if batch is None or (batch.status == ImportBatch.Status.FAILED and not errors):
            # the file as a whole could not be read
            errors = [{"row": 0, "column": "", "message": message}]
        done = batch is not None and batch.status == ImportBatch.Status.DONE
        rows = (batch.result or {}).get("rows", []) if batch else []
        warnings = [{"row": r["row"], **w} for r in rows for w in r.get("warnings", [])]
        counts = {
            "new": batch.new_count if batch else 0,
            "updated": batch.updated_count if batch else 0,
            "unchanged": batch.unchanged_count if batch else 0,
        }
        if options["json"]:
            out = {
                "kind": batch.kind if batch else self.kind or options.get("kind_name"),
                "batch": batch.pk if batch else None,
                "ok": not errors,
                "applied": done,
                **counts,
                "errors": errors,
                "warnings": warnings,
                **self.more_json(batch),
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            for e in errors:
                where = f"Dòng {e['row']}, cột “{e['column']}”: " if e["row"] else ""
                self.stderr.write(f"{where}{e['message']}")
            for w in warnings:
                self.stderr.write(f"Dòng {w['row']}, cột “{w['column']}” (lưu ý): {w['message']}")
            self.more_text(batch)
            if message and batch is not None and errors and batch.errors:
                self.stderr.write(message)
            self.stdout.write(
                ("Đã nhập" if done else "Kiểm tra (không ghi)")
                + f": {counts['new']} thêm mới, {counts['updated']} cập nhật, "
                f"{counts['unchanged']} không đổi, {len(errors)} lỗi."
            )
        if errors:
            raise SystemExit(1)

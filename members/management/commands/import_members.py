"""python manage.py import_members FILE [--dry-run] [--skip-invalid] [--json] [--user NAME] [--unit CODE]

Imports a member roster (XLSX or CSV) through the same service as the web
page (members.imports.import_file). Without --user it acts as the system
(every cell reachable; the audit trail shows no person); with --user it acts
as that account, within its reach. All-or-nothing unless --skip-invalid.
The counts describe the rows of the file (with --dry-run, or when an error
stopped the import, nothing was written). Exit status 1 when any row has an
error or the file cannot be read.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chibo.models import ImportBatch
from chibo.spreadsheets import too_big_message
from members.imports import import_file
from organizations.models import CELL_LEVELS, Unit


class Command(BaseCommand):
    help = "Nhập danh sách đảng viên từ tệp Excel (.xlsx) hoặc CSV."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Nhập các dòng hợp lệ, bỏ qua dòng lỗi."
        )
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
        parser.add_argument("--user", help="Tên đăng nhập của người nhập (mặc định: hệ thống).")
        parser.add_argument("--unit", help="Mã chi bộ cho các dòng không ghi chi bộ.")

    def handle(self, *args, **options):
        from django.conf import settings

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        if path.stat().st_size > settings.CHIBO_MAX_UPLOAD_BYTES:
            return self._finish(options, None, too_big_message(settings.CHIBO_MAX_UPLOAD_BYTES))
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản “{options['user']}”.")
        default_unit = None
        if options["unit"]:
            default_unit = Unit.objects.filter(code=options["unit"], level__in=CELL_LEVELS).first()
            if default_unit is None:
                raise CommandError(f"Không có chi bộ mã “{options['unit']}”.")
        batch = import_file(
            actor=actor,
            file_name=path.name,
            data=path.read_bytes(),
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
            default_unit=default_unit,
        )
        return self._finish(options, batch, batch.message)

    def _finish(self, options, batch: ImportBatch | None, message: str):
        errors = list(batch.errors) if batch else []
        if batch is None or (batch.status == ImportBatch.Status.FAILED and not errors):
            # the file as a whole could not be read
            errors = [{"row": 0, "column": "", "message": message}]
        counts = {
            "new": batch.new_count if batch else 0,
            "updated": batch.updated_count if batch else 0,
            "unchanged": batch.unchanged_count if batch else 0,
        }
        if options["json"]:
            self.stdout.write(json.dumps({**counts, "errors": errors}, ensure_ascii=False))
        else:
            for e in errors:
                where = f"Dòng {e['row']}, cột “{e['column']}”: " if e["row"] else ""
                self.stderr.write(f"{where}{e['message']}")
            if message and batch is not None and errors and batch.errors:
                self.stderr.write(message)
            done = batch is not None and batch.status == ImportBatch.Status.DONE
            self.stdout.write(
                ("Đã nhập" if done else "Kiểm tra (không ghi)")
                + f": {counts['new']} thêm mới, {counts['updated']} cập nhật, "
                f"{counts['unchanged']} không đổi, {len(errors)} lỗi."
            )
        if errors:
            raise SystemExit(1)

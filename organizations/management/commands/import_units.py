import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organizations.resources import import_units


class Command(BaseCommand):
    help = (
        "Nhập cây tổ chức từ bảng tính (một dòng một đơn vị: tên, mã, cấp, loại chi bộ, "
        "trực thuộc, đơn vị hành chính, ngày thành lập). Có lỗi thì không nhập dòng nào."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp .xlsx hoặc .csv")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, file, dry_run, json: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        result = import_units(path.read_bytes(), actor=None, filename=path.name, dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(result.as_dict()))
        else:
            for e in result.errors:
                where = f"Dòng {e['row']}" if e["row"] else "Tệp"
                col = f" [{e['column']}]" if e["column"] else ""
                self.stdout.write(f"{where}{col}: {e['message']}")
            verb = "Sẽ thêm" if dry_run or not result.ok else "Đã thêm"
            self.stdout.write(
                f"{verb} {result.count('new')} đơn vị; {result.count('unchanged')} đã có; "
                f"{len(result.errors)} lỗi."
            )
        if not result.ok:
            raise CommandError("Có lỗi: không nhập đơn vị nào.")


def _dumps(data) -> str:
    return jsonlib.dumps(data, ensure_ascii=False, indent=2)

from django.core.management.base import BaseCommand, CommandError

from chibo.backup import RestoreError, restore


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu (manage.py backup) vào cơ sở dữ liệu này (đã migrate), "
        "kể cả các tệp; kiểm tra số dòng từng bảng."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--replace", action="store_true", help="xóa dữ liệu đang có trước khi khôi phục"
        )

    def handle(self, *args, path, replace, **options):
        try:
            counts = restore(path, replace=replace)
        except RestoreError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã khôi phục {sum(counts.values())} dòng của {len(counts)} bảng.")

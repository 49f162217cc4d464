from django.core.management.base import BaseCommand

from chibo.backup import backup


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ cơ sở dữ liệu và các tệp (tệp tạo ở chế độ nền, tệp tải lên) "
        "vào một tệp .tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp sao lưu sẽ ghi, ví dụ chibo-2026-12-01.tar.gz")

    def handle(self, *args, path, **options):
        counts = backup(path)
        self.stdout.write(
            f"Đã sao lưu {sum(counts.values())} dòng của {len(counts)} bảng vào {path}."
        )

from django.core.management.base import BaseCommand

from chibo.exports import generated_files_purge
from chibo.imports import import_reap, import_uploads_purge


class Command(BaseCommand):
    help = (
        "Xóa các tệp tạo ở chế độ nền đã hết hạn lưu (CHIBO_EXPORT_KEEP_HOURS) và đánh dấu "
        "các yêu cầu treo quá lâu là không tạo được. Chạy hằng giờ hoặc hằng ngày."
    )

    def handle(self, *args, **options):
        counts = generated_files_purge()
        self.stdout.write(
            f"Đã xóa {counts['removed']} tệp hết hạn; {counts['lost']} yêu cầu treo được đánh dấu lỗi."
        )
        lost = import_reap()
        emptied = import_uploads_purge()
        self.stdout.write(
            f"{lost} lần nhập mất tiến trình nền được đánh dấu lỗi; "
            f"đã xóa tệp tải lên của {emptied} lần nhập cũ (giữ lại bản ghi và kết quả)."
        )

from django.core.management.base import BaseCommand

from members.services import members_refresh_current


class Command(BaseCommand):
    help = (
        "Áp dụng các thay đổi đã quyết định với ngày hiệu lực đến hôm nay (chuyển sinh hoạt, "
        "đảng tịch, miễn sinh hoạt) vào tình trạng hiện tại của đảng viên. Chạy hằng ngày."
    )

    def handle(self, *args, **options):
        counts = members_refresh_current()
        self.stdout.write(
            "Đã cập nhật: chi bộ {unit}, tình trạng {status}, miễn sinh hoạt +{exempt_on}/-{exempt_off}.".format(
                **counts
            )
        )

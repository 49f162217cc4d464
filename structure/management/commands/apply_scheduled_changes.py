from django.core.management.base import BaseCommand

from members.services import members_refresh_current
from organizations.services import units_refresh_current


class Command(BaseCommand):
    help = (
        "Áp dụng các quyết định có ngày hiệu lực đến hôm nay vào cơ cấu tổ chức hiện tại (đổi "
        "tên, chuyển trực thuộc, nâng cấp, hợp nhất) và vào tình trạng hiện tại của đảng viên "
        "(chuyển sinh hoạt, đảng tịch, miễn sinh hoạt). Chạy hằng ngày."
    )

    def handle(self, *args, **options):
        # the tree first: a member's cell may be one a merge founds today
        units = units_refresh_current()
        counts = members_refresh_current()
        self.stdout.write(
            "Đã cập nhật: chi bộ {unit}, tình trạng {status}, miễn sinh hoạt "
            "+{exempt_on}/-{exempt_off}; cơ cấu tổ chức {units} đơn vị.".format(
                units=units, **counts
            )
        )

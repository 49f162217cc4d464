"""manage.py verify_counts: the maintained member counts, and the members'
runs on the list that Biểu 1 and Biểu 7 read, equal the histories."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chibo.dates import month_ends
from members.counts import counts_rebuild, verify
from members.listruns import runs_rebuild


class Command(BaseCommand):
    help = (
        "Kiểm tra số đảng viên lưu sẵn của từng đơn vị (hôm nay, cuối mỗi tháng và mọi ngày) "
        "đúng bằng số tính lại từ lịch sử sinh hoạt, đảng tịch và miễn sinh hoạt; và các lượt "
        "trong danh sách đảng viên lưu sẵn (Biểu 1, Biểu 7) đúng bằng lịch sử."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=24,
            help="số cuối tháng (tính ngược từ hôm nay) được đếm lại từ lịch sử (mặc định 24)",
        )
        parser.add_argument(
            "--fix",
            action="store_true",
            help="khi có sai lệch: tính lại toàn bộ bảng số liệu từ lịch sử",
        )

    def handle(self, *args, months, fix, **options):
        today = date.today()
        days = [today, *month_ends(today, months)]
        problems = verify(days)
        for line in problems[:50]:
            self.stdout.write(line)
        if len(problems) > 50:
            self.stdout.write(f"… và {len(problems) - 50} sai lệch khác")
        if not problems:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Số đảng viên và các lượt trong danh sách lưu sẵn khớp với lịch sử: mọi ngày, "
                    f"và đếm lại cho "
                    f"{len(days)} ngày (hôm nay và {months} cuối tháng)."
                )
            )
            return
        if fix:
            rows = counts_rebuild() + runs_rebuild()
            self.stdout.write(self.style.WARNING(f"Đã tính lại từ lịch sử ({rows} dòng)."))
            return
        raise CommandError(f"{len(problems)} sai lệch giữa số lưu sẵn và lịch sử.")

from django.core.management.base import BaseCommand

from organizations.admin_units import load_administrative_units, load_legacy_administrative_units
from organizations.models import AdministrativeSuccession, AdministrativeUnit


class Command(BaseCommand):
    help = (
        "Nạp các đơn vị hành chính còn thiếu: đơn vị từ 01/7/2025 (gói vietnam-provinces) và "
        "đơn vị trước đó (tỉnh, huyện, xã, phường, thị trấn đến 30/6/2025, từ gói "
        "vietnamadminunits) cùng đơn vị mới mà mỗi đơn vị cũ đã trở thành. Các lần chạy sau "
        "chỉ thêm phần còn thiếu."
    )

    def handle(self, *args, **options):
        current = load_administrative_units(AdministrativeUnit)
        legacy = load_legacy_administrative_units(AdministrativeUnit, AdministrativeSuccession)
        self.stdout.write(
            f"Đã thêm {current} đơn vị hành chính hiện hành và {legacy} đơn vị trước 01/7/2025."
        )

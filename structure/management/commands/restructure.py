"""python manage.py restructure FILE [--dry-run] [--json] [--user NAME]

A restructure plan (one row per step, one decision: see
structure/plan_import.py and its template /nhap/ke-hoach-sap-xep/mau.xlsx)
through the same pipeline as the page: `import_data plan FILE`. Prints the
tree under the units the plan names before and after the effective date,
every step's refusal, and applies the plan whole or not at all (always all
or nothing: --skip-invalid is refused for a plan). Exit status 1 when any
step is refused.
"""

from django.core.management.base import CommandError

from chibo.management.commands.import_data import Command as ImportData


class Command(ImportData):
    help = "Áp dụng (hoặc xem trước với --dry-run) kế hoạch sắp xếp tổ chức đảng từ tệp (= import_data plan)."
    kind = "plan"

    def handle(self, *args, **options):
        if options.get("skip_invalid"):
            raise CommandError(
                "Kế hoạch sắp xếp được áp dụng trọn vẹn hoặc không bước nào: không dùng --skip-invalid."
            )
        return super().handle(*args, **options)

    def more_json(self, batch) -> dict:
        trees = (batch.result or {}).get("trees") if batch else None
        return {"trees": trees} if trees else {}

    def more_text(self, batch) -> None:
        trees = (batch.result or {}).get("trees") if batch else None
        if not trees:
            return
        for title, key, day in (
            ("Trước (ngày {})", "before", trees["before_day"]),
            ("Sau (từ ngày {})", "after", trees["after_day"]),
        ):
            self.stdout.write(title.format(day))
            for n in trees[key]:
                self.stdout.write(
                    f"{'  ' * (n['depth'] + 1)}{n['name']} ({n['members']} đảng viên)"
                )

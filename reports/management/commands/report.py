import sys

from django.core.management.base import BaseCommand, CommandError

from organizations.models import Unit
from reports import exports
from reports.catalogue import REGISTRY, ReportError, get_report, parse_params


class Command(BaseCommand):
    help = (
        "Lập một báo cáo thống kê cho một đơn vị: "
        "report NAME --unit ID [--date dd/mm/yyyy | --from dd/mm/yyyy --to dd/mm/yyyy | --year yyyy] "
        "--format json|csv|xlsx|pdf|docx [-o FILE]"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Tên báo cáo: " + ", ".join(REGISTRY))
        parser.add_argument("--unit", required=True, help="Mã số (id) hoặc mã đơn vị")
        parser.add_argument("--date", dest="day", help="Tính đến ngày (dd/mm/yyyy)")
        parser.add_argument("--from", dest="start", help="Từ ngày (dd/mm/yyyy)")
        parser.add_argument("--to", dest="end", help="Đến ngày (dd/mm/yyyy)")
        parser.add_argument("--year", help="Năm (yyyy), cho báo cáo tính theo năm")
        parser.add_argument(
            "--by-children", action="store_true", help="Chia theo đơn vị trực thuộc"
        )
        parser.add_argument("--format", default="json", choices=exports.FORMATS)
        parser.add_argument("-o", "--output", help="Tệp kết quả (mặc định: ra màn hình)")

    def handle(
        self, *args, name, unit, day, start, end, year, by_children, format, output, **options
    ):
        report = get_report(name)
        if report is None:
            raise CommandError(f"Không có báo cáo “{name}”. Các báo cáo: {', '.join(REGISTRY)}.")
        if year and not report.yearly:
            raise CommandError("Báo cáo này không tính theo năm: không dùng --year.")
        if report.yearly and day:
            raise CommandError("Báo cáo này tính theo năm: dùng --year (hoặc --from và --to).")
        if report.periodic and day:
            raise CommandError("Báo cáo này tính theo kỳ: dùng --from và --to, không dùng --date.")
        if not report.periodic and (start or end):
            raise CommandError(
                "Báo cáo này tính tại một ngày: dùng --date, không dùng --from/--to."
            )
        target = Unit.objects.filter(code=unit).first()
        if target is None and unit.isdigit():
            target = Unit.objects.filter(pk=int(unit)).first()
        if target is None:
            raise CommandError(f"Không tìm thấy đơn vị “{unit}”.")
        try:
            params = parse_params(
                report, day=day, start=start, end=end, year=year, by_children=by_children
            )
            table = report.run(target, params)
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        data = exports.render(table, format)
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"Đã ghi {output} ({len(data)} byte).")
        elif format in ("xlsx", "pdf"):
            sys.stdout.buffer.write(data)
        else:
            self.stdout.write(data.decode("utf-8"))

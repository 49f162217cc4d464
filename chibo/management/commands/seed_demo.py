import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from chibo.demo import HEADER, DemoContext, Spent, clock


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu cố định (tỉnh, 2 đảng bộ phường/xã, chi bộ, đảng viên, tài khoản)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["small", "province", "million"],
            default="small",
            help="small: bản demo; province: ~100.000 đảng viên, ~1.000 TCCSĐ, ~5.000 chi bộ (đo hiệu năng); "
            "million: ~1.000.000 đảng viên trong 10 tỉnh dưới một đảng bộ toàn quốc (chỉ PostgreSQL).",
        )
        # the national scale's size: a test builds a tiny one the same way
        parser.add_argument("--provinces", type=int, default=10, help="(million) số tỉnh")
        parser.add_argument(
            "--grassroots", type=int, default=1000, help="(million) số TCCSĐ mỗi tỉnh"
        )

    def handle(self, *args, scale, provinces=10, grassroots=1000, **options):
        if scale == "million" and connection.vendor != "postgresql":
            # COPY is what makes a million members take minutes, not hours
            raise CommandError(
                "--scale million chỉ chạy trên PostgreSQL (nạp dữ liệu bằng COPY); "
                "hãy đặt DATABASE_URL=postgres://… cho một cơ sở dữ liệu riêng."
            )
        if provinces < 1 or grassroots < 1:
            raise CommandError("--provinces và --grassroots phải từ 1 trở lên.")
        modules = []
        for config in apps.get_app_configs():
            try:
                modules.append((config.name, importlib.import_module(f"{config.name}.demo")))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
        # An app may tell which demo is already loaded (`built()`: "small",
        # "province" or None); each part is built once per database. The
        # province scale is built on top of the small demo: on a database that
        # holds the small demo only, `--scale province` adds the province.
        built = next(
            (found for _name, m in modules if hasattr(m, "built") and (found := m.built())), None
        )
        # The national scale sits beside the demo province (its own root), on
        # top of the small demo or the province.
        if (
            built == "million"
            or (built == "province" and scale != "million")
            or (built == "small" and scale == "small")
        ):
            self.stdout.write("Dữ liệu mẫu đã có; không tạo lại.")
            return
        ctx = DemoContext(scale=scale, out=self.stdout, provinces=provinces, grassroots=grassroots)
        started = time.monotonic()
        # Every app's build(), then every app's build_late() (for data that needs
        # later apps' rows, e.g. committee seats need members); at province
        # scale, then build_province() and build_province_late() likewise.
        phases = []
        if built is None and scale != "million":
            phases += ["build", "build_late"]
        elif built is not None:
            # the small demo is there: each app reads back what its builders
            # left in ctx.data for the province phases (`resume(ctx)`)
            phases += ["resume"]
        if scale == "province":
            phases += ["build_province", "build_province_late"]
        if scale == "million":
            # on an empty database the national scale stands alone (its own
            # root and accounts): the small demo is not built under it
            phases += ["build_million", "build_million_late"]
        if scale == "million":
            with connection.cursor() as cursor:
                # a bulk build redone from scratch if the machine stops: no
                # need to wait for each commit's WAL to reach the disk
                cursor.execute("SET synchronous_commit = off")
                # the joins and sorts over every member's history in memory
                cursor.execute("SET work_mem = '256MB'")
        steps = []
        for phase in phases:
            if phase == "build_province":
                # the same province whether it follows the small demo in this
                # run or in an earlier one
                ctx.reseed("province")
            if phase == "build_million":
                ctx.reseed("million")
            for name, module in modules:
                step = getattr(module, phase, None)
                if step is None:
                    continue
                t0 = clock()
                with transaction.atomic():
                    rows = step(ctx)
                if phase != "resume":
                    spent = _spent(f"{name}.{phase}", t0, rows if isinstance(rows, int) else 0)
                    steps.append(spent)
                    self.stdout.write(f"  {name}.{phase}: {spent.wall:.1f} s")
        if connection.vendor == "postgresql":
            # Planner statistics for the freshly bulk-loaded tables: without
            # them the first reports choose plans several times slower.
            t0 = clock()
            with connection.cursor() as cursor:
                # after tens of millions of rows, VACUUM too: the visibility
                # map lets the counts read the indexes only (not inside a transaction)
                vacuum = scale == "million" and not connection.in_atomic_block
                cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
            steps.append(_spent("VACUUM ANALYZE" if vacuum else "ANALYZE", t0))
        if scale == "million":
            # the table a user timing the build wants: each app's step and the
            # phases inside it (COPY, SQL, indexes), with the CPU each side
            # spent, so a slow step shows apart from a busy machine
            self.stdout.write(f"Thời gian từng bước{_load()}: {HEADER}")
            width = max(len(t.label) for t in [*steps, *ctx.timings]) + 2
            for spent in steps:
                self.stdout.write(f"  {spent.line(width)}")
            for spent in ctx.timings:
                self.stdout.write(f"    {spent.line(width - 2)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong dữ liệu mẫu ({scale}) trong {time.monotonic() - started:.1f} s."
            )
        )


def _spent(label: str, started: tuple, rows: int = 0) -> Spent:
    return Spent.since(label, started, rows)


def _load() -> str:
    try:
        with open("/proc/loadavg") as f:
            return f" (tải máy {f.read().split()[0]})"
    except OSError:
        return ""

"""The annual review at province scale: the results selectors the boards read
(a province of ~1,000 grassroots organizations, three years of ratings), a
grassroots cycle page, and opening a cycle.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench \\
        .venv/bin/python manage.py seed_demo --scale province
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_reviews.py
"""

from common import NO_WORKER, BenchClient, background, best_of, database_label, drop_generated_files  # noqa: I001

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings

from chibo.models import GeneratedFile
from organizations.models import GRASSROOTS_LEVELS, Unit
from reviews.models import MemberReview, ReviewCycle
from reviews.selectors import member_results, organization_results
from reviews.services import review_open_cycle


def main():
    User = get_user_model()
    board = User.objects.get(username="board")
    province = Unit.objects.get(code="DEMO-TINH")
    year = date.today().year - 1
    print(
        f"database: {database_label()}; member reviews {MemberReview.objects.count()}, "
        f"cycles {ReviewCycle.objects.count()}"
    )
    best_of(f"member_results(province, {year}) by sub-unit", lambda: member_results(province, year))
    best_of(
        f"organization_results(province, {year}) by sub-unit",
        lambda: organization_results(province, year, by_child=True),
    )
    client = BenchClient(board)
    best_of(
        "GET results page of the province as board",
        lambda: client.get(f"/danh-gia/ket-qua/{province.pk}/?year={year}"),
    )
    biggest = (
        ReviewCycle.objects.filter(year=year, unit__level__in=GRASSROOTS_LEVELS)
        .annotate(n=Count("member_reviews"))
        .order_by("-n")
        .first()
    )
    if biggest is not None:
        n = biggest.member_reviews.count()
        best_of(
            f"GET cycle page of a grassroots organization ({n} members)",
            lambda: client.get(f"/danh-gia/{biggest.pk}/"),
        )
        # more than CHIBO_EXPORT_BACKGROUND_ROWS["pdf"] members: the worker's
        kept = set(GeneratedFile.objects.values_list("pk", flat=True))
        try:
            with override_settings(TASKS=NO_WORKER):
                background(
                    "decision list PDF of that cycle",
                    client,
                    f"/danh-gia/{biggest.pk}/quyet-dinh.pdf",
                )
        finally:
            drop_generated_files(kept)
    ward = Unit.objects.filter(level__in=GRASSROOTS_LEVELS, code__startswith="DEMO-P").first()

    def open_and_roll_back():
        with transaction.atomic():
            review_open_cycle(actor=None, unit=ward, year=date.today().year)
            transaction.set_rollback(True)

    if ward is not None:
        best_of(f"review_open_cycle({ward.name}) (rolled back)", open_and_roll_back, runs=3)


if __name__ == "__main__":
    main()

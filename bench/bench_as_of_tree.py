"""The structure "as of" a date at province scale: tree_on (every unit of the
province as it was on a day, with member counts from the placement and
status histories), the page that shows it, the rule warnings of the whole
province, and the same tree on both sides of a commune merger (done inside a
transaction that is rolled back, so the database is left as it was).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench \
        .venv/bin/python manage.py seed_demo --scale province
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_as_of_tree.py
"""

from common import BenchClient, best_of, database_label  # noqa: I001

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from members.models import Member
from organizations.models import Level, Unit, UnitVersion
from members.selectors import tree_on
from structure.selectors import warnings_for_user
from structure.services import unit_merge


class Rollback(Exception):
    pass


def main():
    User = get_user_model()
    board = User.objects.get(username="board")
    province = Unit.objects.get(code="DEMO-TINH")
    today = date.today()
    if connection.vendor == "postgresql":
        # seed_demo loads in bulk; plan with real statistics, as autovacuum would
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"database: {database_label()}; units {Unit.objects.count()}, "
        f"versions {UnitVersion.objects.count()}, members {Member.objects.count()}"
    )
    nodes = tree_on(today, root=province)
    print(f"tree_on(today, province): {len(nodes)} units, {nodes[0].members} members at the top")
    best_of("tree_on(today, root=province)", lambda: tree_on(today, root=province))
    best_of(
        "tree_on(today, root=province, user=board) (scoped)",
        lambda: tree_on(today, root=province, user=board),
    )
    past = date(2025, 12, 31)
    best_of("tree_on(31/12/2025, root=province)", lambda: tree_on(past, root=province))
    client = BenchClient(board)
    best_of(
        "GET /to-chuc/cay/?ngay=… (province tree page, board)",
        lambda: client.get(f"/to-chuc/cay/?goc={province.pk}&ngay={today:%d/%m/%Y}"),
        runs=3,
    )
    best_of("warnings_for_user(board) (whole province)", lambda: warnings_for_user(board), runs=3)

    communes = list(
        Unit.objects.filter(
            parent=province, level=Level.GRASSROOTS_COMMITTEE, dissolved_on__isnull=True
        ).order_by("pk")[:2]
    )
    effective = today + timedelta(days=1)
    try:
        with transaction.atomic():
            best_of(
                "unit_merge of two communes (their cells and members move)",
                lambda: unit_merge(
                    actor=None,
                    units=communes,
                    name="Đảng bộ xã hợp nhất (bench)",
                    decision_number="BENCH",
                    decision_date=today,
                    effective_on=effective,
                ),
                runs=1,
            )
            best_of(
                "tree_on(day before merger) after the merger",
                lambda: tree_on(today, root=province),
            )
            best_of(
                "tree_on(effective day) after the merger",
                lambda: tree_on(effective, root=province),
            )
            before = {n.unit_id: n.members for n in tree_on(today, root=province)}
            after = {n.unit_id: n.members for n in tree_on(effective, root=province)}
            merged = Unit.objects.get(name="Đảng bộ xã hợp nhất (bench)")
            print(
                f"  members: {before[communes[0].pk]} + {before[communes[1].pk]} before, "
                f"{after[merged.pk]} after; province {before[province.pk]} = {after[province.pk]}; "
                f"the two communes in the tree after: {communes[0].pk in after or communes[1].pk in after}"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()

"""The unit tree and scoping at province scale: subtree counts, the home page
and a unit page, for the board (whole province) and a ward's staff.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench \
        .venv/bin/python manage.py seed_demo --scale province
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_tree.py
"""

from common import BenchClient, best_of, database_label  # noqa: I001

from django.contrib.auth import get_user_model

from members.models import Member
from members.selectors import count_members_on, member_count
from organizations.models import Unit
from members.selectors import children_with_member_counts
from organizations.selectors import units_for


def main():
    User = get_user_model()
    board, ward1 = User.objects.get(username="board"), User.objects.get(username="ward1")
    province = Unit.objects.get(code="DEMO-TINH")
    print(
        f"database: {database_label()}; units {Unit.objects.count()}, members {Member.objects.count()}"
    )
    best_of("units_for(board).count()", lambda: units_for(board).count())
    best_of("units_for(ward1).count()", lambda: units_for(ward1).count())
    best_of("member_count(province) (maintained counts)", lambda: member_count(province))
    from datetime import date

    best_of(
        "count_members_on(province, today) (from history)",
        lambda: count_members_on(province, date.today()),
    )
    best_of(
        "children_with_member_counts(province) (1,000 children)",
        lambda: children_with_member_counts(province),
    )
    others = [User.objects.get(username=n) for n in ("admin", "secretary1")]
    for user in (board, ward1, *others):
        client = BenchClient(user)
        best_of(f"GET / as {user.username}", lambda c=client: c.get("/"))
    client = BenchClient(board)
    best_of(
        "GET unit page of the province as board", lambda: client.get(f"/to-chuc/{province.pk}/")
    )


if __name__ == "__main__":
    main()

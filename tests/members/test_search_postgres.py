"""PostgreSQL only: the trigram index that serves the member search at scale."""

import pytest
from django.conf import settings
from django.db import connection

from members.models import Member
from members.selectors import member_list
from tests.factories import make_member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="PostgreSQL only: the trigram index does not exist on SQLite",
    ),
]


def test_the_search_name_has_a_trigram_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'member_search_trgm_idx'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition


def test_the_index_can_serve_the_search(tree, board):
    make_member(tree.cell2a, full_name="Nguyễn Thị Tuyết Mai")
    qs = member_list(board, q="tuyet mai")
    assert [m.full_name for m in qs] == ["Nguyễn Thị Tuyết Mai"]
    search_only = Member.objects.filter(search_name__contains="tuyet mai").order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = search_only.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "member_search_trgm_idx" in plan

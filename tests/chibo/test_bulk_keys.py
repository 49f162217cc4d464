"""chibo.bulk.pks_by: the rows of a model found by a field's values, in one
query however many values are asked (the roster import looks up a chunk's
card numbers and CCCDs with it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.bulk import pks_by
from members.models import Member
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_each_stored_value_gives_its_row_and_unknown_values_give_nothing(tree):
    cell = tree.cell1a
    a = make_member(cell, card_number="11110001")
    b = make_member(cell, card_number="11110002")
    found = pks_by(Member, "card_number", ["11110001", "11110002", "99999999", None, "11110001"])
    assert found == {"11110001": a.pk, "11110002": b.pk}
    assert pks_by(Member, "card_number", []) == {}


def test_values_with_quotes_backslashes_and_diacritics_are_matched_exactly(tree):
    cell = tree.cell1a
    odd = ['1"2', "3\\4", "Đ-5'", "6,7", "{8}"]
    members = [make_member(cell, card_number=card) for card in odd]
    assert pks_by(Member, "card_number", [*odd, "1", "3\\\\4"]) == {
        card: m.pk for card, m in zip(odd, members, strict=True)
    }


def test_a_thousand_values_and_more_cost_one_query_on_postgresql(tree):
    cell = tree.cell1a
    m = make_member(cell, card_number="22220001")
    keys = [f"3333{n:04d}" for n in range(2500)] + ["22220001"]
    with CaptureQueriesContext(connection) as queries:
        found = pks_by(Member, "card_number", keys)
    assert found == {"22220001": m.pk}
    # SQLite takes IN lists of a thousand
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert pks_by(Member, "pk", [m.pk, m.pk + 10_000]) == {m.pk: m.pk}

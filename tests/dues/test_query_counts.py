"""The remittance list and the arrears read in the same number of queries
for a cell, a committee and a province, whatever the number of cells,
members and months: a province's list stays a handful of grouped queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dues.selectors import arrears_in, remittance
from dues.services import Entry, dues_collect
from members.models import Member
from organizations.models import Level
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

LATER = date(2026, 7, 20)


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@pytest.fixture
def bigger(tree):
    """A second ward with more cells and members, and six months of dues in
    every cell (some members paying only some months)."""
    ward3 = make_unit("Đảng bộ phường Ba", level=Level.GRASSROOTS_COMMITTEE, parent=tree.province)
    cells = [make_unit(f"Chi bộ khu phố {k}", parent=ward3) for k in range(4)]
    for cell in cells:
        for _ in range(3):
            make_member(cell)
    all_cells = [tree.cell1a, tree.cell1b, tree.cell2a, *cells]
    for k in range(1, 7):
        for cell in all_cells:
            members = Member.objects.filter(unit=cell).order_by("pk")
            dues_collect(
                actor=None,
                unit=cell,
                month=date(2026, k, 1),
                entries={m.pk: Entry(10_000) for i, m in enumerate(members) if (i + k) % 2},
            )
    tree.ward3 = ward3
    return tree


def test_a_committees_remittance_reads_in_as_many_queries_as_a_cells(bigger):
    tree = bigger
    month = date(2026, 3, 1)
    cell = queries(lambda: remittance(tree.cell1a, month))
    ward = queries(lambda: remittance(tree.ward3, month))
    province = queries(lambda: remittance(tree.province, month))
    # a cell has no sub-units to read: one query fewer, never more
    assert ward == province and cell <= ward
    assert province <= 8
    # and the figures are there: every cell's payments
    assert remittance(tree.province, month)["total_paid_count"] > 0


def test_arrears_read_in_as_many_queries_for_a_province_as_for_a_cell(bigger):
    tree = bigger
    in_cell = Member.objects.filter(unit=tree.cell1a)
    in_province = Member.objects.filter(unit__path__startswith=tree.province.path)
    found = arrears_in(in_province, LATER)
    assert {r["unit"] for r in found} >= {tree.cell1a, tree.cell1b}  # several cells flagged
    assert queries(lambda: arrears_in(in_cell, LATER)) == queries(
        lambda: arrears_in(in_province, LATER)
    )

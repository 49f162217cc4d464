"""Dues follow the unit tree of the month they are for: a cell moved to
another committee in June remits to the old committee for January–May and
to the new one from June, and every committee's totals are the sum of its
cells for that month (remittance list, dues report, dues book)."""

from datetime import date

import pytest

from dues.selectors import dues_book, dues_figures, remittance
from dues.services import Entry, dues_collect
from organizations.services import unit_move

pytestmark = pytest.mark.django_db

MAY, JUNE, JULY = date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)


def pay(unit, month, members, amount):
    dues_collect(actor=None, unit=unit, month=month, entries={m.pk: Entry(amount) for m in members})


@pytest.fixture
def moved(tree):
    """cell1a (3 members) pays 10,000 each every month of 2026 to July; it
    moves from ward1 to ward2 on 15/06/2026."""
    for k in range(1, 8):
        pay(tree.cell1a, date(2026, k, 1), tree.members.m1a, 10_000)
        pay(tree.cell1b, date(2026, k, 1), tree.members.m1b, 20_000)
        pay(tree.cell2a, date(2026, k, 1), tree.members.m2a, 5_000)
    unit_move(
        actor=None,
        unit=tree.cell1a,
        parent=tree.ward2,
        decision_number="12-QĐ/TU",
        decision_date=date(2026, 6, 10),
        effective_on=date(2026, 6, 15),
    )
    tree.cell1a.refresh_from_db()
    return tree


def lines(r) -> dict:
    return {line.unit.pk: line.collected for line in r["lines"]}


def test_a_cell_moved_in_june_remits_to_its_old_committee_until_may(moved):
    tree = moved
    before, after = remittance(tree.ward1, MAY), remittance(tree.ward2, MAY)
    assert lines(before) == {tree.cell1a.pk: 30_000, tree.cell1b.pk: 40_000}
    assert lines(after) == {tree.cell2a.pk: 20_000}
    # moved during June: June's dues go to the new committee already
    for month in (JUNE, JULY):
        assert lines(remittance(tree.ward1, month)) == {tree.cell1b.pk: 40_000}
        assert lines(remittance(tree.ward2, month)) == {
            tree.cell1a.pk: 30_000,
            tree.cell2a.pk: 20_000,
        }


@pytest.mark.parametrize("month", [MAY, JUNE, JULY])
def test_each_committees_totals_are_the_sum_of_its_cells_that_month(moved, month):
    tree = moved
    top = remittance(tree.province, month)
    for ward in (tree.ward1, tree.ward2):
        r = remittance(ward, month)
        assert r["total_collected"] == sum(line.collected for line in r["lines"])
        assert r["received"] == sum(line.remitted for line in r["lines"])
        assert r["kept_total"] + r["sent_up"] == r["total_collected"]
        # the province's line of the ward is the ward's own list
        line = next(li for li in top["lines"] if li.unit.pk == ward.pk)
        assert (line.collected, line.remitted) == (r["total_collected"], r["sent_up"])
    assert top["total_collected"] == 30_000 + 40_000 + 20_000


def test_the_dues_report_counts_the_cell_where_it_was_each_month(moved):
    tree = moved
    months = [MAY, JUNE, JULY]
    ward1 = dues_figures(tree.ward1, months)["months"]
    ward2 = dues_figures(tree.ward2, months)["months"]
    assert [ward1[m][1] for m in months] == [70_000, 40_000, 40_000]
    assert [ward2[m][1] for m in months] == [20_000, 50_000, 50_000]
    # the report and the remittance list agree month by month
    for m in months:
        assert ward1[m][1] == remittance(tree.ward1, m)["total_collected"]


def test_the_dues_reports_kept_and_sent_up_are_each_months_remittance(moved):
    """What the report says each committee kept and sent up, walked over the
    year's versions read once, is what that month's remittance list says."""
    tree = moved
    months = [MAY, JUNE, JULY]
    for unit in (tree.province, tree.ward1, tree.ward2):
        shares = dues_figures(unit, months)["shares"]
        for m in months:
            r = remittance(unit, m)
            assert shares[m] == (r["kept_total"], r["sent_up"]), (unit.name, m)
    assert dues_figures(tree.province, months)["shares"][MAY][0] > 0


def test_the_remittance_page_of_may_still_lists_the_moved_cell(client, moved, ward1_staff):
    tree = moved
    client.force_login(ward1_staff)
    url = f"/dang-phi/don-vi/{tree.ward1.pk}/thu-nop/"
    may = client.get(url + "?month=05/2026").content.decode()
    july = client.get(url + "?month=07/2026").content.decode()
    assert tree.cell1a.name in may and "70.000" in may
    assert tree.cell1a.name not in july and "40.000" in july


def test_the_moved_cells_book_agrees_with_the_list_of_the_committee_it_was_under(moved):
    tree = moved
    book = dues_book(tree.cell1a, 2026)
    assert book["month_totals"][:7] == [30_000] * 7
    for month, ward in ((MAY, tree.ward1), (JUNE, tree.ward2), (JULY, tree.ward2)):
        line = next(li for li in remittance(ward, month)["lines"] if li.unit.pk == tree.cell1a.pk)
        k = month.month - 1
        assert (line.collected, line.kept, line.remitted) == (
            book["month_totals"][k],
            book["kept"][k],
            book["remitted"][k],
        )

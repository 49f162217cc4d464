"""Biểu 3 and Biểu 4 by sub-unit: each member on the list is counted under
the direct sub-unit their cell lies under on the day (a cell moved to another
ward counts under its old ward before the move and its new one after), the
rows add up to the form's total, and the count of queries does not depend on
how many sub-units there are."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.choices import Religion
from organizations.models import Level
from organizations.services import unit_move
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from tests.factories import make_member, make_unit, make_units_in_bulk
from tests.organizations.factories import decision

pytestmark = pytest.mark.django_db

OLD = date(2000, 1, 1)
MOVED = date(2024, 7, 1)


@pytest.fixture
def province(db):
    p = make_unit("Đảng bộ tỉnh P", level=Level.PROVINCIAL, founded_on=OLD)
    w1 = make_unit("Đảng bộ phường Một", level=Level.GRASSROOTS_COMMITTEE, parent=p, founded_on=OLD)
    w2 = make_unit("Đảng bộ phường Hai", level=Level.GRASSROOTS_COMMITTEE, parent=p, founded_on=OLD)
    c1 = make_unit("Chi bộ 1", parent=w1, founded_on=OLD)
    c2 = make_unit("Chi bộ 2", parent=w1, founded_on=OLD)
    c3 = make_unit("Chi bộ 3", parent=w2, founded_on=OLD)
    make_member(c1, since=OLD, gender="F", ethnicity="Tày")
    make_member(c2, since=OLD, religion=Religion.BUDDHIST)
    make_member(c2, since=OLD, gender="F")
    make_member(c3, since=OLD, ethnicity="Kinh")
    unit_move(actor=None, unit=c2, parent=w2, **decision(MOVED))
    return {"p": p, "w1": w1, "w2": w2}


def rows_by_name(table) -> dict[str, list]:
    return {r[0]: r[1:] for r in table.sections[0].rows}


@pytest.mark.parametrize(
    ("day", "ward1", "ward2"),
    [(date(2024, 6, 30), [3, 2], [1, 0]), (date(2024, 12, 31), [1, 1], [3, 1])],
)
def test_member_profile_by_sub_unit_follows_the_cells_of_the_day(province, day, ward1, ward2):
    report = get_report("member_profile")
    t = report.run(province["p"], Params(day=day, by_children=True))
    rows = rows_by_name(t)
    # members, women
    assert rows["Đảng bộ phường Một"][:2] == ward1
    assert rows["Đảng bộ phường Hai"][:2] == ward2
    form = report.run(province["p"], Params(day=day))
    assert t.sections[0].totals[1] == value_of(form, "I") == 4


def test_ethnicity_religion_by_sub_unit_counts_minorities_and_religions(province):
    t = get_report("ethnicity_religion").run(
        province["p"], Params(day=date(2024, 12, 31), by_children=True)
    )
    rows = rows_by_name(t)
    # members, minority, religious
    assert rows["Đảng bộ phường Một"] == [1, 1, 0]
    assert rows["Đảng bộ phường Hai"] == [3, 0, 1]
    assert t.sections[0].totals[1:] == [4, 1, 1]


@pytest.mark.parametrize("name", ["member_profile", "ethnicity_religion"])
def test_the_breakdown_reads_as_many_queries_for_twenty_more_sub_units(
    province, name, django_assert_num_queries
):
    report = get_report(name)
    params = Params(day=date(2024, 12, 31), by_children=True)
    with CaptureQueriesContext(connection) as few:
        report.run(province["p"], params)
    for ward in make_units_in_bulk(province["p"], 20, level=Level.GRASSROOTS_COMMITTEE):
        make_member(make_unit(parent=ward, founded_on=OLD), since=OLD)
    with django_assert_num_queries(len(few.captured_queries)):
        t = report.run(province["p"], params)
    assert t.sections[0].totals[1] == 24

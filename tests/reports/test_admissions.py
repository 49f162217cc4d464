"""admissions: members admitted in a period by category of cell, probationary
members made official, and those past 12 months without a decision (seed 004)."""

from datetime import date

import pytest

from members.choices import Status
from members.services import member_admit, member_propose_candidate
from organizations.models import Category, Level
from reports.catalogue import Params, get_report
from tests.factories import make_member, make_unit
from tests.reports.factories import bulk_admitted, bulk_members

START, END = date(2015, 1, 1), date(2020, 12, 31)


def run(unit, start=START, end=END, by_children=False):
    return get_report("admissions").run(unit, Params(start=start, end=end, by_children=by_children))


@pytest.fixture
def district(db):
    """1,064 members admitted in 2015–2020, 402 of them in residential and
    village cells (seed 004)."""
    top = make_unit("Đảng bộ huyện", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    town = make_unit("Đảng bộ thị trấn", level=Level.GRASSROOTS_COMMITTEE, parent=top)
    commune = make_unit("Đảng bộ xã", level=Level.GRASSROOTS_COMMITTEE, parent=top)
    cells = {
        c: make_unit(parent=town if c != Category.VILLAGE else commune, category=c)
        for c in (
            Category.RESIDENTIAL,
            Category.VILLAGE,
            Category.SCHOOL,
            Category.POLICE,
            Category.AGENCY,
        )
    }
    plan = {
        Category.RESIDENTIAL: 250,
        Category.VILLAGE: 152,
        Category.SCHOOL: 300,
        Category.POLICE: 200,
        Category.AGENCY: 162,
    }
    for category, n in plan.items():
        bulk_admitted(
            cells[category], n, admitted_on=date(2017, 5, 19), recognized_on=date(2018, 5, 19)
        )
    # outside the period, and a probationary member entered from paper (not admitted then)
    bulk_admitted(
        cells[Category.SCHOOL], 7, admitted_on=date(2014, 12, 31), recognized_on=date(2015, 12, 31)
    )
    bulk_members(
        cells[Category.AGENCY],
        3,
        status=Status.PROBATIONARY,
        since=date(2016, 1, 1),
        admitted_on=date(2015, 9, 1),
        probation_from=date(2015, 9, 1),
    )
    return top, town, commune, cells


def rows_of(section):
    return {r[0]: r[1:] for r in section.rows}


def test_seed_004_admissions_by_category_and_in_residential_cells(district):
    top, *_ = district
    table = run(top)
    by_category = rows_of(table.sections[0])
    assert by_category["Chi bộ tổ dân phố / khu phố"] == [250, 23.5, 250]
    assert by_category["Chi bộ thôn / làng / bản / ấp"] == [152, 14.3, 152]
    # the 7 admitted in 2014 were recognised in the period
    assert by_category["Chi bộ nhà trường"] == [300, 28.2, 307]
    assert table.sections[0].totals == ["Tổng cộng", 1064, 100.0, 1071]
    assert table.sections[1].rows == [[402, 1064, 37.8]]


def test_probationary_members_past_twelve_months_are_listed(district):
    top, *_ = district
    overdue = run(top).sections[2]
    # the 3 entered from paper: probation from 01/09/2015, still probationary on 31/12/2020
    assert len(overdue.rows) == 3
    assert overdue.rows[0][2:] == ["01/09/2015", "01/09/2016", 1582]
    # none on 31/08/2016: their twelve months are not over yet
    assert run(top, end=date(2016, 8, 31)).sections[2].rows == []


def test_a_period_before_the_admissions_counts_none_of_them(district):
    top, *_ = district
    table = run(top, start=date(2016, 1, 1), end=date(2016, 12, 31))
    assert table.sections[0].totals[1:] == [0, None, 0]


def test_breakdown_by_grassroots_committee(district):
    top, town, commune, _cells = district
    section = run(top, by_children=True).sections[0]
    rows = dict(zip(section.row_units, section.rows, strict=True))
    assert rows[town.pk][1:] == [912, 919, 3]
    assert rows[commune.pk][1:] == [152, 152, 0]
    assert section.totals[1:] == [1064, 1071, 3]


def test_an_admission_through_the_services_counts_in_its_cell(tree):
    helpers = tree.members.m2a[:2]
    candidate = member_propose_candidate(
        actor=None,
        unit=tree.cell2a,
        proposed_on=date(2024, 3, 1),
        helpers=helpers,
        full_name="Lê Thị Mới",
        gender="F",
        birth_date=date(2000, 1, 1),
    )
    member_admit(
        actor=None, member=candidate, decided_on=date(2025, 3, 2), ceremony_on=date(2025, 3, 9)
    )
    make_member(tree.cell1a)  # an existing member entered today is not an admission
    table = run(tree.province, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert rows_of(table.sections[0]) == {"Chi bộ thôn / làng / bản / ấp": [1, 100.0, 0]}

"""structure and composition: known small datasets, and a past date."""

from datetime import date

import pytest

from members.choices import Status
from members.models import Exemption
from members.services import member_place
from organizations.models import Category, Level
from reports.catalogue import Params, get_report
from tests.factories import make_unit
from tests.reports.factories import bulk_members

TODAY = date.today()


def run(name, unit, day=TODAY, by_children=False):
    return get_report(name).run(unit, Params(day=day, by_children=by_children))


def rows_of(section):
    return {r[0]: r[1:] for r in section.rows}


@pytest.fixture
def seed002(db):
    """seed 002: a committee with 17 grassroots organizations and 140 members
    (12 đảng bộ cơ sở with 2 cells each, 5 chi bộ cơ sở)."""
    bloc = make_unit("Đảng bộ Khối cơ quan", level=Level.PROVINCIAL)
    for i in range(12):
        committee = make_unit(f"Đảng bộ cơ sở {i}", level=Level.GRASSROOTS_COMMITTEE, parent=bloc)
        a = make_unit(parent=committee, category=Category.AGENCY)
        b = make_unit(parent=committee, category=Category.SCHOOL)
        bulk_members(a, 5)
        bulk_members(b, 4, status=Status.PROBATIONARY if i < 2 else Status.OFFICIAL)
    for i in range(5):
        cell = make_unit(
            f"Chi bộ cơ sở {i}",
            level=Level.GRASSROOTS_CELL,
            parent=bloc,
            category=Category.ENTERPRISE,
        )
        bulk_members(cell, 6 if i else 8)
    return bloc


def test_seed_002_seventeen_grassroots_organizations_with_140_members(seed002):
    table = run("structure", seed002)
    grassroots = table.sections[0]
    assert rows_of(grassroots) == {
        "Đảng bộ cơ sở": [12, 108, 100, 8, 0],
        "Chi bộ cơ sở": [5, 32, 32, 0, 0],
    }
    assert grassroots.totals[1:3] == [17, 140]
    cells = rows_of(table.sections[1])
    assert cells["Chi bộ cơ quan"] == [12, 60, 60, 0, 0]
    assert cells["Chi bộ nhà trường"] == [12, 48, 40, 8, 0]
    assert table.sections[2].rows == [[140, 132, 8, 0]]


def test_structure_counts_exempt_members_and_leaves_out_those_not_yet_admitted(tree):
    m = tree.members.m1a[0]
    Exemption.objects.create(member=m, reason="age", valid_from=date(2020, 1, 1))
    bulk_members(tree.cell1a, 2, status=Status.CANDIDATE)
    table = run("structure", tree.ward1)
    assert rows_of(table.sections[1])["Chi bộ tổ dân phố / khu phố"] == [1, 3, 3, 0, 1]


def test_structure_on_a_past_date_counts_members_where_they_were(tree):
    mover = tree.members.m1a[0]
    member_place(actor=None, member=mover, unit=tree.cell2a, day=date(2024, 3, 1))
    before = run("structure", tree.province, date(2024, 2, 29), by_children=True).sections[0]
    after = run("structure", tree.province, date(2024, 3, 1), by_children=True).sections[0]
    members = {r[0]: r[3] for r in before.rows}
    assert members == {"Đảng bộ phường Một": 5, "Đảng bộ xã Hai": 4}
    members = {r[0]: r[3] for r in after.rows}
    assert members == {"Đảng bộ phường Một": 4, "Đảng bộ xã Hai": 5}


def test_a_unit_not_yet_founded_on_the_date_gives_a_message(tree):
    from reports.catalogue import ReportError

    with pytest.raises(ReportError, match="chưa thành lập"):
        run("structure", tree.ward1, date(1990, 1, 1))


@pytest.fixture
def elderly_cell(tree):
    """seed 000: a residential cell of mostly elderly members."""
    day = TODAY
    cell = tree.cell1a

    def born(age):  # `age` + 1 years old today, whatever the day of the year
        return date(day.year - age - 1, 1, 1)

    bulk_members(cell, 6, birth_date=born(75), gender="F", is_retired=True)
    bulk_members(cell, 2, birth_date=born(65), is_retired=True, ethnicity="Tày")
    bulk_members(cell, 1, birth_date=born(25), gender="F", admitted_on=date(day.year - 2, 1, 1))
    return cell


def test_composition_by_age_gender_ethnicity_and_party_age(elderly_cell):
    # the cell's 3 members from the tree fixture were born 01/01/1970
    table = run("composition", elderly_cell)
    sections = {s.title: s for s in table.sections}
    assert sections["Tổng số đảng viên"].rows == [[12]]
    ages = rows_of(sections["Độ tuổi"])
    assert ages["Trên 70 tuổi"] == [6, 50.0]
    assert ages["Từ 61 đến 70 tuổi"] == [2, 16.7]
    assert ages["Đến 30 tuổi"] == [1, 8.3]
    assert rows_of(sections["Giới tính"]) == {"Nam": [5, 41.7], "Nữ": [7, 58.3]}
    assert rows_of(sections["Dân tộc"]) == {"Kinh": [10, 83.3], "Tày": [2, 16.7]}
    assert rows_of(sections["Tuổi đảng"])["Dưới 10 năm"] == [1, 8.3]
    assert rows_of(sections["Thành phần khác"])["Đã nghỉ hưu"] == [8, 66.7]


def test_composition_breakdown_shows_the_share_of_elderly_members_per_sub_unit(elderly_cell, tree):
    section = run("composition", tree.ward1, by_children=True).sections[0]
    rows = dict(zip(section.row_units, section.rows, strict=True))
    # cell1a: 12 members, 8 over 60; cell1b: 2 members, none
    assert rows[tree.cell1a.pk][1] == 12
    assert rows[tree.cell1a.pk][5] == 66.7
    assert rows[tree.cell1b.pk][1:2] == [2]
    assert rows[tree.cell1b.pk][5] == 0.0
    assert section.totals[1] == 14


def test_sub_units_are_listed_in_alphabetical_order_with_numbers_by_value(tree):
    from datetime import date

    from organizations.models import Category
    from reports.selectors import snapshot
    from tests.factories import make_unit

    for n in (10, 2):
        make_unit(f"Chi bộ khu phố {n}", parent=tree.ward1, category=Category.RESIDENTIAL)
    names = [u.name for u in snapshot(tree.ward1, date.today()).children]
    assert names == [
        "Chi bộ cơ quan phường",
        "Chi bộ khu phố 1",
        "Chi bộ khu phố 2",
        "Chi bộ khu phố 10",
    ]

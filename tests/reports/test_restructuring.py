"""restructuring: decisions in a period, units directly under a committee
before and after (seed 002: 46 → 27), members moved (seed 003)."""

from datetime import date

import pytest

from organizations.models import Category, Level
from reports.catalogue import Params, get_report
from structure.services import unit_dissolve, unit_merge
from tests.factories import make_unit
from tests.reports.factories import bulk_members

EFFECTIVE = date(2025, 7, 1)


def run(unit, start=date(2025, 1, 1), end=date(2025, 12, 31), by_children=False):
    return get_report("restructuring").run(
        unit, Params(start=start, end=end, by_children=by_children)
    )


def rows_of(section):
    return {r[0]: r[1:] for r in section.rows}


@pytest.fixture
def district(db):
    """A district with 46 grassroots cells of 2 members; 19 of them merged
    into another on 01/07/2025."""
    top = make_unit("Đảng bộ quận Một", level=Level.PROVINCIAL)
    district = make_unit("Đảng bộ huyện", level=Level.DISTRICT, parent=top)
    cells = [
        make_unit(
            f"Chi bộ cơ sở {i:02d}",
            level=Level.GRASSROOTS_CELL,
            parent=district,
            category=Category.ENTERPRISE,
        )
        for i in range(46)
    ]
    for cell in cells:
        bulk_members(cell, 2)
    for i in range(19):
        unit_merge(
            actor=None,
            units=[cells[2 * i], cells[2 * i + 1]],
            into=cells[2 * i],
            decision_number=f"{i + 1}-QĐ/HU",
            decision_date=date(2025, 6, 15),
            effective_on=EFFECTIVE,
        )
    return top, district


def test_seed_002_units_directly_under_the_district_before_and_after(district):
    _top, unit = district
    table = run(unit)
    assert rows_of(table.sections[0]) == {"Hợp nhất / sáp nhập": [19, 38]}
    shape = rows_of(table.sections[1])
    assert shape["Đơn vị trực thuộc trực tiếp"] == [46, 27, -19]
    assert shape["Tổ chức cơ sở đảng"] == [46, 27, -19]
    assert shape["Đảng viên"] == [92, 92, 0]
    assert len(table.sections[2].rows) == 19
    assert table.sections[2].rows[0][:3] == ["01/07/2025", "1-QĐ/HU", "Hợp nhất / sáp nhập"]


def test_a_period_before_the_merges_shows_no_change(district):
    _top, unit = district
    table = run(unit, start=date(2025, 1, 1), end=date(2025, 6, 30))
    assert table.sections[0].rows == []
    assert rows_of(table.sections[1])["Đơn vị trực thuộc trực tiếp"] == [46, 46, 0]


def test_breakdown_from_the_committee_above(district, django_assert_max_num_queries):
    top, unit = district
    with django_assert_max_num_queries(10):
        section = run(top, by_children=True).sections[0]
    assert section.row_units == [unit.pk]
    assert section.rows[0][1:5] == [19, 38, 46, 27]


def test_seed_003_an_agency_cell_dissolved_and_its_30_members_sent_to_9_cells(db):
    ward = make_unit("Đảng bộ phường Ba", level=Level.GRASSROOTS_COMMITTEE)
    agency = make_unit("Chi bộ cơ quan phường", parent=ward, category=Category.AGENCY)
    residential = [
        make_unit(f"Chi bộ khu phố {i}", parent=ward, category=Category.RESIDENTIAL)
        for i in range(1, 10)
    ]
    moving = bulk_members(agency, 30)
    unit_dissolve(
        actor=None,
        unit=agency,
        decision_number="15-QĐ/ĐU",
        decision_date=date(2025, 6, 20),
        effective_on=EFFECTIVE,
        assignments={m.pk: residential[i % 9] for i, m in enumerate(moving)},
    )
    table = run(ward)
    assert rows_of(table.sections[0]) == {"Giải thể": [1, 30]}
    shape = rows_of(table.sections[1])
    assert shape["Chi bộ"] == [10, 9, -1]
    assert shape["Đảng viên"] == [30, 30, 0]

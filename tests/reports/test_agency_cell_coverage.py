"""agency_cell_coverage: localities with an agency cell (seed 001)."""

from datetime import date

import pytest

from organizations.models import AdministrativeUnit, Category, Level
from reports.catalogue import Params, get_report
from structure.services import unit_dissolve
from tests.factories import make_unit
from tests.reports.factories import bulk_members, bulk_members_in, bulk_units, locality

Kind = AdministrativeUnit.Kind


def _run(unit, day=None, by_children=False):
    table = get_report("agency_cell_coverage").run(
        unit, Params(day=day or date.today(), by_children=by_children)
    )
    return table.sections[0]


def _row(section, label):
    return next(r for r in section.rows if r[0] == label)


@pytest.fixture
def seed001(db):
    """A province with 186 communes (82 with an agency cell, 694 members in
    them), 24 wards (all with one, 282 members), 12 townships (9 with one, 115
    members), and 24,889 members in the localities' other cells."""
    province = make_unit("Đảng bộ tỉnh Số Một", level=Level.PROVINCIAL)
    plan = [(Kind.COMMUNE, 186, 82), (Kind.WARD, 24, 24), (Kind.TOWNSHIP, 12, 9)]
    specs = []
    for kind, n, _covered in plan:
        for _ in range(n):
            adm = locality(kind)
            specs.append(
                {
                    "name": f"Đảng bộ {adm.name}",
                    "level": Level.GRASSROOTS_COMMITTEE,
                    "parent": province,
                    "administrative_unit": adm,
                }
            )
    committees = bulk_units(specs)
    by_kind = {
        kind: [c for c in committees if c.administrative_unit.kind == kind] for kind, *_ in plan
    }
    agency_specs, residential_specs = [], []
    for kind, _n, covered in plan:
        for c in by_kind[kind][:covered]:
            agency_specs.append(
                {
                    "name": f"Chi bộ cơ quan {c.name}",
                    "level": Level.CELL,
                    "parent": c,
                    "category": Category.AGENCY,
                }
            )
    for c in committees:
        residential_specs.append(
            {
                "name": f"Chi bộ khu phố {c.name}",
                "level": Level.CELL,
                "parent": c,
                "category": Category.RESIDENTIAL,
            }
        )
    agency = bulk_units(agency_specs)
    residential = bulk_units(residential_specs)
    # 694 = 38 × 9 + 44 × 8; 282 = 18 × 12 + 6 × 11; 115 = 7 × 13 + 2 × 12
    sizes = [9] * 38 + [8] * 44 + [12] * 18 + [11] * 6 + [13] * 7 + [12] * 2
    counts = list(zip(agency, sizes, strict=True))
    counts += [(cell, 112) for cell in residential]  # 222 × 112 = 24,864
    counts.append((residential[0], 25))
    bulk_members_in(counts)
    return province


def test_seed_001_figures_by_kind_of_locality_in_a_fixed_number_of_queries(
    seed001, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        section = _run(seed001)
    # label, localities, covered, %, agency cells, agency members, all members, %
    commune = _row(section, "Xã")
    assert commune[1:6] == [186, 82, 44.1, 82, 694]
    ward = _row(section, "Phường")
    assert ward[1:6] == [24, 24, 100.0, 24, 282]
    township = _row(section, "Thị trấn, đặc khu")
    assert township[1:6] == [12, 9, 75.0, 9, 115]
    assert section.totals[1:6] == [222, 115, 51.8, 115, 1091]
    assert section.totals[6] == 25980
    assert section.totals[7] == 4.2


@pytest.fixture
def ward_with_agency_cell(db):
    """seed 003: a ward's agency cell of 30 members, dissolved on 01/07/2025
    and its members sent to the ward's 9 residential cells."""
    province = make_unit("Đảng bộ tỉnh", level=Level.PROVINCIAL)
    ward = make_unit(
        "Đảng bộ phường Ba",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=province,
        administrative_unit=locality(Kind.WARD),
    )
    agency = make_unit("Chi bộ cơ quan phường Ba", parent=ward, category=Category.AGENCY)
    residential = [
        make_unit(f"Chi bộ khu phố {i}", parent=ward, category=Category.RESIDENTIAL)
        for i in range(1, 10)
    ]
    bulk_members_in([(cell, 68) for cell in residential])  # 612
    moving = bulk_members(agency, 30)
    unit_dissolve(
        actor=None,
        unit=agency,
        decision_number="15-QĐ/ĐU",
        decision_date=date(2025, 6, 20),
        effective_on=date(2025, 7, 1),
        assignments={m.pk: residential[i % 9] for i, m in enumerate(moving)},
    )
    return province, ward


def test_a_dissolved_agency_cell_still_counts_before_its_dissolution(ward_with_agency_cell):
    province, ward = ward_with_agency_cell
    before = _row(_run(province, date(2025, 6, 30)), "Phường")
    assert before[1:] == [1, 1, 100.0, 1, 30, 642, 4.7]
    after = _row(_run(province, date(2025, 7, 1)), "Phường")
    assert after[1:] == [1, 0, 0.0, 0, 0, 642, 0.0]


def test_breakdown_gives_one_row_per_direct_sub_unit(ward_with_agency_cell):
    province, ward = ward_with_agency_cell
    other = make_unit(
        "Đảng bộ xã Bốn",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=province,
        administrative_unit=locality(Kind.COMMUNE),
    )
    section = _run(province, date(2025, 6, 30), by_children=True)
    assert section.row_units == [other.pk, ward.pk] or section.row_units == [ward.pk, other.pk]
    rows = dict(zip(section.row_units, section.rows, strict=True))
    assert rows[ward.pk][1:4] == [1, 1, 100.0]
    assert rows[other.pk][1:4] == [1, 0, 0.0]
    assert section.totals[1:4] == [2, 1, 50.0]

"""One way every import finds the unit a cell names, and suggests the
closest names for one it cannot find."""

import pytest

from chibo.imports import import_file
from chibo.spreadsheets import CellError, build_xlsx
from organizations.models import Category, Unit
from organizations.selectors import UnitFinder, closest_unit_names
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_a_name_without_chi_bo_suggests_the_cell():
    names = ["Chi bộ khu phố 3", "Chi bộ khu phố 4", "Đảng bộ phường Một"]
    assert closest_unit_names("khu phố 3", names) == ["Chi bộ khu phố 3"]
    assert closest_unit_names("KHU PHO 3", names) == ["Chi bộ khu phố 3"]
    assert closest_unit_names("Chi bộ khu phố 33", names)[0] == "Chi bộ khu phố 3"
    assert closest_unit_names("Hội cựu chiến binh", names) == []


def test_the_finder_takes_codes_and_names_without_accents(tree):
    finder = UnitFinder(Unit.objects.all())
    assert finder.find("chi bo khu pho 1") == tree.cell1a
    assert finder.find(tree.cell1a.code or tree.cell1a.name) == tree.cell1a
    with pytest.raises(CellError) as exc:
        finder.find("khu phố 1")
    assert "Có phải: “Chi bộ khu phố 1”?" in exc.value.message


def test_two_active_units_of_one_name_ask_for_the_code(tree):
    make_unit("Chi bộ khu phố 1", parent=tree.ward2, category=Category.RESIDENTIAL)
    with pytest.raises(CellError) as exc:
        UnitFinder(Unit.objects.all()).find("Chi bộ khu phố 1")
    assert "hãy ghi mã" in exc.value.message


def test_a_unit_outside_the_units_given_is_not_named(tree):
    finder = UnitFinder(Unit.objects.filter(path__startswith=tree.ward2.path))
    with pytest.raises(CellError) as exc:
        finder.find("khu phố 1")
    assert "Chi bộ khu phố 1" not in exc.value.message


def test_the_roster_and_the_unit_tree_suggest_too(tree):
    roster = build_xlsx(
        ["Họ và tên", "Giới tính", "Ngày sinh", "Ngày vào Đảng", "Chi bộ"],
        [["Lê Văn Mới", "Nam", "01/01/1980", "01/01/2010", "khu phố 1"]],
    )
    batch = import_file("members", actor=None, file_name="ds.xlsx", data=roster, dry_run=True)
    assert "Có phải: “Chi bộ khu phố 1”?" in batch.errors[0]["message"]
    units = build_xlsx(
        ["Tên đơn vị", "Cấp", "Loại chi bộ", "Trực thuộc", "Ngày thành lập"],
        [["Chi bộ khu phố 9", "Chi bộ", "Tổ dân phố", "phường Một", "01/07/2025"]],
    )
    batch = import_file("units", actor=None, file_name="dv.xlsx", data=units, dry_run=True)
    assert "Có phải: “Đảng bộ phường Một”?" in batch.errors[0]["message"]

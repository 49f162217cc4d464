"""Importing the unit tree from a spreadsheet: preview, errors, all or nothing."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from chibo.imports import import_file
from chibo.models import ImportBatch
from chibo.spreadsheets import build_xlsx
from organizations.models import Category, Level, Unit
from organizations.resources import parse_level

pytestmark = pytest.mark.django_db

HEADERS = ["Tên đơn vị", "Mã đơn vị", "Cấp", "Loại chi bộ", "Trực thuộc", "Ngày thành lập"]
GOOD = [
    ["Đảng bộ phường Mới", "P-MOI", "Đảng bộ cơ sở", "", "Đảng bộ tỉnh Thử", "01/07/2025"],
    ["Chi bộ khu phố 1", "P-MOI-1", "Chi bộ trực thuộc", "Tổ dân phố", "P-MOI", "01/07/2025"],
    ["Chi bộ cơ quan", "P-MOI-2", "Chi bộ", "Cơ quan", "Đảng bộ phường Mới", "01/07/2025"],
]


def xlsx(rows) -> bytes:
    return build_xlsx(HEADERS, rows, title="DANH SÁCH TỔ CHỨC ĐẢNG")


def import_units(data: bytes, *, actor, dry_run: bool = False) -> ImportBatch:
    """The "units" kind through the pipeline, in one call (what `import_units` runs)."""
    return import_file("units", actor=actor, file_name="don-vi.xlsx", data=data, dry_run=dry_run)


def applied(batch: ImportBatch) -> bool:
    return batch.status == ImportBatch.Status.DONE


def test_a_good_file_founds_every_unit_under_its_parent(tree, ward1_staff):
    result = import_units(xlsx(GOOD), actor=None)
    assert not result.errors and applied(result) and result.new_count == 3
    ward = Unit.objects.get(code="P-MOI")
    assert ward.parent == tree.province and ward.level == Level.GRASSROOTS_COMMITTEE
    cells = {u.name: u for u in ward.children.all()}
    assert cells["Chi bộ khu phố 1"].category == Category.RESIDENTIAL
    assert cells["Chi bộ cơ quan"].category == Category.AGENCY
    assert ward.founded_on == date(2025, 7, 1)


def test_importing_the_same_file_twice_changes_nothing(tree):
    import_units(xlsx(GOOD), actor=None)
    again = import_units(xlsx(GOOD), actor=None)
    assert not again.errors and again.unchanged_count == 3 and again.new_count == 0
    assert Unit.objects.filter(code__startswith="P-MOI").count() == 3


def test_a_preview_changes_nothing(tree):
    result = import_units(xlsx(GOOD), actor=None, dry_run=True)
    assert not result.errors and not applied(result) and result.new_count == 3
    assert not Unit.objects.filter(code="P-MOI").exists()


def test_one_bad_row_keeps_the_whole_file_out_and_says_which_row(tree):
    bad = GOOD + [["Chi bộ lạ", "", "Chi bộ", "", "Đảng bộ không có", "01/07/2025"]]
    bad += [["Chi bộ ngày sai", "", "Chi bộ", "", "P-MOI", "31/02/2025"]]
    result = import_units(xlsx(bad), actor=None)
    assert result.errors and not applied(result)
    errors = {(e["row"], e["column"]) for e in result.errors}
    assert errors == {(6, "Trực thuộc"), (7, "Ngày thành lập")}
    assert "Không tìm thấy đơn vị cấp trên" in result.errors[0]["message"]
    assert not Unit.objects.filter(code="P-MOI").exists()


def test_a_cell_at_the_top_is_refused_by_the_tree_rules(db):
    result = import_units(xlsx([["Chi bộ mồ côi", "", "Chi bộ", "", "", "01/07/2025"]]), actor=None)
    assert result.errors and "phải trực thuộc một đảng bộ" in result.errors[0]["message"]


def test_staff_cannot_import_units_outside_their_reach(tree, ward1_staff):
    row = [["Chi bộ ấp 9", "", "Chi bộ", "Ấp", "Đảng bộ xã Hai", "01/07/2025"]]
    result = import_units(xlsx(row), actor=ward1_staff)
    assert result.errors and "Không tìm thấy đơn vị cấp trên" in result.errors[0]["message"]


def test_the_command_prints_json_and_fails_on_errors(tree, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(GOOD))
    call_command("import_units", str(path), "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["new"] == 3 and not out["applied"]
    assert not Unit.objects.filter(code="P-MOI").exists()
    call_command("import_units", str(path))
    assert Unit.objects.filter(code__startswith="P-MOI").count() == 3
    path.write_bytes(xlsx([["X", "", "Cấp lạ", "", "", "01/07/2025"]]))
    with pytest.raises(SystemExit):  # exit status 1, as import_members
        call_command("import_units", str(path))


def test_a_file_that_is_not_a_spreadsheet_is_refused(db):
    result = import_units(b"\x00\x01binary", actor=None)
    assert result.status == ImportBatch.Status.FAILED and result.message


@pytest.mark.parametrize(
    "written,level",
    [
        ("Đảng bộ cơ quan", Level.BLOC),
        ("Đảng bộ quận", Level.DISTRICT),
        ("Đảng bộ xã", Level.GRASSROOTS_COMMITTEE),
        ("Đảng bộ phường", Level.GRASSROOTS_COMMITTEE),
        ("Đảng bộ thị trấn", Level.GRASSROOTS_COMMITTEE),
        ("Đảng bộ doanh nghiệp", Level.GRASSROOTS_COMMITTEE),
        ("Chi bộ cơ sở", Level.GRASSROOTS_CELL),
        ("Chi bộ", Level.CELL),
    ],
)
def test_the_level_column_reads_what_offices_write(written, level):
    assert parse_level(written) == level


def test_a_founding_date_of_year_0001_is_a_row_error(tree):
    rows = [["Chi bộ khu phố 9", "KP9", "Chi bộ", "Khu phố", "Đảng bộ phường Một", "01/01/0001"]]
    result = import_units(xlsx(rows), actor=None)
    assert not applied(result) and not Unit.objects.filter(code="KP9").exists()
    assert result.errors[0]["column"] == "Ngày thành lập"
    assert "03/02/1930" in result.errors[0]["message"]


def test_a_code_used_outside_the_users_reach_is_refused_without_naming_that_unit(tree, ward1_staff):
    Unit.objects.filter(pk=tree.cell2a.pk).update(code="AP-1")
    for name in ("Chi bộ ấp 1", "Chi bộ khu phố 8"):
        row = [[name, "AP-1", "Chi bộ", "Khu phố", "Đảng bộ phường Một", "01/07/2025"]]
        result = import_units(xlsx(row), actor=ward1_staff)
        assert result.errors and not applied(result)
        message = result.errors[0]["message"]
        assert "ngoài phạm vi của bạn" in message and tree.cell2a.name not in message


def test_confirming_the_unit_import_twice_founds_each_unit_once(client, tree, ward1_staff):
    """Issue 15, defect 2: a double click created two identical units, or a 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(ward1_staff)
    rows = [["Chi bộ khu phố 8", "P1-KP8", "Chi bộ", "Khu phố", "Đảng bộ phường Một", "01/07/2025"]]
    client.post(
        reverse("organizations:import"), {"file": SimpleUploadedFile("dv.xlsx", xlsx(rows))}
    )
    batch = ImportBatch.objects.get()
    stale = ImportBatch.objects.get(pk=batch.pk)
    url = reverse("imports:confirm", args=[batch.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    from chibo.imports import import_confirm

    assert import_confirm(stale) is False  # read before the first confirmation claimed it
    assert Unit.objects.filter(name="Chi bộ khu phố 8").count() == 1


def test_the_unit_import_page_speaks_of_units(client, tree, ward1_staff):
    from django.urls import reverse

    client.force_login(ward1_staff)
    page = client.get(reverse("organizations:import")).content.decode()
    assert "Tệp danh sách đơn vị (.xlsx hoặc .csv)" in page
    assert reverse("imports:template", args=["cay-to-chuc"]) in page

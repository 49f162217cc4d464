"""A restructure plan from a spreadsheet: a province's 2025 commune mergers
as one plan (tests/structure/data/ke-hoach-sap-xep-2025.csv), previewed as
the tree before and after, applied whole or not at all, from the page and
from `manage.py restructure`."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from chibo.imports import import_check, import_confirm, import_file, import_start
from chibo.models import ImportBatch
from members.selectors import member_count
from organizations.models import Level, Restructure, Unit
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).parent / "data" / "ke-hoach-sap-xep-2025.csv"
HEADER = (
    "Bước,Thao tác,Đơn vị,Tên mới,Mã mới,Cấp,Loại chi bộ,Trực thuộc,Đơn vị nhận,Phân bổ,"
    "Số quyết định,Ngày quyết định,Ngày hiệu lực"
)
DECISION = "1656/NQ-UBTVQH15,16/06/2025,01/07/2025"


@pytest.fixture
def province(tree):
    """The tree of tests/conftest.py and two more communes, each with a cell."""
    for name in ("Ba", "Bốn"):
        commune = make_unit(
            f"Đảng bộ xã {name}", level=Level.GRASSROOTS_COMMITTEE, parent=tree.province
        )
        cell = make_unit(f"Chi bộ thôn {name}", parent=commune, category="village")
        make_member(cell)
    return tree


def send(data: bytes, *, actor=None, dry_run=False, skip_invalid=False, name="kh.csv"):
    return import_file(
        "plan", actor=actor, file_name=name, data=data, dry_run=dry_run, skip_invalid=skip_invalid
    )


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_the_example_plan_previews_the_tree_before_and_after_and_writes_nothing(province):
    batch = send(EXAMPLE.read_bytes(), dry_run=True)
    assert batch.errors == [] and batch.new_count == 6
    trees = batch.result["trees"]
    before = {n["name"] for n in trees["before"]}
    after = {n["name"]: n["members"] for n in trees["after"]}
    assert {"Đảng bộ phường Một", "Đảng bộ xã Hai", "Đảng bộ xã Bốn"} <= before
    assert after["Đảng bộ phường Mới"] == 9 and after["Đảng bộ xã Ba Bốn"] == 2
    assert after["Chi bộ cơ quan phường Mới"] == 2 and "Chi bộ khu phố 2" in after
    assert "Đảng bộ xã Bốn" not in after and trees["after_day"] == "01/07/2025"
    assert not Restructure.objects.exists() and not Unit.objects.filter(code="P-MOI").exists()


def test_the_example_plan_applies_every_step_under_its_one_decision(province):
    batch = send(EXAMPLE.read_bytes())
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    new = Unit.objects.get(code="P-MOI")
    assert member_count(new) == 9 and new.parent == province.province
    assert Unit.objects.get(pk=province.ward1.pk).dissolved_on == date(2025, 7, 1)
    assert Unit.objects.get(name="Chi bộ thôn Bốn").parent.name == "Đảng bộ xã Ba Bốn"
    assert set(Restructure.objects.values_list("decision_number", "effective_on")) == {
        ("1656/NQ-UBTVQH15", date(2025, 7, 1))
    }
    assert Restructure.objects.count() == 6


def test_sending_the_plan_again_changes_nothing(province):
    send(EXAMPLE.read_bytes())
    again = send(EXAMPLE.read_bytes())
    assert again.status == ImportBatch.Status.DONE, again.errors
    assert again.unchanged_count == 6 and again.new_count == 0
    assert Restructure.objects.count() == 6


def test_a_step_naming_a_unit_an_earlier_step_dissolved_is_a_row_error_and_nothing_is_kept(
    province,
):
    data = csv(
        f"1,Giải thể,Chi bộ cơ quan phường,,,,,,Chi bộ khu phố 1,,{DECISION}",
        "2,Đổi tên,Chi bộ cơ quan phường,Chi bộ mới,,,,,,,,,",
        "3,Đổi tên,Chi bộ ấp 1,Chi bộ thôn 1,,,,,,,,,",
    )
    batch = send(data)
    assert batch.status != ImportBatch.Status.DONE
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "Đơn vị")]
    assert "đã giải thể (hoặc sáp nhập, chia tách) ở dòng 2" in batch.errors[0]["message"]
    assert not Restructure.objects.exists()
    assert Unit.objects.get(pk=province.cell2a.pk).name == "Chi bộ ấp 1"


def test_a_step_the_services_refuse_keeps_every_step_out(province):
    # a cell cannot be moved under a cell: the tree's rules, step 2
    data = csv(
        f"1,Đổi tên,Chi bộ ấp 1,Chi bộ thôn 1,,,,,,,{DECISION}",
        "2,Chuyển,Chi bộ khu phố 1,,,,,Chi bộ thôn Ba,,,,,",
    )
    batch = send(data, skip_invalid=True)
    assert batch.status != ImportBatch.Status.DONE
    assert [e["row"] for e in batch.errors] == [3]
    assert not Restructure.objects.exists()
    assert Unit.objects.get(pk=province.cell2a.pk).name == "Chi bộ ấp 1"


def test_unknown_units_and_actions_and_two_decisions_are_row_errors(province):
    data = csv(
        f"1,Đổi tên,khu phố 1,Chi bộ khu phố Một,,,,,,,{DECISION}",
        "2,Phá bỏ,Chi bộ ấp 1,,,,,,,,,,",
        "3,Đổi tên,Chi bộ ấp 1,Chi bộ thôn 1,,,,,,,99/QĐ,16/06/2025,01/08/2025",
    )
    batch = send(data)
    found = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert "Không hiểu thao tác “Phá bỏ”" in found[(3, "Thao tác")]
    assert (4, "Số quyết định") in found and (4, "Ngày hiệu lực") in found
    assert not Restructure.objects.exists()
    # the units are looked up once the plan's action and decision are right
    batch = send(csv(f"1,Đổi tên,khu phố 1,Chi bộ khu phố Một,,,,,,,{DECISION}"))
    assert "Có phải: “Chi bộ khu phố 1”?" in batch.errors[0]["message"]
    assert not Restructure.objects.exists()


def test_a_split_with_its_members_and_a_rest(province):
    a, b, c = province.members.m1a
    data = csv(
        f'1,Chia tách,Chi bộ khu phố 1,"Chi bộ khu phố 1A; Chi bộ khu phố 1B",,,,,,'
        f'"Chi bộ khu phố 1A: {a.card_number}; {b.full_name} | Chi bộ khu phố 1B: còn lại",{DECISION}',
        "2,Đổi tên,Chi bộ khu phố 1B,Chi bộ khu phố 1 B,,,,,,,,,",
    )
    batch = send(data)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert member_count(Unit.objects.get(name="Chi bộ khu phố 1A")) == 2
    assert member_count(Unit.objects.get(name="Chi bộ khu phố 1 B")) == 1


def test_confirming_twice_applies_once(province, ward1_staff):
    data = csv(f"1,Đổi tên,Chi bộ khu phố 1,Chi bộ khu phố Một,,,,,,,{DECISION}")
    batch = import_check(import_start("plan", actor=ward1_staff, file_name="kh.csv", data=data))
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    assert import_confirm(batch, actor=ward1_staff)
    assert not import_confirm(batch, actor=ward1_staff)
    assert Restructure.objects.count() == 1


def test_the_preview_page_shows_both_trees(client, province, admin_user):
    client.force_login(admin_user)
    batch = import_check(
        import_start("plan", actor=admin_user, file_name="kh.csv", data=EXAMPLE.read_bytes())
    )
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Cây tổ chức trước và sau" in page
    assert "Trước (ngày 30/06/2025)" in page and "Đảng bộ phường Mới" in page


def test_the_restructure_command_previews_then_applies(province, tmp_path, capsys):
    path = tmp_path / "kh.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    call_command("restructure", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Trước (ngày 30/06/2025)" in out and "Sau (từ ngày 01/07/2025)" in out
    assert "  Đảng bộ phường Mới (9 đảng viên)" in out
    assert not Restructure.objects.exists()
    call_command("restructure", str(path), "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["applied"] and result["new"] == 6 and result["trees"]["after"]
    assert Restructure.objects.count() == 6


def test_the_command_exits_1_on_a_refused_step(province, tmp_path, capsys):
    path = tmp_path / "kh.csv"
    path.write_bytes(csv(f"1,Đổi tên,Chi bộ không có,Tên,,,,,,,{DECISION}"))
    with pytest.raises(SystemExit) as exc:
        call_command("restructure", str(path))
    assert exc.value.code == 1
    assert "Dòng 2, cột “Đơn vị”" in capsys.readouterr().err

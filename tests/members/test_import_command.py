import json
from datetime import date

import pytest
from django.core.management import call_command

from chibo.models import ImportBatch
from members.models import Member
from tests.factories import make_member
from tests.members.import_factories import roster_csv, roster_row, roster_xlsx


def run(capsys, path, *args):
    code = 0
    try:
        call_command("import_members", str(path), *args)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr()


def counts(out) -> dict:
    """What the roster's command said before the pipeline (which adds kind, batch, ok…)."""
    data = json.loads(out.out)
    return {k: data[k] for k in ("new", "updated", "unchanged", "errors")}


def test_json_output_counts_new_updated_unchanged(tree, tmp_path, capsys):
    changed = make_member(tree.cell1a, card_number="55550001")
    same = make_member(
        tree.cell1a,
        card_number="55550002",
        full_name="Lê Thị Nhập 3",
        gender="F",
        birth_date=date(1980, 3, 15),
    )
    path = tmp_path / "ds.csv"
    row3 = {k: "" for k in roster_row(3)}
    row3.update({"Họ và tên": same.full_name, "Số thẻ đảng viên": "55550002"})
    path.write_bytes(
        roster_csv([roster_row(1), roster_row(2, **{"Số thẻ đảng viên": "55550001"}), row3])
    )
    code, out = run(capsys, path, "--json")
    assert code == 0
    assert counts(out) == {"new": 1, "updated": 1, "unchanged": 1, "errors": []}
    changed.refresh_from_db()
    assert changed.full_name == "Lê Thị Nhập 2"


def test_errors_are_listed_with_the_row_the_spreadsheet_shows_and_exit_1(tree, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(roster_xlsx([roster_row(1), roster_row(2, **{"Số CCCD": "12"})]))
    code, out = run(capsys, path, "--json")
    assert code == 1
    assert counts(out) == {
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [
            {"row": 6, "column": "Số CCCD", "message": "Số CCCD “12” phải gồm đúng 12 chữ số."}
        ],
    }
    assert not Member.objects.filter(card_number="90000001").exists()


def test_skip_invalid_writes_the_good_rows_and_still_exits_1(tree, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(roster_xlsx([roster_row(1), roster_row(2, **{"Số CCCD": "12"})]))
    code, out = run(capsys, path, "--skip-invalid")
    assert code == 1
    assert Member.objects.filter(card_number="90000001").exists()
    assert "Dòng 6, cột “Số CCCD”" in out.err
    assert "Đã nhập: 1 thêm mới" in out.out


def test_dry_run_writes_nothing(tree, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(roster_xlsx([roster_row(1)]))
    code, out = run(capsys, path, "--dry-run", "--json")
    assert code == 0
    assert json.loads(out.out)["new"] == 1
    assert not Member.objects.filter(card_number="90000001").exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEWED


def test_an_unreadable_file_is_one_error_on_row_0(tree, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(b"%PDF-1.4 not a roster")
    code, out = run(capsys, path, "--json")
    assert code == 1
    assert json.loads(out.out)["errors"] == [
        {"row": 0, "column": "", "message": "Tệp không phải là bảng tính Excel (.xlsx) hoặc CSV."}
    ]


def test_with_user_the_import_stays_within_that_users_reach(tree, ward1_staff, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(roster_xlsx([roster_row(1, **{"Chi bộ": "Chi bộ ấp 1"})]))
    code, out = run(capsys, path, "--json", "--user", "ward1")
    assert code == 1
    assert "không thuộc phạm vi của bạn" in json.loads(out.out)["errors"][0]["message"]
    assert ImportBatch.objects.get().created_by == ward1_staff
    # the system actor reaches every cell
    code, out = run(capsys, path, "--json")
    assert code == 0
    assert Member.objects.get(card_number="90000001").unit == tree.cell2a


def test_a_missing_file_or_account_is_a_command_error(tree, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_members", str(tmp_path / "khong-co.xlsx"))
    path = tmp_path / "ds.xlsx"
    path.write_bytes(roster_xlsx([roster_row(1)]))
    with pytest.raises(CommandError, match="Không có tài khoản"):
        call_command("import_members", str(path), "--user", "ai-do")

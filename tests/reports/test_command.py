"""python manage.py report NAME --unit ID ... from the command line."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook


def test_the_command_prints_the_same_table_as_json(tree, capsys):
    call_command("report", "structure", "--unit", str(tree.ward1.pk), "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["unit_name"] == "Đảng bộ phường Một"
    assert data["sections"][2]["rows"] == [[5, 5, 0, 0]]


def test_the_command_writes_an_xlsx_file_for_a_past_date(tree, tmp_path):
    target = tmp_path / "bao-cao.xlsx"
    call_command(
        "report",
        "composition",
        "--unit",
        str(tree.province.pk),
        "--date",
        "31/12/2024",
        "--format",
        "xlsx",
        "-o",
        str(target),
    )
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    assert sheet["C1"].value is None
    assert sheet["A3"].value == "Tính đến ngày 31/12/2024"


@pytest.mark.parametrize(
    "args, message",
    [
        (["nothing", "--unit", "1"], "Không có báo cáo"),
        (["structure", "--unit", "99999"], "Không tìm thấy đơn vị"),
        (["structure", "--unit", "{unit}", "--date", "32/01/2024"], "không có thật"),
        (["structure", "--unit", "{unit}", "--from", "01/01/2024"], "--date"),
    ],
)
def test_the_command_refuses_bad_arguments_in_vietnamese(tree, args, message):
    args = [a.replace("{unit}", str(tree.ward1.pk)) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, "--format", "json")

"""An official form in every output: the page, the XLSX (layout cells, numbers
as numbers, formulas for the totals), the JSON (each row's code, label and
values), the PDF (A4) and the .docx."""

import io
import json

import pytest
from django.urls import reverse

from reports import exports
from reports.catalogue import get_report
from reports.statforms.base import value_of
from tests.document_text import docx_text
from tests.reports.test_forms_movement import YEAR, world  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(world):  # noqa: F811
    return get_report("member_movement").run(world["w"], YEAR)


def test_the_xlsx_keeps_the_layout_and_adds_up_with_formulas(table):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exports.render(table, "xlsx"))).active
    cells = {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    assert cells["A2"] == "ĐẢNG BỘ PHƯỜNG W"
    assert "Biểu số 1-BTCTW" in cells.values()
    assert "THỐNG KÊ TĂNG, GIẢM ĐẢNG VIÊN" in cells.values()
    assert "NĂM 2024" in cells.values() and "Đvt: Người" in cells.values()
    assert "NGƯỜI LẬP BIỂU" in cells.values()
    by_code = {sheet.cell(row=r, column=1).value: r for r in range(1, sheet.max_row + 1)}
    a, b1, b = by_code["A"], by_code["B1"], by_code["B"]
    assert sheet.cell(row=a, column=3).value == 12  # a number, not text
    assert sheet.cell(row=b1, column=3).value == 1
    assert sheet.cell(row=b, column=3).value == f"=SUM(C{b1},C{by_code['B2']},C{by_code['B3']})"
    assert sheet.cell(row=a, column=5).value.startswith("=IF(D")
    assert sheet.merged_cells.ranges  # the title spans the table


def test_the_json_lists_each_row_with_its_code_label_and_values(table):
    data = json.loads(exports.render(table, "json"))
    rows = {r["code"]: r for r in data["lines"][0]["rows"]}
    assert rows["B2a"]["label"].startswith("a) Tỉnh ủy")
    assert rows["D"]["values"] == {"this": 10, "last": 12, "pct": 83.3}
    assert data["form"]["number"] == "Biểu số 1-BTCTW"
    assert rows["C3a"]["proxy"] is True


def test_the_pdf_and_docx_print_the_form(table):
    pdf = exports.render(table, "pdf")
    assert pdf.startswith(b"%PDF")
    text = docx_text(exports.render(table, "docx"))
    for words in (
        "Biểu số 1-BTCTW",
        "THỐNG KÊ TĂNG, GIẢM ĐẢNG VIÊN",
        "NGƯỜI LẬP BIỂU",
        "Đvt: Người",
    ):
        assert words in text
    assert "D = A + B − C: đúng" in text


def test_the_page_shows_the_form_and_its_checks(client, world, table):  # noqa: F811
    from tests.factories import UserFactory, grant

    user = UserFactory()
    grant(user, world["w"])
    client.force_login(user)
    url = reverse("reports:report", args=["member_movement", world["w"].pk])
    page = client.get(url, {"from": "01/01/2024", "to": "31/12/2024"}).content.decode()
    assert "Biểu số 1-BTCTW" in page and "NGƯỜI LẬP BIỂU" in page
    assert 'data-code="B2b"' in page
    assert "✓ D = A + B − C" in page
    assert value_of(table, "D") == 10


def test_the_command_line_gives_the_form_as_json_with_its_lines(world, capsys):  # noqa: F811
    from django.core.management import call_command

    call_command(
        "report",
        "member_movement",
        "--unit",
        str(world["w"].pk),
        "--from",
        "01/01/2024",
        "--to",
        "31/12/2024",
        "--format",
        "json",
    )
    data = json.loads(capsys.readouterr().out)
    rows = {r["code"]: r["values"]["this"] for r in data["lines"][0]["rows"]}
    assert (rows["A"], rows["B"], rows["C"], rows["D"]) == (12, 4, 6, 10)

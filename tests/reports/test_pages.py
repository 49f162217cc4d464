"""The report pages, their exports and PDF: who sees what, and bad input."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.catalogue import catalogue

REPORTS = [r.name for r in catalogue()]
FORMATS = ["", "json", "csv", "xlsx", "pdf"]


def url(name, unit, **query):
    base = reverse("reports:report", args=[name, unit.pk])
    if query:
        from urllib.parse import urlencode

        base += "?" + urlencode(query)
    return base


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", REPORTS)
def test_ward_staff_see_their_ward_and_not_the_other(client, tree, ward1_staff, fmt, name):
    client.force_login(ward1_staff)
    query = {"format": fmt} if fmt else {}
    assert client.get(url(name, tree.ward1, **query)).status_code == 200
    assert client.get(url(name, tree.cell1a, **query)).status_code == 200
    assert client.get(url(name, tree.ward2, **query)).status_code == 404
    assert client.get(url(name, tree.province, **query)).status_code == 404


@pytest.mark.parametrize("name", REPORTS)
def test_the_board_sees_every_unit_under_it(client, tree, board, name):
    client.force_login(board)
    for unit in (tree.province, tree.ward1, tree.ward2, tree.cell2a):
        assert client.get(url(name, unit)).status_code == 200


def test_someone_without_a_role_sees_no_report(client, tree, outsider):
    client.force_login(outsider)
    assert client.get(url("structure", tree.ward1)).status_code == 404
    assert client.get(url("structure", tree.ward1, format="xlsx")).status_code == 404
    page = client.get(reverse("reports:catalogue"))
    assert "chưa được giao vai trò" in page.content.decode()


def test_logged_out_visitors_are_sent_to_log_in(client, tree):
    response = client.get(url("structure", tree.ward1))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_unknown_report_or_format_or_unit_answers_404(client, tree, board):
    client.force_login(board)
    assert client.get(url("no_such_report", tree.ward1)).status_code == 404
    assert client.get(url("structure", tree.ward1, format="odt")).status_code == 404
    assert client.get("/bao-cao/structure/99999999/").status_code == 404


@pytest.mark.parametrize("bad", ["31/02/2024", "hôm qua", "01/01/0001"])
def test_a_bad_date_gives_a_vietnamese_message_not_an_error(client, tree, board, bad):
    client.force_login(board)
    page = client.get(url("structure", tree.ward1, date=bad))
    assert page.status_code == 400
    text = page.content.decode()
    assert "ngày" in text.lower()
    assert 'class="report-section"' not in text
    export = client.get(url("structure", tree.ward1, date=bad, format="xlsx"))
    assert export.status_code == 400
    assert "ngày" in export.content.decode().lower()


def test_the_page_and_every_file_give_the_same_figures(client, tree, board):
    client.force_login(board)
    page = client.get(url("structure", tree.province, date="01/01/2025"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tính đến ngày 01/01/2025" in text
    assert "<svg" in text  # the chart, drawn on the server

    data = json.loads(
        client.get(url("structure", tree.province, date="01/01/2025", format="json")).content
    )
    assert data["day"] == "01/01/2025"
    assert data["sections"][2]["rows"] == [[9, 9, 0, 0]]

    raw = client.get(url("structure", tree.province, date="01/01/2025", format="csv"))
    assert raw["Content-Disposition"].endswith('.csv"')
    lines = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert ["Tổng số đảng viên", "Chính thức", "Dự bị", "Miễn sinh hoạt"] in lines
    assert ["9", "9", "0", "0"] in lines

    xlsx = client.get(url("structure", tree.province, date="01/01/2025", format="xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert ["Tổng cộng", 3, 9, 9, 0, 0] in [list(v[:6]) for v in values]


def test_the_pdf_is_in_the_official_layout_with_the_same_figures(client, tree, board):
    from pypdf import PdfReader

    client.force_login(board)
    response = client.get(url("structure", tree.ward1, format="pdf", date="01/02/2025"))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "ĐẢNG BỘ TỈNH THỬ" in text  # the committee above, top left
    assert "ĐẢNG BỘ PHƯỜNG MỘT" in text  # the issuing committee
    assert "Tính đến ngày 01/02/2025" in text
    assert "Chi bộ trực thuộc đảng bộ cơ sở, theo loại" in text
    assert "Tổng cộng" in text


def test_the_breakdown_links_each_sub_unit_to_its_own_report(client, tree, board):
    client.force_login(board)
    page = client.get(url("structure", tree.province, by="children", date="01/06/2025"))
    text = page.content.decode()
    assert "Theo đơn vị trực thuộc" in text
    assert url("structure", tree.ward1) + "?date=01%2F06%2F2025" in text
    assert url("structure", tree.ward2) + "?date=01%2F06%2F2025" in text


def test_the_catalogue_lists_every_report_for_the_users_unit(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    text = client.get(reverse("reports:catalogue")).content.decode()
    for name in REPORTS:
        assert url(name, tree.ward1) in text
    assert client.get(reverse("reports:catalogue") + f"?unit={tree.ward2.pk}").status_code == 404


def test_a_period_that_ends_before_it_starts_is_refused(client, tree, board):
    client.force_login(board)
    page = client.get(url("admissions", tree.ward1, **{"from": "01/12/2025", "to": "01/01/2025"}))
    assert page.status_code == 400
    assert "Ngày bắt đầu (01/12/2025) sau ngày kết thúc (01/01/2025)" in page.content.decode()


def test_a_period_report_shows_its_period(client, tree, board):
    client.force_login(board)
    page = client.get(url("admissions", tree.ward1, **{"from": "01/01/2024", "to": "31/12/2024"}))
    assert "Từ ngày 01/01/2024 đến ngày 31/12/2024" in page.content.decode()

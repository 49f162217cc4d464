"""The dues book of a cell (PDF, XLSX and .docx read back) and the monthly
remittance list of a committee: its totals are the sum of its cells."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chibo.errors import ServiceError
from dues.choices import DuesCategory as C
from dues.choices import ShareKind
from dues.selectors import dues_book, remittance
from dues.services import Entry, basis_set, dues_collect, share_set
from members.services import member_place
from tests.document_text import docx_text, pdf_pages

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def pay(unit, month, amounts: dict):
    dues_collect(
        actor=None,
        unit=unit,
        month=month,
        entries={m.pk: Entry(v, channel=ch) for m, (v, ch) in amounts.items()},
    )


@pytest.fixture
def paid(tree):
    a, b, c = tree.members.m1a
    d, e = tree.members.m1b
    pay(tree.cell1a, MARCH, {a: (30_000, "cash"), b: (25_000, "portal"), c: (10_000, "cash")})
    pay(tree.cell1b, MARCH, {d: (60_000, "cash"), e: (40_000, "cash")})
    pay(tree.cell2a, MARCH, {tree.members.m2a[0]: (7_000, "cash")})
    pay(tree.cell1a, date(2026, 1, 1), {a: (30_000, "cash")})
    return tree


def test_a_committees_remittance_is_the_sum_of_its_cells(paid):
    tree = paid
    r = remittance(tree.ward1, MARCH)
    lines = {line.unit: line for line in r["lines"]}
    # defaults: a residential cell keeps 50%, another cell 30%
    assert (lines[tree.cell1a].collected, lines[tree.cell1a].kept, lines[tree.cell1a].remitted) == (
        65_000,
        32_500,
        32_500,
    )
    assert (lines[tree.cell1b].collected, lines[tree.cell1b].kept, lines[tree.cell1b].remitted) == (
        100_000,
        30_000,
        70_000,
    )
    assert r["total_collected"] == sum(line.collected for line in r["lines"]) == 165_000
    assert r["received"] == sum(line.remitted for line in r["lines"]) == 102_500
    assert r["kept_here"] + r["sent_up"] == r["received"]
    assert r["kept_total"] + r["sent_up"] == r["total_collected"]
    # one level up: the province's list sums its two committees
    top = remittance(tree.province, MARCH)
    assert top["total_collected"] == 165_000 + 7_000
    assert {line.unit: line.collected for line in top["lines"]} == {
        tree.ward1: 165_000,
        tree.ward2: 7_000,
    }
    assert [line.remitted for line in top["lines"] if line.unit == tree.ward1] == [r["sent_up"]]


def test_an_administrators_share_counts_from_its_month_and_overlaps_are_refused(paid, admin_user):
    tree = paid
    share_set(actor=admin_user, kind=ShareKind.CELL_OTHER, kept_percent=50, first_month=MARCH)
    lines = {line.unit: line for line in remittance(tree.ward1, MARCH)["lines"]}
    assert lines[tree.cell1b].kept == 50_000
    assert {line.unit: line.kept for line in remittance(tree.ward1, date(2026, 2, 1))["lines"]}[
        tree.cell1b
    ] == 0
    with pytest.raises(ServiceError, match="trùng"):
        share_set(
            actor=admin_user,
            kind=ShareKind.CELL_OTHER,
            kept_percent=40,
            first_month=date(2026, 1, 1),
            last_month=date(2026, 4, 1),
        )


def test_the_dues_book_reads_back_the_same_figures_in_pdf_xlsx_and_docx(client, paid, ward1_staff):
    tree = paid
    a, b, c = tree.members.m1a
    newcomer = tree.members.m2a[1]
    member_place(actor=None, member=newcomer, unit=tree.cell1a, day=date(2026, 5, 1))
    basis_set(actor=None, member=c, category=C.SOCIAL_PENSION, base=None, since=date(2026, 4, 1))
    book = dues_book(tree.cell1a, 2026)
    assert book["month_totals"][0] == 30_000 and book["month_totals"][2] == 65_000
    assert book["total"] == 95_000
    assert (book["kept_total"], book["remitted_total"]) == (47_500, 47_500)
    line = next(li for li in book["lines"] if li["member"] == newcomer)
    assert [cell["member"] for cell in line["cells"]][:5] == [False] * 4 + [True]
    assert next(li for li in book["lines"] if li["member"] == c)["cells"][3]["exempt"]

    client.force_login(ward1_staff)
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/so/?year=2026"
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_name = {row[1]: row for row in rows if row and row[1]}
    assert by_name[a.full_name][2:15] == [30_000, None, 30_000] + [None] * 9 + [60_000]
    assert by_name[b.full_name][4] == 25_000
    assert by_name[newcomer.full_name][2] == "–"
    assert by_name[c.full_name][5] == "miễn"
    assert by_name["Cộng"][14] == 95_000
    assert by_name["Trích giữ lại (50%)"][14] == 47_500

    text = " ".join(pdf_pages(client.get(url + "&format=pdf").content))
    assert "SỔ THU, NỘP ĐẢNG PHÍ" in text and a.full_name in text
    assert "95.000" in text and "47.500" in text and "25.000*" in text and "miễn" in text
    text = docx_text(client.get(url + "&format=docx").content)
    assert "95.000" in text and "47.500" in text and newcomer.full_name in text


def test_the_remittance_list_reads_back_as_files_and_is_scoped(
    client, paid, ward1_staff, ward2_staff
):
    tree = paid
    client.force_login(ward1_staff)
    url = f"/dang-phi/don-vi/{tree.ward1.pk}/thu-nop/?month=03/2026"
    page = client.get(url).content.decode()
    assert "165.000" in page and "102.500" in page
    text = " ".join(pdf_pages(client.get(url + "&format=pdf").content))
    assert "DANH SÁCH THU, NỘP ĐẢNG PHÍ" in text and "165.000" in text
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    totals = [row for row in sheet.iter_rows(values_only=True) if row[1] == "Cộng"][0]
    assert totals[3:] == (165_000, 62_500, 102_500)
    client.force_login(ward2_staff)
    assert client.get(url).status_code == 404
    assert client.get(url + "&format=pdf").status_code == 404


def test_a_remittance_list_reading_many_units_is_made_in_the_background(
    client, paid, board, ward1_staff, settings
):
    """Past the threshold in units read (the cells whose payments it sums, not
    its lines), the province's list is the worker's; a ward's stays immediate."""
    from chibo.models import GeneratedFile

    tree = paid
    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"pdf": 5, "*": 5}  # the province: 6 units
    client.force_login(board)
    url = f"/dang-phi/don-vi/{tree.province.pk}/thu-nop/?month=03/2026&format=xlsx"
    response = client.get(url)
    job = GeneratedFile.objects.get()
    assert response["Location"] == reverse("generated_file", args=[job.pk])
    assert (job.kind, job.status) == ("dues.remittance", "done")
    download = client.get(reverse("generated_file_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    totals = [row for row in sheet.iter_rows(values_only=True) if row[1] == "Cộng"][0]
    assert totals[3] == 172_000  # every cell's March
    assert client.get(url)["Location"] == response["Location"]  # reused
    client.force_login(ward1_staff)
    ward = f"/dang-phi/don-vi/{tree.ward1.pk}/thu-nop/?month=03/2026&format=pdf"
    assert client.get(ward).status_code == 200 and GeneratedFile.objects.count() == 1


def test_the_administrator_sets_a_share_in_the_admin_and_overlaps_are_refused(client, admin_user):
    from dues.models import DuesShare

    client.force_login(admin_user)
    url = "/quan-tri/dues/duesshare/add/"
    assert client.get(url).status_code == 200
    data = {"kind": "cell_other", "kept_percent": "40", "first_month": "02/2026", "note": "QĐ 5"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(url, {**data, "first_month": "06/2026"})
    assert "trùng với mức đã đặt từ 02/2026" in response.content.decode()
    assert list(DuesShare.objects.values_list("kind", "kept_percent")) == [("cell_other", 40)]

"""Large report files: a breakdown by many sub-units goes to the background
worker (chibo.exports) and its PDF is set by Typst in the official layout,
with the same header, rows, totals, signature block and page numbers as the
WeasyPrint one."""

import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from chibo.models import GeneratedFile
from reports.pdf import to_pdf
from reports.tables import Column, Section, Table
from tests.factories import make_member

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def breakdown_url(unit, fmt="pdf"):
    return (
        reverse("reports:report", args=["structure", unit.pk])
        + f"?by=children&date=01/06/2025&format={fmt}"
    )


def pdf_text(data: bytes) -> tuple[list[str], PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(p.extract_text().split()) for p in reader.pages], reader


def fonts_of(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.fixture
def big(settings):
    """A breakdown of more than one row is "large": to the worker, and Typst."""
    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"pdf": 1, "*": 1}
    settings.CHIBO_PDF_TYPST_ROWS = 1
    return settings


def test_a_large_breakdown_pdf_is_made_in_the_background_in_the_official_layout(
    client, tree, board, big
):
    client.force_login(board)
    response = client.get(breakdown_url(tree.province))
    job = GeneratedFile.objects.get()
    assert response["Location"] == reverse("generated_file", args=[job.pk])
    assert (job.kind, job.format, job.status) == ("reports.report", "pdf", "done")
    assert job.title == "Tổ chức đảng và đảng viên – theo đơn vị trực thuộc – Đảng bộ tỉnh Thử"
    download = client.get(reverse("generated_file_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].endswith('.pdf"')
    pages, reader = pdf_text(b"".join(download.streaming_content))
    text = " ".join(pages)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "ĐẢNG BỘ TỈNH THỬ" in text and "Số ……/BC" in text
    assert "BÁO CÁO" in text and "Tổ chức đảng và đảng viên – theo đơn vị trực thuộc" in text
    assert "Tính đến ngày 01/06/2025" in text
    assert "Đảng bộ phường Một 5 Đảng bộ xã Hai 4" in text  # the rows: members of each
    # signed for the committee ("T/M ĐẢNG ỦY"), as the WeasyPrint documents are
    assert "T/M ĐẢNG ỦY BÍ THƯ" in text
    assert pages[-1].rstrip().endswith(str(len(pages)))  # the page number at the foot
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= fonts_of(reader)


def test_the_same_breakdown_is_reused_until_the_data_changes(client, tree, board, big):
    client.force_login(board)
    first = client.get(breakdown_url(tree.province))["Location"]
    assert client.get(breakdown_url(tree.province))["Location"] == first
    assert client.get(breakdown_url(tree.province, "xlsx"))["Location"] != first
    make_member(tree.cell2a)  # admitted through the services: audited
    second = client.get(breakdown_url(tree.province))["Location"]
    assert second != first
    job = GeneratedFile.objects.get(pk=second.split("/")[-2])
    download = client.get(reverse("generated_file_download", args=[job.pk]))
    assert "Đảng bộ xã Hai 5" in " ".join(pdf_text(b"".join(download.streaming_content))[0])


def test_a_ward_cannot_have_the_boards_breakdown(client, tree, board, ward1_staff, big):
    client.force_login(board)
    job_url = client.get(breakdown_url(tree.province))["Location"]
    client.force_login(ward1_staff)
    assert client.get(job_url).status_code == 404
    job = GeneratedFile.objects.get()
    assert client.get(reverse("generated_file_download", args=[job.pk])).status_code == 404
    # and the ward's own breakdown is its own file
    own = client.get(breakdown_url(tree.ward1))["Location"]
    assert own != job_url and client.get(own).status_code == 200


def test_a_small_report_pdf_stays_immediate(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    response = client.get(breakdown_url(tree.ward1))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not GeneratedFile.objects.exists()


def test_a_bad_date_is_refused_before_any_job(client, tree, board, big):
    client.force_login(board)
    url = breakdown_url(tree.province).replace("01/06/2025", "31/02/2025")
    response = client.get(url)
    assert response.status_code == 400 and "ngày" in response.content.decode().lower()
    assert not GeneratedFile.objects.exists()


def test_asking_for_the_breakdown_runs_no_report_in_the_request(
    client, tree, board, big, settings, django_assert_max_num_queries
):
    settings.TASKS = DUMMY
    client.force_login(board)
    client.get(reverse("reports:catalogue"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(breakdown_url(tree.province))
    assert response.status_code == 302
    assert GeneratedFile.objects.get().status == "queued"


def long_table(rows: int) -> Table:
    columns = [Column("unit", "Đơn vị trực thuộc", "text"), Column("n", "Đảng viên")]
    columns.append(Column("share", "Tỷ lệ (%)", "pct"))
    section = Section(
        "Theo đơn vị trực thuộc",
        columns,
        [[f"Chi bộ ấp Phước Thiền {i:03d}", 1000 + i, 12.5] for i in range(rows)],
        totals=["Tổng cộng", sum(1000 + i for i in range(rows)), None],
    )
    table = Table(
        "structure", "Tổ chức đảng và đảng viên", 0, "Đảng bộ xã Thử", day=date(2025, 6, 1)
    )
    table.sections = [section]
    table.by_children = True
    return table


def test_a_long_table_goes_to_typst_and_keeps_every_row_on_numbered_pages(db):
    pages, reader = pdf_text(to_pdf(long_table(300), today=date(2025, 6, 2)))
    assert len(pages) > 3
    text = " ".join(pages)
    for i in (0, 151, 299):  # figures the Vietnamese way: 1.151, and 12,5
        assert f"Chi bộ ấp Phước Thiền {i:03d} {1000 + i:,} 12,5".replace(",", ".", 1) in text
    assert "Tổng cộng 344.850 –" in text
    assert "Ngày 02 tháng 06 năm 2025" in text  # the one date style (chibo.dates.in_words)
    # the column headers repeat at the top of every page of the table
    assert all("Đơn vị trực thuộc Đảng viên Tỷ lệ (%)" in p for p in pages[:-1])
    assert [p.rstrip().split()[-1] for p in pages] == [str(n) for n in range(1, len(pages) + 1)]
    assert "LiberationSerif" in fonts_of(reader)


def test_both_engines_print_the_same_document(db, settings):
    table = long_table(5)
    typst_text = " ".join(pdf_text(to_pdf(table, engine="typst"))[0])
    weasy_text = " ".join(pdf_text(to_pdf(table, engine="weasyprint"))[0])
    for line in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ XÃ THỬ",
        "BÁO CÁO",
        "Tính đến ngày 01/06/2025",
        "1. Theo đơn vị trực thuộc",
        "Chi bộ ấp Phước Thiền 004 1.004 12,5",
        "Tổng cộng 5.010",
        "BÍ THƯ",
    ):
        assert line in typst_text, line
        assert line in weasy_text, line


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_a_summary_of_a_unit_with_many_units_below_goes_to_the_background(
    client, tree, board, ward1_staff, settings, fmt
):
    """A summary has a few dozen lines, but its figures are read from every
    unit of the subtree: past the threshold in units, the file is the
    worker's; a ward's summary stays immediate."""
    from tests.factories import make_units_in_bulk

    settings.CHIBO_EXPORT_BACKGROUND_ROWS = {"pdf": 30, "*": 30}
    make_units_in_bulk(tree.ward2, 30)  # the province: 36 units
    url = reverse("reports:report", args=["structure", tree.province.pk]) + f"?format={fmt}"
    client.force_login(board)
    response = client.get(url)
    job = GeneratedFile.objects.get()
    assert response["Location"] == reverse("generated_file", args=[job.pk])
    assert (job.kind, job.format, job.status) == ("reports.report", fmt, "done")
    # the same for a breakdown of few rows: the province's two wards
    assert client.get(url + "&by=children").status_code == 302
    client.force_login(ward1_staff)
    ward = reverse("reports:report", args=["structure", tree.ward1.pk]) + f"?format={fmt}"
    response = client.get(ward)
    assert response.status_code == 200 and GeneratedFile.objects.count() == 2

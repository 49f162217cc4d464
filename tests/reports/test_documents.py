"""A report as a document: the names it downloads under, its Vietnamese sheet,
and the same tables in the PDF and the .docx, signed for the committee."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from chibo.text import slug
from organizations.models import Position
from reports.exports import filename, sheet_name
from reports.tables import Table
from tests.document_text import docx_text, pdf_fonts, pdf_pages
from tests.factories import give_seat

pytestmark = pytest.mark.django_db


def test_a_slug_keeps_every_letter():
    assert slug("Đảng bộ phường Bình Phước") == "dang-bo-phuong-binh-phuoc"
    assert slug("Báo cáo", "Tỷ lệ sinh hoạt", "Chi bộ Ấp Đông (số 2)", "2026") == (
        "bao-cao-ty-le-sinh-hoat-chi-bo-ap-dong-so-2-2026"
    )


def _table(**kw):
    base = {
        "report": "meeting_attendance",
        "title": "Sinh hoạt chi bộ và tỷ lệ đảng viên dự sinh hoạt",
        "short_title": "Tỷ lệ sinh hoạt",
        "unit_id": 1,
        "unit_name": "Đảng bộ phường Bình Phước",
    }
    return Table(**{**base, **kw})


@pytest.mark.parametrize(
    "kw, name",
    [
        (
            {"start": date(2026, 1, 1), "end": date(2026, 12, 31), "by_children": True},
            "bao-cao-ty-le-sinh-hoat-dang-bo-phuong-binh-phuoc-2026-theo-don-vi.pdf",
        ),
        (
            {"start": date(2026, 1, 1), "end": date(2026, 12, 31)},
            "bao-cao-ty-le-sinh-hoat-dang-bo-phuong-binh-phuoc-2026.pdf",
        ),
        (
            {"start": date(2026, 11, 1), "end": date(2026, 11, 30)},
            "bao-cao-ty-le-sinh-hoat-dang-bo-phuong-binh-phuoc-11-2026.pdf",
        ),
        (
            {"start": date(2026, 1, 1), "end": date(2026, 6, 15)},
            "bao-cao-ty-le-sinh-hoat-dang-bo-phuong-binh-phuoc-tu-01-01-2026-den-15-06-2026.pdf",
        ),
        (
            {"day": date(2026, 12, 1), "short_title": "Tổ chức đảng và đảng viên"},
            "bao-cao-to-chuc-dang-va-dang-vien-dang-bo-phuong-binh-phuoc-ngay-01-12-2026.pdf",
        ),
    ],
)
def test_download_names_say_report_unit_period_and_breakdown(kw, name):
    assert filename(_table(**kw), "pdf") == name


def test_the_sheet_is_named_in_vietnamese(client, tree, board):
    client.force_login(board)
    response = client.get(
        f"/bao-cao/meeting_attendance/{tree.ward1.pk}/",
        {"format": "xlsx", "from": "01/01/2026", "to": "31/12/2026", "by": "children"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-ty-le-sinh-hoat-dang-bo-phuong-mot-2026-theo-don-vi.xlsx"'
    )
    assert load_workbook(io.BytesIO(response.content)).active.title == "Tỷ lệ sinh hoạt"
    assert sheet_name(_table(short_title="Kết quả: đánh giá [2026]/a")) == "Kết quả đánh giá 2026 a"


def test_the_report_docx_has_the_pdfs_tables_and_signer(client, tree, board):
    secretary = tree.members.m1a[0]
    give_seat(tree.ward1, secretary, Position.SECRETARY)
    client.force_login(board)
    url = f"/bao-cao/structure/{tree.ward1.pk}/"
    docx = client.get(url, {"format": "docx", "date": "01/12/2026"})
    assert docx["Content-Disposition"].endswith('-ngay-01-12-2026.docx"')
    pdf = client.get(url, {"format": "pdf", "date": "01/12/2026"})
    word, printed = docx_text(docx.content), " ".join(pdf_pages(pdf.content))
    for text in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO",
        "Tính đến ngày 01/12/2026",
        "Chi bộ trực thuộc đảng bộ cơ sở, theo loại",
        "Tổng cộng",
        f"T/M ĐẢNG ỦY BÍ THƯ {secretary.full_name}",
    ):
        assert text in word, text
        assert text in printed, text
    assert "{{" not in word
    assert all("Liberation" in f for f in pdf_fonts(pdf.content))
    # the same chart in the PDF as on the page
    assert "Đảng viên theo loại chi bộ" in printed

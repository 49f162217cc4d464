"""A report as a document: the names it downloads under, its Vietnamese sheet,
and the same tables in the PDF and the .docx, signed for the committee."""

import io
import re
import zipfile
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from chibo.text import slug
from organizations.models import Position
from reports.catalogue import Params, get_report
from reports.exports import filename, sheet_name
from reports.pdf import to_pdf
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


def _page_svgs(html: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", html, flags=re.S)


def test_the_charts_of_the_page_go_into_the_pdf_and_the_docx(client, tree, board):
    """A breakdown's small multiples: the same SVGs in the page, the PDF (both
    engines) and the .docx, where each is the SVG itself with a PNG of it."""
    client.force_login(board)
    url = f"/bao-cao/composition/{tree.ward1.pk}/"
    query = {"date": "01/12/2026", "by": "children"}
    svgs = _page_svgs(client.get(url, query).content.decode())
    titles = ["Tỷ lệ đảng viên nữ (%)", "Tỷ lệ đảng viên đến 30 tuổi (%)"]
    titles.append("Tỷ lệ đảng viên trên 60 tuổi (%)")
    assert [re.search(r"<title>(.*?)</title>", s).group(1) for s in svgs] == titles

    docx = client.get(url, {**query, "format": "docx"}).content
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
        assert sorted(z.read(n).decode() for n in media if n.endswith(".svg")) == sorted(svgs)
        pngs = [z.read(n) for n in media if n.endswith(".png")]
        assert len(pngs) == len(svgs) and all(p.startswith(b"\x89PNG") for p in pngs)
        body = z.read("word/document.xml").decode()
    # each picture points at its SVG, for the readers that draw SVG
    assert body.count("<asvg:svgBlip ") == len(svgs)
    assert len(Document(io.BytesIO(docx)).inline_shapes) == len(svgs)

    table = get_report("composition").run(
        tree.ward1, Params(day=date(2026, 12, 1), by_children=True)
    )
    for engine in ("weasyprint", "typst"):
        printed = " ".join(pdf_pages(to_pdf(table, engine=engine)))
        for title in titles:
            assert title in printed, (engine, title)

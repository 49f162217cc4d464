import io

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import log_in


def test_board_opens_a_report_drills_down_and_downloads_pdf_and_xlsx(page, board, tree):
    log_in(page, "board")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Báo cáo"
    ).click()
    page.get_by_role("link", name="Tổ chức đảng và đảng viên").click()
    expect(page.get_by_role("heading", name="Tổ chức đảng và đảng viên")).to_be_visible()
    assert page.locator(".report-unit").inner_text().startswith("Đảng bộ tỉnh Thử")
    assert page.locator("figure.chart-box svg").count() >= 1

    page.get_by_role("link", name="Chia theo đơn vị trực thuộc").click()
    expect(page.get_by_role("heading", name="Theo đơn vị trực thuộc")).to_be_visible()
    page.locator(".report-table").get_by_role("link", name="Đảng bộ phường Một").click()
    assert page.locator(".report-unit").inner_text().startswith("Đảng bộ phường Một")
    members = (
        page.locator(".report-section")
        .filter(has=page.get_by_role("heading", name="Đảng viên", exact=True))
        .locator("tbody td")
        .first
    )
    expect(members).to_have_text("5")
    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="PDF").click()
    pdf = pdf_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    text = PdfReader(pdf.path()).pages[0].extract_text()
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "ĐẢNG BỘ PHƯỜNG MỘT" in text

    with page.expect_download() as xlsx_info:
        page.get_by_role("link", name="Excel").click()
    with open(xlsx_info.value.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == "Đảng bộ phường Một"
    assert [5, 5, 0, 0] in [r[:4] for r in rows]


def test_a_ward_submits_a_report_and_the_board_returns_it(page, board, ward1_staff, tree):
    log_in(page, "ward1")
    page.goto(page.base_url + "/bao-cao/")
    page.get_by_role("link", name="Nộp và duyệt báo cáo định kỳ").click()
    page.locator("#submit-report").select_option("structure")
    page.locator("#submit-period").select_option(index=12)  # a half-year
    page.get_by_label("Ghi chú gửi cấp trên (không bắt buộc)").fill("Báo cáo 6 tháng")
    page.get_by_role("button", name="Nộp báo cáo").click()
    assert "Đã nộp báo cáo" in page.locator(".messages").inner_text()
    expect(page.locator(".submission-status")).to_have_text("Đã nộp, chờ duyệt")
    page.context.clear_cookies()
    log_in(page, "board")
    expect(
        page.get_by_text("1 báo cáo định kỳ của đơn vị trực thuộc đang chờ duyệt")
    ).to_be_visible()
    page.get_by_role("link", name="Báo cáo định kỳ").first.click()
    page.locator("#board-period").select_option(index=12)
    page.get_by_role("button", name="Xem").click()
    expect(page.locator(".board-table").get_by_text("Đã nộp, chờ duyệt")).to_be_visible()
    page.locator(".board-table").get_by_role("link", name="Đảng bộ phường Một").click()
    expect(page.get_by_text("Số liệu hiện tại trùng với số liệu đã nộp")).to_be_visible()
    page.get_by_role("button", name="Trả lại").click()
    assert "cần ghi ý kiến" in page.locator(".messages").inner_text()
    page.get_by_label("Ý kiến (bắt buộc khi trả lại)").fill("Bổ sung số liệu chi bộ mới")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.locator(".submission-status")).to_have_text("Bị trả lại")
    expect(page.get_by_text("Bổ sung số liệu chi bộ mới")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, "ward1")
    expect(page.get_by_text("bị trả lại").first).to_be_visible()
    page.get_by_role("link", name="Xem ý kiến và nộp lại").click()
    page.get_by_role("button", name="Nộp lại báo cáo").click()
    expect(page.locator(".submission-status")).to_have_text("Đã nộp, chờ duyệt")
    expect(page.get_by_role("link", name="Lần 2")).to_be_visible()

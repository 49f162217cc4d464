from playwright.sync_api import expect
from pypdf import PdfReader

from meetings.models import Meeting
from tests.browser.conftest import log_in


def test_a_secretary_records_a_meeting_with_two_absences_on_a_phone_and_downloads_the_minutes(
    phone_page, tree, cell_secretary
):
    page = phone_page
    a, b, _ = tree.members.m1a
    log_in(page, "secretary1")
    page.goto(f"{page.base_url}/to-chuc/{tree.cell1a.pk}/")
    page.get_by_role("link", name="Ghi cuộc sinh hoạt mới").first.click()
    page.get_by_label("Sinh hoạt của tháng").fill("3/2026")
    page.get_by_label("Ngày họp").fill("12/3/26")
    page.get_by_label("Bắt đầu").fill("19:30")
    page.get_by_label("Kết thúc").fill("21:30")
    page.get_by_label("Địa điểm").fill("Nhà văn hóa khu phố 1")
    page.get_by_label("Chủ trì").fill("Trần Văn Chủ")
    page.get_by_label("Thư ký").fill("Lê Thị Ký")
    page.get_by_label("Kết luận").fill("Chi bộ thống nhất các nhiệm vụ tháng tới.")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/diem-danh/")

    # everyone is present by default: tap the two absent ones
    row_a = page.locator(f'fieldset[data-member="{a.pk}"]')
    row_a.get_by_text("Vắng có lý do", exact=True).tap()
    row_a.get_by_placeholder("Lý do vắng").fill("Ốm đau")
    page.locator(f'fieldset[data-member="{b.pk}"]').get_by_text(
        "Vắng không lý do", exact=True
    ).tap()
    page.get_by_role("button", name="Lưu điểm danh").click()
    page.wait_for_url("**/sinh-hoat/*/")
    assert page.locator(".present-figure").inner_text().startswith("1/3")
    expect(page.get_by_text("Ốm đau")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Biên bản (PDF)").click()
    path = download.value.path()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "CHI BỘ KHU PHỐ 1" in text and "BIÊN BẢN" in text
    assert "có mặt: 1/3" in text
    assert f"{a.full_name} Vắng có lý do Ốm đau" in text
    meeting = Meeting.objects.get()
    assert meeting.attendance.filter(status="unexcused", member=b).exists()

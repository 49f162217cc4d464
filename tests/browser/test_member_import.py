from playwright.sync_api import expect

from members.models import Member
from tests.browser.conftest import log_in
from tests.members.import_factories import roster_row, roster_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_staff_import_a_small_roster_see_the_bad_rows_error_and_import_the_rest(
    page, ward1_staff, tree
):
    roster = roster_xlsx(
        [roster_row(1), roster_row(2, **{"Ngày sinh": "31/02/1970"}), roster_row(3)]
    )
    log_in(page, "ward1")
    page.goto(page.base_url + "/dang-vien/")
    page.get_by_role("link", name="Nhập danh sách từ bảng tính").click()
    page.wait_for_url("**/dang-vien/nhap/")
    page.get_by_label("Tệp danh sách (.xlsx hoặc .csv)").set_input_files(
        {"name": "danh-sach.xlsx", "mimeType": XLSX, "buffer": roster}
    )
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.wait_for_url("**/nhap/lan/*/")

    error_row = page.locator("table.import-errors tr.row-error")
    expect(error_row).to_have_count(1)
    assert error_row.locator("td").all_inner_texts() == [
        "6",
        "Lê Thị Nhập 2",
        "Ngày sinh",
        "Ngày 31/02/1970 không có thật.",
    ]
    expect(page.locator(".count-new")).to_have_text("2")
    assert not Member.objects.filter(card_number__startswith="9000000").exists()

    page.get_by_label("Chỉ nhập các dòng hợp lệ (bỏ qua dòng lỗi)").check()
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.wait_for_load_state()
    assert "Đã nhập: 2 đảng viên mới" in page.locator(".msg.success").inner_text()
    assert sorted(
        Member.objects.filter(card_number__startswith="9000000").values_list("full_name", flat=True)
    ) == ["Lê Thị Nhập 1", "Lê Thị Nhập 3"]

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải các dòng lỗi").click()
    assert download.value.suggested_filename.startswith("dong-loi-lan-nhap-")

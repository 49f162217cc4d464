from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_ward_staff_logs_in_sees_the_ward_and_opens_a_cell(page, ward1_staff, tree):
    log_in(page, "ward1")
    expect(page.get_by_role("link", name="Đảng bộ phường Một")).to_be_visible()
    expect(page.get_by_text("Đảng bộ xã Hai")).to_have_count(0)
    page.get_by_role("link", name="Chi bộ khu phố 1").click()
    page.wait_for_url("**/to-chuc/*/")
    expect(page.get_by_role("heading", name="Chi bộ khu phố 1")).to_be_visible()
    expect(page.locator(".member-count")).to_have_text("3")


def test_a_wrong_password_gets_a_vietnamese_message(page, ward1_staff):
    page.goto(page.base_url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("ward1")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert (
        page.get_by_role("alert").inner_text().startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    )

from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_member


def test_staff_find_a_member_without_accents_and_correct_the_dossier(page, tree, ward1_staff):
    member = make_member(tree.cell1a, full_name="Nguyễn Văn Ánh", phone="0911111111")
    log_in(page, "ward1")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Đảng viên"
    ).click()
    page.get_by_label("Tìm theo tên, số thẻ, số CCCD").fill("nguyen van anh")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(lambda url: "q=nguyen%20van%20anh" in url)
    expect(page.locator(".member-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Nguyễn Văn Ánh").click()
    page.wait_for_url(f"**/dang-vien/{member.pk}/")
    page.get_by_role("link", name="Sửa hồ sơ").click()
    page.get_by_label("Số điện thoại").fill("0922222222")
    page.get_by_role("button", name="Ghi").click()
    page.wait_for_url(f"**/dang-vien/{member.pk}/")
    expect(page.get_by_text("Đã lưu hồ sơ.")).to_be_visible()
    history = page.locator(".dossier-history")
    assert "0911111111" in history.inner_text() and "0922222222" in history.inner_text()


def test_a_transfer_with_an_impossible_date_is_explained_and_nothing_moves(page, tree, ward1_staff):
    member = tree.members.m1a[0]
    log_in(page, "ward1")
    page.goto(page.base_url + f"/dang-vien/{member.pk}/")
    page.get_by_role("link", name="Chuyển sinh hoạt chính thức").click()
    page.get_by_label("Chuyển đến chi bộ").select_option(label="Chi bộ cơ quan phường")
    page.get_by_label("Từ ngày").fill("01/01/2005")
    page.get_by_role("button", name="Ghi").click()
    assert "phải sau ngày bắt đầu sinh hoạt" in page.get_by_role("alert").first.inner_text()
    member.refresh_from_db()
    assert member.unit == tree.cell1a


def test_the_member_list_reads_on_a_phone(phone_page, tree, ward1_staff):
    make_member(tree.cell1a, full_name="Trần Thị Bé", birth_date=date(1960, 3, 8))
    log_in(phone_page, "ward1")
    phone_page.goto(phone_page.base_url + "/dang-vien/?q=tran thi be")
    row = phone_page.locator(".member-table tbody tr").first
    assert "08/03/1960" in row.inner_text()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_the_list_narrows_as_a_filter_changes(page, tree, ward1_staff):
    make_member(tree.cell1b, full_name="Lý Thị Cơ Quan", gender="F")
    log_in(page, "ward1")
    page.goto(page.base_url + "/dang-vien/")
    page.get_by_text("Bộ lọc").click()  # the filters fold behind one button
    page.get_by_label("Loại chi bộ").select_option(label="Chi bộ cơ quan")
    page.wait_for_url("**category=agency*")
    page.get_by_label("Giới tính").select_option(label="Nữ")
    page.wait_for_url("**gender=F*")
    expect(page.locator(".member-table tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="Lý Thị Cơ Quan")).to_be_visible()

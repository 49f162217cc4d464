from datetime import date

from playwright.sync_api import expect

from members.models import Member
from organizations.models import Unit
from tests.browser.conftest import log_in
from tests.factories import make_unit


def test_office_staff_dissolve_a_cell_sending_each_member_to_a_residential_cell(
    page, ward1_staff, tree
):
    second = make_unit("Chi bộ khu phố 2", parent=tree.ward1, founded_on=date(2000, 1, 1))
    first_member, second_member = tree.members.m1b
    log_in(page, "ward1")
    page.goto(page.base_url + f"/to-chuc/{tree.cell1b.pk}/")
    page.get_by_role("link", name="Giải thể").click()
    page.get_by_label("Số quyết định").fill("201-QĐ/ĐU")
    page.get_by_label("Ngày ký quyết định").fill("20/09/2019")
    page.get_by_label("Ngày có hiệu lực").fill("01/10/2019")
    page.get_by_label(first_member.full_name, exact=True).select_option(label="Chi bộ khu phố 1")
    page.get_by_label(second_member.full_name, exact=True).select_option(label="Chi bộ khu phố 2")
    page.get_by_role("button", name="Xem trước").click()

    preview = page.locator("section.preview")
    expect(preview.get_by_text("Giải thể “Chi bộ cơ quan phường”")).to_be_visible()
    rows = preview.locator("table.impact tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any("Chi bộ cơ quan phường" in t and "thôi hoạt động" in t for t in texts)
    assert any(t.startswith("Chi bộ khu phố 1") and t.split()[-1] == "4" for t in texts)
    expect(preview.get_by_text(f"{second_member.full_name} → Chi bộ khu phố 2")).to_be_visible()
    assert Unit.objects.get(pk=tree.cell1b.pk).dissolved_on is None  # nothing done yet

    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận thực hiện").click()
    assert page.url == page.base_url + f"/to-chuc/{tree.ward1.pk}/"
    expect(page.get_by_text("Đã thực hiện: Giải thể “Chi bộ cơ quan phường”")).to_be_visible()
    expect(page.locator("table.units").get_by_text("Chi bộ cơ quan phường")).to_have_count(0)
    assert Member.objects.get(pk=second_member.pk).unit == second

    # the structure as it was before the effective date still shows the cell
    page.goto(page.base_url + f"/to-chuc/cay/?ngay=30/09/2019&goc={tree.ward1.pk}")
    expect(page.locator("table.tree").get_by_text("Chi bộ cơ quan phường")).to_be_visible()
    page.goto(page.base_url + f"/to-chuc/cay/?ngay=01/10/2019&goc={tree.ward1.pk}")
    expect(page.locator("table.tree").get_by_text("Chi bộ cơ quan phường")).to_have_count(0)

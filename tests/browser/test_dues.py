"""A month's dues entered on a 390 px phone: everyone paid the expected
amount by default, two exceptions tapped, saved."""

from datetime import date

from playwright.sync_api import expect

from dues.choices import DuesCategory as C
from dues.services import basis_set
from meetings.models import DuesPayment
from tests.browser.conftest import log_in
from tests.browser.test_phone import WIDTH, phone  # noqa: F401  (the 390 px fixture)


def test_a_secretary_enters_a_months_dues_with_two_exceptions_on_a_phone(
    phone,  # noqa: F811
    tree,
    cell_secretary,
):
    a, b, c = tree.members.m1a
    for m in (a, b, c):
        basis_set(actor=None, member=m, category=C.INSURED, base=5_000_000, since=date(2025, 1, 1))
    log_in(phone, "secretary1")
    phone.goto(phone.base_url + f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=03/2026")
    expect(phone.get_by_text("Mọi người mặc định đã đóng đủ")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # no amount box is shown (nor filled) until "Số khác" is tapped
    box = phone.get_by_label(f"Số tiền {c.full_name} đã đóng (đồng)")
    expect(box).to_be_hidden()
    row_b = phone.locator(f"fieldset[data-member='{b.pk}']")
    row_b.get_by_text("Chưa đóng").tap()
    row_c = phone.locator(f"fieldset[data-member='{c.pk}']")
    row_c.get_by_text("Số khác").tap()
    expect(box).to_be_visible()
    assert box.input_value() == ""
    box.fill("80.000")
    row_c.get_by_text("Nộp qua Cổng Dịch vụ công").tap()
    phone.get_by_role("button", name="Lưu đảng phí").tap()
    expect(phone.get_by_text("Đã lưu đảng phí tháng 03/2026")).to_be_visible()
    assert sorted(
        DuesPayment.objects.values_list("member_id", "amount", "channel", "voluntary")
    ) == sorted([(a.pk, 50_000, "cash", False), (c.pk, 80_000, "portal", True)])
    expect(phone.locator(f"fieldset[data-member='{c.pk}']")).to_contain_text(
        "tự nguyện đóng cao hơn"
    )

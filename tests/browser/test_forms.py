"""An office opens Biểu 1 for the demo ward, downloads it as XLSX (read back:
the layout's cells and the numbers the page shows) and submits it upward."""

import io

from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from organizations.models import Role
from tests.browser.conftest import log_in


def test_the_demo_ward_opens_downloads_and_submits_its_biểu_1(page, db):
    call_command("seed_demo")
    ward = Role.objects.get(user__username="ward1").unit
    log_in(page, "ward1")
    page.goto(page.base_url + "/bao-cao/")
    page.get_by_role("link", name="Biểu 1 – Tăng, giảm đảng viên").click()
    page.get_by_label("Từ ngày").fill("01/01/2025")
    page.get_by_label("Đến ngày").fill("31/12/2025")
    page.get_by_role("button", name="Xem báo cáo").click()
    expect(page.locator(".statform .form-number")).to_have_text("Biểu số 1-BTCTW")
    expect(page.locator(".form-title")).to_contain_text("NĂM 2025")
    shown = {
        code: page.locator(f'tr[data-code="{code}"] td').nth(2).inner_text()
        for code in ("A", "B", "C", "D")
    }
    expect(page.locator(".checks li").first).to_contain_text("D = A + B − C")

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel").click()
    with open(info.value.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert ward.name.upper() in values and "Biểu số 1-BTCTW" in values
    assert "NGƯỜI LẬP BIỂU" in values and "Đvt: Người" in values
    rows = {r[0].value: r for r in sheet.iter_rows() if r[0].value in ("A", "D")}
    for code in ("A", "D"):
        number = rows[code][2].value
        assert isinstance(number, int)
        assert f"{number:,}".replace(",", ".") == shown[code]

    page.goto(page.base_url + f"/bao-cao/nop/{ward.pk}/")
    page.locator("#submit-report").select_option("member_movement")
    page.locator("#submit-period").select_option("year:2025-01-01")
    page.get_by_role("button", name="Nộp báo cáo").click()
    assert "Đã nộp báo cáo" in page.locator(".messages").inner_text()
    expect(page.locator(".submission-status")).to_have_text("Đã nộp, chờ duyệt")

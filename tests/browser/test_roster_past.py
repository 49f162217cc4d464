"""An office's first afternoon, in the browser: the roster with its members'
past dates and the sheet of the committee's seats loaded through the pages
(/nhap/), then the structure report on a date during a member's probation
counts her as probationary, and on a later date shows the committee."""

import io

from openpyxl import Workbook
from playwright.sync_api import expect

from members.models import Member
from tests.browser.conftest import log_in
from tests.members.import_factories import HEADERS, roster_row, roster_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEAT_HEADERS = [
    "Đơn vị",
    "Nhiệm kỳ",
    "Ngày đại hội",
    "Cơ quan",
    "Chức vụ",
    "Họ và tên",
    "Số thẻ đảng viên",
    "Từ ngày",
    "Đến ngày",
    "Số quyết định",
]


def seats_xlsx(rows) -> bytes:
    wb = Workbook()
    wb.active.append(SEAT_HEADERS)
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(page, kind_title: str, file_label: str, name: str, data: bytes) -> None:
    page.goto(page.base_url + "/nhap/")
    page.locator("section.import-kind").filter(
        has=page.get_by_role("heading", name=kind_title, exact=True)
    ).get_by_role("link", name="Tải tệp lên").click()
    page.get_by_label(file_label).set_input_files({"name": name, "mimeType": XLSX, "buffer": data})
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.wait_for_url("**/nhap/lan/*/")


def members_line(page) -> list[str]:
    return (
        page.locator(".report-section")
        .filter(has=page.get_by_role("heading", name="Đảng viên", exact=True))
        .locator("tbody tr")
        .first.locator("td")
        .all_inner_texts()
    )


def test_a_roster_with_its_past_and_the_seats_then_the_structure_during_probation(
    page, ward1_staff, tree
):
    roster = roster_xlsx(
        [
            # admitted in 2017 in the residential cell, official a year later
            roster_row(
                1,
                **{
                    "Họ và tên": "Nguyễn Thị An",
                    "Ngày vào Đảng": "03/03/2017",
                    "Ngày chính thức": "03/03/2018",
                },
            ),
            # admitted elsewhere, came to the agency cell in April 2019
            roster_row(
                2,
                cell="Chi bộ cơ quan phường",
                **{
                    "Họ và tên": "Lê Văn Cường",
                    "Ngày vào Đảng": "01/06/2008",
                    "Ngày chính thức": "01/06/2009",
                    "Ngày chuyển đến chi bộ": "15/04/2019",
                },
            ),
        ],
        headers=[*HEADERS, "Ngày chuyển đến chi bộ"],
    )
    log_in(page, "ward1")
    upload(page, "Danh sách đảng viên", "Tệp danh sách (.xlsx hoặc .csv)", "danh-sach.xlsx", roster)
    expect(page.locator(".count-new")).to_have_text("2")
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.wait_for_load_state()
    assert "Đã nhập: 2 đảng viên mới" in page.locator(".msg.success").inner_text()
    an = Member.objects.get(full_name="Nguyễn Thị An")

    # her profile: the past from 2017, marked as coming from the import
    page.goto(page.base_url + f"/dang-vien/{an.pk}/")
    first = page.locator("ol.events li").first
    expect(first).to_contain_text("03/03/2017 – 03/03/2018")
    expect(first).to_contain_text("Đảng viên dự bị")
    expect(first.locator(".tag.reconstructed")).to_have_text("theo dữ liệu nhập")

    # the ward's committee of 2020: its secretary chairs the standing committee too
    secretary = tree.members.m1a[0]
    ward = "Đảng bộ phường Một"
    seats = seats_xlsx(
        [
            [ward, "2020–2025", "15/07/2020", "BCH", "Bí thư", secretary.full_name, "", "", "", ""],
            [ward, "2020–2025", "15/07/2020", "BTV", "Bí thư", secretary.full_name, "", "", "", ""],
            [ward, "2020–2025", "15/07/2020", "BCH", "Ủy viên", "", an.card_number, "", "", ""],
        ]
    )
    upload(
        page, "Nhiệm kỳ và cấp ủy", "Tệp danh sách cấp ủy (.xlsx hoặc .csv)", "cap-uy.xlsx", seats
    )
    expect(page.locator(".count-new")).to_have_text("3")
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.wait_for_load_state()
    assert "Đã nhập: 3 chức vụ mới" in page.locator(".msg.success").inner_text()

    # the structure report on 01/09/2017: An on probation is counted as probationary
    page.goto(page.base_url + f"/bao-cao/structure/{tree.ward1.pk}/")
    page.get_by_label("Tính đến ngày").fill("01/09/2017")
    page.get_by_role("button", name="Xem báo cáo").click()
    page.wait_for_load_state()
    # all, official, probationary, exempt: the five kept since 2010, and An
    assert members_line(page) == ["6", "5", "1", "0"]

    # on 01/08/2020: An official, Cường arrived, the committee seated
    page.get_by_label("Tính đến ngày").fill("01/08/2020")
    page.get_by_role("button", name="Xem báo cáo").click()
    page.wait_for_load_state()
    assert members_line(page) == ["7", "7", "0", "0"]
    committee = page.locator(".report-section").filter(
        has=page.get_by_role("heading", name="Cấp ủy của Đảng bộ phường Một")
    )
    assert committee.locator("tbody tr").all_inner_texts() == [
        "Ủy viên Ban Chấp hành\t2",
        "Ủy viên Ban Thường vụ\t1",
    ]

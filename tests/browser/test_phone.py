"""The main pages on a 390 px phone: nothing wider than the screen, tap
targets and text big enough, and no serious or critical accessibility
violation (axe-core, vendored for the tests only). Screenshots of each page go
to var/screenshots/390/ for a person to look at."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from meetings.services import minutes_adopt, vote_record
from organizations.models import Position
from reports.models import PeriodKind
from reports.services import submission_submit
from tests.browser.conftest import log_in
from tests.factories import give_seat
from tests.meetings.factories import make_meeting, take_attendance

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "390"
WIDTH = 390


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": WIDTH, "height": 844},
        device_scale_factor=1,
        has_touch=True,
        is_mobile=True,
        # axe is injected as a script: the pages' own policy must not refuse it
        bypass_csp=True,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def data(tree):
    secretary, deputy, _ = tree.members.m1a
    give_seat(tree.cell1a, secretary, Position.SECRETARY)
    meeting = take_attendance(
        make_meeting(tree.cell1a, chair=secretary.full_name, secretary=deputy.full_name),
        {deputy: ("excused", "Đi công tác")},
    )
    vote_record(actor=None, meeting=meeting, subject="Nghị quyết tháng 3", kind="ordinary", yes=2)
    adopted = take_attendance(make_meeting(tree.cell1a, held_on=date(2026, 2, 12)))
    minutes_adopt(actor=None, meeting=adopted)
    return {"meeting": meeting, "member": secretary}


def _small_targets(page) -> list:
    """Buttons, button-like links, fields and the header's menu button lower
    than 44 px (links inside running text are exempt, as in WCAG 2.5.8)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              'main a.button, main button, main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), main select, header button')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )


def _check(page, name: str, failures: list | None = None) -> None:
    """The page fits the screen, and axe finds nothing serious or critical."""
    page.wait_for_load_state("load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: the page is {width} px wide on a {WIDTH} px screen"
    assert _small_targets(page) == [], name
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16, f"{name}: base text {size} px"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ': ' + v.help + ' — ' +
                   v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    assert result == [], f"{name}: {result}"


def _pages(tree, data):
    m = data["meeting"]
    return {
        "trang-chu": "/",
        "dang-vien": "/dang-vien/",
        "ho-so": f"/dang-vien/{data['member'].pk}/",
        "don-vi": f"/to-chuc/{tree.cell1a.pk}/",
        "dang-bo": f"/to-chuc/{tree.ward1.pk}/",
        "cay-theo-ngay": "/to-chuc/cay/",
        "theo-doi-sinh-hoat": f"/sinh-hoat/?unit={tree.ward1.pk}",
        "cuoc-sinh-hoat": f"/sinh-hoat/{m.pk}/",
        "ghi-sinh-hoat": f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/",
        "diem-danh": f"/sinh-hoat/{m.pk}/diem-danh/",
        "dang-phi": f"/dang-phi/don-vi/{tree.cell1a.pk}/",
        "so-dang-phi": f"/dang-phi/don-vi/{tree.cell1a.pk}/so/",
        "thu-nop-dang-phi": f"/dang-phi/don-vi/{tree.ward1.pk}/thu-nop/",
        "dang-phi-den-han": "/dang-phi/",
        "dang-phi-dang-vien": f"/dang-phi/dang-vien/{data['member'].pk}/",
        "bao-cao": "/bao-cao/",
        "bao-cao-co-cau": f"/bao-cao/structure/{tree.ward1.pk}/",
        "bao-cao-xep-loai-theo-don-vi": f"/bao-cao/ratings/{tree.ward1.pk}/?by=children",
        "bao-cao-sinh-hoat-theo-don-vi": f"/bao-cao/meeting_attendance/{tree.ward1.pk}/?by=children",
        "danh-gia": "/danh-gia/",
        "cho-duyet": "/bao-cao/cho-duyet/",
        # forms and lists an office opens less often
        "sua-ho-so": f"/dang-vien/{data['member'].pk}/sua/",
        "tiep-nhan-chuyen-den": f"/dang-vien/chi-bo/{tree.cell1a.pk}/chuyen-den/",
        "chuyen-ra": f"/dang-vien/{data['member'].pk}/chuyen-ra/",
        "cap-uy": f"/to-chuc/{tree.ward1.pk}/cap-uy/",
        "giai-the": f"/to-chuc/{tree.cell1a.pk}/sap-xep/giai-the/",
        "hop-nhat": f"/to-chuc/{tree.cell1a.pk}/sap-xep/hop-nhat/",
        "canh-bao": "/to-chuc/canh-bao/",
        "nhap-du-lieu": "/nhap/",
        "nhap-danh-sach": "/nhap/danh-sach-dang-vien/",
        "nhap-diem-danh": "/nhap/diem-danh-sinh-hoat/",
        "nhap-ke-hoach": "/nhap/ke-hoach-sap-xep/",
        "nop-bao-cao": f"/bao-cao/nop/{tree.ward1.pk}/",
        "tep-da-tao": "/tep/",
    }


def test_the_main_pages_fit_a_390_px_phone_and_pass_axe(phone, tree, data, ward1_staff):
    phone.goto(phone.base_url + "/dang-nhap/")
    _check(phone, "dang-nhap")
    log_in(phone, "ward1")
    for name, url in _pages(tree, data).items():
        assert phone.goto(phone.base_url + url).status == 200, name
        _check(phone, name)


def _submit_ward1(ward1_staff, tree):
    submission_submit(
        actor=ward1_staff,
        unit=tree.ward1,
        report="structure",
        period=PeriodKind.MONTH,
        period_start=date(2026, 10, 1),
        today=date(2026, 11, 21),
    )


def test_the_board_pages_fit_too(phone, tree, data, board, ward1_staff):
    _submit_ward1(ward1_staff, tree)
    log_in(phone, "board")
    for name, url in (
        ("trang-chu-ban", "/"),
        ("cho-duyet-ban", "/bao-cao/cho-duyet/"),
        ("bao-cao-tinh-theo-don-vi", f"/bao-cao/structure/{tree.province.pk}/?by=children"),
    ):
        assert phone.goto(phone.base_url + url).status == 200, name
        _check(phone, name)


def test_the_header_is_one_line_with_a_menu_and_text_and_targets_are_big_enough(
    phone, tree, data, ward1_staff
):
    log_in(phone, "ward1")
    phone.goto(phone.base_url + "/dang-vien/")
    header = phone.locator("header.topbar")
    assert header.bounding_box()["height"] <= 64
    nav = phone.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Đảng viên")).to_be_hidden()
    phone.get_by_role("button", name="Menu").tap()
    expect(nav.get_by_role("link", name="Đảng viên")).to_be_visible()
    assert _small_targets(phone) == []
    size = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16


def test_the_member_filters_fold_behind_one_button(phone, tree, data, ward1_staff):
    log_in(phone, "ward1")
    phone.goto(phone.base_url + "/dang-vien/")
    expect(phone.get_by_label("Giới tính")).to_be_hidden()
    first = phone.locator("main table tbody tr").first
    assert first.bounding_box()["y"] < 844  # the first result above the fold
    phone.get_by_text("Bộ lọc").tap()
    expect(phone.get_by_label("Giới tính")).to_be_visible()


def test_a_secretary_starts_this_months_meeting_from_the_home_page(
    phone, tree, data, cell_secretary
):
    log_in(phone, "secretary1")
    first = phone.locator("main .card, main section").first
    expect(first).to_contain_text("Ghi sinh hoạt tháng")
    first.get_by_role("link", name="Ghi sinh hoạt tháng").first.tap()
    phone.wait_for_url(f"**/sinh-hoat/don-vi/{tree.cell1a.pk}/them/")
    _check(phone, "ghi-sinh-hoat-bi-thu")


def test_grave_lifecycle_actions_are_apart_and_confirmed(phone, tree, data, ward1_staff):
    member = tree.members.m1a[2]
    log_in(phone, "ward1")
    phone.goto(f"{phone.base_url}/dang-vien/{member.pk}/")
    grave = phone.locator(".grave-actions")
    for name in ("Xóa tên", "Kỷ luật", "Từ trần"):
        expect(grave.get_by_role("link", name=name)).to_be_visible()
        # in the colour of danger, unlike the harmless white buttons
        expect(grave.get_by_role("link", name=name)).to_have_css(
            "background-color", "rgb(140, 29, 24)"
        )
        expect(phone.locator(".member-actions").get_by_role("link", name=name)).to_have_count(0)
    grave.get_by_role("link", name="Từ trần").tap()
    expect(phone.locator(".confirm-grave")).to_be_visible()
    phone.get_by_label("Ngày từ trần").fill("1/11/26")
    phone.get_by_role("button", name="Ghi", exact=True).tap()
    # not yet: the page asks to confirm a step that cannot be undone
    expect(phone.get_by_text("không thể hoàn tác")).to_be_visible()
    member.refresh_from_db()
    assert member.status != "deceased"
    phone.get_by_role("button", name="Xác nhận").tap()
    phone.wait_for_url(f"**/dang-vien/{member.pk}/")
    member.refresh_from_db()
    assert member.status == "deceased"


def test_adopting_the_minutes_takes_a_confirmation(phone, tree, data, ward1_staff):
    meeting = data["meeting"]
    log_in(phone, "ward1")
    phone.goto(f"{phone.base_url}/sinh-hoat/{meeting.pk}/")
    phone.get_by_role("link", name="Thông qua biên bản…").tap()
    expect(phone.get_by_role("heading", name="Thông qua biên bản?")).to_be_visible()
    _check(phone, "thong-qua-bien-ban")
    phone.get_by_role("link", name="Chưa, quay lại").tap()
    meeting.refresh_from_db()
    assert not meeting.is_adopted
    phone.get_by_role("link", name="Thông qua biên bản…").tap()
    phone.get_by_role("button", name="Đồng ý thông qua và khóa biên bản").tap()
    expect(phone.get_by_text("Biên bản đã được thông qua và khóa lại.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.is_adopted and meeting.versions.get().adopted_by == ward1_staff


def test_the_board_goes_from_the_home_page_to_its_inbox(phone, tree, board, ward1_staff):
    _submit_ward1(ward1_staff, tree)
    log_in(phone, "board")
    phone.get_by_role("link", name="Mở danh sách chờ duyệt").tap()
    row = phone.locator("tr[data-submission]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Đảng bộ phường Một")
    row.get_by_role("link", name="Xem và duyệt").tap()
    expect(phone.get_by_role("button", name="Trả lại")).to_be_visible()

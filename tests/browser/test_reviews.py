from playwright.sync_api import expect

from reviews.models import MemberReview
from tests.browser.conftest import log_in
from tests.reviews.factories import open_cycle, review_of


def test_one_member_through_self_review_vote_and_decision(page, tree, cell_secretary, ward1_staff):
    cycle = open_cycle(tree.cell1a, 2025)
    member = tree.members.m1a[0]
    review = review_of(cycle, member)

    # the cell secretary records the self-review with its score, the vote and the proposal
    log_in(page, "secretary1")
    page.goto(page.base_url + "/danh-gia/")
    page.get_by_role("link", name="Chi bộ khu phố 1").first.click()
    expect(page.get_by_text("Quy định 366-QĐ/TW").first).to_be_visible()
    page.get_by_role("link", name=member.full_name).click()
    page.get_by_label("Nội dung tự kiểm điểm").fill("Hoàn thành tốt các nhiệm vụ được giao.")
    page.get_by_label("Điểm tiêu chí chung (tối đa 30)").fill("26")
    page.get_by_label("Điểm kết quả thực hiện nhiệm vụ (tối đa 70)").fill("58")
    page.get_by_role("button", name="Ghi bản tự kiểm điểm").click()
    expect(page.get_by_text("Đã ghi bản tự kiểm điểm.")).to_be_visible()
    expect(page.get_by_text("84/100")).to_be_visible()
    page.get_by_label("Số đảng viên biểu quyết").fill("3")
    page.get_by_label("Phiếu HTTNV").fill("4")
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(
        page.get_by_text("Tổng số phiếu (4) vượt quá số đảng viên biểu quyết (3).")
    ).to_be_visible()
    page.get_by_label("Phiếu HTTNV").fill("3")
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_text("Đã ghi kết quả biểu quyết.")).to_be_visible()
    page.get_by_label("Mức xếp loại").select_option("excellent")
    page.get_by_role("button", name="Ghi đề xuất").click()
    # 84 points is in the good band: the proposal is shown as breaking the rule
    expect(page.get_by_text("Mức này trái quy định")).to_be_visible()
    page.get_by_label("Mức xếp loại").select_option("good")
    page.get_by_role("button", name="Ghi đề xuất").click()
    expect(page.get_by_text("Đã ghi đề xuất của chi bộ.")).to_be_visible()
    expect(page.get_by_role("button", name="Quyết định xếp loại")).to_have_count(0)
    # the ward office decides
    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, "ward1")
    page.goto(page.base_url + f"/danh-gia/phieu/{review.pk}/")
    page.get_by_role("button", name="Quyết định xếp loại").click()
    expect(page.get_by_text("Đã ghi quyết định xếp loại.")).to_be_visible()
    page.get_by_role("link", name="Chi bộ khu phố 1 2025").click()
    row = page.locator("tr", has_text=member.full_name)
    assert "Cấp ủy đã quyết định" in row.inner_text()
    assert "HTTNV" in row.inner_text()
    decided = MemberReview.objects.get(pk=review.pk)
    assert decided.decided_level == "good" and decided.decided_by == ward1_staff

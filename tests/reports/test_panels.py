"""The home dashboard: the scope's key figures and the reports waiting."""

from datetime import date

from django.urls import reverse

from reports.models import PeriodKind
from reports.services import submission_review, submission_submit


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def figure(text, label):
    """The value shown under a label of the key figures."""
    import re

    match = re.search(rf"<dt>{label}</dt><dd[^>]*>([^<]+)</dd>", text)
    return match.group(1) if match else None


def test_each_user_sees_the_figures_of_their_own_scope(client, tree, board, ward1_staff):
    text = home(client, board)
    assert "Đảng bộ tỉnh Thử" in text
    assert figure(text, "Đảng viên") == "9"
    assert figure(text, "Tổ chức cơ sở đảng") == "2"
    text = home(client, ward1_staff)
    assert figure(text, "Đảng viên") == "5"
    assert figure(text, "Chi bộ") == "2"


def test_the_board_is_told_of_reports_to_review_and_the_office_of_returned_ones(
    client, tree, board, ward1_staff, ward2_staff
):
    version = submission_submit(
        actor=ward1_staff,
        unit=tree.ward1,
        report="structure",
        period=PeriodKind.YEAR,
        period_start=date(2025, 1, 1),
    )
    assert "1 báo cáo định kỳ của đơn vị trực thuộc đang chờ duyệt" in home(client, board)
    submission_review(actor=board, submission=version.submission, action="return", comment="Sửa")
    assert "Báo cáo Năm 2025 của Đảng bộ phường Một bị trả lại" in home(client, ward1_staff)
    assert "bị trả lại" not in home(client, ward2_staff)
    assert "đang chờ duyệt" not in home(client, board)


def test_the_dashboard_takes_a_fixed_number_of_queries(
    client, tree, board, django_assert_max_num_queries
):
    from tests.reports.factories import bulk_members

    client.force_login(board)
    client.get(reverse("home"))
    bulk_members(tree.cell2a, 50)
    from reports.panels import home_panels

    class Request:
        user = board

    with django_assert_max_num_queries(8):
        home_panels(Request())

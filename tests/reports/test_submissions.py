"""Submit and review: a committee sends a periodic report up, frozen; the
board approves or returns it; every version and comment stays."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chibo.errors import ServiceError
from chibo.models import AuditEvent
from organizations.models import Role
from reports.models import PeriodKind, Review, Submission, SubmissionStatus
from reports.selectors import submissions_under
from reports.services import submission_review, submission_submit
from tests.factories import grant, make_unit
from tests.reports.factories import bulk_members

LAST_MONTH = date(2026, 10, 1)
TODAY = date(2026, 11, 21)


def submit(actor, unit, **kw):
    return submission_submit(
        actor=actor,
        unit=unit,
        report=kw.pop("report", "structure"),
        period=kw.pop("period", PeriodKind.MONTH),
        period_start=kw.pop("start", LAST_MONTH),
        today=kw.pop("today", TODAY),
        **kw,
    )


def test_a_submitted_report_is_frozen_as_it_was_submitted(tree, ward1_staff):
    version = submit(ward1_staff, tree.ward1, note="Số liệu tháng 10")
    sub = version.submission
    assert sub.to_unit == tree.province
    assert (sub.period_start, sub.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert sub.status == SubmissionStatus.SUBMITTED
    assert version.table["sections"][2]["rows"] == [[5, 5, 0, 0]]
    bulk_members(tree.cell1a, 4, since=date(2026, 10, 15))
    version.refresh_from_db()
    assert version.table["sections"][2]["rows"] == [[5, 5, 0, 0]]
    assert AuditEvent.objects.filter(action="report_submit", target_id=sub.pk).exists()


def test_returned_then_resubmitted_keeps_every_version_and_comment(tree, ward1_staff, board):
    first = submit(ward1_staff, tree.ward1)
    submission_review(
        actor=board, submission=first.submission, action="return", comment="Thiếu chi bộ mới"
    )
    bulk_members(tree.cell1a, 2, since=date(2026, 10, 20))
    second = submit(ward1_staff, tree.ward1, note="Đã bổ sung")
    assert second.submission == first.submission
    assert second.number == 2
    assert second.table["sections"][2]["rows"] == [[7, 7, 0, 0]]
    submission_review(actor=board, submission=second.submission, action="approve")
    sub = Submission.objects.get()
    assert sub.status == SubmissionStatus.APPROVED
    assert [v.number for v in sub.versions.all()] == [1, 2]
    assert [(r.action, r.version.number, r.comment) for r in sub.reviews.all()] == [
        ("return", 1, "Thiếu chi bộ mới"),
        ("approve", 2, ""),
    ]


@pytest.mark.parametrize(
    "setup, message",
    [
        ("awaiting", "đang chờ cấp trên"),
        ("approved", "đã được duyệt"),
        ("future", "chưa đến"),
        ("top", "không có cấp trên"),
    ],
)
def test_submitting_is_refused_with_a_reason(tree, ward1_staff, board, setup, message):
    unit = tree.ward1
    kw = {}
    if setup in ("awaiting", "approved"):
        v = submit(ward1_staff, unit)
        if setup == "approved":
            submission_review(actor=board, submission=v.submission, action="approve")
    if setup == "future":
        kw["start"] = date(2026, 12, 1)
    if setup == "top":
        unit = tree.province
        grant(ward1_staff, unit, Role.Kind.STAFF)
        ward1_staff._chibo_roles = None
    before = Submission.objects.count()
    with pytest.raises(ServiceError, match=message):
        submit(ward1_staff, unit, **kw)
    assert Submission.objects.count() == before


def test_only_the_units_own_office_submits_and_only_a_board_above_reviews(
    tree, ward1_staff, ward2_staff, board, cell_secretary
):
    with pytest.raises(ServiceError, match="không có quyền nộp"):
        submit(ward2_staff, tree.ward1)
    with pytest.raises(ServiceError, match="không có quyền nộp"):
        submit(cell_secretary, tree.ward1)
    v = submit(ward1_staff, tree.ward1)
    for someone in (ward1_staff, ward2_staff, cell_secretary):
        with pytest.raises(ServiceError, match="không có quyền duyệt"):
            submission_review(actor=someone, submission=v.submission, action="approve")
    with pytest.raises(ServiceError, match="cần ghi ý kiến"):
        submission_review(actor=board, submission=v.submission, action="return", comment=" ")
    assert Review.objects.count() == 0


def test_the_board_sees_who_submitted_who_is_late_and_who_was_returned(tree, ward1_staff, board):
    ward3 = make_unit("Đảng bộ phường Ba", level="grassroots_committee", parent=tree.province)
    v = submit(ward1_staff, tree.ward1)
    submission_review(actor=board, submission=v.submission, action="return", comment="Sai")
    submission_submit(
        actor=None,
        unit=ward3,
        report="structure",
        period="month",
        period_start=LAST_MONTH,
        today=TODAY,
    )
    rows, due = submissions_under(
        tree.province, report="structure", period="month", start=LAST_MONTH, today=TODAY
    )
    assert due == date(2026, 11, 5)
    states = {r.unit.name: r.state for r in rows}
    assert states == {
        "Đảng bộ phường Một": "returned",
        "Đảng bộ xã Hai": "late",
        "Đảng bộ phường Ba": "submitted",
    }
    rows, _due = submissions_under(
        tree.province, report="structure", period="month", start=date(2026, 11, 1), today=TODAY
    )
    assert {r.state for r in rows} == {"not_due"}


def test_the_flow_through_the_pages(client, tree, ward1_staff, board):
    client.force_login(ward1_staff)
    page = client.get(reverse("reports:submissions", args=[tree.ward1.pk]))
    assert "Nộp báo cáo lên Đảng bộ tỉnh Thử" in page.content.decode()
    response = client.post(
        reverse("reports:submit", args=[tree.ward1.pk]),
        {"report": "structure", "period": "year:2025-01-01", "note": "Năm 2025"},
    )
    sub = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:submission", args=[sub.pk])
    # the office may not review its own report
    client.post(reverse("reports:review", args=[sub.pk]), {"action": "approve"})
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED

    client.force_login(board)
    board_page = client.get(
        reverse("reports:submissions", args=[tree.province.pk]) + "?period=year:2025-01-01"
    )
    text = board_page.content.decode()
    assert "Đã nộp, chờ duyệt" in text
    detail = client.get(reverse("reports:submission", args=[sub.pk])).content.decode()
    assert "Số liệu hiện tại trùng với số liệu đã nộp" in detail
    client.post(reverse("reports:review", args=[sub.pk]), {"action": "return", "comment": ""})
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED
    client.post(
        reverse("reports:review", args=[sub.pk]), {"action": "return", "comment": "Bổ sung"}
    )
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED
    xlsx = client.get(reverse("reports:submission", args=[sub.pk]) + "?format=xlsx")
    assert xlsx.status_code == 200


def test_other_wards_cannot_see_a_submission(client, tree, ward1_staff, ward2_staff):
    v = submit(ward1_staff, tree.ward1)
    client.force_login(ward2_staff)
    assert client.get(reverse("reports:submission", args=[v.submission.pk])).status_code == 404
    assert (
        client.get(
            reverse("reports:submission", args=[v.submission.pk]) + "?format=pdf"
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("reports:review", args=[v.submission.pk]), {"action": "approve"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("reports:submit", args=[tree.ward1.pk]),
            {"period": "year:2025-01-01", "report": "structure"},
        ).status_code
        == 404
    )
    assert Submission.objects.count() == 1
    assert client.get(reverse("reports:submissions", args=[tree.ward1.pk])).status_code == 404


def test_the_inbox_lists_every_submission_awaiting_the_user_across_reports_and_periods(
    client, tree, ward1_staff, ward2_staff, board
):
    structure = submit(ward1_staff, tree.ward1)
    older = submit(
        ward2_staff, tree.ward2, report="ratings", period=PeriodKind.YEAR, start=date(2025, 1, 1)
    )
    approved = submit(ward1_staff, tree.ward1, report="admissions")
    submission_review(actor=board, submission=approved.submission, action="approve")
    # waiting ages: the ratings report came in 10 days ago
    older.__class__.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - timedelta(days=10)
    )
    client.force_login(board)
    home = client.get("/").content.decode()
    assert "2 báo cáo định kỳ của đơn vị trực thuộc đang chờ duyệt." in home
    assert 'href="/bao-cao/cho-duyet/"' in home
    page = client.get("/bao-cao/cho-duyet/").content.decode()
    rows = page.split('data-submission="')[1:]
    assert [int(r.split('"')[0]) for r in rows] == [older.submission.pk, structure.submission.pk]
    assert "Đảng bộ xã Hai" in rows[0] and "10 ngày" in rows[0]
    assert "Kết quả đánh giá, xếp loại chất lượng" in rows[0]
    assert "hôm nay" in rows[1]
    assert f'data-submission="{approved.submission.pk}"' not in page
    # a ward's own staff have nothing to review from the province's inbox
    client.force_login(ward1_staff)
    assert (
        "Không có báo cáo nào đang chờ bạn duyệt."
        in client.get("/bao-cao/cho-duyet/").content.decode()
    )

from datetime import date

import pytest

from meetings.models import AttendanceStatus, Guest, Meeting
from meetings.services import minutes_adopt
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(tree):
    m = take_attendance(make_meeting(tree.cell1a))
    Guest.objects.create(meeting=m, name="Khách")
    return m


@pytest.fixture
def adopted(tree):
    m = take_attendance(make_meeting(tree.cell1a, held_on=date(2026, 2, 10)))
    minutes_adopt(actor=None, meeting=m)
    return m


def _url(name, tree, meeting, adopted):
    return {
        "tracker": "/sinh-hoat/",
        "unit_meetings": f"/sinh-hoat/don-vi/{tree.cell1a.pk}/",
        "create": f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/",
        "detail": f"/sinh-hoat/{meeting.pk}/",
        "edit": f"/sinh-hoat/{meeting.pk}/sua/",
        "attendance": f"/sinh-hoat/{meeting.pk}/diem-danh/",
        "vote": f"/sinh-hoat/{meeting.pk}/bieu-quyet/",
        "correct": f"/sinh-hoat/{adopted.pk}/dinh-chinh/",
        "version": f"/sinh-hoat/{adopted.pk}/phien-ban/1/",
        "minutes_pdf": f"/sinh-hoat/{meeting.pk}/bien-ban.pdf",
        "resolution_pdf": f"/sinh-hoat/{meeting.pk}/nghi-quyet.pdf",
        "guest_add": f"/sinh-hoat/{meeting.pk}/khach-moi/",
        "guest_remove": f"/sinh-hoat/{meeting.pk}/khach-moi/{meeting.guests.get().pk}/bo/",
        "adopt": f"/sinh-hoat/{meeting.pk}/thong-qua/",
    }[name]


# (url, method, a persona that may, a persona that may not, what the latter gets)
MATRIX = [
    ("tracker", "get", "board", None, None),
    ("unit_meetings", "get", "board", "ward2_staff", 404),
    ("create", "get", "cell_secretary", "board", 403),
    ("create", "get", "ward1_staff", "ward2_staff", 404),
    ("detail", "get", "board", "ward2_staff", 404),
    ("detail", "get", "cell_secretary", "outsider", 404),
    ("edit", "get", "cell_secretary", "board", 403),
    ("edit", "get", "ward1_staff", "ward2_staff", 404),
    ("attendance", "get", "cell_secretary", "board", 403),
    ("attendance", "get", "ward1_staff", "ward2_staff", 404),
    ("vote", "get", "cell_secretary", "board", 403),
    ("correct", "get", "ward1_staff", "board", 403),
    ("correct", "get", "cell_secretary", "ward2_staff", 404),
    ("version", "get", "board", "ward2_staff", 404),
    ("minutes_pdf", "get", "board", "ward2_staff", 404),
    ("resolution_pdf", "get", "board", "outsider", 404),
    ("guest_add", "post", "cell_secretary", "board", 403),
    ("guest_remove", "post", "ward1_staff", "ward2_staff", 404),
    ("adopt", "post", "ward1_staff", "board", 403),
    ("adopt", "post", "cell_secretary", "ward2_staff", 404),
]


@pytest.mark.parametrize(("name", "method", "may", "may_not", "refused"), MATRIX)
def test_access_matrix(
    request, client, tree, meeting, adopted, name, method, may, may_not, refused
):
    url = _url(name, tree, meeting, adopted)
    data = {"name": "Đồng chí Khách"} if name == "guest_add" else {}
    if may_not:
        client.force_login(request.getfixturevalue(may_not))
        response = getattr(client, method)(url, data)
        assert response.status_code == refused
        client.logout()
    client.force_login(request.getfixturevalue(may))
    response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302)


def test_anonymous_users_are_sent_to_log_in(client, meeting):
    response = client.get(f"/sinh-hoat/{meeting.pk}/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def _form(**overrides):
    data = {
        "kind": "regular",
        "month": "2026-03",
        "held_on": "2026-03-12",
        "starts_at": "19:30",
        "ends_at": "21:30",
        "place": "Nhà văn hóa",
        "chair": "Trần Văn Chủ",
        "secretary": "Lê Thị Ký",
    }
    data.update(overrides)
    return data


def test_a_secretary_records_a_meeting_and_is_taken_to_the_attendance(client, tree, cell_secretary):
    client.force_login(cell_secretary)
    response = client.post(f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/", _form())
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/sinh-hoat/{meeting.pk}/diem-danh/"
    page = client.get(response["Location"]).content.decode()
    # everyone present by default
    assert page.count('value="present" checked') == 3


def test_a_meeting_for_a_unit_outside_the_users_reach_is_404_and_writes_nothing(
    client, tree, ward2_staff
):
    client.force_login(ward2_staff)
    response = client.post(f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/", _form())
    assert response.status_code == 404
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "19:00"}, "Giờ kết thúc (19:00) phải sau giờ bắt đầu (19:30)."),
        ({"kind": "thematic"}, "Sinh hoạt chuyên đề cần ghi tên chuyên đề."),
        ({"held_on": "2026-02-27"}, "Ngày họp 27/02/2026 trước tháng 03/2026"),
        # a year typed as 0001 once crashed the two-month make-up check
        ({"held_on": "0001-01-01", "month": "0001-01"}, "Ngày họp 01/01/0001 không hợp lệ"),
        ({"held_on": "0001-03-05", "month": "0001-03"}, "Ngày họp 05/03/0001 không hợp lệ"),
    ],
)
def test_bad_meeting_input_shows_a_vietnamese_message_and_writes_nothing(
    client, tree, ward1_staff, overrides, message
):
    client.force_login(ward1_staff)
    response = client.post(f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/", _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_second_regular_meeting_through_the_page_is_refused(client, tree, ward1_staff):
    make_meeting(tree.cell1a, held_on=date(2026, 3, 3))
    client.force_login(ward1_staff)
    response = client.post(f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/", _form())
    assert "đã có cuộc sinh hoạt thường kỳ tháng 03/2026" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_attendance_posted_for_a_non_member_is_refused_and_nothing_changes(
    client, tree, meeting, ward1_staff
):
    client.force_login(ward1_staff)
    a = tree.members.m1a[0]
    stranger = tree.members.m2a[0]
    response = client.post(
        f"/sinh-hoat/{meeting.pk}/diem-danh/",
        {f"status_{a.pk}": "unexcused", f"status_{stranger.pk}": "present"},
        follow=True,
    )
    assert "không phải đảng viên của “Chi bộ khu phố 1” vào ngày 12/03/2026" in (
        response.content.decode()
    )
    assert meeting.attendance.get(member=a).status == AttendanceStatus.PRESENT


def test_attendance_with_two_absences_is_saved_with_reasons(client, tree, meeting, cell_secretary):
    client.force_login(cell_secretary)
    a, b, _ = tree.members.m1a
    response = client.post(
        f"/sinh-hoat/{meeting.pk}/diem-danh/",
        {
            f"status_{a.pk}": "excused",
            f"reason_{a.pk}": "Ốm",
            f"status_{b.pk}": "unexcused",
        },
        follow=True,
    )
    assert "Đã lưu điểm danh: có mặt 1/3." in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.summoned_count) == (1, 3)


def test_editing_adopted_minutes_is_refused_with_a_message(client, tree, adopted, ward1_staff):
    client.force_login(ward1_staff)
    response = client.post(
        f"/sinh-hoat/{adopted.pk}/sua/",
        _form(held_on="2026-02-10", month="2026-02", chair="X"),
        follow=True,
    )
    assert "Biên bản đã được thông qua nên không sửa được" in response.content.decode()
    adopted.refresh_from_db()
    assert adopted.chair == "Trần Văn Chủ"
    response = client.post(
        f"/sinh-hoat/{adopted.pk}/diem-danh/",
        {f"status_{tree.members.m1a[0].pk}": "unexcused"},
        follow=True,
    )
    assert "đã được thông qua" in response.content.decode()
    assert adopted.attendance.filter(status="present").count() == 3


def test_the_vote_page_shows_who_counts_and_why(client, tree, cell_secretary):
    a, b, c = tree.members.m1a
    m = take_attendance(make_meeting(tree.cell1a), {a: (AttendanceStatus.EXCUSED, "Ốm")})
    client.force_login(cell_secretary)
    page = client.get(f"/sinh-hoat/{m.pk}/bieu-quyet/").content.decode()
    assert "Số đảng viên chính thức được tính: 2" in page
    assert "vắng mặt có lý do được chấp thuận" in page
    # the form comes before the list of a 40-member cell, not after it
    assert page.index("Ghi kết quả") < page.index(a.full_name)
    response = client.post(
        f"/sinh-hoat/{m.pk}/bieu-quyet/",
        {"subject": "Kết nạp quần chúng X", "kind": "admission", "yes": 1, "no": 1, "abstain": 0},
        follow=True,
    )
    assert "1/2 tán thành, cần 2 – không thông qua" in response.content.decode()


def test_the_unit_page_shows_recent_meetings_and_the_new_meeting_button(
    client, tree, meeting, cell_secretary, board
):
    client.force_login(cell_secretary)
    page = client.get(f"/to-chuc/{tree.cell1a.pk}/").content.decode()
    assert "Ghi cuộc sinh hoạt mới" in page and "12/03/2026" in page
    client.force_login(board)
    page = client.get(f"/to-chuc/{tree.cell1a.pk}/").content.decode()
    assert "12/03/2026" in page and "Ghi cuộc sinh hoạt mới" not in page


def test_the_home_page_warns_of_cells_that_did_not_meet(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    page = client.get("/").content.decode()
    assert "Cảnh báo sinh hoạt chi bộ" in page
    assert "2 chi bộ chưa có sinh hoạt thường kỳ tháng" in page


def test_a_guest_can_be_a_superior_committee_account_but_not_just_anyone(
    client, tree, meeting, ward1_staff, board, ward2_staff
):
    client.force_login(ward1_staff)
    url = f"/sinh-hoat/{meeting.pk}/khach-moi/"
    client.post(url, {"user": board.pk, "follows_cell": "on"})
    guest = meeting.guests.get(user=board)
    assert guest.name == board.full_name and guest.follows_cell
    response = client.post(url, {"user": ward2_staff.pk}, follow=True)
    assert "Người được chọn không thuộc cấp ủy cấp trên của chi bộ này." in (
        response.content.decode()
    )
    response = client.post(url, {"title": "Không tên"}, follow=True)
    assert "Xin nhập họ tên khách mời hoặc chọn cán bộ cấp trên." in response.content.decode()
    assert meeting.guests.count() == 2  # the fixture's guest and the board member


def test_members_absent_without_reason_three_months_in_a_year_are_listed(
    client, tree, cell_secretary, monkeypatch
):
    """Điều lệ Đảng, Điều 8: three months in a year, running or not."""
    from types import SimpleNamespace

    from meetings import views
    from meetings.selectors import absent_three_months

    a, b, c = tree.members.m1a
    U, X, P = AttendanceStatus.UNEXCUSED, AttendanceStatus.EXCUSED, AttendanceStatus.PRESENT
    # a: January to March running; b: January, March and May, excused in February
    for month, absences in {
        1: {a: U, b: U},
        2: {a: U, b: (X, "Ốm")},
        3: {a: U, b: U},
        4: {a: P, b: P},
        5: {b: U},
    }.items():
        take_attendance(make_meeting(tree.cell1a, held_on=date(2026, month, 10)), absences)
    assert absent_three_months(tree.cell1a, date(2026, 3, 1)) == [a]
    assert absent_three_months(tree.cell1a, date(2026, 4, 1)) == [a]  # still three this year
    assert set(absent_three_months(tree.cell1a, date(2026, 5, 1))) == {a, b}
    assert absent_three_months(tree.cell1a, date(2027, 2, 1)) == []  # a new year starts afresh
    # the cell's meetings page lists them, as of the day it is opened
    monkeypatch.setattr(views, "timezone", SimpleNamespace(localdate=lambda: date(2026, 5, 20)))
    client.force_login(cell_secretary)
    page = client.get(f"/sinh-hoat/don-vi/{tree.cell1a.pk}/").content.decode()
    listed = page.split('class="msg warning absent-three"')[1].split("</div>")[0]
    assert "từ 3 tháng trở lên trong năm" in listed
    assert a.full_name in listed and b.full_name in listed and c.full_name not in listed


def test_the_attendance_page_of_adopted_minutes_sends_back_to_the_meeting(
    client, adopted, ward1_staff
):
    client.force_login(ward1_staff)
    response = client.get(f"/sinh-hoat/{adopted.pk}/diem-danh/", follow=True)
    assert response.redirect_chain[-1][0] == f"/sinh-hoat/{adopted.pk}/"
    assert "không điểm danh lại được" in response.content.decode()


def test_a_new_meeting_form_starts_from_the_cells_last_meeting(client, tree, cell_secretary):
    make_meeting(tree.cell1a, held_on=date(2026, 2, 10), agenda="1. Thu đảng phí.")
    make_meeting(tree.cell1b, held_on=date(2026, 3, 10), place="Hội trường cơ quan")
    client.force_login(cell_secretary)
    page = client.get(f"/sinh-hoat/don-vi/{tree.cell1a.pk}/them/").content.decode()
    assert 'value="Nhà văn hóa khu phố"' in page
    assert 'value="Trần Văn Chủ"' in page and 'value="Lê Thị Ký"' in page
    assert 'value="19:30"' in page and 'value="21:15"' in page
    assert "1. Thu đảng phí." in page
    assert "Hội trường cơ quan" not in page  # another cell's place
    # the month's own text is not carried over
    assert "Thống nhất các nhiệm vụ." not in page


def test_refused_attendance_keeps_what_was_ticked(client, tree, meeting, cell_secretary):
    client.force_login(cell_secretary)
    a, b, _ = tree.members.m1a
    response = client.post(
        f"/sinh-hoat/{meeting.pk}/diem-danh/",
        {f"status_{a.pk}": "excused", f"reason_{a.pk}": "", f"status_{b.pk}": "unexcused"},
    )
    page = response.content.decode()
    assert f"Xin ghi lý do vắng của {a.full_name}" in page
    # the two taps are still there to correct, not reset to "present"
    assert f'id="s{a.pk}-excused" name="status_{a.pk}" value="excused" checked' in page
    assert f'id="s{b.pk}-unexcused" name="status_{b.pk}" value="unexcused" checked' in page
    assert meeting.attendance.filter(status="present").count() == 3  # nothing saved

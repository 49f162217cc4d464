"""A cell with a cell committee (chi ủy) records the committee's own monthly
meeting beside the cell's (domain.md, "Meetings": every cell and cell
committee meets once a month); the tracker and the reports keep counting the
cell's own meetings only."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from chibo.errors import ServiceError
from meetings.models import AttendanceStatus, Meeting, MeetingBody, MeetingKind
from meetings.selectors import (
    absent_three_months,
    home_warnings,
    tracker_cells,
    tracker_rows,
    tracker_summary,
)
from organizations.models import Body, Position
from organizations.services import seat_end, term_open
from reports.catalogue import Params, get_report
from structure.services import seat_assign
from tests.meetings.factories import make_meeting, take_attendance
from tests.meetings.test_pdf import pdf_text

pytestmark = pytest.mark.django_db
COMMITTEE = MeetingBody.CELL_COMMITTEE
TODAY = date(2026, 7, 20)


@pytest.fixture
def committee(tree):
    """cell1a's chi ủy from 01/10/2025: its secretary and one member; a third
    member sat in it until 01/02/2026."""
    secretary, member, former = tree.members.m1a
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2025, 10, 1))
    for who, position in (
        (secretary, Position.SECRETARY),
        (member, Position.COMMITTEE_MEMBER),
        (former, Position.COMMITTEE_MEMBER),
    ):
        seat = seat_assign(
            actor=None,
            term=term,
            member=who,
            position=position,
            body=Body.CELL_COMMITTEE,
            valid_from=date(2025, 10, 1),
        )
    seat_end(actor=None, seat=seat, day=date(2026, 2, 1))
    return tree.cell1a


def test_a_cell_with_a_committee_records_both_meetings_in_the_same_month(committee, tree):
    cell_meeting = make_meeting(committee, held_on=date(2026, 3, 12))
    committee_meeting = make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE)
    assert cell_meeting.body == MeetingBody.UNIT
    assert committee_meeting.body == COMMITTEE
    assert committee_meeting.title_label == "Họp chi ủy"
    assert Meeting.objects.filter(unit=committee, month=date(2026, 3, 1)).count() == 2


def test_the_committee_meeting_expects_only_the_seat_holders_that_day(committee, tree):
    secretary, member, former = tree.members.m1a
    meeting = take_attendance(
        make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE),
        {member: (AttendanceStatus.EXCUSED, "Đi công tác")},
    )
    # the third member's seat ended 01/02/2026; the cell's meeting expects all three
    assert set(meeting.attendance.values_list("member", flat=True)) == {secretary.pk, member.pk}
    assert (meeting.present_count, meeting.summoned_count) == (1, 2)
    with pytest.raises(ServiceError, match="không giữ chức vụ trong chi ủy"):
        take_attendance(meeting, {former: AttendanceStatus.PRESENT})
    cell_meeting = take_attendance(make_meeting(committee, held_on=date(2026, 3, 12)))
    assert cell_meeting.summoned_count == 3


def test_a_committee_meeting_is_refused_where_there_is_no_cell_committee(committee, tree):
    with pytest.raises(ServiceError, match="không có chi ủy"):
        make_meeting(tree.cell1b, held_on=date(2026, 3, 5), body=COMMITTEE)
    # cell1a had no chi ủy before its congress of 01/10/2025
    with pytest.raises(ServiceError, match="Ngày 15/09/2025 “Chi bộ khu phố 1” không có chi ủy"):
        make_meeting(committee, held_on=date(2025, 9, 15), body=COMMITTEE)
    with pytest.raises(ServiceError, match="không phải chi bộ"):
        make_meeting(tree.ward1, held_on=date(2026, 3, 5), body=COMMITTEE)
    # thematic meetings are the cell's, not its committee's
    with pytest.raises(ServiceError, match="Chi ủy chỉ họp thường kỳ hoặc họp bất thường"):
        make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE, kind=MeetingKind.THEMATIC)
    assert not Meeting.objects.exists()


def test_a_second_committee_meeting_in_the_month_is_refused(committee):
    first = make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE)
    with pytest.raises(ServiceError, match="Chi ủy “Chi bộ khu phố 1” đã có cuộc họp thường kỳ"):
        make_meeting(committee, held_on=date(2026, 3, 20), body=COMMITTEE)
    assert list(Meeting.objects.all()) == [first]
    # an extraordinary committee meeting the same month is fine
    make_meeting(
        committee, held_on=date(2026, 3, 20), body=COMMITTEE, kind=MeetingKind.EXTRAORDINARY
    )
    # and the database refuses a second regular one too
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            unit=committee,
            body=COMMITTEE,
            kind=MeetingKind.REGULAR,
            month=first.month,
            held_on=date(2026, 3, 25),
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            duration_minutes=first.duration_minutes,
            place="x",
            chair="x",
            secretary="x",
        )


def test_a_committee_meeting_does_not_fill_the_cells_month_in_the_tracker(committee, board):
    """January: the cell met. February: only the chi ủy met, so the cell's
    month stays missing. March: both met, counted once."""
    take_attendance(make_meeting(committee, held_on=date(2026, 1, 10)))
    take_attendance(
        make_meeting(committee, held_on=date(2026, 2, 5), body=COMMITTEE),
        {chi_uy_secretary(committee): AttendanceStatus.UNEXCUSED},
    )
    take_attendance(make_meeting(committee, held_on=date(2026, 3, 12)))
    take_attendance(make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE))
    cells = tracker_cells(board, committee, 2026)
    [row] = tracker_rows(list(cells), 2026, TODAY)
    assert [ms.state for ms in row.months[:3]] == ["held", "missing", "held"]
    summary = tracker_summary(cells, 2026, TODAY)
    assert (summary["meetings"], summary["held_due"], summary["missing"]) == (2, 2, 4)
    assert (summary["present"], summary["summoned"]) == (6, 6)
    warnings = home_warnings(board, today=date(2026, 3, 20))
    assert committee in warnings["missing"]  # February: only the chi ủy met


def chi_uy_secretary(cell):
    """The chi ủy's secretary (absent without reason from its February meeting)."""
    from organizations.models import Seat

    return Seat.objects.filter(unit=cell, position=Position.SECRETARY).get().member


def test_absence_from_committee_meetings_is_not_absence_from_the_cell(committee):
    secretary = chi_uy_secretary(committee)
    for month in (1, 2, 3):
        take_attendance(
            make_meeting(committee, held_on=date(2026, month, 5), body=COMMITTEE),
            {secretary: AttendanceStatus.UNEXCUSED},
        )
    assert absent_three_months(committee, date(2026, 3, 1)) == []


def test_the_meeting_attendance_report_ignores_committee_meetings(committee, tree):
    take_attendance(make_meeting(committee, held_on=date(2026, 3, 12)))

    def figures():
        return [
            (s.rows, s.totals)
            for by_children in (False, True)
            for s in get_report("meeting_attendance")
            .run(
                tree.ward1,
                Params(start=date(2026, 1, 1), end=date(2026, 6, 30), by_children=by_children),
            )
            .sections
        ]

    before = figures()
    assert before[0][0], "the report has lines for the cells"
    take_attendance(
        make_meeting(committee, held_on=date(2026, 2, 5), body=COMMITTEE),
        {chi_uy_secretary(committee): AttendanceStatus.UNEXCUSED},
    )
    take_attendance(make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE))
    after = figures()
    assert after == before


def test_the_form_offers_the_committee_meeting_only_to_a_cell_with_one(
    client, committee, tree, ward1_staff
):
    client.force_login(ward1_staff)
    page = client.get(f"/sinh-hoat/don-vi/{committee.pk}/them/?body=cell_committee")
    assert "Họp chi ủy" in page.content.decode()
    assert (
        "Ghi cuộc họp chi ủy" in client.get(f"/sinh-hoat/don-vi/{committee.pk}/").content.decode()
    )
    assert (
        "Họp chi ủy" not in client.get(f"/sinh-hoat/don-vi/{tree.cell1b.pk}/them/").content.decode()
    )
    form = {
        "body": "cell_committee",
        "kind": "regular",
        "month": "2026-03",
        "held_on": "2026-03-05",
        "starts_at": "19:30",
        "ends_at": "21:00",
        "place": "Nhà văn hóa",
        "chair": "Trần Văn Chủ",
        "secretary": "Lê Thị Ký",
    }
    refused = client.post(f"/sinh-hoat/don-vi/{tree.cell1b.pk}/them/", form)
    assert "không có chi ủy" in refused.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(f"/sinh-hoat/don-vi/{committee.pk}/them/", form)
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/sinh-hoat/{meeting.pk}/diem-danh/"
    assert meeting.body == COMMITTEE
    page = client.get(response["Location"]).content.decode()
    assert page.count('value="present" checked') == 2  # the two seat holders


def test_the_committee_minutes_pdf_is_titled_as_the_committees(
    client, committee, tree, ward1_staff
):
    meeting = take_attendance(
        make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE, number="03")
    )
    client.force_login(ward1_staff)
    text = pdf_text(client.get(f"/sinh-hoat/{meeting.pk}/bien-ban.pdf"))
    assert "BIÊN BẢN HỌP CHI ỦY" in text
    assert "Tổng số chi ủy viên: 2" in text
    cell_text = pdf_text(
        client.get(
            f"/sinh-hoat/{take_attendance(make_meeting(committee, held_on=date(2026, 3, 12))).pk}"
            "/bien-ban.pdf"
        )
    )
    assert "HỌP CHI ỦY" not in cell_text


def test_the_committee_meeting_keeps_its_body_when_edited(client, committee, ward1_staff):
    meeting = make_meeting(committee, held_on=date(2026, 3, 5), body=COMMITTEE)
    client.force_login(ward1_staff)
    assert "Họp chi ủy tháng 03/2026" in client.get(f"/sinh-hoat/{meeting.pk}/").content.decode()
    response = client.post(
        f"/sinh-hoat/{meeting.pk}/sua/",
        {
            "body": "unit",  # the field is disabled: a forged change is ignored
            "kind": "regular",
            "month": "2026-03",
            "held_on": "2026-03-06",
            "starts_at": "19:30",
            "ends_at": "21:00",
            "place": "Văn phòng chi bộ",
            "chair": "Trần Văn Chủ",
            "secretary": "Lê Thị Ký",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.body, meeting.place) == (COMMITTEE, "Văn phòng chi bộ")

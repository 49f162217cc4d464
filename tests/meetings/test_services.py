from datetime import date, time

import pytest
from django.db import IntegrityError, transaction

from chibo.errors import ServiceError
from chibo.models import AuditEvent
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MinutesVersion,
    Restriction,
    Vote,
)
from meetings.services import (
    meeting_record_attendance,
    meeting_update,
    minutes_adopt,
    minutes_correct,
    vote_record,
)
from members.choices import Status
from members.services import member_exempt, member_place, member_transfer_temporary
from tests.factories import make_member
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db


def test_recording_a_meeting_writes_its_length_and_an_audit_record(tree, cell_secretary):
    meeting = make_meeting(tree.cell1a, actor=cell_secretary, ends_at=time(21, 0))
    assert meeting.duration_minutes == 90
    assert meeting.month == date(2026, 3, 1)
    assert AuditEvent.objects.filter(action="meeting_create", actor=cell_secretary).count() == 1


def test_an_end_time_before_the_start_is_refused_and_nothing_is_written(tree):
    with pytest.raises(ServiceError, match="Giờ kết thúc \\(19:00\\) phải sau giờ bắt đầu"):
        make_meeting(tree.cell1a, starts_at=time(19, 30), ends_at=time(19, 0))
    assert not Meeting.objects.exists()


def test_a_second_regular_meeting_in_the_same_month_is_refused(tree):
    first = make_meeting(tree.cell1a, held_on=date(2026, 3, 5))
    with pytest.raises(ServiceError, match="đã có cuộc sinh hoạt thường kỳ tháng 03/2026"):
        make_meeting(tree.cell1a, held_on=date(2026, 3, 20))
    with pytest.raises(ServiceError, match="đã có cuộc sinh hoạt thường kỳ"):
        make_meeting(tree.cell1a, held_on=date(2026, 3, 20), kind=MeetingKind.COMBINED)
    assert list(Meeting.objects.all()) == [first]
    # a thematic meeting the same month and another cell's regular one are fine
    make_meeting(tree.cell1a, held_on=date(2026, 3, 20), kind=MeetingKind.THEMATIC)
    make_meeting(tree.cell1b, held_on=date(2026, 3, 20))
    assert Meeting.objects.count() == 3


def test_the_database_also_refuses_a_second_regular_meeting(tree):
    first = make_meeting(tree.cell1a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            unit=tree.cell1a,
            kind=MeetingKind.REGULAR,
            month=first.month,
            held_on=first.held_on,
            starts_at=time(8),
            ends_at=time(10),
            duration_minutes=120,
            place="x",
            chair="x",
            secretary="x",
        )


def test_a_meeting_held_next_month_counts_for_its_month_and_is_late(tree):
    meeting = make_meeting(tree.cell1a, held_on=date(2026, 4, 3), month=date(2026, 3, 1))
    assert meeting.month == date(2026, 3, 1)
    assert meeting.held_late


def test_a_thematic_meeting_needs_its_subject_and_future_meetings_are_refused(tree):
    with pytest.raises(ServiceError, match="cần ghi tên chuyên đề"):
        make_meeting(tree.cell1a, kind=MeetingKind.THEMATIC, thematic_subject="")
    with pytest.raises(ServiceError, match="chưa tới"):
        make_meeting(tree.cell1a, held_on=date(2099, 1, 5))
    with pytest.raises(ServiceError, match="không thể tính cho tháng 12/2025"):
        make_meeting(tree.cell1a, held_on=date(2026, 3, 5), month=date(2025, 12, 1))
    assert not Meeting.objects.exists()


def test_a_user_outside_the_unit_cannot_record_its_meeting(tree, ward2_staff, board):
    with pytest.raises(ServiceError, match="không có quyền"):
        make_meeting(tree.cell1a, actor=ward2_staff)
    with pytest.raises(ServiceError, match="không có quyền"):
        make_meeting(tree.cell1a, actor=board)  # reviewers only read
    assert not Meeting.objects.exists()


def test_expected_attendance_follows_the_placements_across_a_transfer_date(tree):
    mover = tree.members.m1a[0]
    member_place(actor=None, member=mover, unit=tree.cell1b, day=date(2026, 3, 15))
    before_a = make_meeting(tree.cell1a, held_on=date(2026, 3, 14))
    after_a = make_meeting(tree.cell1a, held_on=date(2026, 4, 10))
    after_b = make_meeting(tree.cell1b, held_on=date(2026, 3, 15))
    for m in (before_a, after_a, after_b):
        take_attendance(m)
    assert set(before_a.attendance.values_list("member", flat=True)) == {
        m.pk for m in tree.members.m1a
    }
    assert mover.pk not in set(after_a.attendance.values_list("member", flat=True))
    assert after_a.summoned_count == 2
    assert mover.pk in set(after_b.attendance.values_list("member", flat=True))
    assert after_b.summoned_count == 3


def test_attendance_for_someone_not_in_the_cell_on_that_date_is_refused(tree):
    mover = tree.members.m1a[0]
    member_place(actor=None, member=mover, unit=tree.cell1b, day=date(2026, 3, 15))
    meeting = make_meeting(tree.cell1a, held_on=date(2026, 4, 10))
    take_attendance(meeting)
    stranger = tree.members.m2a[0]
    for outsider in (stranger, mover):
        with pytest.raises(ServiceError, match="không phải đảng viên của “Chi bộ khu phố 1”"):
            meeting_record_attendance(
                actor=None,
                meeting=meeting,
                entries={outsider.pk: {"status": AttendanceStatus.PRESENT}},
            )
    # nothing changed: the earlier attendance is intact
    assert meeting.attendance.count() == 2
    assert not meeting.attendance.filter(member__in=[stranger, mover]).exists()


def test_exempt_and_temporarily_away_members_are_preset_from_the_history(tree):
    a, b, c = tree.members.m1a
    a.birth_date = date(1950, 1, 1)
    a.save()
    member_exempt(actor=None, member=a, day=date(2026, 1, 1), reason="age")
    member_transfer_temporary(actor=None, member=b, host=tree.cell2a, day=date(2026, 2, 1))
    meeting = take_attendance(make_meeting(tree.cell1a))
    statuses = dict(meeting.attendance.values_list("member", "status"))
    assert statuses == {
        a.pk: AttendanceStatus.EXEMPT,
        b.pk: AttendanceStatus.AWAY,
        c.pk: AttendanceStatus.PRESENT,
    }
    # neither counts in the summoned figure; an exempt member who comes is present
    assert (meeting.present_count, meeting.summoned_count, meeting.expected_count) == (1, 1, 3)
    take_attendance(meeting, {a: AttendanceStatus.PRESENT})
    assert (meeting.present_count, meeting.summoned_count) == (2, 2)
    # the host cell does not count the temporary member
    host = take_attendance(make_meeting(tree.cell2a))
    assert not host.attendance.filter(member=b).exists()


def test_marking_a_member_exempt_who_is_not_is_refused(tree):
    meeting = make_meeting(tree.cell1a)
    with pytest.raises(ServiceError, match="không được miễn sinh hoạt"):
        take_attendance(meeting, {tree.members.m1a[0]: AttendanceStatus.EXEMPT})
    assert not meeting.attendance.exists()


def test_absences_with_reasons_are_counted(tree):
    a, b, c = tree.members.m1a
    meeting = take_attendance(
        make_meeting(tree.cell1a),
        {a: (AttendanceStatus.EXCUSED, "Ốm"), b: AttendanceStatus.UNEXCUSED},
    )
    assert (meeting.present_count, meeting.summoned_count) == (1, 3)
    assert Attendance.objects.get(meeting=meeting, member=a).reason == "Ốm"
    # absent "with a reason" needs the reason: the minutes record it
    with pytest.raises(ServiceError, match=f"Xin ghi lý do vắng của {a.full_name}"):
        take_attendance(meeting, {a: (AttendanceStatus.EXCUSED, "  ")})
    assert Attendance.objects.get(meeting=meeting, member=a).reason == "Ốm"


def test_adopted_minutes_are_locked_and_editing_them_is_refused(tree, ward1_staff):
    meeting = take_attendance(make_meeting(tree.cell1a))
    minutes_adopt(actor=ward1_staff, meeting=meeting)
    with pytest.raises(ServiceError, match="đã được thông qua"):
        meeting_update(actor=ward1_staff, meeting=meeting, conclusions="Khác")
    with pytest.raises(ServiceError, match="đã được thông qua"):
        take_attendance(meeting, {tree.members.m1a[0]: AttendanceStatus.UNEXCUSED})
    with pytest.raises(ServiceError, match="đã được thông qua"):
        minutes_adopt(actor=ward1_staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.conclusions == "Thống nhất các nhiệm vụ."
    assert meeting.present_count == 3


def test_minutes_need_attendance_before_adoption(tree):
    meeting = make_meeting(tree.cell1a)
    with pytest.raises(ServiceError, match="Chưa điểm danh"):
        minutes_adopt(actor=None, meeting=meeting)
    assert not MinutesVersion.objects.exists()


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(tree, ward1_staff):
    meeting = take_attendance(make_meeting(tree.cell1a))
    v1 = minutes_adopt(actor=ward1_staff, meeting=meeting)
    v2 = minutes_correct(
        actor=ward1_staff,
        meeting=meeting,
        reason="Ghi sai tên người chủ trì",
        chair="Phạm Văn Đúng",
    )
    assert (v1.number, v2.number) == (1, 2)
    v1.refresh_from_db()
    assert v1.content["chair"] == "Trần Văn Chủ"
    assert v2.content["chair"] == "Phạm Văn Đúng"
    assert v2.reason == "Ghi sai tên người chủ trì"
    meeting.refresh_from_db()
    assert meeting.chair == "Phạm Văn Đúng"
    with pytest.raises(ServiceError, match="lý do đính chính"):
        minutes_correct(actor=ward1_staff, meeting=meeting, reason="", chair="X")
    with pytest.raises(ServiceError, match="không thay đổi gì"):
        minutes_correct(actor=ward1_staff, meeting=meeting, reason="r", chair="Phạm Văn Đúng")
    # a correction cannot leave the minutes without a chair, a secretary or a place
    for field in ("chair", "secretary", "place"):
        with pytest.raises(ServiceError, match="Xin nhập"):
            minutes_correct(actor=ward1_staff, meeting=meeting, reason="r", **{field: " "})
    assert meeting.versions.count() == 2
    meeting.refresh_from_db()
    assert (meeting.chair, meeting.secretary) == ("Phạm Văn Đúng", "Lê Thị Ký")


def test_a_vote_uses_the_rule_denominator_and_records_who_was_left_out(tree):
    cell = tree.cell1a
    extra = [make_member(cell) for _ in range(4)]  # 7 official members
    probationary = make_member(cell, status=Status.PROBATIONARY)
    a, b, c = tree.members.m1a
    meeting = take_attendance(
        make_meeting(cell),
        {a: (AttendanceStatus.EXCUSED, "Ốm"), b: AttendanceStatus.UNEXCUSED},
    )
    Attendance.objects.filter(meeting=meeting, member=extra[0]).update(
        restriction=Restriction.SUSPENDED
    )
    # 7 officials - excused a - suspended extra[0] = 5 counted; b (no reason) still counts
    vote = vote_record(
        actor=None, meeting=meeting, subject="Nghị quyết tháng", kind=Vote.Kind.ORDINARY, yes=3
    )
    assert (vote.denominator, vote.needed, vote.passed) == (5, 3, True)
    names = {row["name"] for row in vote.left_out}
    assert names == {a.full_name, extra[0].full_name, probationary.full_name}
    fails = vote_record(
        actor=None,
        meeting=meeting,
        subject="Kết nạp quần chúng Nguyễn Văn A",
        kind=Vote.Kind.ADMISSION,
        yes=3,
        no=1,
    )
    assert (fails.denominator, fails.needed, fails.passed) == (5, 4, False)


def test_more_votes_than_voters_present_is_refused(tree):
    meeting = take_attendance(make_meeting(tree.cell1a), {tree.members.m1a[0]: "unexcused"})
    with pytest.raises(ServiceError, match="nhiều hơn số đảng viên chính thức có mặt"):
        vote_record(actor=None, meeting=meeting, subject="X", kind=Vote.Kind.ORDINARY, yes=3)
    assert not Vote.objects.exists()


def test_a_committee_meeting_expects_the_members_holding_a_seat_in_it(tree):
    from organizations.models import Body, Position
    from organizations.services import term_open
    from structure.services import seat_assign

    term = term_open(actor=None, unit=tree.ward1, congress_on=date(2025, 10, 1))
    secretary, member = tree.members.m1a[0], tree.members.m1b[0]
    seat_assign(
        actor=None,
        term=term,
        member=secretary,
        position=Position.SECRETARY,
        body=Body.EXECUTIVE,
        valid_from=date(2025, 10, 1),
    )
    seat_assign(
        actor=None,
        term=term,
        member=member,
        position=Position.COMMITTEE_MEMBER,
        body=Body.EXECUTIVE,
        valid_from=date(2025, 10, 1),
    )
    meeting = take_attendance(
        make_meeting(tree.ward1), {member: (AttendanceStatus.EXCUSED, "Đi công tác")}
    )
    assert set(meeting.attendance.values_list("member", flat=True)) == {secretary.pk, member.pk}
    assert (meeting.present_count, meeting.summoned_count) == (1, 2)
    with pytest.raises(ServiceError, match="không phải đảng viên"):
        take_attendance(meeting, {tree.members.m1a[1]: AttendanceStatus.PRESENT})

"""meeting_attendance: meetings held against required, thematic meetings,
attendance by category of cell against its target, absences (seed 004)."""

from datetime import date, time

import pytest

from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from meetings.services import meeting_create, meeting_record_attendance
from organizations.models import Category, Level
from reports.catalogue import Params, get_report
from tests.factories import make_unit
from tests.reports.factories import bulk_members

YEAR_START, YEAR_END = date(2024, 1, 1), date(2024, 12, 31)


def run(unit, start=YEAR_START, end=YEAR_END, by_children=False):
    return get_report("meeting_attendance").run(
        unit, Params(start=start, end=end, by_children=by_children)
    )


def hold(cell, members, months, *, thematic_months=(), absent=1, reason="Ốm"):
    """Meetings of `cell` in 2024's `months` (combined regular + thematic in
    `thematic_months`), each with `absent` members absent, with the attendance
    cache the meetings service keeps."""
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                unit=cell,
                kind=MeetingKind.COMBINED if m in thematic_months else MeetingKind.REGULAR,
                month=date(2024, m, 1),
                held_on=date(2024, m, 10),
                starts_at=time(19, 0),
                ends_at=time(21, 0),
                duration_minutes=120,
                place="Nhà văn hóa",
                chair="Bí thư",
                secretary="Thư ký",
                expected_count=len(members),
                summoned_count=len(members),
                present_count=len(members) - absent,
                attendance_taken=True,
            )
            for m in months
        ]
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                member=member,
                status=(
                    (AttendanceStatus.EXCUSED if reason else AttendanceStatus.UNEXCUSED)
                    if i < absent
                    else AttendanceStatus.PRESENT
                ),
                reason=reason if i < absent else "",
            )
            for meeting in meetings
            for i, member in enumerate(members)
        ]
    )


@pytest.fixture
def ward(db):
    top = make_unit("Đảng bộ phường", level=Level.GRASSROOTS_COMMITTEE)
    residential = make_unit("Chi bộ khu phố 1", parent=top, category=Category.RESIDENTIAL)
    school = make_unit("Chi bộ Trường Tiểu học", parent=top, category=Category.SCHOOL)
    hold(residential, bulk_members(residential, 10), range(1, 13), thematic_months=(3, 6, 9, 12))
    members = bulk_members(school, 10)
    hold(school, members, [1, 2, 3, 5, 6, 7, 8, 10, 11, 12], thematic_months=(2, 8), reason="")
    return top, residential, school


def rows_of(section):
    return {r[0]: r[1:] for r in section.rows}


def test_meetings_held_against_required_and_thematic_by_category(ward):
    top, *_ = ward
    held = rows_of(run(top).sections[0])
    assert held["Chi bộ tổ dân phố / khu phố"] == [1, 12, 12, 100.0, 4, 4]
    assert held["Chi bộ nhà trường"] == [1, 12, 10, 83.3, 4, 2]


def test_attendance_against_each_categorys_target(ward):
    top, *_ = ward
    section = run(top).sections[1]
    rows = rows_of(section)
    assert rows["Chi bộ tổ dân phố / khu phố"] == [120, 108, 90.0, 85.0, "Đạt", 12, 0]
    assert rows["Chi bộ nhà trường"] == [100, 90, 90.0, 95.0, "Chưa đạt", 0, 10]
    assert section.totals[1:4] == [220, 198, 90.0]


def test_a_cell_founded_mid_year_owes_only_its_months(ward):
    top, *_ = ward
    make_unit(
        "Chi bộ khu phố 2", parent=top, category=Category.RESIDENTIAL, founded_on=date(2024, 7, 1)
    )
    held = rows_of(run(top).sections[0])
    assert held["Chi bộ tổ dân phố / khu phố"] == [2, 18, 12, 66.7, 6, 4]


def test_breakdown_by_cell(ward, django_assert_max_num_queries):
    top, residential, school = ward
    with django_assert_max_num_queries(6):
        section = run(top, by_children=True).sections[0]
    rows = dict(zip(section.row_units, section.rows, strict=True))
    assert rows[residential.pk][1:] == [12, 12, 100.0, 4, 90.0, 0]
    assert rows[school.pk][1:] == [12, 10, 83.3, 2, 90.0, 10]
    assert section.totals[1:] == [24, 22, 91.7, 6, 90.0, 10]


def test_a_meeting_recorded_through_the_services_counts(tree):
    meeting = meeting_create(
        actor=None,
        unit=tree.cell2a,
        kind=MeetingKind.REGULAR,
        month=date(2024, 5, 1),
        held_on=date(2024, 5, 12),
        starts_at=time(8, 0),
        ends_at=time(10, 0),
        place="Hội trường ấp",
        chair="Nguyễn Văn A",
        secretary="Trần Thị B",
    )
    absent = tree.members.m2a[0]
    meeting_record_attendance(
        actor=None,
        meeting=meeting,
        entries={absent.pk: {"status": AttendanceStatus.UNEXCUSED}},
    )
    section = run(tree.ward2, start=date(2024, 5, 1), end=date(2024, 5, 31)).sections[1]
    assert rows_of(section)["Chi bộ thôn / làng / bản / ấp"] == [4, 3, 75.0, 85.0, "Chưa đạt", 0, 1]

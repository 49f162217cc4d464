"""Absences without reason count only the months in which
the person was a party member (not yet a candidate, not gone) placed in that
cell (Điều lệ Đảng, Điều 8: three months in a year is a ground for removal)."""

from datetime import date

import pytest

from meetings.models import Attendance, AttendanceStatus
from meetings.selectors import absent_three_months
from members.choices import PlacementKind
from members.models import Placement
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 1)


def test_absences_from_before_a_member_joined_the_cell_are_not_counted(tree):
    a, b, _c = tree.members.m1a
    for month in (1, 2, 3):
        meeting = make_meeting(tree.cell1a, held_on=date(2026, month, 10))
        take_attendance(meeting, {a: AttendanceStatus.UNEXCUSED, b: AttendanceStatus.UNEXCUSED})
    assert set(absent_three_months(tree.cell1a, date(2026, 3, 1))) == {a, b}
    # the history of b is corrected (a roster with its past): b came to this
    # cell from cell 2a only on 01/06/2026; the attendance sheets still say
    # absent in January to March
    placement = Placement.objects.get(member=b, kind=PlacementKind.PERMANENT)
    placement.valid_from = JUNE
    placement.save()
    Placement.objects.create(
        member=b,
        unit=tree.cell2a,
        kind=PlacementKind.PERMANENT,
        valid_from=date(2010, 1, 1),
        valid_to=JUNE,
    )
    assert Attendance.objects.filter(member=b, status=AttendanceStatus.UNEXCUSED).count() == 3
    assert absent_three_months(tree.cell1a, date(2026, 3, 1)) == [a]
    assert absent_three_months(tree.cell2a, date(2026, 3, 1)) == []  # not that cell's meetings

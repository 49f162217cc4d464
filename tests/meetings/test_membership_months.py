"""Dues arrears and absences without reason count only the months in which
the person was a party member (not yet a candidate, not gone) placed in that
cell (Điều lệ Đảng, Điều 8: three months in a year is a ground for removal)."""

from datetime import date

import pytest

from meetings.models import Attendance, AttendanceStatus
from meetings.selectors import absent_three_months, dues_sheet
from members.choices import PlacementKind
from members.models import Placement
from members.services import member_admit, member_place
from tests.meetings.factories import make_meeting, take_attendance
from tests.members.factories import make_candidate

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 1)
LATER = date(2026, 7, 20)  # June is over


def unpaid(sheet) -> dict:
    return {line["member"].pk: line["unpaid_months"] for line in sheet["lines"]}


def test_a_member_admitted_in_may_owes_no_dues_for_the_months_before(tree):
    helpers = tree.members.m1a[:2]
    candidate = make_candidate(tree.cell1a, helpers, proposed_on=date(2025, 1, 10))
    member_admit(
        actor=None, member=candidate, decided_on=date(2026, 5, 10), ceremony_on=date(2026, 5, 10)
    )
    sheet = dues_sheet(tree.cell1a, JUNE, today=LATER)
    # a candidate until 10/05: the first month owed is June
    assert unpaid(sheet)[candidate.pk] == [JUNE]
    assert candidate.pk not in {line["member"].pk for line in sheet["unpaid_three"]}
    # an official member who paid nothing owes every month of the year so far
    assert unpaid(sheet)[helpers[0].pk] == [date(2026, m, 1) for m in range(1, 7)]


def test_a_member_who_transferred_in_in_june_owes_this_cell_only_from_june(tree):
    newcomer = tree.members.m2a[0]
    member_place(actor=None, member=newcomer, unit=tree.cell1a, day=JUNE)
    sheet = dues_sheet(tree.cell1a, JUNE, today=LATER)
    assert unpaid(sheet)[newcomer.pk] == [JUNE]


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

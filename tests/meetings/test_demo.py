"""The demo's meetings: twelve months for every cell, with the gaps real cells
have, and attendance that agrees with the placement history."""

from django.core.management import call_command
from django.utils import timezone

from chibo.dates import add_months
from meetings.models import REGULAR_KINDS, THEMATIC_KINDS, Meeting
from meetings.selectors import tracker_rows
from members.selectors import members_on
from organizations.models import CELL_LEVELS, Unit


def test_the_demo_has_a_year_of_meetings_with_attendance_and_realistic_gaps(db):
    call_command("seed_demo")
    cells = list(Unit.objects.filter(level__in=CELL_LEVELS, dissolved_on__isnull=True))
    assert len(cells) >= 20
    this_month = timezone.localdate().replace(day=1)
    first = add_months(this_month, -12)
    regular = Meeting.objects.filter(kind__in=REGULAR_KINDS, month__gte=first, month__lt=this_month)
    for cell in cells:
        months = set(regular.filter(unit=cell).values_list("month", flat=True))
        assert len(months) >= 9, cell.name  # most months held, a few missed
        assert Meeting.objects.filter(unit=cell, kind__in=THEMATIC_KINDS).exists(), cell.name
    # the gaps the tracker is there to show
    assert regular.count() < 12 * len(cells)  # some months missed
    rows = [r for year in {first.year, this_month.year} for r in tracker_rows(cells, year)]
    assert sum(r.late for r in rows) > 0
    assert sum(r.short for r in rows) > 0
    assert sum(r.low for r in rows) > 0
    # every meeting's attendance is the cell's members on its date
    taken = Meeting.objects.filter(attendance_taken=True, unit__in=cells)
    assert taken.count() == Meeting.objects.filter(unit__in=cells).count()
    for meeting in taken.order_by("pk")[::25]:
        expected = {row.member.pk for row in members_on(meeting.unit, meeting.held_on)}
        recorded = set(meeting.attendance.values_list("member_id", flat=True))
        assert recorded == expected, meeting
        assert meeting.expected_count == len(expected)

"""meetings_record_attendance_bulk, the service the attendance-sheet import
writes a province's months with: the same meetings, attendance rows and
audit records as meeting_create + meeting_record_attendance meeting by
meeting, the same refusals, and a number of queries that does not grow with
the number of cells and months."""

from datetime import date, time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chibo.errors import ServiceError
from chibo.models import AuditEvent
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from meetings.services import (
    MeetingSheet,
    meeting_create,
    meeting_record_attendance,
    meetings_record_attendance_bulk,
)
from members.selectors import members_on
from members.services import member_exempt, member_transfer_temporary
from tests.factories import make_member, make_unit
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db

YEAR = 2025


def values(month: int, day: int = 5) -> dict:
    return {
        "kind": MeetingKind.REGULAR,
        "month": date(YEAR, month, 1),
        "held_on": date(YEAR, month, day),
        "starts_at": time(19, 30),
        "ends_at": time(21, 0),
        "place": "Nhà văn hóa",
        "chair": " Trần Văn Chủ ",
        "secretary": "Lê Thị Ký",
    }


def entries_of(members, month: int) -> dict:
    """A varied month: one excused with a reason, one unexcused, the exempt
    member present in odd months; the rest left to the history."""
    first, second, exempt, *_rest = members
    out = {}
    if month % 3 == 0:
        out[first.pk] = {"status": AttendanceStatus.EXCUSED, "reason": "Ốm"}
    if month % 4 == 0:
        out[second.pk] = {"status": AttendanceStatus.UNEXCUSED, "reason": ""}
    if month % 2:
        out[exempt.pk] = {"status": AttendanceStatus.PRESENT}
    return out


def snapshot():
    skip = {"id", "unit", "created_at"}
    meeting_fields = [f.attname for f in Meeting._meta.concrete_fields if f.name not in skip]
    return (
        list(Meeting.objects.order_by("unit_id", "month").values_list("unit_id", *meeting_fields)),
        list(
            Attendance.objects.order_by(
                "meeting__unit_id", "meeting__month", "member_id"
            ).values_list(
                "meeting__unit_id",
                "meeting__month",
                "member_id",
                "status",
                "reason",
                "official",
                "exempt",
                "restriction",
            )
        ),
        list(
            AuditEvent.objects.filter(action__startswith="meeting_")
            .order_by("pk")
            .values_list("actor_id", "action", "target_type", "unit_path", "summary", "data")
        ),
    )


class Rollback(Exception):
    pass


@pytest.fixture
def cell_year(tree):
    """A cell with an exempt member, one away on a temporary transfer from
    June, one who arrives in May, and a meeting of March already recorded."""
    cell = tree.cell1a
    members = tree.members.m1a
    members[2].birth_date = date(1950, 1, 1)
    members[2].save()
    member_exempt(actor=None, member=members[2], day=date(YEAR - 1, 1, 1), reason="age")
    member_transfer_temporary(actor=None, member=members[1], host=tree.cell2a, day=date(YEAR, 6, 1))
    members.append(make_member(cell, since=date(YEAR, 5, 1)))
    march = take_attendance(make_meeting(cell, held_on=date(YEAR, 3, 9)))
    return cell, members, march


def test_the_bulk_service_writes_what_the_per_meeting_services_write(cell_year, cell_secretary):
    cell, members, march = cell_year
    months = range(1, 13)

    def by_hand():
        for m in months:
            meeting = (
                march if m == 3 else meeting_create(actor=cell_secretary, unit=cell, **values(m))
            )
            meeting_record_attendance(
                actor=cell_secretary, meeting=meeting, entries=entries_of(members, m)
            )

    def in_bulk():
        sheets = [
            MeetingSheet(
                meeting=march if m == 3 else None,
                unit=cell,
                values=None if m == 3 else values(m),
                entries=entries_of(members, m),
                expected=members_on(cell, march.held_on if m == 3 else date(YEAR, m, 5)),
            )
            for m in months
        ]
        done = meetings_record_attendance_bulk(actor=cell_secretary, sheets=sheets)
        assert [mt.month.month for mt in done] == list(months)
        assert done[2].pk == march.pk

    results = []
    for write in (by_hand, in_bulk):
        with pytest.raises(Rollback), transaction.atomic():
            write()
            results.append(snapshot())
            raise Rollback
    typed, bulk = results
    assert typed == bulk
    meetings, attendance, events = bulk
    # March's two records from the fixture, 11 meetings created, 12 attendances
    assert len(meetings) == 12 and len(events) == 2 + 11 + 12
    # what the history says, as the per-meeting service records it
    june = {row[2]: row[3] for row in attendance if row[1] == date(YEAR, 6, 1)}
    assert june == {
        members[0].pk: AttendanceStatus.EXCUSED,
        members[1].pk: AttendanceStatus.AWAY,
        members[2].pk: AttendanceStatus.EXEMPT,
        members[3].pk: AttendanceStatus.PRESENT,
    }
    assert not [row for row in attendance if row[2] == members[3].pk and row[1].month < 5]


def test_a_refused_sheet_writes_none_of_the_others(cell_year):
    cell, members, march = cell_year
    before = snapshot()
    good = MeetingSheet(
        unit=cell, values=values(1), entries={}, expected=members_on(cell, date(YEAR, 1, 5))
    )
    # the newcomer was not yet in the cell in February
    stranger = MeetingSheet(
        unit=cell,
        values=values(2),
        entries={members[3].pk: {"status": AttendanceStatus.PRESENT}},
        expected=members_on(cell, date(YEAR, 2, 5)),
    )
    with pytest.raises(ServiceError, match="không phải đảng viên của “Chi bộ khu phố 1”"):
        meetings_record_attendance_bulk(actor=None, sheets=[good, stranger])
    no_reason = MeetingSheet(
        unit=cell,
        values=values(4),
        entries={members[0].pk: {"status": AttendanceStatus.EXCUSED, "reason": " "}},
        expected=members_on(cell, date(YEAR, 4, 5)),
    )
    with pytest.raises(ServiceError, match="Xin ghi lý do vắng"):
        meetings_record_attendance_bulk(actor=None, sheets=[good, no_reason])
    # a second regular meeting of March, or two of January in one call
    with pytest.raises(ServiceError, match="đã có cuộc sinh hoạt thường kỳ tháng 03/2025"):
        meetings_record_attendance_bulk(
            actor=None,
            sheets=[good, MeetingSheet(unit=cell, values=values(3, 20), entries={})],
        )
    with pytest.raises(ServiceError, match="đã có cuộc sinh hoạt thường kỳ tháng 01/2025"):
        meetings_record_attendance_bulk(
            actor=None, sheets=[good, MeetingSheet(unit=cell, values=values(1, 20), entries={})]
        )
    late = values(5)
    late["held_on"] = date(YEAR + 5, 5, 5)
    with pytest.raises(ServiceError, match="chưa tới"):
        meetings_record_attendance_bulk(
            actor=None, sheets=[good, MeetingSheet(unit=cell, values=late, entries={})]
        )
    assert snapshot() == before


def test_adopted_minutes_and_another_cell_are_refused(cell_year, cell_secretary, tree):
    from meetings.services import minutes_adopt

    cell, members, march = cell_year
    minutes_adopt(actor=None, meeting=march)
    before = snapshot()
    with pytest.raises(ServiceError, match="đã được thông qua"):
        meetings_record_attendance_bulk(
            actor=None, sheets=[MeetingSheet(meeting=march, entries={})]
        )
    other = MeetingSheet(unit=tree.cell2a, values=values(1), entries={})
    with pytest.raises(
        ServiceError, match="không có quyền ghi số liệu sinh hoạt của “Chi bộ ấp 1”"
    ):
        meetings_record_attendance_bulk(actor=cell_secretary, sheets=[other])
    assert snapshot() == before


def province(n_cells: int):
    ward = make_unit(f"Đảng bộ xã Đếm {n_cells}", level="grassroots_committee")
    cells = [make_unit(f"Chi bộ đếm {n_cells}-{i}", parent=ward) for i in range(n_cells)]
    for c in cells:
        make_member(c)
        make_member(c)
    return cells


def count_queries(cells, months, *, stored: bool) -> int:
    sheets = []
    for c in cells:
        for m in months:
            meeting = make_meeting(c, held_on=date(YEAR, m, 5)) if stored else None
            first = members_on(c, date(YEAR, m, 5))[0].member
            sheets.append(
                MeetingSheet(
                    meeting=meeting,
                    unit=c,
                    values=None if stored else values(m),
                    entries={first.pk: {"status": AttendanceStatus.EXCUSED, "reason": "Ốm"}},
                    expected=members_on(c, date(YEAR, m, 5)),
                )
            )
    with CaptureQueriesContext(connection) as ctx:
        meetings_record_attendance_bulk(actor=None, sheets=sheets)
    assert Attendance.objects.filter(meeting__unit__in=cells).count() == 2 * len(cells) * len(
        months
    )
    return len(ctx.captured_queries)


@pytest.mark.parametrize("stored", [False, True], ids=["new meetings", "stored meetings"])
def test_the_number_of_queries_does_not_grow_with_cells_and_months(db, stored):
    small = count_queries(province(1), [1, 2], stored=stored)
    # 24 meetings: SQLite's 999 parameters take 33 new meetings an INSERT (PostgreSQL 1,000)
    large = count_queries(province(2), range(1, 13), stored=stored)
    assert small == large
    assert large <= 10

"""Importing a cell's yearly attendance sheet: the meetings it implies are
created through the meetings services, the marks an office writes are read,
a month outside a member's time in the cell or in the future is refused, and
the attendance report equals the same meetings entered by hand."""

from datetime import date

import pytest
from django.core.management import call_command

from chibo.imports import (
    get_kind,
    import_check,
    import_confirm,
    import_file,
    import_start,
    template_xlsx,
)
from chibo.models import ImportBatch
from chibo.spreadsheets import build_xlsx, read_sheet
from meetings.imports import _BY_MARK, ENDS_AT, STARTS_AT, UNRECORDED
from meetings.models import Attendance, Meeting, MeetingKind
from meetings.services import meeting_create, meeting_record_attendance
from organizations.models import Category, Level
from reports.catalogue import Params, get_report
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

YEAR = 2024
HEADERS = ["Chi bộ", "Năm", "Họ và tên", "Số thẻ đảng viên", *[f"T{m}" for m in range(1, 13)]]
# the marks of four members over 2024; the last one joined the cell on 01/06/2024
MARKS = [
    ["x", "x", "P", "x", "x", "x", "x", "x", "x", "x", "x", "x"],
    ["x", "K", "x", "x", "v", "x", "x", "x", "KP", "x", "x", "x"],
    ["x", "x", "x", "x", "x", "x", "CP", "x", "x", "x", "x", "x"],
    ["", "", "", "", "", "x", "x", "x", "x", "K", "x", "x"],
]


def cell_with_members(name: str):
    ward = make_unit(f"Đảng bộ phường {name}", level=Level.GRASSROOTS_COMMITTEE)
    cell = make_unit(f"Chi bộ khu phố {name}", parent=ward, category=Category.RESIDENTIAL)
    members = [make_member(cell) for _ in range(3)] + [make_member(cell, since=date(2024, 6, 1))]
    return ward, cell, members


def sheet(cell, members, marks=MARKS, year=YEAR) -> bytes:
    rows = [
        [cell.name, str(year), m.full_name, m.card_number, *row]
        for m, row in zip(members, marks, strict=True)
    ]
    return build_xlsx(HEADERS, rows, title=f"BẢNG ĐIỂM DANH NĂM {year}")


def send(data, *, actor=None, dry_run=False) -> ImportBatch:
    return import_file("attendance", actor=actor, file_name="dd.xlsx", data=data, dry_run=dry_run)


def by_hand(cell, members, marks=MARKS):
    """The same year typed on the meeting pages: one regular meeting a month
    on the 5th, its attendance recorded."""
    for m in range(1, 13):
        meeting = meeting_create(
            actor=None,
            unit=cell,
            kind=MeetingKind.REGULAR,
            month=date(YEAR, m, 1),
            held_on=date(YEAR, m, 5),
            starts_at=STARTS_AT,
            ends_at=ENDS_AT,
            place=UNRECORDED,
            chair=UNRECORDED,
            secretary=UNRECORDED,
        )
        entries = {}
        for member, row in zip(members, marks, strict=True):
            if row[m - 1]:
                status = _BY_MARK[row[m - 1].lower()] if row[m - 1] != "v" else "present"
                entries[member.pk] = {"status": status, "reason": "Ốm"}
        meeting_record_attendance(actor=None, meeting=meeting, entries=entries)


def report(unit, by_children=False):
    result = get_report("meeting_attendance").run(
        unit, Params(start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), by_children=by_children)
    )
    return [[list(row[1:]) for row in section.rows] for section in result.sections]


def test_the_sheet_creates_a_meeting_a_month_with_its_attendance(db):
    _ward, cell, members = cell_with_members("Một")
    batch = send(sheet(cell, members))
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    meetings = Meeting.objects.filter(unit=cell).order_by("month")
    assert [mt.month.month for mt in meetings] == list(range(1, 13))
    march = meetings[2]
    assert (march.expected_count, march.present_count) == (3, 2)
    assert Attendance.objects.get(meeting=march, member=members[0]).status == "excused"
    september = meetings[8]
    assert september.present_count == 3 and september.expected_count == 4
    assert Attendance.objects.get(meeting=september, member=members[1]).status == "unexcused"
    # before the newcomer's arrival nothing is recorded for them
    assert not Attendance.objects.filter(member=members[3], meeting__month__lt=date(2024, 6, 1))


def test_the_attendance_report_equals_the_same_meetings_entered_by_hand(db):
    imported_ward, imported_cell, imported_members = cell_with_members("Một")
    typed_ward, typed_cell, typed_members = cell_with_members("Hai")
    assert send(sheet(imported_cell, imported_members)).status == ImportBatch.Status.DONE
    by_hand(typed_cell, typed_members)
    assert report(imported_ward) == report(typed_ward)
    assert report(imported_ward, by_children=True) == report(typed_ward, by_children=True)
    assert report(imported_ward) != report(
        make_unit("Đảng bộ trống", level=Level.GRASSROOTS_COMMITTEE)
    )


def test_the_same_sheet_twice_changes_nothing(db):
    _ward, cell, members = cell_with_members("Một")
    send(sheet(cell, members))
    before = list(Attendance.objects.order_by("pk").values_list("pk", "status"))
    again = send(sheet(cell, members))
    assert again.status == ImportBatch.Status.DONE
    assert again.unchanged_count == 4 and again.new_count == again.updated_count == 0
    assert list(Attendance.objects.order_by("pk").values_list("pk", "status")) == before
    assert Meeting.objects.filter(unit=cell).count() == 12


def test_a_corrected_mark_updates_that_month_only(db):
    _ward, cell, members = cell_with_members("Một")
    send(sheet(cell, members))
    marks = [list(r) for r in MARKS]
    marks[0][3] = "K"
    again = send(sheet(cell, members, marks))
    assert again.updated_count == 1 and again.unchanged_count == 3
    april = Meeting.objects.get(unit=cell, month=date(2024, 4, 1))
    assert Attendance.objects.get(meeting=april, member=members[0]).status == "unexcused"
    assert Meeting.objects.filter(unit=cell).count() == 12


def test_an_existing_meeting_of_the_month_is_used(db):
    _ward, cell, members = cell_with_members("Một")
    by_hand(cell, members)
    marks = [list(r) for r in MARKS]
    marks[2][0] = "P"
    batch = send(sheet(cell, members, marks))
    assert batch.status == ImportBatch.Status.DONE and batch.updated_count == 1
    assert Meeting.objects.filter(unit=cell).count() == 12


def test_bad_marks_and_months_outside_the_members_time_write_nothing(db):
    _ward, cell, members = cell_with_members("Một")
    marks = [list(r) for r in MARKS]
    marks[3][0] = "x"  # before the member came to the cell
    marks[0][1] = "?"  # a mark nobody uses
    marks[1][4] = ""  # a member of the cell that month left without a mark
    marks[2][5] = "M"  # not exempt
    batch = send(sheet(cell, members, marks))
    assert batch.status != ImportBatch.Status.DONE
    found = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert "không sinh hoạt ở Chi bộ khu phố Một" in found[(6, "T1")]
    assert "Không hiểu ký hiệu “?”" in found[(3, "T2")]
    assert "Thiếu ký hiệu" in found[(4, "T5")]
    assert "không được miễn sinh hoạt" in found[(5, "T6")]
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_a_future_month_and_a_missing_member_are_refused(db):
    _ward, cell, members = cell_with_members("Một")
    future = date.today().year + 1
    batch = send(sheet(cell, members[:3], [r for r in MARKS[:3]], year=YEAR))
    assert batch.errors and "không có trong bảng" in batch.errors[0]["message"]
    assert members[3].full_name in batch.errors[0]["message"]
    rows = [[cell.name, str(future), members[0].full_name, "", *MARKS[0]]]
    batch = send(build_xlsx(HEADERS, rows))
    assert any(e["column"] == "Năm" for e in batch.errors)
    assert not Meeting.objects.exists()


def test_an_unknown_cell_suggests_the_closest_name(db):
    _ward, cell, members = cell_with_members("Một")
    rows = [["khu phố Một", str(YEAR), members[0].full_name, "", *MARKS[0]]]
    batch = send(build_xlsx(HEADERS, rows))
    assert "Có phải: “Chi bộ khu phố Một”?" in batch.errors[0]["message"]


def test_a_secretary_imports_their_own_cell_not_another(tree, cell_secretary):
    members = tree.members.m1a
    marks = [["x"] * 12 for _ in members]
    ok = send(sheet(tree.cell1a, members, marks), actor=cell_secretary)
    assert ok.status == ImportBatch.Status.DONE, ok.errors
    other = send(sheet(tree.cell2a, tree.members.m2a, [["x"] * 12] * 4), actor=cell_secretary)
    assert other.errors and other.errors[0]["column"] == "Chi bộ"
    assert not Meeting.objects.filter(unit=tree.cell2a).exists()


def test_confirming_twice_applies_once(db):
    _ward, cell, members = cell_with_members("Một")
    batch = import_check(
        import_start("attendance", actor=None, file_name="dd.xlsx", data=sheet(cell, members))
    )
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    assert import_confirm(batch)
    assert not import_confirm(batch)
    assert Meeting.objects.filter(unit=cell).count() == 12


def test_the_template_and_its_guide_list_the_marks(db):
    kind = get_kind("attendance")
    data = template_xlsx(kind)
    example = next(read_sheet(data, columns=kind.columns).rows).values
    assert example["m3"] == "P" and example["m1"] == "x"
    from openpyxl import load_workbook

    guide = load_workbook(__import__("io").BytesIO(data))["Hướng dẫn"]
    text = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "vắng không lý do" in text and "KP" in text and "MSH" in text


def test_the_command_preview_writes_nothing(db, tmp_path, capsys):
    _ward, cell, members = cell_with_members("Một")
    path = tmp_path / "dd.xlsx"
    path.write_bytes(sheet(cell, members))
    call_command("import_data", "attendance", str(path), "--dry-run")
    assert "4 thêm mới" in capsys.readouterr().out
    assert not Meeting.objects.exists()


def test_a_month_whose_meeting_day_is_still_to_come_is_refused(db):
    _ward, cell, members = cell_with_members("Một")
    today = date.today()
    month, day = (today.month + 1, 5) if today.month < 12 else (today.month, 28)
    if date(today.year, month, day) <= today:
        pytest.skip("no meeting day left in this year to be in the future")
    marks = [["x" if m == month else "" for m in range(1, 13)] for _ in members]
    data = sheet(cell, members, marks, year=today.year)
    batch = import_file(
        "attendance",
        actor=None,
        file_name="dd.xlsx",
        data=data,
        options={"meeting_day": day},
    )
    assert batch.errors and all(e["column"] == f"T{month}" for e in batch.errors[:4])
    assert "chưa tới ngày họp" in batch.errors[0]["message"]
    assert not Meeting.objects.exists()

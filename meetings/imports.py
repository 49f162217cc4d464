"""A cell's yearly attendance sheet as a kind of import (chibo.imports):
one row per member, one column per month (T1..T12 or "Tháng 1".."Tháng 12"),
each cell the mark an office writes: present, excused, unexcused, exempt.

Each month with marks is one regular meeting of the cell: the cell's
existing regular meeting of that month if there is one, otherwise a new one
(on the upload's meeting day, default the 5th). Each month of every cell of
the file is written by one call of
meetings.services.meetings_record_attendance_bulk, which does what
meeting_create and meeting_record_attendance do for each meeting (same
checks, rows and audit records) in a few queries, so the meetings and the
attendance reports read them as if typed on the meeting page, and a
province's sheet (40,000 meetings) takes minutes, not hours.

Checked before anything is written: a mark for a month in which the member
was not in the cell on the meeting day (before their arrival, after their
transfer), a future month, an exempt mark for a member not exempt then, a
member of the cell that day with no mark (the meeting page would count
them present) or missing from the sheet. The attendance of one meeting is
recorded as a whole: a row with an error keeps its cell's other rows out too.
A month whose stored attendance equals the sheet's is left as it is, so
sending the same sheet twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.dates import dmy
from chibo.imports import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATED,
    ImportContext,
    ImportKind,
    RowOutcome,
)
from chibo.spreadsheets import CellError, Column, Row, cell_text, header_key
from meetings.choices import AttendanceStatus, MeetingKind
from meetings.models import REGULAR_KINDS, Attendance, Meeting, MeetingBody
from meetings.services import MeetingSheet, meetings_record_attendance_bulk
from members.finders import MemberFinder
from members.selectors import members_on
from organizations.models import CELL_LEVELS, PATH_STEP, Role, Unit
from organizations.selectors import UnitFinder, role_paths, sees_everything

ROUTINE_KINDS = (Role.Kind.ADMIN, Role.Kind.STAFF, Role.Kind.SECRETARY)
MONTHS = range(1, 13)
DEFAULT_DAY = 5
STARTS_AT, ENDS_AT = time(19, 30), time(21, 0)
UNRECORDED = "Không ghi (nhập từ bảng điểm danh)"
EXCUSED_REASON = "Vắng có lý do (theo bảng điểm danh)"

# The marks offices write, by status (compared ignoring case and accents).
MARKS: dict[str, tuple[str, ...]] = {
    AttendanceStatus.PRESENT: ("x", "v", "✓", "+", "1", "c", "có", "CM", "có mặt"),
    AttendanceStatus.EXCUSED: ("P", "CP", "VP", "VCP", "L", "LD", "vắng có phép", "vắng có lý do"),
    AttendanceStatus.UNEXCUSED: (
        "K",
        "KP",
        "VK",
        "VKP",
        "0",
        "vắng",
        "vắng không phép",
        "vắng không lý do",
    ),
    AttendanceStatus.EXEMPT: ("M", "MSH", "miễn", "miễn sinh hoạt"),
    AttendanceStatus.AWAY: ("T", "TT", "tạm thời", "sinh hoạt tạm thời"),
}
_BY_MARK = {
    header_key(m): status for status, marks in MARKS.items() for m in marks if header_key(m)
}
_BY_MARK |= {"✓": AttendanceStatus.PRESENT, "+": AttendanceStatus.PRESENT}


def parse_mark(value) -> str | None:
    """The attendance status a sheet's cell says; None for an empty cell;
    CellError for a mark nobody uses."""
    text = cell_text(value)
    if not text:
        return None
    status = _BY_MARK.get(text) or _BY_MARK.get(header_key(text))
    if status is None:
        raise CellError(
            _(
                "Không hiểu ký hiệu “%(mark)s” (x: có mặt, P: vắng có lý do, K: vắng không lý do, M: miễn sinh hoạt)."
            )
            % {"mark": text}
        )
    return status


def _month_column(m: int) -> Column:
    return Column(
        f"m{m}",
        f"T{m}",
        aliases=(f"Tháng {m}", f"Tháng {m:02d}", f"T{m:02d}", f"Th{m}", f"Thg {m}"),
        help=_(
            "Ký hiệu tháng %(m)s (xem cuối bảng này); để trống nếu chưa/không sinh hoạt ở chi bộ."
        )
        % {"m": m},
    )


COLUMNS = [
    Column(
        "unit",
        "Chi bộ",
        aliases=("Đơn vị", "Tên chi bộ"),
        required=True,
        help="Tên hoặc mã chi bộ.",
    ),
    Column(
        "year",
        "Năm",
        kind="digits",
        help="Năm của bảng điểm danh; để trống thì dùng năm chọn khi tải lên.",
    ),
    Column("full_name", "Họ và tên", aliases=("Họ tên", "Họ và tên đảng viên"), required=True),
    Column(
        "card_number",
        "Số thẻ đảng viên",
        aliases=("Số thẻ",),
        kind="digits",
        help="Nên ghi khi trùng họ tên.",
    ),
    *[_month_column(m) for m in MONTHS],
]


def _marks_text(status: str) -> str:
    return ", ".join(MARKS[status])


@dataclass(slots=True)
class SheetRow(RowOutcome):
    cell_pk: int | None = None
    year: int | None = None
    member_pk: int | None = None
    marks: dict = field(default_factory=dict)  # {month number: status}


class AttendanceSheetKind(ImportKind):
    name = "attendance"
    slug = "diem-danh-sinh-hoat"
    title = gettext_lazy("Điểm danh sinh hoạt chi bộ (bảng cả năm)")
    description = gettext_lazy(
        "Một dòng một đảng viên, một cột một tháng (T1…T12). Mỗi tháng có ký hiệu là một cuộc "
        "sinh hoạt thường kỳ của chi bộ: cuộc họp đã có được dùng, chưa có thì được tạo vào "
        "ngày họp chọn dưới đây. Bảng của một chi bộ phải đủ mọi đảng viên sinh hoạt ở chi bộ "
        "vào ngày họp."
    )
    columns = COLUMNS
    example = {
        "unit": "Chi bộ khu phố 1",
        "year": "2024",
        "full_name": "Nguyễn Văn An",
        "card_number": "12345678",
        **{f"m{m}": "x" for m in MONTHS},
        "m3": "P",
        "m7": "K",
    }
    guide_notes = [
        (gettext_lazy("Ký hiệu: có mặt"), _marks_text(AttendanceStatus.PRESENT)),
        (gettext_lazy("Ký hiệu: vắng có lý do"), _marks_text(AttendanceStatus.EXCUSED)),
        (gettext_lazy("Ký hiệu: vắng không lý do"), _marks_text(AttendanceStatus.UNEXCUSED)),
        (gettext_lazy("Ký hiệu: miễn sinh hoạt"), _marks_text(AttendanceStatus.EXEMPT)),
        (
            gettext_lazy("Ký hiệu: sinh hoạt tạm thời nơi khác"),
            _marks_text(AttendanceStatus.AWAY),
        ),
        (
            gettext_lazy("Ô trống"),
            gettext_lazy(
                "Tháng đó đảng viên chưa hoặc không còn sinh hoạt ở chi bộ, hoặc chi bộ không họp "
                "(nếu cả cột trống)."
            ),
        ),
        (
            gettext_lazy("Cuộc họp"),
            gettext_lazy(
                "Tháng chưa có cuộc sinh hoạt thường kỳ thì cuộc họp được tạo vào ngày họp chọn "
                "khi tải lên (mặc định ngày 5), 19:30–21:00; địa điểm, chủ trì, thư ký ghi "
                "“Không ghi”, sửa được ở trang cuộc họp."
            ),
        ),
    ]
    template_title = gettext_lazy(
        "BẢNG ĐIỂM DANH SINH HOẠT CHI BỘ — điền từ dòng 3; mỗi đảng viên một dòng, mỗi tháng một cột"
    )
    file_label = gettext_lazy("Tệp bảng điểm danh (.xlsx hoặc .csv)")
    subject_label = gettext_lazy("Họ và tên")
    key_label = gettext_lazy("Số thẻ")
    done_message = gettext_lazy(
        "Đã nhập điểm danh: %(new)s đảng viên có tháng mới, %(updated)s đảng viên có tháng sửa."
    )
    audit_action = "attendance_import"

    def may_use(self, user) -> bool:
        return sees_everything(user) or bool(role_paths(user, ROUTINE_KINDS))

    def option_fields(self, user) -> dict:
        today = timezone.localdate()
        return {
            "year": forms.TypedChoiceField(
                label=gettext_lazy("Năm (cho các dòng không ghi năm)"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—")] + [(y, y) for y in range(today.year, today.year - 11, -1)],
            ),
            "meeting_day": forms.IntegerField(
                label=gettext_lazy("Ngày họp trong tháng (cho các tháng chưa có cuộc họp)"),
                min_value=1,
                max_value=28,
                initial=DEFAULT_DAY,
                required=False,
            ),
        }

    def scope_path(self, actor) -> str:
        paths = [] if _sees_all(actor) else role_paths(actor, ROUTINE_KINDS)
        return min(paths, key=len) if paths else ""

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[SheetRow]:
        cells = UnitFinder(_cells_in_reach(ctx.actor), what=_("chi bộ"))
        people = MemberFinder()
        default_year = ctx.options.get("year")
        out: list[SheetRow] = []
        total = max(1, ctx.total)
        for row in rows:
            out.append(_parse(row, ctx.header, cells, people, default_year))
            if len(out) % 1000 == 0:
                ctx.progress(len(out), total, "analysing")
        _check_meetings(out, ctx)
        return out

    def apply(self, rows: list[SheetRow], ctx: ImportContext) -> dict:
        day = ctx.options.get("meeting_day") or DEFAULT_DAY
        groups: dict[tuple[int, int], list[SheetRow]] = defaultdict(list)
        for r in rows:
            groups[(r.cell_pk, r.year)].append(r)
        created, recorded = [], []
        cells = Unit.objects.in_bulk({cell_pk for cell_pk, _y in groups})
        everyone = _Expected(list(cells.values()))
        stored = _stored(groups)
        for m in MONTHS:  # month by month: one day of the province's members at a time
            sheets = []
            for (cell_pk, year), group in groups.items():
                cell = cells[cell_pk]
                marks = {r.member_pk: r.marks[m] for r in group if m in r.marks}
                if not marks:
                    continue
                meeting, attendance = stored[(cell_pk, year)].get(m, (None, {}))
                if meeting is not None and attendance == marks:
                    continue
                held_on = meeting.held_on if meeting is not None else date(year, m, day)
                sheets.append(
                    MeetingSheet(
                        meeting=meeting,
                        unit=cell,
                        values=_meeting_values(year, m, day) if meeting is None else None,
                        entries={
                            pk: {
                                "status": status,
                                "reason": EXCUSED_REASON
                                if status == AttendanceStatus.EXCUSED
                                else "",
                            }
                            for pk, status in marks.items()
                        },
                        expected=list(
                            everyone.on(
                                cell, held_on, common=held_on == date(year, m, day)
                            ).values()
                        ),
                    )
                )
            done = meetings_record_attendance_bulk(actor=ctx.actor, sheets=sheets)
            created += [mt.pk for mt, s in zip(done, sheets, strict=True) if s.meeting is None]
            recorded += [mt.pk for mt in done]
            ctx.progress(m, 12, "applying")
        return {"meetings_created": created, "meetings_recorded": recorded}


class _Expected:
    """Who was in each cell of the file on a day (members_on), read for every
    cell at once: one members_on over the cells' lowest common unit per
    meeting day, rather than one per cell and month (four queries each:
    160,000 for a province's year)."""

    def __init__(self, cells: list[Unit]):
        paths = [c.path for c in cells]
        prefix = paths[0] if paths else ""
        for p in paths[1:]:
            while not p.startswith(prefix):
                prefix = prefix[:-PATH_STEP]
        self.root = None
        while prefix and self.root is None:
            self.root = Unit.objects.filter(path=prefix).first()
            prefix = prefix[:-PATH_STEP]
        self._days: dict[date, dict[int, dict]] = {}

    def on(self, cell: Unit, day: date, *, common: bool = True) -> dict:
        """{member id: CellMemberOn} of `cell` on `day`; `common` when most
        cells meet that day (the upload's meeting day), else read for the
        cell alone (a meeting recorded earlier on another day)."""
        if self.root is None or not common:
            return {e.member.pk: e for e in members_on(cell, day)}
        if day not in self._days:
            if len(self._days) > 1:
                self._days.clear()  # a province's day is 100,000 rows: keep two
            by_cell: dict[int, dict] = defaultdict(dict)
            for e in members_on(self.root, day, subtree=True):
                by_cell[e.placement.unit_id][e.member.pk] = e
            self._days[day] = by_cell
        return self._days[day].get(cell.pk, {})


def _sees_all(actor) -> bool:
    return actor is None or not getattr(actor, "pk", None) or sees_everything(actor)


def _cells_in_reach(actor) -> list[Unit]:
    cells = Unit.objects.filter(level__in=CELL_LEVELS)
    if _sees_all(actor):
        return list(cells)
    paths = role_paths(actor, ROUTINE_KINDS)
    return [c for c in cells if any(c.path.startswith(p) for p in paths)]


def _meeting_values(year: int, m: int, day: int) -> dict:
    return {
        "body": MeetingBody.UNIT,
        "kind": MeetingKind.REGULAR,
        "month": date(year, m, 1),
        "held_on": date(year, m, day),
        "starts_at": STARTS_AT,
        "ends_at": ENDS_AT,
        "place": UNRECORDED,
        "chair": UNRECORDED,
        "secretary": UNRECORDED,
    }


def _parse(row: Row, header, cells: UnitFinder, people: MemberFinder, default_year) -> SheetRow:
    v = row.values
    r = SheetRow(
        row=row.number, name=cell_text(v.get("full_name")), key=cell_text(v.get("card_number"))
    )
    cell = None
    try:
        cell = cells.find(v.get("unit"))
        r.cell_pk = cell.pk
        r.notes.append(cell.name)
    except CellError as exc:
        r.error(header("unit"), exc.message)
    year_text = cell_text(v.get("year"))
    if year_text:
        if not year_text.isdigit() or not 1930 <= int(year_text) <= date.today().year:
            r.error(header("year"), _("Năm “%(year)s” không hợp lệ.") % {"year": year_text})
        else:
            r.year = int(year_text)
    elif default_year:
        r.year = int(default_year)
    else:
        r.error(header("year"), _("Thiếu năm (ghi ở cột Năm hoặc chọn khi tải lên)."))
    if cell is not None:
        try:
            member = people.find(unit=cell, name=v.get("full_name"), card=v.get("card_number"))
            r.member_pk, r.name = member.pk, member.full_name
        except CellError as exc:
            r.error(header("card_number" if r.key else "full_name"), exc.message)
    for m in MONTHS:
        try:
            status = parse_mark(v.get(f"m{m}"))
        except CellError as exc:
            r.error(header(f"m{m}"), exc.message)
            continue
        if status is not None:
            r.marks[m] = status
    return r


def _stored(keys) -> dict[tuple[int, int], dict[int, tuple[Meeting, dict[int, str]]]]:
    """{(cell id, year): {month: (the cell's regular meeting, {member id:
    status})}} for each (cell id, year) of `keys`, in two queries."""
    out: dict[tuple[int, int], dict] = {key: {} for key in keys}
    if not out:
        return out
    years = [year for _cell, year in out]
    meetings = Meeting.objects.filter(
        unit_id__in={cell_pk for cell_pk, _y in out},
        body=MeetingBody.UNIT,
        kind__in=REGULAR_KINDS,
        month__gte=date(min(years), 1, 1),
        month__lte=date(max(years), 12, 1),
    )
    statuses: dict[int, dict[int, str]] = defaultdict(dict)
    for meeting_id, member_id, status in Attendance.objects.filter(
        meeting__in=meetings.values("pk")
    ).values_list("meeting_id", "member_id", "status"):
        statuses[meeting_id][member_id] = status
    for mt in meetings:
        months = out.get((mt.unit_id, mt.month.year))
        if months is not None:
            months[mt.month.month] = (mt, dict(statuses.get(mt.pk, {})))
    return out


def _check_meetings(rows: list[SheetRow], ctx: ImportContext) -> None:
    """Check each month of each cell against who was in the cell on the
    meeting day, and set each row's outcome."""
    header = ctx.header
    day = ctx.options.get("meeting_day") or DEFAULT_DAY
    today = timezone.localdate()
    groups: dict[tuple[int, int], list[SheetRow]] = defaultdict(list)
    seen: dict[tuple[int, int, int], int] = {}
    for r in rows:
        if r.cell_pk is None or r.year is None or r.member_pk is None:
            continue
        twice = seen.get((r.cell_pk, r.year, r.member_pk))
        if twice is not None:
            r.error(header("full_name"), _("Đảng viên này đã có ở dòng %(row)s.") % {"row": twice})
            continue
        seen[(r.cell_pk, r.year, r.member_pk)] = r.row
        groups[(r.cell_pk, r.year)].append(r)
    cells = Unit.objects.in_bulk({cell_pk for cell_pk, _y in groups})
    everyone = _Expected(list(cells.values()))
    stored = _stored(groups)
    changed: dict[int, str] = {}  # row -> NEW / UPDATED
    for m in MONTHS:
        for (cell_pk, year), group in groups.items():
            cell = cells[cell_pk]
            marked = [r for r in group if m in r.marks]
            if not marked:
                continue
            column = header(f"m{m}")
            meeting, attendance = stored[(cell_pk, year)].get(m, (None, {}))
            held_on = meeting.held_on if meeting is not None else date(year, m, day)
            if held_on > today:
                for r in marked:
                    r.error(
                        column,
                        _("Tháng %(m)s/%(y)s chưa tới ngày họp (%(day)s).")
                        % {"m": m, "y": year, "day": dmy(held_on)},
                    )
                continue
            if (
                meeting is not None
                and meeting.is_adopted
                and attendance != {r.member_pk: r.marks[m] for r in marked}
            ):
                for r in marked:
                    r.error(
                        column,
                        _(
                            "Biên bản sinh hoạt tháng %(m)s/%(y)s đã thông qua; điểm danh không "
                            "sửa được qua nhập tệp."
                        )
                        % {"m": m, "y": year},
                    )
                continue
            expected = everyone.on(cell, held_on, common=held_on == date(year, m, day))
            for r in group:
                e = expected.get(r.member_pk)
                status = r.marks.get(m)
                if status is None:
                    if e is not None and not r.has_error(column):
                        r.error(
                            column,
                            _("Thiếu ký hiệu: ngày họp %(day)s %(name)s sinh hoạt ở chi bộ.")
                            % {"day": dmy(held_on), "name": r.name},
                        )
                    continue
                if e is None:
                    r.error(
                        column,
                        _(
                            "Ngày họp %(day)s %(name)s không sinh hoạt ở %(cell)s (chưa đến hoặc "
                            "đã chuyển đi); để trống ô này."
                        )
                        % {"day": dmy(held_on), "name": r.name, "cell": cell.name},
                    )
                    continue
                if e.away is not None:
                    status = r.marks[m] = AttendanceStatus.AWAY  # the service records it so
                elif status == AttendanceStatus.AWAY:
                    r.error(
                        column,
                        _("Ngày %(day)s %(name)s không sinh hoạt tạm thời nơi khác.")
                        % {"day": dmy(held_on), "name": r.name},
                    )
                    continue
                if status == AttendanceStatus.EXEMPT and not e.exempt:
                    r.error(
                        column,
                        _("Ngày %(day)s %(name)s không được miễn sinh hoạt.")
                        % {"day": dmy(held_on), "name": r.name},
                    )
                    continue
                if meeting is None or r.member_pk not in attendance:
                    changed.setdefault(r.row, NEW)
                elif attendance[r.member_pk] != status:
                    changed[r.row] = UPDATED
                    r.changes[f"m{m}"] = (
                        str(AttendanceStatus(attendance[r.member_pk]).label),
                        str(AttendanceStatus(status).label),
                    )
            listed = {r.member_pk for r in group}
            missing = [e.member.full_name for pk, e in expected.items() if pk not in listed]
            if missing:
                group[0].error(
                    column,
                    _("Ngày họp %(day)s chi bộ còn %(names)s, không có trong bảng.")
                    % {"day": dmy(held_on), "names": ", ".join(missing)},
                )
        ctx.progress(m, 12, "analysing")
    for (cell_pk, year), group in groups.items():
        cell = cells[cell_pk]
        bad = [r for r in group if r.errors]
        for r in group:
            if bad and not r.errors:
                r.error(
                    "",
                    _("Bảng của %(cell)s năm %(y)s được nhập cùng lúc; sửa dòng %(row)s trước.")
                    % {"cell": cell.name, "y": year, "row": bad[0].row},
                )
            r.outcome = ERROR if r.errors else changed.get(r.row, UNCHANGED)
    for r in rows:
        if r.errors:
            r.outcome = ERROR

"""Demo meetings: 12 months of cell meetings with attendance for every demo
cell, with the gaps real cells have (a month missed, a meeting held late,
short meetings, absences); at province scale the same in bulk (~60,000
meetings, over a million attendance rows; COPY on PostgreSQL).

Who is expected at each meeting comes from the placement, status and
exemption histories, read once for all cells, as `members_on` would."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from chibo.bulk import copy_insert, indexes_deferred, reserve_ids
from chibo.demo import DemoContext
from meetings.models import (
    Attendance,
    AttendanceStatus,
    DuesPayment,
    Guest,
    Meeting,
    MeetingKind,
    MinutesVersion,
)
from meetings.selectors import minutes_content
from members.choices import MEMBER_STATUSES, PlacementKind, Status
from members.models import Exemption, Member, Placement, StatusPeriod
from organizations.models import Category, Position, Seat

SUBJECTS = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về nêu gương",
    "Nâng cao vai trò của chi bộ trong xây dựng khu dân cư văn hóa",
    "Phòng, chống suy thoái tư tưởng chính trị, đạo đức, lối sống",
    "Đảng viên gương mẫu thực hiện nếp sống văn minh, tiết kiệm trong việc cưới, việc tang",
    "Công tác phát triển đảng viên trong đoàn viên thanh niên",
    "Giữ gìn vệ sinh môi trường, phân loại rác tại nguồn",
    "Chuyển đổi số trong công tác đảng",
    "Bảo đảm an ninh trật tự trên địa bàn",
]
REVIEWS = [
    "Chi bộ đã lãnh đạo hoàn thành các nhiệm vụ tháng trước; đảng viên tham gia đầy đủ các phong trào ở khu dân cư.",
    "Công tác vận động nhân dân đóng góp xây dựng đường giao thông đạt kết quả tốt; còn một số hộ chưa thực hiện.",
    "Đảng viên gương mẫu chấp hành chủ trương của Đảng, chính sách, pháp luật của Nhà nước; an ninh trật tự ổn định.",
]
TASKS = [
    "Tiếp tục vận động nhân dân giữ gìn vệ sinh môi trường; thu đảng phí đúng hạn; chuẩn bị nội dung sinh hoạt chuyên đề.",
    "Phân công đảng viên nắm tình hình tư tưởng nhân dân; vận động các hộ tham gia bảo hiểm y tế.",
    "Thực hiện tốt công tác dân vận; tham gia phòng, chống dịch bệnh; chăm lo gia đình chính sách.",
]
REASONS = ["Ốm đau", "Đi công tác", "Việc gia đình", "Đi học", "Tuổi cao, sức yếu"]
EVENING = {Category.RESIDENTIAL, Category.VILLAGE}


def _months(today: date, n: int = 12) -> list[date]:
    first = today.replace(day=1)
    out = []
    for k in range(n, 0, -1):
        m = first.year * 12 + first.month - 1 - k
        out.append(date(m // 12, m % 12 + 1, 1))
    return out


def _on(rows, day: date):
    for value, start, end in rows:
        if start <= day and (end is None or end > day):
            return value
    return None


class History:
    """The placement, status, exemption and temporary-transfer histories of
    the given cells' members, read in four queries."""

    def __init__(self, cell_ids: list[int]):
        self.by_cell: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        for mid, uid, start, end in Placement.objects.filter(
            unit_id__in=cell_ids, kind=PlacementKind.PERMANENT
        ).values_list("member_id", "unit_id", "valid_from", "valid_to"):
            self.by_cell[uid].append((mid, start, end))
        ids = [mid for rows in self.by_cell.values() for mid, _, _ in rows]
        # the secretary and deputy of each cell, who chair the meetings
        self.seats: dict[int, list] = defaultdict(list)
        for uid, position, start, end, name in Seat.objects.filter(
            unit_id__in=cell_ids,
            position__in=(Position.SECRETARY, Position.DEPUTY_SECRETARY),
        ).values_list("unit_id", "position", "valid_from", "valid_to", "member__full_name"):
            self.seats[uid].append((position, start, end, name))
        self.names: dict[int, str] = {}
        for i in range(0, len(ids), 20000):
            self.names.update(
                Member.objects.filter(pk__in=ids[i : i + 20000]).values_list("pk", "full_name")
            )
        self.status: dict[int, list] = defaultdict(list)
        self.exempt: dict[int, list] = defaultdict(list)
        self.away: dict[int, list] = defaultdict(list)
        for i in range(0, len(ids), 20000):
            chunk = ids[i : i + 20000]
            for mid, status, start, end in StatusPeriod.objects.filter(
                member_id__in=chunk
            ).values_list("member_id", "status", "valid_from", "valid_to"):
                self.status[mid].append((status, start, end))
            for mid, start, end in Exemption.objects.filter(member_id__in=chunk).values_list(
                "member_id", "valid_from", "valid_to"
            ):
                self.exempt[mid].append((True, start, end))
            for mid, start, end in Placement.objects.filter(
                member_id__in=chunk, kind=PlacementKind.TEMPORARY
            ).values_list("member_id", "valid_from", "valid_to"):
                self.away[mid].append((True, start, end))

    def chair_and_secretary(self, cell_id: int, day: date, present: list[int]) -> tuple[str, str]:
        """The secretary (else the deputy) chairs; the deputy, else a member
        present, takes the minutes: names, as the minutes are signed."""
        held = {
            position: name
            for position, start, end, name in self.seats.get(cell_id, ())
            if start <= day and (end is None or day < end)
        }
        others = [self.names[m] for m in present if m in self.names]
        chair = held.get(Position.SECRETARY) or held.get(Position.DEPUTY_SECRETARY)
        chair = chair or (others[0] if others else "Đảng viên chủ trì")
        writer = held.get(Position.DEPUTY_SECRETARY)
        if not writer or writer == chair:
            writer = next((n for n in others if n != chair), chair)
        return chair, writer

    def members_on(self, cell_id: int, day: date):
        """[(member id, official, exempt, away)] of the cell on `day`."""
        out = []
        for mid, start, end in self.by_cell.get(cell_id, ()):
            if start > day or (end is not None and end <= day):
                continue
            status = _on(self.status.get(mid, ()), day)
            if status not in MEMBER_STATUSES:
                continue
            out.append(
                (
                    mid,
                    status == Status.OFFICIAL,
                    bool(_on(self.exempt.get(mid, ()), day)),
                    bool(_on(self.away.get(mid, ()), day)),
                )
            )
        return out


def _plan(ctx: DemoContext, cell, months: list[date], history: History, make=Meeting):
    """Meetings of one cell over the months: [(Meeting, [attendance tuples])]
    (with `make=dict`, each meeting as {attname: value} for `copy_insert`:
    a model instance each is a third of the national scale's time here)."""
    rng, today = ctx.rng, ctx.today
    plans = []
    evening = cell.category in EVENING
    absence = 0.07 if evening else 0.012
    thematic_months = {m for m in months if m.month in (2, 5, 8, 11)}
    founded = cell.founded_on
    for month in months:
        last_day = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if last_day < founded:
            continue
        kinds = []
        if rng.random() >= 0.05:  # a few months with no regular meeting
            combined = month in thematic_months and rng.random() < 0.4
            kinds.append(MeetingKind.COMBINED if combined else MeetingKind.REGULAR)
        if month in thematic_months and MeetingKind.COMBINED not in kinds and rng.random() < 0.8:
            kinds.append(MeetingKind.THEMATIC)
        if month.month == 12 and rng.random() < 0.7:
            kinds.append(MeetingKind.YEAR_END)
        for kind in kinds:
            day = month.replace(day=rng.randint(3, 25))
            if kind in (MeetingKind.REGULAR, MeetingKind.COMBINED) and rng.random() < 0.04:
                day = last_day + timedelta(days=rng.randint(1, 6))  # held late
            day = max(min(day, today - timedelta(days=1)), founded, month)
            start = time(19, 30) if evening else time(rng.choice([8, 14]), 0)
            if kind == MeetingKind.COMBINED:
                minutes = rng.choice([100, 120, 130, 150])
            elif rng.random() < 0.1:
                minutes = rng.choice([60, 70, 80])  # too short under Hướng dẫn 42
            else:
                minutes = rng.choice([90, 100, 120])
            end_dt = datetime.combine(day, start) + timedelta(minutes=minutes)
            thematic = kind in (MeetingKind.THEMATIC, MeetingKind.COMBINED)
            rows = []
            present = summoned = 0
            for mid, official, exempt, away in history.members_on(cell.pk, day):
                if away:
                    status, reason = AttendanceStatus.AWAY, "Sinh hoạt tạm thời nơi khác"
                elif exempt:
                    status, reason = AttendanceStatus.EXEMPT, "Miễn sinh hoạt"
                elif rng.random() < absence:
                    if rng.random() < 0.8:
                        status, reason = AttendanceStatus.EXCUSED, rng.choice(REASONS)
                    else:
                        status, reason = AttendanceStatus.UNEXCUSED, ""
                else:
                    status, reason = AttendanceStatus.PRESENT, ""
                if status not in (AttendanceStatus.AWAY, AttendanceStatus.EXEMPT):
                    summoned += 1
                present += status == AttendanceStatus.PRESENT
                rows.append((mid, status, reason, official, exempt))
            chair, writer = history.chair_and_secretary(
                cell.pk, day, [r[0] for r in rows if r[1] == AttendanceStatus.PRESENT]
            )
            meeting = make(
                unit_id=cell.pk,
                kind=kind,
                month=month,
                held_on=day,
                starts_at=start,
                ends_at=end_dt.time(),
                duration_minutes=minutes,
                number=f"{month.month:02d}",
                place="Nhà văn hóa khu phố" if evening else "Hội trường cơ quan",
                chair=chair,
                secretary=writer,
                thematic_subject=rng.choice(SUBJECTS) if thematic else "",
                agenda="1. Đánh giá tình hình tháng trước. 2. Nhiệm vụ tháng tới. 3. Thu đảng phí.",
                # sent a few days before; one meeting in twenty on the day itself
                # (no draw from rng: the rest of the demo stays as it was)
                documents="Dự thảo nghị quyết tháng; báo cáo tình hình tháng trước.",
                documents_sent_on=day - timedelta(days=(cell.pk + day.toordinal()) % 4)
                if (cell.pk + day.toordinal()) % 20
                else day,
                opening="Đồng chí bí thư tuyên bố lý do, giới thiệu đại biểu, thông qua chương trình.",
                last_month_review=rng.choice(REVIEWS),
                next_month_tasks=rng.choice(TASKS),
                conclusions="Chi bộ thống nhất các nội dung đã thảo luận.",
                resolution_text=rng.choice(TASKS),
                expected_count=len(rows),
                summoned_count=summoned,
                present_count=present,
                attendance_taken=True,
            )
            plans.append((meeting, rows))
    return plans


def build(ctx: DemoContext) -> None:
    cells = ctx.data["cells"]
    months = _months(ctx.today)
    history = History([c.pk for c in cells])
    plans = [p for cell in cells for p in _plan(ctx, cell, months, history)]
    meetings = Meeting.objects.bulk_create([m for m, _ in plans])
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=m,
                member_id=mid,
                status=status,
                reason=reason,
                official=official,
                exempt=exempt,
            )
            for m, (_, rows) in zip(meetings, plans, strict=True)
            for mid, status, reason, official, exempt in rows
        ],
        batch_size=5000,
    )
    # The member of the ward committee who follows the cell comes about quarterly (seed 004).
    Guest.objects.bulk_create(
        [
            Guest(
                meeting=m,
                name=ctx.person_name("M"),
                title="Đảng ủy viên phụ trách chi bộ",
                follows_cell=True,
            )
            for m in meetings
            if ctx.rng.random() < 0.3
        ]
    )
    # Minutes of the meetings before last month are adopted (version 1).
    cutoff = _months(ctx.today, 1)[0]
    now = timezone.now()
    adopted = [m for m in meetings if m.month < cutoff]
    Meeting.objects.filter(pk__in=[m.pk for m in adopted]).update(adopted_at=now)
    MinutesVersion.objects.bulk_create(
        [
            MinutesVersion(meeting=m, number=1, content=minutes_content(m), adopted_at=now)
            for m in adopted
        ]
    )
    _dues(ctx, cells, months, history)
    ctx.say(
        f"  {len(meetings)} cuộc sinh hoạt, "
        f"{sum(len(r) for _, r in plans)} lượt điểm danh trong {len(months)} tháng\n"
    )


def _dues(ctx: DemoContext, cells, months, history: History) -> None:
    """Dues of every month; a few members stop paying for the last months."""
    rng = ctx.rng
    rows = []
    for cell in cells:
        seen = {mid for mid, *_ in history.members_on(cell.pk, months[-1])}
        stopped = {mid for mid in seen if rng.random() < 0.03}
        for month in months:
            for mid, _official, _exempt, away in history.members_on(cell.pk, month):
                if away or (mid in stopped and month >= months[-3]):
                    continue
                if rng.random() < 0.02:
                    continue
                amount = rng.choice([5000, 10000, 20000, 35000, 50000])
                rows.append(DuesPayment(member_id=mid, unit_id=cell.pk, month=month, amount=amount))
    DuesPayment.objects.bulk_create(rows, batch_size=5000)


def build_province(ctx: DemoContext) -> None:
    cells = ctx.data["province_cells"]
    months = _months(ctx.today)
    history = History([c.pk for c in cells])
    n_meetings = n_rows = 0
    chunk = 400  # cells per batch: ~5,000 meetings, ~85,000 attendance rows
    for i in range(0, len(cells), chunk):
        plans = [p for cell in cells[i : i + chunk] for p in _plan(ctx, cell, months, history)]
        meetings = Meeting.objects.bulk_create([m for m, _ in plans], batch_size=5000)
        rows = (
            (m.pk, mid, status, reason, official, exempt)
            for m, (_, att) in zip(meetings, plans, strict=True)
            for mid, status, reason, official, exempt in att
        )
        n_rows += _insert_attendance(rows)
        n_meetings += len(meetings)
    if connection.vendor == "postgresql":
        # fresh statistics, or the planner takes a million rows for one
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Meeting._meta.db_table}, {Attendance._meta.db_table}")
    ctx.say(f"  quy mô tỉnh: {n_meetings} cuộc sinh hoạt, {n_rows} lượt điểm danh\n")


def _insert_attendance(rows) -> int:
    """COPY on PostgreSQL (a million rows in seconds), bulk_create elsewhere."""
    n = 0
    if connection.vendor == "postgresql":
        table = Attendance._meta.db_table
        columns = "meeting_id, member_id, status, reason, official, exempt, restriction"
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for meeting_id, mid, status, reason, official, exempt in rows:
                copy.write_row((meeting_id, mid, status, reason, official, exempt, ""))
                n += 1
        return n
    batch = []
    for meeting_id, mid, status, reason, official, exempt in rows:
        batch.append(
            Attendance(
                meeting_id=meeting_id,
                member_id=mid,
                status=status,
                reason=reason,
                official=official,
                exempt=exempt,
            )
        )
        if len(batch) >= 10000:
            Attendance.objects.bulk_create(batch)
            n += len(batch)
            batch = []
    Attendance.objects.bulk_create(batch)
    return n + len(batch)


class _NoHistory:
    """`_plan` without its members: the national scale's attendance is
    written by SQL (`_attendance_sql`), the meetings' counts from it."""

    def members_on(self, cell_id, day):
        return []

    def chair_and_secretary(self, cell_id, day, present):
        return "Đảng viên chủ trì", "Đảng viên thư ký"


# Who is expected at a meeting, as History.members_on reads it (placed in the
# cell, a party member on the day; the national scale has no exemption or
# temporary transfer), with the province demo's shares of absences drawn from
# a hash of the meeting and the member (7% in residential and village cells,
# 1.2% elsewhere; four in five excused).
_ATTENDANCE_SQL = """
    INSERT INTO meetings_attendance
        (meeting_id, member_id, status, reason, official, exempt, restriction)
    SELECT id, member_id,
           CASE WHEN h >= absent THEN 'present' WHEN h %% 5 = 0 THEN 'unexcused'
                ELSE 'excused' END,
           CASE WHEN h >= absent OR h %% 5 = 0 THEN ''
                ELSE (%(reasons)s::text[])[h %% 5 + 1] END,
           official, false, ''
    FROM (
        SELECT mt.id, p.member_id, s.status = 'official' AS official,
               CASE WHEN u.category IN ('residential', 'village') THEN 700 ELSE 120 END
                   AS absent,
               abs(hashtext(mt.id || ':' || p.member_id)) %% 10000 AS h
        FROM meetings_meeting mt
        JOIN organizations_unit u ON u.id = mt.unit_id
        JOIN members_placement p ON p.unit_id = mt.unit_id AND p.kind = 'permanent'
             AND p.valid_from <= mt.held_on AND (p.valid_to IS NULL OR p.valid_to > mt.held_on)
        JOIN members_statusperiod s ON s.member_id = p.member_id
             AND s.status IN ('probationary', 'official')
             AND s.valid_from <= mt.held_on AND (s.valid_to IS NULL OR s.valid_to > mt.held_on)
        WHERE mt.id BETWEEN %(lo)s AND %(hi)s
    ) x
"""
_COUNTS_SQL = """
    UPDATE meetings_meeting m
    SET expected_count = a.n, summoned_count = a.n, present_count = a.present
    FROM (
        SELECT meeting_id, count(*) AS n, count(*) FILTER (WHERE status = 'present') AS present
        FROM meetings_attendance WHERE meeting_id BETWEEN %(lo)s AND %(hi)s
        GROUP BY meeting_id
    ) a
    WHERE m.id = a.meeting_id
"""


def build_million(ctx: DemoContext) -> int:
    """The province demo's twelve months of meetings (`_plan`) for every cell
    of the national scale, by COPY; their attendance (fourteen million rows)
    by one INSERT … SELECT from the placement and status histories (the
    province's per-row Python would take over an hour), and each meeting's
    expected and present counts from it by one UPDATE; the tables' secondary
    indexes and foreign keys are made once at the end (`indexes_deferred`).
    Returns how many attendance rows."""
    cells = ctx.data["million_cells"]
    months = _months(ctx.today)
    n_meetings = n_rows = 0
    chunk = 2000
    nobody = _NoHistory()
    lo = hi = None
    with indexes_deferred(Meeting, Attendance):
        with ctx.timed("meetings: cuộc sinh hoạt (COPY)") as tally:
            for i in range(0, len(cells), chunk):
                plans = [
                    m
                    for cell in cells[i : i + chunk]
                    for m, _ in _plan(ctx, cell, months, nobody, make=dict)
                ]
                if not plans:
                    continue
                ids = reserve_ids(Meeting, len(plans))
                for m, pk in zip(plans, ids, strict=True):
                    m["id"] = pk
                copy_insert(Meeting, plans, with_pk=True)
                lo = min(ids) if lo is None else lo
                hi = max(ids)
                n_meetings += len(plans)
            tally["rows"] = n_meetings
        if n_meetings:
            params = {"lo": lo, "hi": hi, "reasons": REASONS}
            with connection.cursor() as cursor:
                with ctx.timed("meetings: điểm danh (INSERT … SELECT)") as tally:
                    # the meetings just sent, counted for the planner: it
                    # otherwise joins the histories as if they were a few rows
                    cursor.execute(f"ANALYZE {Meeting._meta.db_table}")
                    cursor.execute(_ATTENDANCE_SQL, params)
                    n_rows = tally["rows"] = cursor.rowcount
                with ctx.timed("meetings: số có mặt của mỗi cuộc (UPDATE)") as tally:
                    cursor.execute(_COUNTS_SQL, params)
                    tally["rows"] = cursor.rowcount
        ctx.timed_start("meetings: chỉ mục và khóa ngoại")
    ctx.timed_stop(n_meetings + n_rows)
    ctx.say(f"  quy mô toàn quốc: {n_meetings} cuộc sinh hoạt, {n_rows} lượt điểm danh\n")
    return n_rows

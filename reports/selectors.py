"""The reads every report is computed from, as of a date, from the histories.

A report never asks "what is the unit now": it asks what the subtree of a unit
was on a day (`UnitVersion` rows in force then) and who was placed where then
(`Placement` and `StatusPeriod` rows in force then). Every figure is
aggregated in SQL, grouped by unit, in a fixed number of queries; rolling the
per-unit figures up to the lines of a report or to the direct sub-units is
plain arithmetic over the list of units, never a query per unit.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from chibo.dates import dmy
from meetings.models import REGULAR_KINDS, THEMATIC_KINDS, Attendance, AttendanceStatus, Meeting
from members.choices import PlacementKind, Status
from members.models import Exemption, Member, Placement, StatusPeriod
from members.selectors import MemberCounts, unit_member_counts
from organizations.models import (
    CELL_LEVELS,
    PATH_STEP,
    CommunityPost,
    Population,
    Position,
    Restructure,
    Role,
    Seat,
    Unit,
    UnitVersion,
    path_ids,
    valid_on,
)
from organizations.selectors import (
    committee_sizes_on,
    locality_kinds_on,
    role_paths,
    sees_everything,
    unit_name_key,
)
from reports.models import (
    PeriodKind,
    Submission,
    SubmissionStatus,
    due_on,
    period_bounds,
    period_label,
)
from reviews.models import MemberReview, OrganizationReview


@dataclass
class UnitOn:
    """A unit as it was on a day (from its UnitVersion then)."""

    id: int
    name: str
    level: str
    category: str
    parent_id: int | None
    path: str
    locality_id: int | None
    locality_kind: str
    # for a sub-unit of a period's breakdown: how it began or ended within it
    founded_on: date | None = None
    ended_on: date | None = None
    dissolved: bool = False

    @property
    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)[:-1]

    @property
    def label(self) -> str:
        """Its name, and whether it was founded or ended within the period."""
        marks = []
        if self.founded_on:
            marks.append(_("thành lập từ %(day)s") % {"day": dmy(self.founded_on)})
        if self.ended_on:
            marks.append(
                (_("đã giải thể từ %(day)s") if self.dissolved else _("chuyển đi từ %(day)s"))
                % {"day": dmy(self.ended_on)}
            )
        return f"{self.name} ({'; '.join(marks)})" if marks else self.name


@dataclass
class Snapshot:
    """A unit's subtree on a day: its units and who was in them."""

    root: UnitOn
    day: date
    units: list[UnitOn]
    by_id: dict[int, UnitOn] = field(default_factory=dict)
    # With a period (start .. day): every unit of the subtree at any time in
    # it, as its last version in the period had it; the breakdown of a
    # period lists and adds up those, so a unit dissolved (or moved away) in
    # the period keeps its row and its figures.
    start: date | None = None
    period_units: list[UnitOn] = field(default_factory=list)
    period_by_id: dict[int, UnitOn] = field(default_factory=dict)

    def __post_init__(self):
        self.by_id = {u.id: u for u in self.units}
        self.period_by_id = {u.id: u for u in self.period_units}

    @property
    def children(self) -> list[UnitOn]:
        """The direct sub-units a breakdown has a row for: those of the day,
        or with a period every one that was a sub-unit at some time in it."""
        pool = self.period_units or self.units
        kids = [u for u in pool if u.parent_id == self.root.id]
        return sorted(
            kids, key=lambda u: (u.level in ("cell", "party_group"), unit_name_key(u.name))
        )

    def branch_of(self, unit_id: int) -> int | None:
        """The direct sub-unit of the root that `unit_id` lies under (or is):
        with a period, under its last version in the period."""
        unit = self.period_by_id.get(unit_id) or self.by_id.get(unit_id)
        if unit is None or unit.id == self.root.id:
            return None
        # the path segment after the root's is the sub-unit's id (sliced, not
        # split: called for every unit of a province breakdown)
        depth = len(self.root.path)
        segment = unit.path[depth : depth + PATH_STEP]
        return int(segment) if segment else None

    def units_q(self) -> QuerySet:
        """The unit ids of the subtree on the day, as a subquery."""
        return versions_in(self.root.path, self.day).values("unit_id")


def versions_in(path: str, day: date) -> QuerySet[UnitVersion]:
    return UnitVersion.objects.filter(valid_on(day), path__startswith=path)


def snapshot(unit: Unit, day: date, start: date | None = None) -> Snapshot | None:
    """`unit`'s subtree as it was on `day` (None if the unit did not exist
    then); with `start`, also every unit in it at any time from the day
    before `start` to `day` (the period's breakdown). Two queries whatever the
    size of the subtree, three with a period."""
    root = UnitVersion.objects.filter(valid_on(day), unit=unit).values_list("path", flat=True)
    root_path = root.first()
    if root_path is None:
        return None
    rows = versions_in(root_path, day).values_list(
        "unit_id",
        "name",
        "level",
        "category",
        "parent_id",
        "path",
        "administrative_unit_id",
        "administrative_unit__kind",
    )
    rows = list(rows)
    # the kind of each locality on the day (a ward linked to its 2025 commune
    # is, in 2020, the township it was)
    kinds = locality_kinds_on([r[6] for r in rows if r[6]], day)
    units = [UnitOn(*r[:7], kinds.get(r[6], "") if r[6] else "") for r in rows]
    root_unit = next(u for u in units if u.id == unit.pk)
    period = _period_units(root_path, start, day, units) if start is not None else []
    return Snapshot(root=root_unit, day=day, units=units, start=start, period_units=period)


def _period_units(root_path: str, start: date, day: date, units: list[UnitOn]) -> list[UnitOn]:
    """Every unit of the subtree from the day before `start` to `day`, as its
    last version in that time had it, marked when it was founded or ended
    (dissolved, or moved out from under its superior of then) within it."""
    before = start - timedelta(days=1)
    rows = (
        UnitVersion.objects.filter(path__startswith=root_path, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=before))
        .order_by("unit_id", "valid_from")
        .values_list(
            "unit_id",
            "name",
            "level",
            "category",
            "parent_id",
            "path",
            "administrative_unit_id",
            "valid_from",
            "valid_to",
            "unit__founded_on",
            "unit__dissolved_on",
        )
    )
    on_day = {u.id: u for u in units}
    last: dict[int, tuple] = {}
    for r in rows:
        last[r[0]] = r  # ordered by valid_from: the last one wins
    out = []
    for unit_id, r in last.items():
        if unit_id in on_day:
            u = on_day[unit_id]
            kept = UnitOn(**{**u.__dict__})
        else:
            kept = UnitOn(*r[:7], "")
            ended = r[8]
            kept.ended_on = ended
            kept.dissolved = r[10] is not None and r[10] == ended
        founded = r[9]
        if before < founded <= day:
            kept.founded_on = founded
        out.append(kept)
    return out


# --- members on a day ----------------------------------------------------------


def member_rows(
    snap: Snapshot,
    columns: list[str],
    params: list | None = None,
    aggregates: tuple[str, ...] = (),
) -> list[tuple]:
    """Counts of the party members placed in the subtree on the day, grouped
    by `columns` (SQL expressions over p = the placement, s = the status
    period, m = the member, e = the exemption in force, if any): one query.

    Written in SQL rather than through the ORM because the ORM joins the
    member table to reach the status history; at province scale (100,000
    members) that join alone doubles the time."""
    day = snap.day
    p, s, m, e = (
        Placement._meta.db_table,
        StatusPeriod._meta.db_table,
        Member._meta.db_table,
        Exemption._meta.db_table,
    )
    v = UnitVersion._meta.db_table
    select = ", ".join([*columns, "COUNT(*)", *aggregates])
    needs_member = any("m." in c for c in [*columns, *aggregates])
    needs_exempt = any("e." in c for c in [*columns, *aggregates])
    sql = f"""
        SELECT {select}
        FROM {p} p
        JOIN {s} s ON s.member_id = p.member_id
             AND s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s)
             AND s.status IN (%s, %s)
        {f"JOIN {m} m ON m.id = p.member_id" if needs_member else ""}
        {
        f"LEFT JOIN (SELECT DISTINCT member_id FROM {e} WHERE valid_from <= %s "
        f"AND (valid_to IS NULL OR valid_to > %s)) e ON e.member_id = p.member_id"
        if needs_exempt
        else ""
    }
        WHERE p.kind = %s AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)
          AND p.unit_id IN (
              SELECT v.unit_id FROM {v} v
              WHERE v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)
                AND v.path LIKE %s)
        GROUP BY {", ".join(str(i + 1) for i in range(len(columns)))}
    """
    args = [*(params or []), day, day, Status.PROBATIONARY, Status.OFFICIAL]
    if needs_exempt:
        args += [day, day]
    args += [PlacementKind.PERMANENT, day, day, day, day, snap.root.path + "%"]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def member_counts_by_unit(snap: Snapshot) -> dict[int, MemberCounts]:
    """{unit id: official, probationary and exempt members placed in it on the
    day}: the members app's one selector of member figures (the maintained
    counts), in one query."""
    ids = UnitVersion.objects.filter(valid_on(snap.day), path__startswith=snap.root.path).values(
        "unit_id"
    )
    return defaultdict(MemberCounts, unit_member_counts(ids, snap.day))


def roll_up(snap: Snapshot, per_unit: dict[int, MemberCounts]) -> dict[int, MemberCounts]:
    """{unit id: counts of its whole subtree} for every unit of the snapshot."""
    sums: dict[int, list[int]] = {}
    for unit_id, counts in per_unit.items():
        unit = snap.by_id.get(unit_id)
        if unit is None:
            continue
        path = unit.path
        for i in range(0, len(path), PATH_STEP):
            ancestor = int(path[i : i + PATH_STEP])
            total = sums.get(ancestor)
            if total is None:
                sums[ancestor] = [counts.official, counts.probationary, counts.exempt]
            else:
                total[0] += counts.official
                total[1] += counts.probationary
                total[2] += counts.exempt
    out: dict[int, MemberCounts] = defaultdict(MemberCounts)
    for unit_id, (official, probationary, exempt) in sums.items():
        out[unit_id] = MemberCounts(official, probationary, exempt)
    return out


# --- submissions ----------------------------------------------------------------


@dataclass
class ExpectedReport:
    """A direct sub-unit's report for one period, as the board sees it."""

    unit: Unit
    submission: "object | None"
    state: str  # approved | submitted | returned | late | missing | not_due

    @property
    def label(self) -> str:
        return {
            "approved": _("Đã duyệt"),
            "submitted": _("Đã nộp, chờ duyệt"),
            "returned": _("Bị trả lại"),
            "late": _("Quá hạn, chưa nộp"),
            "missing": _("Chưa nộp"),
            "not_due": _("Chưa đến hạn"),
        }[self.state]


def submissions_under(unit: Unit, *, report: str, period: str, start: date, today: date):
    """Each active direct sub-unit of `unit` (those that report to it) with its
    submission of `report` for the period, and whether it is late: two
    queries whatever the number of sub-units."""
    start, end = period_bounds(period, start)
    due = due_on(period, end)
    children = [
        c
        for c in unit.children.filter(dissolved_on__isnull=True).exclude(level="party_group")
        if c.founded_on <= end
    ]
    subs = {
        s.unit_id: s
        for s in Submission.objects.filter(
            to_unit=unit, report=report, period=period, period_start=start
        )
    }
    rows = []
    for child in sorted(children, key=lambda u: unit_name_key(u.name)):
        sub = subs.get(child.pk)
        if sub is not None:
            state = sub.status
        elif today > due:
            state = "late"
        elif today > end:
            state = "missing"
        else:
            state = "not_due"
        rows.append(ExpectedReport(unit=child, submission=sub, state=state))
    return rows, due


def recent_periods(today: date) -> list[tuple[str, str]]:
    """(value, label) of the periods a report may be submitted for: the last
    12 months, 4 half-years and 3 years, the most recent first."""
    out = []
    y, m = today.year, today.month
    for _i in range(12):
        start = date(y, m, 1)
        out.append((f"month:{start.isoformat()}", period_label(PeriodKind.MONTH, start)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    half = date(today.year, 1 if today.month <= 6 else 7, 1)
    for _i in range(4):
        out.append((f"half:{half.isoformat()}", period_label(PeriodKind.HALF, half)))
        half = date(half.year, 1, 1) if half.month == 7 else date(half.year - 1, 7, 1)
    for k in range(3):
        start = date(today.year - k, 1, 1)
        out.append((f"year:{start.isoformat()}", period_label(PeriodKind.YEAR, start)))
    return out


def parse_period(value: str) -> tuple[str, date] | None:
    """'month:2026-10-01' -> ('month', date); None if it is not one."""
    kind, _sep, day = (value or "").partition(":")
    if kind not in PeriodKind.values:
        return None
    try:
        return kind, date.fromisoformat(day)
    except ValueError:
        return None


# --- status changes over a period ---------------------------------------------


def status_changes(
    snap: Snapshot, start: date, end: date, *, kind: str, by_branch: bool = False
) -> list[tuple]:
    """Members whose status changed in [start, end] in the subtree, counted by
    the category and level of the cell they were in on the day of the change
    (or by unit): `kind` "admitted" (a probationary period opened on the
    admission decision) or "recognized" (an official period that follows a
    probationary one). One query."""
    s, m, p, v = (
        StatusPeriod._meta.db_table,
        Member._meta.db_table,
        Placement._meta.db_table,
        UnitVersion._meta.db_table,
    )
    if kind == "admitted":
        status = Status.PROBATIONARY
        condition = "m.admitted_on = s.valid_from"
    else:
        status = Status.OFFICIAL
        condition = (
            f"EXISTS (SELECT 1 FROM {s} prev WHERE prev.member_id = s.member_id "
            f"AND prev.status = %s AND prev.valid_to = s.valid_from)"
        )
    group = _branch_sql(snap) if by_branch else "v.category, v.level"
    sql = f"""
        SELECT {group}, COUNT(*)
        FROM {s} s
        JOIN {m} m ON m.id = s.member_id
        JOIN {p} p ON p.member_id = s.member_id AND p.kind = %s
             AND p.valid_from <= s.valid_from
             AND (p.valid_to IS NULL OR p.valid_to > s.valid_from)
        JOIN {v} v ON v.unit_id = p.unit_id AND v.valid_from <= s.valid_from
             AND (v.valid_to IS NULL OR v.valid_to > s.valid_from) AND v.path LIKE %s
        WHERE s.status = %s AND s.valid_from >= %s AND s.valid_from <= %s AND {condition}
        GROUP BY {group}
    """
    args = [PlacementKind.PERMANENT, snap.root.path + "%", status, start, end]
    if kind != "admitted":
        args.append(Status.PROBATIONARY)
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    return _by_branch(rows) if by_branch else rows


def _branch_sql(snap: Snapshot, column: str = "v.path") -> str:
    """SQL giving, from a unit version's path, the id segment of the root's
    direct sub-unit it lay under then ("" for the root itself)."""
    return f"SUBSTR({column}, {len(snap.root.path) + 1}, {PATH_STEP})"


def _by_branch(rows) -> list[tuple]:
    """Rows keyed by a path segment as (sub-unit id, ...), the root's own left out."""
    return [(int(segment), *rest) for segment, *rest in rows if segment]


def probationary_on(snap: Snapshot) -> list[tuple]:
    """(member id, full name, unit id, start of probation) of every
    probationary member placed in the subtree on the day. One query."""
    day = snap.day
    rows = (
        Placement.objects.filter(
            valid_on(day), kind=PlacementKind.PERMANENT, unit_id__in=snap.units_q()
        )
        # one filter() call, so that both conditions apply to the same status row
        .filter(
            valid_on(day, "member__status_periods__")
            & Q(member__status_periods__status=Status.PROBATIONARY)
        )
        .values_list(
            "member_id",
            "member__full_name",
            "unit_id",
            "member__probation_from",
            "member__admitted_on",
        )
    )
    return [
        (mid, name, unit, probation or admitted) for mid, name, unit, probation, admitted in rows
    ]


def committee_sizes(snap: Snapshot) -> dict[int, dict[str, int]]:
    """{unit id: {body: people seated in it on the day}} of the subtree. One query."""
    return committee_sizes_on(snap.units_q(), snap.day)


def population_on(snap: Snapshot) -> dict[int, tuple[int, int, date]]:
    """{unit id: (households, people, counted on)} of the subtree's units with
    a count on or before the day: the latest one. One query."""
    rows = (
        Population.objects.filter(counted_on__lte=snap.day, unit_id__in=snap.units_q())
        .order_by("unit_id", "counted_on", "pk")
        .values_list("unit_id", "households", "people", "counted_on")
    )
    return {unit_id: (hh, people, day) for unit_id, hh, people, day in rows}


def outermost(snap: Snapshot, unit_ids) -> list[int]:
    """Those of `unit_ids` (below the root) with no other of them above: a
    ward's count includes its residential areas', which are not added again."""
    ids = {i for i in unit_ids if i in snap.by_id and i != snap.root.id}
    out = []
    for i in ids:
        ancestors = snap.by_id[i].ancestor_ids
        if not any(a in ids for a in ancestors):
            out.append(i)
    return out


# --- community posts held by members (seed 004) -----------------------------------


def community_roles(snap: Snapshot, categories: tuple[str, ...]) -> dict[int, dict]:
    """For each cell of `categories` in the subtree on the day: whether its
    village head and front-work head were party members, and whether the
    secretary or a deputy secretary held either post then. Two queries."""
    cells = (
        versions_in(snap.root.path, snap.day)
        .filter(level__in=CELL_LEVELS, category__in=categories)
        .values("unit_id")
    )
    out = {
        u.id: {"village_head": None, "front_head": None, "secretary": None, "deputies": set()}
        for u in snap.units
        if u.level in CELL_LEVELS and u.category in categories
    }
    posts = CommunityPost.objects.filter(valid_on(snap.day), unit_id__in=cells).values_list(
        "unit_id", "kind", "member_id"
    )
    kinds = {
        CommunityPost.Kind.VILLAGE_HEAD: "village_head",
        CommunityPost.Kind.FRONT_HEAD: "front_head",
    }
    for unit_id, kind, member_id in posts:
        if unit_id in out and kind in kinds:
            # 0: the post is held by someone who is not a party member
            out[unit_id][kinds[kind]] = member_id or 0
    seats = Seat.objects.filter(
        valid_on(snap.day),
        unit_id__in=cells,
        position__in=[Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.STANDING_DEPUTY],
    ).values_list("unit_id", "position", "member_id")
    for unit_id, position, member_id in seats:
        if unit_id not in out:
            continue
        if position == Position.SECRETARY:
            out[unit_id]["secretary"] = member_id
        else:
            out[unit_id]["deputies"].add(member_id)
    return out


# --- meetings over a period -----------------------------------------------------------


def months_of(start: date, end: date, today: date) -> list[date]:
    """The first days of the months of [start, end] that are over by `today`
    (a month still running is not yet due)."""
    out = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        last = date(y, m, calendar.monthrange(y, m)[1])
        if last > end or last >= today:
            break
        out.append(date(y, m, 1))
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return out


def cell_months(snap: Snapshot, months: list[date]) -> dict[int, tuple[str, list[date]]]:
    """{cell id: (category, the months of `months` during which the cell
    existed in the subtree)}: a cell owes a regular meeting for each month it
    exists on the last day of (from its versions). One query."""
    if not months:
        return {}
    ends = [date(m.year, m.month, calendar.monthrange(m.year, m.month)[1]) for m in months]
    versions = (
        UnitVersion.objects.filter(
            path__startswith=snap.root.path, level__in=CELL_LEVELS, valid_from__lte=ends[-1]
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=months[0]))
        .order_by("unit_id", "valid_from")
        .values_list("unit_id", "category", "valid_from", "valid_to")
    )
    due: dict[int, tuple[str, set]] = {}
    for unit_id, category, valid_from, valid_to in versions:
        owed = {
            i
            for i, end in enumerate(ends)
            if valid_from <= end and (valid_to is None or valid_to > end)
        }
        if unit_id in due:
            owed |= due[unit_id][1]
        due[unit_id] = (category, owed)  # the latest version's category
    return {
        unit_id: (category, [months[i] for i in sorted(owed)])
        for unit_id, (category, owed) in due.items()
        if owed
    }


def months_owed_by_branch(snap: Snapshot, months: list[date]) -> dict[int, int]:
    """{direct sub-unit id: regular meetings owed by the cells under it} over
    `months`: each cell owes one for each month it exists on the last day of,
    counted under the sub-unit it lay under that day. One query."""
    if not months:
        return {}
    ends = [date(m.year, m.month, calendar.monthrange(m.year, m.month)[1]) for m in months]
    versions = (
        UnitVersion.objects.filter(
            path__startswith=snap.root.path, level__in=CELL_LEVELS, valid_from__lte=ends[-1]
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=months[0]))
        .values_list("path", "valid_from", "valid_to")
    )
    depth = len(snap.root.path)
    out: dict[int, int] = defaultdict(int)
    for path, valid_from, valid_to in versions:
        segment = path[depth : depth + PATH_STEP]
        if not segment:
            continue
        out[int(segment)] += sum(
            1 for end in ends if valid_from <= end and (valid_to is None or valid_to > end)
        )
    return out


def meeting_figures(snap: Snapshot, months: list[date], *, by_branch: bool = False) -> list[tuple]:
    """Per cell category (or per cell): regular meetings, thematic meetings,
    members present and summoned (where attendance was taken), absences with
    and without reason, of the meetings of `months` held by cells of the
    subtree (as it was on each meeting's day). One query.

    The absences are counted per meeting from the absent rows alone (the
    partial index meetings 0002 keeps them apart from the ~95% present rows)
    and joined to the meetings, so the meetings are matched to the subtree
    once rather than once for the meetings and again for the absences."""
    if not months:
        return []
    mt, v, a = Meeting._meta.db_table, UnitVersion._meta.db_table, Attendance._meta.db_table
    # by sub-unit: the one the cell lay under on the meeting's day, so a ward
    # merged in the period keeps the meetings its cells held before
    group = _branch_sql(snap) if by_branch else "v.category"
    regular = ", ".join(["%s"] * len(REGULAR_KINDS))
    thematic = ", ".join(["%s"] * len(THEMATIC_KINDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {group},
                   SUM(CASE WHEN mt.kind IN ({regular}) THEN 1 ELSE 0 END),
                   SUM(CASE WHEN mt.kind IN ({thematic}) THEN 1 ELSE 0 END),
                   SUM(CASE WHEN mt.attendance_taken THEN mt.present_count ELSE 0 END),
                   SUM(CASE WHEN mt.attendance_taken THEN mt.summoned_count ELSE 0 END),
                   SUM(ab.excused),
                   SUM(ab.unexcused)
            FROM {mt} mt
            JOIN {v} v ON v.unit_id = mt.unit_id AND v.valid_from <= mt.held_on
                 AND (v.valid_to IS NULL OR v.valid_to > mt.held_on) AND v.path LIKE %s
            LEFT JOIN (
                SELECT a.meeting_id,
                       SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END) AS excused,
                       SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END) AS unexcused
                FROM {a} a
                WHERE a.status IN (%s, %s)
                GROUP BY a.meeting_id
            ) ab ON ab.meeting_id = mt.id
            WHERE mt.month >= %s AND mt.month <= %s AND mt.body = 'unit'  -- not chi ủy meetings
            GROUP BY {group}
            """,
            [
                *REGULAR_KINDS,
                *THEMATIC_KINDS,
                snap.root.path + "%",
                AttendanceStatus.EXCUSED,
                AttendanceStatus.UNEXCUSED,
                AttendanceStatus.EXCUSED,
                AttendanceStatus.UNEXCUSED,
                months[0],
                months[-1],
            ],
        )
        rows = [(key, *[int(x or 0) for x in figures]) for key, *figures in cursor.fetchall()]
    return _by_branch(rows) if by_branch else rows


# --- restructuring over a period ------------------------------------------------------


def restructures_touching(snap: Snapshot, start: date, end: date) -> list[tuple]:
    """(restructure id, unit path) for each recorded change effective in
    [start, end] and each of its units that lay in the subtree just before or
    from the change (its version then). One query; the restructures themselves
    are read with `Restructure.objects.filter(pk__in=...)`."""
    r = Restructure._meta.db_table
    ru = Restructure.units.through._meta.db_table
    v = UnitVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT r.id, v.path
            FROM {r} r
            JOIN {ru} ru ON ru.restructure_id = r.id
            JOIN {v} v ON v.unit_id = ru.unit_id AND v.valid_from <= r.effective_on
                 AND (v.valid_to IS NULL OR v.valid_to >= r.effective_on)
            WHERE r.effective_on >= %s AND r.effective_on <= %s AND v.path LIKE %s
            """,
            [start, end, snap.root.path + "%"],
        )
        return cursor.fetchall()


# --- annual review ratings ------------------------------------------------------------


def organization_ratings_by_level(path: str, year: int) -> list[tuple]:
    """(year, unit level, decided level, count) of the party organizations
    reviewed under `path` (the unit included) for `year` and the year before;
    a review not yet decided counts with decided level "". One query.

    reviews.selectors.organization_results gives the same counts without the
    kind of organization (cell or grassroots organization) the report lines
    need; the review's `path` is the unit's path when it was rated."""
    return list(
        OrganizationReview.objects.filter(year__in=(year, year - 1), path__startswith=path)
        .values_list("year", "unit__level", "decided_level")
        .annotate(n=Count("id"))
        .order_by()
    )


def members_awaiting_decision(path: str, year: int) -> int:
    """Members of the subtree reviewed for `year` whose level the committee
    has not decided yet. One query."""
    return MemberReview.objects.filter(year=year, path__startswith=path, decided_level="").count()


def rating_counts_by_branch(model, snap: Snapshot, year: int) -> dict[int, dict[int, dict]]:
    """{direct sub-unit id: {year: {decided level: count}}} of the reviews of
    `model` (MemberReview or OrganizationReview) rated under each direct
    sub-unit of the snapshot's root, for `year` and the year before. One query.

    The same grouping as reviews.selectors.member_results(by_child=True), read
    as plain tuples: the selector builds a Unit per sub-unit and Fractions for
    every share, ~100 ms of Python at 1,000 sub-units that the report (which
    has the sub-units already and computes its own shares) does not need. The
    sub-unit is the path segment after the root's, i.e. its id, so a review
    stays with the unit it was rated in even if that unit moved since."""
    depth = len(snap.root.path)
    rows = (
        model.objects.filter(year__in=(year, year - 1), path__startswith=snap.root.path)
        .exclude(decided_level="")
        .annotate(branch=Substr("path", depth + 1, PATH_STEP))
        .values_list("branch", "year", "decided_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, dict[int, dict]] = defaultdict(lambda: {year: {}, year - 1: {}})
    for branch, y, level, n in rows:
        if branch:  # the root's own review belongs to no sub-unit
            out[int(branch)][y][level] = n
    return out


def inbox_for(user) -> QuerySet[Submission]:
    """Every submission awaiting the user's review, whatever its report and
    period: submitted to a committee the user sits on the board of (or one
    below it), oldest waiting first, with `waiting_since` (its last version's
    time)."""
    qs = Submission.objects.filter(status=SubmissionStatus.SUBMITTED)
    if not sees_everything(user):
        q = Q(pk__in=[])
        for path in role_paths(user, (Role.Kind.ADMIN, Role.Kind.STAFF, Role.Kind.REVIEWER)):
            q |= Q(to_unit__path__startswith=path)
        qs = qs.filter(q)
    return (
        qs.select_related("unit", "to_unit")
        .annotate(waiting_since=Max("versions__submitted_at"))
        .order_by("waiting_since", "pk")
    )

"""The dated events the forms count, read from the histories.

A member is on a unit's list (danh sách đảng viên) on a day when, that day,
their status is probationary or official and their permanent placement is in
a cell whose version of the day lies in the unit's subtree. Temporary
placements never count: a member away on a temporary transfer stays on the
home list, and is not on the host's.

`movement` reads, for a period, every time a member came onto the list or
left it, and why: the status that changed (admission, restoration, death,
expulsion, removal, leaving the Party, transfer out of the system), or the
placement or the cell's version that moved across the unit's boundary (a
transfer, or a restructure moving a cell). A move that stays inside the unit
(a transfer between two of its cells, a cell moved between two of its
wards) is no event of the unit: its list is the same on either side of it.
Three queries whatever the size of the unit; only the members with a change
inside the period are read row by row.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from members.choices import PlacementKind, Status
from members.models import Placement, StatusPeriod
from organizations.models import PATH_STEP, Level, Unit, UnitVersion, path_ids

MEMBER = (Status.PROBATIONARY, Status.OFFICIAL)

# Increase causes (Biểu 1, B) and decrease causes (C).
ADMITTED = "admitted"
RESTORED = "restored"
IN_PROVINCE = "in_province"  # from another province (tỉnh ủy khác)
IN_DISTRICT = "in_district"  # from another unit of the same province (huyện ủy khác trong tỉnh)
IN_UNKNOWN = "in_unknown"  # transferred in from outside the system, origin not recorded
ENTERED = "entered"  # first entered in chibo (nhập hồ sơ) without a recorded reason
DEATH = "death"
EXPELLED = "expelled"
REMOVED = "removed"
LEFT = "left"  # xin ra khỏi Đảng
OUT_PROVINCE = "out_province"
OUT_DISTRICT = "out_district"
OUT_UNKNOWN = "out_unknown"  # transferred out of the system, destination not recorded
# a move between two direct sub-units of the unit (only with branches=True)
INTERNAL = "internal"

# The removal note that the removal service writes for a member who asked to
# leave the Party (members.rules.RemovalGround), read as "xin ra khỏi Đảng".
LEFT_PARTY_PREFIXES = ("Xin ra khỏi Đảng",)


@dataclass
class Event:
    member_id: int
    day: date  # the first day on (an increase) or off (a decrease) the list
    sign: int  # +1 an increase, -1 a decrease
    cause: str
    path: str  # the cell's path on the list's side (its version then)
    probationary: bool = False  # a decrease of a probationary member


def _provinces() -> set[int]:
    return set(Unit.objects.filter(level=Level.PROVINCIAL).values_list("pk", flat=True))


def province_of(path: str, provinces: set[int]) -> int | None:
    for unit_id in path_ids(path):
        if unit_id in provinces:
            return unit_id
    return None


def _candidates_sql(root_path: str, day0: date, day1: date) -> tuple[str, list]:
    """The members with a change of status, of permanent placement or of
    their cell's version inside (day0, day1] (one pass over each history
    table), of those the ones placed in the subtree at some time in it."""
    p, v, s = Placement._meta.db_table, UnitVersion._meta.db_table, StatusPeriod._meta.db_table
    inside = "(({a}.valid_from > %s AND {a}.valid_from <= %s) OR ({a}.valid_to > %s AND {a}.valid_to <= %s))"
    sql = f"""
        SELECT DISTINCT p.member_id FROM (
            SELECT member_id FROM {s} s WHERE {inside.format(a="s")}
            UNION
            SELECT member_id FROM {p} q WHERE q.kind = %s AND {inside.format(a="q")}
              AND q.unit_id IN (SELECT unit_id FROM {v} WHERE path LIKE %s
                                AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s))
            UNION
            SELECT r.member_id FROM {p} r
            WHERE r.kind = %s AND r.valid_from <= %s AND (r.valid_to IS NULL OR r.valid_to > %s)
              -- only a cell moved into or out of the subtree in the period
              -- (a version outside it begun or ended then, and one inside):
              -- a new path inside it (the 2025 reform re-pathed every unit)
              -- changes no list
              AND r.unit_id IN (
                  SELECT w.unit_id FROM {v} w
                  WHERE {inside.format(a="w")} AND NOT w.path LIKE %s
                    AND EXISTS (SELECT 1 FROM {v} x WHERE x.unit_id = w.unit_id
                                AND x.path LIKE %s AND x.valid_from <= %s
                                AND (x.valid_to IS NULL OR x.valid_to > %s)))
        ) c
        JOIN {p} p ON p.member_id = c.member_id AND p.kind = %s
             AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)
        JOIN {v} v ON v.unit_id = p.unit_id
             AND v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s) AND v.path LIKE %s
    """
    window = [day0, day1, day0, day1]
    args = [
        *window,
        PlacementKind.PERMANENT,
        *window,
        root_path + "%",
        day1,
        day0,
        PlacementKind.PERMANENT,
        day1,
        day0,
        *window,
        root_path + "%",
        root_path + "%",
        day1,
        day0,
        PlacementKind.PERMANENT,
        day1,
        day0,
        day1,
        day0,
        root_path + "%",
    ]
    return sql, args


def _among(ids: list[int]) -> tuple[str, list]:
    """SQL "is one of `ids`": one array parameter on PostgreSQL, a list of
    parameters elsewhere (SQLite, the tests' sizes)."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [ids]
    return f"IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _valid(rows, day):
    for row in rows:
        if row[0] <= day and (row[1] is None or row[1] > day):
            return row
    return None


_SHARED: ContextVar[dict | None] = ContextVar("statforms_shared_movement", default=None)


@contextmanager
def shared_movement() -> Iterator[None]:
    """Within it, `movement` reads each (unit, period) once: Biểu 2's
    sections I and III count the same admissions. Only for one form's run
    (the histories do not change under it); nothing is kept after."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def movement(root_path: str, day0: date, day1: date, *, branches: bool = False) -> list[Event]:
    shared = _SHARED.get()
    if shared is None:
        return _movement(root_path, day0, day1, branches=branches)
    key = (root_path, day0, day1, branches)
    if key not in shared:
        shared[key] = _movement(root_path, day0, day1, branches=branches)
    return shared[key]


def _movement(root_path: str, day0: date, day1: date, *, branches: bool = False) -> list[Event]:
    """Every time a member came onto the list of the unit at `root_path` or
    left it, on a day in (day0, day1]. With `branches`, also each move from
    one direct sub-unit to another (an INTERNAL decrease of the one and
    increase of the other). Four queries."""
    cand_sql, cand_args = _candidates_sql(root_path, day0, day1)
    s, p, v = StatusPeriod._meta.db_table, Placement._meta.db_table, UnitVersion._meta.db_table
    versions: dict[int, list] = defaultdict(list)
    with connection.cursor() as cursor:
        # the members with a change, found once, then their rows read once
        # per history table: a fixed number of queries
        cursor.execute(cand_sql, cand_args)
        ids = [r[0] for r in cursor.fetchall()]
        if not ids:
            return []
        among, among_args = _among(ids)
        cursor.execute(
            f"""SELECT member_id, valid_from, valid_to, status, note FROM {s}
                WHERE valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)
                  AND member_id {among}""",
            [day1, day0, *among_args],
        )
        statuses = cursor.fetchall()
        cursor.execute(
            f"""SELECT member_id, valid_from, valid_to, unit_id, arrived_from, left_to FROM {p}
                WHERE kind = %s AND valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)
                  AND member_id {among}""",
            [PlacementKind.PERMANENT, day1, day0, *among_args],
        )
        placements = cursor.fetchall()
        unit_ids = {r[3] for r in placements}
        if unit_ids:
            cursor.execute(
                f"""SELECT unit_id, valid_from, valid_to, path FROM {v}
                    WHERE valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s)""",
                [day1, day0],
            )
            for unit_id, valid_from, valid_to, path in cursor.fetchall():
                if unit_id in unit_ids:
                    versions[unit_id].append((valid_from, valid_to, path))
    by_member_s: dict[int, list] = defaultdict(list)
    for member_id, valid_from, valid_to, status, note in statuses:
        by_member_s[member_id].append((valid_from, valid_to, status, note))
    by_member_p: dict[int, list] = defaultdict(list)
    for member_id, valid_from, valid_to, unit_id, arrived_from, left_to in placements:
        by_member_p[member_id].append((valid_from, valid_to, unit_id, arrived_from, left_to))
    if not by_member_p:
        return []
    provinces = _provinces()
    home = province_of(root_path, provinces)
    events: list[Event] = []
    for member_id, own_p in by_member_p.items():
        events.extend(
            _member_events(
                member_id,
                by_member_s.get(member_id, []),
                own_p,
                versions,
                root_path,
                day0,
                day1,
                provinces,
                home,
                branches,
            )
        )
    return events


def _state(day, statuses, placements, versions, root_path):
    """(on the list, status row, placement row, path of the cell) on `day`."""
    status = _valid(statuses, day)
    placement = _valid(placements, day)
    path = None
    if placement is not None:
        version = _valid(versions.get(placement[2], []), day)
        path = version[2] if version else None
    on = (
        status is not None
        and status[2] in MEMBER
        and path is not None
        and path.startswith(root_path)
    )
    return on, status, placement, path


def _member_events(
    member_id, statuses, placements, versions, root_path, day0, day1, provinces, home, branches
):
    points = {day0}
    for row in statuses:
        points.update(d for d in row[:2] if d is not None and day0 < d <= day1)
    for row in placements:
        points.update(d for d in row[:2] if d is not None and day0 < d <= day1)
        for version in versions.get(row[2], []):
            points.update(d for d in version[:2] if d is not None and day0 < d <= day1)
    out = []
    previous = _state(day0, statuses, placements, versions, root_path)
    for day in sorted(points)[1:]:
        current = _state(day, statuses, placements, versions, root_path)
        was_on, now_on = previous[0], current[0]
        if now_on and not was_on:
            out.append(
                Event(member_id, day, 1, _why_in(previous, current, provinces, home), current[3])
            )
        elif was_on and not now_on:
            cause = _why_out(previous, current, provinces, home)
            out.append(
                Event(
                    member_id,
                    day,
                    -1,
                    cause,
                    previous[3],
                    probationary=previous[1][2] == Status.PROBATIONARY,
                )
            )
        elif (
            branches
            and now_on
            and was_on
            and branch_segment(root_path, previous[3]) != branch_segment(root_path, current[3])
        ):
            out.append(Event(member_id, day, -1, INTERNAL, previous[3]))
            out.append(Event(member_id, day, 1, INTERNAL, current[3]))
        previous = current
    return out


def _where(path, provinces, home, inside, outside_district):
    """A cell elsewhere in the system: in another province, or in another
    unit of the same province (the reporting unit's own province)."""
    if path is None:
        return None
    other = province_of(path, provinces)
    return outside_district if home is not None and other == home else inside


# A transfer from or to outside the system, as the office recorded it on the
# placement (members.choices.TransferScope); within the system the cells'
# places in the tree tell.
SCOPE_IN = {"other_province": IN_PROVINCE, "other_district": IN_DISTRICT}
SCOPE_OUT = {"other_province": OUT_PROVINCE, "other_district": OUT_DISTRICT}


def _why_in(before, now, provinces, home) -> str:
    _on, status, placement, path = before
    arrived = (now[2][3] or "") if now[2] is not None else ""
    if status is None or status[2] not in MEMBER:
        if status is None:
            # first entered in chibo: a transfer in if the office said so
            return SCOPE_IN.get(arrived, IN_UNKNOWN if arrived else ENTERED)
        if status[2] in (Status.REMOVED, Status.EXPELLED):
            return RESTORED
        if status[2] == Status.TRANSFERRED_OUT:
            return SCOPE_IN.get(arrived, IN_UNKNOWN)
        return ADMITTED
    if placement is None:
        # no cell before: the dossier's first placement (entered in chibo),
        # a transfer in if the office recorded where from
        return SCOPE_IN.get(arrived, IN_UNKNOWN if arrived else ENTERED)
    # a member before and after: the placement or the cell's version moved in
    where = _where(path, provinces, home, IN_PROVINCE, IN_DISTRICT)
    return where or IN_UNKNOWN


def _why_out(before, now, provinces, home) -> str:
    _on, status, placement, path = now
    if status is None or status[2] not in MEMBER:
        kind = status[2] if status else ""
        if kind == Status.DECEASED:
            return DEATH
        if kind == Status.EXPELLED:
            return EXPELLED
        if kind == Status.TRANSFERRED_OUT:
            left = (before[2][4] or "") if before[2] is not None else ""
            return SCOPE_OUT.get(left, OUT_UNKNOWN)
        if kind == Status.REMOVED and (status[3] or "").startswith(LEFT_PARTY_PREFIXES):
            return LEFT
        # removed, or a probationary member not recognized (Biểu 1: "xóa tên,
        # trong đó dự bị")
        return REMOVED
    where = _where(path, provinces, home, OUT_PROVINCE, OUT_DISTRICT)
    return where or OUT_UNKNOWN


def branch_segment(root_path: str, path: str) -> int | None:
    depth = len(root_path)
    segment = path[depth : depth + PATH_STEP]
    return int(segment) if segment else None


def day_before(day: date) -> date:
    return day - timedelta(days=1)


# --- the list on a day, counted by the member's data -------------------------


# A form counts a set of members (the list on a day, the admissions of a
# period) by their data as it was on the day each is counted on, in one
# grouped SQL query: the member's current columns, where a dated change
# (members.models.ProfileChange) came after that day replaced by the value it
# had then (the `previous` of the first change after the day). Every figure
# is a COUNT(*) FILTER (WHERE …) over the set, so the number of queries does
# not depend on the unit's size nor on how many members changed (SQLite ≥
# 3.30 and PostgreSQL both read FILTER and the window function used).


@dataclass(frozen=True)
class Cond:
    """One condition on a counted member: `field` a Member column, or
    "status", "exempt", "age" (full years on the day counted), `op` one of
    = <> in not_in >= <= > < between blank true exempt."""

    field: str
    op: str
    value: object = None

    def sql(self, table: str | None = None) -> tuple[str, list]:
        """The condition in SQL over `table`'s columns (a counted set's
        `pop`), or, without one, over member_rows' p / s / m / e."""
        if table is not None:
            column = f"{table}.{self.field}"
        else:
            column = {"status": "s.status", "exempt": "e.member_id"}.get(
                self.field, f"m.{self.field}"
            )
        if self.op == "true":
            return f"{column} = %s", [True]
        if self.op == "blank":
            return f"({column} IS NULL OR {column} = '')", []
        if self.op in ("in", "not_in"):
            values = list(self.value)
            marks = ", ".join(["%s"] * len(values))
            if self.op == "in":
                return f"{column} IN ({marks})", values
            return f"({column} IS NULL OR {column} NOT IN ({marks}))", values
        if self.op == "between":
            low, high = self.value
            return f"{column} >= %s AND {column} <= %s", [low, high]
        if self.op == "exempt":
            return f"{column} IS NOT NULL", []
        return f"{column} {self.op} %s", [self.value]


@dataclass(frozen=True)
class Counted:
    """A set of members as SQL: `ctes`, a WITH list whose last table `pop`
    has one row per member counted (member_id, unit_id, status, exempt, age
    and the requested member fields, each as it was on the day the member is
    counted on), and its arguments."""

    ctes: str
    args: tuple


def age_sql(birth: str, day: "str | date") -> str:
    """Full years from `birth` (an SQL date expression) to `day` (another,
    or a date), as chibo.dates.age_on counts them: the years' difference,
    less one before the birthday."""
    pg = connection.vendor == "postgresql"

    def year(d):
        if isinstance(d, date):
            return str(d.year)
        return (
            f"CAST(date_part('year', {d}) AS integer)"
            if pg
            else f"CAST(strftime('%%Y', {d}) AS integer)"
        )

    def md(d):
        # date_part: twice as fast on PostgreSQL as EXTRACT's numeric or to_char
        if isinstance(d, date):
            return str(d.month * 100 + d.day) if pg else f"'{d:%m-%d}'"
        return (
            f"(date_part('month', {d}) * 100 + date_part('day', {d}))"
            if pg
            else f"strftime('%%m-%%d', {d})"
        )

    return f"({year(day)} - {year(birth)} - CASE WHEN {md(day)} < {md(birth)} THEN 1 ELSE 0 END)"


def _fence(dated) -> str:
    """With dated fields, keeps PostgreSQL from pulling `pop` up into the
    query counting it, which would compute a field of the day (a CASE over
    the changes) again in every figure that reads it; without, the fence
    only costs (7B: half as slow again)."""
    return " OFFSET 0" if dated and connection.vendor == "postgresql" else ""


def _dated(fields) -> list[str]:
    from members.choices import DATED_PROFILE_FIELDS

    return [f for f in DATED_PROFILE_FIELDS if f in fields]


def _first_changes(fields: list[str], source: str | None) -> str:
    """SQL of a table c: per `k`, for each dated field f, has_f (1 when f
    changed after the day) and was_f (its value on the day, as ProfileChange
    keeps it). `source` is a table of (k, member_id, day); without one, k is
    the member and the day the one %s argument."""
    from members.models import ProfileChange

    pc = ProfileChange._meta.db_table
    if source is None:
        rows = f"""SELECT c.member_id AS k, c.field, c.previous,
                   ROW_NUMBER() OVER (PARTITION BY c.member_id, c.field
                                      ORDER BY c.changed_on, c.id) AS n
                   FROM {pc} c WHERE c.changed_on > %s"""
    else:
        rows = f"""SELECT a.k, c.field, c.previous,
                   ROW_NUMBER() OVER (PARTITION BY a.k, c.field ORDER BY c.changed_on, c.id) AS n
                   FROM {source} a JOIN {pc} c ON c.member_id = a.member_id AND c.changed_on > a.day"""
    picks = ", ".join(
        f"MAX(CASE WHEN x.field = '{f}' THEN 1 ELSE 0 END) AS has_{f}, "
        f"MAX(CASE WHEN x.field = '{f}' THEN x.previous END) AS was_{f}"
        for f in fields
    )
    return f"SELECT x.k, {picks} FROM ({rows}) x WHERE x.n = 1 GROUP BY x.k"


def _field_columns(fields) -> str:
    """The member fields on the day: m's column, or c's value where it changed."""
    from members.models import Member

    dated = set(_dated(fields))
    out = []
    for f in fields:
        if f not in dated:
            out.append(f"m.{f} AS {f}")
            continue
        was = f"c.was_{f}"
        if Member._meta.get_field(f).get_internal_type() == "BooleanField":
            was = f"({was} = '1')"  # members.models.profile_value
        out.append(f"CASE WHEN c.has_{f} = 1 THEN {was} ELSE m.{f} END AS {f}")
    return "".join(f", {c}" for c in out)


def fields_of(figures) -> list[str]:
    special = {"status", "exempt", "age"}
    return sorted({c.field for conds in figures.values() for c in conds} - special)


def on_list(root_path: str, day: date, fields, *, age: bool = False) -> Counted:
    """The members on the list of the unit at `root_path` on `day`, with
    `fields` as they were that day."""
    from members.models import Exemption, Member

    p, s, m, e, v = (
        Placement._meta.db_table,
        StatusPeriod._meta.db_table,
        Member._meta.db_table,
        Exemption._meta.db_table,
        UnitVersion._meta.db_table,
    )
    fields = list(fields) + (["birth_date"] if age and "birth_date" not in fields else [])
    dated = _dated(fields)
    changes = f"LEFT JOIN ({_first_changes(dated, None)}) c ON c.k = p.member_id" if dated else ""
    ages = f", {age_sql('m.birth_date', day)} AS age" if age else ""
    ctes = f"""pop AS (
        SELECT p.member_id AS member_id, p.unit_id AS unit_id, s.status AS status,
               e.member_id AS exempt{_field_columns(fields)}{ages}
        FROM {p} p
        JOIN {s} s ON s.member_id = p.member_id
             AND s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s)
             AND s.status IN (%s, %s)
        JOIN {m} m ON m.id = p.member_id
        LEFT JOIN (SELECT DISTINCT member_id FROM {e} WHERE valid_from <= %s
                   AND (valid_to IS NULL OR valid_to > %s)) e ON e.member_id = p.member_id
        {changes}
        WHERE p.kind = %s AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)
          AND p.unit_id IN (
              SELECT v.unit_id FROM {v} v
              WHERE v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)
                AND v.path LIKE %s){_fence(dated)})"""
    args = [
        day,
        day,
        Status.PROBATIONARY,
        Status.OFFICIAL,
        day,
        day,
        *([day] if dated else []),
        PlacementKind.PERMANENT,
        day,
        day,
        day,
        day,
        root_path + "%",
    ]
    return Counted(ctes, tuple(args))


# The status before an admission (kết nạp): anything but a member, or one who
# left the list for a reason that makes their return a restoration or a
# transfer in (movement's _why_in).
NOT_ADMITTED_FROM = (*MEMBER, Status.REMOVED, Status.EXPELLED, Status.TRANSFERRED_OUT)


def admitted(root_path: str, start: date, end: date, fields, *, age: bool = False) -> Counted:
    """The admissions into the unit at `root_path` on a day in [start, end]:
    movement's ADMITTED events, one row each, with `fields` as they were on
    the day of admission. A status period of a member begins that day, the
    one before it (covering the day before) is no member's nor a left one's,
    and the member's permanent placement that day is in a cell whose version
    of the day lies in the subtree."""
    from members.models import Member

    p, s, m, v = (
        Placement._meta.db_table,
        StatusPeriod._meta.db_table,
        Member._meta.db_table,
        UnitVersion._meta.db_table,
    )
    fields = list(fields) + (["birth_date"] if age and "birth_date" not in fields else [])
    dated = _dated(fields)
    not_from = ", ".join(["%s"] * len(NOT_ADMITTED_FROM))
    changes = f"LEFT JOIN ({_first_changes(dated, 'adm')}) c ON c.k = a.k" if dated else ""
    ages = f", {age_sql('m.birth_date', 'a.day')} AS age" if age else ""
    ctes = f"""adm AS (
        SELECT s.id AS k, s.member_id AS member_id, s.valid_from AS day, p.unit_id AS unit_id,
               s.status AS status
        FROM {s} s
        JOIN {s} b ON b.member_id = s.member_id AND b.valid_from < s.valid_from
             AND (b.valid_to IS NULL OR b.valid_to >= s.valid_from)
        JOIN {p} p ON p.member_id = s.member_id AND p.kind = %s
             AND p.valid_from <= s.valid_from AND (p.valid_to IS NULL OR p.valid_to > s.valid_from)
        JOIN {v} v ON v.unit_id = p.unit_id AND v.valid_from <= s.valid_from
             AND (v.valid_to IS NULL OR v.valid_to > s.valid_from) AND v.path LIKE %s
        WHERE s.status IN (%s, %s) AND s.valid_from >= %s AND s.valid_from <= %s
          AND b.status NOT IN ({not_from})
    ), pop AS (
        SELECT a.member_id AS member_id, a.unit_id AS unit_id, a.status AS status,
               a.day AS day, NULL AS exempt{_field_columns(fields)}{ages}
        FROM adm a JOIN {m} m ON m.id = a.member_id
        {changes}{_fence(dated)})"""
    args = [
        PlacementKind.PERMANENT,
        root_path + "%",
        Status.PROBATIONARY,
        Status.OFFICIAL,
        start,
        end,
        *NOT_ADMITTED_FROM,
    ]
    return Counted(ctes, tuple(args))


def count(counted: Counted, figures: dict[str, tuple[Cond, ...]], sums=()) -> dict[str, int]:
    """{key: members of the set meeting every condition of figures[key]} (an
    empty tuple: everyone) and, for each column named in `sums`, "sum_<it>":
    the sum of its values. One query."""
    return count_by(counted, figures, None, sums)[None]


def count_by(counted: Counted, figures: dict[str, tuple[Cond, ...]], by: str | None, sums=()):
    """`count` per value of the set's column `by` ({value: figures}), or of
    the whole set under None. One query."""
    parts, args = [], []
    for key in figures:
        sqls = []
        for cond in figures[key]:
            sql, values = cond.sql("pop")
            sqls.append(sql)
            args += values
        parts.append(f"COUNT(*) FILTER (WHERE {' AND '.join(sqls)})" if sqls else "COUNT(*)")
    parts += [f"SUM(pop.{column})" for column in sums]
    sql = f"WITH {counted.ctes} SELECT {', '.join(parts)}"
    if by is not None:
        sql += f", pop.{by} FROM pop GROUP BY pop.{by}"
    else:
        sql += ", NULL FROM pop"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*counted.args, *args])
        rows = cursor.fetchall()
    out = {}
    for *row, group in rows:
        values = {k: int(n or 0) for k, n in zip(figures, row, strict=False)}
        for column, n in zip(sums, row[len(figures) :], strict=True):
            values[f"sum_{column}"] = int(n or 0)
        out[group] = values
    return out


def count_groups(counted: Counted, columns) -> list[tuple]:
    """(value of each of `columns`, members) of the set, grouped. One query."""
    select = ", ".join(f"pop.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {counted.ctes} SELECT {select}, COUNT(*) FROM pop GROUP BY {select}",
            list(counted.args),
        )
        return cursor.fetchall()


def list_figures(
    root_path: str, day: date, figures: dict[str, tuple[Cond, ...]], *, age: bool = False
) -> dict[str, int]:
    """{key: members on the list on `day` meeting every condition of
    figures[key]} (an empty tuple: everyone), with the members' data of that
    day, in one query; with `age`, also "sum_age", their ages added up (the
    average age's numerator)."""
    counted = on_list(root_path, day, fields_of(figures), age=age)
    return count(counted, figures, sums=("age",) if age else ())


def list_groups(root_path: str, day: date, columns) -> list[tuple]:
    """(value of each of `columns` on `day`, members) of the list on `day`."""
    return count_groups(on_list(root_path, day, columns), columns)

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
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from members.choices import DATED_PROFILE_FIELDS, PlacementKind, Status
from members.listruns import LEFT_PARTY_PREFIX
from members.models import (
    Exemption,
    ListRun,
    Member,
    MemberCount,
    Placement,
    ProfileChange,
    StatusPeriod,
)
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
LEFT_PARTY_PREFIXES = (LEFT_PARTY_PREFIX,)


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


# A far-off day standing for "still open" (valid_to NULL) in the SQL below.
OPEN = date(9999, 12, 31)


class _Fence:
    """ "OFFSET 0" on PostgreSQL: the subquery is computed once, not folded
    into the query around it (which would compute each run's first and last
    day again at every mention); SQLite needs no such hint."""

    def __format__(self, spec):
        return "OFFSET 0" if connection.vendor == "postgresql" else ""


_FENCE = _Fence()


def _runs_sql(root_path: str, day0: date, day1: date) -> tuple[str, list]:
    """The runs of days each member spent on the list, the cells' versions
    of the subtree split in: one row per kept run (members.models.ListRun:
    a status period, probationary or official, × a permanent placement) ×
    version of its cell in the subtree that overlap, from `a` (the later of
    the two beginnings) to `b` (the first day after one of them ended), of
    those the runs that begin or end inside (day0, day1]; with the member's
    state on the day before `a` (st0, unit0) and on `b` (st1, left1, unit1):
    the run's own status and cell where the version split it, else what the
    kept run recorded around it."""
    r, v = ListRun._meta.db_table, UnitVersion._meta.db_table
    greatest, least = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
    # the version began after the kept run did, or ended before it
    split0 = "v.valid_from > r.valid_from"
    split1 = "COALESCE(v.valid_to, %s) < COALESCE(r.valid_to, %s)"
    # A run and version that overlap begin or end inside the period only
    # where one of the two does: the kept runs that do (found by their
    # dates), and the others in the cells whose version began or ended then
    # (by the cell; none in most periods, every cell in a founding year)
    inside = "({t}.valid_from > %s AND {t}.valid_from <= %s) OR (COALESCE({t}.valid_to, %s) > %s AND COALESCE({t}.valid_to, %s) <= %s)"
    inside_args = [day0, day1, OPEN, day0, OPEN, day1]
    parts, args = [], []
    for where in (
        inside.format(t="r"),
        f"NOT ({inside.format(t='r')}) AND ({inside.format(t='v')})",
    ):
        parts.append(f"""
            SELECT r.member_id, r.status, r.arrived_from, r.left_to, v.path,
                   {greatest}(r.valid_from, v.valid_from) AS a,
                   {least}(COALESCE(r.valid_to, %s), COALESCE(v.valid_to, %s)) AS b,
                   CASE WHEN {split0} THEN r.status ELSE r.status_before END AS st0,
                   CASE WHEN {split0} THEN r.unit_id ELSE r.unit_before END AS unit0,
                   CASE WHEN {split1} THEN r.status ELSE r.status_after END AS st1,
                   CASE WHEN {split1} THEN 0
                        WHEN r.left_party_after THEN 1 ELSE 0 END AS left1,
                   CASE WHEN {split1} THEN r.unit_id ELSE r.unit_after END AS unit1
            FROM {r} r
            JOIN {v} v ON v.unit_id = r.unit_id AND v.path LIKE %s
                 AND v.valid_from < COALESCE(r.valid_to, %s) AND COALESCE(v.valid_to, %s) > r.valid_from
                 AND v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)
            WHERE r.valid_from <= %s AND (r.valid_to IS NULL OR r.valid_to > %s) AND {where}
        """)
        args += [OPEN, OPEN, OPEN, OPEN, OPEN, OPEN, OPEN, OPEN]
        args += [root_path + "%", OPEN, OPEN, day1, day0, day1, day0]
        args += inside_args * (2 if parts[1:] else 1)
    # a run beginning or ending in the period (each is some days long: the
    # run and the version overlap)
    sql = f"""
        SELECT x.* FROM ({" UNION ALL ".join(parts)}) x
        WHERE (x.a > %s AND x.a <= %s) OR (x.b > %s AND x.b <= %s)
        {_FENCE}
    """
    return sql, [*args, day0, day1, day0, day1]


def _movement_sql(root_path: str, day0: date, day1: date, *, branches: bool, grouped: bool):
    """Each run on the list (_runs_sql) beginning or ending in the period,
    with the cell's path the day before it began and on the day it ended. A
    run that began while the member was on the list the day before continues
    a stay (a status, a cell or a path changed without leaving it);
    otherwise it is an arrival, and one that ends without the member on the
    list that day a departure.

    Columns: arrival (1, or 0 for a move between branches with `branches`),
    the path before such a move; the status, no cell, the path the day
    before an arrival, and its recorded origin; departure, the status, the
    left-the-Party note and the path on the day, the recorded destination,
    the run's own status; the run's path (with `branches`, or one row per
    event); then how many if `grouped`, else the member and the days."""
    v = UnitVersion._meta.db_table
    runs, args = _runs_sql(root_path, day0, day1)
    if grouped:
        # the runs alike counted first: a founding year's ~100,000 arrivals
        # are a few thousand kinds (a day, a cell, the state around), and
        # only those look up the paths around them and the causes
        keys = (
            "r.a, r.b, r.status, r.arrived_from, r.left_to, r.st0, r.unit0, r.st1, r.left1, r.unit1"
        )
        path = "r.path" if branches else "NULL"
        runs = f"""
            SELECT NULL AS member_id, {keys}, {path} AS path, COUNT(*) AS n FROM ({runs}) r
            GROUP BY {keys}{", r.path" if branches else ""} {_FENCE}
        """
    else:
        runs = f"SELECT r.*, 1 AS n FROM ({runs}) r"
    depth = len(root_path)
    joined = f"""
        SELECT r.member_id, r.n, r.a, r.b, r.path, r.status AS own, r.arrived_from, r.left_to,
               CASE WHEN r.a > %s AND r.a <= %s THEN 1 ELSE 0 END AS a_in,
               CASE WHEN r.b > %s AND r.b <= %s THEN 1 ELSE 0 END AS b_in,
               r.st0, CASE WHEN r.unit0 IS NULL THEN 1 ELSE 0 END AS nocell0, v0.path AS path0,
               r.st1, r.left1, v1.path AS path1
        FROM ({runs}) r
        LEFT JOIN {v} v0 ON v0.unit_id = r.unit0
             AND v0.valid_from < r.a AND (v0.valid_to IS NULL OR v0.valid_to >= r.a)
        LEFT JOIN {v} v1 ON v1.unit_id = r.unit1
             AND v1.valid_from <= r.b AND (v1.valid_to IS NULL OR v1.valid_to > r.b)
        {_FENCE}
    """
    args = [day0, day1, day0, day1, *args]
    members = ", ".join(["%s"] * len(MEMBER))
    # on the list the day before the run, on the day after it (0 or 1: a
    # NULL path or status is "not on it")
    on0 = f"CASE WHEN j.st0 IN ({members}) AND j.nocell0 = 0 AND j.path0 LIKE %s THEN 1 ELSE 0 END"
    on1 = f"CASE WHEN j.st1 IN ({members}) AND j.path1 LIKE %s THEN 1 ELSE 0 END"
    on_args = [*MEMBER, root_path + "%"]
    moved = f"SUBSTR(j.path0, {depth + 1}, {PATH_STEP}) <> SUBSTR(j.path, {depth + 1}, {PATH_STEP})"
    # an arrival: 1; a move between branches: 0 (with `branches`); else NULL
    arrival = f"""CASE WHEN j.a_in = 1 AND ({on0}) = 0 THEN 1
                       WHEN j.a_in = 1 AND {"1 = 1" if branches else "1 = 0"} AND {moved}
                       THEN 0 END"""
    departure = f"CASE WHEN j.b_in = 1 AND ({on1}) = 0 THEN 1 END"
    # the columns a cause reads, the others left NULL so that few groups remain
    when_in = "CASE WHEN x.arrival = 1 THEN {} END"
    when_out = "CASE WHEN x.departure = 1 THEN {} END"
    columns = [
        "x.arrival",
        "CASE WHEN x.arrival = 0 THEN x.path0 END",
        when_in.format("x.st0"),
        when_in.format("x.nocell0"),
        when_in.format("x.path0"),
        when_in.format("x.arrived_from"),
        "x.departure",
        when_out.format("x.st1"),
        when_out.format("x.left1"),
        when_out.format("x.path1"),
        when_out.format("x.left_to"),
        when_out.format("x.own"),
        "x.path" if branches or not grouped else "NULL",
    ]
    flagged = f"""
        SELECT j.*, {arrival} AS arrival, {departure} AS departure FROM ({joined}) j {_FENCE}
    """
    # the flags come before the joined rows in the text
    args = [*on_args, *on_args, *args]
    listed = ", ".join(columns)
    where = "WHERE x.arrival IS NOT NULL OR x.departure IS NOT NULL"
    if grouped:
        keys = ", ".join(c for c in columns if c != "NULL")  # PostgreSQL: no constant
        sql = f"SELECT {listed}, SUM(x.n) FROM ({flagged}) x {where} GROUP BY {keys}"
    else:
        sql = f"SELECT {listed}, x.member_id, x.a, x.b FROM ({flagged}) x {where}"
    return sql, args


def _cause_in(other, no_cell, other_path, scope, provinces, home) -> str:
    """Why a member came onto the list, from their state the day before."""
    arrived = scope or ""
    if other is None or no_cell and other in MEMBER:
        # first entered in chibo, or no cell before (the dossier's first
        # placement): a transfer in if the office recorded where from
        return SCOPE_IN.get(arrived, IN_UNKNOWN if arrived else ENTERED)
    if other not in MEMBER:
        if other in (Status.REMOVED, Status.EXPELLED):
            return RESTORED
        if other == Status.TRANSFERRED_OUT:
            return SCOPE_IN.get(arrived, IN_UNKNOWN)
        return ADMITTED
    # a member before and after: the placement or the cell's version moved in
    return _where(other_path, provinces, home, IN_PROVINCE, IN_DISTRICT) or IN_UNKNOWN


def _cause_out(other, left_party, other_path, scope, provinces, home) -> str:
    """Why a member left the list, from their state on the day."""
    if other is None or other not in MEMBER:
        if other == Status.DECEASED:
            return DEATH
        if other == Status.EXPELLED:
            return EXPELLED
        if other == Status.TRANSFERRED_OUT:
            return SCOPE_OUT.get(scope or "", OUT_UNKNOWN)
        if left_party:
            return LEFT
        # removed, or a probationary member not recognized (Biểu 1: "xóa tên,
        # trong đó dự bị")
        return REMOVED
    return _where(other_path, provinces, home, OUT_PROVINCE, OUT_DISTRICT) or OUT_UNKNOWN


def _events(root_path: str, day0: date, day1: date, *, branches: bool, grouped: bool):
    """(Event, how many) for the rows of _movement_sql."""
    sql, args = _movement_sql(root_path, day0, day1, branches=branches, grouped=grouped)
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    # read even when there is no event: the same queries whatever the data
    provinces = _provinces()
    home = province_of(root_path, provinces)
    out = []
    for row in rows:
        arrival, from_path, st0, nocell0, path0, arrived, departure = row[:7]
        st1, left1, path1, left_to, own, path = row[7:13]
        if grouped:
            n, member_id, a, b = int(row[13]), None, None, None
        else:
            n, (member_id, a, b) = 1, row[13:16]
            # SQLite hands computed dates back as text
            a = date.fromisoformat(a) if isinstance(a, str) else a
            b = date.fromisoformat(b) if isinstance(b, str) else b
        if arrival == 0:
            out.append((Event(member_id, a, -1, INTERNAL, from_path), n))
            out.append((Event(member_id, a, 1, INTERNAL, path), n))
        elif arrival == 1:
            cause = _cause_in(st0, nocell0, path0, arrived, provinces, home)
            out.append((Event(member_id, a, 1, cause, path), n))
        if departure == 1:
            cause = _cause_out(st1, left1, path1, left_to, provinces, home)
            probationary = own == Status.PROBATIONARY
            out.append((Event(member_id, b, -1, cause, path, probationary), n))
    return out


def movement(root_path: str, day0: date, day1: date, *, branches: bool = False) -> list[Event]:
    """Every time a member came onto the list of the unit at `root_path` or
    left it, on a day in (day0, day1]. With `branches`, also each move from
    one direct sub-unit to another (an INTERNAL decrease of the one and
    increase of the other). Two queries (the events, the provinces);
    a row per event."""
    return [event for event, _n in _events(root_path, day0, day1, branches=branches, grouped=False)]


@dataclass(frozen=True)
class Tally:
    """Events of one kind and how many: `path` (the cell's, on the list's
    side) only with branches, `member_id` and `day` never."""

    sign: int
    cause: str
    path: str | None
    probationary: bool
    n: int


def movement_tally(
    root_path: str, day0: date, day1: date, *, branches: bool = False
) -> list[Tally]:
    """`movement` counted in the database: the same events, grouped by
    cause (and with `branches`, by cell), so a province's year (its founding
    year: every member arrives) comes back in a few dozen rows. Two queries
    (the events, the provinces)."""
    counts: dict[tuple, int] = defaultdict(int)
    for event, n in _events(root_path, day0, day1, branches=branches, grouped=True):
        counts[(event.sign, event.cause, event.path, event.probationary)] += n
    return [Tally(*key, n) for key, n in counts.items()]


def list_size(unit_id: int, day: date) -> int:
    """Members on the unit's list on `day` (its subtree as it stood then),
    from the maintained counts (members.models.MemberCount): one query; 0 if
    the unit did not exist that day."""
    c, v = MemberCount._meta.db_table, UnitVersion._meta.db_table
    valid = "{a}.valid_from <= %s AND ({a}.valid_to IS NULL OR {a}.valid_to > %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COALESCE(SUM(c.n), 0) FROM {c} c
            WHERE c.kind IN (%s, %s) AND {valid.format(a="c")}
              AND c.unit_id IN (
                  SELECT v.unit_id FROM {v} v JOIN {v} r ON r.unit_id = %s
                       AND {valid.format(a="r")} AND v.path LIKE r.path || '%%'
                  WHERE {valid.format(a="v")})
            """,
            [
                MemberCount.Kind.OFFICIAL,
                MemberCount.Kind.PROBATIONARY,
                day,
                day,
                unit_id,
                day,
                day,
                day,
                day,
            ],
        )
        return int(cursor.fetchone()[0])


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
    = <> in not_in >= <= > < between blank true exempt, or admitted_after
    (admitted_on later than the value, through a subquery)."""

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
        if self.op == "admitted_after":
            # a member column read through its index (member_admitted_idx):
            # the set needs no join with the whole member table for it
            member = f"{table}.member_id" if table else "p.member_id"
            return (
                f"{member} IN (SELECT id FROM {Member._meta.db_table} WHERE admitted_on > %s)",
                [self.value],
            )
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
    return [f for f in DATED_PROFILE_FIELDS if f in fields]


def _first_changes(fields: list[str], source: str | None) -> str:
    """SQL of a table c: per `k`, for each dated field f, has_f (1 when f
    changed after the day) and was_f (its value on the day, as ProfileChange
    keeps it). `source` is a table of (k, member_id, day); without one, k is
    the member and the day the one %s argument."""
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
    fields = {c.field for conds in figures.values() for c in conds if c.op != "admitted_after"}
    return sorted(fields - special)


def on_list(
    root_path: str, day: date, fields, *, age: bool = False, branch: bool = False
) -> Counted:
    """The members on the list of the unit at `root_path` on `day`, with
    `fields` as they were that day; with `branch`, also the direct sub-unit
    of the unit their cell lies under that day ("branch", its id, or NULL
    for a cell that is the unit itself), so that a breakdown by sub-unit
    groups a thousand branches rather than every cell and has no cells to
    add up in Python.

    The list is read from the kept runs (members.models.ListRun: a status
    of member × a permanent placement, already intersected), not by joining
    the placements to the status periods again: that join was most of the
    time of Biểu 3, which reads two days."""
    r, m, e, v = (
        ListRun._meta.db_table,
        Member._meta.db_table,
        Exemption._meta.db_table,
        UnitVersion._meta.db_table,
    )
    fields = list(fields) + (["birth_date"] if age and "birth_date" not in fields else [])
    dated = _dated(fields)
    changes = f"LEFT JOIN ({_first_changes(dated, None)}) c ON c.k = p.member_id" if dated else ""
    ages = f", {age_sql('m.birth_date', day)} AS age" if age else ""
    # the subtree's cells: joined (for the branch, from the cell's path on
    # the day: its segment after the unit's is the sub-unit's id), or a
    # subquery the placements are filtered by
    in_subtree = """v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)
                AND v.path LIKE %s"""
    depth = len(root_path)
    branches, subtree, where_subtree = "", "", ""
    if branch:
        branches = f""", CAST(NULLIF(SUBSTR(v.path, {depth + 1}, {PATH_STEP}), '') AS integer)
               AS branch"""
        subtree = f"JOIN {v} v ON v.unit_id = p.unit_id AND {in_subtree}"
    else:
        where_subtree = f"AND p.unit_id IN (SELECT v.unit_id FROM {v} v WHERE {in_subtree})"
    ctes = f"""pop AS (
        SELECT p.member_id AS member_id, p.unit_id AS unit_id, p.status AS status,
               e.member_id AS exempt{_field_columns(fields)}{ages}{branches}
        FROM {r} p
        {f"JOIN {m} m ON m.id = p.member_id" if fields else ""}
        LEFT JOIN (SELECT DISTINCT member_id FROM {e} WHERE valid_from <= %s
                   AND (valid_to IS NULL OR valid_to > %s)) e ON e.member_id = p.member_id
        {changes}
        {subtree}
        WHERE p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)
          {where_subtree}{_fence(dated)})"""
    subtree_args = [day, day, root_path + "%"]
    args = [
        day,
        day,
        *([day] if dated else []),
        *(subtree_args if branch else []),
        day,
        day,
        *([] if branch else subtree_args),
    ]
    return Counted(ctes, tuple(args))


# The status before an admission (kết nạp): anything but a member, or one who
# left the list for a reason that makes their return a restoration or a
# transfer in (movement's _why_in).
NOT_ADMITTED_FROM = (*MEMBER, Status.REMOVED, Status.EXPELLED, Status.TRANSFERRED_OUT)


def admitted(root_path: str, start: date, end: date, fields, *, age: bool = False) -> Counted:
    """The admissions into the unit at `root_path` on a day in [start, end]:
    movement's ADMITTED events, one row each, with `fields` as they were on
    the day of admission and `path`, the cell's path that day. A status
    period of a member begins that day, the one before it (covering the day
    before) is no member's nor a left one's, and the member's permanent
    placement that day is in a cell whose version of the day lies in the
    subtree."""
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
    # the admissions of the period among the status periods begun in it
    # (status_day_idx) first, fenced: only those few are then looked up in
    # the placements and the versions by member and by unit, where a join
    # planned over the whole period's status changes read every placement
    ctes = f"""adm AS (
        SELECT s.id AS k, s.member_id AS member_id, s.valid_from AS day, p.unit_id AS unit_id,
               v.path AS path, s.status AS status
        FROM (
            SELECT s.id, s.member_id, s.valid_from, s.status FROM {s} s
            JOIN {s} b ON b.member_id = s.member_id AND b.valid_from < s.valid_from
                 AND (b.valid_to IS NULL OR b.valid_to >= s.valid_from)
            WHERE s.status IN (%s, %s) AND s.valid_from >= %s AND s.valid_from <= %s
              AND b.status NOT IN ({not_from}) {_FENCE}
        ) s
        JOIN {p} p ON p.member_id = s.member_id AND p.kind = %s
             AND p.valid_from <= s.valid_from AND (p.valid_to IS NULL OR p.valid_to > s.valid_from)
        JOIN {v} v ON v.unit_id = p.unit_id AND v.valid_from <= s.valid_from
             AND (v.valid_to IS NULL OR v.valid_to > s.valid_from) AND v.path LIKE %s
    ), pop AS (
        SELECT a.member_id AS member_id, a.unit_id AS unit_id, a.path AS path,
               a.status AS status, a.day AS day, NULL AS exempt{_field_columns(fields)}{ages}
        FROM adm a JOIN {m} m ON m.id = a.member_id
        {changes}{_fence(dated)})"""
    args = [
        Status.PROBATIONARY,
        Status.OFFICIAL,
        start,
        end,
        *NOT_ADMITTED_FROM,
        PlacementKind.PERMANENT,
        root_path + "%",
    ]
    return Counted(ctes, tuple(args))


def count(counted: Counted, figures: dict[str, tuple[Cond, ...]], sums=()) -> dict[str, int]:
    """{key: members of the set meeting every condition of figures[key]} (an
    empty tuple: everyone) and, for each column named in `sums`, "sum_<it>":
    the sum of its values. One query."""
    return count_by(counted, figures, None, sums)[None]


def count_by(
    counted: Counted,
    figures: dict[str, tuple[Cond, ...]],
    by: str | tuple[str, ...] | None,
    sums=(),
):
    """`count` per value of the set's column `by` ({value: figures}), per
    tuple of values of several columns (`by` a tuple), or of the whole set
    under None. One query."""
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
    columns = (by,) if isinstance(by, str) else by
    if columns is not None:
        select = ", ".join(f"pop.{c}" for c in columns)
        sql += f", {select} FROM pop GROUP BY {select}"
    else:
        sql += ", NULL FROM pop"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*counted.args, *args])
        rows = cursor.fetchall()
    width = len(figures) + len(sums)
    out = {}
    for line in rows:
        row, group = line[:width], line[width:]
        group = tuple(group) if isinstance(by, tuple) else group[0]
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

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


@dataclass(frozen=True)
class Cond:
    """One condition on a member of the list: `field` a Member column (or
    "status", "exempt"), `op` one of = in >= <= > < between blank true."""

    field: str
    op: str
    value: object = None

    def sql(self) -> tuple[str, list]:
        column = {"status": "s.status", "exempt": "e.member_id"}.get(self.field, f"m.{self.field}")
        if self.op == "true":
            return f"{column} = %s", [True]
        if self.op == "blank":
            return f"({column} IS NULL OR {column} = '')", []
        if self.op == "in":
            values = list(self.value)
            return f"{column} IN ({', '.join(['%s'] * len(values))})", values
        if self.op == "between":
            low, high = self.value
            return f"{column} >= %s AND {column} <= %s", [low, high]
        if self.op == "exempt":
            return f"{column} IS NOT NULL", []
        return f"{column} {self.op} %s", [self.value]

    def holds(self, values: dict) -> bool:
        value = values.get(self.field)
        if self.op == "true":
            return bool(value)
        if self.op == "blank":
            return value in (None, "")
        if self.op == "exempt":
            return bool(value)
        if value is None:
            return False
        if self.op == "in":
            return value in self.value
        if self.op == "between":
            return self.value[0] <= value <= self.value[1]
        return {
            "=": value == self.value,
            "<>": value != self.value,
            ">=": value >= self.value,
            "<=": value <= self.value,
            ">": value > self.value,
            "<": value < self.value,
        }[self.op]


def list_figures(root_path: str, day: date, figures: dict[str, tuple[Cond, ...]]) -> dict[str, int]:
    """{key: members on the list on `day` meeting every condition of
    figures[key]} (an empty tuple: everyone), in one query; the fields a
    member's dated changes (members.models.ProfileChange) had otherwise on
    `day` are then corrected member by member (two more queries, for the few
    whose values changed since)."""
    from members.models import Exemption, Member
    from members.selectors import profile_on

    keys = list(figures)
    sums, args = [], []
    for key in keys:
        parts, part_args = [], []
        for cond in figures[key]:
            sql, values = cond.sql()
            parts.append(sql)
            part_args += values
        sums.append(f"SUM(CASE WHEN {' AND '.join(parts) or '1 = 1'} THEN 1 ELSE 0 END)")
        args += part_args
    p, s, m, e, v = (
        Placement._meta.db_table,
        StatusPeriod._meta.db_table,
        Member._meta.db_table,
        Exemption._meta.db_table,
        UnitVersion._meta.db_table,
    )
    on_list = f"""
        FROM {p} p
        JOIN {s} s ON s.member_id = p.member_id
             AND s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s)
             AND s.status IN (%s, %s)
        JOIN {m} m ON m.id = p.member_id
        LEFT JOIN (SELECT DISTINCT member_id FROM {e} WHERE valid_from <= %s
                   AND (valid_to IS NULL OR valid_to > %s)) e ON e.member_id = p.member_id
        WHERE p.kind = %s AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)
          AND p.unit_id IN (
              SELECT v.unit_id FROM {v} v
              WHERE v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)
                AND v.path LIKE %s)
    """
    list_args = [
        day,
        day,
        Status.PROBATIONARY,
        Status.OFFICIAL,
        day,
        day,
        PlacementKind.PERMANENT,
        day,
        day,
        day,
        day,
        root_path + "%",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(sums)} {on_list}", [*args, *list_args])
        row = cursor.fetchone()
        out = {k: int(n or 0) for k, n in zip(keys, row, strict=True)}
        # the few members whose counted fields changed after the day (most
        # never change), and of those the ones on the list then
        changed = profile_on(day)
        if changed:
            marks = ", ".join(["%s"] * len(changed))
            cursor.execute(
                f"SELECT p.member_id {on_list} AND p.member_id IN ({marks})",
                [*list_args, *changed],
            )
            on = {r[0] for r in cursor.fetchall()}
            changed = {k: v for k, v in changed.items() if k in on}
    if changed:
        fields = sorted(
            {c.field for conds in figures.values() for c in conds} - {"status", "exempt"}
        )
        current = {
            r["id"]: r for r in Member.objects.filter(pk__in=list(changed)).values("id", *fields)
        }
        statuses = dict(
            StatusPeriod.objects.filter(member_id__in=list(changed), valid_from__lte=day)
            .exclude(valid_to__lte=day)
            .values_list("member_id", "status")
        )
        exempt = set(
            Exemption.objects.filter(member_id__in=list(changed), valid_from__lte=day)
            .exclude(valid_to__lte=day)
            .values_list("member_id", flat=True)
        )
        for member_id, past in changed.items():
            now = {**current.get(member_id, {}), "status": statuses.get(member_id)}
            now["exempt"] = member_id in exempt
            then = {**now, **past}
            for key in keys:
                was = all(c.holds(then) for c in figures[key])
                is_now = all(c.holds(now) for c in figures[key])
                out[key] += int(was) - int(is_now)
    return out


def birth_dates_on_list(root_path: str, day: date, extra: str = "", extra_args=()) -> list[tuple]:
    """(birth date, members) of the list on `day`: for the average age."""
    from members.models import Member

    p, s, m, v = (
        Placement._meta.db_table,
        StatusPeriod._meta.db_table,
        Member._meta.db_table,
        UnitVersion._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.birth_date, COUNT(*) FROM {p} p
            JOIN {s} s ON s.member_id = p.member_id
                 AND s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s)
                 AND s.status IN (%s, %s)
            JOIN {m} m ON m.id = p.member_id
            WHERE p.kind = %s AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)
              AND p.unit_id IN (SELECT v.unit_id FROM {v} v WHERE v.valid_from <= %s
                   AND (v.valid_to IS NULL OR v.valid_to > %s) AND v.path LIKE %s)
            GROUP BY m.birth_date
            """,
            [
                day,
                day,
                Status.PROBATIONARY,
                Status.OFFICIAL,
                PlacementKind.PERMANENT,
                day,
                day,
                day,
                day,
                root_path + "%",
            ],
        )
        return cursor.fetchall()

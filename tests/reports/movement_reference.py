"""The first implementation of reads.movement (every member's events walked
in Python, day by day over their history rows), kept as the oracle the SQL
implementation is compared with (tests/reports/test_forms_movement_sql.py):
slow, but plain enough to read as the definition."""

from collections import defaultdict
from datetime import date

from django.db import connection

from members.choices import PlacementKind, Status
from members.models import Placement, StatusPeriod
from organizations.models import UnitVersion
from reports.statforms.reads import (
    ADMITTED,
    DEATH,
    ENTERED,
    EXPELLED,
    IN_DISTRICT,
    IN_PROVINCE,
    IN_UNKNOWN,
    INTERNAL,
    LEFT,
    LEFT_PARTY_PREFIXES,
    MEMBER,
    OUT_DISTRICT,
    OUT_PROVINCE,
    OUT_UNKNOWN,
    REMOVED,
    RESTORED,
    Event,
    _provinces,
    branch_segment,
    province_of,
)


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


def movement(root_path: str, day0: date, day1: date, *, branches: bool = False) -> list[Event]:
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

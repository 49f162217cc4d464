"""Each member's runs on the list (`ListRun`), kept as a summary of the
status and permanent placement histories, so that Biểu 1 and Biểu 7 read a
year's arrivals and departures from one table rather than ordering every
member's histories by date again (a province's founding year: every member
arrives).

A member's runs are a function of their own status periods and permanent
placements only, so they are recomputed whole for the members a write
touches, in the write's transaction. members/counts.py drives it: every
refresh of a unit's counts (after a history row saved or deleted, at the end
of a `counts_deferred()` block, after a bulk load) refreshes the runs of the
members ever placed in those units. The cells' versions (a restructure) are
joined by the forms when they read, never stored here.

One SQL statement computes the runs (window functions, PostgreSQL and SQLite
alike); `manage.py verify_counts` compares the table with it.
"""

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from members.choices import PlacementKind, Status
from members.models import ListRun, Placement, StatusPeriod

# "still open" (valid_to NULL) in the arithmetic below
OPEN = date(9999, 12, 31)
CHUNK = 500
MEMBER = (Status.PROBATIONARY, Status.OFFICIAL)
# The removal note that the removal service writes for a member who asked to
# leave the Party (members.rules.RemovalGround), read as "xin ra khỏi Đảng".
LEFT_PARTY_PREFIX = "Xin ra khỏi Đảng"

COLUMNS = (
    "member_id",
    "unit_id",
    "status",
    "valid_from",
    "valid_to",
    "arrived_from",
    "left_to",
    "status_before",
    "unit_before",
    "status_after",
    "left_party_after",
    "unit_after",
)


def _runs_sql(where: str) -> tuple[str, list]:
    """SELECT the COLUMNS of the members `where` selects (an SQL condition on
    member_id, with no argument), from the histories.

    A member's rows in each history never overlap, so the row in force the
    day before a run began is the run's own (when the other history's
    change began it) or the previous row if that ended that day; and the row
    in force on the day it ended the run's own or the next row if that began
    then: LAG and LEAD over each history."""
    p, s = Placement._meta.db_table, StatusPeriod._meta.db_table
    greatest, least = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
    statuses = f"""
        SELECT member_id, status, valid_from, valid_to,
               LAG(status) OVER w AS prev_status, LAG(valid_to) OVER w AS prev_to,
               LEAD(status) OVER w AS next_status, LEAD(valid_from) OVER w AS next_from,
               LEAD(status = %s AND SUBSTR(note, 1, {len(LEFT_PARTY_PREFIX)}) = %s)
                    OVER w AS next_left
        FROM {s} WHERE {where}
        WINDOW w AS (PARTITION BY member_id ORDER BY valid_from)
    """
    placements = f"""
        SELECT member_id, unit_id, valid_from, valid_to, arrived_from, left_to,
               LAG(unit_id) OVER w AS prev_unit, LAG(valid_to) OVER w AS prev_to,
               LEAD(unit_id) OVER w AS next_unit, LEAD(valid_from) OVER w AS next_from
        FROM {p} WHERE kind = %s AND {where}
        WINDOW w AS (PARTITION BY member_id ORDER BY valid_from)
    """
    runs = f"""
        SELECT s.member_id, p.unit_id, s.status, s.valid_from AS s_from, s.valid_to AS s_to,
               s.prev_status, s.prev_to AS s_prev_to, s.next_status, s.next_from AS s_next_from,
               s.next_left, p.valid_from AS p_from, p.valid_to AS p_to, p.prev_unit,
               p.prev_to AS p_prev_to, p.next_unit, p.next_from AS p_next_from,
               p.arrived_from, p.left_to,
               {greatest}(s.valid_from, p.valid_from) AS a,
               {least}(COALESCE(s.valid_to, %s), COALESCE(p.valid_to, %s)) AS b
        FROM ({statuses}) s
        JOIN ({placements}) p ON p.member_id = s.member_id
             AND s.valid_from < COALESCE(p.valid_to, %s) AND COALESCE(s.valid_to, %s) > p.valid_from
        WHERE s.status IN (%s, %s)
    """
    sql = f"""
        SELECT r.member_id, r.unit_id, r.status, r.a,
               CASE WHEN r.b = %s THEN NULL ELSE r.b END,
               r.arrived_from, r.left_to,
               CASE WHEN r.a > r.s_from THEN r.status
                    WHEN r.s_prev_to = r.a THEN r.prev_status END,
               CASE WHEN r.a > r.p_from THEN r.unit_id
                    WHEN r.p_prev_to = r.a THEN r.prev_unit END,
               CASE WHEN COALESCE(r.s_to, %s) > r.b THEN r.status
                    WHEN r.s_next_from = r.b THEN r.next_status END,
               CASE WHEN COALESCE(r.s_to, %s) > r.b THEN 1 = 0
                    WHEN r.s_next_from = r.b THEN COALESCE(r.next_left, 1 = 0) ELSE 1 = 0 END,
               CASE WHEN COALESCE(r.p_to, %s) > r.b THEN r.unit_id
                    WHEN r.p_next_from = r.b THEN r.next_unit END
        FROM ({runs}) r
    """
    args = [OPEN, OPEN, OPEN, OPEN]
    args += [OPEN, OPEN, Status.REMOVED, LEFT_PARTY_PREFIX, PlacementKind.PERMANENT]
    args += [OPEN, OPEN, *MEMBER]
    return sql, args


def _members_condition(member_ids: list[int]) -> str:
    # integers only: written into the statement, no argument to place
    return f"member_id IN ({', '.join(str(int(pk)) for pk in member_ids)})"


def _row(r) -> tuple:
    out = list(r)
    for i in (3, 4):
        if out[i] is not None and not isinstance(out[i], date):
            out[i] = date.fromisoformat(str(out[i])[:10])
    out[10] = bool(out[10])
    return tuple(out)


def runs_from_history(member_ids: Iterable[int] | None = None) -> list[tuple]:
    """The runs (COLUMNS) as the histories give them now, sorted."""
    out = []
    for where in _conditions(member_ids):
        sql, args = _runs_sql(where)
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            out += [_row(r) for r in cursor.fetchall()]
    return sorted(out, key=_sort_key)


def runs_stored(member_ids: Iterable[int] | None = None) -> list[tuple]:
    qs = ListRun.objects.all()
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    return sorted((_row(r) for r in qs.values_list(*COLUMNS)), key=_sort_key)


def _sort_key(row):
    return tuple((v is None, v) for v in row)


def _conditions(member_ids):
    if member_ids is None:
        yield "1 = 1"
        return
    ids = sorted(set(member_ids))
    for i in range(0, len(ids), CHUNK):
        yield _members_condition(ids[i : i + CHUNK])


def _insert(where: str) -> None:
    sql, args = _runs_sql(where)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {ListRun._meta.db_table} ({', '.join(COLUMNS)}) {sql}", args)


@transaction.atomic
def runs_refresh(member_ids: Iterable[int]) -> None:
    """Recompute these members' runs from the histories (inside the caller's
    transaction: the forms change with the write or not at all)."""
    ids = sorted({pk for pk in member_ids if pk is not None})
    if connection.vendor == "postgresql" and ids:
        # one statement for any number of members, as members.counts does:
        # a roster import's 100,000 members in 200 chunks took 6.6 s, one
        # array under a second
        where = f"member_id = ANY('{{{','.join(str(int(pk)) for pk in ids)}}}'::bigint[])"
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ListRun._meta.db_table} WHERE {where}")
        _insert(where)
        return
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        ListRun.objects.filter(member_id__in=chunk).delete()
        _insert(_members_condition(chunk))


def members_of_units(unit_ids: Iterable[int]) -> set[int]:
    """The members ever placed permanently in these units, or with a run
    kept there (a placement deleted since): the ones whose runs a change in
    those units may move."""
    ids = sorted({pk for pk in unit_ids if pk is not None})
    out: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        out.update(
            Placement.objects.filter(unit_id__in=chunk, kind=PlacementKind.PERMANENT).values_list(
                "member_id", flat=True
            )
        )
        out.update(ListRun.objects.filter(unit_id__in=chunk).values_list("member_id", flat=True))
    return out


def runs_refresh_units(unit_ids: Iterable[int]) -> None:
    runs_refresh(members_of_units(unit_ids))


@transaction.atomic
def runs_rebuild() -> int:
    """Recompute every member's runs (after a bulk load); returns the rows written."""
    ListRun.objects.all().delete()
    _insert("1 = 1")
    return ListRun.objects.count()


def verify() -> list[str]:
    """What differs between the kept runs and the histories, as lines to
    print (none when they agree)."""
    stored, computed = set(runs_stored()), set(runs_from_history())
    problems = []
    for row in sorted(stored - computed, key=_sort_key):
        problems.append(f"lượt lưu sẵn, không có trong lịch sử: {_describe(row)}")
    for row in sorted(computed - stored, key=_sort_key):
        problems.append(f"lượt theo lịch sử, thiếu trong bảng: {_describe(row)}")
    return problems


def _describe(row) -> str:
    member_id, unit_id, status, a, b = row[:5]
    end = f"{b:%d/%m/%Y}" if b else "nay"
    return f"đảng viên {member_id}, đơn vị {unit_id}, {status} {a:%d/%m/%Y}–{end}: {row[5:]}"

"""The member counts per unit, kept as a summary of the histories
(`MemberCount`): for every unit, kind (official, probationary, exempt) and
run of days with the same number, how many party members it counted.

A unit's runs are a function of the placement, status and exemption
histories of the members ever placed in it, so they are recomputed whole for
the units a write touches, in the write's transaction:

- every save or delete of a Placement, StatusPeriod or Exemption (what the
  services in members/ and structure/ do, one row at a time) marks the units
  of that member's permanent placements (signals, connected in apps.py), and
  they are recomputed at once, or at the end of the `counts_deferred()` block
  around it (a restructure moving hundreds of members, an import);
- writes in bulk that send no signals (the roster import's COPY, the demo)
  call `counts_refresh(unit_ids)` or `counts_rebuild()` themselves.

Each refresh also recomputes the runs on the list of the members ever placed
in those units (members/listruns.py), which Biểu 1 and Biểu 7 read.

One SQL statement computes the runs from the histories (window functions,
PostgreSQL and SQLite alike); `manage.py verify_counts` compares the table
with it and with the day-by-day history counts
(members.selectors.history_member_counts_on).
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.db import connection, transaction

from members import listruns
from members.choices import PlacementKind, Status
from members.listruns import runs_refresh_units
from members.models import Exemption, MemberCount, Placement, StatusPeriod
from members.selectors import history_member_counts_on, unit_member_counts

# the open end of a period, for the arithmetic of intersections
FOREVER = date(9999, 12, 31)
CHUNK = 500

_pending: ContextVar[set | None] = ContextVar("member_counts_pending", default=None)


def _runs_sql(where_units: str) -> str:
    """SELECT unit_id, kind, valid_from, valid_to, n: the runs of the units
    `where_units` selects (an SQL condition on p.unit_id), from the histories."""
    p, s, e = (
        Placement._meta.db_table,
        StatusPeriod._meta.db_table,
        Exemption._meta.db_table,
    )
    greatest, least = ("GREATEST", "LEAST") if connection.vendor == "postgresql" else ("MAX", "MIN")
    return f"""
        WITH iv AS (
            SELECT p.unit_id AS unit_id, p.member_id AS member_id, s.status AS kind,
                   {greatest}(p.valid_from, s.valid_from) AS a,
                   {least}(COALESCE(p.valid_to, %(forever)s), COALESCE(s.valid_to, %(forever)s)) AS b
            FROM {p} p
            JOIN {s} s ON s.member_id = p.member_id
                 AND s.status IN (%(probationary)s, %(official)s)
                 AND s.valid_from < COALESCE(p.valid_to, %(forever)s)
                 AND COALESCE(s.valid_to, %(forever)s) > p.valid_from
            WHERE p.kind = %(permanent)s AND {where_units}
        ),
        ex AS (
            SELECT iv.unit_id AS unit_id, %(exempt)s AS kind,
                   {greatest}(iv.a, e.valid_from) AS a,
                   {least}(iv.b, COALESCE(e.valid_to, %(forever)s)) AS b
            FROM iv JOIN {e} e ON e.member_id = iv.member_id
                 AND e.valid_from < iv.b AND COALESCE(e.valid_to, %(forever)s) > iv.a
        ),
        spans AS (
            SELECT unit_id, kind, a, b FROM iv WHERE a < b
            UNION ALL
            SELECT unit_id, kind, a, b FROM ex WHERE a < b
        ),
        events AS (
            SELECT unit_id, kind, a AS day, 1 AS d FROM spans
            UNION ALL
            SELECT unit_id, kind, b AS day, -1 AS d FROM spans WHERE b < %(forever)s
        ),
        steps AS (
            SELECT unit_id, kind, day, SUM(d) AS d FROM events
            GROUP BY unit_id, kind, day HAVING SUM(d) <> 0
        ),
        runs AS (
            SELECT unit_id, kind, day AS valid_from,
                   LEAD(day) OVER (PARTITION BY unit_id, kind ORDER BY day) AS valid_to,
                   SUM(d) OVER (PARTITION BY unit_id, kind ORDER BY day
                                ROWS UNBOUNDED PRECEDING) AS n
            FROM steps
        )
        SELECT unit_id, kind, valid_from, valid_to, n FROM runs WHERE n <> 0
    """


def _params() -> dict:
    return {
        "forever": FOREVER,
        "probationary": Status.PROBATIONARY,
        "official": Status.OFFICIAL,
        "exempt": MemberCount.Kind.EXEMPT,
        "permanent": PlacementKind.PERMANENT,
    }


def _units_condition(unit_ids: list[int], params: dict) -> str:
    names = []
    for i, pk in enumerate(unit_ids):
        params[f"u{i}"] = pk
        names.append(f"%(u{i})s")
    return f"p.unit_id IN ({', '.join(names)})"


def runs_from_history(unit_ids: Iterable[int] | None = None) -> list[tuple]:
    """[(unit id, kind, from, to or None, n)] as the histories give them now,
    for `unit_ids` (every unit when None), sorted."""
    out = []
    for where, params in _conditions(unit_ids):
        with connection.cursor() as cursor:
            cursor.execute(_runs_sql(where), params)
            out += [_row(r) for r in cursor.fetchall()]
    return sorted(out)


def runs_stored(unit_ids: Iterable[int] | None = None) -> list[tuple]:
    qs = MemberCount.objects.all()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    return sorted(_row(r) for r in qs.values_list("unit_id", "kind", "valid_from", "valid_to", "n"))


def _row(r) -> tuple:
    unit_id, kind, a, b, n = r
    return (unit_id, kind, _day(a), _day(b) if b is not None else None, int(n))


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _conditions(unit_ids):
    if unit_ids is None:
        yield "1 = 1", _params()
        return
    ids = sorted(set(unit_ids))
    for i in range(0, len(ids), CHUNK):
        params = _params()
        yield _units_condition(ids[i : i + CHUNK], params), params


@transaction.atomic
def counts_refresh(unit_ids: Iterable[int], *, runs: bool = True) -> None:
    """Recompute the runs of these units from the histories (inside the
    caller's transaction: the figures change with the write or not at all).
    With runs=False the members' runs on the list are left to the caller: a
    bulk load rebuilds them all at once (members.listruns.runs_rebuild)."""
    ids = sorted({pk for pk in unit_ids if pk is not None})
    if not ids:
        return
    table = MemberCount._meta.db_table
    if connection.vendor == "postgresql":
        # one statement for any number of units (an array, not a parameter
        # each): the national demo's 58,000 cells in 116 chunks of 500 took
        # minutes, each chunk reading its members' histories by index
        params = {**_params(), "units": ids}
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE unit_id = ANY(%(units)s)", params)
            cursor.execute(
                f"INSERT INTO {table} (unit_id, kind, valid_from, valid_to, n) "
                f"SELECT * FROM ({_runs_sql('p.unit_id = ANY(%(units)s)')}) r",
                params,
            )
    else:
        _counts_refresh_chunked(ids, table)
    if runs:  # the same members' runs on the list (members.listruns), with the counts
        runs_refresh_units(ids)


def _counts_refresh_chunked(ids: list[int], table: str) -> None:
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        MemberCount.objects.filter(unit_id__in=chunk).delete()
        params = _params()
        where = _units_condition(chunk, params)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (unit_id, kind, valid_from, valid_to, n) "
                f"SELECT * FROM ({_runs_sql(where)}) r",
                params,
            )


@transaction.atomic
def counts_rebuild() -> int:
    """Recompute every unit's runs (after a bulk load); returns the rows written."""
    table = MemberCount._meta.db_table
    MemberCount.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, kind, valid_from, valid_to, n) "
            f"SELECT * FROM ({_runs_sql('1 = 1')}) r",
            _params(),
        )
    return MemberCount.objects.count()


def units_of_members(member_ids: Iterable[int]) -> set[int]:
    """The units the members were ever placed in permanently: the ones whose
    counts a change of their status or exemption history may move."""
    ids = list(set(member_ids))
    out: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        out.update(
            Placement.objects.filter(
                member_id__in=ids[i : i + CHUNK], kind=PlacementKind.PERMANENT
            ).values_list("unit_id", flat=True)
        )
    return out


def touch_units(unit_ids: Iterable[int]) -> None:
    """These units' counts changed: recompute them now, or at the end of the
    enclosing counts_deferred() block."""
    pending = _pending.get()
    if pending is not None:
        pending.update(unit_ids)
    else:
        counts_refresh(unit_ids)


@contextmanager
def counts_deferred():
    """Recompute the touched units once, when the block ends (still inside
    the caller's transaction), rather than after every history row."""
    if _pending.get() is not None:  # nested: the outer block refreshes
        yield
        return
    pending: set = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    # reached only when the block succeeded; after an error the caller's
    # transaction rolls the history back, and nothing is to be recomputed
    counts_refresh(pending)


# --- signals: every history row saved or deleted one at a time -------------------


def _placement_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    if instance.kind == PlacementKind.PERMANENT:
        touch_units([instance.unit_id])


def _member_history_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    touch_units(units_of_members([instance.member_id]))


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_placement_changed, sender=Placement, dispatch_uid="counts_placement")
    post_delete.connect(_placement_changed, sender=Placement, dispatch_uid="counts_placement_d")
    for model in (StatusPeriod, Exemption):
        post_save.connect(_member_history_changed, sender=model, dispatch_uid=f"counts_{model}")
        post_delete.connect(_member_history_changed, sender=model, dispatch_uid=f"counts_{model}_d")


# --- the check ----------------------------------------------------------------------


def verify(days: list[date]) -> list[str]:
    """What differs between the maintained counts and the histories, as
    lines to print (none when they agree): the stored runs against the runs
    recomputed from the histories (every day at once), and, for each of
    `days`, the figures read from the table against those counted from the
    placement, status and exemption rows in force that day; and the kept
    runs on the list (members.listruns) against the histories."""
    problems = listruns.verify()
    stored, computed = set(runs_stored()), set(runs_from_history())
    for unit_id, kind, a, b, n in sorted(stored - computed):
        problems.append(f"lưu sẵn, không có trong lịch sử: đơn vị {unit_id} {kind} {a}–{b}: {n}")
    for unit_id, kind, a, b, n in sorted(computed - stored):
        problems.append(f"theo lịch sử, thiếu trong bảng: đơn vị {unit_id} {kind} {a}–{b}: {n}")
    for day in days:
        history = history_member_counts_on(day)
        table = {}
        for unit_id, counts in unit_member_counts(
            MemberCount.objects.values("unit_id"), day
        ).items():
            for kind in MemberCount.Kind.values:
                if getattr(counts, kind):
                    table[(unit_id, kind)] = getattr(counts, kind)
        for key in sorted(set(history) | set(table)):
            if history.get(key, 0) != table.get(key, 0):
                problems.append(
                    f"ngày {day:%d/%m/%Y}, đơn vị {key[0]} {key[1]}: lưu sẵn {table.get(key, 0)}, "
                    f"theo lịch sử {history.get(key, 0)}"
                )
    return problems

"""Loading rows in bulk with PostgreSQL COPY (psycopg 3 `cursor.copy()`): the
way the million-member demo is built in minutes rather than hours. Rows are
given as {attname: value}; the model's defaults fill the rest, as
`Model.objects.bulk_create` would, but no signal is sent and no object built."""

import json
import operator
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone


def reserve_ids(model, n: int) -> list[int]:
    """`n` primary keys taken from the model's sequence, so rows referring to
    each other (a member and its history) can be sent before they are read
    back. PostgreSQL only."""
    if n <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, n],
        )
        return [pk for (pk,) in cursor.fetchall()]


def copy_rows(table: str, columns: list[str], rows: Iterable) -> int:
    """COPY the tuples `rows` into `table`'s `columns`; returns how many."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    n = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def copy_insert(model, rows: Iterable[dict], *, with_pk: bool = False) -> int:
    """COPY rows given as {attname: value} into the model's table, its field
    defaults (and `auto_now_add`'s now) filling the attributes a row leaves
    out; with `with_pk` the rows carry their own ids (`reserve_ids`)."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    defaults = {
        f.attname: now
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        else f.get_default()
        for f in fields
    }
    json_fields = [f for f in fields if f.get_internal_type() == "JSONField"]
    pick = operator.itemgetter(*[f.attname for f in fields])

    def values(row: dict) -> tuple:
        full = {**defaults, **row}
        for f in json_fields:
            full[f.attname] = f.get_db_prep_save(full[f.attname], connection)
        return pick(full)

    return copy_rows(model._meta.db_table, [f.column for f in fields], map(values, rows))


def instance_row(obj) -> dict:
    """An unsaved model instance as {attname: value} for `copy_insert`,
    leaving the `auto_now(_add)` fields it has not filled to the defaults."""
    row = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        value = getattr(obj, f.attname)
        if value is None and (getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)):
            continue
        row[f.attname] = value
    return row


def pks_by(model, field: str, keys: Iterable) -> dict:
    """{value of `field`: primary key} of the rows whose `field` is one of
    `keys`. On PostgreSQL one query with `= ANY(array)`: an IN list of a few
    thousand values cost Django and psycopg more to build and parse than the
    database took to answer it. Elsewhere IN lists of a thousand."""
    keys = list(dict.fromkeys(k for k in keys if k is not None))
    if not keys:
        return {}
    if connection.vendor != "postgresql":
        out = {}
        for i in range(0, len(keys), 1000):
            out.update(
                model._default_manager.filter(**{f"{field}__in": keys[i : i + 1000]}).values_list(
                    field, "pk"
                )
            )
        return out
    quote = connection.ops.quote_name
    f = model._meta.pk if field == "pk" else model._meta.get_field(field)
    # the keys go as one JSON text (json.dumps is C; psycopg's list dumper
    # is Python, per element) and become the array on the server
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(f.column)}, {quote(model._meta.pk.column)} "
            f"FROM {quote(model._meta.db_table)} WHERE {quote(f.column)} = ANY("
            f"ARRAY(SELECT jsonb_array_elements_text(%s::jsonb))::{f.db_type(connection)}[])",
            [json.dumps(keys)],
        )
        return dict(cursor.fetchall())

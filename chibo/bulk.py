"""Loading rows in bulk with PostgreSQL COPY (psycopg 3 `cursor.copy()`): the
way the million-member demo is built in minutes rather than hours. Rows are
given as {attname: value}; the model's defaults fill the rest, as
`Model.objects.bulk_create` would, but no signal is sent and no object built."""

import json
import operator
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
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


def insert_select(model, columns: dict[str, str], tail: str, params: dict) -> int:
    """INSERT INTO the model's table … SELECT: `columns` maps attnames to SQL
    expressions over `tail` (FROM … WHERE …, with %(name)s parameters); the
    model's defaults fill the other columns, as `copy_insert` does. For rows
    the database can derive itself (a million members' ratings), with no row
    going through Python. Returns how many rows."""
    now = timezone.now()
    given = dict(columns)
    values = dict(params)
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in given:
            continue
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            default = now
        else:
            default = f.get_db_prep_save(f.get_default(), connection)
        values[f"_default_{f.attname}"] = default
        given[f.attname] = f"%(_default_{f.attname})s"
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(by_attname[a]) for a in given)}) "
        f"SELECT {', '.join(given.values())} {tail}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount


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


@contextmanager
def indexes_deferred(*models):
    """Around a bulk load into the models' tables (PostgreSQL): their
    secondary indexes and their foreign-key and unique constraints are
    dropped, and made again when the block ends, in the same transaction.
    Each index is then built by one sort and each foreign key checked by one
    join, instead of every row of a COPY updating a dozen indexes and queuing
    a deferred check per foreign key (for fourteen million attendance rows the
    commit alone checked them one by one for minutes). A duplicate or a
    dangling reference still fails, when the constraint is made again.
    Elsewhere it does nothing."""
    if connection.vendor != "postgresql" or not models:
        yield
        return
    tables = [m._meta.db_table for m in models]
    with transaction.atomic(), connection.cursor() as cursor:
        # constraints: foreign keys and unique (a unique one owns its index)
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype,
                   pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
            """,
            [tables],
        )
        constraints = cursor.fetchall()
        # indexes that belong to no constraint (the primary key's stays)
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                              AND c.conrelid = i.indrelid)
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        # checks still queued for these tables (rows written earlier in the
        # transaction) run now: a table with pending checks cannot be altered
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _kind, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote_name(name)}")
        # Django's foreign keys are INITIALLY DEFERRED: back to that
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        # each index's sort in memory rather than on disk
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        # unique constraints before the foreign keys that may lean on them
        for table, name, _kind, definition in sorted(constraints, key=lambda c: c[2] != "u"):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote_name(name)} {definition}")
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def quote_name(name: str) -> str:
    return connection.ops.quote_name(name)


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

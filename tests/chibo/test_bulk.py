"""`chibo.bulk.indexes_deferred`: a bulk load into tables without their
secondary indexes and foreign keys, made again when the block ends. The
tables must come out exactly as migrated, and a row the constraints refuse
must still be refused."""

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from chibo.bulk import copy_insert, indexes_deferred
from members.models import Member, Placement, StatusPeriod
from organizations.models import Level
from tests.factories import make_member, make_unit

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="indexes and COPY are PostgreSQL's"),
]


def schema(*models) -> set[tuple]:
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [tables],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid),
                   condeferrable, condeferred
            FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])
            """,
            [tables],
        )
        return indexes | set(cursor.fetchall())


def a_member():
    ward = make_unit("Đảng bộ phường", level=Level.GRASSROOTS_COMMITTEE)
    return make_member(make_unit("Chi bộ 1", level=Level.CELL, parent=ward))


def index_names(model) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [model._meta.db_table]
        )
        return {name for (name,) in cursor.fetchall()}


def test_the_tables_come_out_with_every_index_and_constraint_as_migrated(db):
    member = a_member()
    before = schema(Member, Placement, StatusPeriod)
    with indexes_deferred(Placement, StatusPeriod):
        # inside the block only the primary keys are left
        assert index_names(Placement) == {"members_placement_pkey"}
        copy_insert(
            StatusPeriod,
            [
                {
                    "member_id": member.pk,
                    "status": "probationary",
                    "valid_from": "1999-01-01",
                    "valid_to": "1999-06-01",
                }
            ],
        )
    assert schema(Member, Placement, StatusPeriod) == before
    assert StatusPeriod.objects.filter(member=member, valid_from="1999-01-01").exists()


def test_a_dangling_reference_is_refused_when_the_foreign_key_is_made_again(db):
    before = schema(StatusPeriod)
    with pytest.raises(IntegrityError), transaction.atomic(), indexes_deferred(StatusPeriod):
        copy_insert(
            StatusPeriod,
            [{"member_id": 987654321, "status": "official", "valid_from": "2001-01-01"}],
        )
    # nothing written, and the constraints are still there
    assert schema(StatusPeriod) == before
    assert not StatusPeriod.objects.filter(member_id=987654321).exists()


def test_a_duplicate_is_refused_when_the_unique_index_is_made_again(db):
    member = a_member()
    open_now = StatusPeriod.objects.filter(member=member, valid_to__isnull=True).count()
    assert open_now == 1
    with pytest.raises(IntegrityError), transaction.atomic(), indexes_deferred(StatusPeriod):
        # a second open status for the member: "status_one_open" refuses it
        copy_insert(
            StatusPeriod,
            [{"member_id": member.pk, "status": "official", "valid_from": "2001-01-01"}],
        )
    assert StatusPeriod.objects.filter(member=member, valid_to__isnull=True).count() == 1

"""The roster import reads, checks and writes a few rows at a time
(settings.CHIBO_IMPORT_CHUNK_ROWS) so that a province's file is never held
whole, and is still all or nothing: here two rows a chunk, files of five."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.models import AuditEvent, ImportBatch
from members import imports
from members.counts import verify
from members.models import Member, MemberCount, Placement, StatusPeriod
from tests.members.import_factories import import_file, roster_csv, roster_row


@pytest.fixture
def chunks_of_two(settings, monkeypatch):
    settings.CHIBO_IMPORT_CHUNK_ROWS = 2
    written: list[int] = []  # how many rows each write was given
    write = imports.roster_write

    def counted(rows, **kwargs):
        written.append(len(rows))
        return write(rows, **kwargs)

    monkeypatch.setattr(imports, "roster_write", counted)
    return written


def test_a_file_is_written_in_chunks_and_every_row_arrives(tree, ward1_staff, chunks_of_two):
    batch = import_file(
        actor=ward1_staff,
        file_name="ds.csv",
        data=roster_csv([roster_row(n) for n in range(1, 6)]),
    )
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert chunks_of_two == [2, 2, 1]
    members = Member.objects.filter(card_number__startswith="9000000").order_by("card_number")
    assert [m.full_name for m in members] == [f"Lê Thị Nhập {n}" for n in range(1, 6)]
    for m in members:  # each with the past its row tells, as in one chunk
        assert StatusPeriod.objects.filter(member=m).count() == 2
        assert Placement.objects.filter(member=m, unit=tree.cell1a).count() == 1
    assert (batch.new_count, batch.total_rows) == (5, 5)
    assert [r["row"] for r in batch.result["rows"]] == [2, 3, 4, 5, 6]
    event = AuditEvent.objects.get(action="member_import", target_id=batch.pk)
    assert sorted(event.data["new"]) == sorted(m.pk for m in members)
    # the counts the cell shows, refreshed once after the last chunk
    assert MemberCount.objects.filter(unit=tree.cell1a, valid_to__isnull=True).exists()
    assert verify([date.today()]) == []


def test_an_error_in_a_later_chunk_leaves_nothing_written(tree, ward1_staff, chunks_of_two):
    rows = [roster_row(n) for n in range(1, 6)]
    rows[4] = roster_row(5, **{"Ngày sinh": "31/02/1980"})
    counts = list(MemberCount.objects.order_by("pk").values_list("unit", "kind", "valid_from", "n"))
    before = (Member.objects.count(), StatusPeriod.objects.count(), Placement.objects.count())
    batch = import_file(actor=ward1_staff, file_name="ds.csv", data=roster_csv(rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert "không nhập dòng nào" in batch.message
    assert chunks_of_two == [2, 2]  # the first chunks were written, then rolled back
    assert [(e["row"], e["column"]) for e in batch.errors] == [(6, "Ngày sinh")]
    assert (Member.objects.count(), StatusPeriod.objects.count(), Placement.objects.count()) == (
        before
    )
    assert not AuditEvent.objects.filter(action="member_import").exists()
    assert (
        list(MemberCount.objects.order_by("pk").values_list("unit", "kind", "valid_from", "n"))
        == counts
    )


def test_a_row_repeating_one_of_an_earlier_chunk_is_an_error(tree, ward1_staff, chunks_of_two):
    rows = [roster_row(n) for n in range(1, 5)] + [
        roster_row(9, **{"Số thẻ đảng viên": "90000001"})
    ]
    batch = import_file(actor=ward1_staff, file_name="ds.csv", data=roster_csv(rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert [e["message"] for e in batch.errors] == ["Số thẻ đảng viên 90000001 trùng với dòng 2."]
    assert not Member.objects.filter(card_number__startswith="9000000").exists()


def test_valid_rows_only_skips_an_error_of_any_chunk(tree, ward1_staff, chunks_of_two):
    rows = [roster_row(n) for n in range(1, 6)]
    rows[1] = roster_row(2, **{"Số CCCD": "123"})
    batch = import_file(
        actor=ward1_staff, file_name="ds.csv", data=roster_csv(rows), skip_invalid=True
    )
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.new_count, batch.error_count) == (4, 1)
    cards = set(Member.objects.values_list("card_number", flat=True))
    assert {"90000001", "90000003", "90000004", "90000005"} <= cards
    assert "90000002" not in cards


def _queries_of_import(actor, rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        batch = import_file(actor=actor, file_name="ds.csv", data=roster_csv(rows))
    assert batch.status == ImportBatch.Status.DONE, batch.message
    return len(queries)


def test_a_chunk_of_twenty_rows_sends_the_queries_of_a_chunk_of_two(tree, ward1_staff, settings):
    """The members a chunk names are looked up, and its rows written, a
    chunk at a time: the queries grow with the chunks, not with the rows."""
    settings.CHIBO_IMPORT_CHUNK_ROWS = 2
    _queries_of_import(ward1_staff, [roster_row(900)])  # what is looked up once per process
    small = [roster_row(n) for n in range(1, 5)]  # two chunks of two
    new_small = _queries_of_import(ward1_staff, small)
    again_small = _queries_of_import(ward1_staff, small)  # every row found, unchanged
    settings.CHIBO_IMPORT_CHUNK_ROWS = 20
    large = [roster_row(n) for n in range(101, 141)]  # two chunks of twenty
    assert _queries_of_import(ward1_staff, large) == new_small
    assert _queries_of_import(ward1_staff, large) == again_small
    assert Member.objects.filter(card_number__startswith="9000").count() == 45


def test_the_next_chunk_is_read_on_a_worker_thread_with_its_messages(
    tree, ward1_staff, chunks_of_two, monkeypatch
):
    threads: list[str] = []
    parse = imports._parse_row

    def recorded(*args):
        threads.append(threading.current_thread().name)
        return parse(*args)

    monkeypatch.setattr(imports, "_parse_row", recorded)
    rows = [roster_row(n) for n in range(1, 6)]
    rows[4] = roster_row(5, **{"Ngày sinh": "31/02/1980"})
    batch = import_file(actor=ward1_staff, file_name="ds.csv", data=roster_csv(rows))
    assert len(threads) == 5
    assert all(name.startswith("import-read") for name in threads)
    assert batch.errors == [
        {"row": 6, "column": "Ngày sinh", "message": "Ngày 31/02/1980 không có thật."}
    ]
    assert not Member.objects.filter(card_number__startswith="9000000").exists()


def test_a_file_found_too_long_while_reading_ahead_fails_with_nothing_written(
    tree, ward1_staff, chunks_of_two, settings
):
    settings.CHIBO_IMPORT_MAX_ROWS = 3
    batch = import_file(
        actor=ward1_staff,
        file_name="ds.csv",
        data=roster_csv([roster_row(n) for n in range(1, 6)]),
    )
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "Tệp có hơn 3 dòng; hãy chia thành nhiều tệp."
    assert not Member.objects.filter(card_number__startswith="9000000").exists()
    assert not AuditEvent.objects.filter(action="member_import").exists()


def test_parsing_that_would_query_the_database_on_the_worker_thread_is_stopped(
    tree, ward1_staff, chunks_of_two, monkeypatch
):
    """A query from the worker thread would run on a connection of its own,
    outside the import's transaction: it is refused, and nothing is written."""
    parse = imports._parse_row

    def querying(*args):
        Member.objects.count()
        return parse(*args)

    monkeypatch.setattr(imports, "_parse_row", querying)
    with pytest.raises(RuntimeError, match="must not use the database"):
        import_file(
            actor=ward1_staff,
            file_name="ds.csv",
            data=roster_csv([roster_row(n) for n in range(1, 4)]),
        )
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    assert not Member.objects.filter(card_number__startswith="9000000").exists()

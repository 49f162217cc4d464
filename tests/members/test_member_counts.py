"""The maintained member counts per unit (members/counts.py) equal what the
histories say, for every day, after every kind of write; and the pages that
show them read them in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.dates import month_ends
from members import services
from members.choices import TransferScope
from members.counts import runs_from_history, runs_stored, verify
from members.models import MemberCount, Placement, StatusPeriod
from members.rules import RemovalGround
from members.selectors import subtree_trend, unit_member_counts, unit_member_counts_on_days
from organizations.models import Level
from organizations.services import unit_move
from structure.services import unit_dissolve, unit_merge, unit_split
from tests.factories import make_member, make_unit
from tests.members.factories import make_candidate, make_probationary
from tests.members.import_factories import import_file, roster_row, roster_xlsx
from tests.organizations.factories import decision

TODAY = date.today()


def days_of_history() -> list[date]:
    """Every day on which some history row starts or ends, the day before
    each, today and the last 24 month ends: where a wrong count would show."""
    days = {TODAY, *month_ends(TODAY, 24)}
    for model in (Placement, StatusPeriod, services.Exemption):
        for a, b in model.objects.values_list("valid_from", "valid_to"):
            for d in (a, b):
                if d is not None:
                    days |= {d, d - timedelta(days=1)}
    return sorted(days)


def assert_counts_match():
    assert runs_stored() == runs_from_history()
    assert verify(days_of_history()) == []


def counts(unit, day=TODAY):
    c = unit_member_counts([unit.pk], day).get(unit.pk)
    return (c.official, c.probationary, c.exempt) if c else (0, 0, 0)


def test_the_fixture_members_are_counted_from_their_first_day(tree):
    assert counts(tree.cell1a) == (3, 0, 0)
    assert counts(tree.cell1a, date(2009, 12, 31)) == (0, 0, 0)
    assert counts(tree.cell2a, date(2010, 1, 1)) == (4, 0, 0)
    assert_counts_match()


def test_admission_and_recognition(tree):
    helpers = tree.members.m1a[:2]
    candidate = make_candidate(tree.cell1a, helpers)
    assert counts(tree.cell1a) == (3, 0, 0)  # a candidate is not counted
    member = make_probationary(tree.cell1a, helpers, decided_on=date(2024, 3, 1))
    assert counts(tree.cell1a) == (3, 1, 0)
    assert counts(tree.cell1a, date(2024, 2, 29)) == (3, 0, 0)
    services.member_recognize_official(
        actor=None, member=member, day=date(2025, 3, 20), votes_for=3, officials=3
    )
    assert counts(tree.cell1a) == (4, 0, 0)
    assert counts(tree.cell1a, date(2025, 3, 19)) == (3, 1, 0)
    assert candidate.pk != member.pk
    assert_counts_match()


def test_transfers_exemption_removal_death(tree):
    a, b, c = tree.members.m1a
    services.member_transfer_permanent(actor=None, member=a, unit=tree.cell2a, day=date(2024, 6, 1))
    assert (counts(tree.cell1a), counts(tree.cell2a)) == ((2, 0, 0), (5, 0, 0))
    assert counts(tree.cell1a, date(2024, 5, 31)) == (3, 0, 0)
    services.member_exempt(actor=None, member=b, day=date(2024, 7, 1), reason="health")
    assert counts(tree.cell1a) == (2, 0, 1)
    services.member_end_exemption(actor=None, member=b, day=date(2025, 1, 1))
    assert counts(tree.cell1a) == (2, 0, 0)
    assert counts(tree.cell1a, date(2024, 12, 31)) == (2, 0, 1)
    services.member_transfer_temporary(
        actor=None, member=c, host=tree.cell1b, day=date(2025, 2, 1), until=date(2025, 8, 1)
    )
    assert counts(tree.cell1b) == (2, 0, 0)  # a temporary member counts at home only
    services.member_remove(
        actor=None, member=b, day=date(2025, 9, 1), ground=RemovalGround.MISSED_MEETINGS
    )
    services.member_record_death(actor=None, member=c, day=date(2025, 10, 1))
    assert counts(tree.cell1a) == (0, 0, 0)
    assert counts(tree.cell1a, date(2025, 8, 31)) == (2, 0, 0)
    services.member_transfer_out(
        actor=None,
        member=tree.members.m2a[0],
        day=date(2025, 11, 1),
        destination="Tỉnh khác",
        destination_kind=TransferScope.OTHER_PROVINCE,
    )
    assert counts(tree.cell2a) == (4, 0, 0)
    assert_counts_match()


def test_a_refused_step_leaves_the_counts_as_they_were(tree):
    before = runs_stored()
    with pytest.raises(services.ServiceError):
        services.member_transfer_permanent(
            actor=None, member=tree.members.m1a[0], unit=tree.cell2a, day=date(2009, 6, 1)
        )
    assert runs_stored() == before


def test_a_transfer_decided_for_next_month_counts_from_its_day(tree):
    later = TODAY + timedelta(days=40)
    services.member_place(actor=None, member=tree.members.m1a[0], unit=tree.cell1b, day=later)
    assert counts(tree.cell1a) == (3, 0, 0)
    assert counts(tree.cell1a, later) == (2, 0, 0)
    assert counts(tree.cell1b, later) == (3, 0, 0)
    assert_counts_match()


EFFECTIVE = date(2019, 10, 1)


def test_dissolve_merge_split(tree):
    unit_dissolve(actor=None, unit=tree.cell1b, destination=tree.cell1a, **decision(EFFECTIVE))
    assert counts(tree.cell1a) == (5, 0, 0)
    assert counts(tree.cell1b, EFFECTIVE - timedelta(days=1)) == (2, 0, 0)
    assert counts(tree.cell1b) == (0, 0, 0)
    assert_counts_match()
    m = tree.members.m2a
    unit_split(
        actor=None,
        unit=tree.cell2a,
        parts=[{"name": "Chi bộ ấp 1A"}, {"name": "Chi bộ ấp 1B"}],
        assignments={m[0].pk: 0, m[1].pk: 0, m[2].pk: 1, m[3].pk: 1},
        **decision(date(2020, 1, 1), "02-QĐ/ĐU"),
    )
    assert counts(tree.cell2a) == (0, 0, 0)
    assert_counts_match()
    merged = unit_merge(
        actor=None,
        units=[tree.ward1, tree.ward2],
        name="Đảng bộ xã Mới",
        code="XA-MOI",
        **decision(date(2025, 7, 1), "03-QĐ/ĐU"),
    )
    assert merged is not None
    assert_counts_match()


def test_the_roster_import_writes_the_counts_of_its_cells(tree, ward1_staff):
    import_file(
        actor=ward1_staff,
        file_name="ds.xlsx",
        data=roster_xlsx([roster_row(1), roster_row(2)]),
    )
    assert counts(tree.cell1a) == (5, 0, 0)
    assert_counts_match()


def test_scheduled_changes_need_no_refresh_of_the_counts(tree):
    """The runs are dated: what a restructure decided today for next month
    changes the counts on its day, with nothing to run then."""
    later = TODAY + timedelta(days=10)
    unit_dissolve(actor=None, unit=tree.cell1b, destination=tree.cell1a, **decision(later))
    assert counts(tree.cell1a) == (3, 0, 0)
    assert counts(tree.cell1a, later) == (5, 0, 0)
    call_command("apply_scheduled_changes")
    assert_counts_match()


def test_month_ends_for_a_trend_read_in_one_query(tree):
    make_member(tree.cell1a, since=date(2025, 5, 20))
    days = [date(2025, 4, 30), date(2025, 5, 31)]
    with CaptureQueriesContext(connection) as queries:
        trend = unit_member_counts_on_days([tree.cell1a.pk], days)
    assert len(queries) == 1
    assert [trend[d][tree.cell1a.pk].total for d in days] == [3, 4]


def test_verify_counts_finds_a_wrong_figure_and_fix_rebuilds(tree, capsys):
    call_command("verify_counts", months=3)
    assert "khớp với lịch sử" in capsys.readouterr().out
    row = MemberCount.objects.get(unit=tree.cell2a, valid_to__isnull=True)
    row.n = 7  # as if a write had bypassed the services
    row.save()
    with pytest.raises(CommandError, match="sai lệch"):
        call_command("verify_counts", months=3)
    out = capsys.readouterr().out
    assert f"đơn vị {tree.cell2a.pk} official" in out and "lưu sẵn 7, theo lịch sử 4" in out
    call_command("verify_counts", months=3, fix=True)
    call_command("verify_counts", months=3)
    assert counts(tree.cell2a) == (4, 0, 0)


def test_the_pages_read_the_counts_in_a_fixed_number_of_queries(tree, board, client):
    """Home and unit pages: as many queries with 20 more cells and members
    (past the 30 sub-units the home page lists, as a province is)."""
    client.force_login(board)

    def grow(n):
        for _ in range(n):
            make_member(make_unit(level=Level.CELL, parent=tree.ward1))

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, HTTP_HOST="localhost").status_code == 200
        return len(ctx)

    urls = ["/", f"/to-chuc/{tree.province.pk}/", f"/to-chuc/{tree.ward1.pk}/"]
    grow(31)
    before = [queries(u) for u in urls]
    grow(20)
    assert [queries(u) for u in urls] == before
    page = client.get(f"/to-chuc/{tree.ward1.pk}/", HTTP_HOST="localhost").content.decode()
    assert "56" in page  # 5 + 51 members of the ward


def test_the_unit_page_shows_the_members_at_each_month_end(tree, board, client):
    """The trend of the last twelve month ends, as the history says: a member
    admitted (placed) three months ago appears from that month end on."""
    since = month_ends(TODAY, 3)[-1]  # the last day of the month three months back
    make_member(tree.cell1a, since=since)
    client.force_login(board)
    page = client.get(f"/to-chuc/{tree.ward1.pk}/", HTTP_HOST="localhost").content.decode()
    trend = page[page.index("member-trend") :]
    trend = trend[: trend.index("</details>")]
    ends = list(reversed(month_ends(TODAY, 12)))
    rows = trend.split("<tr>")[2:]  # after the header row
    assert len(rows) == 12
    for day, row in zip(ends, rows, strict=True):
        assert f"{day:%m/%Y}" in row
        assert f">{6 if day >= since else 5}</td></tr>" in row


def test_the_trend_follows_a_cell_moved_to_another_committee_in_the_year(tree):
    """The subtree as it stood each month end: cell1b (2 members) moved
    from ward1 to ward2 three months ago counts under ward1 before, ward2 after."""
    moved_on = month_ends(TODAY, 3)[-1] + timedelta(days=1)  # a first of the month
    unit_move(actor=None, unit=tree.cell1b, parent=tree.ward2, **decision(moved_on))
    ends = list(reversed(month_ends(TODAY, 12)))
    ward1 = dict(subtree_trend(tree.ward1, ends))
    ward2 = dict(subtree_trend(tree.ward2, ends))
    for day in ends:
        assert ward1[day].total == (5 if day < moved_on else 3), day
        assert ward2[day].total == (4 if day < moved_on else 6), day
    # an unchanged subtree takes the one-scan way, with the same figures
    assert [c.total for _d, c in subtree_trend(tree.cell2a, ends)] == [4] * 12

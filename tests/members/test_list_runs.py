"""The members' runs on the list kept for Biểu 1 and Biểu 7
(members/listruns.py) equal what the histories say after every kind of
write (tests/members/test_member_counts.py checks them with the counts after
each write of the lifecycle; here the writes that bypass the signals), and
`verify_counts` finds a kept run that differs and rebuilds it."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from members import services
from members.choices import Status, TransferScope
from members.listruns import runs_from_history, runs_stored
from members.models import ListRun
from organizations.services import unit_move
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from tests.organizations.factories import decision

pytestmark = pytest.mark.django_db

YEAR = Params(start=date(2025, 1, 1), end=date(2025, 12, 31))


def assert_runs_match():
    assert runs_stored() == runs_from_history()


def test_each_member_of_the_fixture_has_a_run_from_the_first_day(tree):
    assert_runs_match()
    member = tree.members.m1a[0]
    runs = list(ListRun.objects.filter(member=member))
    assert len(runs) == 1
    assert runs[0].unit_id == tree.cell1a.pk and runs[0].status == Status.OFFICIAL
    assert runs[0].valid_to is None


def test_a_member_received_from_another_province_arrives_from_there(tree):
    services.member_receive(
        actor=None,
        unit=tree.cell1a,
        day=date(2025, 6, 1),
        arrived_from=TransferScope.OTHER_PROVINCE,
        full_name="Người Chuyển Đến",
        gender="M",
        birth_date=date(1985, 1, 1),
        admitted_on=date(2010, 1, 1),
        official_on=date(2011, 1, 1),
    )
    assert_runs_match()
    table = get_report("member_movement").run(tree.cell1a, YEAR)
    assert value_of(table, "B2a") == 1


def test_a_member_sent_out_of_the_system_leaves_for_where_the_office_said(tree):
    services.member_transfer_out(
        actor=None,
        member=tree.members.m2a[0],
        day=date(2025, 11, 1),
        destination="Tỉnh khác",
        destination_kind=TransferScope.OTHER_PROVINCE,
    )
    assert_runs_match()
    table = get_report("member_movement").run(tree.cell2a, YEAR)
    assert value_of(table, "C5a") == 1


def test_a_restructure_keeps_the_runs_and_the_form_follows_the_cell(tree):
    """The kept runs do not hold the cells' versions: a cell moved to
    another ward leaves them as they were, and the forms read the move."""
    before = runs_stored()
    cell = tree.cell1b
    members = ListRun.objects.filter(unit=cell, valid_to__isnull=True).count()
    assert members > 0
    unit_move(actor=None, unit=cell, parent=tree.ward2, **decision(date(2025, 3, 1)))
    assert runs_stored() == before == runs_from_history()
    tree.ward1.refresh_from_db()
    table = get_report("member_movement").run(tree.ward1, YEAR)
    assert value_of(table, "C") == members


def test_verify_counts_finds_a_wrong_run_and_fix_rebuilds(tree, capsys):
    call_command("verify_counts", months=3)
    assert "khớp với lịch sử" in capsys.readouterr().out
    run = ListRun.objects.filter(member=tree.members.m2a[0]).get()
    run.valid_from = date(2020, 1, 1)  # as if a write had bypassed the services
    run.save()
    with pytest.raises(CommandError, match="sai lệch"):
        call_command("verify_counts", months=3)
    out = capsys.readouterr().out
    assert f"đảng viên {tree.members.m2a[0].pk}" in out and "lượt lưu sẵn" in out
    call_command("verify_counts", months=3, fix=True)
    call_command("verify_counts", months=3)
    assert_runs_match()

from datetime import date, timedelta

from django.core.management import call_command

from chibo.models import AuditEvent
from members.choices import Status
from members.models import Exemption, Member, StatusPeriod
from members.selectors import member_count
from members.services import member_place, members_refresh_current


def test_a_transfer_effective_next_month_reaches_the_current_figures_on_its_day(tree):
    mover = tree.members.m1a[0]
    effective = date.today() + timedelta(days=30)
    member_place(actor=None, member=mover, unit=tree.cell2a, day=effective)

    mover.refresh_from_db()
    assert mover.unit == tree.cell1a  # not yet
    assert members_refresh_current(day=date.today())["unit"] == 0

    counts = members_refresh_current(day=effective)
    mover.refresh_from_db()
    assert mover.unit == tree.cell2a
    assert counts["unit"] == 1
    # the counts are dated: they say so for that day already, with nothing to refresh
    assert member_count(tree.cell1a, effective) == 2 and member_count(tree.cell2a, effective) == 5
    assert member_count(tree.cell1a) == 3
    assert AuditEvent.objects.filter(action="members_refresh_current").count() == 1
    assert members_refresh_current(day=effective) == {
        "unit": 0,
        "status": 0,
        "exempt_on": 0,
        "exempt_off": 0,
    }


def test_status_and_exemption_follow_the_history(tree):
    member = tree.members.m2a[0]
    period = StatusPeriod.objects.get(member=member)
    period.valid_to = date(2024, 1, 1)
    period.save()
    StatusPeriod.objects.create(member=member, status=Status.DECEASED, valid_from=date(2024, 1, 1))
    Exemption.objects.create(member=tree.members.m2a[1], reason="age", valid_from=date(2024, 1, 1))
    counts = members_refresh_current()
    assert counts["status"] == 1 and counts["exempt_on"] == 1
    assert Member.objects.get(pk=member.pk).status == Status.DECEASED
    assert Member.objects.get(pk=tree.members.m2a[1].pk).is_exempt


def test_the_daily_command_reports_what_it_changed(tree, capsys):
    call_command("apply_scheduled_changes")
    assert "Đã cập nhật: chi bộ 0" in capsys.readouterr().out

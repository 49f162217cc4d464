"""A restructure decided now with a later effective date is history at once
(the tree as of that date shows it) but reaches the current tree (each
Unit's name, superior, path, level) only on its day, through the daily
apply_scheduled_changes."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

import organizations.services as org_services
from members.models import Member
from members.selectors import member_count, tree_on
from members.services import members_refresh_current
from organizations.models import Unit
from organizations.selectors import units_for
from organizations.services import unit_move, unit_rename, units_refresh_current
from structure.services import unit_merge
from tests.organizations.factories import decision

pytestmark = pytest.mark.django_db

TODAY = date.today()
NEXT_MONTH = TODAY + timedelta(days=31)


def names(nodes):
    return {n.name for n in nodes}


def home_children(client):
    page = client.get(reverse("home"))
    return {u.name: u.member_count for b in page.context["blocks"] for u in b["children"]}


def test_a_rename_next_month_leaves_todays_pages_unchanged_until_its_day(client, tree, ward1_staff):
    unit_rename(
        actor=ward1_staff, unit=tree.cell1a, name="Chi bộ tổ dân phố 1", **decision(NEXT_MONTH)
    )

    tree.cell1a.refresh_from_db()
    assert tree.cell1a.name == "Chi bộ khu phố 1"
    client.force_login(ward1_staff)
    page = client.get(reverse("organizations:unit_detail", args=[tree.cell1a.pk]))
    assert page.context["unit"].name == "Chi bộ khu phố 1"
    # the page tells what is coming
    assert "Chi bộ tổ dân phố 1" in page.content.decode()
    assert f"{NEXT_MONTH:%d/%m/%Y}" in page.content.decode()
    assert home_children(client) == {"Chi bộ cơ quan phường": 2, "Chi bộ khu phố 1": 3}
    # the as-of views are right on both sides of the date
    assert "Chi bộ khu phố 1" in names(tree_on(TODAY, root=tree.ward1))
    assert "Chi bộ tổ dân phố 1" in names(tree_on(NEXT_MONTH, root=tree.ward1))
    assert units_refresh_current(day=TODAY) == 0

    assert units_refresh_current(day=NEXT_MONTH) == 1
    tree.cell1a.refresh_from_db()
    assert tree.cell1a.name == "Chi bộ tổ dân phố 1"
    assert units_refresh_current(day=NEXT_MONTH) == 0  # idempotent


def test_a_move_next_month_keeps_the_cell_in_its_ward_until_then(
    client, tree, ward1_staff, ward2_staff
):
    old_path = tree.cell1a.path
    unit_move(actor=None, unit=tree.cell1a, parent=tree.ward2, **decision(NEXT_MONTH))

    tree.cell1a.refresh_from_db()
    assert tree.cell1a.parent == tree.ward1 and tree.cell1a.path == old_path
    assert units_for(ward1_staff).filter(pk=tree.cell1a.pk).exists()
    assert not units_for(ward2_staff).filter(pk=tree.cell1a.pk).exists()
    assert member_count(tree.ward1) == 5 and member_count(tree.ward2) == 4
    client.force_login(ward1_staff)
    assert home_children(client) == {"Chi bộ cơ quan phường": 2, "Chi bộ khu phố 1": 3}
    # next month's tree already has it in ward 2
    assert "Chi bộ khu phố 1" in names(tree_on(NEXT_MONTH, root=tree.ward2))
    assert "Chi bộ khu phố 1" not in names(tree_on(NEXT_MONTH, root=tree.ward1))

    units_refresh_current(day=NEXT_MONTH)
    tree.cell1a.refresh_from_db()
    assert tree.cell1a.parent == tree.ward2
    assert tree.cell1a.path.startswith(tree.ward2.path)
    assert member_count(tree.ward2) == 7
    ward2_staff._chibo_roles = None
    assert units_for(ward2_staff).filter(pk=tree.cell1a.pk).exists()
    ward1_staff._chibo_roles = None
    assert not units_for(ward1_staff).filter(pk=tree.cell1a.pk).exists()


def test_a_merge_next_month_shows_on_its_day_with_the_daily_command(
    client, tree, ward1_staff, monkeypatch
):
    r = unit_merge(
        actor=ward1_staff,
        units=[tree.cell1a, tree.cell1b],
        name="Chi bộ khu phố 1 mới",
        **decision(NEXT_MONTH),
    )
    merged = Unit.objects.get(pk=r.data["into"])
    client.force_login(ward1_staff)
    # today: both cells with their members, the new one not yet there
    assert home_children(client) == {"Chi bộ cơ quan phường": 2, "Chi bộ khu phố 1": 3}
    assert set(Member.objects.filter(unit=merged).values_list("pk", flat=True)) == set()
    assert names(tree_on(TODAY, root=tree.ward1)) == {
        "Đảng bộ phường Một",
        "Chi bộ khu phố 1",
        "Chi bộ cơ quan phường",
    }
    assert names(tree_on(NEXT_MONTH, root=tree.ward1)) == {
        "Đảng bộ phường Một",
        "Chi bộ khu phố 1 mới",
    }

    # on the effective date the daily command brings the current tree and
    # the members' current cell up to it
    class NextMonth(date):
        @classmethod
        def today(cls):
            return NEXT_MONTH

    monkeypatch.setattr(org_services, "date", NextMonth)
    import members.services as member_services

    monkeypatch.setattr(member_services, "date", NextMonth)
    call_command("apply_scheduled_changes")
    assert Member.objects.filter(unit=merged).count() == 5
    assert members_refresh_current(day=NEXT_MONTH)["unit"] == 0
    import members.selectors as member_selectors

    monkeypatch.setattr(member_selectors, "date", NextMonth)
    assert home_children(client) == {"Chi bộ khu phố 1 mới": 5}

"""Each rule warning appears when its rule is broken and clears when fixed."""

from datetime import date, timedelta

import pytest

from members.choices import Status
from organizations.models import Body, Level, Position
from organizations.services import term_open
from structure.rules import warnings_for
from structure.selectors import warnings_for_user
from structure.services import seat_assign, unit_upgrade
from tests.factories import make_member, make_unit
from tests.organizations.factories import decision

pytestmark = pytest.mark.django_db

TODAY = date.today()


def codes(unit, today=TODAY):
    unit.refresh_from_db()
    return {w.code for w in warnings_for([unit], today)}


def give_secretary(unit, member, *, congress_on=None):
    term = term_open(actor=None, unit=unit, congress_on=congress_on or TODAY - timedelta(days=30))
    seat_assign(
        actor=None,
        term=term,
        member=member,
        position=Position.SECRETARY,
        body=Body.CELL_COMMITTEE if unit.is_cell else Body.EXECUTIVE,
        valid_from=term.valid_from,
    )
    return term


def test_a_cell_with_fewer_than_3_official_members_warns_until_a_third_joins(tree):
    # cell1b has 2 official members
    assert "too_few_officials" in codes(tree.cell1b)
    make_member(tree.cell1b, status=Status.PROBATIONARY)
    assert "too_few_officials" in codes(tree.cell1b)
    make_member(tree.cell1b)
    assert "too_few_officials" not in codes(tree.cell1b)


def test_a_cell_of_9_officials_without_a_cell_committee_warns_until_one_is_elected(tree):
    for _ in range(6):
        make_member(tree.cell1a)
    assert "no_cell_committee" in codes(tree.cell1a)
    give_secretary(tree.cell1a, tree.members.m1a[0])
    assert "no_cell_committee" not in codes(tree.cell1a)


def test_a_cell_of_8_officials_needs_no_cell_committee(tree):
    for _ in range(5):
        make_member(tree.cell1a)
    assert "no_cell_committee" not in codes(tree.cell1a)


def test_a_grassroots_cell_of_30_members_should_become_a_grassroots_committee(tree):
    gc = make_unit("Chi bộ cơ sở Trường", level=Level.GRASSROOTS_CELL, parent=tree.province)
    members = [make_member(gc) for _ in range(29)]
    assert "grassroots_cell_too_big" not in codes(gc)
    members.append(make_member(gc, status=Status.PROBATIONARY))
    assert "grassroots_cell_too_big" in codes(gc)
    unit_upgrade(actor=None, unit=gc, cell_names=["Chi bộ 1"], **decision(TODAY))
    assert "grassroots_cell_too_big" not in codes(gc)


def test_a_term_past_its_end_warns_until_the_next_congress(tree):
    old = TODAY - timedelta(days=365 * 3)
    give_secretary(tree.cell1a, tree.members.m1a[0], congress_on=old)
    assert "term_overdue" in codes(tree.cell1a)
    term_open(actor=None, unit=tree.cell1a, congress_on=TODAY - timedelta(days=1))
    assert not {"term_overdue", "term_ending"} & codes(tree.cell1a)


def test_a_term_ending_within_3_months_warns(tree):
    give_secretary(tree.cell1a, tree.members.m1a[0], congress_on=TODAY - timedelta(days=30))
    assert "term_ending" not in codes(tree.cell1a)
    later = TODAY + timedelta(days=30 * 28)  # 2.5-year term seen 28 months on
    assert "term_ending" in codes(tree.cell1a, later)
    term_open(actor=None, unit=tree.cell1a, congress_on=later - timedelta(days=1))
    assert not {"term_overdue", "term_ending"} & codes(tree.cell1a, later)


def test_a_unit_without_a_secretary_warns_until_one_is_seated(tree):
    assert "no_secretary" in codes(tree.cell1a)
    give_secretary(tree.cell1a, tree.members.m1a[0])
    assert "no_secretary" not in codes(tree.cell1a)


def test_the_list_of_warnings_covers_only_the_users_scope(tree, ward1_staff):
    units = {w.unit.pk for w in warnings_for_user(ward1_staff)}
    assert tree.cell1b.pk in units and tree.cell2a.pk not in units

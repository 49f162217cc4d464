"""Several restructures under one decision run as one plan, all or nothing,
with a preview of the tree before and after; the roles held on a merged (or
dissolved-into) unit follow to its successor."""

from datetime import date, timedelta

import pytest

from chibo.models import AuditEvent
from members.models import Member, Placement
from members.selectors import member_count
from organizations.models import Level, Restructure, Role, Unit, UnitVersion
from organizations.selectors import units_for
from structure.services import Operation, plan_apply, plan_preview, unit_dissolve, unit_merge
from tests.factories import UserFactory, grant
from tests.organizations.factories import decision

pytestmark = pytest.mark.django_db

EFFECTIVE = date(2025, 7, 1)
PLAN = {"decision_number": "1656/NQ-UBTVQH15", "decision_date": date(2025, 6, 16)}


def commune_plan(tree):
    """The province's wards merged into one new commune committee, which gets
    a new cell; ward 2's village cell is renamed; the agency cell of ward 1
    is dissolved into the new cell (a step naming a unit the plan founds)."""
    return [
        Operation(
            kind="merge",
            units=[tree.ward1, tree.ward2],
            name="Đảng bộ xã Mới",
            code="XM",
            parent=tree.province,
        ),
        Operation(
            kind="found", name="Chi bộ cơ quan xã", level=Level.CELL, category="agency", parent="XM"
        ),
        Operation(kind="rename", unit=tree.cell2a, name="Chi bộ thôn 1"),
        Operation(kind="dissolve", unit=tree.cell1b, destination="Chi bộ cơ quan xã"),
    ]


def test_a_preview_gives_the_tree_before_and_after_and_keeps_nothing(tree):
    counts = (Unit.objects.count(), UnitVersion.objects.count(), Placement.objects.count())
    result = plan_preview(
        commune_plan(tree), actor=None, effective_on=EFFECTIVE, root=tree.province, **PLAN
    )
    assert result.ok and not result.applied, result.errors
    before = {n["name"]: n["members"] for n in result.before}
    after = {n["name"]: n["members"] for n in result.after}
    assert before == {
        "Đảng bộ tỉnh Thử": 9,
        "Đảng bộ phường Một": 5,
        "Đảng bộ xã Hai": 4,
        "Chi bộ khu phố 1": 3,
        "Chi bộ cơ quan phường": 2,
        "Chi bộ ấp 1": 4,
    }
    assert after == {
        "Đảng bộ tỉnh Thử": 9,
        "Đảng bộ xã Mới": 9,
        "Chi bộ khu phố 1": 3,
        "Chi bộ cơ quan xã": 2,
        "Chi bộ thôn 1": 4,
    }
    assert [r.kind for r in result.restructures] == ["merge", "found", "rename", "dissolve"]
    assert (Unit.objects.count(), UnitVersion.objects.count(), Placement.objects.count()) == counts
    assert not Restructure.objects.exists()


def test_a_plan_applies_every_step_with_its_one_decision(tree):
    result = plan_apply(commune_plan(tree), actor=None, effective_on=EFFECTIVE, **PLAN)
    assert result.ok and result.applied, result.errors
    assert set(Restructure.objects.values_list("decision_number", flat=True)) == {
        "1656/NQ-UBTVQH15"
    }
    assert set(Restructure.objects.values_list("effective_on", flat=True)) == {EFFECTIVE}
    merged = Unit.objects.get(code="XM")
    assert member_count(merged) == 9
    agency = Unit.objects.get(name="Chi bộ cơ quan xã")
    assert agency.parent == merged
    assert set(Member.objects.filter(unit=agency)) == set(tree.members.m1b)


def test_a_step_naming_a_unit_an_earlier_step_dissolved_is_refused_and_nothing_is_kept(tree):
    counts = (Unit.objects.count(), UnitVersion.objects.count(), Placement.objects.count())
    plan = [
        Operation(kind="dissolve", unit=tree.cell1b, destination=tree.cell1a),
        Operation(kind="rename", unit=tree.cell1b, name="Chi bộ đã giải thể"),
        Operation(kind="move", unit="Chi bộ chưa có", parent=tree.ward2),
    ]
    result = plan_apply(plan, actor=None, effective_on=EFFECTIVE, **PLAN)
    assert not result.applied
    assert [(e.step, e.kind) for e in result.errors] == [(2, "rename"), (3, "move")]
    assert "giải thể" in result.errors[0].message
    assert "Chi bộ chưa có" in result.errors[1].message
    assert (Unit.objects.count(), UnitVersion.objects.count(), Placement.objects.count()) == counts
    assert not Restructure.objects.exists()
    assert Member.objects.filter(unit=tree.cell1b).count() == 2


def test_a_plan_outside_the_users_reach_is_refused(tree, ward1_staff):
    plan = [Operation(kind="rename", unit=tree.cell2a, name="Chi bộ thôn 1")]
    result = plan_apply(plan, actor=ward1_staff, effective_on=EFFECTIVE, **PLAN)
    assert not result.applied and "không có quyền" in result.errors[0].message


def test_roles_on_merged_units_follow_to_the_new_unit_as_dated_changes(tree, ward1_staff):
    secretary = UserFactory(username="sec2a")
    grant(secretary, tree.cell1b, Role.Kind.SECRETARY)
    board2 = UserFactory(username="board2")
    grant(board2, tree.ward2, Role.Kind.REVIEWER)
    r = unit_merge(
        actor=None,
        units=[tree.ward1, tree.ward2],
        name="Đảng bộ xã Mới",
        parent=tree.province,
        **decision(EFFECTIVE),
    )
    merged = Unit.objects.get(pk=r.data["into"])
    # ward 1's office staff now work for the merged committee, from the merge on
    old = Role.objects.get(user=ward1_staff, unit=tree.ward1)
    assert old.valid_to == EFFECTIVE
    new = Role.objects.get(user=ward1_staff, unit=merged)
    assert (new.kind, new.valid_from, new.valid_to) == (Role.Kind.STAFF, EFFECTIVE, None)
    assert Role.objects.get(user=board2, unit=merged).kind == Role.Kind.REVIEWER
    # the cell secretary's role is on a cell that was not merged: untouched
    assert Role.objects.get(user=secretary).valid_to is None
    assert AuditEvent.objects.filter(action="role_follow").count() == 2
    ward1_staff._chibo_roles = None
    assert units_for(ward1_staff).filter(pk=tree.cell2a.pk).exists()


def test_roles_on_a_cell_dissolved_into_another_follow_there(tree):
    secretary = UserFactory(username="sec1b")
    grant(secretary, tree.cell1b, Role.Kind.SECRETARY)
    later = date.today() + timedelta(days=20)
    unit_dissolve(actor=None, unit=tree.cell1b, destination=tree.cell1a, **decision(later))
    roles = list(Role.objects.filter(user=secretary).order_by("valid_from"))
    assert [(r.unit, r.valid_to) for r in roles] == [(tree.cell1b, later), (tree.cell1a, None)]
    # until the date the secretary still works in the old cell
    secretary._chibo_roles = None
    assert [r.unit for r in Role.objects.filter(user=secretary, valid_from__lte=date.today())] == [
        tree.cell1b
    ]

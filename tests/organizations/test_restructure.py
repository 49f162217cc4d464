"""Restructuring: each change is recorded, keeps every row, and the structure
and member counts read back right on both sides of its effective date."""

from datetime import date, timedelta

import pytest

from chibo.errors import ServiceError
from chibo.models import AuditEvent
from members.models import Member, Placement
from members.selectors import member_counts_on, tree_on
from organizations.models import Category, Level, Restructure, Unit, UnitVersion
from organizations.selectors import unit_version_on
from organizations.services import unit_found, unit_move, unit_rename
from structure.services import unit_dissolve, unit_merge, unit_split, unit_upgrade
from tests.factories import make_member, make_unit
from tests.organizations.factories import decision, seed003_ward

pytestmark = pytest.mark.django_db

EFFECTIVE = date(2019, 10, 1)
BEFORE = EFFECTIVE - timedelta(days=1)


def counts_by_name(day, root):
    return {n.name: n.members for n in tree_on(day, root=root)}


def test_seed003_dissolving_the_agency_cell_sends_its_30_members_to_9_residential_cells():
    w = seed003_ward()
    assignments = {m.pk: w.residential[i % 9] for i, m in enumerate(w.agency_members)}
    rows_before = UnitVersion.objects.count() + Placement.objects.count()

    r = unit_dissolve(
        actor=None, unit=w.agency, assignments=assignments, **decision(EFFECTIVE, "201-QĐ/ĐU")
    )

    before, after = counts_by_name(BEFORE, w.ward), counts_by_name(EFFECTIVE, w.ward)
    assert before["Đảng bộ phường Phúc Đồng"] == after["Đảng bộ phường Phúc Đồng"] == 30 + 90 + 24
    assert before["Chi bộ cơ quan phường"] == 30
    assert "Chi bộ cơ quan phường" not in after
    assert [before[f"Chi bộ tổ dân phố {i}"] for i in range(1, 10)] == [10] * 9
    # 30 over 9 cells: the first three get 4, the others 3
    assert [after[f"Chi bộ tổ dân phố {i}"] for i in range(1, 10)] == [14, 14, 14] + [13] * 6
    assert len(tree_on(BEFORE, root=w.ward)) == 17 and len(tree_on(EFFECTIVE, root=w.ward)) == 16
    # nobody orphaned, nothing deleted, everything recorded
    assert not Member.objects.filter(unit=w.agency).exists()
    assert UnitVersion.objects.count() + Placement.objects.count() == rows_before + 30
    w.agency.refresh_from_db()
    assert w.agency.dissolved_on == EFFECTIVE
    assert r.kind == Restructure.Kind.DISSOLVE and r.decision_number == "201-QĐ/ĐU"
    assert len(r.data["members"]) == 30
    assert AuditEvent.objects.filter(action="unit_dissolve").count() == 1
    moved = Placement.objects.get(member=w.agency_members[0], valid_from=EFFECTIVE)
    assert moved.unit == w.residential[0] and moved.decision_number == "201-QĐ/ĐU"


def test_dissolving_with_one_destination_moves_every_member_there(tree):
    unit_dissolve(actor=None, unit=tree.cell1b, destination=tree.cell1a, **decision(EFFECTIVE))
    assert member_counts_on([tree.cell1a.pk], EFFECTIVE) == {tree.cell1a.pk: 5}
    assert member_counts_on([tree.cell1a.pk], BEFORE) == {tree.cell1a.pk: 3}


def test_dissolving_a_cell_refuses_when_a_member_has_nowhere_to_go(tree):
    first = tree.members.m1b[0]
    with pytest.raises(ServiceError, match="Chưa chọn nơi sinh hoạt mới cho 1 đảng viên"):
        unit_dissolve(
            actor=None,
            unit=tree.cell1b,
            assignments={first.pk: tree.cell1a},
            **decision(EFFECTIVE),
        )
    tree.cell1b.refresh_from_db()
    assert tree.cell1b.dissolved_on is None
    assert Member.objects.filter(unit=tree.cell1b).count() == 2
    assert not Restructure.objects.exists()


def test_dissolving_a_committee_with_cells_needs_somewhere_for_the_cells(tree):
    with pytest.raises(ServiceError, match="còn 2 đơn vị trực thuộc"):
        unit_dissolve(actor=None, unit=tree.ward1, **decision(EFFECTIVE))
    unit_dissolve(actor=None, unit=tree.ward1, children_to=tree.ward2, **decision(EFFECTIVE))
    tree.cell1a.refresh_from_db()
    assert tree.cell1a.parent == tree.ward2 and tree.cell1a.path.startswith(tree.ward2.path)
    assert counts_by_name(EFFECTIVE, tree.ward2)["Đảng bộ xã Hai"] == 9
    assert counts_by_name(BEFORE, tree.ward2)["Đảng bộ xã Hai"] == 4
    assert counts_by_name(BEFORE, tree.ward1)["Đảng bộ phường Một"] == 5


def test_a_change_dated_before_the_unit_existed_is_refused(tree):
    with pytest.raises(ServiceError, match="trước ngày thành lập"):
        unit_rename(actor=None, unit=tree.cell1a, name="Tên mới", **decision(date(1999, 1, 1)))
    assert Unit.objects.get(pk=tree.cell1a.pk).name == "Chi bộ khu phố 1"
    assert not Restructure.objects.exists()


def test_a_change_dated_before_the_units_last_change_is_refused(tree):
    unit_rename(actor=None, unit=tree.cell1a, name="Chi bộ A", **decision(date(2020, 1, 1)))
    with pytest.raises(ServiceError, match="phải sau ngày đó"):
        unit_rename(actor=None, unit=tree.cell1a, name="Chi bộ B", **decision(date(2019, 1, 1)))
    assert Unit.objects.get(pk=tree.cell1a.pk).name == "Chi bộ A"


def test_renaming_keeps_the_old_name_for_past_dates(tree):
    unit_rename(actor=None, unit=tree.cell1a, name="Chi bộ khu phố Một", **decision(EFFECTIVE))
    assert unit_version_on(tree.cell1a, BEFORE).name == "Chi bộ khu phố 1"
    assert unit_version_on(tree.cell1a, EFFECTIVE).name == "Chi bộ khu phố Một"
    assert Unit.objects.get(pk=tree.cell1a.pk).name == "Chi bộ khu phố Một"


def test_a_restructure_without_a_decision_number_is_refused(tree):
    with pytest.raises(ServiceError, match="số quyết định"):
        unit_rename(
            actor=None,
            unit=tree.cell1a,
            name="X",
            decision_number=" ",
            decision_date=EFFECTIVE,
            effective_on=EFFECTIVE,
        )


def test_moving_a_cell_under_another_committee_moves_its_members_count_from_that_date(tree):
    unit_move(actor=None, unit=tree.cell1a, parent=tree.ward2, **decision(EFFECTIVE))
    assert counts_by_name(BEFORE, tree.province)["Đảng bộ xã Hai"] == 4
    assert counts_by_name(EFFECTIVE, tree.province)["Đảng bộ xã Hai"] == 7
    assert counts_by_name(EFFECTIVE, tree.province)["Đảng bộ phường Một"] == 2
    assert unit_version_on(tree.cell1a, BEFORE).parent == tree.ward1
    assert unit_version_on(tree.cell1a, EFFECTIVE).parent == tree.ward2


def test_moving_a_committee_carries_its_whole_subtree(tree):
    district = make_unit("Đảng bộ huyện", level=Level.DISTRICT, parent=tree.province)
    unit_move(actor=None, unit=tree.ward1, parent=district, **decision(EFFECTIVE))
    tree.cell1a.refresh_from_db()
    assert tree.cell1a.path == district.path + tree.ward1.path[-8:] + tree.cell1a.path[-8:]
    assert unit_version_on(tree.cell1a, EFFECTIVE).path == tree.cell1a.path
    assert unit_version_on(tree.cell1a, BEFORE).path != tree.cell1a.path
    nodes = {n.name: n for n in tree_on(EFFECTIVE, root=district)}
    assert nodes["Đảng bộ huyện"].members == 5 and nodes["Chi bộ khu phố 1"].depth == 2


def test_moving_a_unit_under_its_own_descendant_is_refused(tree):
    with pytest.raises(ServiceError, match="trực thuộc của chính nó"):
        unit_move(actor=None, unit=tree.ward1, parent=tree.cell1a, **decision(EFFECTIVE))
    tree.ward1.refresh_from_db()
    assert tree.ward1.parent == tree.province
    assert tree.ward1.versions.count() == 1


def test_moving_a_cell_under_a_cell_is_refused_by_the_tree_rules(tree):
    with pytest.raises(ServiceError, match="không thể trực thuộc"):
        unit_move(actor=None, unit=tree.cell2a, parent=tree.cell1a, **decision(EFFECTIVE))


def test_a_restructure_outside_the_users_reach_is_refused(tree, ward1_staff, ward2_staff):
    with pytest.raises(ServiceError, match="không có quyền"):
        unit_dissolve(
            actor=ward2_staff, unit=tree.cell1b, destination=tree.cell1a, **decision(EFFECTIVE)
        )
    with pytest.raises(ServiceError, match="không có quyền"):
        unit_move(actor=ward1_staff, unit=tree.cell1a, parent=tree.ward2, **decision(EFFECTIVE))
    with pytest.raises(ServiceError, match="không có quyền"):
        unit_dissolve(
            actor=ward1_staff, unit=tree.cell1b, destination=tree.cell2a, **decision(EFFECTIVE)
        )
    assert Unit.objects.filter(dissolved_on__isnull=False).count() == 0
    assert not Restructure.objects.exists()


def test_merging_two_communes_into_a_new_one_counts_right_on_both_sides(tree):
    reform = date(2025, 7, 1)
    r = unit_merge(
        actor=None,
        units=[tree.ward1, tree.ward2],
        name="Đảng bộ xã Mới",
        code="XA-MOI",
        **decision(reform),
    )
    new = Unit.objects.get(code="XA-MOI")
    before = counts_by_name(reform - timedelta(days=1), tree.province)
    after = counts_by_name(reform, tree.province)
    assert before == {
        "Đảng bộ tỉnh Thử": 9,
        "Đảng bộ phường Một": 5,
        "Chi bộ khu phố 1": 3,
        "Chi bộ cơ quan phường": 2,
        "Đảng bộ xã Hai": 4,
        "Chi bộ ấp 1": 4,
    }
    assert after == {
        "Đảng bộ tỉnh Thử": 9,
        "Đảng bộ xã Mới": 9,
        "Chi bộ khu phố 1": 3,
        "Chi bộ cơ quan phường": 2,
        "Chi bộ ấp 1": 4,
    }
    assert {u.pk for u in Unit.objects.filter(dissolved_on=reform)} == {
        tree.ward1.pk,
        tree.ward2.pk,
    }
    assert new.children.count() == 3 and new.versions.get().restructure == r
    assert set(r.units.values_list("pk", flat=True)) >= {new.pk, tree.ward1.pk, tree.ward2.pk}


def test_merging_cells_puts_every_member_in_the_remaining_cell(tree):
    extra = make_unit("Chi bộ khu phố 2", parent=tree.ward1)
    make_member(extra)
    unit_merge(actor=None, units=[tree.cell1a, extra], into=tree.cell1a, **decision(EFFECTIVE))
    assert member_counts_on([tree.cell1a.pk], EFFECTIVE)[tree.cell1a.pk] == 4
    assert member_counts_on([tree.cell1a.pk], BEFORE)[tree.cell1a.pk] == 3


def test_merging_units_of_different_levels_is_refused(tree):
    with pytest.raises(ServiceError, match="cùng cấp"):
        unit_merge(actor=None, units=[tree.ward1, tree.cell2a], name="X", **decision(EFFECTIVE))


def test_splitting_a_cell_member_by_member(tree):
    m = tree.members.m2a
    r = unit_split(
        actor=None,
        unit=tree.cell2a,
        parts=[{"name": "Chi bộ ấp 1A"}, {"name": "Chi bộ ấp 1B"}],
        assignments={m[0].pk: 0, m[1].pk: 0, m[2].pk: 1, m[3].pk: 1},
        **decision(EFFECTIVE),
    )
    after = counts_by_name(EFFECTIVE, tree.ward2)
    assert after == {"Đảng bộ xã Hai": 4, "Chi bộ ấp 1A": 2, "Chi bộ ấp 1B": 2}
    assert counts_by_name(BEFORE, tree.ward2) == {"Đảng bộ xã Hai": 4, "Chi bộ ấp 1": 4}
    assert len(r.data["parts"]) == 2
    assert Unit.objects.get(name="Chi bộ ấp 1A").category == Category.VILLAGE


def test_splitting_refuses_when_a_member_is_not_assigned(tree):
    m = tree.members.m2a
    with pytest.raises(ServiceError, match="Chưa chọn nơi sinh hoạt mới cho 2 đảng viên"):
        unit_split(
            actor=None,
            unit=tree.cell2a,
            parts=[{"name": "A"}, {"name": "B"}],
            assignments={m[0].pk: 0, m[1].pk: 1},
            **decision(EFFECTIVE),
        )
    assert not Unit.objects.filter(name__in=["A", "B"]).exists()


def test_upgrading_a_cell_makes_it_a_grassroots_cell_under_the_committee_above(tree):
    unit_upgrade(actor=None, unit=tree.cell1a, **decision(EFFECTIVE))
    tree.cell1a.refresh_from_db()
    assert tree.cell1a.level == Level.GRASSROOTS_CELL and tree.cell1a.parent == tree.province
    assert unit_version_on(tree.cell1a, BEFORE).level == Level.CELL
    after = counts_by_name(EFFECTIVE, tree.province)
    assert after["Đảng bộ phường Một"] == 2 and after["Chi bộ khu phố 1"] == 3


def test_upgrading_a_grassroots_cell_founds_its_cells_and_places_every_member(tree):
    gc = make_unit("Chi bộ cơ sở Doanh nghiệp", level=Level.GRASSROOTS_CELL, parent=tree.province)
    members = [make_member(gc) for _ in range(4)]
    with pytest.raises(ServiceError, match="Chưa chọn nơi sinh hoạt mới"):
        unit_upgrade(
            actor=None, unit=gc, cell_names=["Chi bộ 1", "Chi bộ 2"], **decision(EFFECTIVE)
        )
    unit_upgrade(
        actor=None,
        unit=gc,
        cell_names=["Chi bộ 1", "Chi bộ 2"],
        assignments={m.pk: i % 2 for i, m in enumerate(members)},
        **decision(EFFECTIVE),
    )
    gc.refresh_from_db()
    assert gc.level == Level.GRASSROOTS_COMMITTEE
    after = counts_by_name(EFFECTIVE, gc)
    assert after == {"Chi bộ cơ sở Doanh nghiệp": 4, "Chi bộ 1": 2, "Chi bộ 2": 2}
    assert counts_by_name(BEFORE, gc) == {"Chi bộ cơ sở Doanh nghiệp": 4}


def test_founding_with_a_decision_is_recorded(tree, ward1_staff):
    unit = unit_found(
        actor=ward1_staff,
        name="Chi bộ khu phố 9",
        level=Level.CELL,
        parent=tree.ward1,
        category=Category.RESIDENTIAL,
        founded_on=EFFECTIVE,
        decision_number="05-QĐ/ĐU",
        decision_date=EFFECTIVE,
    )
    r = Restructure.objects.get()
    assert r.kind == Restructure.Kind.FOUND and unit in r.units.all()
    assert unit_version_on(unit, BEFORE) is None and unit_version_on(unit, EFFECTIVE)
    with pytest.raises(ServiceError, match="không có quyền"):
        unit_found(
            actor=ward1_staff,
            name="Chi bộ lạ",
            level=Level.CELL,
            parent=tree.ward2,
            founded_on=EFFECTIVE,
        )


def test_the_tree_as_of_a_date_reads_in_a_fixed_number_of_queries(
    tree, django_assert_max_num_queries
):
    for i in range(5):
        cell = make_unit(f"Chi bộ thêm {i}", parent=tree.ward2)
        make_member(cell)
    unit_move(actor=None, unit=tree.cell1a, parent=tree.ward2, **decision(EFFECTIVE))
    with django_assert_max_num_queries(6):
        nodes = tree_on(EFFECTIVE, root=tree.province)
    assert len(nodes) == 11 and nodes[0].members == 14


def test_the_unit_page_of_a_past_date_lists_the_members_of_then(client, ward1_staff, tree):
    unit_dissolve(actor=None, unit=tree.cell1b, destination=tree.cell1a, **decision(EFFECTIVE))
    client.force_login(ward1_staff)
    url = f"/to-chuc/{tree.cell1b.pk}/theo-ngay/"
    then = client.get(url, {"ngay": BEFORE.strftime("%d/%m/%Y")}).content.decode()
    assert all(m.full_name in then for m in tree.members.m1b)
    later = client.get(url, {"ngay": EFFECTIVE.strftime("%d/%m/%Y")}).content.decode()
    assert "chưa thành lập hoặc đã thôi hoạt động" in later


def test_seed002_the_units_directly_under_a_district_before_and_after_a_rearrangement(tree):
    district = make_unit("Đảng bộ huyện Thử", level=Level.DISTRICT, parent=tree.province)
    communes = [
        make_unit(f"Đảng bộ xã {i}", level=Level.GRASSROOTS_COMMITTEE, parent=district)
        for i in range(6)
    ]
    unit_merge(actor=None, units=communes[:3], name="Đảng bộ xã Gộp", **decision(EFFECTIVE))
    unit_merge(actor=None, units=communes[3:5], into=communes[3], **decision(EFFECTIVE))

    def directly_under(day):
        return len(tree_on(day, root=district)[0].children)

    assert directly_under(BEFORE) == 6 and directly_under(EFFECTIVE) == 3

"""Due lists (probation, badges, exemption age) with their home-page panel,
and the residence cell's view of its working members (Quy định 213)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from members import services
from members.rules import add_months
from members.selectors import (
    badges_due,
    due_counts,
    exemption_due,
    probation_due,
    with_badge_years,
)
from tests.factories import make_member
from tests.members.factories import make_probationary

TODAY = date.today()


def test_probationary_members_near_or_past_their_deadline_are_due(tree, ward1_staff):
    helpers = tree.members.m1a[:2]
    near = make_probationary(
        tree.cell1a,
        helpers,
        decided_on=add_months(TODAY, -12) + timedelta(days=5),
        ceremony_on=add_months(TODAY, -12) + timedelta(days=10),
    )
    late = make_probationary(
        tree.cell1a, helpers, decided_on=add_months(TODAY, -14), ceremony_on=add_months(TODAY, -14)
    )
    make_probationary(  # far from the deadline
        tree.cell1a, helpers, decided_on=add_months(TODAY, -3), ceremony_on=add_months(TODAY, -3)
    )
    rows = probation_due(ward1_staff, TODAY)
    assert [m.pk for m in rows] == [late.pk, near.pk]
    assert rows[0].overdue and not rows[1].overdue
    assert rows[1].probation_ends_on == add_months(add_months(TODAY, -12) + timedelta(days=10), 12)


def test_badges_due_this_year(tree, ward1_staff):
    thirty = make_member(tree.cell1a, admitted_on=date(TODAY.year - 30, 4, 2))
    make_member(tree.cell1a, admitted_on=date(TODAY.year - 31, 4, 2))
    fifty_five = make_member(tree.cell1b, admitted_on=date(TODAY.year - 55, 11, 2))
    rows = with_badge_years(list(badges_due(ward1_staff, TODAY.year)), TODAY.year)
    assert {(m.pk, m.badge_years) for m in rows} == {(fifty_five.pk, 55), (thirty.pk, 30)}


def test_exemption_by_age_list_leaves_out_the_exempt_and_the_young(tree, ward1_staff):
    old_man = make_member(tree.cell1a, gender="M", birth_date=date(TODAY.year - 62, 1, 1))
    old_woman = make_member(tree.cell1a, gender="F", birth_date=date(TODAY.year - 57, 1, 1))
    make_member(tree.cell1a, gender="M", birth_date=date(TODAY.year - 58, 1, 1))
    exempt = make_member(tree.cell1a, gender="M", birth_date=date(TODAY.year - 70, 1, 1))
    services.member_exempt(actor=None, member=exempt, day=date(2024, 1, 1), reason="age")
    assert set(exemption_due(ward1_staff, TODAY)) == {old_man, old_woman}


def test_the_home_counts_agree_with_the_lists(tree, ward1_staff):
    helpers = tree.members.m1a[:2]
    make_probationary(
        tree.cell1a, helpers, decided_on=add_months(TODAY, -14), ceremony_on=add_months(TODAY, -14)
    )
    make_member(tree.cell1a, admitted_on=date(TODAY.year - 50, 1, 1))
    make_member(tree.cell1a, gender="F", birth_date=date(TODAY.year - 60, 1, 1))
    counts = due_counts(ward1_staff, TODAY)
    assert counts == {
        "probation": len(probation_due(ward1_staff, TODAY)),
        "badges": badges_due(ward1_staff, TODAY.year).count(),
        "exemption": exemption_due(ward1_staff, TODAY).count(),
    }
    assert counts["probation"] == counts["badges"] == counts["exemption"] == 1


def test_the_home_page_shows_the_due_counts_to_staff_only(
    client, tree, ward1_staff, cell_secretary
):
    make_member(tree.cell1a, admitted_on=date(TODAY.year - 40, 1, 1))
    client.force_login(ward1_staff)
    body = client.get(reverse("home")).content.decode()
    assert "Việc đến hạn về đảng viên" in body
    assert 'class="due-badges">1<' in body
    client.force_login(cell_secretary)
    assert "Việc đến hạn về đảng viên" not in client.get(reverse("home")).content.decode()


def test_the_due_pages_list_the_members(client, tree, ward1_staff, ward2_staff):
    m = make_member(
        tree.cell1a, full_name="Bùi Văn Huy Hiệu", admitted_on=date(TODAY.year - 45, 1, 1)
    )
    client.force_login(ward1_staff)
    body = client.get(reverse("members:due", args=["huy-hieu"])).content.decode()
    assert m.full_name in body and "45 năm tuổi Đảng" in body
    client.force_login(ward2_staff)
    assert m.full_name not in client.get(reverse("members:due", args=["huy-hieu"])).content.decode()


def test_the_unit_page_links_to_its_members(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    body = client.get(reverse("organizations:unit_detail", args=[tree.cell1a.pk])).content.decode()
    assert f"/dang-vien/?unit={tree.cell1a.pk}" in body


@pytest.fixture
def civil_servant(tree):
    return make_member(tree.cell1b, full_name="Hoàng Văn Công Chức", is_civil_servant=True)


def test_the_residence_cell_sees_the_monthly_evaluations_of_its_working_members(
    client, tree, civil_servant, ward1_staff, cell_secretary
):
    services.residence_contact_start(
        actor=ward1_staff,
        member=civil_servant,
        unit=tree.cell1a,
        day=date(2024, 1, 1),
        address="Tổ 5",
    )
    client.force_login(ward1_staff)
    response = client.post(
        reverse("members:action", args=[civil_servant.pk, "danh-gia"]),
        {"month": "03/2024", "result": "good", "agency": "UBND phường"},
    )
    assert response.status_code == 302
    client.force_login(cell_secretary)
    body = client.get(reverse("members:residence", args=[tree.cell1a.pk])).content.decode()
    assert "Hoàng Văn Công Chức" in body
    assert "03/2024" in body and "Hoàn thành tốt nhiệm vụ" in body


def test_residence_contact_rules(tree, civil_servant):
    with pytest.raises(ServiceError, match="phải khác chi bộ"):
        services.residence_contact_start(
            actor=None, member=civil_servant, unit=tree.cell1b, day=date(2024, 1, 1)
        )
    first = services.residence_contact_start(
        actor=None, member=civil_servant, unit=tree.cell1a, day=date(2024, 1, 1)
    )
    second = services.residence_contact_start(
        actor=None, member=civil_servant, unit=tree.cell2a, day=date(2025, 1, 1)
    )
    first.refresh_from_db()
    assert first.valid_to == date(2025, 1, 1) and second.valid_to is None
    services.residence_comment_record(actor=None, contact=second, year=2025, comment="Tốt")
    with pytest.raises(ServiceError, match="đã nhận xét năm 2025"):
        services.residence_comment_record(actor=None, contact=second, year=2025, comment="Lại")
    with pytest.raises(ServiceError, match="không nằm trong thời gian liên hệ"):
        services.residence_comment_record(actor=None, contact=second, year=2023, comment="Cũ")


def test_monthly_evaluations_only_for_civil_servants_and_once_a_month(tree, civil_servant):
    with pytest.raises(ServiceError, match="không phải là cán bộ, công chức"):
        services.evaluation_record(
            actor=None, member=tree.members.m1a[0], month=date(2024, 3, 1), result="good"
        )
    services.evaluation_record(
        actor=None, member=civil_servant, month=date(2024, 3, 9), result="good"
    )
    with pytest.raises(ServiceError, match="Đã có kết quả đánh giá tháng 03/2024"):
        services.evaluation_record(
            actor=None, member=civil_servant, month=date(2024, 3, 1), result="excellent"
        )
    with pytest.raises(ServiceError, match="tháng chưa đến"):
        services.evaluation_record(
            actor=None, member=civil_servant, month=add_months(TODAY, 1), result="good"
        )

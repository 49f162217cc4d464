"""Awards (khen thưởng), party badges (huy hiệu Đảng) and party cards, with
their refusals in Vietnamese."""

from datetime import date

import pytest

from chibo.errors import ServiceError
from chibo.masking import mask
from members.choices import AwardKind, CardEvent, DecisionLevel, Status
from members.models import Award, Badge, PartyCard
from members.services import award_record, badge_record, card_issue
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_an_award_goes_to_a_member_or_to_an_organization(tree, ward1_staff):
    m = tree.members.m1a[0]
    award_record(
        actor=ward1_staff,
        member=m,
        kind=AwardKind.MERIT,
        level=DecisionLevel.PROVINCE,
        decision_number="123-QĐ/TU",
        day=date(2025, 9, 2),
        title="Bằng khen của Ban Thường vụ Tỉnh ủy",
    )
    award_record(
        actor=ward1_staff,
        unit=tree.cell1a,
        kind=AwardKind.CERTIFICATE,
        level=DecisionLevel.GRASSROOTS,
        decision_number="45-QĐ/ĐU",
        day=date(2025, 12, 20),
    )
    assert [(a.member_id, a.unit_id) for a in Award.objects.all()] == [
        (m.pk, None),
        (None, tree.cell1a.pk),
    ]
    with pytest.raises(ServiceError, match="đã được ghi"):
        award_record(
            actor=ward1_staff,
            member=m,
            kind=AwardKind.MERIT,
            level=DecisionLevel.PROVINCE,
            decision_number="123-QĐ/TU",
            day=date(2025, 9, 2),
        )
    with pytest.raises(ServiceError, match="một đảng viên hoặc một tổ chức"):
        award_record(
            actor=ward1_staff,
            kind=AwardKind.MERIT,
            level=DecisionLevel.PROVINCE,
            decision_number="1",
            day=date(2025, 9, 2),
        )


def test_an_award_outside_ones_reach_or_without_decision_is_refused(tree, ward2_staff):
    m = tree.members.m1a[0]
    with pytest.raises(ServiceError, match="không có quyền"):
        award_record(
            actor=ward2_staff,
            member=m,
            kind=AwardKind.MERIT,
            level=DecisionLevel.PROVINCE,
            decision_number="9",
            day=date(2025, 9, 2),
        )
    with pytest.raises(ServiceError, match="số quyết định"):
        award_record(
            actor=None,
            member=m,
            kind=AwardKind.MERIT,
            level=DecisionLevel.PROVINCE,
            decision_number=" ",
            day=date(2025, 9, 2),
        )
    assert not Award.objects.exists()


def test_a_badge_needs_the_milestone_reached_in_the_year_and_is_given_once(tree):
    m = make_member(tree.cell1a, admitted_on=date(1976, 5, 19), official_on=date(1977, 5, 19))
    with pytest.raises(ServiceError, match="chưa đủ 50 năm"):
        badge_record(actor=None, member=m, years=50, decision_number="7", day=date(2025, 5, 19))
    with pytest.raises(ServiceError, match="các mốc"):
        badge_record(actor=None, member=m, years=35, decision_number="7", day=date(2026, 2, 3))
    badge_record(actor=None, member=m, years=50, decision_number="12-QĐ/TU", day=date(2026, 2, 3))
    with pytest.raises(ServiceError, match="đã được tặng huy hiệu 50"):
        badge_record(actor=None, member=m, years=50, decision_number="13", day=date(2026, 9, 2))
    assert list(Badge.objects.values_list("years", "decision_number")) == [(50, "12-QĐ/TU")]


def test_card_numbers_keep_their_history_and_belong_to_one_member(tree):
    a, b = tree.members.m1a[:2]
    card_issue(
        actor=None, member=a, number="79000123", event=CardEvent.REISSUED, day=date(2024, 3, 1)
    )
    card_issue(
        actor=None, member=a, number="79000124", event=CardEvent.REPLACED, day=date(2025, 8, 1)
    )
    a.refresh_from_db()
    assert a.card_number == "79000124"
    assert list(a.cards.values_list("number", "event")) == [
        ("79000123", CardEvent.REISSUED),
        ("79000124", CardEvent.REPLACED),
    ]
    # the same number for another member: refused, naming who has it
    with pytest.raises(ServiceError, match=f"đã cấp cho đảng viên {a.full_name}"):
        card_issue(
            actor=None, member=b, number="79000123", event=CardEvent.REPLACED, day=date(2025, 9, 1)
        )
    # b's current number (from the roster) is taken too
    with pytest.raises(ServiceError, match="mỗi số thẻ chỉ cấp cho một người"):
        card_issue(
            actor=None,
            member=a,
            number=b.card_number,
            event=CardEvent.REPLACED,
            day=date(2025, 9, 1),
        )
    assert PartyCard.objects.count() == 2


def test_a_first_card_only_for_an_official_member_once(tree):
    p = make_member(
        tree.cell1a, status=Status.PROBATIONARY, card_number=None, since=date(2025, 6, 1)
    )
    with pytest.raises(ServiceError, match="chỉ phát cho đảng viên chính thức"):
        card_issue(
            actor=None, member=p, number="1234", event=CardEvent.ISSUED, day=date(2025, 7, 1)
        )
    o = make_member(tree.cell1a, card_number=None)
    with pytest.raises(ServiceError, match="chưa được phát thẻ"):
        card_issue(
            actor=None, member=o, number="1234", event=CardEvent.REISSUED, day=date(2025, 7, 1)
        )
    card_issue(actor=None, member=o, number="1234", event=CardEvent.ISSUED, day=date(2025, 7, 1))
    with pytest.raises(ServiceError, match="thẻ mất thì cấp lại"):
        card_issue(
            actor=None, member=o, number="1235", event=CardEvent.ISSUED, day=date(2025, 8, 1)
        )
    with pytest.raises(ServiceError, match="không hợp lệ"):
        card_issue(
            actor=None, member=o, number="12-ab", event=CardEvent.REPLACED, day=date(2025, 8, 1)
        )


def test_the_profile_and_unit_page_show_awards_badges_and_cards(
    client, tree, ward1_staff, ward2_staff
):
    m = make_member(tree.cell1a, admitted_on=date(1976, 5, 19), official_on=date(1977, 5, 19))
    client.force_login(ward1_staff)
    # the badges-due list links to recording the badge, with the milestone chosen
    page = client.get("/dang-vien/den-han/huy-hieu/?nam=2026").content.decode()
    link = f"/dang-vien/{m.pk}/huy-hieu/?years=50"
    assert link in page
    form = client.get(link).content.decode()
    assert '<option value="50" selected>' in form
    response = client.post(
        f"/dang-vien/{m.pk}/huy-hieu/",
        {"years": "50", "decision_number": "12-QĐ/TU", "day": "03/02/2026"},
        follow=True,
    )
    assert "Đã ghi" in response.content.decode()
    assert "đã tặng" in client.get("/dang-vien/den-han/huy-hieu/?nam=2026").content.decode()
    client.post(
        f"/dang-vien/{m.pk}/the-dang/",
        {"event": "replaced", "number": "79000999", "day": "01/03/2026"},
    )
    duplicate = client.post(
        f"/dang-vien/{tree.members.m1a[0].pk}/the-dang/",
        {"event": "replaced", "number": "79000999", "day": "01/03/2026"},
    ).content.decode()
    assert f"Số thẻ 79000999 đã cấp cho đảng viên {m.full_name}" in duplicate
    client.post(
        f"/dang-vien/{m.pk}/khen-thuong/",
        {"kind": "merit", "level": "province", "decision_number": "9-QĐ/TU", "day": "02/09/2025"},
    )
    profile = client.get(f"/dang-vien/{m.pk}/").content.decode()
    assert "50 năm (03/02/2026, QĐ 12-QĐ/TU)" in profile
    # the card history shows the number masked, like every card number on a page
    assert mask("79000999") in profile and "79000999" not in profile
    assert "Đổi do hỏng" in profile and "9-QĐ/TU" in profile
    response = client.post(
        f"/dang-vien/to-chuc/{tree.cell1a.pk}/khen-thuong/",
        {"kind": "flag", "level": "superior", "decision_number": "88-QĐ", "day": "20/12/2025"},
        follow=True,
    )
    assert "88-QĐ" in client.get(f"/to-chuc/{tree.cell1a.pk}/").content.decode()
    client.force_login(ward2_staff)
    assert client.get(f"/dang-vien/to-chuc/{tree.cell1a.pk}/khen-thuong/").status_code == 404

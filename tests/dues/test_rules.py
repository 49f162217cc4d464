"""What a member owes: each category under both regulations, the switch of
01/2026 → 02/2026, the automatic exemptions, reliefs and their lapse."""

from datetime import date

import pytest

from chibo.errors import ServiceError
from dues import rules
from dues.choices import DuesCategory as C
from dues.choices import ReliefReason
from dues.models import DuesBasis, DuesRelief, FixedRate
from dues.selectors import expectation, expectations, reliefs_lapsing
from dues.services import basis_set, fixed_rate_set, parse_amount, relief_grant
from members.models import Member
from tests.factories import make_member

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def owed(member, month):
    return expectation(member, month).amount


def test_the_rule_set_is_chosen_by_the_month_paid_for():
    assert rules.rule_set_for(JAN).code == "342"
    assert rules.rule_set_for(date(2025, 12, 1)).code == "342"
    assert rules.rule_set_for(FEB).code == "01"
    assert rules.rule_set_for(date(2030, 7, 1)).code == "01"


@pytest.mark.parametrize(
    ("category", "base", "in_jan", "in_feb"),
    [
        (C.INSURED, 5_250_000, 52_500, 52_500),
        (C.SICK_LEAVE, 3_000_000, 30_000, 30_000),
        (C.PENSION, 7_000_000, 35_000, 35_000),
        (C.ABROAD_MISSION, 20_000_000, 200_000, 200_000),
        (C.STUDENT, None, 3_000, 5_000),  # 342: chibo's default; 01-QĐ/TW: 5,000 đ
        (C.ABROAD_OTHER, 100_000, 50_000, 100_000),  # 01: the amount the member chose
        (C.WORKING_AGE, None, 5_000, 10_000),  # defaults (configuration)
        (C.OVER_AGE, None, 3_000, 5_000),
        (C.SOCIAL_PENSION, None, 0, 0),  # exempt
    ],
)
def test_each_category_under_both_regulations(tree, category, base, in_jan, in_feb):
    m = tree.members.m1a[0]
    basis_set(actor=None, member=m, category=category, base=base, since=date(2025, 6, 1))
    assert (owed(m, JAN), owed(m, FEB)) == (in_jan, in_feb)
    assert expectation(m, JAN).rule_set.code == "342"
    assert expectation(m, FEB).rule_set.code == "01"


def test_a_raise_counts_from_its_month_under_342_and_from_the_next_under_01(tree):
    m = tree.members.m1a[0]
    basis_set(actor=None, member=m, category=C.INSURED, base=5_000_000, since=date(2025, 6, 1))
    basis_set(actor=None, member=m, category=C.INSURED, base=6_000_000, since=date(2025, 12, 1))
    basis_set(actor=None, member=m, category=C.INSURED, base=8_000_000, since=FEB)
    # 342: 1% of the month's salary; 01: 1% of the previous month's social-insurance salary
    assert [owed(m, d) for d in (date(2025, 11, 1), date(2025, 12, 1), JAN, FEB, MAR)] == [
        50_000,
        60_000,
        60_000,
        60_000,
        80_000,
    ]
    # the history is kept: three periods, closed in turn
    assert list(m.dues_bases.values_list("valid_from", "valid_to")) == [
        (date(2025, 6, 1), date(2025, 12, 1)),
        (date(2025, 12, 1), FEB),
        (FEB, None),
    ]


def test_a_configured_fixed_amount_replaces_the_default_for_its_months(tree, admin_user):
    m = tree.members.m1a[0]
    basis_set(actor=None, member=m, category=C.WORKING_AGE, base=None, since=date(2025, 1, 1))
    fixed_rate_set(
        actor=admin_user,
        rule_set="01",
        category=C.WORKING_AGE,
        amount=20_000,
        first_month=MAR,
    )
    assert (owed(m, FEB), owed(m, MAR)) == (10_000, 20_000)
    with pytest.raises(ServiceError, match="trùng"):
        fixed_rate_set(
            actor=admin_user,
            rule_set="01",
            category=C.WORKING_AGE,
            amount=15_000,
            first_month=date(2026, 6, 1),
            last_month=date(2026, 8, 1),
        )
    with pytest.raises(ServiceError, match="do văn bản quy định"):
        fixed_rate_set(
            actor=admin_user, rule_set="01", category=C.STUDENT, amount=7_000, first_month=MAR
        )
    with pytest.raises(ServiceError, match="Chỉ quản trị viên"):
        fixed_rate_set(
            actor=_staff(tree),
            rule_set="342",
            category=C.OVER_AGE,
            amount=1_000,
            first_month=date(2020, 1, 1),
        )
    assert FixedRate.objects.count() == 1


def _staff(tree):
    from organizations.models import Role
    from tests.factories import UserFactory, grant

    user = UserFactory(username="staff-x")
    grant(user, tree.ward1, Role.Kind.STAFF)
    return user


def test_fifty_years_of_party_age_exempts_from_the_month_of_the_anniversary(tree):
    m = make_member(tree.cell1a, admitted_on=date(1976, 3, 15), official_on=date(1977, 3, 15))
    basis_set(actor=None, member=m, category=C.PENSION, base=6_000_000, since=date(2020, 1, 1))
    e = expectations([m], [FEB, MAR])
    assert e[(m.pk, FEB)].amount == 30_000
    assert (e[(m.pk, MAR)].amount, e[(m.pk, MAR)].exempt) == (0, True)
    assert "50 năm" in e[(m.pk, MAR)].exempt_reason


def test_a_twelve_month_reduction_applies_then_lapses_with_a_warning(tree, ward1_staff):
    m = tree.members.m1a[0]
    basis_set(actor=None, member=m, category=C.INSURED, base=5_000_000, since=date(2024, 1, 1))
    relief_grant(
        actor=ward1_staff,
        member=m,
        percent=50,
        reason=ReliefReason.POOR,
        first_month=date(2025, 3, 1),
        last_month=date(2026, 2, 1),
        decision_number="15-QĐ/ĐU",
        decided_on=date(2025, 2, 20),
    )
    assert owed(m, date(2025, 2, 1)) == 50_000
    assert owed(m, date(2025, 3, 1)) == 25_000
    assert owed(m, FEB) == 25_000
    assert owed(m, MAR) == 50_000  # lapsed: the full amount again
    # a month before the last month: warned; before that, not yet; after, no more
    members = Member.objects.all()
    assert [r.member for r in reliefs_lapsing(members, date(2026, 1, 10))] == [m]
    assert [r.member for r in reliefs_lapsing(members, date(2026, 2, 10))] == [m]
    assert reliefs_lapsing(members, date(2025, 12, 10)) == []
    assert reliefs_lapsing(members, date(2026, 3, 10)) == []


def test_reliefs_longer_than_twelve_months_or_overlapping_are_refused(tree, ward1_staff):
    m = tree.members.m1a[0]
    kwargs = dict(actor=ward1_staff, member=m, reason=ReliefReason.ILLNESS, decided_on=JAN)
    with pytest.raises(ServiceError, match="tối đa 12 tháng"):
        relief_grant(
            percent=100,
            first_month=JAN,
            last_month=JAN.replace(year=2027),
            decision_number="1",
            **kwargs,
        )
    with pytest.raises(ServiceError, match="30%, 50%, 70%"):
        relief_grant(percent=40, first_month=JAN, last_month=MAR, decision_number="1", **kwargs)
    relief_grant(percent=100, first_month=JAN, last_month=MAR, decision_number="2", **kwargs)
    with pytest.raises(ServiceError, match="trùng thời gian"):
        relief_grant(percent=30, first_month=MAR, last_month=MAR, decision_number="3", **kwargs)
    assert DuesRelief.objects.count() == 1


def test_bad_bases_are_refused_and_change_nothing(tree):
    m = tree.members.m1a[0]
    with pytest.raises(ServiceError, match="không phải là số tiền"):
        parse_amount("5tr2")
    with pytest.raises(ServiceError, match="không được âm"):
        parse_amount("-5000")
    assert parse_amount("5.250.000 đ") == 5_250_000
    with pytest.raises(ServiceError, match="cần ghi căn cứ"):
        basis_set(actor=None, member=m, category=C.INSURED, base=None, since=JAN)
    with pytest.raises(ServiceError, match="30.000 đ đến 400.000 đ"):
        basis_set(actor=None, member=m, category=C.ABROAD_OTHER, base=500_000, since=FEB)
    with pytest.raises(ServiceError, match="trước khi"):
        basis_set(actor=None, member=m, category=C.STUDENT, base=None, since=date(1999, 1, 1))
    assert not DuesBasis.objects.exists()

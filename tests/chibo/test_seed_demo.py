from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management import call_command

from chibo.demo import DemoContext
from members.choices import MEMBER_STATUSES
from members.models import Member
from organizations.models import Category, Level, Role, Unit


def _snapshot():
    return sorted(
        Member.objects.values_list("full_name", "birth_date", "card_number", "unit__name")
    )


def test_seed_demo_builds_the_documented_demo(db):
    call_command("seed_demo")
    province = Unit.objects.get(level=Level.PROVINCIAL)
    wards = list(Unit.objects.filter(parent=province))
    assert len(wards) == 2
    for ward in wards:
        assert ward.administrative_unit is not None and ward.administrative_unit.is_commune_level
        cells = Unit.objects.filter(parent=ward, level=Level.CELL)
        assert 10 <= cells.count() <= 15
        categories = Counter(cells.values_list("category", flat=True))
        assert categories[Category.AGENCY] == 1
        assert categories[Category.RESIDENTIAL] + categories[Category.VILLAGE] >= 3
        members = Member.objects.filter(unit__parent=ward, status__in=MEMBER_STATUSES).count()
        assert 150 <= members <= 600

    expected_roles = {
        "admin": (Role.Kind.ADMIN, province),
        "board": (Role.Kind.REVIEWER, province),
        "ward1": (Role.Kind.STAFF, Unit.objects.get(code="DEMO-W1")),
        "ward2": (Role.Kind.STAFF, Unit.objects.get(code="DEMO-W2")),
    }
    users = get_user_model().objects
    for username, (kind, unit) in expected_roles.items():
        user = users.get(username=username)
        assert user.check_password("chibo-demo"), username
        assert user.roles.filter(kind=kind, unit=unit).exists()
    secretary = users.get(username="secretary1")
    assert secretary.check_password("chibo-demo")
    cell = secretary.roles.get(kind=Role.Kind.SECRETARY).unit
    assert cell.level == Level.CELL and cell.parent.code == "DEMO-W1"
    assert users.get(username="admin").is_superuser


def test_seed_demo_does_not_run_twice(db):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first


def test_demo_data_comes_from_a_fixed_seed():
    def names():
        ctx = DemoContext()
        return [ctx.person_name("M" if i % 2 else "F") for i in range(20)] + [ctx.rng.random()]

    assert names() == names()

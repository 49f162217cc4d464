"""factory_boy factories. Units and members are made through the services, so
every test row has the history a real one would have."""

import itertools
from datetime import date

import factory
from django.contrib.auth import get_user_model

from members.choices import Status
from members.models import Member
from members.services import member_create
from organizations.models import Body, Category, Level, Role, Term, Unit
from organizations.services import term_open, unit_found
from structure.services import seat_assign

_serial = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", "chibo-demo")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_unit(
    name: str = "",
    *,
    level: str = Level.CELL,
    parent: Unit | None = None,
    category: str = "",
    founded_on: date = date(2000, 1, 1),
    **kwargs,
) -> Unit:
    if level == Level.CELL and not category:
        category = Category.RESIDENTIAL
    return unit_found(
        actor=None,
        name=name or f"Đơn vị {next(_serial)}",
        level=level,
        parent=parent,
        category=category,
        founded_on=founded_on,
        **kwargs,
    )


def make_member(
    unit: Unit,
    *,
    status: str = Status.OFFICIAL,
    since: date = date(2010, 1, 1),
    **profile,
) -> Member:
    n = next(_serial)
    defaults = {
        "full_name": f"Nguyễn Văn Thử {n}",
        "gender": "M",
        "birth_date": date(1970, 1, 1),
        "admitted_on": date(2000, 1, 1),
        "official_on": date(2001, 1, 1) if status == Status.OFFICIAL else None,
        "card_number": f"{n:08d}",
        "national_id": f"{n:012d}",
    }
    defaults.update(profile)
    return member_create(actor=None, unit=unit, status=status, since=since, **defaults)


def grant(user, unit: Unit, kind: str = Role.Kind.STAFF) -> Role:
    return Role.objects.create(user=user, unit=unit, kind=kind, valid_from=date(2000, 1, 1))


def give_seat(unit, member, position, *, body=None, since=date(2025, 10, 1)):
    """`member` holds `position` in `unit`'s committee from `since` (a term is
    opened on that day if the unit has none), through the services."""
    term = Term.objects.filter(unit=unit, valid_to__isnull=True).first() or term_open(
        actor=None, unit=unit, congress_on=since
    )
    if body is None:
        body = Body.DIRECT if unit.is_cell else Body.EXECUTIVE
    return seat_assign(
        actor=None, term=term, member=member, position=position, body=body, valid_from=since
    )


def make_units_in_bulk(
    parent: Unit, n: int, *, level: str = Level.CELL, category: str = Category.RESIDENTIAL
) -> list[Unit]:
    """`n` small units under `parent` in a few queries (a province's thousand
    sub-units, for the tests of long pages): rows, paths and first versions
    as the province demo writes them, without unit_found's checks and audit."""
    from organizations.demo import _bulk_units

    specs = [
        {
            "name": f"Chi bộ số {i:04d}",
            "level": level,
            "category": category,
            "parent_id": parent.pk,
            "founded_on": date(2000, 1, 1),
        }
        for i in range(n)
    ]
    return _bulk_units([parent], specs)

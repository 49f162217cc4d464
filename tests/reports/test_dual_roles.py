"""dual_roles: village and front-work heads who are members, and secretaries
and deputies who hold those posts too (seed 004)."""

from datetime import date

import pytest

from organizations.models import Body, Category, CommunityPost, Level, Position, Seat, Term
from organizations.services import community_post_assign, term_open
from reports.catalogue import Params, get_report
from structure.services import seat_assign
from tests.factories import make_unit
from tests.reports.factories import bulk_members, bulk_units

SINCE = date(2021, 1, 1)


def run(unit, day=date(2025, 1, 1), by_children=False):
    return get_report("dual_roles").run(unit, Params(day=day, by_children=by_children))


def rows_of(section):
    return {r[0]: r[1:] for r in section.rows}


@pytest.fixture
def district(db):
    """120 village and residential cells: secretary a, deputy b, member c each."""
    top = make_unit("Đảng bộ huyện", level=Level.PROVINCIAL)
    communes = [
        make_unit(f"Đảng bộ xã {i}", level=Level.GRASSROOTS_COMMITTEE, parent=top) for i in range(2)
    ]
    cells = bulk_units(
        [
            {
                "name": f"Chi bộ thôn {i}",
                "level": Level.CELL,
                "parent": communes[i % 2],
                "category": Category.VILLAGE if i % 3 else Category.RESIDENTIAL,
            }
            for i in range(120)
        ]
    )
    terms, seats, posts = [], [], []
    for i, cell in enumerate(cells):
        a, b, c = bulk_members(cell, 3)
        term = Term(
            unit=cell, name="2020–2025", valid_from=date(2020, 6, 1), due_on=date(2025, 6, 1)
        )
        terms.append(term)
        seats += [
            Seat(
                term=term,
                unit=cell,
                body=Body.DIRECT,
                position=Position.SECRETARY,
                member=a,
                valid_from=SINCE,
            ),
            Seat(
                term=term,
                unit=cell,
                body=Body.DIRECT,
                position=Position.DEPUTY_SECRETARY,
                member=b,
                valid_from=SINCE,
            ),
        ]
        village = a if i < 21 else b if i < 99 else c if i < 118 else None
        front = a if i < 47 else b if i < 75 else c if i < 118 else None
        for kind, holder in (
            (CommunityPost.Kind.VILLAGE_HEAD, village),
            (CommunityPost.Kind.FRONT_HEAD, front),
        ):
            posts.append(
                CommunityPost(
                    unit=cell,
                    kind=kind,
                    member=holder,
                    valid_from=SINCE,
                    person_name=holder.full_name if holder else "Ông Quần Chúng",
                )
            )
    Term.objects.bulk_create(terms)
    for s in seats:
        s.term_id = s.term.pk
    Seat.objects.bulk_create(seats)
    CommunityPost.objects.bulk_create(posts)
    return top, communes


def test_seed_004_village_and_front_heads_and_the_posts_held_together(district):
    top, _communes = district
    section = run(top).sections[0]
    assert rows_of(section) == {
        "Trưởng thôn, tổ trưởng tổ dân phố là đảng viên": [118, 120, 98.3],
        "Trưởng ban công tác Mặt trận là đảng viên": [118, 120, 98.3],
        "Bí thư chi bộ đồng thời là trưởng thôn, tổ trưởng": [21, 120, 17.5],
        "Phó bí thư đồng thời là trưởng thôn, tổ trưởng": [78, 120, 65.0],
        "Bí thư chi bộ đồng thời là trưởng ban công tác Mặt trận": [47, 120, 39.2],
        "Phó bí thư đồng thời là trưởng ban công tác Mặt trận": [28, 120, 23.3],
    }


def test_before_the_posts_were_recorded_no_one_held_them(district):
    top, _communes = district
    section = run(top, day=date(2020, 12, 31)).sections[0]
    assert [r[1] for r in section.rows] == [0] * 6
    assert {r[2] for r in section.rows} == {120}


def test_breakdown_by_commune_adds_up(district, django_assert_max_num_queries):
    top, communes = district
    with django_assert_max_num_queries(5):
        section = run(top, by_children=True).sections[0]
    assert section.totals[1:] == [120, 118, 118, 21, 47]
    assert sum(r[1] for r in section.rows) == 120


def test_posts_recorded_through_the_services_count(tree):
    cell = tree.cell1a
    secretary = tree.members.m1a[0]
    term = term_open(actor=None, unit=cell, congress_on=date(2022, 6, 1))
    seat_assign(
        actor=None,
        term=term,
        member=secretary,
        position=Position.SECRETARY,
        body=Body.DIRECT,
        valid_from=date(2022, 6, 1),
    )
    community_post_assign(
        actor=None,
        unit=cell,
        kind=CommunityPost.Kind.VILLAGE_HEAD,
        valid_from=date(2023, 1, 1),
        member=secretary,
    )
    section = run(tree.ward1).sections[0]
    lines = rows_of(section)
    assert lines["Bí thư chi bộ đồng thời là trưởng thôn, tổ trưởng"] == [1, 1, 100.0]
    assert lines["Trưởng ban công tác Mặt trận là đảng viên"] == [0, 1, 0.0]

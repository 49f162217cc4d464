"""Terms, committee seats and community posts keep their history."""

from datetime import date

import pytest

from chibo.errors import ServiceError
from organizations.models import Body, CommunityPost, Level, Position, Seat, TermLength
from organizations.selectors import committee_on, community_post_figures, current_term
from organizations.services import community_post_assign, seat_end, term_open
from structure.services import seat_assign
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_cells_term_lasts_two_and_a_half_years_by_default(tree):
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2020, 3, 15))
    assert term.due_on == date(2022, 9, 15) and term.name == "2020–2022"


def test_a_term_is_named_after_its_last_year(tree):
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2025, 7, 1))
    assert term.due_on == date(2028, 1, 1) and term.name == "2025–2027"
    ward = term_open(actor=None, unit=tree.ward1, congress_on=date(2025, 7, 1))
    assert ward.name == "2025–2030"


def test_term_length_is_a_setting_per_level(tree):
    TermLength.objects.create(level=Level.GRASSROOTS_COMMITTEE, months=48)
    term = term_open(actor=None, unit=tree.ward1, congress_on=date(2020, 10, 1))
    assert term.due_on == date(2024, 10, 1)


def test_a_new_congress_closes_the_previous_term_and_its_seats(tree):
    first = term_open(actor=None, unit=tree.cell1a, congress_on=date(2020, 3, 1))
    secretary = tree.members.m1a[0]
    seat_assign(
        actor=None,
        term=first,
        member=secretary,
        position=Position.SECRETARY,
        body=Body.DIRECT,
        valid_from=date(2020, 3, 1),
    )
    second = term_open(actor=None, unit=tree.cell1a, congress_on=date(2022, 9, 1))
    first.refresh_from_db()
    assert first.valid_to == date(2022, 9, 1)
    assert current_term(tree.cell1a) == second
    assert [s.member for s in committee_on(tree.cell1a, date(2021, 1, 1))] == [secretary]
    assert committee_on(tree.cell1a, date(2022, 9, 1)) == []


def test_a_new_secretary_replaces_the_previous_one_and_the_history_keeps_both(tree):
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2020, 3, 1))
    a, b = tree.members.m1a[:2]
    seat_assign(
        actor=None,
        term=term,
        member=a,
        position=Position.SECRETARY,
        body=Body.DIRECT,
        valid_from=date(2020, 3, 1),
    )
    seat_assign(
        actor=None,
        term=term,
        member=b,
        position=Position.SECRETARY,
        body=Body.DIRECT,
        valid_from=date(2021, 6, 1),
    )
    assert [s.member for s in committee_on(tree.cell1a, date(2021, 5, 31))] == [a]
    assert [s.member for s in committee_on(tree.cell1a, date(2021, 6, 1))] == [b]
    assert Seat.objects.count() == 2


def test_a_seat_needs_a_member_of_the_unit(tree):
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2020, 3, 1))
    with pytest.raises(ServiceError, match="không sinh hoạt trong"):
        seat_assign(
            actor=None,
            term=term,
            member=tree.members.m2a[0],
            position=Position.SECRETARY,
            body=Body.DIRECT,
            valid_from=date(2020, 3, 1),
        )


def test_a_cell_committee_is_not_a_body_of_a_grassroots_committee(tree):
    term = term_open(actor=None, unit=tree.ward1, congress_on=date(2020, 3, 1))
    with pytest.raises(ServiceError, match="không có ở"):
        seat_assign(
            actor=None,
            term=term,
            member=tree.members.m1a[0],
            position=Position.SECRETARY,
            body=Body.CELL_COMMITTEE,
            valid_from=date(2020, 3, 1),
        )
    seat = seat_assign(
        actor=None,
        term=term,
        member=tree.members.m1a[0],
        position=Position.SECRETARY,
        body=Body.EXECUTIVE,
        valid_from=date(2020, 3, 1),
    )
    seat_end(actor=None, seat=seat, day=date(2021, 1, 1))
    assert committee_on(tree.ward1, date(2021, 1, 1)) == []


def test_community_posts_feed_the_seed004_figures(tree):
    day = date(2024, 1, 1)
    secretary = tree.members.m1a[0]
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2022, 1, 1))
    seat_assign(
        actor=None,
        term=term,
        member=secretary,
        position=Position.SECRETARY,
        body=Body.DIRECT,
        valid_from=date(2022, 1, 1),
    )
    community_post_assign(
        actor=None,
        unit=tree.cell1a,
        kind=CommunityPost.Kind.VILLAGE_HEAD,
        member=secretary,
        valid_from=date(2022, 1, 1),
    )
    community_post_assign(
        actor=None,
        unit=tree.cell1a,
        kind=CommunityPost.Kind.FRONT_HEAD,
        person_name="Trần Thị Không Đảng",
        valid_from=date(2022, 1, 1),
    )
    community_post_assign(
        actor=None,
        unit=tree.cell2a,
        kind=CommunityPost.Kind.VILLAGE_HEAD,
        member=tree.members.m2a[0],
        valid_from=date(2022, 1, 1),
    )
    figures = community_post_figures([tree.cell1a, tree.cell1b, tree.cell2a], day)
    assert figures["areas"] == 2
    assert figures["village_heads"] == 2 and figures["village_heads_members"] == 2
    assert figures["front_heads"] == 1 and figures["front_heads_members"] == 0
    assert figures["secretary_village_head"] == 1 and figures["secretary_front_head"] == 0
    assert community_post_figures([tree.cell1a], date(2021, 1, 1))["village_heads"] == 0


def test_a_new_village_head_ends_the_previous_ones_post(tree):
    community_post_assign(
        actor=None,
        unit=tree.cell1a,
        kind=CommunityPost.Kind.VILLAGE_HEAD,
        person_name="Người cũ",
        valid_from=date(2020, 1, 1),
    )
    community_post_assign(
        actor=None,
        unit=tree.cell1a,
        kind=CommunityPost.Kind.VILLAGE_HEAD,
        member=make_member(tree.cell1a),
        valid_from=date(2023, 1, 1),
    )
    old = CommunityPost.objects.get(person_name="Người cũ")
    assert old.valid_to == date(2023, 1, 1) and not old.is_party_member


def test_an_agency_cell_has_no_village_head(tree):
    with pytest.raises(ServiceError, match="Chỉ chi bộ thôn"):
        community_post_assign(
            actor=None,
            unit=tree.cell1b,
            kind=CommunityPost.Kind.VILLAGE_HEAD,
            person_name="X",
            valid_from=date(2020, 1, 1),
        )


def test_a_successor_dated_on_or_before_the_holders_start_is_refused_and_nothing_changes(tree):
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2020, 3, 1))
    a, b = tree.members.m1a[:2]
    seat = dict(actor=None, term=term, position=Position.SECRETARY, body=Body.DIRECT)
    seat_assign(member=a, valid_from=date(2020, 6, 1), **seat)
    with pytest.raises(ServiceError, match="giữ chức vụ này từ 01/06/2020"):
        seat_assign(member=b, valid_from=date(2020, 6, 1), **seat)
    post = dict(actor=None, unit=tree.cell1a, kind=CommunityPost.Kind.FRONT_HEAD)
    community_post_assign(person_name="Người cũ", valid_from=date(2021, 1, 1), **post)
    with pytest.raises(ServiceError, match="giữ chức danh này từ 01/01/2021"):
        community_post_assign(person_name="Người mới", valid_from=date(2020, 12, 31), **post)
    assert [s.member for s in Seat.objects.filter(valid_to__isnull=True)] == [a]
    assert [p.person_name for p in CommunityPost.objects.filter(valid_to__isnull=True)] == [
        "Người cũ"
    ]

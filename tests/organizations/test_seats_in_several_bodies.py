"""One person may sit in several bodies of a committee at once (the
executive committee's secretary is also the standing committee's); within
one body a single position has one holder at a time. Committee sizes show
on the unit page and in the structure report."""

from datetime import date

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from organizations.models import Body, Position, Seat
from organizations.selectors import committee_sizes_on
from organizations.services import term_open
from reports.catalogue import Params, get_report
from structure.services import seat_assign

pytestmark = pytest.mark.django_db

CONGRESS = date(2020, 10, 1)


def ward_committee(tree):
    """Ward 1's executive committee of five, three of them also on its
    standing committee, the secretary chairing both."""
    term = term_open(actor=None, unit=tree.ward1, congress_on=CONGRESS)
    people = [*tree.members.m1a, *tree.members.m1b]
    secretary, deputy, *others = people

    def seat(member, position, body, **kw):
        return seat_assign(
            actor=None,
            term=term,
            member=member,
            position=position,
            body=body,
            valid_from=CONGRESS,
            **kw,
        )

    seat(secretary, Position.SECRETARY, Body.EXECUTIVE)
    seat(deputy, Position.STANDING_DEPUTY, Body.EXECUTIVE)
    for m in others:
        seat(m, Position.COMMITTEE_MEMBER, Body.EXECUTIVE)
    seat(secretary, Position.SECRETARY, Body.STANDING)
    seat(deputy, Position.STANDING_DEPUTY, Body.STANDING)
    seat(others[0], Position.COMMITTEE_MEMBER, Body.STANDING)
    return term, secretary, deputy, others, seat


def test_the_executive_secretary_is_also_the_standing_secretary_and_a_member_of_both(tree):
    _term, secretary, *_rest = ward_committee(tree)
    held = Seat.objects.filter(member=secretary, valid_to__isnull=True)
    assert sorted(s.body for s in held) == [Body.EXECUTIVE, Body.STANDING]
    assert committee_sizes_on([tree.ward1.pk], date(2021, 1, 1)) == {
        tree.ward1.pk: {Body.EXECUTIVE: 5, Body.STANDING: 3}
    }


def test_a_second_secretary_of_the_same_body_hands_over_but_never_overlaps(tree):
    term, secretary, deputy, others, _seat = ward_committee(tree)
    # a new secretary of the standing committee from 2022 ends the first one's
    # seat there, not his seat as secretary of the executive committee
    seat_assign(
        actor=None,
        term=term,
        member=others[1],
        position=Position.SECRETARY,
        body=Body.STANDING,
        valid_from=date(2022, 1, 1),
    )
    standing = Seat.objects.get(member=secretary, body=Body.STANDING)
    executive = Seat.objects.get(member=secretary, body=Body.EXECUTIVE)
    assert standing.valid_to == date(2022, 1, 1)
    assert executive.valid_to is None

    before = Seat.objects.count()
    # a past secretary whose dates meet the first one's term of office is refused
    with pytest.raises(ServiceError, match="mỗi lúc chỉ một người giữ chức vụ này"):
        seat_assign(
            actor=None,
            term=term,
            member=others[2],
            position=Position.SECRETARY,
            body=Body.STANDING,
            valid_from=date(2021, 3, 1),
            valid_to=date(2021, 9, 1),
        )
    # and so is a second secretary of the executive committee from the same day
    with pytest.raises(ServiceError, match="giữ chức vụ này từ 01/10/2020"):
        seat_assign(
            actor=None,
            term=term,
            member=deputy,
            position=Position.SECRETARY,
            body=Body.EXECUTIVE,
            valid_from=CONGRESS,
        )
    assert Seat.objects.count() == before


def test_the_same_seat_twice_over_the_same_dates_is_refused(tree):
    term, secretary, _deputy, others, _seat = ward_committee(tree)
    with pytest.raises(ServiceError, match="đã giữ chức vụ này"):
        seat_assign(
            actor=None,
            term=term,
            member=others[0],
            position=Position.COMMITTEE_MEMBER,
            body=Body.STANDING,
            valid_from=date(2021, 1, 1),
        )
    assert Seat.objects.filter(member=others[0], body=Body.STANDING).count() == 1


def test_a_seat_of_the_past_is_recorded_with_its_end(tree):
    term = term_open(actor=None, unit=tree.cell1a, congress_on=date(2015, 3, 1))
    a, b = tree.members.m1a[:2]
    first = seat_assign(
        actor=None,
        term=term,
        member=a,
        position=Position.SECRETARY,
        body=Body.DIRECT,
        valid_from=date(2015, 3, 1),
        valid_to=date(2016, 7, 1),
    )
    seat_assign(
        actor=None,
        term=term,
        member=b,
        position=Position.SECRETARY,
        body=Body.DIRECT,
        valid_from=date(2016, 7, 1),
    )
    assert first.valid_to == date(2016, 7, 1)
    with pytest.raises(ServiceError, match="phải sau ngày bắt đầu"):
        seat_assign(
            actor=None,
            term=term,
            member=a,
            position=Position.DEPUTY_SECRETARY,
            body=Body.DIRECT,
            valid_from=date(2016, 7, 1),
            valid_to=date(2016, 7, 1),
        )


def test_the_unit_page_gives_each_bodys_size(client, tree, ward1_staff):
    ward_committee(tree)
    client.force_login(ward1_staff)
    page = client.get(reverse("organizations:unit_detail", args=[tree.ward1.pk])).content.decode()
    assert 'Ban Chấp hành <small class="muted committee-size">5 người' in page
    assert 'Ban Thường vụ <small class="muted committee-size">3 người' in page


def test_the_structure_report_gives_committee_sizes_on_its_date(tree):
    ward_committee(tree)
    report = get_report("structure")
    table = report.run(tree.ward1, Params(day=date(2021, 1, 1)))
    own = next(s for s in table.sections if s.title.startswith("Cấp ủy của Đảng bộ phường"))
    assert own.rows == [["Ủy viên Ban Chấp hành", 5], ["Ủy viên Ban Thường vụ", 3]]
    # before the congress: no committee
    before = report.run(tree.ward1, Params(day=date(2020, 9, 30)))
    own = next(s for s in before.sections if s.title.startswith("Cấp ủy của Đảng bộ phường"))
    assert own.rows == []
    # the province's report and its breakdown count ward 1's committee below it
    province = report.run(tree.province, Params(day=date(2021, 1, 1)))
    below = next(
        s for s in province.sections if s.title == "Cấp ủy của các tổ chức đảng trực thuộc"
    )
    assert below.rows[0] == ["Ủy viên Ban Chấp hành", 1, 5]
    assert below.rows[1] == ["Ủy viên Ban Thường vụ", 1, 3]
    breakdown = report.run(tree.province, Params(day=date(2021, 1, 1), by_children=True))
    section = breakdown.sections[0]
    keys = [c.key for c in section.columns]
    ward1 = next(r for r in section.rows if r[0] == tree.ward1.name)
    assert ward1[keys.index(Body.EXECUTIVE)] == 5 and ward1[keys.index(Body.STANDING)] == 3

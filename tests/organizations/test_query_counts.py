"""The unit page and the home page, as the load benchmark's users open them
all day: what every viewer of a unit shares is kept (chibo.cache), so a
second look costs a handful of queries whatever the unit holds, and a write
through a service shows at once."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from members.choices import AwardKind, DecisionLevel
from members.services import award_record
from organizations.models import Position
from organizations.services import population_record
from tests.factories import give_seat, make_units_in_bulk

# session, user, roles, the unit, the data version (and a cell's own line)
UNIT_PAGE_QUERIES = 6
HOME_QUERIES = 6


@pytest.fixture
def kept(settings):
    settings.CHIBO_FIGURES_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def unit_url(unit) -> str:
    return reverse("organizations:unit_detail", args=[unit.pk])


@pytest.mark.parametrize("which", ["ward1", "cell1a", "province"])
def test_a_second_look_at_a_unit_page_costs_a_handful_of_queries(
    kept, client, tree, board, which, django_assert_max_num_queries
):
    unit = getattr(tree, which)
    give_seat(unit, tree.members.m1a[0], Position.SECRETARY)
    client.force_login(board)
    first = client.get(unit_url(unit)).content.decode()
    with django_assert_max_num_queries(UNIT_PAGE_QUERIES):
        again = client.get(unit_url(unit)).content.decode()
    assert again.count("<li>") == first.count("<li>") and tree.members.m1a[0].full_name in again


def test_a_unit_page_costs_the_same_queries_with_300_more_cells(
    kept, client, tree, board, django_assert_max_num_queries
):
    client.force_login(board)
    client.get(unit_url(tree.ward2))
    with django_assert_max_num_queries(UNIT_PAGE_QUERIES):
        client.get(unit_url(tree.ward2))
    make_units_in_bulk(tree.ward2, 300)
    cache.clear()  # bulk units write no audit event
    client.get(unit_url(tree.ward2))
    with django_assert_max_num_queries(UNIT_PAGE_QUERIES):
        html = client.get(unit_url(tree.ward2)).content.decode()
    assert html.count(">Chi bộ số ") in (99, 100)  # a page of 100 sub-units


def test_a_population_count_an_award_and_a_seat_show_on_the_unit_page_at_once(
    kept, client, tree, ward1_staff
):
    client.force_login(ward1_staff)
    before = client.get(unit_url(tree.cell1a)).content.decode()
    assert "Chưa ghi khen thưởng." in before and "Chưa ghi cấp ủy." in before
    population_record(
        actor=None, unit=tree.cell1a, counted_on=date(2025, 1, 1), households=321, people=1234
    )
    assert "321 hộ" in client.get(unit_url(tree.cell1a)).content.decode()
    award_record(
        actor=None,
        kind=AwardKind.values[0],
        level=DecisionLevel.values[0],
        decision_number="12-QĐ/ĐU",
        day=date(2025, 5, 1),
        unit=tree.cell1a,
    )
    assert "12-QĐ/ĐU" in client.get(unit_url(tree.cell1a)).content.decode()
    give_seat(tree.cell1a, tree.members.m1a[1], Position.SECRETARY)
    after = client.get(unit_url(tree.cell1a)).content.decode()
    assert "Chưa ghi cấp ủy." not in after and tree.members.m1a[1].full_name in after


def test_breadcrumbs_show_only_the_ancestors_in_reach(kept, client, tree, board, ward1_staff):
    client.force_login(board)
    assert f'href="{unit_url(tree.province)}"' in client.get(unit_url(tree.cell1a)).content.decode()
    client.force_login(ward1_staff)  # the same kept figures, a smaller reach
    html = client.get(unit_url(tree.cell1a)).content.decode()
    assert f'href="{unit_url(tree.ward1)}"' in html
    assert f'href="{unit_url(tree.province)}"' not in html


def test_a_second_look_at_the_home_page_costs_a_handful_of_queries(
    kept, client, tree, ward1_staff, board, django_assert_max_num_queries
):
    for user in (ward1_staff, board):
        client.force_login(user)
        client.get("/")
        with django_assert_max_num_queries(HOME_QUERIES):
            assert client.get("/").status_code == 200

"""The home and unit pages keep the figures every user of a unit or scope
shares (chibo.cache), keyed by the data version: the next look, by anyone of
the same scope, costs fewer queries; a write through a service shows at
once; a user of another scope never gets them."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from members.services import member_transfer_permanent
from organizations.models import Role
from tests.factories import UserFactory, grant, make_member


@pytest.fixture
def kept(settings):
    settings.CHIBO_FIGURES_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


class Count:
    """Queries sent by the block (the test client's requests included)."""

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.n = 0
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def members_shown(html: str) -> int:
    return int(re.search(r'<dd class="member-count">(\d+)</dd>', html).group(1))


def test_the_unit_page_reuses_its_figures_and_shows_a_transfer_at_once(kept, client, tree, board):
    url = reverse("organizations:unit_detail", args=[tree.ward1.pk])
    client.force_login(board)
    with Count() as first:
        html = client.get(url).content.decode()
    with Count() as second:
        again = client.get(url).content.decode()
    assert members_shown(html) == members_shown(again) == 5
    assert second.n < first.n
    assert again.count('<a href="/to-chuc/') == html.count('<a href="/to-chuc/')

    member_transfer_permanent(
        actor=None, member=tree.members.m1a[0], unit=tree.cell2a, day=date.today()
    )
    assert members_shown(client.get(url).content.decode()) == 4
    ward2 = client.get(reverse("organizations:unit_detail", args=[tree.ward2.pk]))
    assert members_shown(ward2.content.decode()) == 5


def test_staff_of_the_same_ward_share_the_home_page_figures_and_another_ward_does_not(
    kept, client, tree, ward1_staff, ward2_staff
):
    make_member(tree.cell1a, admitted_on=date(date.today().year - 30, 3, 1))  # a badge this year
    client.force_login(ward1_staff)
    with Count() as first:
        mine = client.get("/").content.decode()
    colleague = UserFactory(username="ward1b")
    grant(colleague, tree.ward1, Role.Kind.STAFF)
    client.force_login(colleague)
    with Count() as second:
        theirs = client.get("/").content.decode()
    badges = re.compile(r'<strong class="due-badges">(\d+)</strong>')
    assert badges.search(mine).group(1) == badges.search(theirs).group(1) == "1"
    assert second.n < first.n

    client.force_login(ward2_staff)
    other = client.get("/").content.decode()
    assert badges.search(other).group(1) == "0"
    assert "Chi bộ ấp 1" in other and "Chi bộ khu phố 1" not in other


def test_with_the_cache_off_every_look_counts_again(client, tree, board):
    url = reverse("organizations:unit_detail", args=[tree.ward1.pk])
    client.force_login(board)
    client.get(url)
    with Count() as first:
        client.get(url)
    with Count() as second:
        client.get(url)
    assert first.n == second.n


def test_the_board_s_home_page_costs_the_same_queries_with_300_more_cells(
    client, tree, board, django_assert_max_num_queries
):
    """With the cache off, as on the first look of the day: the figures are
    aggregates over the maintained counts, not a query per unit."""
    from tests.factories import make_units_in_bulk

    client.force_login(board)
    client.get("/")
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    make_units_in_bulk(tree.ward2, 300)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.content) < 200_000


def test_a_report_is_counted_once_for_everyone_until_a_member_moves(kept, client, tree, board):
    url = reverse("reports:report", args=["structure", tree.ward1.pk])
    client.force_login(board)
    tables = re.compile(r"<table.*?</table>", re.S)  # the page's token and nonce change
    with Count() as first:
        shown = tables.findall(client.get(url).content.decode())
    with Count() as second:
        assert tables.findall(client.get(url).content.decode()) == shown
    assert shown and second.n < first.n
    member_transfer_permanent(
        actor=None, member=tree.members.m1a[0], unit=tree.cell2a, day=date.today()
    )
    assert tables.findall(client.get(url).content.decode()) != shown


def test_the_tracker_reuses_its_years_totals_and_a_second_scope_gets_its_own(
    kept, client, tree, board, ward1_staff
):
    client.force_login(board)
    with Count() as first:
        board_page = client.get("/sinh-hoat/")
    with Count() as second:
        again = client.get("/sinh-hoat/")
    assert second.n < first.n
    assert again.context["summary"] == board_page.context["summary"]
    client.force_login(ward1_staff)
    ward_page = client.get("/sinh-hoat/")
    # the ward's own totals (its cells only), not the province's kept ones
    assert ward_page.context["root"] == tree.ward1
    assert ward_page.context["summary"]["cells"] == 2
    assert board_page.context["summary"]["cells"] == 3

"""The meetings tracker as the load benchmark's ward staff open it: the page
of rows, the summary and the committees are kept for everyone with the same
reach (chibo.cache), so a second look costs a handful of queries whatever
the number of cells, and a meeting recorded shows at once."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_units_in_bulk
from tests.meetings.factories import make_meeting

# session, user, roles, the data version (and the unit asked for)
TRACKER_QUERIES = 5


@pytest.fixture
def kept(settings):
    settings.CHIBO_FIGURES_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def cell_row(html: str, unit) -> str:
    start = html.index(f'<tr data-unit="{unit.pk}">')
    return html[start : html.index("</tr>", start)]


def test_a_second_look_at_the_tracker_costs_a_handful_of_queries_whatever_the_cells(
    kept, client, tree, board, django_assert_max_num_queries
):
    url = reverse("meetings:tracker") + f"?unit={tree.province.pk}&year=2026"
    client.force_login(board)
    client.get(url)
    with django_assert_max_num_queries(TRACKER_QUERIES):
        client.get(url)
    make_units_in_bulk(tree.ward2, 120)
    cache.clear()  # bulk units write no audit event
    client.get(url)
    with django_assert_max_num_queries(TRACKER_QUERIES):
        html = client.get(url).content.decode()
    assert html.count("<tr data-unit=") == 50  # a page of cells
    assert "1/3" in html


def test_a_meeting_recorded_shows_on_the_kept_tracker_at_once(kept, client, tree, ward1_staff):
    url = reverse("meetings:tracker") + "?year=2026"
    client.force_login(ward1_staff)
    before = cell_row(client.get(url).content.decode(), tree.cell1a)
    make_meeting(tree.cell1a, held_on=date(2026, 3, 12))
    after = cell_row(client.get(url).content.decode(), tree.cell1a)
    assert before != after
    assert 'title="03/2026 – 12/03/2026">✓</td>' in after


def test_another_ward_s_staff_do_not_get_the_kept_rows(
    kept, client, tree, ward1_staff, ward2_staff
):
    client.force_login(ward1_staff)
    mine = client.get(reverse("meetings:tracker")).content.decode()
    client.force_login(ward2_staff)
    theirs = client.get(reverse("meetings:tracker")).content.decode()
    assert f'data-unit="{tree.cell1a.pk}"' in mine and f'data-unit="{tree.cell1a.pk}"' not in theirs
    assert f'data-unit="{tree.cell2a.pk}"' in theirs

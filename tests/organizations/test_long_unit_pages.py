"""A unit with a thousand sub-units (a province): its page lists them a page
at a time, with a line counting them by level, in a bounded number of
queries and a bounded size, however many there are."""

import re

from django.urls import reverse

from organizations.models import Level
from tests.factories import make_units_in_bulk


def rows(html: str) -> list[str]:
    table = html.split('<table class="table units">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/to-chuc/(\d+)/">', table)


def test_a_unit_with_300_sub_units_shows_them_a_page_at_a_time(
    client, tree, board, django_assert_max_num_queries
):
    client.force_login(board)
    url = reverse("organizations:unit_detail", args=[tree.ward2.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    make_units_in_bulk(tree.ward2, 299)
    make_units_in_bulk(tree.ward2, 1, level=Level.PARTY_GROUP, category="")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    assert len(rows(html)) == 100
    assert len(response.content) < 60_000  # 301 rows unpaginated are about three times this
    assert "Trang 1/4 (1–100 trong 301)" in html
    assert "300 chi bộ trực thuộc · 1 tổ đảng" in html  # counted by level
    last = client.get(url, {"page": 4}).content.decode()
    assert len(rows(last)) == 1 and "Trang 4/4 (301–301 trong 301)" in last
    assert "Trang trước" in last and "Trang sau" not in last
    # a page number out of range or not a number shows the nearest page
    assert len(rows(client.get(url, {"page": "99"}).content.decode())) == 1
    assert len(rows(client.get(url, {"page": "x"}).content.decode())) == 100


def test_a_small_unit_has_no_pager_and_no_count_line(client, tree, board):
    client.force_login(board)
    html = client.get(reverse("organizations:unit_detail", args=[tree.ward1.pk])).content.decode()
    assert len(rows(html)) == 2
    assert "Trang 1/" not in html and 'class="pager"' not in html

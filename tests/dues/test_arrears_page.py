"""The page of dues in arrears lists a page of members at a time (a nation
has 9,000 in arrears for three provinces: 1.8 MB of HTML in one page), with
the total and a pager, in the same number of queries on every page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dues import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "ARREARS_PAGE", 4)


def test_the_arrears_page_lists_a_page_at_a_time_with_the_total(client, tree, board, small_pages):
    if timezone.localdate().month <= 3:
        pytest.skip("three months owed only from April on")
    client.force_login(board)
    # the tree's 9 members paid nothing this year
    with CaptureQueriesContext(connection) as first_page:
        first = client.get("/dang-phi/")
    page = first.context["arrears"]
    assert page.paginator.count == 9 and len(page.object_list) == 4
    assert "Trang 1/3" in first.content.decode()
    with CaptureQueriesContext(connection) as last_page:
        last = client.get("/dang-phi/?page=3")
    assert len(last.context["arrears"].object_list) == 1
    listed = [a["member"].pk for p in (1, 2, 3) for a in _page(client, p)]
    assert len(set(listed)) == 9
    assert len(last_page) == len(first_page)


def _page(client, number):
    return client.get(f"/dang-phi/?page={number}").context["arrears"].object_list

"""A report broken down by sub-unit shows a page of sub-units at a time (a
province has 1,000: 700 KB of HTML), each page with the totals of all of
them and a pager; the files keep every row."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_per_page(monkeypatch):
    monkeypatch.setattr(views, "BREAKDOWN_PAGE", 1)


def url(unit, extra=""):
    return reverse("reports:report", args=["structure", unit.pk]) + f"?by=children{extra}"


def test_a_breakdown_shows_a_page_of_sub_units_with_the_totals_of_all(
    client, tree, board, one_per_page
):
    client.force_login(board)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url(tree.province))
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(url(tree.province, "&page=2"))
    a, b = first.context["table"].sections[0], second.context["table"].sections[0]
    assert len(a.rows) == len(b.rows) == 1
    assert {a.rows[0][0], b.rows[0][0]} == {tree.ward1.name, tree.ward2.name}
    assert a.totals == b.totals and a.totals is not None
    assert "Trang 1/2" in first.content.decode()
    assert len(first_queries) == len(second_queries)
    # the file holds every sub-unit
    data = json.loads(client.get(url(tree.province, "&format=json")).content)
    assert len(data["sections"][0]["rows"]) == 2


def test_a_short_breakdown_has_no_pager(client, tree, board):
    client.force_login(board)
    response = client.get(url(tree.province))
    assert response.context["rows_page"] is None
    assert len(response.context["table"].sections[0].rows) == 2

"""The review results page as the load benchmark's board opens it: the counts
are kept for everyone (chibo.cache), so a second look costs a handful of
queries; its rows, drawn in Python, are what the template drew."""

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse

from reviews.rules import Level
from reviews.selectors import member_results, organization_results
from tests.factories import make_member, make_units_in_bulk
from tests.reviews.factories import open_cycle

# session, user, roles, the unit, the data version, each table's page of units
RESULTS_QUERIES = 7

# reviews/_results.html's rows as the template language drew them
TEMPLATE_ROWS = Template(
    """{% for line in lines %}<tr>
    <td data-label="{{ l_unit }}">{% if forloop.first %}<b>{{ line.unit.name }}</b>{% else %}{{ line.unit.name }}{% endif %}</td>
    <td class="num" data-label="{{ l_rated }}">{{ line.rated }} <small class="muted">({{ l_last }} {{ line.last_rated }})</small></td>
    {% for f in line.figures %}<td class="num" data-label="{{ f.short }}">{{ f.count }} · {{ f.percent }}<br><small class="muted">{{ l_last }} {{ f.last_count }} · {{ f.last_percent }}{% if f.change %} <span class="rv-{{ f.trend }}">{% if f.change > 0 %}+{% endif %}{{ f.change }}</span>{% endif %}</small></td>{% endfor %}
  </tr>{% endfor %}"""  # noqa: E501
)
TAG_ROWS = Template("{% load reviews_tags %}{% result_rows lines l_unit l_rated l_last %}")


@pytest.fixture
def kept(settings):
    settings.CHIBO_FIGURES_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rated(tree):
    """Two years of the ward's results, with a change each way."""
    cells = make_units_in_bulk(tree.ward2, 12)
    for cell in cells:
        make_member(cell)
    last = open_cycle(tree.ward2, 2023)
    last.member_reviews.update(decided_level=Level.GOOD)
    last.organization_reviews.update(decided_level=Level.COMPLETED)
    this = open_cycle(tree.ward2, 2024)
    reviews = list(this.member_reviews.order_by("pk"))
    for i, review in enumerate(reviews):
        review.decided_level = [Level.EXCELLENT, Level.GOOD, Level.NOT_COMPLETED][i % 3]
        review.save(update_fields=["decided_level"])
    this.organization_reviews.update(decided_level=Level.GOOD)
    return tree.ward2


def test_the_results_rows_are_what_the_template_drew(rated):
    labels = {"l_unit": "Đơn vị <b>", "l_rated": "Đã xếp loại", "l_last": "năm trước"}
    for lines in (
        member_results(rated, 2024),
        organization_results(rated, 2024, by_child=True),
        member_results(rated, 2024, by_child=False),
    ):
        context = {"lines": list(lines), **labels}
        drawn = TAG_ROWS.render(Context(context))
        assert drawn == TEMPLATE_ROWS.render(Context(context))
        assert "rv-better" in drawn or "rv-worse" in drawn or "rv-same" in drawn


def test_a_second_look_at_the_results_costs_a_handful_of_queries(
    kept, rated, client, board, django_assert_max_num_queries
):
    url = reverse("reviews:results", args=[rated.pk])
    client.force_login(board)
    first = client.get(url, {"year": 2024}).content.decode()
    with django_assert_max_num_queries(RESULTS_QUERIES):
        again = client.get(url, {"year": 2024}).content.decode()
    assert again.count("<tr>") == first.count("<tr>") == 2 * (1 + 1 + 13)

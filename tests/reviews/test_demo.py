"""The demo gets the last three years of reviews, over the rule sets, and
no decided rating in it breaks the rules of its year."""

from datetime import date

from django.core.management import call_command

from reviews.models import MemberReview, OrganizationReview, ReviewCycle
from reviews.selectors import member_rows


def test_the_demo_has_three_years_of_reviews_over_the_rule_sets(db, client):
    call_command("seed_demo")
    last = date.today().year - 1
    years = {last - 2, last - 1, last}
    assert set(ReviewCycle.objects.values_list("year", flat=True)) == years
    codes = set(ReviewCycle.objects.values_list("rule_set_code", flat=True))
    assert len(codes) >= 2
    for year in years:
        assert MemberReview.objects.filter(year=year).exclude(decided_level="").count() > 100
        assert OrganizationReview.objects.filter(year=year).exclude(decided_level="").exists()
    # decided ratings respect their year's rules; the one broken proposal is shown as such
    broken = []
    for cycle in ReviewCycle.objects.all():
        for row in member_rows(cycle):
            if row.broken:
                broken.append((row.review.decided_level, row.review.proposed_level))
    assert all(decided == "" for decided, _ in broken)
    assert len(broken) >= 1
    # the demo accounts see the pages with the demo's figures
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="ward1"))
    cycle = ReviewCycle.objects.filter(year=last, unit__code="DEMO-W1").get()
    page = client.get(reverse("reviews:cycle", args=[cycle.pk])).content.decode()
    assert "Trái quy định" in page and "Chưa tự kiểm điểm" in page


def test_the_province_demo_writes_a_decided_level_per_member_and_year(tree):
    from chibo.demo import DemoContext
    from reviews.demo import build_province_late

    ctx = DemoContext(scale="province", today=date(2026, 5, 1))
    ctx.data["province_cells"] = [tree.cell1a, tree.cell1b, tree.cell2a]
    build_province_late(ctx)
    assert MemberReview.objects.filter(year=2025).count() == 9
    assert set(ReviewCycle.objects.filter(year=2023).values_list("rule_set_code", flat=True)) == {
        "124"
    }
    assert MemberReview.objects.filter(path__startswith=tree.ward1.path, year=2024).count() == 5
    assert not MemberReview.objects.filter(decided_level="").exists()
    # each cell and each grassroots committee has its organization rating
    assert OrganizationReview.objects.filter(year=2025).count() == 5

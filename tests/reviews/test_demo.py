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
    _assert_the_demo_steps_are_plausible(last)


def _assert_the_demo_steps_are_plausible(last: int) -> None:
    """What a user reads on a review page: votes no larger than the meeting
    that took them, each step on its own day, by someone who may take it."""
    from django.contrib.auth import get_user_model

    from reviews import services
    from reviews.models import ReviewStep

    voted = MemberReview.objects.filter(year=last, voted_at__isnull=False).select_related("cell")
    limits = {}
    for r in voted:
        if r.cell_id not in limits:
            meeting = services.year_end_meeting(r.cell, last)
            limits[r.cell_id] = min(
                services.eligible_voters(r.cell, last),
                services.officials_present(meeting) if meeting else 10**6,
            )
        assert r.vote_present <= limits[r.cell_id], (r.cell.name, r.vote_present)
    for step in ReviewStep.objects.filter(member_review__year=last, kind__in=["self", "vote"]):
        assert step.at.year == last
    for step in ReviewStep.objects.filter(kind="decide").select_related(
        "member_review", "organization_review"
    ):
        review = step.member_review or step.organization_review
        assert step.at.year == review.year + 1
    secretary = get_user_model().objects.get(username="secretary1")
    cells = set(
        ReviewStep.objects.filter(actor=secretary, member_review__isnull=False).values_list(
            "member_review__cell", flat=True
        )
    )
    assert len(cells) == 1
    for org in OrganizationReview.objects.exclude(decided_by=None).select_related(
        "unit__parent", "decided_by"
    ):
        assert services.may_decide(org.decided_by, org.unit), org.unit.name


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

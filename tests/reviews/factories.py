"""Helpers for the reviews tests: cycles and reviews are made through the
services, so each step has the history a real one would have."""

from reviews import services
from reviews.models import MemberReview, ReviewCycle


def open_cycle(unit, year: int, *, actor=None) -> ReviewCycle:
    return services.review_open_cycle(actor=actor, unit=unit, year=year)


def review_of(cycle: ReviewCycle, member) -> MemberReview:
    return MemberReview.objects.select_related("cycle", "member", "cell").get(
        cycle=cycle, member=member
    )


def propose(review: MemberReview, level: str, *, score: tuple[int, int] | None = None, actor=None):
    """Self-review (with the score parts under 366-QĐ/TW), the cell's vote
    (every voter for `level`), then the proposal."""
    if score is None and review.cycle.rules.has_score:
        score = (25, 55)
    general, results = score if score else (None, None)
    services.review_record_self(
        actor=actor,
        review=review,
        text="Tôi đã hoàn thành các nhiệm vụ được giao.",
        score_general=general,
        score_results=results,
    )
    present = services.eligible_voters(review.cell, review.year)
    services.review_record_vote(actor=actor, review=review, present=present, **{level: present})
    return services.review_propose(actor=actor, review=review, level=level)

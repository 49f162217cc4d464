"""`{% load reviews_tags %}{% member_ratings member %}`: a member's ratings over
the years, for the member profile."""

from django import template

from organizations.selectors import scope_q
from reviews.models import MemberReview
from reviews.selectors import member_rating_history

register = template.Library()


@register.inclusion_tag("reviews/_member_history.html", takes_context=True)
def member_ratings(context, member):
    """Each year links to its review sheet only where the viewer may open it:
    a member transferred in keeps the years reviewed in a cell of another
    committee, shown without a link."""
    history = member_rating_history(member)
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and history:
        visible = set(
            MemberReview.objects.filter(
                scope_q(user, "cell__path"), pk__in=[r.pk for r in history]
            ).values_list("pk", flat=True)
        )
        for r in history:
            r.in_reach = r.pk in visible
    return {"history": history, "member": member}

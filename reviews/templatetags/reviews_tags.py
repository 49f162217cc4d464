"""`{% load reviews_tags %}{% member_ratings member %}`: a member's ratings over
the years, for the member profile."""

from django import template

from reviews.selectors import member_rating_history

register = template.Library()


@register.inclusion_tag("reviews/_member_history.html")
def member_ratings(member):
    return {"history": member_rating_history(member), "member": member}

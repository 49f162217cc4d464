"""Reads of members, scoped to the user through organizations.selectors."""

from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from members.choices import MEMBER_STATUSES
from members.models import Member
from organizations.models import PATH_STEP, Unit
from organizations.selectors import scope_q


def members_for(user) -> QuerySet[Member]:
    """Members whose current cell the user may see."""
    return Member.objects.filter(scope_q(user, "unit__path"))


def current_members(unit: Unit) -> QuerySet[Member]:
    """Probationary and official members placed (permanently) in the unit's subtree now."""
    return Member.objects.filter(unit__path__startswith=unit.path, status__in=MEMBER_STATUSES)


def member_count(unit: Unit) -> int:
    return current_members(unit).count()


def member_counts_by_child(unit: Unit) -> dict[str, int]:
    """{child path: members in that child's subtree}, in one query."""
    cut = len(unit.path) + PATH_STEP
    rows = (
        Member.objects.filter(unit__path__startswith=unit.path, status__in=MEMBER_STATUSES)
        .exclude(unit=unit)
        .annotate(branch=Substr("unit__path", 1, cut))
        .values("branch")
        .annotate(n=Count("id"))
    )
    return {r["branch"]: r["n"] for r in rows}


def member_counts_for(units: list[Unit]) -> dict[int, int]:
    """{unit id: members in its subtree} for a handful of units (one query each)."""
    return {u.pk: member_count(u) for u in units}


def age_on(member: Member, day: date) -> int:
    b = member.birth_date
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

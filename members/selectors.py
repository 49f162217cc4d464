"""Reads of members, scoped to the user through organizations.selectors."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from members.choices import MEMBER_STATUSES, PlacementKind
from members.models import Exemption, Member, Placement, StatusPeriod
from organizations.models import PATH_STEP, Unit, valid_on
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


@dataclass
class CellMemberOn:
    """A member of a cell on a given day, as the history says."""

    member: Member
    status: str  # probationary / official on that day
    placement: Placement
    exempt: bool  # miễn sinh hoạt on that day
    away: Placement | None  # temporary placement at another cell on that day


def members_on(unit: Unit, day: date, *, subtree: bool = False) -> list[CellMemberOn]:
    """The party members (probationary or official) permanently placed in
    `unit` (or its subtree) on `day`, from the placement and status histories,
    with whether each was exempt or away on a temporary transfer then.
    Temporary members hosted by the unit are not included (they are not
    counted in the host's figures). Four queries whatever the size."""
    unit_q = Q(unit__path__startswith=unit.path) if subtree else Q(unit=unit)
    placements = list(
        Placement.objects.filter(
            unit_q, valid_on(day), kind=PlacementKind.PERMANENT
        ).select_related("member")
    )
    ids = [p.member_id for p in placements]
    statuses = dict(
        StatusPeriod.objects.filter(
            valid_on(day), member_id__in=ids, status__in=MEMBER_STATUSES
        ).values_list("member_id", "status")
    )
    exempt = set(
        Exemption.objects.filter(valid_on(day), member_id__in=ids).values_list(
            "member_id", flat=True
        )
    )
    away = {
        p.member_id: p
        for p in Placement.objects.filter(
            valid_on(day), member_id__in=ids, kind=PlacementKind.TEMPORARY
        ).select_related("unit")
    }
    rows = [
        CellMemberOn(
            member=p.member,
            status=statuses[p.member_id],
            placement=p,
            exempt=p.member_id in exempt,
            away=away.get(p.member_id),
        )
        for p in placements
        if p.member_id in statuses
    ]
    rows.sort(key=lambda r: r.member.sort_key)
    return rows


def count_members_on(unit: Unit, day: date) -> int:
    """Members (probationary + official) placed permanently in `unit`'s subtree on `day`."""
    member_ids = Placement.objects.filter(
        valid_on(day), unit__path__startswith=unit.path, kind=PlacementKind.PERMANENT
    ).values("member_id")
    return StatusPeriod.objects.filter(
        valid_on(day), member_id__in=member_ids, status__in=MEMBER_STATUSES
    ).count()

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chibo.panels import unit_panels
from members.selectors import member_count
from organizations.models import Unit
from organizations.selectors import (
    can_edit,
    children_with_member_counts,
    unit_for_user_or_404,
    units_for,
)


def breadcrumbs(user, unit: Unit) -> list[Unit]:
    """The unit's ancestors the user may see, top first."""
    ids = unit.ancestor_ids()
    visible = {u.pk: u for u in units_for(user).filter(pk__in=ids)}
    return [visible[i] for i in ids if i in visible]


@login_required
def unit_detail(request, pk: int):
    unit = unit_for_user_or_404(request.user, pk)
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs(request.user, unit),
        "children": children_with_member_counts(unit),
        "member_count": member_count(unit),
        "can_edit": can_edit(request.user, unit),
        "panels": unit_panels(request, unit),
    }
    return render(request, "organizations/unit_detail.html", context)

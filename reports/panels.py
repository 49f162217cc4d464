"""The reports part of the home page (the scope's key figures and the periodic
reports waiting for the user) and of the unit page (links to its reports)."""

from datetime import date

from django.db.models import Count, Q

from chibo.cache import figures
from chibo.panels import Panel
from members.selectors import subtree_member_counts
from organizations.models import CELL_LEVELS, GRASSROOTS_LEVELS, Role, UnitVersion, valid_on
from organizations.selectors import (
    can_edit,
    role_paths,
    root_units_for,
    scope_key,
    sees_everything,
)
from reports.catalogue import catalogue
from reports.models import Submission, SubmissionStatus
from reports.selectors import inbox_for

MAX_UNITS = 3


def key_figures(unit, day: date) -> dict | None:
    """Grassroots organizations, cells and members under `unit` on `day`:
    three aggregate queries whatever the size of the subtree (the members
    from the maintained counts)."""
    root_path = (
        UnitVersion.objects.filter(valid_on(day), unit=unit).values_list("path", flat=True).first()
    )
    if root_path is None:
        return None
    levels = UnitVersion.objects.filter(valid_on(day), path__startswith=root_path).aggregate(
        grassroots=Count("pk", filter=Q(level__in=GRASSROOTS_LEVELS)),
        cells=Count("pk", filter=Q(level__in=CELL_LEVELS)),
    )
    counts = subtree_member_counts(root_path, day)
    return {
        "unit": unit,
        "grassroots": levels["grassroots"],
        "cells": levels["cells"],
        "members": counts.total,
        "official": counts.official,
        "probationary": counts.probationary,
        "exempt": counts.exempt,
    }


def _waiting_for(user) -> dict:
    """Reports awaiting the user's review, and the user's own returned ones."""
    returned = Submission.objects.filter(status=SubmissionStatus.RETURNED)
    if not sees_everything(user):
        own = Q(pk__in=[])
        for path in role_paths(user, (Role.Kind.ADMIN, Role.Kind.STAFF)):
            own |= Q(unit__path__startswith=path)
        returned = returned.filter(own)
    return {
        "to_review": inbox_for(user).count(),
        "returned": list(returned.select_related("unit")[:5]),
    }


def home_panels(request) -> list[Panel]:
    user = request.user
    roots = root_units_for(user)[:MAX_UNITS]
    if not roots:
        return []
    today = date.today()
    # the same for everyone who sees the unit (chibo.cache)
    shown = [
        f
        for f in (
            figures(f"reports.key_figures:{u.pk}", lambda u=u: key_figures(u, today), day=today)
            for u in roots
        )
        if f
    ]
    return [
        Panel(
            "reports/panels/home_figures.html",
            {
                "figures": shown,
                "today": today,
                # the same for everyone with the same roles (chibo.cache)
                "waiting": figures(
                    f"reports.waiting:{scope_key(user)}", lambda: _waiting_for(user)
                ),
            },
            order=10,
        )
    ]


def unit_panels(request, unit) -> list[Panel]:
    return [
        Panel(
            "reports/panels/unit_reports.html",
            {
                "unit": unit,
                "reports": catalogue(),
                "can_submit": bool(unit.parent_id) and can_edit(request.user, unit),
            },
            order=80,
        )
    ]

"""The reports part of the home page (the scope's key figures and the periodic
reports waiting for the user) and of the unit page (links to its reports)."""

from datetime import date

from django.db.models import Q

from chibo.panels import Panel
from organizations.models import CELL_LEVELS, GRASSROOTS_LEVELS, Role
from organizations.selectors import can_edit, role_paths, root_units_for, sees_everything
from reports.catalogue import catalogue
from reports.models import Submission, SubmissionStatus
from reports.selectors import MemberCounts, inbox_for, member_counts_by_unit, snapshot

MAX_UNITS = 3


def key_figures(unit, day: date) -> dict | None:
    """Grassroots organizations, cells and members under `unit` on `day`:
    three queries whatever the size of the subtree."""
    snap = snapshot(unit, day)
    if snap is None:
        return None
    counts = MemberCounts()
    for c in member_counts_by_unit(snap).values():
        counts.add(c)
    return {
        "unit": unit,
        "grassroots": sum(1 for u in snap.units if u.level in GRASSROOTS_LEVELS),
        "cells": sum(1 for u in snap.units if u.level in CELL_LEVELS),
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
    figures = [f for f in (key_figures(u, today) for u in roots) if f]
    return [
        Panel(
            "reports/panels/home_figures.html",
            {"figures": figures, "today": today, "waiting": _waiting_for(user)},
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
